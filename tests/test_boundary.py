"""Lesson 5's measurements: the path check, counts, pass@k and maj@k curves, intervals, the
crossover, coverage, likelihoods, the teacher's data and the distillation budget."""
import dataclasses
import math
from itertools import combinations

import pytest

from lessons_lib import boundary as B
from lessons_lib.formats import r1_zero_prompt
from lessons_lib.tasks import Problem

P = Problem(37, (("+", 8), ("-", 5), ("+", 9)))  # 45, 40, 49


def counts(right, n=8, path=None, answers=None, steps=1, q=None):
    return dict(question=q or f"q{right}-{n}", steps=steps, answer=49, n=n, right=right,
                path=right if path is None else path,
                answers=answers or {"49": right, "12": n - right})


# --- reading a completion ----------------------------------------------------------------------------

def test_chain_is_the_worked_steps():
    assert B.chain(P) == [(37, "+", 8, 45), (45, "-", 5, 40), (40, "+", 9, 49)]


@pytest.mark.parametrize("text, reader, answer, right, path", [
    ("<think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>", "tagged", 49, True, True),
    ("<think>37 plus 8 makes 45, 45 minus 5 is 40, 40+9=49</think><answer>49</answer>", "tagged", 49, True, True),
    ("<think>37+8=45 45-5=41 41+9=49</think><answer>49</answer>", "tagged", 49, True, False),  # a slip
    ("<think>37+8=45</think><answer>49</answer>", "tagged", 49, True, False),  # a lucky guess
    ("<think>37+8=45 45-5=40 40+9=49</think><answer>48</answer>", "tagged", 48, False, False),
    ("37+8=45 45-5=40 40+9=49 <answer>49</answer>", "tagged", 49, True, False),  # no think block
    ("37+8=45 45-5=40 40+9=49 so the answer is 49", "last number", 49, True, True),
    ("37+8=45 45-5=40 40+9=49 so the answer is 49", "tagged", None, False, False),
    ("", "last number", None, False, False),
])
def test_score(text, reader, answer, right, path):
    assert B.score(text, P, reader) == (answer, right, path)


def test_unknown_reader_says_what_exists():
    with pytest.raises(ValueError, match="tagged.*last number"):
        B.score("x", P, "lenient")


# --- curves --------------------------------------------------------------------------------------------

def test_pass_curve_matches_a_brute_force_count():
    c = counts(3, n=8)
    for k in (1, 2, 4, 8):
        subsets = list(combinations([1] * 3 + [0] * 5, k))
        assert B.pass_curve([c], ks=(k,))[k] == pytest.approx(sum(any(s) for s in subsets) / len(subsets))


def test_pass_curve_path_kind_and_bad_kind():
    c = counts(4, n=8, path=0)
    assert B.pass_curve([c], ks=(8,), kind="path")[8] == 0.0
    assert B.pass_curve([c], ks=(8,))[8] == 1.0
    with pytest.raises(ValueError, match="kind"):
        B.pass_curve([c], kind="answer")
    with pytest.raises(ValueError, match="no problems"):
        B.pass_curve([])


def test_maj_curve_follows_the_mode_not_pass_at_1():
    mode_right = counts(3, n=10, answers={"49": 3, "1": 2, "2": 2, "3": 2, "none": 1})
    mode_wrong = counts(3, n=10, answers={"49": 3, "12": 7})
    assert B.maj_curve([mode_right], ks=(10,))[10] == 1.0
    assert B.maj_curve([mode_wrong], ks=(10,))[10] == 0.0
    one = B.maj_curve([mode_wrong], ks=(1,), draws=400)[1]
    assert 0.2 < one < 0.4  # maj@1 is pass@1


def test_guess_curve():
    g = B.guess_curve((1, 256))
    assert g[1] == pytest.approx(0.01) and g[256] == pytest.approx(1 - 0.99 ** 256)


def test_bootstrap_ci_brackets_the_mean_and_narrows_with_more_problems():
    few = [0.0, 1.0] * 5
    many = few * 20
    lo, hi = B.bootstrap_ci(few)
    lo2, hi2 = B.bootstrap_ci(many)
    assert lo < 0.5 < hi and lo2 < 0.5 < hi2
    assert hi2 - lo2 < hi - lo
    with pytest.raises(ValueError):
        B.bootstrap_ci([])


def test_crossover_finds_where_the_base_catches_up():
    # the base is rarely right but often somewhere in 64 samples; "rl" is usually right on half
    base = [counts(2, n=64, q=f"q{i}") for i in range(10)]
    rl = [counts(48 if i < 5 else 0, n=64, q=f"q{i}") for i in range(10)]
    x = B.crossover(base, rl, ks=(1, 4, 64))
    by_k = {r["k"]: r for r in x["rows"]}
    assert by_k[1]["diff"] < 0 and by_k[64]["diff"] > 0
    assert x["first_k"] in (4, 64) and x["above_k"] == 64
    assert all(r["low"] <= r["diff"] <= r["high"] for r in x["rows"])


def test_crossover_refuses_different_problems():
    with pytest.raises(ValueError, match="same problems"):
        B.crossover([counts(1, q="a")], [counts(1, q="b")])


def test_coverage():
    rl = [counts(5, q="a"), counts(0, q="b"), counts(5, q="c")]
    base = [counts(8, q="a"), counts(8, q="b"), counts(0, q="c")]
    cov = B.coverage(rl, base, k=8)
    assert cov == dict(solved=2, share=0.5)
    assert B.coverage([counts(0)], [counts(0)], k=8) == dict(solved=0, share=None)


