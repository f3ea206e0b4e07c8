"""Tests of lessons_lib.worlds.chain: the problems, their answers, the train/test split and input checks."""
import random
import re
from collections import Counter

import pytest
from hypothesis import given, strategies as st

from lessons_lib.worlds.chain import (
    MAX_STEPS, MIN_STEPS, MODULUS, Problem, make_dataset, make_problems, parse_question, random_problem, split_of,
)

starts = st.integers(0, MODULUS - 1)
op_lists = st.lists(st.tuples(st.sampled_from("+-"), st.integers(1, 9)),
                    min_size=MIN_STEPS, max_size=MAX_STEPS).map(tuple)
QUESTION_RE = r"[0-9]{1,2}(?:[+-][0-9])+"


def brute_answer(start, ops):
    """The answer computed another way: the exact integer total, reduced modulo 100 once."""
    return (start + sum(x if op == "+" else -x for op, x in ops)) % 100


def questions(problems):
    return [p.question for p in problems]


# --- determinism ------------------------------------------------------------------------------

def test_make_problems_is_deterministic_in_seed():
    """The same (n, steps, split, seed) gives the same problems; another seed gives others."""
    a = make_problems(40, 3, "train", seed=1)
    b = make_problems(40, 3, "train", seed=1)
    c = make_problems(40, 3, "train", seed=2)
    assert questions(a) == questions(b)
    assert questions(a) != questions(c)


def test_make_dataset_is_deterministic_and_in_step_order():
    """make_dataset repeats itself for a seed, differs for another, and sorts by step count."""
    a = make_dataset(10, [1, 3, 2], "test", seed=0)
    b = make_dataset(10, [1, 3, 2], "test", seed=0)
    c = make_dataset(10, [1, 3, 2], "test", seed=1)
    assert questions(a) == questions(b)
    assert questions(a) != questions(c)
    assert [p.steps for p in a] == [1] * 10 + [2] * 10 + [3] * 10
    assert questions(a[10:20]) == questions(make_problems(10, 2, "test", seed=0))


def test_make_dataset_with_counts_per_step():
    """A dict {steps: count} gives that many problems of each step count, in step order."""
    ps = make_dataset({3: 4, 1: 7}, split="train", seed=2)
    assert [p.steps for p in ps] == [1] * 7 + [3] * 4
    assert questions(ps) == questions(make_dataset({1: 7, 3: 4}, [3, 1], "train", seed=2))
    assert all(split_of(p) == "train" for p in ps)


def test_make_dataset_bad_arguments():
    """Step counts that disagree with the dict, or are missing, raise a ValueError saying so."""
    with pytest.raises(ValueError, match=r"steps \[1, 2\] disagree with the keys of n_per_step \[1, 3\]"):
        make_dataset({1: 2, 3: 2}, [1, 2], "train")
    with pytest.raises(ValueError, match="give the step counts"):
        make_dataset(5)


@pytest.mark.parametrize("steps", [1, 4, MAX_STEPS])
@pytest.mark.parametrize("split", ["train", "test"])
def test_make_problems_gives_n_distinct_problems_of_that_split(steps, split):
    """n problems, all distinct, all with `steps` operations, all from the asked split."""
    ps = make_problems(60, steps, split, seed=3)
    assert len(ps) == 60
    assert len(set(questions(ps))) == 60
    assert all(p.steps == steps for p in ps)
    assert all(split_of(p) == split for p in ps)
    assert all(0 <= p.start < MODULUS and all(1 <= x <= 9 for _, x in p.ops) for p in ps)


# --- answers and worked steps ------------------------------------------------------------------

@given(starts, op_lists)
def test_answer_matches_brute_force(start, ops):
    """Problem.answer equals the exact total modulo 100, and equals the last running value."""
    p = Problem(start, ops)
    assert p.answer == brute_answer(start, ops)
    assert p.values[-1] == p.answer
    assert len(p.values) == p.steps == len(ops)


@given(starts, op_lists)
def test_worked_steps_match_brute_force(start, ops):
    """Each worked step is 'a<op>x=v' with v = (a op x) mod 100, chained from start to answer."""
    p = Problem(start, ops)
    steps = p.worked_steps()
    assert len(steps) == len(ops)
    prev = start
    for line, (op, x) in zip(steps, ops):
        m = re.fullmatch(r"(\d+)([+-])(\d)=(\d+)", line)
        assert m, line
        a, got_op, got_x, v = int(m[1]), m[2], int(m[3]), int(m[4])
        assert (a, got_op, got_x) == (prev, op, x)
        assert v == (a + x if op == "+" else a - x) % 100
        prev = v
    assert prev == p.answer


