"""lessons_lib.curves: held-out accuracy recorded against updates, tokens and seconds spent."""
import pytest

from lessons_lib.curves import TOKENS_SEEN, AccuracyCurve, plot_accuracy_curves
from lessons_lib.formats import sft_prompt
from lessons_lib.worlds.chain import to_records, make_problems
from lessons_lib.sft import SFTSettings, train_sft


def test_curve_records_every_n_updates_with_growing_tokens(fresh_tiny, tmp_path):
    model, tok = fresh_tiny
    held_out = make_problems(3, 1, "test") + make_problems(3, 2, "test")
    curve = AccuracyCurve(model, tok, held_out, sft_prompt, max_new_tokens=4, every=2)
    records = to_records(make_problems(16, 1, "train"), "answer_only")
    train_sft(model, tok, records, SFTSettings(5, batch_size=4, lr=1e-3), callbacks=[curve],
              output_dir=str(tmp_path), include_num_input_tokens_seen=TOKENS_SEEN)
    assert [r["updates"] for r in curve.rows] == [0, 2, 4, 5]
    tokens = [r["tokens"] for r in curve.rows]
    assert tokens[0] == 0 and all(b > a for a, b in zip(tokens, tokens[1:]))
    # 4 records a batch, each prompt + answer is at least 10 tokens: no padding counted as zero
    assert tokens[-1] >= 5 * 4 * 10
    assert all(set(r["accuracy"]) == {1, 2} for r in curve.rows)
    assert all(b["seconds"] >= a["seconds"] for a, b in zip(curve.rows, curve.rows[1:]))
    assert model.training is False  # train_sft leaves it in eval mode; the curve did not flip it


def test_curve_refuses_a_trainer_that_counts_no_tokens(fresh_tiny, tmp_path):
    model, tok = fresh_tiny
    curve = AccuracyCurve(model, tok, make_problems(2, 1, "test"), sft_prompt, 4, every=2)
    with pytest.raises(ValueError, match="include_num_input_tokens_seen"):
        train_sft(model, tok, to_records(make_problems(8, 1, "train"), "answer_only"),
                  SFTSettings(2, batch_size=4), callbacks=[curve], output_dir=str(tmp_path))


@pytest.mark.parametrize("every", [0, -1, 1.5, True])
def test_curve_rejects_a_bad_interval(fresh_tiny, every):
    model, tok = fresh_tiny
    with pytest.raises(ValueError, match="every"):
        AccuracyCurve(model, tok, make_problems(2, 1, "test"), sft_prompt, 4, every=every)


def test_plot_reads_rows_from_json_with_string_keys():
    rows = [dict(updates=0, tokens=0, seconds=0.0, accuracy={"1": 0.0, "2": 0.0}),
            dict(updates=10, tokens=2_000_000, seconds=3.0, accuracy={"1": 0.5, "2": 0.25})]
    axes = plot_accuracy_curves({"a": rows}, x="tokens", steps=(1, 2))
    assert list(axes[1].lines[0].get_ydata()) == [0.0, 0.25]
    assert list(axes[0].lines[0].get_xdata()) == [0.0, 2.0]
    with pytest.raises(ValueError, match="x must be"):
        plot_accuracy_curves({"a": rows}, x="flops")
