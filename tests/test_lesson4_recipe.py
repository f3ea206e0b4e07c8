"""Lesson 4's recipe: the rejection filter, the mixed data and rewards, the table, the budget, the
language reward (trick-proof) and the exercises' checks."""
import dataclasses

import pytest
from hypothesis import given, strategies as st

from lessons_lib import lesson4_recipe as recipe
from lessons_lib import stages
from lessons_lib.worlds import chain_rl as C
from lessons_lib.exercises import (
    LANGUAGE_CASES, check_language_reward, check_rejection_filter, check_weight_prediction,
)
from lessons_lib.rewards import accuracy_reward, format_reward
from lessons_lib.worlds.chain_thoughts import language_reward

GOOD_WORDS = "<think>37 plus 8 makes 45, 45 minus 5 is 40</think><answer>40</answer>"
GOOD_SYMBOLS = "<think>37+8=45 45-5=40</think><answer>40</answer>"


# --- the language reward -------------------------------------------------------------------------

@pytest.mark.parametrize("completion, language, want, why", LANGUAGE_CASES)
def test_language_reward_table(completion, language, want, why):
    assert language_reward([completion], language=[language]) == [pytest.approx(want)], why


@given(st.text(), st.sampled_from(["symbols", "words"]))
def test_language_reward_never_raises_and_stays_in_0_1(text, language):
    assert 0.0 <= language_reward([text], language=[language])[0] <= 1.0


@given(st.lists(st.sampled_from(["37+8=45", "45-5=40", "37 plus 8 makes 45", "45 minus 5 is 40",
                                 "so", "plus", "=", "40"]), max_size=8),
       st.sampled_from(["symbols", "words"]))
def test_no_trick_beats_an_honest_consistent_wrong_answer(pieces, language):
    """Whatever a thought is padded with, the total reward of lesson 4 (accuracy + 0.5 format + 0.5
    language) never beats an honest wrong answer written in the question's notation, for a
    completion that is also wrong; and a right answer is what the accuracy term pays for."""
    honest = GOOD_WORDS if language == "words" else GOOD_SYMBOLS
    total = lambda c: (accuracy_reward([c], answer=[41])[0] + 0.5 * format_reward([c])[0]
                       + 0.5 * language_reward([c], language=[language])[0])
    trick = f"<think>{' '.join(pieces)}</think><answer>40</answer>"
    assert total(trick) <= total(honest)


def test_language_reward_skips_rows_without_a_language_and_checks_lengths():
    assert language_reward([GOOD_WORDS, GOOD_WORDS], language=["words", None]) == [1.0, None]
    with pytest.raises(ValueError, match="one per completion"):
        language_reward([GOOD_WORDS], language=["words", "words"])


def test_check_language_reward_accepts_the_course_reward_and_rejects_a_lax_one(capsys):
    assert check_language_reward(language_reward)
    lax = lambda completions, language, **kw: [1.0 for _ in completions]
    assert not check_language_reward(lax)
    out = capsys.readouterr().out
    assert "too much" in out and "0.5" not in out.split("First:")[1].split("):")[-1]


def test_check_language_reward_reports_a_raising_reward(capsys):
    assert not check_language_reward(lambda completions, language: [len(c) for c in completions])
    assert "must never raise" in capsys.readouterr().out


# --- the rejection filter ------------------------------------------------------------------------

@pytest.mark.parametrize("completion, answer, language, reason", [
    (GOOD_WORDS, 40, "words", None),
    (GOOD_SYMBOLS, 40, "symbols", None),
    (GOOD_SYMBOLS, 41, "symbols", "right"),
    ("37+8=45 45-5=40 <answer>40</answer>", 40, "symbols", "format"),
    ("<think>45-5=40 45-5=40 45-5=40</think><answer>40</answer>", 40, "symbols", "loop"),
    (GOOD_SYMBOLS, 40, "words", "language"),
    ("<think>37+8=45, 45 minus 5 makes 40</think><answer>40</answer>", 40, "symbols", "language"),
    ("<think>37+8=45 xq zz 45-5=40 qq ww ee rr tt yy</think><answer>40</answer>", 40, "symbols",
     "readable"),
])
def test_rejection_reason(completion, answer, language, reason):
    assert C.rejection_reason(completion, answer, language) == reason


def test_rejection_checks_can_be_switched_off_and_are_checked():
    assert C.rejection_reason(GOOD_SYMBOLS, 40, "words", checks=("right", "format")) is None
    with pytest.raises(ValueError, match="unknown check"):
        C.rejection_reason(GOOD_SYMBOLS, 40, "words", checks=("rigth",))


class _Fixed:
    """Stands in for a model: rejection_sample only needs evaluation.generate, patched below."""