def test_known_problem(known_problem):
    """The docstring example: 37+8-5+9 -> 37+8=45, 45-5=40, 40+9=49."""
    assert known_problem.question == "37+8-5+9"
    assert known_problem.worked_steps() == ["37+8=45", "45-5=40", "40+9=49"]
    assert known_problem.answer == 49


def test_wraparound_both_ways():
    """Carries past 99 and borrows below 0 wrap modulo 100."""
    assert Problem(95, (("+", 7),)).answer == 2
    assert Problem(3, (("-", 5),)).answer == 98
    assert Problem(3, (("-", 5), ("+", 9))).worked_steps() == ["03-5=98", "98+9=07"]


# --- parse_question ----------------------------------------------------------------------------

@given(starts, op_lists)
def test_parse_question_round_trip(start, ops):
    """parse_question inverts Problem.question (also with surrounding whitespace)."""
    p = Problem(start, ops)
    assert parse_question(p.question) == p
    assert parse_question(f"  {p.question}\n") == p


@pytest.mark.parametrize("text", [
    "", " ", "abc", "37", "37+", "+5", "-5+3", "37+10", "100+1", "37*2", "37 + 8", "37+8=45",
    "37+8-", "3a+4", "٣+4", "3+٤", "37+8\x00", "<answer>37+8</answer>", "37+0", "37+8-0",
])
def test_parse_question_rejects_garbage(text):
    """Anything that is not '<0-99>(+d|-d)+' raises a ValueError that shows the expected shape."""
    with pytest.raises(ValueError, match="not a toy-world question.*e.g. '37\\+8-5'"):
        parse_question(text)


@given(st.one_of(st.text(), st.from_regex(r"[0-9٣²a ]{0,3}([+\-*][0-9٣²]{1,2}){0,3}", fullmatch=True)))
def test_parse_question_only_accepts_canonical_questions(text):
    """On any text, parse_question raises ValueError or returns the problem that text spells."""
    try:
        p = parse_question(text)
    except ValueError:
        return
    stripped = text.strip()
    assert re.fullmatch(QUESTION_RE, stripped, flags=re.ASCII)
    start = re.match(r"[0-9]+", stripped)[0]
    assert p.question == f"{int(start):02d}" + stripped[len(start):]


# --- the split ---------------------------------------------------------------------------------

def test_train_and_test_splits_are_disjoint():
    """No question is drawn into both splits, across seeds and step counts."""
    train, test = set(), set()
    for seed in range(3):
        for steps in (1, 2, 3, 5):
            train |= set(questions(make_problems(150, steps, "train", seed=seed)))
            test |= set(questions(make_problems(150, steps, "test", seed=seed)))
    assert len(train) > 1000 and len(test) > 1000  # the draws overlap across seeds, not across splits
    assert train.isdisjoint(test)


def test_split_of_depends_on_the_question_only():
    """split_of gives the same side for a problem rebuilt from its text, whatever seed drew it."""
    drawn = make_problems(100, 2, "test", seed=7) + make_problems(100, 2, "train", seed=8)
    for p in drawn:
        assert split_of(parse_question(p.question)) == split_of(p)
        assert split_of(Problem(p.start, tuple(p.ops))) == split_of(p)


def test_split_partitions_all_one_step_problems_about_evenly():
    """All 1800 one-step problems are split close to 50/50, and make_problems respects it."""
    everything = [Problem(s, ((op, x),)) for s in range(100) for op in "+-" for x in range(1, 10)]
    side = {p.question: split_of(p) for p in everything}
    n_test = sum(v == "test" for v in side.values())
    assert 0.45 < n_test / len(everything) < 0.55
    for split in ("train", "test"):
        assert all(side[q] == split for q in questions(make_problems(500, 1, split, seed=0)))


def test_test_fraction_moves_the_split():
    """A larger test_fraction puts more problems on the test side."""
    ps = [random_problem(random.Random(i), 3) for i in range(2000)]
    small = sum(split_of(p, 0.1) == "test" for p in ps)
    large = sum(split_of(p, 0.9) == "test" for p in ps)
    assert small < 400 < 1600 < large


# --- the answer space --------------------------------------------------------------------------

def test_answers_cover_all_100_values_evenly():
    """Over many problems every answer 0-99 occurs, and none is more frequent than 2%."""
    ps = make_dataset(400, range(MIN_STEPS, MAX_STEPS + 1), "train", seed=0)
    counts = Counter(p.answer for p in ps)
    assert set(counts) == set(range(100))
    assert counts.most_common(1)[0][1] / len(ps) < 0.02


