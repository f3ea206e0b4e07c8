"""Tests of lessons_lib.exercises: each check accepts right answers, rejects wrong ones with a hint
that never gives the expected value away, and never raises. Prediction checks refuse an empty
prediction before measuring anything, and compare a prediction with what they measure.

The prediction checks are tested on fake models (a `generate` that memorises, or that writes a
fixed number of equations), so their verdicts are known exactly, and once on the tiny model, end
to end.
"""
import math
import re

import pytest

import lessons_lib.evaluation as evaluation
from lessons_lib.exercises import (
    EXACT_MATCH_CASES, FORMAT_CASES, check_cot_target, check_coverage_prediction, check_exact_match, check_extra_tokens, check_first_reaching, check_format_reward, check_memorisation_gap, check_neighbour_prediction, check_prefix_prediction, check_solver, check_temperature_prediction, check_token_count,
)
from lessons_lib.formats import extract_answer
from lessons_lib.worlds.chain import (
    sft_target, Problem, make_dataset, make_problems, parse_question, split_of,
)
from lessons_lib.rewards import accuracy_reward, format_reward

from conftest import verdict  # noqa: E402  (the shared ✅/❌ reader)


# --- check_solver ------------------------------------------------------------------------------

def good_solver(q):
    return parse_question(q).answer


def _total(q):
    return eval(q.lstrip("0") or "0")  # the questions start with two digits ('04+6')


def eval_solver(q):
    return eval(q.lstrip("0") or "0") % 100  # a correct one-liner: the total modulo 100 ('04+6')


@pytest.mark.parametrize("solve", [good_solver, eval_solver, lambda q: float(good_solver(q))])
def test_check_solver_accepts_correct_solvers(solve, capsys):
    """A correct solver passes and gets a ✅ line."""
    assert check_solver(solve) is True
    verdict(capsys, True)


def _start_only(q):
    return parse_question(q).start


def _first_op_only(q):
    return parse_question(q).values[0]


@pytest.mark.parametrize("solve, says", [
    (lambda q: _total(q), "right modulo 100"),  # forgets mod 100
    (lambda q: 1 / 0, "raised ZeroDivisionError"),
    (lambda: 0, "raised TypeError"),  # wrong signature
    (lambda q: str(_total(q) % 100), "convert with int()"),  # right digits, wrong type
    (lambda q: None, "forget the `return`"),
    (lambda q: (_total(q) % 100 + 1) % 100, "work that one out by hand"),  # off by one
    (lambda q: eval(q) % 100, "leading zeros"),  # eval('04+6') is a SyntaxError: the check says so
    (_start_only, "returned the start number"),
    (_first_op_only, "first operation only"),
])
def test_check_solver_rejects_wrong_solvers(solve, says, capsys):
    """Typical wrong solvers fail with a ❌ line that says why, without raising or revealing."""
    assert check_solver(solve) is False
    out = verdict(capsys, False, says)
    assert "expected" not in out


def test_check_solver_names_a_question_but_not_its_answer(capsys):
    """The example of a wrong answer shows the question and the learner's output, not the truth."""
    check_solver(lambda q: (_total(q) % 100 + 1) % 100)
    out = capsys.readouterr().out
    q, got = re.search(r"solve\('([^']+)'\) returned (\d+)", out).groups()
    assert int(got) == (good_solver(q) + 1) % 100
    assert f"{good_solver(q)}" not in out.split("returned")[1].replace(got, "")


# --- check_token_count -------------------------------------------------------------------------

def test_check_token_count(tokenizer, known_problem, capsys):
    """29 tokens for the known cot target, 4 for answer-only; a wrong count gets a direction only."""
    assert check_token_count(29, tokenizer, known_problem) is True
    assert check_token_count(4, tokenizer, known_problem, fmt="answer_only") is True
    capsys.readouterr()
    assert check_token_count(30, tokenizer, known_problem) is False  # counted <bos> too
    out = verdict(capsys, False, "too many", "<bos>")
    assert "29" not in out and "by 1" not in out
    assert check_token_count(28, tokenizer, known_problem) is False
    out = verdict(capsys, False, "too few")
    assert "29" not in out
    for bad in (None, "29", [29], True):
        assert check_token_count(bad, tokenizer, known_problem) is False
        verdict(capsys, False, "expected a number of tokens")


