"""Tests of lessons_lib.worlds.chain_thoughts: reading thoughts back, loops, language mixing and readability."""
import pytest
from hypothesis import given, strategies as st

from lessons_lib.formats import thought_text
from lessons_lib.worlds.chain_thoughts import has_loop, is_mixed, readability, steps_in, thought_stats

CLEAN = "04+6=10 10-3=07"
MIXED = "04+6=10, 10 minus 3 makes 07"


# --- steps_in, has_loop, is_mixed --------------------------------------------------------------

def test_steps_in_reads_both_notations_in_order():
    text = "first 04+6=10, then 10 minus 3 makes 07 and 07 plus 9 is 16 16-1=15"
    assert steps_in(text) == [(4, "+", 6, 10, "symbols"), (10, "-", 3, 7, "words"),
                              (7, "+", 9, 16, "words"), (16, "-", 1, 15, "symbols")]
    assert steps_in("the answer is 07") == []
    assert steps_in("") == []


@pytest.mark.parametrize("text, loop", [
    ("10-3=07 10-3=07 10-3=07 ", True),
    ("plus plus plus ", True),
    ("abcdabcdabcd", True),
    ("10-3=07 10-3=07 ", False),  # twice is not a loop
    ("aaa", False),  # shorter than 4 characters in all
    (CLEAN, False),
    (MIXED, False),
    ("", False),
    (None, False),
])
def test_has_loop(text, loop):
    assert has_loop(text) is loop


@pytest.mark.parametrize("text", [
    "10-3=07 10-3=07 10-3=07",
    "plus plus plus",
    "<think>10-3=07 10-3=07 10-3=07</think><answer>07</answer>",  # a looping thought, closed
])
def test_has_loop_on_the_docstring_examples(text):
    """thoughts.py names the first two as loops, written exactly like this."""
    assert has_loop(text)
    assert thought_stats([text])["loops"] == 1.0


def test_is_mixed():
    assert is_mixed(MIXED)
    assert not is_mixed(CLEAN)
    assert not is_mixed("04 plus 6 makes 10")
    assert not is_mixed("no steps")


# --- readability -------------------------------------------------------------------------------

@pytest.mark.parametrize("thought, score", [
    (CLEAN, 1.0),
    ("first 04+6=10, then 10-3=07. so the answer", 1.0),  # connecting words count
    ("04+6=10 10-3=07 so 07", 19 / 21),  # a bare number is neither a step nor a connective
    ("04 plus 6 makes 10 10 minus 3 is 07", 1.0),
    (MIXED, 1.0),  # mixing notations is counted by is_mixed, not here
    ("04+6=10 20-3=17", 0.5),  # the second step does not start where the first ended
    ("04+6=10 1=0-3 7", 9 / 15),  # 9 of 15 characters are a step or spaces
    ("", 0.0),
    ("   \n", 0.0),
    ("so the answer is 07", 0.0),  # no step at all
    ("xq zz 9 :: 1", 0.0),
])
def test_readability_values(thought, score):
    assert readability(thought) == pytest.approx(score)


def test_junk_reads_worse_than_a_clean_thought():
    junk = "04+6=10 10-3=07 qqqq zzzz 77"
    assert 0 < readability(junk) < readability(CLEAN)


# --- thought_stats -----------------------------------------------------------------------------

def test_thought_stats_on_a_hand_made_list():
    completions = [
        f"<think>{CLEAN}</think><answer>07</answer>",              # symbols, readable
        f"<think>{MIXED}</think><answer>07</answer>",              # mixed, readable
        "04 plus 6 makes 10 <answer>10</answer>",                  # words, no think block
        "<think>" + "10-3=07 " * 3 + "</think><answer>07</answer>",  # a loop (symbols, chained 0)
        "<answer>07</answer>",                                     # no steps
    ]
    s = thought_stats(completions)
    assert set(s) == {"loops", "mixed", "symbols", "words", "no_steps", "readability"}
    assert s["loops"] == pytest.approx(1 / 5)
    assert s["no_steps"] == pytest.approx(1 / 5)
    assert s["mixed"] == pytest.approx(1 / 4)  # over the 4 thoughts with steps
    assert s["symbols"] == pytest.approx(2 / 4)
    assert s["words"] == pytest.approx(1 / 4)
    loop_score = readability(("10-3=07 " * 3).strip())
    assert loop_score == pytest.approx(1 / 3)  # three steps, none follows on from the one before
    assert s["readability"] == pytest.approx((1 + 1 + 1 + loop_score + 0) / 5)


@pytest.mark.parametrize("completions, match", [
    ([None], r"item 0 is NoneType \(None\); pass the decoded strings"),
    (["<think>x</think>", 3], r"item 1 is int"),
    ([b"<think>x</think>"], r"item 0 is bytes"),
    ("<think>04+6=10</think><answer>10</answer>", r"a list of completions, not one string"),
])
def test_thought_stats_rejects_what_is_not_a_list_of_strings(completions, match):
    """A non-string completion is a caller's bug (not model output): a TypeError says what to pass."""
    with pytest.raises(TypeError, match=match):
        thought_stats(completions)


def test_thought_stats_reads_thoughts_before_the_answer():
    """Without a think block, the thought is the text before <answer> (formats.thought_text)."""
    s = thought_stats(["04 plus 6 makes 10 <answer>10</answer>"])
    assert s["words"] == 1.0 and s["no_steps"] == 0.0


def test_thought_stats_of_nothing():
    """An empty list and thoughts without steps give zeros, not a division by zero."""
    assert thought_stats([]) == dict(loops=0.0, mixed=0.0, symbols=0.0, words=0.0, no_steps=0.0,
                                     readability=0.0)
    assert thought_stats(["", "x"])["no_steps"] == 1.0


# --- never raise -------------------------------------------------------------------------------

step_like = st.text(alphabet="0123456789+-= plusminakeis,<>/thnkwr\n", max_size=80)


@given(st.one_of(st.text(max_size=200), step_like))
def test_nothing_raises_and_readability_stays_in_range(text):
    """Any text is read without an exception; readability is in [0, 1]."""
    t = thought_text(text, before_answer=True)
    assert isinstance(t, str)
    assert 0.0 <= readability(text) <= 1.0
    assert 0.0 <= readability(t) <= 1.0
    assert isinstance(has_loop(text), bool) and isinstance(is_mixed(text), bool)
    for a, op, x, v, notation in steps_in(text):
        assert op in "+-" and notation in ("symbols", "words")
    s = thought_stats([text, t])
    assert all(0.0 <= v <= 1.0 for v in s.values())


def test_language_share_and_consistency():
    """The share of a thought's steps in the question's notation; None without a step. With the
    questions' languages, thought_stats averages it over the thoughts that hold a step."""
    from lessons_lib.worlds.chain_thoughts import language_share

    mixed = "04+6=10, 10 minus 3 makes 07"
    assert language_share(mixed, "words") == 0.5 and language_share("04+6=10", "symbols") == 1.0
    assert language_share("no steps here", "words") is None and language_share(None, "words") is None
    stats = thought_stats([f"<think>{mixed}</think>", "<think>04+6=10</think>", "<think>hm</think>"],
                          ["words", "words", "symbols"])
    assert stats["consistency"] == pytest.approx(0.25)
    assert "consistency" not in thought_stats(["<think>04+6=10</think>"])
    with pytest.raises(ValueError, match="one per completion"):
        thought_stats(["a", "b"], ["words"])
