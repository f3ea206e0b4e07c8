"""Tests of lessons_lib.grpo: the budget, the GRPO config written out, input checks, a 2-update run."""
import dataclasses
import math

import pytest
import torch
import trl
from datasets import Dataset

from lessons_lib.grpo import (
    LOSS_TYPES, MAX_RL_UPDATES, RLBudget, require_reward_columns, grpo_config, rl_budget, train_grpo,
)
from lessons_lib.worlds.chain_rl import rl_dataset
from lessons_lib.rewards import accuracy_reward, format_reward

B = RLBudget()


@pytest.mark.parametrize("change, match", [
    (dict(updates=0), rf"updates \(optimizer updates\) must be an int between 1 and {MAX_RL_UPDATES}, got 0"),
    (dict(updates=MAX_RL_UPDATES + 1), rf"updates .*must be an int between 1 and {MAX_RL_UPDATES}"),
    (dict(updates=2.0), r"updates .*must be an int.*got 2.0"),
    (dict(updates=True), r"updates .*must be an int"),
    (dict(num_generations=1), r"num_generations must be an int of at least 2 \(GRPO compares"),
    (dict(num_generations=0), r"num_generations must be an int of at least 2.*got 0"),
    (dict(num_generations=4.0), r"num_generations must be an int"),
    (dict(prompts_per_update=0), r"prompts_per_update must be a positive int, got 0"),
    (dict(prompts_per_update="8"), r"prompts_per_update must be a positive int"),
    (dict(lr=0), r"lr must be a number between 0 and 1 \(e.g. 5e-5\), got 0"),
    (dict(lr=1), r"lr must be a number between 0 and 1"),
    (dict(lr=-5e-5), r"lr must be a number between 0 and 1"),
    (dict(lr="5e-5"), r"lr must be a number between 0 and 1"),
    (dict(temperature=-1), r"temperature must be a number above 0.*got -1"),
    (dict(temperature=0), r"temperature must be a number above 0.*got 0"),
    (dict(temperature=float("inf")), r"temperature must be a number above 0"),
    (dict(temperature="1.0"), r"temperature must be a number above 0"),
    (dict(max_completion_length=0), r"max_completion_length must be a positive int \(the most new "
                                    r"tokens per completion, e.g. 96\), got 0"),
    (dict(max_completion_length=96.0), r"max_completion_length must be a positive int"),
    (dict(train_problems_per_step_count=0), r"train_problems_per_step_count must be a positive int"),
])
def test_rl_budget_rejects_bad_settings(change, match):
    """Every field is checked when a budget is made (before, temperature -1 reached trl)."""
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(B, **change)


def test_rl_budget_rejects_misspelt_fields():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'steps'"):
        dataclasses.replace(B, steps=10)
    with pytest.raises(AttributeError):
        B.prompts_per_step  # noqa: B018 (the old name is gone)
    with pytest.raises(dataclasses.FrozenInstanceError):
        B.lr = 1e-3