# --- check_coverage_prediction (lesson 0) ------------------------------------------------------

COUNTS = {1: 700, 2: 700, 3: 250, 4: 250}


def _coverage_1():
    one = [Problem(s, ((op, x),)) for s in range(100) for op in "+-" for x in range(1, 10)]
    return COUNTS[1] / sum(split_of(p) == "train" for p in one)


def test_check_coverage_prediction_accepts_a_close_prediction(capsys):
    """Within a factor of 2 of both measured shares passes; the measurement is printed."""
    c4 = COUNTS[4] / (100 * 18 ** 4 / 2)  # the split is half and half, by a hash
    assert check_coverage_prediction(_coverage_1() * 1.1, c4 * 0.8, COUNTS) is True
    verdict(capsys, True, "measured", f"{_coverage_1():.1%}", "close", "What it means")


def test_check_coverage_prediction_reads_the_lesson_budget(capsys):
    """The counts can come straight from lesson_budget() (a read-only mapping)."""
    from lessons_lib.lesson1_2_sft import lesson_budget
    assert check_coverage_prediction(0.75, 5e-5, lesson_budget().train_problems) is True
    verdict(capsys, True, "700 / ")


@pytest.mark.parametrize("share_1, share_4, says", [
    (0.1, 0.01, "times too low"),
    (0.75, 0.01, "times too high"),
    (0.75, 0, "not zero"),
])
def test_check_coverage_prediction_says_how_far_off(share_1, share_4, says, capsys):
    assert check_coverage_prediction(share_1, share_4, COUNTS) is False
    verdict(capsys, False, "measured", says, "What it means")


@pytest.mark.parametrize("share_1, share_4, counts, says", [
    (None, 0.1, COUNTS, "`share_1` is empty"),
    (0.5, None, COUNTS, "`share_4` is empty"),
    (75, 0.1, COUNTS, "as a fraction"),
    ("0.5", 0.1, COUNTS, "should be a number"),
    (0.5, 0.1, {1: 700}, "train_counts should map"),
    (0.5, 0.1, None, "train_counts should map"),
])
def test_check_coverage_prediction_refuses_before_measuring(share_1, share_4, counts, says, capsys):
    """No prediction, no measurement: the check says what is missing and prints nothing measured."""
    assert check_coverage_prediction(share_1, share_4, counts) is False
    out = verdict(capsys, False, says)
    assert "measured" not in out


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
    verdict(capsys, True)


@pytest.mark.parametrize("fn, says", [
    (counts_untagged_numbers, "too high. Case: a number without closed"),
    (splits_on_tags, "raised IndexError"),
    (lambda c, a: 100 * good_exact_match(c, a), "A fraction is at most 1"),  # a percentage
    (lambda c, a: sum(extract_answer(x) == y for x, y in zip(c, a)), "too high"),  # a count
    (lambda c, a: 0.0, "too low. Case: one right answer, one wrong"),
    (lambda c, a: None, "gave NoneType None"),
    (lambda c, a: str(good_exact_match(c, a)), "gave str '0.5'"),
    (lambda c: 1.0, "raised TypeError"),
])
def test_check_exact_match_rejects_wrong_functions(fn, says, capsys):
    """Typical wrong exact-match functions fail with a ❌ line, without raising or revealing."""
    assert check_exact_match(fn) is False
    out = verdict(capsys, False, says)
    assert "expected" not in out


def test_exact_match_cases_hold_their_fractions():
    """The table's fractions are what a correct function computes."""
    for completions, answers, want, _ in EXACT_MATCH_CASES:
        assert good_exact_match(completions, answers) == want


# --- check_memorisation_gap --------------------------------------------------------------------

ACC_TRAIN = {1: 0.70, 2: 0.64, 3: 0.64, 4: 0.52}
ACC_TEST = {1: 0.49, 2: 0.355, 3: 0.215, 4: 0.155, 5: 0.065, 6: 0.035}
GAP = ((0.64 - 0.215) + (0.52 - 0.155)) / 2


@pytest.mark.parametrize("train, test", [
    (ACC_TRAIN, ACC_TEST),
    ({str(k): v for k, v in ACC_TRAIN.items()}, {str(k): v for k, v in ACC_TEST.items()}),  # JSON
])
def test_check_memorisation_gap_accepts_the_gap(train, test, capsys):
    assert check_memorisation_gap(GAP, train, test) is True
    assert check_memorisation_gap(GAP + 0.0009, train, test) is True
    verdict(capsys, True)


