"""The R1-Zero rewards: right answers and well-formed outputs pay, tricks do not, nothing raises."""
import pytest
from hypothesis import given, strategies as st

from lessons_lib.exercises import FORMAT_CASES
from lessons_lib.rewards import accuracy_reward, checked_answer, format_reward, parse_completion

GOOD = "<think>37+8=45 45-5=40</think><answer>40</answer>"

# (completion, format reward, accuracy reward for the true answer 40): the table of tricks that
# lesson 3's exercise checks a learner's format reward against, shared so the two cannot drift apart
TABLE = [(completion, fmt, acc) for completion, fmt, acc, _why in FORMAT_CASES]


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


@pytest.mark.parametrize("completions, answer", [
    ([GOOD], [40, 41, 42]),  # before: zip cut the answers short and scored one completion
    ([GOOD, GOOD, GOOD], [40]),
    ([GOOD], []),
])
def test_accuracy_reward_rejects_mismatched_lengths(completions, answer):
    """One true answer per completion: a length mismatch is the caller's bug and raises."""
    with pytest.raises(ValueError, match=rf"got {len(completions)} completion\(s\) but {len(answer)} "
                                         r"answer\(s\): pass one true answer per completion"):
        accuracy_reward(completions, answer=answer)


@pytest.mark.parametrize("answer", [40, "40", None])
def test_accuracy_reward_needs_a_list_of_answers(answer):
    with pytest.raises(TypeError, match=r"answer must be a list with one true answer per completion"):
        accuracy_reward([GOOD], answer=answer)


def test_empty_batches_score_nothing():
    assert accuracy_reward([], answer=[]) == [] and format_reward([]) == []


# --- math-verify (lesson 8) ------------------------------------------------------------------------
from lessons_lib.rewards import answer_block, math_verify_correct, math_verify_reward  # noqa: E402


def test_math_verify_reads_forms_the_rule_checker_refuses():
    forms = {"72": 1.0, "$72$": 1.0, r"\boxed{72}": 1.0, "72.0": 1.0, "144/2": 1.0, "71": 0.0, "seventy-two": 0.0}
    comps = [f"<think>x</think><answer>{f}</answer>" for f in forms]
    assert math_verify_reward(comps, ["#### 72"] * len(comps)) == list(forms.values())
    assert accuracy_reward(comps, [72] * len(comps)) == [1.0] + [0.0] * (len(comps) - 1)


def test_math_verify_reward_needs_an_answer_block_and_one_truth_each():
    assert math_verify_reward(["72", "<answer></answer>"], [72, 72]) == [0.0, 0.0]
    assert answer_block("a <answer> 5 </answer> b") == " 5 "
    assert answer_block("none") is None
    with pytest.raises(ValueError, match="one true answer per completion"):
        math_verify_reward(["<answer>1</answer>"], "1")
    with pytest.raises(ValueError, match="one true answer per completion"):
        math_verify_reward(["<answer>1</answer>"] * 2, ["1"])


def test_math_verify_correct_never_raises_on_garbage():
    for text, truth in [("", "1"), (None, "1"), ("1", None), ("\\frac{", "1"), ("1", True), ("}}}{{", "#### 3")]:
        assert math_verify_correct(text, truth) is False
    assert math_verify_correct("0.5", "1/2") is True
    assert math_verify_correct("1000", "#### 1,000") is True


def test_number_format_reward_takes_gsm8k_numbers_and_keeps_the_layout_strict():
    from lessons_lib.rewards import number_format_reward

    good = ["72", "-3", "1,250", "2.5", " 1000 "]
    bad = ["1,25", "72 apples", "$72$", "", "1.", "--3"]
    comps = [f"<think>x</think><answer>{a}</answer>" for a in good + bad]
    assert number_format_reward(comps) == [1.0] * len(good) + [0.0] * len(bad)
    assert number_format_reward(["<answer>72</answer>", "<think>x</think><answer>72</answer> more"]) == [0.0, 0.0]
