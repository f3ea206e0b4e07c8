"""Accuracy against training budget: is a gap between two methods a gap at equal compute?

Two SFT runs that take the same number of optimizer updates do not cost the same: a chain-of-thought
target is several times longer than an answer, so each of its updates processes more tokens and
takes more seconds. `AccuracyCurve` is a transformers `TrainerCallback` that, every `every` updates,
measures greedy held-out accuracy by number of steps and records it beside what the run has spent so
far: updates, tokens (the trainer's count of non-padding input tokens) and training seconds (the
time spent in its own measurements is left out). `plot_accuracy_curves` then draws the methods
against the same x axis, so a reader compares them at equal tokens or equal seconds.

The points of one run are checkpoints of that run, with its learning-rate schedule: a separate run
stopped at a checkpoint's budget would have decayed its learning rate sooner and may score higher.
"""
from __future__ import annotations

import time

from transformers import TrainerCallback

from .evaluation import accuracy_by_steps

TOKENS_SEEN = "non_padding"  # the TrainingArguments setting that makes the trainer count tokens


class AccuracyCurve(TrainerCallback):
    """Held-out accuracy by number of steps every `every` updates, with tokens and seconds spent.

    Pass `include_num_input_tokens_seen=TOKENS_SEEN` to the trainer's config (`train_sft` accepts
    it as an extra setting); without it the trainer counts no tokens and this callback says so.
    `rows` holds one dict per measurement: updates, tokens, seconds, accuracy {steps: fraction}.
    """

    def __init__(self, model, tokenizer, problems, prompt_fn, max_new_tokens: int, every: int):
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ValueError(f"every must be a positive int (updates between measurements), got {every!r}")
        if not problems:
            raise ValueError("problems is empty: pass the held-out problems to measure on")
        self.model, self.tokenizer, self.problems = model, tokenizer, problems
        self.prompt_fn, self.max_new_tokens, self.every = prompt_fn, max_new_tokens, every
        self.rows: list[dict] = []
        self._train_seconds = 0.0
        self._since = None

    def on_train_begin(self, args, state, control, **kw):
        if args.include_num_input_tokens_seen in (False, "no", None):
            raise ValueError("AccuracyCurve needs the trainer to count tokens: pass "
                             f"include_num_input_tokens_seen={TOKENS_SEEN!r} to the training config")
        self._since = time.perf_counter()
        self._measure(state)

    def on_step_end(self, args, state, control, **kw):
        if state.global_step % self.every == 0 or state.global_step == state.max_steps:
            self._measure(state)

    def _measure(self, state):
        self._train_seconds += time.perf_counter() - self._since
        was_training = self.model.training
        acc = accuracy_by_steps(self.model, self.tokenizer, self.problems, self.prompt_fn,
                                self.max_new_tokens)
        if was_training:
            self.model.train()
        self.rows.append(dict(updates=state.global_step, tokens=int(state.num_input_tokens_seen),
                              seconds=round(self._train_seconds, 2), accuracy=acc))
        self._since = time.perf_counter()

    def latest(self) -> dict[int, float]:
        """The last measurement's accuracy by number of steps (for a live plot's extra panel)."""
        return dict(self.rows[-1]["accuracy"]) if self.rows else {}


def plot_accuracy_curves(curves: dict[str, list[dict]], x: str = "tokens", steps=(1, 2, 3, 4),
                         axes=None):
    """One panel per number of steps: held-out accuracy against `x` ('tokens', 'seconds' or
    'updates') for each method's `AccuracyCurve.rows` (keys of `accuracy` may be int or str)."""
    import matplotlib.pyplot as plt

    if x not in ("tokens", "seconds", "updates"):
        raise ValueError(f"x must be 'tokens', 'seconds' or 'updates', got {x!r}")
    steps = list(steps)
    if axes is None:
        _, axes = plt.subplots(1, len(steps), figsize=(3.2 * len(steps), 3), sharey=True)
    labels = {"tokens": "tokens processed (millions)", "seconds": "training seconds",
              "updates": "optimizer updates"}
    scale = 1e6 if x == "tokens" else 1
    for ax, s in zip(axes, steps):
        for label, rows in curves.items():
            xs = [r[x] / scale for r in rows]
            ys = [r["accuracy"].get(s, r["accuracy"].get(str(s))) for r in rows]
            ax.plot(xs, ys, marker=".", label=label)
        ax.set(title=f"{s} step{'s' if s > 1 else ''}", xlabel=labels[x], ylim=(-0.03, 1.03))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("held-out accuracy")
    axes[0].legend(fontsize=8)
    return axes