@pytest.mark.parametrize("gap, says", [
    (-GAP, "held-out minus training"),
    (2 * GAP, "You added the gaps"),
    (100 * GAP, "percentages"),
    (0.64 - 0.215, "at 3 steps alone"),
    (0.52 - 0.155, "at 4 steps alone"),
    (sum(ACC_TRAIN[s] - ACC_TEST[s] for s in ACC_TRAIN) / 4, "every step count"),
    ((0.64 + 0.52) / (0.215 + 0.155), "ratio"),
    (GAP + 0.1, "too high"),
    (GAP - 0.1, "too low"),
    ("0.4", "should be a number"),
    (None, "should be a number"),
    (float("nan"), "should be a number"),
])
def test_check_memorisation_gap_rejects_with_a_hint(gap, says, capsys):
    """Each typical mistake gets its own hint; the right value is never printed."""
    assert check_memorisation_gap(gap, ACC_TRAIN, ACC_TEST) is False
    out = verdict(capsys, False, says)
    if isinstance(gap, float):
        out = out.replace(f"{gap:.3f}", "")  # the learner's own answer may be printed
    assert f"{GAP:.3f}" not in out and f"{GAP:.2f}" not in out


def test_check_memorisation_gap_needs_the_step_counts(capsys):
    assert check_memorisation_gap(0.4, {1: 0.5}, ACC_TEST) is False
    verdict(capsys, False, "missing")
    assert check_memorisation_gap(0.4, None, None) is False
    verdict(capsys, False, "missing")


# --- check_neighbour_prediction (lesson 1) -----------------------------------------------------

def _prompt_question(prompt: str) -> str:
    return prompt.split("Q: ", 1)[1].split("\n", 1)[0]


def fake_generate(answer_of):
    """A stand-in for evaluation.generate: completions from `answer_of(prompt)`, calls counted."""
    def generate(model, tokenizer, prompts, max_new_tokens=64, **kwargs):
        generate.calls += 1
        return [answer_of(p) for p in prompts]
    generate.calls = 0
    return generate


@pytest.fixture
def four_step_train():
    return make_dataset({4: 30}, split="train", seed=0)


def memoriser(train):
    """Right on every training problem; on any other, the answer of the training problem that
    differs from it only in the last operand (what a model that recalls answers does)."""
    by_head = {(p.start, p.ops[:-1]): p.answer for p in train}

    def answer_of(prompt):
        p = parse_question(_prompt_question(prompt))
        return f"<answer>{by_head.get((p.start, p.ops[:-1]), 0):02d}</answer>"
    return answer_of


def adder(prompt):
    return f"<answer>{parse_question(_prompt_question(prompt)).answer:02d}</answer>"


def test_check_neighbour_prediction_on_a_memoriser(four_step_train, monkeypatch, capsys):
    """A memoriser is never right on the changed problems and always writes the old answer."""
    gen = fake_generate(memoriser(four_step_train))
    monkeypatch.setattr(evaluation, "generate", gen)
    assert check_neighbour_prediction(0.05, 0.9, None, None, four_step_train) is True
    out = verdict(capsys, True, "answered right:", "0.00", "1.00", "recalls the")
    assert "30 4-step training problems" in out
    assert check_neighbour_prediction(0.5, 0.2, None, None, four_step_train) is False
    verdict(capsys, False, "0.50 too high", "0.80 too low")


def test_check_neighbour_prediction_on_an_adder(four_step_train, monkeypatch, capsys):
    monkeypatch.setattr(evaluation, "generate", fake_generate(adder))
    assert check_neighbour_prediction(1.0, 0.0, None, None, four_step_train) is True
    verdict(capsys, True, "does not merely recall")


@pytest.mark.parametrize("right, old, says", [
    (None, 0.5, "`predicted_right` is empty"),
    (0.5, None, "`predicted_old` is empty"),
    (0.5, 1.5, "outside 0 to 1"),
])
def test_check_neighbour_prediction_refuses_before_measuring(right, old, says, four_step_train,
                                                             monkeypatch, capsys):
    gen = fake_generate(adder)
    monkeypatch.setattr(evaluation, "generate", gen)
    assert check_neighbour_prediction(right, old, None, None, four_step_train) is False
    verdict(capsys, False, says)
    assert gen.calls == 0


