"""Tests of lessons_lib.exercises: each check accepts right answers, rejects wrong ones, never raises."""
import re

import pytest

from lessons_lib.exercises import (
    FORMAT_CASES, check_close, check_cot_target, check_exact_match, check_format_reward,
    check_solver, check_token_count,
)
from lessons_lib.formats import extract_answer, sft_target
from lessons_lib.rewards import format_reward
from lessons_lib.tasks import parse_question


# --- check_solver ------------------------------------------------------------------------------

def good_solver(q):
    return parse_question(q).answer


def _total(q):
    return eval(q.lstrip("0") or "0")  # the questions start with two digits ('04+6')


def eval_solver(q):
    return eval(q.lstrip("0") or "0") % 100  # a correct one-liner: the total modulo 100 ('04+6')


@pytest.mark.parametrize("solve", [good_solver, eval_solver])
def test_check_solver_accepts_correct_solvers(solve, capsys):
    """A correct solver passes and gets a ✅ line."""
    assert check_solver(solve) is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("solve, says", [
    (lambda q: _total(q), "Did you take the result modulo 100?"),  # forgets mod 100
    (lambda q: 1 / 0, "raised ZeroDivisionError"),
    (lambda: 0, "raised TypeError"),  # wrong signature
    (lambda q: str(_total(q) % 100), "wrong"),  # right digits, wrong type
    (lambda q: None, "wrong"),
    (lambda q: (_total(q) % 100 + 1) % 100, "wrong"),  # off by one
    (lambda q: eval(q) % 100, "leading zeros"),  # eval('04+6') is a SyntaxError: the check says so
    (lambda q: int(q[:2]) if q[1].isdigit() else int(q[0]), "wrong"),  # ignores the operations
])
def test_check_solver_rejects_wrong_solvers(solve, says, capsys):
    """Typical wrong solvers fail with a ❌ line that says why, without raising."""
    assert check_solver(solve) is False
    out = capsys.readouterr().out
    assert "❌" in out and says in out


# --- check_token_count -------------------------------------------------------------------------

def test_check_token_count(tokenizer, known_problem, capsys):
    """29 tokens for the known cot target, 4 for answer-only; anything else is wrong, never an error."""
    assert check_token_count(29, tokenizer, known_problem) is True
    assert check_token_count(4, tokenizer, known_problem, fmt="answer_only") is True
    assert check_token_count(30, tokenizer, known_problem) is False  # counted <bos> too
    assert "too many by 1" in capsys.readouterr().out
    assert check_token_count(28, tokenizer, known_problem) is False
    assert "too few by 1" in capsys.readouterr().out
    for bad in (None, "29", [29], True):
        assert check_token_count(bad, tokenizer, known_problem) is False
    assert "expected a number of tokens" in capsys.readouterr().out


# --- check_exact_match -------------------------------------------------------------------------

def good_exact_match(completions, answers):
    return sum(extract_answer(c) == a for c, a in zip(completions, answers)) / len(answers)


def counts_untagged_numbers(completions, answers):
    """Wrong: takes the last number anywhere in the text, tagged or not."""
    def last_number(c):
        found = re.findall(r"\d+", c)
        return int(found[-1]) if found else None
    return sum(last_number(c) == a for c, a in zip(completions, answers)) / len(answers)


def splits_on_tags(completions, answers):
    """Wrong: crashes on a completion without tags."""
    return sum(int(c.split("<answer>")[1].split("</answer>")[0]) == a
               for c, a in zip(completions, answers)) / len(answers)


def test_check_exact_match_accepts_a_correct_function(capsys):
    """A fraction computed with extract_answer passes."""
    assert check_exact_match(good_exact_match) is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("fn, says", [
    (counts_untagged_numbers, "expected 0.0"),
    (splits_on_tags, "raised IndexError"),
    (lambda c, a: 100 * good_exact_match(c, a), "expected 0.5"),  # a percentage
    (lambda c, a: sum(extract_answer(x) == y for x, y in zip(c, a)), "expected 0.5"),  # a count
    (lambda c, a: None, "gave None"),
    (lambda c, a: str(good_exact_match(c, a)), "gave '0.5'"),
    (lambda c: 1.0, "raised TypeError"),
])
def test_check_exact_match_rejects_wrong_functions(fn, says, capsys):
    """Typical wrong exact-match functions fail with a ❌ line, without raising."""
    assert check_exact_match(fn) is False
    out = capsys.readouterr().out
    assert "❌" in out and says in out


