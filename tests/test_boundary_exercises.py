"""Tests of lesson 5's exercise checks (lessons_lib.exercises): check_pass_at_k,
check_majority_prediction and check_added_reasoning.

Each check accepts a right answer, rejects a wrong one with a hint that names the failing case but
never the expected value, and never raises, whatever the learner hands it. The references the checks
measure against (a brute-force count of pass@k, the simulation of majority votes) are tested
against exact values too, so a check cannot agree with a wrong reference.
"""
import math
import re
from fractions import Fraction
from itertools import product

import numpy as np
import pytest

from lessons_lib.evaluation import pass_at_k
from lessons_lib.exercises import (
    _maj_simulated, _pass_brute, _pass_cases, check_added_reasoning, check_majority_prediction, check_pass_at_k,
)

from conftest import verdict  # noqa: E402  (the shared ✅/❌ reader)


def failing_case(out: str) -> tuple[int, int, int]:
    m = re.search(r"fn\(n=(\d+), c=(\d+), k=(\d+)\)", out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def assert_truth_not_shown(out: str):
    """The true pass@k of the case the check reports is written nowhere in its output."""
    n, c, k = failing_case(out)
    truth = pass_at_k(n, c, k)
    for shown in {f"{truth:.4g}", f"{truth:.3f}", f"{truth:.2f}", repr(truth)}:
        assert shown not in out, (shown, out)


# --- check_pass_at_k -------------------------------------------------------------------------------

def test_brute_force_reference_is_exact():
    """The count the check compares with is pass@k itself: every k-subset, by hand on small n."""
    assert _pass_brute(5, 2, 2) == pytest.approx(7 / 10)  # 10 pairs, 3 of them both wrong
    assert _pass_brute(4, 0, 2) == 0.0 and _pass_brute(4, 3, 2) == 1.0
    for n in range(1, 9):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert _pass_brute(n, c, k) == pytest.approx(pass_at_k(n, c, k), abs=1e-12)


def test_cases_cover_edges_and_large_n():
    cases = _pass_cases()
    assert cases[0][:3] == (5, 2, 2)  # the first shown is easy to work out by hand
    keys = {(n, c, k) for n, c, k, _ in cases}
    assert (3, 0, 2) in keys and (3, 2, 2) in keys and (256, 256, 256) in keys  # c = 0, n - c < k
    assert all(0 <= t <= 1 for *_, t in cases)


def test_course_estimator_passes_and_the_simulation_shows_the_plug_in_bias(capsys):
    assert check_pass_at_k(pass_at_k) is True
    out = verdict(capsys, True, "all 482 cases right", "plug-in", "bias", "spread",
                  "What it means")
    table = [line for line in out.splitlines() if re.search(r"[-+]\d\.\d{3}\s+\d\.\d{3}$", line)]
    rows = {name: tuple(float(x) for x in line.split()[-2:])
            for name in ("yours", "plug-in", "any right among the first k")
            for line in table if line.strip().startswith(name)}
    assert len(rows) == 3, out
    (b_yours, s_yours), (b_plug, s_plug), (b_first, s_first) = (
        rows["yours"], rows["plug-in"], rows["any right among the first k"])
    assert b_plug < -0.03  # biased low, well beyond the noise
    assert abs(b_yours) < 0.015 and abs(b_first) < 0.02  # unbiased, within the noise of 4000 trials
    assert s_first > s_yours + 0.1  # the first k throws samples away


def test_product_form_passes(capsys):
    def chen(n, c, k):  # Chen et al.'s numerically stable form, with numpy floats
        if n - c < k:
            return 1.0
        return 1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1))

    assert check_pass_at_k(chen) is True
    verdict(capsys, True)


def test_plug_in_estimate_fails_with_its_own_hint(capsys):
    assert check_pass_at_k(lambda n, c, k: 1 - (1 - c / n) ** k) is False
    out = verdict(capsys, False, "plug-in", "biased low", "fn(n=5, c=2, k=2)")
    assert_truth_not_shown(out)
    assert "🎲" not in out  # no demonstration for a wrong estimator


