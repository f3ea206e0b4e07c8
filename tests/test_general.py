"""General requests (lesson 4's non-reasoning data): the requests, their records and their reward."""
import pytest
from hypothesis import given, strategies as st

from lessons_lib.worlds.general import KINDS, general_reply, general_reward, records, requests
from lessons_lib.formats import r1_zero_prompt
from lessons_lib.worlds.chain import parse_question, split_of

# (completion, reward for the target 'hello', why): any target works the same way
CASES = [
    ("<think></think><answer>hello</answer>", 1.0, "the brief reply"),
    (" <think> </think>\n<answer> hello </answer>\n", 1.0, "whitespace around the blocks"),
    ("<think>hello</think><answer>hello</answer>", 0.0, "a thought where none is needed"),
    ("<think>04+6=10</think><answer>hello</answer>", 0.0, "a reasoning thought"),
    ("<answer>hello</answer>", 0.0, "no think block"),
    ("<think></think><answer>hello</answer><answer>hello</answer>", 0.0, "two answers"),
    ("<think></think><answer>hello hello</answer>", 0.0, "more than the answer"),
    ("<think></think><answer>Hello</answer>", 0.0, "another answer"),
    ("<think></think><answer>hello</answer> hello", 0.0, "text after the answer"),
    ("hello", 0.0, "no tags"),
    ("", 0.0, "nothing"),
]


@pytest.mark.parametrize("completion, want, why", CASES)
def test_general_reward_table(completion, want, why):
    assert general_reward([completion], target=["hello"]) == [want], why


@given(st.text())
def test_general_reward_never_raises(text):
    assert general_reward([text], target=["37+8"])[0] in (0.0, 1.0)


def test_general_reward_scores_nothing_on_reasoning_rows_and_checks_lengths():
    """A row without a target (a reasoning problem in a mixed batch) gets None, which trl leaves
    out of the weighted sum; a caller passing the wrong number of targets hears about it."""
    assert general_reward(["<think></think><answer>40</answer>"], target=[None]) == [None]
    with pytest.raises(ValueError, match="one per completion"):
        general_reward(["a", "b"], target=["x"])


def test_requests_cover_every_kind_and_answer_right():
    reqs = requests(40, "test", seed=3)
    assert len(reqs) == 40 and {r["kind"] for r in reqs} == set(KINDS)
    for r in reqs:
        q, t = r["question"], r["target"]
        if r["kind"] == "greeting":
            assert t == "hi"
        elif r["kind"] == "first":
            assert q.startswith("the first number in ") and parse_question(q[20:]).start == int(t)
        else:  # a translation keeps the problem and changes its notation
            src = q.split(": ", 1)[1]
            assert parse_question(src) == parse_question(t) and src != t
            assert ("plus" in t or "minus" in t) == (r["kind"] == "to_words")
            assert split_of(parse_question(t)) == "test"


def test_requests_are_deterministic_and_differ_by_split():
    assert requests(20, "train", 1) == requests(20, "train", 1)
    rewrites = lambda split: {r["question"] for r in requests(40, split, 0) if r["kind"] != "greeting"}
    assert not rewrites("train") & rewrites("test")


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(n=4, split="dev"), dict(n=4, kinds=("poem",))])
def test_requests_reject_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        requests(**kwargs)


def test_records_are_the_brief_reply_under_the_template():
    for rec in records(8):
        assert rec["prompt"].startswith(r1_zero_prompt("")[:20])
        assert rec["completion"] == " " + general_reply(rec["target"])
        assert general_reward([rec["completion"]], target=[rec["target"]]) == [1.0]