def test_check_neighbour_prediction_with_nothing_to_compare(tiny, four_step_train, capsys):
    """An untrained model answers no training problem right: the check says so, end to end."""
    model, tok = tiny
    assert check_neighbour_prediction(0.1, 0.5, model, tok, four_step_train[:5]) is False
    verdict(capsys, False, "nothing to compare")
    assert check_neighbour_prediction(0.1, 0.5, model, tok, make_dataset({2: 5}, seed=0)) is False
    verdict(capsys, False, "no 4-step problems")


# --- check_cot_target --------------------------------------------------------------------------

def test_check_cot_target_accepts_the_course_format(capsys):
    """Writing the target like chain.sft_target passes."""
    assert check_cot_target(lambda p: sft_target(p, "cot")) is True
    verdict(capsys, True)


def _one_digit_values(p):
    prev, eqs = p.start, []
    for (op, x), v in zip(p.ops, p.values):
        eqs.append(f"{prev}{op}{x}={v}")
        prev = v
    return f"<think>{' '.join(eqs)}</think><answer>{p.answer:02d}</answer>"


def _no_modulus(p):
    prev, eqs = p.start, []
    for op, x in p.ops:
        v = prev + x if op == "+" else prev - x
        eqs.append(f"{prev:02d}{op}{x}={v:02d}")
        prev = v
    return f"<think>{' '.join(eqs)}</think><answer>{p.answer:02d}</answer>"


@pytest.mark.parametrize("fn, says", [
    (lambda p: "<think>" + ", ".join(p.worked_steps()) + f"</think><answer>{p.answer:02d}</answer>",
     "one space and nothing else"),
    (lambda p: sft_target(p, "answer_only"), "the target is <think>equations</think>"),
    (lambda p: sft_target(p, "cot") + "\n", "whitespace around the target"),
    (lambda p: sft_target(p, "cot") + " so", "text after </answer>"),
    (lambda p: sft_target(p, "cot").replace("<think>", "<think> "), "one space and nothing else"),
    (lambda p: sft_target(p, "cot").replace(f"<answer>{p.answer:02d}", f"<answer>{p.answer}"),
     "two digits"),
    (lambda p: sft_target(p, "cot").replace("</answer>", " </answer>"), "no spaces inside"),
    (lambda p: sft_target(p, "cot").replace(f"<answer>{p.answer:02d}",
                                            f"<answer>{(p.answer + 1) % 100:02d}"),
     "not the problem's answer"),
    (lambda p: "<think>" + " ".join(p.worked_steps()[:-1]) + f"</think><answer>{p.answer:02d}</answer>",
     "write one per step"),
    (_one_digit_values, "two digits (04, not 4)"),
    (_no_modulus, "wraps around"),
    (lambda p: None, "returned NoneType"),
    (lambda p: 42, "returned int"),
    (lambda p: list(sft_target(p, "cot")), "returned list"),
    (lambda p: p.nonexistent, "raised AttributeError"),
])
def test_check_cot_target_rejects_wrong_targets(fn, says, capsys):
    """Near-miss targets, non-strings and crashing functions fail with a ❌ line that says what is
    wrong, without raising and without writing the right target."""
    assert check_cot_target(fn) is False
    out = verdict(capsys, False, says)
    assert "expected" not in out
    mine = re.search(r"you wrote ('.*?'):", out)  # the learner's text may hold the target: cut it
    out = out.replace(mine.group(1), "") if mine else out
    problems = make_problems(25, 1, "train") + make_problems(75, 3, "train")
    assert not any(sft_target(p, "cot") in out for p in problems)


# --- check_extra_tokens ------------------------------------------------------------------------

COST = {
    "answer-only": {"tokens_per_answer": 4.0, "tokens_by_steps": {1: 4.0, 2: 4.0, 3: 4.0, 4: 4.0,
                                                                  5: 4.0, 6: 3.98}},
    "chain-of-thought": {"tokens_per_answer": 22.88,
                         "tokens_by_steps": {1: 13.0, 2: 21.0, 3: 29.0, 4: 37.0, 5: 23.5, 6: 13.8}},
}


