"""The trl internals the course relies on (lessons_lib/trl_internals.py), one test per hook.

Each test runs its hook's check against the installed trl (it fails loudly, naming the hook and the
trl version CI tests, when a trl upgrade moves the internal), then shows that the check does catch
a change: the internal removed or reshaped with monkeypatch gives a TrlInternalsError naming the
tested trl. A few hooks are also exercised for real on a tiny trainer.
"""
import inspect
import re
from pathlib import Path

import pytest
import trl
from trl import GRPOConfig, GRPOTrainer

from lessons_lib import trl_internals as ti

ROOT = Path(__file__).resolve().parent.parent


def _fails(check, *args):
    with pytest.raises(ti.TrlInternalsError, match=re.escape(f"trl=={ti.TESTED_TRL}")):
        check(*args)


def test_tested_version_is_the_pinned_one():
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line.startswith("trl=="))
    assert pins["trl"] == ti.TESTED_TRL, "trl_internals.TESTED_TRL should be constraints.txt's trl"


def test_the_installed_trl_is_the_tested_one():
    assert trl.__version__ == ti.TESTED_TRL, (
        f"trl {trl.__version__} is installed, the course is tested with {ti.TESTED_TRL}: the checks "
        "below say which internals still hold")


def test_every_hook_has_a_check_and_all_pass():
    assert set(ti.CHECKS) == {"loss pass", "fused LM head", "rollout hook", "rollout context",
                              "sampling defaults", "train sampler", "loss on a batch",
                              "reward arguments"}
    ti.verify_all()


# --- loss pass ---------------------------------------------------------------------------------
def test_loss_pass(monkeypatch):
    ti.verify_loss_pass()
    assert "pixel_values" in ti.multimodal_inputs()
    # the course's override takes the same parameters
    from lessons_lib.shared_prefix import SharedPrefixGRPOTrainer

    ours = [p.name for p in inspect.signature(
        SharedPrefixGRPOTrainer._get_per_token_logps_and_entropies).parameters.values()]
    assert ours[:len(ti.LOSS_PASS_PARAMS)] == list(ti.LOSS_PASS_PARAMS)

    def renamed(self, model, input_ids, attention_mask, n_keep, batch_size=None, compute_entropy=False,
                compute_aux_loss=False):
        return None

    monkeypatch.setattr(GRPOTrainer, ti.LOSS_PASS, renamed)
    _fails(ti.verify_loss_pass)
    monkeypatch.delattr(GRPOTrainer, ti.LOSS_PASS)
    _fails(ti.verify_loss_pass)


def test_loss_pass_check_runs_before_the_trainer_is_built(monkeypatch):
    from lessons_lib.shared_prefix import SharedPrefixGRPOTrainer

    monkeypatch.delattr(GRPOTrainer, ti.LOSS_PASS)
    _fails(SharedPrefixGRPOTrainer)  # before any argument is looked at


# --- fused LM head -------------------------------------------------------------------------------
def test_fused_lm_head(monkeypatch):
    ti.verify_fused_lm_head()
    import trl.trainer.utils as tu

    def other(model, temp=1.0):
        return None

    monkeypatch.setattr(tu, "add_fused_lm_head", other)
    _fails(ti.verify_fused_lm_head)


def test_fused_lm_head_gives_what_the_loss_pass_reads():
    import torch
    from trl.trainer.utils import add_fused_lm_head

    from lessons_lib.models import new_tiny
    from conftest import TINY_KW

    model, tok = new_tiny(seed=0, **TINY_KW)
    add_fused_lm_head(model, temperature=0.7, outputs=ti.FUSED_HEAD_OUTPUTS)
    ids = torch.tensor([tok("01+2=3")["input_ids"]])
    labels = ids.clone()
    out = model(input_ids=ids, labels=labels, **{ti.FUSED_HEAD_KWARG: True})
    logits = model(input_ids=ids).logits[:, :-1] / 0.7
    want = torch.log_softmax(logits, -1).gather(-1, ids[:, 1:, None])[..., 0]
    for name in ti.FUSED_HEAD_OUTPUTS:
        assert getattr(out, name) is not None
    assert torch.allclose(out.log_probs, want, atol=1e-5)  # position t: the token at t + 1


