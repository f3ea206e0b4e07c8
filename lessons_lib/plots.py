"""Plots: accuracy by number of steps, training curves, and a live plot that redraws in place.

`LivePlot` is a transformers `TrainerCallback`: pass it to any trl trainer and it redraws the logged
metrics every `every` steps in one notebook output (a display handle, so the executed notebook keeps
one picture, not hundreds). Outside a notebook it only records.
"""
from __future__ import annotations

import matplotlib

try:
    from IPython import get_ipython

    _IN_NOTEBOOK = get_ipython() is not None and "IPKernelApp" in get_ipython().config
except Exception:  # pragma: no cover
    _IN_NOTEBOOK = False
if not _IN_NOTEBOOK:
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
from transformers import TrainerCallback


def plot_accuracy_by_steps(curves: dict[str, dict[int, float]], title: str = "",
                           trained_steps=None, ax=None):
    """One line per model: accuracy against number of steps. Shades the step counts trained on."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for label, acc in curves.items():
        xs = sorted(acc)
        ax.plot(xs, [acc[x] for x in xs], marker="o", label=label)
    if trained_steps:
        ax.axvspan(min(trained_steps) - 0.5, max(trained_steps) + 0.5, color="0.9", zorder=0,
                   label="step counts trained on")
    ax.set(xlabel="number of steps in the problem", ylabel="exact-match accuracy", ylim=(-0.03, 1.03),
           title=title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_history(histories: dict[str, list[dict]], key: str = "loss", ax=None, logy=True):
    """Plot `key` against step for several trainers' `state.log_history`."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for label, hist in histories.items():
        rows = [r for r in hist if key in r]
        ax.plot([r["step"] for r in rows], [r[key] for r in rows], label=label)
    ax.set(xlabel="optimizer step", ylabel=key)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


class LivePlot(TrainerCallback):
    """Redraw logged metrics every `every` optimizer steps while a trainer runs.

    `extra` is an optional function `(step) -> dict` called at each redraw, for metrics the trainer
    does not log (e.g. held-out accuracy); its values are plotted on their own panel.
    """

    def __init__(self, keys=("loss",), every: int = 100, extra=None, title: str = "",
                 labels: dict | None = None, smooth: int = 1):
        self.keys, self.every, self.extra, self.title = tuple(keys), every, extra, title
        self.labels, self.smooth = dict(labels or {}), smooth
        self.history: list[dict] = []
        self.extra_history: list[dict] = []
        self._handle = None

    def on_log(self, args, state, control, logs=None, **kw):
        if logs:
            self.history.append({"step": state.global_step, **logs})

    def on_step_end(self, args, state, control, **kw):
        if state.global_step % self.every == 0 or state.global_step == state.max_steps:
            if self.extra is not None:
                self.extra_history.append({"step": state.global_step, **self.extra(state.global_step)})
            self.draw()

    def figure(self):
        n = len(self.keys) + (1 if self.extra_history else 0)
        fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3))
        axes = [axes] if n == 1 else list(axes)
        for ax, key in zip(axes, self.keys):
            rows = [r for r in self.history if key in r]
            _curve(ax, [r["step"] for r in rows], [float(r[key]) for r in rows], self.smooth)
            ax.set(title=self.labels.get(key, key), xlabel="step")
            if key == "loss" and rows and min(float(r[key]) for r in rows) > 0:
                ax.set_yscale("log")
            ax.grid(alpha=0.3)
        if self.extra_history:
            ax = axes[-1]
            for k in [k for k in self.extra_history[0] if k != "step"]:
                ax.plot([r["step"] for r in self.extra_history], [r[k] for r in self.extra_history],
                        marker=".", label=k)
            ax.set(title="evaluation", xlabel="step", ylim=(-0.03, 1.03))
            ax.legend(fontsize=7)
            ax.grid(alpha=0.3)
        if self.title:
            fig.suptitle(self.title)
        fig.tight_layout()
        return fig

    def draw(self):
        if not _IN_NOTEBOOK:
            return
        from IPython.display import display

        fig = self.figure()
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt.close(fig)


def _smoothed(ys: list[float], window: int) -> list[float]:
    """Trailing moving average (RL metrics are noisy step to step)."""
    out, acc = [], 0.0
    for i, y in enumerate(ys):
        acc += y
        if i >= window:
            acc -= ys[i - window]
        out.append(acc / min(i + 1, window))
    return out


def _curve(ax, xs, ys, smooth: int = 1, label=None, color=None):
    if smooth > 1:
        line, = ax.plot(xs, ys, alpha=0.25, color=color)
        ax.plot(xs, _smoothed(ys, smooth), color=line.get_color(), label=label)
    else:
        ax.plot(xs, ys, label=label, color=color)


def plot_metrics(log_history: list[dict], keys: dict, smooth: int = 1, title: str = ""):
    """One panel per logged metric in `keys` ({key: label}), from a trainer's log_history."""
    return compare_metrics({"": log_history}, keys, smooth=smooth, title=title)


def compare_metrics(logs: dict[str, list[dict]], keys: dict, smooth: int = 1, title: str = "",
                    max_step: int | None = None):
    """Several runs' logged metrics side by side: one panel per key, one curve per run."""
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3))
    axes = [axes] if len(keys) == 1 else list(axes)
    for ax, (key, label) in zip(axes, keys.items()):
        for name, log in logs.items():
            rows = [r for r in log if key in r and (max_step is None or r["step"] <= max_step)]
            _curve(ax, [r["step"] for r in rows], [float(r[key]) for r in rows], smooth,
                   label=name or None)
        ax.set(title=label, xlabel="step")
        ax.grid(alpha=0.3)
        if any(logs):
            ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