def test_check_extra_tokens_accepts_the_difference(capsys):
    assert check_extra_tokens(33.0, COST) is True
    assert check_extra_tokens(33, COST) is True
    verdict(capsys, True)


@pytest.mark.parametrize("extra, says", [
    (-33.0, "answer-only minus chain of thought"),
    (37.0, "subtract what answer-only writes"),
    (22.88 - 4.0, "every step count"),
    (37.0 / 4.0, "ratio"),
    (33.0 / 4, "per step"),
    (30.0, "too low"),
    (40.0, "too high"),
    (None, "should be a number"),
])
def test_check_extra_tokens_rejects_with_a_hint(extra, says, capsys):
    assert check_extra_tokens(extra, COST) is False
    out = verdict(capsys, False, says)
    if isinstance(extra, float):
        out = out.replace(f"{extra:.3f}", "")  # the learner's own answer may be printed
    assert "33.0" not in out


def test_check_extra_tokens_needs_the_cost_dict(capsys):
    for bad in (None, {}, {"answer-only": {}}, {"answer-only": COST["answer-only"]}, [1, 2],
                {"answer-only": 4, "chain-of-thought": 37}):
        assert check_extra_tokens(33.0, bad) is False
        verdict(capsys, False, "cost should be the dict")


# --- check_prefix_prediction (lesson 2) --------------------------------------------------------

def length_limited(most: int):
    """A CoT model that writes equations, right ones, until its thought holds `most`, then answers
    with the last result: what the CoT model of lesson 2 does on problems longer than trained."""
    def answer_of(prompt):
        q, given = prompt.split("Q: ", 1)[1].split("\nA: ", 1)
        p = parse_question(q)
        have = len(given.replace("<think>", "").split())
        eqs = p.worked_steps()[have:most]
        v = p.values[max(have, len(eqs) + have) - 1]
        head = "" if given else "<think>"
        return head + " ".join(eqs) + f"</think><answer>{v:02d}</answer>"
    return answer_of


@pytest.fixture
def test_problems():
    return make_dataset(12, (3, 5), "test", seed=1)


def test_check_prefix_prediction_on_a_model_that_counts_equations(test_problems, monkeypatch, capsys):
    """A model that stops at four equations gains nothing from two given ones: the check says so."""
    monkeypatch.setattr(evaluation, "generate", fake_generate(length_limited(4)))
    assert check_prefix_prediction(0.05, None, None, test_problems) is True
    verdict(capsys, True, "12 held-out 5-step problems", "with the first 2 equations given: 0.00",
            "most often 4", "last equation written: 1.00", "3-step problems (no help): 1.00",
            "barely helped")
    assert check_prefix_prediction(0.9, None, None, test_problems) is False
    verdict(capsys, False, "0.90 too high")


def test_check_prefix_prediction_on_a_model_that_runs_the_procedure(test_problems, monkeypatch,
                                                                    capsys):
    monkeypatch.setattr(evaluation, "generate", fake_generate(length_limited(99)))
    assert check_prefix_prediction(1.0, None, None, test_problems) is True
    verdict(capsys, True, "given: 1.00", "needed no head start")


def test_check_prefix_prediction_refuses_before_measuring(test_problems, monkeypatch, capsys):
    gen = fake_generate(length_limited(4))
    monkeypatch.setattr(evaluation, "generate", gen)
    for bad, says in ((None, "is empty"), ("high", "should be a number"), (-0.1, "outside")):
        assert check_prefix_prediction(bad, None, None, test_problems) is False
        verdict(capsys, False, says)
    assert gen.calls == 0
    assert check_prefix_prediction(0.5, None, None, make_dataset(3, (1,), "test")) is False
    verdict(capsys, False, "no 5-step problems")


def test_check_prefix_prediction_end_to_end(tiny, test_problems, capsys):
    """On the (untrained) tiny model: it runs, measures and never raises."""
    model, tok = tiny
    assert check_prefix_prediction(0.5, model, tok, test_problems, max_new_tokens=6, n=3) is False
    verdict(capsys, False, "measured on 3 held-out 5-step problems")


# --- check_format_reward -----------------------------------------------------------------------

