"""lessons_lib.lesson3_r1_zero (R1-Zero in the numbers game): the RL rows, the rewards and the behaviours
they log through trl, Spearman's correlation and the curve read off a log, the measurement, the
snapshots' view, and lesson 3's exercise checks."""
import dataclasses

import pytest

from lessons_lib.exercises import (
    CHECKER_CASES, CHECKER_NUMBERS, CHECKER_TARGET, check_behaviour_prediction, check_curve_reaching, check_numbers_checker,
)
from lessons_lib.worlds.numbers import NUMBERS, check_expression, numbers_reward, prompt, split_of, Problem
from lessons_lib.lesson3_r1_zero import (
    REWARDS, accuracy, behaviours, curve, measure, rl_budget, rl_dataset, spearman,
)

GOOD = "<think>9*3=27 27-8=19 19 vs 47 != no, back. 7*8=56 56-9=47 47 vs 47 = yes</think><answer>(7*8)-9</answer>"
GAVE_UP = "<think>9*3=27 27-8=19 19 vs 47 != no, give up</think><answer>(9*3)-8</answer>"


def test_rl_dataset_rows():
    assert set(rl_dataset(3)["ops"]) == {2}  # RL_LEVELS: level 3 only
    ds = rl_dataset(4, levels=("3", "4"), seed=0)
    assert len(ds) == 8 and {"prompt", "numbers", "target", "language", "ops"} <= set(ds.column_names)
    assert sorted(ds["ops"]) == [2] * 4 + [3] * 4
    for row in ds:
        p = Problem(tuple(row["numbers"]), row["target"])
        assert split_of(p) == "train" and row["prompt"] == prompt(p)
    again, other = rl_dataset(4, levels=("3", "4"), seed=0), rl_dataset(4, levels=("3", "4"), seed=1)
    assert again["prompt"] == ds["prompt"] and other["prompt"] != ds["prompt"]
    with pytest.raises(ValueError, match="levels is empty"):
        rl_dataset(2, levels=())


def test_accuracy_pays_like_the_checker_and_logs_behaviours():
    logged = {}
    got = accuracy([GOOD, GAVE_UP], [[3, 7, 9, 8]] * 2, [47, 47], log_metric=logged.__setitem__)
    assert got == [1.0, 0.0] == numbers_reward([GOOD, GAVE_UP], [[3, 7, 9, 8]] * 2, [47, 47])
    assert logged == {"thought/tries": 1.5, "thought/checks": 1.5, "thought/backtracks": 0.5,
                      "thought/give_ups": 0.5, "thought/repeats": 0.0, "thought/mixed": 0.0,
                      "thought/readability": 1.0}
    assert behaviours([]) == dict(tries=0, checks=0, backtracks=0, give_ups=0, repeats=0, mixed=0, readability=0)
    mixed = "<think>9*3=27, 27 minus 8 is 19, 19 vs 47 differ no, give up</think><answer>(9*3)-8</answer>"
    assert behaviours([mixed])["mixed"] == 1.0
    assert REWARDS[1]([GOOD, "no tags"]) == [1.0, 0.0]
    assert [f.__name__ for f in REWARDS] == ["accuracy", "format"]  # trl logs rewards/<name>/mean


def test_spearman_and_curve():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)  # ties share ranks
    assert spearman([1, 1, 1], [1, 2, 3]) == 0.0
    with pytest.raises(ValueError, match="at least 3"):
        spearman([1, 2], [1, 2])
    log = [{"step": i, "rewards/accuracy/mean": i / 10, "completions/mean_length": 50 + i} for i in range(1, 11)]
    c = curve(log + [{"train_runtime": 1.0}])
    assert c["spearman"] == pytest.approx(1.0) and c["window"] == 5
    assert c["reward_first"] == pytest.approx(0.3) and c["length_last"] == pytest.approx(58)
    with pytest.raises(ValueError, match="at least 3"):
        curve(log[:2])


def test_rl_budget_and_its_smoke_variant(monkeypatch):
    b = rl_budget()
    assert b.max_completion_length == 512 and b.completions_per_update == 64 and b.temperature == 0.7
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    s = rl_budget()
    assert s.updates < b.updates and s.max_completion_length < b.max_completion_length


