"""Lesson 7's verifiers: the forms of an answer, the learned verifier's data and reward, the gate,
and the process reward against tricks."""
import pytest
from hypothesis import given, strategies as st

from lessons_lib import lesson7_verifiers as V
from lessons_lib.rewards import accuracy_reward
from lessons_lib.worlds.chain import Problem

P = Problem(37, (("+", 8), ("-", 5)))  # 37+8=45, 45-5=40


def test_answer_forms():
    assert V.answer_text(P, 40, "plain") == "40"
    assert V.answer_text(P, 40, "sentence") == "the answer is 40."
    assert V.answer_text(P, 41, "words") == "45 minus 5 makes 41"
    with pytest.raises(ValueError, match="plain"):
        V.answer_text(P, 40, "roman")


def test_the_rule_checker_reads_only_the_plain_form():
    texts = [V.answer_text(P, 40, f) for f in V.ANSWER_FORMS]
    assert V.rule_verdicts(texts, [40] * 3) == [True, False, False]


def test_wrong_values_are_wrong():
    import random

    rng = random.Random(0)
    for start in range(0, 100, 7):
        p = Problem(start, (("+", 9),))
        assert all(V.wrong_values(p, rng) != p.answer for _ in range(20))


def test_verifier_records_are_balanced_and_labelled_right():
    rows = V.verifier_records(20, steps=(1, 3))
    assert len(rows) == 80 and sum(r["right"] for r in rows) == 40
    assert {r["form"] for r in rows} == set(V.ANSWER_FORMS)
    for r in rows:
        assert (V.stated_value(f"<answer>{r['answer']}</answer>") == r["truth"]) == r["right"]
        assert V.says_yes(r["completion"]) == r["right"]
        assert r["prompt"] == V.verifier_prompt(r["question"], r["truth"], r["answer"])
    assert V.verifier_records(5, split="test")[0]["question"] != rows[0]["question"]
    with pytest.raises(ValueError, match="form"):
        V.verifier_records(5, forms=("roman",))


def test_verdict_text_compares_digit_by_digit():
    assert V.verdict_text(41, 40) == "41 40: 44= 10/ no"
    assert V.verdict_text(7, 7) == "07 07: 00= 77= yes" and V.says_yes(V.verdict_text(7, 7))
    assert not V.says_yes("07 07: 00= 77= yesno") and not V.says_yes(None)


def test_precision_recall():
    out = V.precision_recall([True, True, False, False], [True, False, True, False])
    assert out["precision"] == 0.5 and out["recall"] == 0.5 and out["accuracy"] == 0.5
    assert out["false_positives"] == 1
    assert V.precision_recall([False], [True])["precision"] is None


class Scripted(V.LearnedVerifier):
    """A verifier that says yes to whatever `accept` approves: no model needed."""

    def __init__(self, accept):
        self.accept = accept

    def judge(self, questions, references, answers):
        return [self.accept(a, r) for a, r in zip(answers, references)]


def test_learned_verifier_as_a_reward():
    ver = Scripted(lambda a, r: "40" in a)
    comps = ["<think>x</think><answer>the answer is 40.</answer>", "<think>x</think><answer>41</answer>",
             "<think>x</think>", "<think>x</think><answer> </answer>"]
    assert ver(comps, question=["37+8-5"] * 4, answer=[40] * 4) == [1.0, 0.0, 0.0, 0.0]


def test_gate_trusts_the_rules_where_they_read_the_answer():
    fooled = Scripted(lambda a, r: True)  # says yes to everything
    gate = V.gated(fooled)
    comps = ["<think>x</think><answer>41</answer>", "<think>x</think><answer>40</answer>",
             "<think>x</think><answer>the answer is 41.</answer>"]
    assert gate(comps, answer=[40] * 3, question=["37+8-5"] * 3) == [0.0, 1.0, 1.0]


def test_adversarial_records_keep_only_accepted_wrong_answers():
    ver = Scripted(lambda a, r: True)
    comps = ["<think>x</think><answer>41</answer>", "<think>x</think><answer>40</answer>",
             "<think>x</think><answer>the answer is</answer>", "<think>x</think><answer>the answer is 40.</answer>",
             "<think>x</think><answer>41</answer>"]
    rows = V.adversarial_records(comps, ["37+8-5"] * 5, [40] * 5, ver)
    assert [r["answer"] for r in rows] == ["41", "the answer is"]  # right answers in any form, repeats: not
    assert [r["completion"] for r in rows] == ["41 40: 44= 10/ no", "-- 40: no"]
    assert not any(r["right"] for r in rows)


def test_pays_for_wrong_counts_only_wrong_answers():
    samples = [dict(question="37+8-5", answer=40, completion=f"<answer>{a}</answer>")
               for a in ("41", "the answer is 40.", "the answer is", "40")]
    pays = V.pays_for_wrong(samples, {"yes": Scripted(lambda a, r: True), "gate": V.gated(Scripted(lambda a, r: True)),
                                      "rule": accuracy_reward})
    assert pays == {"yes": 1.0, "gate": 0.5, "rule": 0.0}  # two wrong: '41' (the rules read it) and 'the answer is'