def test_format_cases_agree_with_the_course_rewards():
    """The table's format and accuracy rewards are what rewards.format_reward and accuracy_reward
    give (tests/test_rewards.py runs the same table, case by case)."""
    completions = [c for c, _, _, _ in FORMAT_CASES]
    assert format_reward(completions) == [f for _, f, _, _ in FORMAT_CASES]
    assert accuracy_reward(completions, answer=[40] * len(completions)) == \
        [a for _, _, a, _ in FORMAT_CASES]
    assert {f for _, f, _, _ in FORMAT_CASES} == {0.0, 1.0}


@pytest.mark.parametrize("trick", ["-40", "4.5", "12345", "４０"])
def test_format_cases_hold_the_number_tricks(trick):
    assert (f"<think>x</think><answer>{trick}</answer>", 0.0, 0.0) in \
        [(c, f, a) for c, f, a, _ in FORMAT_CASES]


def test_format_cases_hold_non_strings():
    kinds = {type(c) for c, _, _, _ in FORMAT_CASES}
    assert {str, list, type(None), int} <= kinds


SHAPE = re.compile(r"\s*<think>(.*?)</think>\s*<answer>(.*?)</answer>\s*", re.DOTALL)
TAG = re.compile(r"</?(?:think|answer)>")


def regex_reward(number: str, strings_only: bool = True, read_messages: bool = False):
    """A format reward that accepts `number` as the answer; otherwise like the solution's."""
    def reward(completions, **kwargs):
        out = []
        for c in completions:
            if read_messages and isinstance(c, list) and c and isinstance(c[-1], dict):
                c = c[-1].get("content")
            if strings_only and not isinstance(c, str):
                out.append(0.0)
                continue
            m = SHAPE.fullmatch(c)
            ok = (m is not None and not TAG.search(m.group(1)) and not TAG.search(m.group(2))
                  and re.fullmatch(rf"\s*{number}\s*", m.group(2)) is not None)
            out.append(1.0 if ok else 0.0)
        return out
    return reward


@pytest.mark.parametrize("fn", [
    format_reward,
    regex_reward("[0-9]{1,3}"),  # the solution: non-strings pay 0.0
    regex_reward("[0-9]{1,3}", read_messages=True),  # reads conversational completions
])
def test_check_format_reward_accepts_correct_rewards(fn, capsys):
    assert check_format_reward(fn) is True
    verdict(capsys, True, f"all {len(FORMAT_CASES)} cases")


def lax_reward(completions, **kwargs):
    """Wrong: pays whenever both tags appear somewhere."""
    return [float("<think>" in c and "<answer>" in c) for c in completions]


@pytest.mark.parametrize("fn, says", [
    (lax_reward, "raised TypeError"),  # `in` on None
    (lambda completions, **kw: [float(isinstance(c, str) and "<think>" in c and "<answer>" in c)
                                for c in completions], "(two answers): your reward paid 1.0"),
    (lambda completions, **kw: [1.0] * len(completions), "(no think block: the format fails)"),
    (lambda completions, **kw: [0.0] * len(completions), "(well formed): your reward paid 0.0"),
    (lambda completions, **kw: 1 / 0, "your reward raised ZeroDivisionError"),
    (lambda completions: [1.0], "**kwargs"),  # trl passes the answer column as a keyword
    (lambda completions, **kw: [1.0], f"expected a list of {len(FORMAT_CASES)} numbers"),
    (lambda completions, **kw: None, "got NoneType"),
    (lambda completions, **kw: 1.0, "expected a list of"),
    (lambda completions, **kw: [c == c for c in completions], "each reward should be a float"),
    (regex_reward(r"\d+"), "full-width digits"),  # \d matches '４０'
    (regex_reward(r"-?[0-9]+"), "a negative number"),
    (regex_reward(r"[0-9.]+"), "a decimal number"),
    (regex_reward(r"[0-9]+"), "five digits"),
    (regex_reward("[0-9]{1,3}", strings_only=False), "raised TypeError"),
])
def test_check_format_reward_rejects_wrong_rewards(fn, says, capsys):
    """Lax, crashing or wrongly shaped rewards fail with a ❌ line that says why, without raising."""
    assert check_format_reward(fn) is False
    verdict(capsys, False, says)


def test_check_format_reward_names_the_completion_that_raises(capsys):
    check_format_reward(regex_reward("[0-9]{1,3}", strings_only=False))
    verdict(capsys, False, "on [{'role': 'assistant'", "must never raise")


# --- check_first_reaching ----------------------------------------------------------------------

