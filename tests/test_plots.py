"""Tests of lessons_lib.plots: the moving average, the panel grid, the metric panels of lesson 3,
the live plot's panels and the accuracy-by-steps axis."""
import matplotlib.pyplot as plt
import pytest
from hypothesis import given, strategies as st
from matplotlib.figure import Figure

from lessons_lib.plots import (
    LivePlot, _smoothed, compare_metrics, panel_grid, plot_accuracy_by_steps, plot_metrics,
)

# --- _smoothed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ys, window, want", [
    ([1, 2, 3, 4], 2, [1, 1.5, 2.5, 3.5]),
    ([1, 2, 3, 4], 1, [1, 2, 3, 4]),
    ([3, 0, 0, 6, 0], 3, [3, 1.5, 1, 2, 2]),
    ([2, 4], 10, [2, 3]),  # a window longer than the curve: the mean so far
    ([], 3, []),
])
def test_smoothed_is_a_trailing_moving_average(ys, window, want):
    assert _smoothed(ys, window) == pytest.approx(want)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(st.lists(finite, max_size=50), st.integers(1, 20))
def test_smoothed_matches_the_mean_of_the_last_window(ys, window):
    """Same length as the input, and each value the mean of up to `window` values ending there."""
    out = _smoothed(ys, window)
    assert len(out) == len(ys)
    for i, v in enumerate(out):
        last = ys[max(0, i - window + 1):i + 1]
        assert v == pytest.approx(sum(last) / len(last), abs=1e-6)


@given(finite, st.integers(1, 50), st.integers(1, 20))
def test_smoothed_keeps_a_constant_constant(c, n, window):
    assert _smoothed([c] * n, window) == pytest.approx([c] * n, abs=1e-6)


# --- plot_metrics, compare_metrics -------------------------------------------------------------

def history(n=6, offset=0.0):
    rows = [{"step": s, "reward": s / n + offset, "frac_reward_zero_std": 1 - s / n, "loss": 0.1}
            for s in range(1, n + 1)]
    return rows + [{"step": n, "train_runtime": 1.0}]  # the trainer's closing row


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


KEYS = {"reward": "mean reward", "frac_reward_zero_std": "groups without spread", "loss": "loss"}


def test_plot_metrics_draws_one_panel_per_key():
    fig = plot_metrics(history(), KEYS, title="GRPO")
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == list(KEYS.values())
    assert [ax.get_ylabel() for ax in fig.axes] == list(KEYS.values())  # every y axis says what it is
    assert all(ax.get_xlabel() == "optimizer step" for ax in fig.axes)
    line, = fig.axes[0].get_lines()
    assert list(line.get_xdata()) == [1, 2, 3, 4, 5, 6]
    assert list(line.get_ydata()) == pytest.approx([s / 6 for s in range(1, 7)])
    assert fig._suptitle.get_text() == "GRPO"


def test_plot_metrics_with_one_key_and_smoothing():
    """One key gives one axis; smoothing adds the moving average over the faint raw curve."""
    fig = plot_metrics(history(), {"reward": "reward"}, smooth=3)
    assert len(fig.axes) == 1
    raw, smooth = fig.axes[0].get_lines()
    ys = [s / 6 for s in range(1, 7)]
    assert list(raw.get_ydata()) == pytest.approx(ys) and raw.get_alpha() == 0.25
    assert list(smooth.get_ydata()) == pytest.approx(_smoothed(ys, 3))
    assert smooth.get_color() == raw.get_color()


def test_compare_metrics_draws_one_curve_per_run():
    logs = {"lr 5e-5": history(), "lr 3e-4": history(offset=0.5)}
    fig = compare_metrics(logs, KEYS, max_step=4)
    assert isinstance(fig, Figure) and len(fig.axes) == len(KEYS)
    for ax in fig.axes:
        lines = ax.get_lines()
        assert [ln.get_label() for ln in lines] == list(logs)
        assert all(list(ln.get_xdata()) == [1, 2, 3, 4] for ln in lines)  # cut at max_step
    # the runs are named once, in the first panel's legend
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == list(logs)
    assert all(ax.get_legend() is None for ax in fig.axes[1:])
    assert list(fig.axes[0].get_lines()[1].get_ydata()) == pytest.approx(
        [s / 6 + 0.5 for s in range(1, 5)])


def test_a_key_never_logged_gives_an_empty_panel():
    fig = compare_metrics({"run": history()}, {"reward": "r", "kl": "kl"})
    assert len(fig.axes) == 2
    assert len(fig.axes[1].get_lines()[0].get_xdata()) == 0


def test_one_run_without_a_name_has_no_legend():
    fig = plot_metrics(history(), KEYS)
    assert all(ax.get_legend() is None for ax in fig.axes)


# --- the panel grid ----------------------------------------------------------------------------

def _layout(fig):
    """(rows, columns) of the grid the figure's panels sit in, and the panels' (row, column) cells."""
    spec = fig.axes[0].get_subplotspec().get_gridspec()
    cells = [(ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start)
             for ax in fig.axes]
    return (spec.nrows, spec.ncols), cells


