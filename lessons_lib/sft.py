"""Supervised fine-tuning through trl's SFTTrainer, with defaults that are safe on a CPU.

`train_sft` is a thin wrapper: it builds a `datasets.Dataset` of prompt/completion records, an
`SFTConfig` with every setting that matters written out (trl changes its defaults between
releases: bf16 and gradient checkpointing default to on in trl 1.x, which a CPU does not want),
and runs `SFTTrainer` for a fixed number of optimizer updates. With a prompt/completion dataset,
trl computes the loss on the completion tokens only (`completion_only_loss=True`).

An SFT run's settings are one `SFTSettings` (updates, batch size, learning rate and its schedule),
the way an RL run's are one `grpo.RLBudget`: a lesson's budget hands one to each of its SFT stages
(`SFTBudget.training(fmt)`, `RecipeBudget.sft`, `ThinkingBudget.fusion`, ...), and `sft_config` is the
one place an SFTConfig is made from them (pretraining and lesson 8's stand-in too).

The course says "updates" for optimizer steps: "steps" is the number of operations of a problem.
"""
from __future__ import annotations

import dataclasses
import tempfile

SCHEDULES = ("cosine", "constant_with_warmup", "linear")  # learning-rate schedules a run may name
MAX_SFT_UPDATES = 100_000


@dataclasses.dataclass(frozen=True)
class SFTSettings:
    """One SFT run: `updates` optimizer updates of `batch_size` examples at learning rate `lr` on
    the schedule `schedule` (SCHEDULES), warmed up over `warmup_updates` (None: a twentieth of the
    run, at least 1). Every field is checked when the settings are made; make a variant with
    `dataclasses.replace(settings, updates=30)`."""

    updates: int
    batch_size: int = 64
    lr: float = 3e-3
    schedule: str = "cosine"
    warmup_updates: int | None = None

    def __post_init__(self):
        from .runtime import require_int, require_lr, require_updates

        require_updates(self.updates, MAX_SFT_UPDATES)
        require_int(self.batch_size, "batch_size", why=" (examples per optimizer update)")
        require_lr(self.lr, example="3e-3")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule is {self.schedule!r}: choose one of {SCHEDULES}")
        w = self.warmup_updates
        if w is not None and (not isinstance(w, int) or isinstance(w, bool) or not 0 <= w <= self.updates):
            raise ValueError(f"warmup_updates must be None or an int from 0 to updates ({self.updates}), "
                             f"got {w!r}")

    @property
    def warmup(self) -> int:
        """The warmup in updates: `warmup_updates`, or a twentieth of the run (at least 1)."""
        return max(1, self.updates // 20) if self.warmup_updates is None else self.warmup_updates


def _check_settings(settings, caller: str) -> None:
    if not isinstance(settings, SFTSettings):
        raise TypeError(f"{caller} takes SFTSettings, got {type(settings).__name__} ({settings!r}); "
                        "e.g. SFTSettings(updates=100, batch_size=32, lr=1e-3), or a lesson budget's "
                        "settings such as lesson_budget().training('cot')")


def sft_config(settings: SFTSettings, seed: int = 0, device: str = "cpu", logging_steps: int = 25,
               output_dir: str | None = None, **extra):
    """An SFTConfig for `settings`: exactly `settings.updates` optimizer updates.

    `extra` overrides any other SFTConfig field (trl's own names: `logging_steps` counts updates).
    """
    from trl import SFTConfig

    from .runtime import trainer_settings

    _check_settings(settings, "sft_config")
    s = settings
    cfg = dict(
        output_dir=output_dir or tempfile.mkdtemp(prefix="sft-"),
        max_steps=s.updates,
        per_device_train_batch_size=s.batch_size,
        gradient_accumulation_steps=1,
        learning_rate=s.lr,
        lr_scheduler_type=s.schedule,
        warmup_steps=s.warmup,
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


def train_sft(model, tokenizer, records: list[dict], settings: SFTSettings, seed: int = 0,
              device: str = "cpu", callbacks=None, **extra):
    """Fine-tune `model` on prompt/completion `records` with `settings` (SFTSettings).

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
                             f"{sorted(missing)}. Build them with worlds.chain.to_records(problems, fmt).")
    args = sft_config(settings, seed, device, **extra)  # checks before any work
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


