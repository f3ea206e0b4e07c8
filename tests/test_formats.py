"""Tests of lessons_lib.formats: prompts, targets, records, and reading answers back."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.formats import (
    FORMATS, extract_answer, parse_equations, sft_prompt, sft_target, thought_text, to_records,
)
from lessons_lib.tasks import make_problems


def test_prompt_of_known_problem(known_problem):
    """The prompt is 'Q: <question>\\nA: ' for every format."""
    assert sft_prompt(known_problem) == "Q: 37+8-5+9\nA: "


def test_targets_of_known_problem(known_problem):
    """The exact cot and answer-only targets of 37+8-5+9."""
    assert sft_target(known_problem, "cot") == (
        "<think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>")
    assert sft_target(known_problem, "answer_only") == "<answer>49</answer>"


@pytest.mark.parametrize("fmt", ["COT", "chain_of_thought", "", None, "answer-only"])
def test_unknown_format_names_the_allowed_ones(known_problem, fmt):
    """An unknown format raises a ValueError that lists 'answer_only' and 'cot'."""
    with pytest.raises(ValueError, match=r"unknown format.*'answer_only', 'cot'"):
        sft_target(known_problem, fmt)
    with pytest.raises(ValueError, match="unknown format"):
        to_records([known_problem], fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_targets_read_back(fmt):
    """extract_answer reads each target's answer back; cot thoughts are the worked steps."""
    for p in make_problems(30, 4, "train", seed=5):
        target = sft_target(p, fmt)
        assert extract_answer(target) == p.answer
        assert thought_text(target) == (" ".join(p.worked_steps()) if fmt == "cot" else "")


def test_to_records(known_problem):
    """to_records gives prompt/completion records with steps and answer, in order."""
    ps = [known_problem] + make_problems(3, 2, "test")
    recs = to_records(ps, "cot")
    assert [r["prompt"] for r in recs] == [sft_prompt(p) for p in ps]
    assert [r["completion"] for r in recs] == [sft_target(p, "cot") for p in ps]
    assert recs[0] == {"prompt": "Q: 37+8-5+9\nA: ", "answer": 49, "steps": 3,
                       "completion": "<think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>"}
    assert to_records([], "cot") == []


@pytest.mark.parametrize("text, want", [
    ("<answer>49</answer>", 49),
    ("<answer>0</answer>", 0),
    ("<answer>05</answer>", 5),
    ("<answer> 7 </answer>", 7),
    ("<answer>\n12\n</answer>", 12),
    ("<answer>999</answer>", 999),
    ("<think>1+2=3</think><answer>3</answer>", 3),
    ("blah <answer>4</answer> then <answer>5</answer>", 4),  # the first one counts
    ("<answer>1000</answer>", None),  # more than three digits
    ("<answer>-3</answer>", None),
    ("<answer>+3</answer>", None),
    ("<answer>3.0</answer>", None),
    ("<answer>4 2</answer>", None),
    ("<answer>forty</answer>", None),
    ("<answer></answer>", None),
    ("<answer>²</answer>", None),  # str.isdigit() is True for it, int() is not
    ("<answer>٣</answer>", None),  # a non-ASCII digit
    ("<answer>12", None),
    ("12</answer>", None),
    ("12", None),
    ("", None),
    ("<ANSWER>12</ANSWER>", None),
    ("<answer><answer>5</answer></answer>", None),  # nested: the first span is '<answer>5'
    ("garbage \x00\xff\ufffd <answer>", None),
    (None, None),
    (b"<answer>5</answer>", None),
    (5, None),
])
def test_extract_answer_table(text, want):
    """extract_answer returns the int in the first closed answer tags, else None."""
    assert extract_answer(text) == want


@given(st.one_of(st.text(), st.builds("<answer>{}</answer>{}".format, st.text(), st.text())))
def test_extract_answer_never_raises(text):
    """extract_answer never raises; it returns None or an int from 0 to 999."""
    got = extract_answer(text)
    assert got is None or (type(got) is int and 0 <= got <= 999)


@pytest.mark.parametrize("text, want", [
    ("<think>37+8=45 45-5=40</think><answer>40</answer>", "37+8=45 45-5=40"),
    ("<think></think><answer>1</answer>", ""),
    ("<think>a\nb</think>", "a\nb"),
    ("<think>one</think><think>two</think>", "one"),
    ("<think>unclosed", ""),
    ("<answer>1</answer>", ""),
    ("", ""),
    (None, ""),
])
def test_thought_text(text, want):
    """thought_text returns what stands between the first <think> and </think>, else ''."""
    assert thought_text(text) == want


def test_parse_equations_reads_worked_steps(known_problem):
    """parse_equations returns (a, op, b, c) for each equation written in the thoughts."""
    thoughts = thought_text(sft_target(known_problem, "cot"))
    assert parse_equations(thoughts) == [(37, "+", 8, 45), (45, "-", 5, 40), (40, "+", 9, 49)]
    assert parse_equations("so 12+3=15, then 15-20=95!") == [(12, "+", 3, 15), (15, "-", 20, 95)]
    assert parse_equations("no equations here 1+2 = 3") == []
    assert parse_equations(None) == []


@given(st.text())
def test_parse_equations_never_raises(text):
    """parse_equations never raises on any text and returns int/op/int/int tuples."""
    for a, op, b, c in parse_equations(text):
        assert op in "+-" and all(type(x) is int for x in (a, b, c))