def test_rl_budget_keeps_the_measured_values(monkeypatch):
    """Lesson 3's budget normally, its smoke variant with LESSONS_SMOKE=1."""
    assert rl_budget() == B == RLBudget(updates=160, prompts_per_update=8, num_generations=8, lr=5e-5,
                                        temperature=1.0, max_completion_length=96,
                                        train_problems_per_step_count=400)
    assert B.smoke() == dataclasses.replace(B, updates=4, prompts_per_update=2, num_generations=4,
                                            max_completion_length=32, train_problems_per_step_count=8)
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    small = rl_budget()
    assert small == B.smoke() and small.num_generations >= 2
    assert small.completions_per_update < B.completions_per_update
    monkeypatch.setenv("LESSONS_SMOKE", "0")
    assert rl_budget() == B


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(micro_batches=3), ValueError,
     r"micro_batches must be a positive int that divides the 64 completions"),
    (dict(micro_batches=0), ValueError, r"micro_batches must be a positive int"),
    (dict(micro_batches=True), ValueError, r"micro_batches must be a positive int"),
    (dict(loss_type="dapoo"), ValueError, r"unknown loss_type 'dapoo': trl's GRPO offers \('grpo', "
                                          r"'dr_grpo', 'dapo', 'bnpo', 'cispo'"),
    (dict(beta=-0.1), ValueError, r"beta \(the KL penalty's weight\) must be a number of at least 0"),
    (dict(temperature=-1), TypeError,
     r"'temperature' is set by the budget.*dataclasses.replace\(budget, temperature=...\)"),
    (dict(max_steps=5), TypeError, r"'max_steps' is set by the budget.*replace\(budget, updates=...\)"),
    (dict(lr=1e-3), TypeError, r"'lr' is set by the budget"),
    (dict(gradient_accumulation_steps=4), TypeError, r"pass micro_batches=..."),
])
def test_grpo_config_rejects_bad_settings(tmp_path, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        grpo_config(B, output_dir=str(tmp_path), **kwargs)


@pytest.mark.parametrize("budget", [7, dict(updates=7), None])
def test_grpo_config_takes_a_budget(tmp_path, budget):
    with pytest.raises(TypeError, match=r"grpo_config takes an RLBudget.*dataclasses.replace\(rl_budget\(\)"):
        grpo_config(budget, output_dir=str(tmp_path))


def test_loss_types_are_trls(tmp_path):
    """LOSS_TYPES is the list trl's GRPOConfig documents as supported, and each makes a config."""
    import re

    help_text = trl.GRPOConfig.__dataclass_fields__["loss_type"].metadata["help"]
    listed = re.search(r"Supported values are (.*?)\. ", help_text).group(1)
    assert set(LOSS_TYPES) == set(re.findall(r"'(\w+)'", listed))
    for loss in LOSS_TYPES:
        extra = dict(importance_sampling_level="sequence") if loss == "luspo" else {}
        assert grpo_config(B, loss_type=loss, output_dir=str(tmp_path), **extra).loss_type == loss


def test_grpo_config_writes_out_the_settings(tmp_path):
    """No KL, DAPO loss, fp32, a constant lr, and a batch that counts completions."""
    b = dataclasses.replace(B, updates=7, prompts_per_update=3, num_generations=4, lr=1e-4)
    cfg = grpo_config(b, seed=5, output_dir=str(tmp_path))
    assert cfg.max_steps == 7 and cfg.num_generations == 4
    # 12 completions generated at once (steps_per_generation x micro-batch), trained in 2 halves
    assert cfg.per_device_train_batch_size == 6 and cfg.gradient_accumulation_steps == 2
    assert cfg.steps_per_generation * cfg.per_device_train_batch_size == 3 * 4
    one = grpo_config(b, micro_batches=1, output_dir=str(tmp_path))
    assert one.per_device_train_batch_size == 12 and one.gradient_accumulation_steps == 1
    assert cfg.beta == 0.0 and cfg.loss_type == "dapo"
    assert cfg.bf16 is False and cfg.fp16 is False and cfg.gradient_checkpointing is False
    assert cfg.learning_rate == 1e-4 and cfg.lr_scheduler_type == "constant" and cfg.warmup_steps == 0
    assert cfg.temperature == 1.0 and cfg.epsilon == 0.2 and cfg.num_iterations == 1
    assert cfg.max_completion_length == 96
    assert cfg.seed == 5 and cfg.data_seed == 5 and cfg.use_cpu is True
    assert cfg.save_strategy == "no"


def test_grpo_config_extra_overrides(tmp_path):
    cfg = grpo_config(B, output_dir=str(tmp_path), beta=0.04, epsilon=0.3,
                      reward_weights=[1.0, 0.5])
    assert cfg.beta == 0.04 and cfg.epsilon == 0.3 and cfg.reward_weights == [1.0, 0.5]
    assert grpo_config(B, output_dir=str(tmp_path), device="cuda").use_cpu is False


@pytest.fixture
def no_training(monkeypatch):
    """Make any GRPO run that starts fail at once (so a broken check cannot hang the suite)."""
    def boom(self, *a, **k):
        raise AssertionError("training started although the inputs were bad")

    monkeypatch.setattr(trl.GRPOTrainer, "train", boom)


def test_train_grpo_needs_a_prompt_column(fresh_tiny, no_training):
    model, tok = fresh_tiny
    ds = Dataset.from_dict({"question": ["01+2"], "answer": [3]})
    with pytest.raises(ValueError, match=r"needs a 'prompt' column; it has \['question', 'answer'\]"
                                         r".*rl_dataset\(\)"):
        train_grpo(model, tok, ds, [format_reward], B.smoke())


def test_train_grpo_takes_a_budget(fresh_tiny, no_training):
    model, tok = fresh_tiny
    with pytest.raises(TypeError, match=r"train_grpo takes an RLBudget, got int"):
        train_grpo(model, tok, rl_dataset(2, steps=(1,)), [format_reward], 1)


def test_train_grpo_checks_its_settings_before_training(fresh_tiny, no_training):
    model, tok = fresh_tiny
    with pytest.raises(ValueError, match=r"unknown loss_type 'dapoo'"):
        train_grpo(model, tok, rl_dataset(2, steps=(1,)), [format_reward], B.smoke(),
                   loss_type="dapoo")


@pytest.fixture
def no_trainer(monkeypatch):
    """Make building a GRPOTrainer fail at once: the checks must come before it."""
    def boom(self, *a, **k):
        raise AssertionError("the trainer was built although the inputs were bad")

    monkeypatch.setattr(trl.GRPOTrainer, "__init__", boom)


def test_train_grpo_checks_the_columns_the_rewards_need(fresh_tiny, no_trainer):
    """accuracy_reward needs an 'answer' column; without it trl failed only after generating."""
    model, tok = fresh_tiny
    ds = rl_dataset(2, steps=(1,)).remove_columns("answer")
    with pytest.raises(ValueError, match=r"the reward function accuracy_reward needs 'answer', which trl "
                                         r"passes only as a dataset column, but the dataset has the "
                                         r"columns \['prompt', 'steps', 'language'\]"):
        train_grpo(model, tok, ds, [accuracy_reward, format_reward], B.smoke())


def test_check_reward_columns():
    cols = ["prompt", "answer", "steps"]
    require_reward_columns([accuracy_reward, format_reward], cols)  # fine
    require_reward_columns(format_reward, ["prompt"])  # one function, no column needed

    def by_steps(completions, steps, trainer_state, **kwargs):
        return [0.0] * len(completions)

    require_reward_columns([by_steps], cols)
    with pytest.raises(ValueError, match=r"by_steps needs 'steps'"):
        require_reward_columns([by_steps], ["prompt", "answer"])

    def needs_prompt_column(completions, prompt, **kwargs):  # trl passes `prompts`, never `prompt`
        return [0.0] * len(completions)

    with pytest.raises(ValueError, match=r"needs 'prompt'"):
        require_reward_columns([needs_prompt_column], cols)

    def no_kwargs(completions, answer):
        return [0.0] * len(completions)

    with pytest.raises(ValueError, match=r"no_kwargs does not accept \[.*'prompts'.*'steps'.*\].*"
                                         r"add \*\*kwargs"):
        require_reward_columns([no_kwargs], cols)

    def with_default(completions, difficulty=1, **kwargs):
        return [0.0] * len(completions)

    require_reward_columns([with_default], ["prompt"])


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """2 GRPO updates of 2 prompts x 2 completions of 8 tokens on an untrained tiny model."""
    from conftest import TINY_KW

    from lessons_lib.models import new_tiny
    model, tok = new_tiny(seed=0, **TINY_KW)
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    budget = dataclasses.replace(B, updates=2, prompts_per_update=2, num_generations=2,
                                 max_completion_length=8)
    trainer = train_grpo(model, tok, rl_dataset(2, steps=(1,)), [accuracy_reward, format_reward],
                         budget, output_dir=str(tmp_path_factory.mktemp("grpo")))
    return model, before, trainer


def test_short_grpo_run_logs_reward_metrics(short_run):
    model, _, trainer = short_run
    assert trainer.state.global_step == 2
    rows = [r for r in trainer.state.log_history if "rewards/format_reward/mean" in r]
    assert [r["step"] for r in rows] == [1, 2]
    for r in rows:
        assert "frac_reward_zero_std" in r and "rewards/accuracy_reward/mean" in r
        assert 0.0 <= r["rewards/format_reward/mean"] <= 1.0
        assert 0.0 <= r["frac_reward_zero_std"] <= 1.0
        assert math.isfinite(r["loss"])
        assert r["completions/max_length"] <= 8
    assert not model.training


def test_no_spread_in_rewards_means_no_update(short_run):
    """An untrained model earns 0 everywhere: every group has zero spread, so zero advantages, and
    with beta=0 (no KL) the weights do not move at all."""
    model, before, trainer = short_run
    rows = [r for r in trainer.state.log_history if "frac_reward_zero_std" in r]
    assert all(r["frac_reward_zero_std"] == 1.0 and r["reward"] == 0.0 for r in rows)
    assert all(torch.equal(before[k], v) for k, v in model.named_parameters())