@pytest.mark.parametrize("n, shape", [(1, (1, 1)), (2, (1, 2)), (3, (1, 3)), (4, (2, 2)),
                                      (5, (2, 3)), (6, (2, 3)), (7, (3, 3))])
def test_panels_form_a_grid_of_at_most_three_columns(n, shape):
    """Lesson 3's five GRPO metrics make 2 rows of 3, not a strip of 5 too small to read."""
    fig, axes = panel_grid(n)
    assert len(axes) == n and fig.axes == axes  # the grid's spare cells are removed
    (rows, cols), cells = _layout(fig)
    assert (rows, cols) == shape
    assert cells == [(i // cols, i % cols) for i in range(n)]  # filled row by row
    width, height = fig.get_size_inches()
    assert width <= 12 and height / rows >= 3  # fits a notebook cell; panels tall enough to read


def test_panel_grid_needs_a_panel():
    with pytest.raises(ValueError, match="at least one panel"):
        panel_grid(0)


def test_five_metrics_make_two_rows():
    keys = {f"m{i}": f"metric {i}" for i in range(5)}
    fig = plot_metrics(history(), keys, title="GRPO")
    assert _layout(fig)[0] == (2, 3)
    assert fig.get_size_inches()[0] <= 12


# --- LivePlot ----------------------------------------------------------------------------------

class _State:
    def __init__(self, step, max_steps=6):
        self.global_step, self.max_steps = step, max_steps


def _feed(live, n=6):
    for s in range(1, n + 1):
        live.on_log(None, _State(s), None, logs={"loss": 1.0 / s, "reward": s / n})
        live.on_step_end(None, _State(s, n), None)


def test_live_plot_labels_every_panel():
    """Each panel's y axis reads its label (from `labels`, else the logged key)."""
    live = LivePlot(keys=("loss", "reward"), every=2, labels={"reward": "mean reward"},
                    extra=lambda step: {"held-out": step / 10}, extra_label="held-out accuracy")
    _feed(live)
    fig = live.figure()
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "mean reward", "held-out accuracy"]
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mean reward", "evaluation"]
    assert all(ax.get_xlabel() == "optimizer step" for ax in fig.axes)
    assert [r["step"] for r in live.extra_history] == [2, 4, 6]
    assert list(fig.axes[2].get_lines()[0].get_ydata()) == pytest.approx([0.2, 0.4, 0.6])
    assert fig.axes[0].get_yscale() == "log"  # a positive loss is drawn on a log scale


def test_live_plot_of_five_metrics_is_a_grid():
    keys = ("loss", "reward", "a", "b", "c")
    live = LivePlot(keys=keys, every=3)
    _feed(live)
    fig = live.figure()
    assert _layout(fig)[0] == (2, 3)
    assert [ax.get_ylabel() for ax in fig.axes] == list(keys)


# --- plot_accuracy_by_steps --------------------------------------------------------------------

def test_accuracy_by_steps_has_integer_ticks_only():
    """A problem has 1, 2, 3 ... steps: the step-count axis has a tick at each, and none between."""
    ax = plot_accuracy_by_steps({"cot": {1: 1.0, 2: 0.9, 3: 0.5}, "answer-only": {"1": 0.4, "4": 0.1}},
                                trained_steps={1: 700, 2: 700})
    assert list(ax.get_xticks()) == [1, 2, 3, 4]
    cot, answer_only = ax.get_lines()
    assert list(answer_only.get_xdata()) == [1, 4]  # keys read back from JSON are strings
    assert list(answer_only.get_ydata()) == [0.4, 0.1]
    assert ax.get_ylabel() == "exact-match accuracy"


def test_compare_metrics_skips_values_trl_could_not_compute():
    """trl logs a reward's mean as None (or NaN) at an update whose batch it scored no row of (a
    general reward in a batch of reasoning prompts): the curve skips those updates."""
    import math

    from lessons_lib.plots import compare_metrics

    log = [{"step": 1, "m": 0.5}, {"step": 2, "m": None}, {"step": 3, "m": math.nan}, {"step": 4, "m": 1.0}]
    fig = compare_metrics({"run": log}, {"m": "metric"})
    xs = list(fig.axes[0].lines[0].get_xdata())
    assert xs == [1, 4]


def test_plot_at_k_draws_each_model_and_the_guesser_on_a_log2_axis():
    from lessons_lib.plots import plot_at_k

    ax = plot_at_k({"a": {1: 0.1, 4: 0.5, 16: 0.9}, "b": {"1": 0.2, "4": 0.3, "16": 0.4}},
                   guess={1: 0.01, 4: 0.04, 16: 0.15}, title="t")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b", "random guess (1 in 100)"]
    assert ax.get_xscale() == "log" and [t.get_text() for t in ax.get_xticklabels()] == ["1", "4", "16"]
    assert list(ax.get_lines()[1].get_ydata()) == [0.2, 0.3, 0.4]
