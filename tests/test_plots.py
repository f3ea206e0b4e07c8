"""Tests of lessons_lib.plots: the moving average, and the metric panels of lesson 3."""
import matplotlib.pyplot as plt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from lessons_lib.plots import _smoothed, compare_metrics, plot_metrics

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
        assert [t.get_text() for t in ax.get_legend().get_texts()] == list(logs)
    assert list(fig.axes[0].get_lines()[1].get_ydata()) == pytest.approx(
        [s / 6 + 0.5 for s in range(1, 5)])


def test_a_key_never_logged_gives_an_empty_panel():
    fig = compare_metrics({"run": history()}, {"reward": "r", "kl": "kl"})
    assert len(fig.axes) == 2
    assert len(fig.axes[1].get_lines()[0].get_xdata()) == 0