def test_learned_verifier_runs_a_real_model(tiny):
    model, tok = tiny
    ver = V.LearnedVerifier(model, tok)
    texts = ver.read(["37+8-5"], [40], ["40"])
    assert len(texts) == 1 and isinstance(texts[0], str)
    assert ver(["<think>x</think><answer>40</answer>"], question=["37+8-5"], answer=[40])[0] in (0.0, 1.0)
    with pytest.raises(ValueError, match="one of each"):
        ver.read(["37+8-5"], [40, 41], ["40"])


@pytest.mark.parametrize("block, value", [
    ("40", 40), ("the answer is 40.", 40), ("45 minus 5 makes 40", 40), ("45 minus 5 is 40.", 40),
    ("40 or 41", None), ("the answer is", None), ("", None), ("1234", None),
])
def test_stated_value(block, value):
    assert V.stated_value(f"<think></think><answer>{block}</answer>") == value


def test_true_accuracy_reads_any_form():
    comps = ["<answer>the answer is 40.</answer>", "<answer>40</answer>", "<answer>4 0</answer>"]
    assert V.true_accuracy(comps, answer=[40] * 3) == [1.0, 1.0, 0.0]


# --- the process reward ---------------------------------------------------------------------------

def test_expected_steps():
    assert V.expected_steps("37+8-5") == [(37, "+", 8, 45), (45, "-", 5, 40)]
    assert V.expected_steps("37 plus 8") == [(37, "+", 8, 45)]
    with pytest.raises(ValueError, match="toy-world question"):
        V.expected_steps("37 and 8")


@pytest.mark.parametrize("completion, most, why", V.PROCESS_TRICKS)
def test_process_reward_does_not_pay_for_tricks(completion, most, why):
    assert V.process_score(completion, "37+8-5") <= most + 1e-9, why


@pytest.mark.parametrize("completion, score, why", V.PROCESS_FAIR)
def test_process_reward_pays_for_the_chain(completion, score, why):
    assert V.process_score(completion, "37+8-5") == pytest.approx(score), why


@given(st.text(max_size=80))
def test_process_reward_never_raises(text):
    assert 0.0 <= V.process_reward([text], question=["37+8-5"])[0] <= 1.0


def test_unfaithful():
    right_chain = " <think>37+8=45 45-5=40</think><answer>40</answer>"
    slip = " <think>37+8=45 15-5=40</think><answer>40</answer>"  # a wrong step, the right answer
    assert not V.unfaithful(right_chain, "37+8-5", 40)
    assert V.unfaithful(slip, "37+8-5", 40)
    assert not V.unfaithful(slip.replace(">40<", ">41<"), "37+8-5", 40)  # a wrong answer is just wrong
    assert accuracy_reward([slip], answer=[40]) == [1.0]  # which outcome-only RL pays in full


def test_seeds_text_reads_the_bench_file():
    h = dict(first=dict(judged=0.1, true_accuracy=0.05), last=dict(judged=0.5, true_accuracy=0.0),
             top_answers=[["the answer is 04.", 9]])
    seed = dict(verifier=dict(precision=None, recall=0.5), hacking={"learned": h},
                process={"outcome": dict(accuracy=0.9, unfaithful_rate=0.02)})
    text = V.seeds_text(dict(hack_updates=150, rl_updates=40, window=15, seeds={"0": seed}))
    assert "seed 0: – / 0.50" in text and "0.10->0.50 / 0.05->0.00" in text
    assert "'the answer is 04.'" in text and "seed 0: 0.90, 0.020" in text


def test_answer_form_reads_each_form_of_the_answer_block():
    from lessons_lib.worlds.chain import Problem

    p = Problem(37, (("+", 8), ("-", 5)))
    for form in V.ANSWER_FORMS:
        for value in (p.answer, 77):  # right or wrong, the form is the same
            assert V.answer_form(f" <think></think><answer>{V.answer_text(p, value, form)}</answer>") == form
    assert V.answer_form(" <think></think><answer>the so is 59.</answer>") == "other"
    assert V.answer_form(" <think></think><answer></answer>") == "other"
    assert V.answer_form("no answer block") == "none"
    assert V.answer_form(None) == "none"


def test_form_shares_sum_to_one():
    shares = V.form_shares([" <think></think><answer>40</answer>", " <think></think><answer>the answer is 4.</answer>",
                            " <think></think><answer>hi</answer>", "nothing"])
    assert shares == dict(plain=0.25, sentence=0.25, words=0.0, other=0.25, none=0.25)
    assert V.form_shares([]) == dict(plain=0.0, sentence=0.0, words=0.0, other=0.0, none=0.0)
