"""Supervised fine-tuning through trl's SFTTrainer, with defaults that are safe on a CPU.

`train_sft` is a thin wrapper: it builds a `datasets.Dataset` of prompt/completion records, an
`SFTConfig` with every setting that matters written out (trl changes its defaults between
releases: bf16 and gradient checkpointing default to on in trl 1.x, which a CPU does not want),
and runs `SFTTrainer` for a fixed number of optimizer steps. With a prompt/completion dataset,
trl computes the loss on the completion tokens only (`completion_only_loss=True`).
"""
from __future__ import annotations

import tempfile

MAX_SFT_STEPS = 100_000


def sft_config(steps: int, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
               device: str = "cpu", logging_steps: int = 25, output_dir: str | None = None, **extra):
    """An SFTConfig for a short, fixed-step run. `extra` overrides any SFTConfig field."""
    from trl import SFTConfig

    from .runtime import check_lr, check_steps, trainer_settings

    check_steps(steps, MAX_SFT_STEPS)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    check_lr(lr, example="3e-3")
    cfg = dict(
        output_dir=output_dir or tempfile.mkdtemp(prefix="sft-"),
        max_steps=steps,
        per_device_train_batch_size=batch_size,
        gradient_accumulation_steps=1,
        learning_rate=lr,
        lr_scheduler_type="cosine",
        warmup_steps=max(1, steps // 20),
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


def train_sft(model, tokenizer, records: list[dict], steps: int, batch_size: int = 64,
              lr: float = 3e-3, seed: int = 0, device: str = "cpu", callbacks=None, **extra):
    """Fine-tune `model` on prompt/completion `records` for exactly `steps` optimizer steps.

    Returns the trainer; `trainer.state.log_history` holds the logged losses.
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
    ds = Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in records])
    args = sft_config(steps, batch_size, lr, seed, device, **extra)
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tokenizer,
                         callbacks=callbacks)
    # With progress bars off, transformers prints every log dict; log_history (and LivePlot) has them.
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return trainer


def loss_history(trainer) -> tuple[list[int], list[float]]:
    """(steps, losses) from a trainer's log history."""
    rows = [r for r in trainer.state.log_history if "loss" in r]
    return [r["step"] for r in rows], [r["loss"] for r in rows]


# The budget lessons 1 and 2 share: the same problems, the same model, the same optimizer steps and
# batch size. Short problems are plentiful and long ones rarer, as in real data; steps 5-6 are never
# trained on. Each format gets a learning rate that suited it in a sweep (bench/lr_sweep.py, seed 0):
# answer-only memorises most at 5e-4; CoT reached 0.99+ at 2e-3 and 3e-3. Neither side of the
# comparison loses to a bad setting.
LESSON_BUDGET = dict(
    train_counts={1: 700, 2: 700, 3: 250, 4: 250},  # training problems per number of steps
    sft_steps=1200, batch_size=64, lr={"answer_only": 5e-4, "cot": 2e-3},
    test_per_step=200, test_steps=(1, 2, 3, 4, 5, 6),
)
LESSON_BUDGET_SMOKE = dict(
    train_counts={1: 40, 2: 40, 3: 40, 4: 40},
    sft_steps=30, batch_size=32, lr={"answer_only": 5e-4, "cot": 2e-3},
    test_per_step=20, test_steps=(1, 2, 3, 4, 5, 6),
)


def lesson_budget() -> dict:
    """The SFT budget of lessons 1-2 (the smoke version when LESSONS_SMOKE=1)."""
    from .runtime import smoke

    b = LESSON_BUDGET_SMOKE if smoke() else LESSON_BUDGET
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in b.items()}