def _log():
    """Format 0 until step 10, then 1 (final 1.0: its 10-step mean reaches 0.8 at step 18);
    accuracy 0 until step 40, then 0.5 (final 0.5: the mean reaches 0.4 at step 48)."""
    return [{"step": s, "rewards/format_reward/mean": float(s > 10),
             "rewards/accuracy_reward/mean": 0.5 * (s > 40), "loss": 0.0} for s in range(1, 101)]


@pytest.mark.parametrize("fmt, acc", [(18, 48), (17, 49), (19, 47)])
def test_check_first_reaching_accepts_the_steps(fmt, acc, capsys):
    assert check_first_reaching(fmt, acc, _log()) is True
    verdict(capsys, True, "RL learned the format first")


@pytest.mark.parametrize("fmt, acc, says", [
    (11, 48, "one lucky update is not the trend"),
    (30, 48, "format_update = 30: too late"),
    (18, 30, "accuracy_update = 30: too early"),
    (None, 48, "format_update is empty"),
    (18, "48", "should be a number"),
])
def test_check_first_reaching_rejects_with_a_hint(fmt, acc, says, capsys):
    assert check_first_reaching(fmt, acc, _log()) is False
    out = verdict(capsys, False, says)
    if isinstance(fmt, int) and isinstance(acc, int):  # the right steps are never printed
        assert "18" not in out and "48" not in out


def test_check_first_reaching_on_the_shipped_log(capsys):
    """The course's RL log: the solution's answer passes."""
    import json

    from lessons_lib.paths import CHECKPOINTS
    log = json.loads((CHECKPOINTS / "03_rl" / "log_history.json").read_text())

    def first(key, n=10):
        xs = [r[key] for r in log if key in r]
        steps = [r["step"] for r in log if key in r]
        final = sum(xs[-n:]) / n
        for i in range(len(xs)):
            w = xs[max(0, i - n + 1):i + 1]
            if sum(w) / len(w) >= 0.8 * final:
                return steps[i]
    assert check_first_reaching(first("rewards/format_reward/mean"),
                                first("rewards/accuracy_reward/mean"), log) is True
    assert check_first_reaching(1, 1, []) is False
    verdict(capsys, False, "no 'rewards/format_reward/mean' entries")


# --- check_temperature_prediction (lesson 3) ---------------------------------------------------

def sampler(model, tokenizer, prompts, max_new_tokens=64, do_sample=False, temperature=1.0,
            num_return_sequences=1, **kwargs):
    """At temperature 1 each group is half right, half wrong; below, every sample is right."""
    sampler.calls += 1
    out = []
    for prompt in prompts:
        p = parse_question(prompt.split("User: ", 1)[1].split("\n", 1)[0])
        for j in range(num_return_sequences):
            a = p.answer if temperature < 1 or j % 2 else (p.answer + 1) % 100
            out.append(f"<think>x</think><answer>{a:02d}</answer>")
    return out


def test_check_temperature_prediction_on_a_fake_sampler(monkeypatch, capsys):
    sampler.calls = 0
    monkeypatch.setattr(evaluation, "generate", sampler)
    assert check_temperature_prediction(0.9, None, None) is True
    verdict(capsys, True, "16 prompts x 8 samples", "temperature 1: 0.00", "temperature 0.3: 1.00",
            "teaches GRPO nothing")
    assert check_temperature_prediction(0.1, None, None, n_prompts=6, group=4) is False
    verdict(capsys, False, "6 prompts x 4 samples", "0.90 too low")
    assert sampler.calls == 4


def test_check_temperature_prediction_refuses_before_measuring(monkeypatch, capsys):
    sampler.calls = 0
    monkeypatch.setattr(evaluation, "generate", sampler)
    for bad in (None, "higher", 2.0):
        assert check_temperature_prediction(bad, None, None) is False
        verdict(capsys, False, "predicted")
    assert sampler.calls == 0


def test_check_temperature_prediction_end_to_end(tiny, capsys):
    model, tok = tiny
    result = check_temperature_prediction(0.5, model, tok, n_prompts=2, group=2, max_new_tokens=4)
    assert result in (True, False)
    out = capsys.readouterr().out
    assert "measured on 2 prompts x 2 samples" in out and "What it means" in out
    assert not math.isnan(float(re.search(r"temperature 0.3: ([0-9.]+)", out).group(1)))