# --- bad inputs --------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(steps=0), ValueError, r"steps=0 is out of range.* 1 to 12 steps"),
    (dict(steps=13), ValueError, r"steps=13 is out of range.* 1 to 12 steps"),
    (dict(steps=-1), ValueError, r"1 to 12 steps"),
    (dict(steps="3"), TypeError, r"steps must be an int, got str"),
    (dict(steps=True), TypeError, r"steps must be an int, got bool"),
    (dict(steps=2.0), TypeError, r"steps must be an int, got float"),
    (dict(split="val"), ValueError, r"split must be 'train' or 'test', got 'val'"),
    (dict(split="TRAIN"), ValueError, r"split must be 'train' or 'test'"),
    (dict(n=-1), ValueError, r"n must be a non-negative int"),
    (dict(n=2.5), ValueError, r"n must be a non-negative int"),
    (dict(n=10**6, steps=1), ValueError, r"holds about 900; ask for at most 720"),
])
def test_make_problems_bad_inputs(kwargs, exc, match):
    """Out-of-range or mistyped arguments raise with a message naming what is allowed."""
    args = dict(n=5, steps=2, split="train") | kwargs
    with pytest.raises(exc, match=match):
        make_problems(**args)


def test_bad_steps_elsewhere():
    """random_problem and make_dataset check steps the same way."""
    with pytest.raises(ValueError, match="1 to 12"):
        random_problem(random.Random(0), 0)
    with pytest.raises(ValueError, match="1 to 12"):
        make_dataset(2, [1, 13], "train")
    with pytest.raises(TypeError, match="must be an int"):
        random_problem(random.Random(0), "2")


def test_largest_allowed_request_succeeds():
    """The limit quoted in the error message is itself allowed."""
    assert len(make_problems(720, 1, "test", seed=0)) == 720


@pytest.mark.parametrize("start, ops, exc, match", [
    (5, (("*", 3),), ValueError, r"operation 0 has the operator '\*'.*only adds and subtracts.*'\+', '-'"),
    (5, (("+", 1), ("x", 3)), ValueError, r"operation 1 has the operator 'x'"),
    (150, (("+", 1),), ValueError, r"start=150 is out of range.*from 0 to 99"),
    (-1, (("+", 1),), ValueError, r"start=-1 is out of range"),
    (5, (), ValueError, r"a problem has 1 to 12 operations \(MIN_STEPS to MAX_STEPS\), got 0"),
    (5, (("+", 1),) * 13, ValueError, r"1 to 12 operations.*got 13"),
    (5, (("+", 10),), ValueError, r"operation 0 has the operand 10: operands are one digit, from 1 to 9"),
    (5, (("-", 0),), ValueError, r"operand 0: operands are one digit, from 1 to 9"),
    ("37", (("+", 1),), TypeError, r"start must be an int from 0 to 99, got str \('37'\)"),
    (37.0, (("+", 1),), TypeError, r"start must be an int.*got float"),
    (True, (("+", 1),), TypeError, r"start must be an int.*got bool"),
    (5, (("+", 2.0),), TypeError,
     r"operation 0 has the operand 2.0 \(float\): operands are ints from 1 to 9"),
    (5, (("+", "3"),), TypeError, r"operand '3' \(str\)"),
    (5, (("+", True),), TypeError, r"operand True \(bool\)"),
    (5, ("+3",), TypeError, r"operation 0 must be an \(operator, operand\) pair"),
    (5, "+3", TypeError, r"ops must be a tuple of \(operator, operand\) pairs"),
])
def test_bad_problems_raise_clear_errors(start, ops, exc, match):
    """A Problem checks its start, operators and operands; before, '*' was taken as '-'."""
    with pytest.raises(exc, match=match):
        Problem(start, ops)


def test_problem_accepts_a_list_of_pairs():
    """ops given as a list is stored as a tuple, so the problem stays hashable and comparable."""
    p = Problem(37, [("+", 8), ("-", 5)])
    assert p.ops == (("+", 8), ("-", 5)) and p == Problem(37, (("+", 8), ("-", 5)))
    assert hash(p) == hash(Problem(37, (("+", 8), ("-", 5))))


def test_make_dataset_takes_a_read_only_mapping():
    """make_dataset accepts any mapping {steps: count}, e.g. the read-only ones of SFTBudget."""
    from types import MappingProxyType

    ps = make_dataset(MappingProxyType({1: 3, 2: 2}), split="train")
    assert [p.steps for p in ps] == [1, 1, 1, 2, 2]
