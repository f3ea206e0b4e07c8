"""Tests of lessons_lib.sft: a short SFT run, loss on completions only, input checks, determinism,
and the lessons' budget."""
import dataclasses
import math

import pytest
import torch
import trl
from conftest import TINY_KW

from lessons_lib.worlds.chain import to_records, make_dataset, make_problems
from lessons_lib.models import new_tiny
from lessons_lib.sft import MAX_SFT_UPDATES, SFTSettings, loss_history, sft_config, train_sft
from lessons_lib.lesson1_2_sft import SFTBudget, lesson_budget


def run(tmp_path_factory, records, updates, batch_size, lr=3e-3, seed=0):
    model, tok = new_tiny(seed=0, **TINY_KW)
    trainer = train_sft(model, tok, records, SFTSettings(updates, batch_size, lr), seed=seed,
                        logging_steps=1, output_dir=str(tmp_path_factory.mktemp("sft")))
    return model, tok, trainer


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """5 updates on 32 chain-of-thought records."""
    records = to_records(make_problems(16, 1, "train") + make_problems(16, 3, "train"), "cot")
    return run(tmp_path_factory, records, updates=5, batch_size=8)


@pytest.fixture(scope="module")
def overfit_runs(tmp_path_factory):
    """Two identical 30-update runs on 8 records (each batch holds all 8), lr 3e-3."""
    records = to_records(make_problems(8, 2, "train", seed=1), "cot")
    return [run(tmp_path_factory, records, updates=30, batch_size=8) for _ in range(2)]


def test_short_run_logs_losses(short_run):
    """train_sft runs exactly `updates` optimizer updates, logs a finite loss each, leaves eval mode."""
    model, _, trainer = short_run
    updates, losses = loss_history(trainer)
    assert trainer.state.global_step == 5
    assert updates == [1, 2, 3, 4, 5]
    assert all(isinstance(x, float) and math.isfinite(x) and x > 0 for x in losses)
    assert not model.training


def test_loss_is_on_completion_tokens_only(short_run):
    """trl's tokenized dataset masks every prompt token and keeps every completion token."""
    _, tok, trainer = short_run
    ds = trainer.train_dataset
    assert trainer.args.completion_only_loss is True
    assert "completion_mask" in ds.column_names or "labels" in ds.column_names
    assert len(ds) == 32
    for row in ds:
        prompt_ids = tok(row["prompt"])["input_ids"]
        n = len(prompt_ids)
        ids = row["input_ids"]
        assert ids[:n] == prompt_ids  # <bos> + prompt come first
        assert ids[-1] == tok.eos_token_id  # trl appends <eos> to the completion
        if "completion_mask" in ds.column_names:
            mask = row["completion_mask"]
        else:  # trl 1.16 writes the mask into the labels as -100
            mask = [int(lab != -100) for lab in row["labels"]]
            assert [lab for lab in row["labels"] if lab != -100] == ids[n:]
        assert mask == [0] * n + [1] * (len(ids) - n)


def test_collated_batch_masks_the_prompt(short_run):
    """The batch the loss actually sees has labels -100 on the prompt and the token ids after it."""
    _, tok, trainer = short_run
    ds = trainer.train_dataset
    batch = trainer.data_collator([ds[0], ds[20]])
    for i, row in enumerate([ds[0], ds[20]]):
        n = len(tok(row["prompt"])["input_ids"])
        labels = batch["labels"][i].tolist()
        mask = batch["attention_mask"][i].tolist()
        real = [lab for lab, m in zip(labels, mask) if m]  # drop padding
        assert real[:n] == [-100] * n
        assert real[n:] == row["input_ids"][n:]


def test_loss_decreases_when_overfitting(overfit_runs):
    """On 8 repeated records the loss clearly goes down over 30 updates."""
    _, _, trainer = overfit_runs[0]
    _, losses = loss_history(trainer)
    assert len(losses) == 30
    assert losses[-1] < 0.9 * losses[0]
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.3


def test_same_seed_gives_bitwise_identical_runs(overfit_runs):
    """Two runs with the same seed have identical loss histories and identical final weights."""
    (m1, _, t1), (m2, _, t2) = overfit_runs
    assert loss_history(t1) == loss_history(t2)
    p1, p2 = dict(m1.named_parameters()), dict(m2.named_parameters())
    assert all(torch.equal(p1[k], p2[k]) for k in p1)


@pytest.fixture
def no_training(monkeypatch):
    """Make any training that starts fail at once (so a broken check cannot hang the suite)."""
    def boom(self, *a, **k):
        raise AssertionError("training started although the inputs were bad")

    monkeypatch.setattr(trl.SFTTrainer, "train", boom)


