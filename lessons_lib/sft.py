"""Supervised fine-tuning through trl's SFTTrainer, with defaults that are safe on a CPU.

`train_sft` is a thin wrapper: it builds a `datasets.Dataset` of prompt/completion records, an
`SFTConfig` with every setting that matters written out (trl changes its defaults between
releases: bf16 and gradient checkpointing default to on in trl 1.x, which a CPU does not want),
and runs `SFTTrainer` for a fixed number of optimizer updates. With a prompt/completion dataset,
trl computes the loss on the completion tokens only (`completion_only_loss=True`).

The course says "updates" for optimizer steps: "steps" is the number of operations of a problem.
`SFTBudget` is the budget lessons 1 and 2 share; `lesson_budget()` returns it (smaller in smoke mode).
"""
from __future__ import annotations

import dataclasses

import tempfile

SCHEDULES = ("cosine", "constant_with_warmup", "linear")  # learning-rate schedules a budget may name
MAX_SFT_UPDATES = 100_000



@dataclasses.dataclass(frozen=True)
class SFTSettings:
    """One SFT run's settings, the one way the course states them (a lesson's budget holds one per
    SFT stage, e.g. `RecipeBudget.sft`): `updates` optimizer updates of `batch_size` examples at
    learning rate `lr`, cosine schedule. `train_sft(..., **settings.arguments())` and
    `stages.sft_from_base(records, settings)` read it; every field is checked when it is made."""

    updates: int
    batch_size: int = 64
    lr: float = 3e-3

    def __post_init__(self):
        from .runtime import check_int, check_lr, check_updates

        check_updates(self.updates, MAX_SFT_UPDATES, name="SFTSettings.updates")
        check_int(self.batch_size, "SFTSettings.batch_size", why=" (examples per optimizer update)")
        check_lr(self.lr, example="3e-3")

    def arguments(self) -> dict:
        """train_sft's keyword arguments for these settings."""
        return dict(updates=self.updates, batch_size=self.batch_size, lr=self.lr)

def sft_config(updates: int, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
               device: str = "cpu", logging_steps: int = 25, output_dir: str | None = None, **extra):
    """An SFTConfig for a short run of exactly `updates` optimizer updates.

    `extra` overrides any SFTConfig field (trl's own names: `logging_steps` counts updates).
    """
    from trl import SFTConfig

    from .runtime import check_int, check_lr, check_updates, trainer_settings

    check_updates(updates, MAX_SFT_UPDATES)
    check_int(batch_size, "batch_size", why=" (examples per optimizer update)")
    check_lr(lr, example="3e-3")
    cfg = dict(
        output_dir=output_dir or tempfile.mkdtemp(prefix="sft-"),
        max_steps=updates,
        per_device_train_batch_size=batch_size,
        gradient_accumulation_steps=1,
        learning_rate=lr,
        lr_scheduler_type="cosine",
        warmup_steps=max(1, updates // 20),
        weight_decay=0.01,
        max_grad_norm=1.0,
        seed=seed,
        data_seed=seed,
        completion_only_loss=True,  # loss on the answer (and thoughts), not on the question
        loss_type="nll",  # plain cross-entropy (trl also offers "dft")
        packing=False,
        max_length=256,
        dataset_num_proc=None,
        **trainer_settings(device, logging_steps),  # bf16 and checkpointing off, quiet, no saving
    )
    cfg.update(extra)
    return SFTConfig(**cfg)


def train_sft(model, tokenizer, records: list[dict], updates: int, batch_size: int = 64,
              lr: float = 3e-3, seed: int = 0, device: str = "cpu", callbacks=None, **extra):
    """Fine-tune `model` on prompt/completion `records` for exactly `updates` optimizer updates.

    Returns the trainer; `trainer.state.log_history` holds the logged losses (trl calls an update
    a "step": `trainer.state.global_step` counts updates).
    """
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    if not records:
        raise ValueError("records is empty: pass a list of {'prompt': ..., 'completion': ...} dicts")
    for i, r in enumerate(records):  # every record, not just the first
        missing = {"prompt", "completion"} - (set(r) if isinstance(r, dict) else set())
        if missing:
            raise ValueError(f"records need 'prompt' and 'completion' fields; record {i} is missing "
                             f"{sorted(missing)}. Build them with formats.to_records(problems, fmt).")
    args = sft_config(updates, batch_size, lr, seed, device, **extra)  # checks before any work
    ds = Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in records])
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tokenizer,
                         callbacks=callbacks)
    # With progress bars off, transformers prints every log dict; log_history (and LivePlot) has them.
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return trainer


def loss_history(trainer) -> tuple[list[int], list[float]]:
    """(updates, losses) from a trainer's log history (trl's "step" is an optimizer update)."""
    rows = [r for r in trainer.state.log_history if "loss" in r]
    return [r["step"] for r in rows], [r["loss"] for r in rows]


