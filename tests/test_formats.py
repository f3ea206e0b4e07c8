"""Tests of lessons_lib.formats: prompts, targets, tags, notations, and reading completions back."""
import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from lessons_lib.formats import (
    ANSWER_CLOSE, ANSWER_OPEN, COMPLETION_RE, FORMATS, R1_ZERO_TEMPLATE, TAG_RE, TEMPLATE, THINK_CLOSE, THINK_OPEN, extract_answer, r1_zero_prompt, sft_prompt, short_prompt, thought_text,
)
from lessons_lib.worlds.chain import (
    NOTATIONS, SYMBOL_STEP, WORD_STEP, notation_of, parse_equations, sft_target, to_records,
)
from lessons_lib.worlds.chain import make_problems


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


# (completion, thought_text, thought_text with before_answer=True)
THOUGHTS = [
    ("<think>37+8=45 45-5=40</think><answer>40</answer>", "37+8=45 45-5=40", "37+8=45 45-5=40"),
    ("<think> 04+6=10 </think><answer>10</answer>", "04+6=10", "04+6=10"),  # stripped
    ("<think>a\nb</think> text <answer>1</answer>", "a\nb", "a\nb"),
    ("<think></think><answer>1</answer>", "", ""),
    ("<think>one</think><think>two</think>", "one", "one"),
    # no closed think block: nothing, or the text before the answer with stray tags removed
    ("04+6=10 so <answer>10</answer>", "", "04+6=10 so"),
    ("04+6=10 </think> then <answer>10</answer> 11", "", "04+6=10   then"),
    ("<think>unclosed 04+6=10", "", "unclosed 04+6=10"),
    ("<answer>1</answer>", "", ""),
    ("just text", "", "just text"),
    ("", "", ""),
]


@pytest.mark.parametrize("completion, inside, before", THOUGHTS)
def test_thought_text(completion, inside, before):
    """thought_text is what the first <think>...</think> holds (stripped); with before_answer=True
    a completion without one gives its text before <answer>, tags removed."""
    assert thought_text(completion) == inside
    assert thought_text(completion, before_answer=True) == before


@pytest.mark.parametrize("thing", [None, 3, b"<think>x</think>", ["<think>x</think>"]])
def test_thought_text_of_non_strings_is_empty(thing):
    assert thought_text(thing) == thought_text(thing, before_answer=True) == ""


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


# --- prompts -------------------------------------------------------------------------------------

def test_r1_zero_template_asks_for_the_tags_and_holds_the_question():
    """The course's template is R1-Zero's example of the format, word for word, then the
    conversation, ending where the assistant starts."""
    p = r1_zero_prompt("37+8-5")
    example = "<think> reasoning process here </think> <answer> answer here </answer>"
    assert TEMPLATE.startswith(example) and example in R1_ZERO_TEMPLATE
    assert "User: 37+8-5" in p and p.endswith("Assistant:")
    assert p == TEMPLATE.format(question="37+8-5")
    assert R1_ZERO_TEMPLATE.startswith("A conversation between User and Assistant.")
    assert R1_ZERO_TEMPLATE.endswith("User: {question}\nAssistant:")


def test_short_prompt_is_the_corpus_head(known_problem):
    assert short_prompt(known_problem.question) == "problem: 37+8-5+9\n"


# --- one grammar, defined here -------------------------------------------------------------------

def test_tag_regexes_follow_the_tag_constants(known_problem):
    """The regexes are built from the tag constants and read what sft_target writes."""
    assert (THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE) == (
        "<think>", "</think>", "<answer>", "</answer>")
    cot = sft_target(known_problem, "cot")
    m = COMPLETION_RE.fullmatch(cot)
    assert m and m["think"] == "37+8=45 45-5=40 40+9=49" and m["answer"] == "49"
    assert not COMPLETION_RE.fullmatch(sft_target(known_problem, "answer_only"))
    assert TAG_RE.findall(cot) == ["<think>", "</think>", "<answer>", "</answer>"]


@pytest.mark.parametrize("module", ["rewards", "worlds.chain_thoughts", "worlds.chain_rl", "worlds.chain_corpus", "evaluation", "widgets",
                                    "pretrain"])
def test_no_other_module_spells_the_tag_regexes(module):
    """formats owns the grammar: the modules that read completions compile no regex with a tag."""
    path = Path(importlib.import_module(f"lessons_lib.{module}").__file__)
    for line in path.read_text().splitlines():
        if re.search(r"re\.(compile|search|match|fullmatch|findall|sub)\(", line):
            assert "think" not in line and "answer" not in line, f"{path.name}: {line.strip()}"


@pytest.mark.parametrize("thought, kind", [
    ("04+6=10 10-3=07", "symbols"),
    ("04 plus 6 makes 10, 10 minus 3 is 07", "words"),
    ("04+6=10, 10 minus 3 makes 07", "mixed"),
    ("the answer is 07", "none"),
    ("4+6=10", "none"),  # values have two digits
    ("", "none"),
])
def test_notation_of(thought, kind):
    assert notation_of(thought) == kind


def test_step_regexes_read_both_notations():
    assert NOTATIONS == ("symbols", "words")
    assert SYMBOL_STEP.fullmatch("04+6=10").groups() == ("04", "+", "6", "10")
    assert WORD_STEP.fullmatch("10 minus 3 makes 07").groups() == ("10", "minus", "3", "07")
    assert WORD_STEP.fullmatch("10 plus 3 is 13").groups() == ("10", "plus", "3", "13")
    assert not WORD_STEP.fullmatch("10 minus 3 gives 07")