GOOD = [{"prompt": "Q: 1+2\nA: ", "completion": "<answer>3</answer>"}] * 4


@pytest.mark.parametrize("kwargs, match", [
    (dict(updates=0),
     rf"updates \(optimizer updates\) must be an int between 1 and {MAX_SFT_UPDATES}, got 0"),
    (dict(updates=10**9), rf"updates .*must be an int between 1 and {MAX_SFT_UPDATES}"),
    (dict(updates=1.5), r"updates .*must be an int.*got 1.5"),
    (dict(updates=True), r"updates .*must be an int"),
    (dict(updates="5"), r"updates .*must be an int"),
    (dict(lr=5), r"lr must be a number between 0 and 1 \(e.g. 3e-3\), got 5"),
    (dict(lr=0), r"lr must be a number between 0 and 1"),
    (dict(lr=-1e-3), r"lr must be a number between 0 and 1"),
    (dict(lr="3e-3"), r"lr must be a number between 0 and 1"),
    (dict(batch_size=0), r"batch_size must be a positive int"),
    (dict(batch_size=True), r"batch_size must be a positive int \(examples per optimizer update\), got True"),
    (dict(batch_size=8.0), r"batch_size must be a positive int"),
    (dict(lr=True), r"lr must be a number between 0 and 1"),
    (dict(records=[]), r"records is empty"),
    (dict(records=[{"prompt": "Q: 1+2\nA: "}]), r"record 0 is missing \['completion'\].*to_records"),
    (dict(records=[{"text": "x"}]), r"missing \['completion', 'prompt'\]"),
    (dict(records=GOOD + [{"prompt": "x"}]), r"record 4 is missing \['completion'\]"),
    (dict(records=["Q: 1+2\nA: <answer>3</answer>"]), r"need 'prompt' and 'completion' fields"),
])
def test_bad_inputs_raise_clear_errors(fresh_tiny, no_training, kwargs, match):
    """Bad updates, lr, batch size or records raise a ValueError saying what is expected."""
    model, tok = fresh_tiny
    args = dict(records=GOOD, updates=3) | kwargs
    with pytest.raises(ValueError, match=match):
        settings = SFTSettings(**{k: v for k, v in args.items() if k != "records"})
        train_sft(model, tok, args["records"], settings)


def test_sft_config_writes_out_the_cpu_safe_settings(tmp_path):
    """The config pins completion-only loss, fp32, no checkpointing, fixed updates and the seed."""
    cfg = sft_config(SFTSettings(7, batch_size=4, lr=1e-3), seed=11, output_dir=str(tmp_path), warmup_steps=0)
    assert cfg.max_steps == 7 and cfg.per_device_train_batch_size == 4
    assert cfg.learning_rate == 1e-3 and cfg.seed == 11 and cfg.data_seed == 11
    assert cfg.completion_only_loss is True and cfg.packing is False
    assert cfg.bf16 is False and cfg.fp16 is False and cfg.gradient_checkpointing is False
    assert cfg.use_cpu is True
    assert cfg.warmup_steps == 0  # `extra` overrides a default


def test_sft_config_rejects_a_bool_batch_size(tmp_path):
    """True is an int to Python, but not a batch size."""
    with pytest.raises(ValueError, match=r"batch_size must be a positive int.*got True"):
        sft_config(SFTSettings(5, batch_size=True), output_dir=str(tmp_path))


def test_lesson_budget_keeps_the_measured_values():
    """The budget the README's numbers were measured with, field by field."""
    b = lesson_budget()
    assert isinstance(b, SFTBudget) and b == SFTBudget()
    assert dict(b.train_problems) == {1: 700, 2: 700, 3: 250, 4: 250}
    assert dict(b.updates) == {"answer_only": 2400, "cot": 1200}
    assert b.batch_size == 64 and dict(b.lr) == {"answer_only": 2e-3, "cot": 2e-3}
    assert dict(b.warmup_updates) == {"answer_only": 500, "cot": 60}
    assert b.test_problems_per_step_count == 200 and b.test_step_counts == (1, 2, 3, 4, 5, 6)
    small = SFTBudget().smoke()
    assert dict(small.train_problems) == {1: 40, 2: 40, 3: 40, 4: 40}
    assert dict(small.updates) == {"answer_only": 30, "cot": 30} and small.batch_size == 32
    assert small.test_problems_per_step_count == 20 and small.lr == b.lr


