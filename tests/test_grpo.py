"""Tests of lessons_lib.grpo: the GRPO config written out, input checks, the budget, a 2-step run."""
import math

import pytest
import torch
import trl
from datasets import Dataset

from lessons_lib.grpo import MAX_RL_STEPS, RL_BUDGET, grpo_config, rl_budget, train_grpo
from lessons_lib.r1 import rl_dataset
from lessons_lib.rewards import accuracy_reward, format_reward


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=0), rf"steps must be an int between 1 and {MAX_RL_STEPS}, got 0"),
    (dict(steps=MAX_RL_STEPS + 1), rf"steps must be an int between 1 and {MAX_RL_STEPS}"),
    (dict(steps=2.0), r"steps must be an int.*got 2.0"),
    (dict(steps=True), r"steps must be an int"),
    (dict(num_generations=1), r"num_generations must be an int of at least 2 \(GRPO compares"),
    (dict(num_generations=0), r"num_generations must be an int of at least 2.*got 0"),
    (dict(num_generations=4.0), r"num_generations must be an int"),
    (dict(prompts_per_step=0), r"prompts_per_step must be a positive int, got 0"),
    (dict(prompts_per_step="8"), r"prompts_per_step must be a positive int"),
    (dict(lr=0), r"lr must be a number between 0 and 1 \(e.g. 5e-5\), got 0"),
    (dict(lr=1), r"lr must be a number between 0 and 1"),
    (dict(micro_batches=3), r"micro_batches must be a positive int that divides the 64 completions"),
    (dict(micro_batches=0), r"micro_batches must be a positive int"),
    (dict(lr=-5e-5), r"lr must be a number between 0 and 1"),
    (dict(lr="5e-5"), r"lr must be a number between 0 and 1"),
])
def test_grpo_config_rejects_bad_settings(tmp_path, kwargs, match):
    args = dict(steps=3, output_dir=str(tmp_path)) | kwargs
    with pytest.raises(ValueError, match=match):
        grpo_config(**args)


def test_grpo_config_writes_out_the_settings(tmp_path):
    """No KL, DAPO loss, fp32, a constant lr, and a batch that counts completions."""
    cfg = grpo_config(7, prompts_per_step=3, num_generations=4, lr=1e-4, seed=5,
                      output_dir=str(tmp_path))
    assert cfg.max_steps == 7 and cfg.num_generations == 4
    # 12 completions generated at once (steps_per_generation x micro-batch), trained in 2 halves
    assert cfg.per_device_train_batch_size == 6 and cfg.gradient_accumulation_steps == 2
    assert cfg.steps_per_generation * cfg.per_device_train_batch_size == 3 * 4
    one = grpo_config(7, prompts_per_step=3, num_generations=4, micro_batches=1,
                      output_dir=str(tmp_path))
    assert one.per_device_train_batch_size == 12 and one.gradient_accumulation_steps == 1
    assert cfg.beta == 0.0 and cfg.loss_type == "dapo"
    assert cfg.bf16 is False and cfg.fp16 is False and cfg.gradient_checkpointing is False
    assert cfg.learning_rate == 1e-4 and cfg.lr_scheduler_type == "constant" and cfg.warmup_steps == 0
    assert cfg.temperature == 1.0 and cfg.epsilon == 0.2 and cfg.num_iterations == 1
    assert cfg.seed == 5 and cfg.data_seed == 5 and cfg.use_cpu is True
    assert cfg.save_strategy == "no"


def test_grpo_config_extra_overrides(tmp_path):
    cfg = grpo_config(2, output_dir=str(tmp_path), beta=0.04, epsilon=0.3,
                      reward_weights=[1.0, 0.5])
    assert cfg.beta == 0.04 and cfg.epsilon == 0.3 and cfg.reward_weights == [1.0, 0.5]
    assert grpo_config(2, output_dir=str(tmp_path), device="cuda").use_cpu is False


def test_rl_budget_follows_smoke_mode(monkeypatch):
    """The full budget normally, a smaller one with LESSONS_SMOKE=1, and a copy each time."""
    full = rl_budget()
    assert full == RL_BUDGET
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    small = rl_budget()
    assert small.keys() == full.keys()
    assert small["steps"] < full["steps"]
    assert small["prompts_per_step"] * small["num_generations"] < (
        full["prompts_per_step"] * full["num_generations"])
    assert small["num_generations"] >= 2
    small["steps"] = -1
    assert rl_budget()["steps"] != -1
    monkeypatch.setenv("LESSONS_SMOKE", "0")
    assert rl_budget() == full


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
        train_grpo(model, tok, ds, [format_reward], steps=1)


def test_train_grpo_checks_its_settings_before_training(fresh_tiny, no_training):
    model, tok = fresh_tiny
    with pytest.raises(ValueError, match=r"num_generations must be an int of at least 2"):
        train_grpo(model, tok, rl_dataset(2, steps=(1,)), [format_reward], steps=1,
                   num_generations=1)


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """2 GRPO steps of 2 prompts x 2 completions of 8 tokens on an untrained tiny model."""
    from conftest import TINY_KW

    from lessons_lib.models import new_tiny
    model, tok = new_tiny(seed=0, **TINY_KW)
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    trainer = train_grpo(model, tok, rl_dataset(2, steps=(1,)), [accuracy_reward, format_reward],
                         steps=2, prompts_per_step=2, num_generations=2, max_completion_length=8,
                         output_dir=str(tmp_path_factory.mktemp("grpo")))
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