def test_pass_at_1_for_every_k_fails(capsys):
    assert check_pass_at_k(lambda n, c, k: c / n) is False
    out = verdict(capsys, False, "c/n", "grows with k")
    assert_truth_not_shown(out)


def test_chance_all_wrong_fails(capsys):
    assert check_pass_at_k(lambda n, c, k: math.comb(n - c, k) / math.comb(n, k)) is False
    verdict(capsys, False, "all k drawn are wrong", "1 minus it")


def test_direction_is_named(capsys):
    assert check_pass_at_k(lambda n, c, k: 0.99 * pass_at_k(n, c, k)) is False
    out = verdict(capsys, False, "too low")
    assert_truth_not_shown(out)
    assert check_pass_at_k(lambda n, c, k: min(1.0, pass_at_k(n, c, k) + 0.001)) is False
    verdict(capsys, False, "too high")


def test_wrong_only_at_large_n_is_caught(capsys):
    assert check_pass_at_k(lambda n, c, k: pass_at_k(n, c, k) if n <= 10 else 0.5) is False
    out = verdict(capsys, False, "fn(n=256")
    assert_truth_not_shown(out)


def test_out_of_range_and_non_numbers(capsys):
    assert check_pass_at_k(lambda n, c, k: 1 - (1 - c / n) ** k + 0.5) is False
    verdict(capsys, False, "not a probability")
    assert check_pass_at_k(lambda n, c, k: str(pass_at_k(n, c, k))) is False
    verdict(capsys, False, "gave str", "return a probability")
    assert check_pass_at_k(lambda n, c, k: None) is False
    verdict(capsys, False, "gave NoneType")


def test_crash_at_c_zero_is_reported_not_raised(capsys):
    def crashes(n, c, k):
        if c == 0:
            raise ZeroDivisionError("division by zero")
        return pass_at_k(n, c, k)

    assert check_pass_at_k(crashes) is False
    out = verdict(capsys, False, "raised ZeroDivisionError", "c = 0")
    assert failing_case(out)[1] == 0


def test_crash_when_fewer_than_k_wrong_is_reported(capsys):
    def factorials(n, c, k):  # math.factorial of a negative number when n - c < k
        ways = lambda m, j: math.factorial(m) // (math.factorial(j) * math.factorial(m - j))
        return 1 - ways(n - c, k) / ways(n, k)

    assert check_pass_at_k(factorials) is False
    out = verdict(capsys, False, "raised ValueError", "n - c < k")
    n, c, k = failing_case(out)
    assert n - c < k


# --- check_majority_prediction ----------------------------------------------------------------------

MODE_RIGHT = {40: 0.35, 41: 0.15, 42: 0.15, 43: 0.15, 44: 0.1, None: 0.1}  # right answer 40 is the mode
MODE_WRONG = {40: 0.35, 41: 0.40, 42: 0.15, None: 0.1}  # a wrong answer is more likely


def measured(out: str) -> float:
    return float(re.search(r"measured (\d\.\d\d)", out).group(1))


@pytest.mark.parametrize("prediction, says", [
    (None, "empty"), (..., "empty"), ("0.9", "should be a number"), (1.5, "outside"),
    (-0.1, "outside"), (float("nan"), "should be a number"), (True, "should be a number"),
])
def test_majority_refuses_empty_or_bad_prediction(capsys, prediction, says):
    assert check_majority_prediction(prediction, MODE_RIGHT, 40) is False
    out = verdict(capsys, False, says)
    assert "📏" not in out  # nothing measured before a prediction is committed


def test_majority_accepts_a_good_prediction_when_right_is_the_mode(capsys):
    assert check_majority_prediction(0.95, MODE_RIGHT, 40) is True
    out = verdict(capsys, True, "maj@256", "goes to 1", "pass@1 = 0.35", "mode")
    assert measured(out) >= 0.95


