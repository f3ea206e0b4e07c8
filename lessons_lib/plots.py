"""Plots: accuracy by number of steps, training curves, and a live plot that redraws in place.

`LivePlot` is a transformers `TrainerCallback`: pass it to any trl trainer and it redraws the logged
metrics every `every` steps in one notebook output (a display handle, so the executed notebook keeps
one picture, not hundreds). Outside a notebook it only records.

Figures with several panels (`LivePlot`, `plot_metrics`, `compare_metrics`) lay them out in a grid of
at most three columns, sized to be read at a notebook's cell width; every panel has a title and
both axes labelled.
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


MAX_COLUMNS = 3  # panels per row: wider grids are shrunk to the cell width and become unreadable
PANEL_HEIGHT = 3.1  # inches per row of panels
FIGURE_WIDTH = {1: 6.0, 2: 10.0, 3: 12.0}  # inches, by the number of columns


def panel_grid(n: int, columns: int | None = None):
    """A figure with `n` panels in a grid (at most MAX_COLUMNS a row; four panels make 2 x 2).

    Returns (figure, list of `n` axes); the grid's spare cells are removed, so `fig.axes` is the
    list of panels.
    """
    if n < 1:
        raise ValueError(f"a figure needs at least one panel, got {n}")
    columns = columns or (2 if n == 4 else min(n, MAX_COLUMNS))
    rows = -(-n // columns)
    fig, grid = plt.subplots(rows, columns, squeeze=False,
                             figsize=(FIGURE_WIDTH.get(columns, 4 * columns), PANEL_HEIGHT * rows))
    axes = [ax for row in grid for ax in row]
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def plot_accuracy_by_steps(curves: dict[str, dict[int, float]], title: str = "",
                           trained_steps=None, ax=None):
    """One line per model: accuracy against number of steps. Shades the step counts trained on."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    counts = set()
    for label, acc in curves.items():
        xs = sorted(int(x) for x in acc)
        counts.update(xs)
        ax.plot(xs, [_at(acc, x) for x in xs], marker="o", label=label)
    if trained_steps:
        trained = [int(s) for s in trained_steps]  # a list, or a dict {step count: problems}
        counts.update(trained)
        ax.axvspan(min(trained) - 0.5, max(trained) + 0.5, color="0.9", zorder=0,
                   label="step counts trained on")
    ax.set_xticks(sorted(counts))  # a problem has a whole number of steps: no tick at 1.5
    ax.set(xlabel="number of steps in the problem", ylabel="exact-match accuracy", ylim=(-0.03, 1.03),
           title=title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def _at(acc: dict, x: int):
    """acc[x], whether the dict's keys are ints or (read back from JSON) strings."""
    return acc[x] if x in acc else acc[str(x)]


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

    `keys` are the logged metrics to plot, one panel each; `labels` ({key: label}) names them on
    the panel (title and y axis), else the key itself does. `extra` is an optional function
    `(step) -> dict` called at each redraw, for metrics the trainer does not log (e.g. held-out
    accuracy); its values, between 0 and 1, are plotted on their own panel, whose y axis reads
    `extra_label`.
    """

    def __init__(self, keys=("loss",), every: int = 100, extra=None, title: str = "",
                 labels: dict | None = None, smooth: int = 1, extra_label: str = "accuracy"):
        self.keys, self.every, self.extra, self.title = tuple(keys), every, extra, title
        self.labels, self.smooth, self.extra_label = dict(labels or {}), smooth, extra_label
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
        fig, axes = panel_grid(n)
        for ax, key in zip(axes, self.keys):
            rows = [r for r in self.history if key in r]
            _curve(ax, [r["step"] for r in rows], [float(r[key]) for r in rows], self.smooth)
            label = self.labels.get(key, key)
            ax.set(title=label, xlabel="optimizer step", ylabel=label)
            if key == "loss" and rows and min(float(r[key]) for r in rows) > 0:
                ax.set_yscale("log")
            ax.grid(alpha=0.3)
        if self.extra_history:
            ax = axes[-1]
            for k in [k for k in self.extra_history[0] if k != "step"]:
                ax.plot([r["step"] for r in self.extra_history], [r[k] for r in self.extra_history],
                        marker=".", label=k)
            ax.set(title="evaluation", xlabel="optimizer step", ylabel=self.extra_label,
                   ylim=(-0.03, 1.03))
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
                    max_step: int | None = None, x: str = "step"):
    """Several runs' logged metrics: one panel per key ({key: label}), one curve per run, against
    `x`: the optimizer step, or another logged number ("completions" sampled, "seconds").

    The panels form a grid (see `panel_grid`); the runs' names are in the first panel's legend.
    """
    fig, axes = panel_grid(len(keys))
    for i, (ax, (key, label)) in enumerate(zip(axes, keys.items())):
        for name, log in logs.items():
            # a metric trl could not compute at an update (e.g. the mean of a reward no row of that
            # batch was scored by) is logged as None or NaN: skip it rather than plot a hole
            rows = [r for r in log if isinstance(r.get(key), (int, float)) and r[key] == r[key]
                    and (max_step is None or r["step"] <= max_step) and x in r]
            _curve(ax, [r[x] for r in rows], [float(r[key]) for r in rows], smooth,
                   label=name or None)
        ax.set(title=label, xlabel={"step": "optimizer step", "completions": "completions sampled"}.get(x, x),
               ylabel=label)
        ax.grid(alpha=0.3)
        if i == 0 and any(logs):
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_at_k(curves: dict[str, dict[int, float]], title: str = "", ylabel: str = "pass@k",
              guess: dict[int, float] | None = None, ax=None):
    """One line per model: a metric against k (pass@k, maj@k), k on a log-2 axis; `guess` adds the
    curve of a model that guesses at random, dashed."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    ks = set()
    for label, ys in curves.items():
        xs = sorted(int(k) for k in ys)
        ks.update(xs)
        ax.plot(xs, [_at(ys, k) for k in xs], marker="o", markersize=3, label=label)
    if guess:
        xs = sorted(int(k) for k in guess)
        ax.plot(xs, [_at(guess, k) for k in xs], "k--", linewidth=1, label="random guess (1 in 100)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(ks), [str(k) for k in sorted(ks)])
    ax.set(xlabel="k (samples per problem)", ylabel=ylabel, ylim=(-0.03, 1.03), title=title)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return ax