def test_lesson_budget_follows_smoke_mode(monkeypatch):
    """lesson_budget is the full budget normally and the smoke variant in smoke mode."""
    full = lesson_budget()
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    small = lesson_budget()
    assert small == full.smoke()
    assert all(small.updates[f] < full.updates[f] for f in full.updates)
    assert sum(small.train_problems.values()) < sum(full.train_problems.values())


def test_lesson_budget_cannot_be_changed_by_a_caller():
    """The budget is frozen and its dicts read-only: no caller changes what another one gets."""
    b = lesson_budget()
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.batch_size = 1
    with pytest.raises(TypeError):
        b.updates["cot"] = 1
    with pytest.raises(TypeError):
        b.train_problems[5] = 10
    counts = {1: 10, 2: 10}
    mine = SFTBudget(train_problems=counts)
    counts[1] = 99  # the caller's dict is copied, not kept
    assert mine.train_problems[1] == 10
    assert lesson_budget().updates["cot"] == 1200


@pytest.mark.parametrize("change, exc, match", [
    (dict(sft_steps=30), TypeError, r"unexpected keyword argument 'sft_steps'"),
    (dict(updates={"cot": 30}), ValueError, r"SFTBudget.updates needs one entry per format"),
    (dict(updates={"answer_only": 0, "cot": 30}), ValueError, r"SFTBudget.updates\['answer_only'\]"),
    (dict(updates=30), TypeError, r"SFTBudget.updates must be a non-empty dict, got 30"),
    (dict(lr={"answer_only": 5e-4, "cot": 2}), ValueError, r"lr must be a number between 0 and 1"),
    (dict(train_problems={13: 5}), ValueError, r"train_problems has step counts \[13\]"),
    (dict(train_problems={1: 0}), ValueError, r"SFTBudget.train_problems\[1\] must be a positive int"),
    (dict(batch_size=True), ValueError, r"SFTBudget.batch_size must be a positive int"),
    (dict(test_problems_per_step_count=0), ValueError, r"test_problems_per_step_count must be"),
    (dict(test_step_counts=()), ValueError, r"test_step_counts must be step counts from 1 to 12"),
    (dict(test_step_counts=(1, 0)), ValueError, r"test_step_counts must be step counts"),
])
def test_sft_budget_checks_every_field(change, exc, match):
    """A misspelt or out-of-range field raises when the budget is made, not halfway through training."""
    with pytest.raises(exc, match=match):
        dataclasses.replace(SFTBudget(), **change)
    with pytest.raises(AttributeError):
        SFTBudget().sft_steps  # noqa: B018 (the old name is gone)


def test_sft_budget_repr_and_json():
    b = SFTBudget().smoke()
    assert "train_problems={1: 40, 2: 40, 3: 40, 4: 40}" in repr(b) and "mappingproxy" not in repr(b)
    d = b.to_dict()
    assert d["updates"] == {"answer_only": 30, "cot": 30} and d["test_step_counts"] == [1, 2, 3, 4, 5, 6]
    assert SFTBudget(**d) == b


@pytest.mark.parametrize("smoke", ["0", "1"])
def test_lesson_budget_data_can_be_drawn(monkeypatch, smoke):
    """The budget's train and test sets can actually be generated, with the asked counts."""
    monkeypatch.setenv("LESSONS_SMOKE", smoke)
    b = lesson_budget()
    train = make_dataset(b.train_problems, split="train")
    test = make_dataset(b.test_problems_per_step_count, b.test_step_counts, "test")
    assert len(train) == sum(b.train_problems.values())
    assert len(test) == b.test_problems_per_step_count * len(b.test_step_counts)
    assert {p.question for p in train}.isdisjoint(p.question for p in test)


def test_budget_training_arguments_name_the_schedule():
    """budget.training(fmt) is what the notebooks pass to train_sft: one source for both formats."""
    b = SFTBudget()
    ao, cot = b.training("answer_only"), b.training("cot")
    assert ao.schedule == "constant_with_warmup" and cot.schedule == "cosine"
    assert (ao.updates, cot.updates) == (2400, 1200) and ao.warmup_updates == 500
    cfg = sft_config(cot, seed=0)
    assert cfg.lr_scheduler_type == "cosine" and cfg.warmup_steps == 60 and cfg.max_steps == 1200
    with pytest.raises(ValueError, match="unknown format"):
        b.training("cott")
    with pytest.raises(ValueError, match="schedule"):
        dataclasses.replace(b, schedule={"answer_only": "cos", "cot": "cosine"})
