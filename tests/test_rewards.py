"""The R1-Zero rewards: right answers and well-formed outputs pay, tricks do not, nothing raises."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.rewards import (TEMPLATE, accuracy_reward, checked_answer, format_reward,
                                 parse_completion, r1_zero_prompt)

GOOD = "<think>37+8=45 45-5=40</think><answer>40</answer>"

# (completion, format reward, accuracy reward for the true answer 40)
TABLE = [
    (GOOD, 1.0, 1.0),
    ("  <think>x</think>\n<answer> 40 </answer>\n", 1.0, 1.0),           # whitespace is fine
    ("<think>x</think><answer>040</answer>", 1.0, 1.0),                  # leading zero, same int
    ("<think>x</think><answer>41</answer>", 1.0, 0.0),                   # wrong answer
    ("<answer>40</answer>", 0.0, 1.0),                                   # no thinking: format fails
    ("<think>x</think><answer>40</answer><answer>41</answer>", 0.0, 0.0),  # several answers
    ("<think>x</think><answer>40</answer><answer>40</answer>", 0.0, 0.0),  # even if equal
    ("<think>x</think><answer>" + " ".join(map(str, range(100))) + "</answer>", 0.0, 0.0),  # all
    ("<think>x</think><answer>30-50</answer>", 0.0, 0.0),                # a range
    ("<think>x</think><answer>40, 41</answer>", 0.0, 0.0),               # a list
    ("<think>x</think><answer></answer> 40", 0.0, 0.0),                  # answer outside the tags
    ("<think>x</think> 40", 0.0, 0.0),
    ("<think>x<answer>40</answer></think>", 0.0, 0.0),                   # nested in the thoughts
    ("<think>x</think><answer><answer>40</answer></answer>", 0.0, 0.0),  # nested answers
    ("<think>x</think><answer>40", 0.0, 0.0),                            # unbalanced
    ("<think>x<answer>40</answer>", 0.0, 0.0),                           # unclosed think
    ("<think>a</think><think>b</think><answer>40</answer>", 0.0, 0.0),   # two think blocks
    ("<think>x</think><answer>40</answer> and also 41", 0.0, 0.0),       # text after the answer
    ("<think>x</think><answer>forty</answer>", 0.0, 0.0),
    ("<think>x</think><answer>40.0</answer>", 0.0, 0.0),
    ("<think>x</think><answer>-60</answer>", 0.0, 0.0),                  # not 0-99
    ("", 0.0, 0.0),
]


@pytest.mark.parametrize("completion, fmt, acc", TABLE)
def test_trick_table(completion, fmt, acc):
    """Each entry of the table of tricks gets exactly the rewards it deserves."""
    assert format_reward([completion]) == [fmt]
    assert accuracy_reward([completion], answer=[40]) == [acc]


@given(st.text())
def test_rewards_never_raise_on_any_text(text):
    """Any string gets a reward of 0.0 or 1.0, never an exception."""
    assert format_reward([text])[0] in (0.0, 1.0)
    assert accuracy_reward([text], answer=[7])[0] in (0.0, 1.0)
    parse_completion(text)
    checked_answer(text)


@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.integers())))
def test_rewards_never_raise_on_non_strings(thing):
    """Non-string completions (a bug upstream) score 0.0 instead of crashing the trainer."""
    assert format_reward([thing]) == [0.0]
    assert accuracy_reward([thing], answer=[1]) == [0.0]


@given(st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=60),
       st.integers(0, 99), st.integers(0, 99))
def test_well_formed_completions_pay_exactly_when_right(thoughts, given_answer, truth):
    """With clean thoughts, format pays 1 and accuracy pays 1 only for the true answer."""
    c = f"<think>{thoughts}</think><answer>{given_answer}</answer>"
    assert format_reward([c]) == [1.0]
    assert accuracy_reward([c], answer=[truth]) == [float(given_answer == truth)]


@given(st.lists(st.integers(0, 99), min_size=2, max_size=5, unique=True))
def test_listing_several_answers_never_pays(answers):
    """However the candidates are packed, listing several answers earns nothing."""
    joined = [" ".join(map(str, answers)), ",".join(map(str, answers)),
              "".join(f"<answer>{a}</answer>" for a in answers)]
    for body in joined:
        c = f"<think>x</think><answer>{body}</answer>" if "<answer>" not in body else f"<think>x</think>{body}"
        assert accuracy_reward([c], answer=[answers[0]]) == [0.0]


def test_trl_signature_and_conversational_completions():
    """trl passes dataset columns as keywords, and message lists for conversational data."""
    msgs = [[{"role": "assistant", "content": GOOD}]]
    assert format_reward(msgs, answer=[40], prompts=["p"]) == [1.0]
    assert accuracy_reward(msgs, answer=[40], prompts=["p"], steps=[2]) == [1.0]
    assert accuracy_reward([GOOD], answer=["40"]) == [1.0]      # answers stored as strings
    assert accuracy_reward([GOOD], answer=[None]) == [0.0]      # a broken answer column


def test_template_asks_for_the_tags_and_holds_the_question():
    """The R1-Zero template names both tag pairs and ends where the assistant starts."""
    p = r1_zero_prompt("37+8-5")
    assert "<think> </think>" in TEMPLATE and "<answer> </answer>" in TEMPLATE
    assert "User: 37+8-5" in p and p.endswith("Assistant:")