# --- rollout hook ----------------------------------------------------------------------------------
def test_rollout_hook(monkeypatch):
    ti.verify_rollout_hook()
    assert set(ti.rollout_output([[1]], [[2]], x=[3])) == {*ti.ROLLOUT_KEYS, "x"}
    src = inspect.getsource(GRPOTrainer._generate)
    monkeypatch.setattr(GRPOTrainer, "_generate",
                        lambda self, prompts: None)  # a trl whose _generate no longer calls the hook
    _fails(ti.verify_rollout_hook)
    assert "self.rollout_func(prompts, self)" in src


# --- rollout context -------------------------------------------------------------------------------
def test_rollout_context(monkeypatch):
    ti.verify_rollout_context()

    class Bare:
        args = processing_class = model = accelerator = None

    _fails(ti.verify_rollout_context, Bare())


# --- sampling defaults -------------------------------------------------------------------------------
def test_sampling_defaults(monkeypatch):
    ti.verify_sampling_defaults()
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(GRPOConfig)}
    monkeypatch.setattr(fields["top_p"], "default", 0.9)
    _fails(ti.verify_sampling_defaults)


# --- train sampler -----------------------------------------------------------------------------------
def test_train_sampler(monkeypatch):
    ti.verify_train_sampler()
    monkeypatch.setattr(GRPOTrainer, ti.TRAIN_SAMPLER, lambda self, ds, extra: None)
    _fails(ti.verify_train_sampler)


# --- loss on a batch -------------------------------------------------------------------------------
def test_compute_loss(monkeypatch):
    ti.verify_compute_loss()
    monkeypatch.setattr(GRPOTrainer, "compute_loss", lambda self, model, batch: None)
    _fails(ti.verify_compute_loss)


# --- reward arguments ---------------------------------------------------------------------------------
def test_reward_args(monkeypatch):
    ti.verify_reward_args()
    from lessons_lib import grpo

    assert grpo._TRL_REWARD_ARGS == ti.REWARD_ARGS and grpo._NOT_PASSED == ti.NOT_PASSED

    def fewer(self, inputs, prompts, completions, completion_ids_list):
        reward_kwargs = {}
        reward_kwargs["trainer_state"] = self.state
        for reward_func in self.reward_funcs:
            reward_func(prompts=prompts, completions=completions, **reward_kwargs)

    monkeypatch.setattr(GRPOTrainer, "_calculate_rewards", fewer)
    _fails(ti.verify_reward_args)


# --- for real, on a tiny trainer ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def grpo_tr(tmp_path_factory):
    from conftest import TINY_KW

    from lessons_lib.grpo import RLBudget, grpo_config, grpo_trainer
    from lessons_lib.models import new_tiny
    from lessons_lib.worlds.chain_rl import rl_dataset
    from lessons_lib.rewards import format_reward

    model, tok = new_tiny(seed=0, **TINY_KW)
    args = grpo_config(RLBudget().smoke(), output_dir=str(tmp_path_factory.mktemp("ti")))
    return grpo_trainer(model, tok, rl_dataset(4, steps=(1,)), [format_reward], args)


def test_a_built_trainer_has_the_rollout_context(grpo_tr):
    ti.verify_rollout_context(grpo_tr)
    ctx = ti.rollout_context(grpo_tr)
    assert ctx["num_generations"] == grpo_tr.args.num_generations and ctx["eos_token_ids"]


def test_set_train_sampler_is_what_the_data_loader_reads(grpo_tr):
    class Fixed:
        def __iter__(self):
            return iter([0] * len(self))

        def __len__(self):
            return grpo_tr.args.per_device_train_batch_size * grpo_tr.args.steps_per_generation

    before = grpo_tr._get_train_sampler
    try:
        ti.set_train_sampler(grpo_tr, Fixed())
        batch = next(iter(grpo_tr.get_train_dataloader()))
        first = grpo_tr.train_dataset[0]["prompt"]
        assert all(row["prompt"] == first for row in batch)
    finally:
        grpo_tr._get_train_sampler = before


def test_set_rollout_func_is_what_generation_calls(grpo_tr):
    seen = []

    def fake(prompts, trainer):
        seen.append(len(prompts))
        tok = trainer.processing_class
        ids = [tok(p)["input_ids"] for p in prompts]
        return ti.rollout_output(ids, [[tok.eos_token_id]] * len(prompts), logprobs=None)

    before = grpo_tr.rollout_func
    try:
        ti.set_rollout_func(grpo_tr, fake)
        grpo_tr.model.train()
        out = grpo_tr._generate([grpo_tr.train_dataset[0]["prompt"]] * 2)
    finally:
        grpo_tr.rollout_func = before
        grpo_tr.model.eval()
    assert seen == [2] and out is not None