def test_in_group():
    cs = [counts(1, steps=s, q=str(s)) for s in range(1, 9)]
    assert [c["steps"] for c in B.in_group(cs, B.GROUPS["5-8"])] == [5, 6, 7, 8]


# --- sampling and likelihoods, on a tiny untrained model -------------------------------------------------

def test_sample_counts_shape(tiny):
    model, tok = tiny
    probs = B.problems(1, steps=(1, 2), seed=0)
    out = B.sample_counts(model, tok, probs, n=4, max_new_tokens=4, seed=0)
    assert [c["steps"] for c in out] == [1, 2]
    for c, p in zip(out, probs):
        assert c["n"] == 4 and c["answer"] == p.answer
        assert 0 <= c["path"] <= c["right"] <= 4 and sum(c["answers"].values()) == 4


def test_mean_logprobs_prefers_what_the_model_writes(tiny):
    from lessons_lib.evaluation import generate

    model, tok = tiny
    prompt = r1_zero_prompt("37+8")
    greedy = generate(model, tok, [prompt], max_new_tokens=6)[0]
    own, other = B.mean_logprobs(model, tok, [prompt, prompt], [greedy, " zz 99 <answer>"])
    assert own > other and all(math.isfinite(v) and v <= 0 for v in (own, other))
    with pytest.raises(ValueError, match="prompts"):
        B.mean_logprobs(model, tok, [prompt], [])


# --- distillation ------------------------------------------------------------------------------------------

def test_teacher_records_are_right_and_well_formed():
    from lessons_lib.rewards import checked_answer, format_reward
    from lessons_lib.tasks import parse_question

    rows = B.teacher_records(3, steps=(7, 8))
    assert len(rows) == 6 and {r["steps"] for r in rows} == {7, 8}
    for r in rows:
        question = r["prompt"].split("User: ")[1].split("\nAssistant:")[0]
        p = parse_question(question)
        assert checked_answer(r["completion"]) == p.answer == r["answer"]
        assert format_reward([r["completion"]]) == [1.0]
        assert B.path_right(r["completion"], p)


def test_distill_budget_checks_fields():
    assert B.DistillBudget().smoke().sft_updates < B.DistillBudget().sft_updates
    with pytest.raises(ValueError, match="rl_updates"):
        B.DistillBudget(rl_updates=0)
    with pytest.raises(ValueError):
        dataclasses.replace(B.DistillBudget(), sft_lr=-1)


def test_distill_budget_smoke(monkeypatch):
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert B.distill_budget() == B.DistillBudget().smoke()


# --- findings and claims, on counts made by hand ------------------------------------------------------------

def _model(rights, paths=None, n=64):
    """Counts for 8 problems (1 per step count 1-8) with the given numbers right (and by the path)."""
    paths = paths or rights
    return [dict(question=f"q{s}", steps=s, answer=49, n=n, right=r, path=q,
                 answers={"49": r, "12": n - r}) for s, r, q in zip(range(1, 9), rights, paths)]


def _lineup(student_paths):
    base = _model([2, 2, 2, 2, 1, 1, 0, 0])           # rare, but reaches 1-6
    r1z = _model([60, 60, 60, 60, 40, 40, 0, 0])      # reliable where the base reaches
    return {B.BASE_OWN: _model([50, 50, 50, 50, 30, 30, 0, 0]), B.BASE_TEMPLATE: base,
            B.R1_ZERO: r1z, B.RL_SAME: r1z,
            B.STUDENT: _model([60] * 8, paths=student_paths)}


def test_claims_read_the_findings():
    f = B.findings(_lineup([60] * 6 + [30, 30]), k=64)
    status = {c["claim"]: c["status"] for c in B.claims(f)}
    assert status["RL lifts pass@1"] == "reproduced"
    assert status["at large k the base catches up with RL (1-4 steps, base asked with template)"] == "reproduced"
    assert status["RL's solved problems are within the base's reach (1-4 steps)"] == "reproduced"
    key = "distillation from a stronger teacher widens the boundary; RL on the same prompts does not"
    assert status[key] == "reproduced"
    assert f["beyond"]["best_other"] != B.STUDENT and f["beyond"]["lead"] > 0.9
    # a student that never writes a right chain at 7-8 steps does not widen anything
    f2 = B.findings(_lineup([60] * 6 + [0, 0]), k=64)
    assert {c["claim"]: c["status"] for c in B.claims(f2)}[key] == "not reproduced"
    assert all(c["status"] in ("reproduced", "not reproduced", "not testable here") for c in B.claims(f2))


def test_findings_cap_k_at_the_samples_drawn():
    f = B.findings(_lineup([60] * 8), k=256)
    assert f["k"] == 64 and 64 in f["gains"][B.BASE_TEMPLATE]["1-4"]


def test_findings_and_claims_with_few_samples_as_in_smoke_mode():
    f = B.findings({name: _model([min(6, c["right"]) for c in cs], n=8) for name, cs in _lineup([60] * 8).items()})
    assert f["k"] == 8 and sorted(f["gains"][B.BASE_TEMPLATE]["1-4"]) == [1, 4, 8]
    assert any("maj@k" in c["claim"] and "k = 8" in c["claim"] for c in B.claims(f))