def test_measure_on_a_tiny_model(tiny):
    model, tok = tiny
    m = measure(model, tok, n_per_level=2, samples=2, max_new_tokens=8, ks=(1, 2))
    assert set(m) == {"3", "4", "5"}
    for level in m.values():
        assert level["problems"] == 2 and len(level["completions"]) == 2 and len(level["counts"]) == 2
        assert 0 <= level["readability"] <= 1 and set(level["pass_at_k"]) == {1, 2}


def test_snapshots_with_the_numbers_view(tiny):
    from lessons_lib.widgets import Snapshots, snapshot_table

    model, tok = tiny
    p = Problem((3, 7, 9, 8), 47)
    snaps = Snapshots(tok, [p], [0], samples=2, max_new_tokens=6, world=NUMBERS)
    snaps.take(model, 0)
    row = snaps.taken[0][0]
    assert row["answer"] == 47 and row["question"] == NUMBERS.ask(p) and len(row["completions"]) == 2
    assert "answer 47" in snapshot_table(snaps)
    assert NUMBERS.score([GOOD], [p]) == ([1.0], [1.0])


def test_grpo_logs_the_behaviours_through_trl(fresh_tiny):
    from lessons_lib.grpo import train_grpo

    model, tok = fresh_tiny
    b = dataclasses.replace(rl_budget().smoke(), updates=2, max_completion_length=12)
    trainer = train_grpo(model, tok, rl_dataset(4), list(REWARDS), b, reward_weights=[1.0, 0.1])
    rows = [r for r in trainer.state.log_history if "rewards/accuracy/mean" in r]
    assert len(rows) == 2
    for r in rows:
        assert {"thought/tries", "thought/give_ups", "rewards/format/mean", "completions/mean_length"} <= set(r)


# --- lesson 3's exercise checks -------------------------------------------------------------------

def test_the_course_checker_passes_the_exercise_table(capsys):
    for text, right, why in CHECKER_CASES:
        assert check_expression(text, CHECKER_NUMBERS, CHECKER_TARGET)[0] is right, why
    assert check_numbers_checker(lambda t, n, g: check_expression(t, n, g)[0])
    assert "✅" in capsys.readouterr().out


def test_checker_exercise_catches_eval_and_wrong_answers(capsys):
    assert not check_numbers_checker(lambda t, n, g: eval(t) == g)  # raises on '(07*8)-9'
    assert "raised" in capsys.readouterr().out
    assert not check_numbers_checker(lambda t, n, g: False)
    out = capsys.readouterr().out
    assert "rejected it, but it is right" in out
    assert not check_numbers_checker(lambda t, n, g: True)
    assert "must earn nothing" in capsys.readouterr().out


def test_curve_reaching_check(capsys):
    log = [{"step": i, "rewards/accuracy/mean": min(1.0, i / 10), "completions/mean_length": 50 + 10 * (i > 15)}
           for i in range(1, 31)]
    # accuracy: start 0.3, end 1.0, line 0.86: the moving average (i-2)/10 reaches it at update 11;
    # length: 50 -> 60, line 58: the moving average reaches it at update 19 (4 of 5 at 60)
    assert check_curve_reaching(11, 19, log)
    assert "accuracy moved first" in capsys.readouterr().out
    assert not check_curve_reaching(3, 19, log)
    assert "too early" in capsys.readouterr().out
    assert not check_curve_reaching(None, 19, log)


def test_behaviour_prediction_check(capsys):
    bench = {"seeds": [{"backtrack": {"pass1_before": 0.1, "pass1_after": 0.5},
                        "no_backtrack": {"pass1_before": 0.1, "pass1_after": 0.2}}] * 3}
    assert check_behaviour_prediction(0.3, bench)
    out = capsys.readouterr().out
    assert "0.25" in out and "close" in out  # the measured share is 0.1 / 0.4
    assert not check_behaviour_prediction(0.9, bench)
    assert not check_behaviour_prediction(None, bench)
    assert "empty" in capsys.readouterr().out