def test_rejection_sample_counts_and_keeps(monkeypatch):
    from lessons_lib import evaluation
    from lessons_lib.worlds.chain import question_notation, Problem

    problems = [Problem(37, (("+", 8), ("-", 5))), Problem(10, (("+", 1),))]
    def fake(model, tok, prompts, max_new_tokens, **kw):
        n = kw["num_return_sequences"]
        out = []
        for p in problems:
            lang = question_notation(p)
            good = (f"<think>{' '.join(p.worked_steps())}</think>" if lang == "symbols" else
                    "<think>" + ", ".join(f"{a:02d} {'plus' if op == '+' else 'minus'} {x} makes {v:02d}"
                                          for a, (op, x), v in zip((p.start,) + p.values, p.ops, p.values))
                    + "</think>") + f"<answer>{p.answer:02d}</answer>"
            out += [good, "nonsense"] * (n // 2)
        return out
    monkeypatch.setattr(evaluation, "generate", fake)
    kept, stats = C.rejection_sample(_Fixed(), None, problems, samples=4, keep_per_problem=1)
    assert len(kept) == 2 and stats["generated"] == 8 and stats["acceptance"] == 0.5
    assert stats["samples_per_kept"] == 4 and stats["rejected"]["right"] == 4
    assert all(k["language"] in ("symbols", "words") and k["prompt"].endswith("Assistant:") for k in kept)


def test_check_rejection_filter(capsys):
    samples = [dict(completion=c, answer=40, language=lang) for c, lang in
               [(GOOD_WORDS, "words"), (GOOD_SYMBOLS, "words"), ("x", "symbols"), (GOOD_SYMBOLS, "symbols")]]
    right = lambda c, a, lang: C.rejection_reason(c, a, lang) is None
    assert check_rejection_filter(right, samples)
    assert "acceptance as the checks are added" in capsys.readouterr().out
    assert not check_rejection_filter(lambda c, a, lang: True, samples)
    assert not check_rejection_filter(right, [])


def test_check_weight_prediction_waits_for_a_prediction(capsys):
    assert not check_weight_prediction(None, None, None, {})
    assert "write your prediction" in capsys.readouterr().out


# --- data, rewards and the table ----------------------------------------------------------------

def test_mixed_dataset_and_reasoning_only_rewards():
    ds = recipe.mixed_dataset(2, 4, seed=0)
    tasks = ds["task"]
    assert tasks.count("general") == 4 and tasks.count("reasoning") == 8
    funcs, weights = recipe.final_rewards(0.5)
    assert len(funcs) == len(weights) == 4 and [f.__name__ for f in funcs][:3] == [
        "accuracy_reward", "format_reward", "language_reward"]
    completions = ["<think></think><answer>40</answer>"] * len(ds)
    cols = {c: ds[c] for c in ds.column_names if c != "prompt"}
    for f in funcs:
        scores = f(completions, **cols)
        for s, t in zip(scores, tasks):
            assert (s is None) == (t != ("general" if f.__name__ == "general_reward" else "reasoning"))


def test_mix_keeps_every_row():
    rows = recipe.mix([dict(prompt="a", completion="b")], [dict(prompt="c", completion="d", kind="echo")])
    assert sorted(r["prompt"] for r in rows) == ["a", "c"] and rows[0]["kind"] in ("reasoning", "echo")


def test_first_reaching():
    assert recipe.first_reaching([0, 0, 1, 1], 0.5, window=2) == 3
    assert recipe.first_reaching([0, 0], 0.5) is None


def test_table_text_has_a_line_per_row():
    row = dict(model="m", greedy_by_steps={str(s): 0.5 for s in range(1, 7)},
               pass1_by_steps={s: 0.25 for s in range(1, 7)}, format_rate=1.0, consistency=0.9,
               readability=0.8, tokens=20.0, general=0.0)
    text = recipe.table_text([row, dict(row, model="other")])
    assert len(text.splitlines()) == 3 and "0.25" in text and "20.0" in text


def test_budget_checks_its_fields_and_has_a_smoke_variant():
    b = recipe.RecipeBudget()
    assert b.smoke().sft_updates < b.sft_updates
    for bad in (dict(sft_updates=0), dict(samples=1.5), dict(language_weight=-1),
                dict(general_share=1.0), dict(sft_lr=2)):
        with pytest.raises(ValueError):
            dataclasses.replace(b, **bad)


def test_sft_from_base_refuses_no_records():
    with pytest.raises(ValueError, match="kept nothing"):
        stages.sft_from_base([], recipe.RecipeBudget().smoke().sft)


def test_seed_effect_needs_every_seed_and_more_than_the_spread():
    from lessons_lib.lesson4_recipe import seed_effect

    big = seed_effect([0.95, 0.97, 0.96], [0.70, 0.68, 0.72])
    assert big["exceeds"] and abs(big["mean"] - 0.26) < 1e-9 and abs(big["spread"] - 0.04) < 1e-9
    mixed = seed_effect([0.90, 0.80, 0.85], [0.88, 0.82, 0.84])   # signs differ
    assert not mixed["exceeds"]
    small = seed_effect([0.90, 0.80, 0.85], [0.89, 0.79, 0.84])   # same sign, below the spread
    assert not small["exceeds"] and small["diffs"] == pytest.approx([0.01, 0.01, 0.01])
    assert not seed_effect([0.9], [0.1])["exceeds"]               # one seed: no spread to beat
    with pytest.raises(ValueError):
        seed_effect([0.9, 0.8], [0.1])