def test_majority_rejects_one_when_a_wrong_answer_is_the_mode(capsys):
    assert check_majority_prediction(1.0, MODE_WRONG, 40) is False
    out = verdict(capsys, False, "goes to 0", "too high", "41")
    assert measured(out) < 0.35  # below pass@1: the vote favours the wrong answer
    assert check_majority_prediction(measured(out), MODE_WRONG, 40) is True
    capsys.readouterr()


def test_majority_curve_is_printed_for_each_k(capsys):
    check_majority_prediction(0.5, MODE_RIGHT, 40, k=100)
    out = capsys.readouterr().out
    row = re.search(r"maj@k\s+([\d. ]+)", out).group(1).split()
    assert len(row) == 5 and re.search(r"k\s+1\s+4\s+16\s+64\s+100", out)
    values = [float(v) for v in row]
    assert values[0] == pytest.approx(0.35, abs=0.04) and values[-1] > values[0] + 0.4


def test_majority_tie_goes_to_a_coin_toss(capsys):
    assert check_majority_prediction(0.5, {1: 0.4, 2: 0.4, None: 0.2}, 1) is True
    out = verdict(capsys, True, "coin toss")
    assert abs(measured(out) - 0.5) < 0.06


def test_majority_with_no_answers_is_zero(capsys):
    assert check_majority_prediction(0.0, {None: 1.0}, 7) is True
    assert measured(capsys.readouterr().out) == 0.0


def exact_maj(shares: dict, truth, k: int) -> float:
    """maj@k by enumerating every sequence of k answers (ties broken at random, exactly)."""
    total = Fraction(0)
    answers = list(shares)
    for seq in product(answers, repeat=k):
        p = Fraction(1)
        for a in seq:
            p *= Fraction(shares[a]).limit_denominator(1000)
        votes = {a: seq.count(a) for a in answers if a is not None}
        top = max(votes.values())
        if top == 0:
            continue
        tied = [a for a, v in votes.items() if v == top]
        total += p * Fraction(int(truth in tied), len(tied))
    return float(total)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_majority_simulation_matches_exact_enumeration(k):
    shares = {1: 0.45, 2: 0.3, None: 0.25}
    sim = _maj_simulated(shares, 1, k, 200_000, np.random.default_rng(1))
    assert sim == pytest.approx(exact_maj(shares, 1, k), abs=0.006)


@pytest.mark.parametrize("shares, truth, says", [
    ({40: -0.35, 41: 1.35}, 40, "negative"),
    ({40: 0.35, 41: 0.2}, 40, "sum to 0.55"),
    ({"40": 35, "41": 40, "none": 25}, 40, "look like counts"),
    ({"forty": 1.0}, 40, "should be an int"),
    ({40: "a lot"}, 40, "should be a probability"),
    ([0.35, 0.65], 40, "non-empty dict"),
    ({}, 40, "non-empty dict"),
    ({40: 1.0}, "40", "truth should be the right answer"),
])
def test_majority_bad_shares_give_a_message_not_an_exception(capsys, shares, truth, says):
    assert check_majority_prediction(0.5, shares, truth) is False
    out = verdict(capsys, False, says)
    assert "📏" not in out


def test_majority_reads_count_dict_keys():
    """The answers of a count dict ('40', 'none') are read as answers once given as shares."""
    assert check_majority_prediction(0.95, {"40": 0.35, "41": 0.15, "42": 0.15, "43": 0.15,
                                            "44": 0.1, "none": 0.1}, 40) is True


# --- check_added_reasoning -----------------------------------------------------------------------------

def counts(kind_counts, n=256, right=None):
    """Count dicts of chain_rl.sample_counts, by hand: `kind_counts` right by the path."""
    right = right or [min(n, p + 10) for p in kind_counts]
    return [dict(question=f"q{i:02d}", steps=1 + i % 8, answer=i, n=n, right=r, path=p,
                 answers={str(i): r, "none": n - r}) for i, (p, r) in enumerate(zip(kind_counts, right))]