# --- check_cot_target --------------------------------------------------------------------------

def test_check_cot_target_accepts_the_course_format(capsys):
    """Writing the target like formats.sft_target passes."""
    assert check_cot_target(lambda p: sft_target(p, "cot")) is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("fn, says", [
    (lambda p: "<think>" + ", ".join(p.worked_steps()) + f"</think><answer>{p.answer}</answer>",
     "first difference"),
    (lambda p: sft_target(p, "answer_only"), "first difference at character 1"),
    (lambda p: sft_target(p, "cot") + "\n", "first difference"),
    (lambda p: sft_target(p, "cot").replace("<think>", "<think> "), "first difference at character 7"),
    (lambda p: None, "returned NoneType"),
    (lambda p: 42, "returned int"),
    (lambda p: list(sft_target(p, "cot")), "returned list"),
    (lambda p: p.nonexistent, "raised AttributeError"),
])
def test_check_cot_target_rejects_wrong_targets(fn, says, capsys):
    """Near-miss targets, non-strings and crashing functions fail with a ❌ line, without raising."""
    assert check_cot_target(fn) is False
    out = capsys.readouterr().out
    assert "❌" in out and says in out


# --- check_close -------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, want, tol, expected", [
    (0.5, 0.505, 0.01, True),
    (0.5, 0.5, 0.0, True),
    (1, 1.0, 0.01, True),
    (0.5, 0.6, 0.01, False),
    (0.6, 0.5, 0.2, True),
    (float("nan"), 0.5, 0.01, False),
    ("0.5", 0.5, 0.01, False),
    (None, 0.5, 0.01, False),
    ([0.5], 0.5, 0.01, False),
])
def test_check_close(answer, want, tol, expected, capsys):
    """check_close accepts numbers within tol and rejects others (including non-numbers) calmly."""
    assert check_close("accuracy", answer, want, tol) is expected
    out = capsys.readouterr().out
    assert ("✅" if expected else "❌") in out and "accuracy" in out


# --- check_format_reward -----------------------------------------------------------------------

def test_format_cases_agree_with_the_course_reward():
    """The expected rewards of the check's table are what rewards.format_reward gives."""
    assert format_reward([c for c, _, _ in FORMAT_CASES]) == [want for _, want, _ in FORMAT_CASES]
    assert {want for _, want, _ in FORMAT_CASES} == {0.0, 1.0}


def test_check_format_reward_accepts_the_course_reward(capsys):
    assert check_format_reward(format_reward) is True
    out = capsys.readouterr().out
    assert "✅" in out and f"all {len(FORMAT_CASES)} cases" in out


def lax_reward(completions, **kwargs):
    """Wrong: pays whenever both tags appear somewhere."""
    return [float("<think>" in c and "<answer>" in c) for c in completions]


@pytest.mark.parametrize("fn, says", [
    (lax_reward, "wrong; e.g. '<think>x</think><answer>40</answer><answer>41</answer>' (two answers)"),
    (lambda completions, **kw: [1.0] * len(completions), "(no think block) got 1.0, expected 0.0"),
    (lambda completions, **kw: [0.0] * len(completions), "(well formed) got 0.0, expected 1.0"),
    (lambda completions, **kw: 1 / 0, "your reward raised ZeroDivisionError"),
    (lambda completions: [1.0], "raised TypeError"),  # no **kwargs: trl passes the answer column
    (lambda completions, **kw: [1.0], f"expected a list of {len(FORMAT_CASES)} floats"),
    (lambda completions, **kw: None, "got None"),
    (lambda completions, **kw: 1.0, "expected a list of"),
])
def test_check_format_reward_rejects_wrong_rewards(fn, says, capsys):
    """Lax, crashing or wrongly shaped rewards fail with a ❌ line that says why, without raising."""
    assert check_format_reward(fn) is False
    out = capsys.readouterr().out
    assert "❌" in out and says in out