# RL solves 10 problems the base never solves by the path in 256 samples.
ADDED = (counts([20] * 10 + [0] * 10), counts([100] * 10 + [30] * 10))
# RL is far ahead at k = 1 but gives up on a quarter of the problems; the base reaches all at 256.
SHARPENED = (counts([5 + i % 3 for i in range(20)]),
             counts([0 if i % 4 == 0 else 180 for i in range(20)]))
# RL ahead at k = 256 by one problem of 20: the interval reaches 0, so not added.
ONE_PROBLEM = (counts([0] + [40] * 19), counts([30] + [200] * 19))


def figures(base, rl, K=256, kind="path"):
    from lessons_lib.sample_stats import crossover
    row = crossover(base, rl, ks=(K,), kind=kind)["rows"][0]
    return row


@pytest.mark.parametrize("data, truth", [(ADDED, True), (SHARPENED, False), (ONE_PROBLEM, False)])
def test_added_reasoning_right_verdict_passes(capsys, data, truth):
    assert check_added_reasoning(truth, *data) is True
    row = figures(*data)
    out = verdict(capsys, True, "pass@256", f"{row['base']:.3f}", f"{row['other']:.3f}",
                  f"[{row['low']:+.3f}, {row['high']:+.3f}]", "What it means")
    assert ("did not add" in out) != truth


@pytest.mark.parametrize("data, truth", [(ADDED, True), (SHARPENED, False), (ONE_PROBLEM, False)])
def test_added_reasoning_wrong_verdict_fails_without_numbers(capsys, data, truth):
    assert check_added_reasoning(not truth, *data) is False
    out = verdict(capsys, False, "right-hand end (k = 256)", "interval")
    row = figures(*data)
    for key in ("base", "other", "diff", "low", "high"):
        for fmt in ("{:.3f}", "{:+.3f}", "{:.2f}"):
            shown = fmt.format(row[key])
            if shown not in ("0.000", "+0.000", "0.00", "1.000", "1.00"):  # not telling
                assert shown not in out, (shown, out)


def test_added_reasoning_points_away_from_pass_at_1(capsys):
    base, rl = SHARPENED
    assert figures(base, rl, K=1)["high"] < 0  # RL really is ahead at k = 1
    check_added_reasoning(True, base, rl)
    verdict(capsys, False, "left end of the curves (k = 1)", "not the question")


@pytest.mark.parametrize("v", [1, 0, "yes", "True", None, 0.9])
def test_added_reasoning_refuses_non_bool(capsys, v):
    assert check_added_reasoning(v, *ADDED) is False
    out = verdict(capsys, False, "verdict")
    assert "pass@256" not in out


def test_added_reasoning_uses_the_smallest_n(capsys):
    base, rl = counts([5] * 10 + [0] * 10, n=64), counts([30] * 20, n=64)
    assert check_added_reasoning(True, base, rl) is True
    verdict(capsys, True, "k = 64", "pass@64")


def test_added_reasoning_on_right_answers_warns_of_guessing(capsys):
    assert check_added_reasoning(False, *SHARPENED, kind="right") is True
    verdict(capsys, True, "'right'", "0.92", "guess")


@pytest.mark.parametrize("base, rl, says", [
    (ADDED[0], ADDED[1][::-1], "same problems"),
    (ADDED[0], ADDED[1][:5], "holds 20 problems and rl 5"),
    (None, ADDED[1], "non-empty list"),
    ([], ADDED[1], "non-empty list"),
    ([{k: v for k, v in c.items() if k != "path"} for c in ADDED[0]], ADDED[1], "KeyError"),
])
def test_added_reasoning_bad_counts_give_a_message(capsys, base, rl, says):
    assert check_added_reasoning(True, base, rl) is False
    verdict(capsys, False, says)


def test_added_reasoning_bad_kind_gives_a_message(capsys):
    assert check_added_reasoning(True, *ADDED, kind="answer") is False
    verdict(capsys, False, "kind must be one of")
