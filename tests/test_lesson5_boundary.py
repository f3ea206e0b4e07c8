"""Lesson 5's measurements: the path check, counts, pass@k and maj@k curves, intervals, the
crossover, coverage, likelihoods, the teacher's data and the distillation budget."""
import dataclasses
import math
from itertools import combinations

import pytest

from lessons_lib import lesson5_boundary as B, sample_stats as PK
from lessons_lib.worlds import chain_rl as C
from lessons_lib.formats import r1_zero_prompt
from lessons_lib.worlds.chain import Problem

P = Problem(37, (("+", 8), ("-", 5), ("+", 9)))  # 45, 40, 49


def counts(right, n=8, path=None, answers=None, steps=1, q=None):
    return dict(question=q or f"q{right}-{n}", steps=steps, answer=49, n=n, right=right,
                path=right if path is None else path,
                answers=answers or {"49": right, "12": n - right})


# --- reading a completion ----------------------------------------------------------------------------

def test_chain_is_the_worked_steps():
    assert C.chain(P) == [(37, "+", 8, 45), (45, "-", 5, 40), (40, "+", 9, 49)]


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
    assert C.score(text, P, reader) == (answer, right, path)


def test_unknown_reader_says_what_exists():
    with pytest.raises(ValueError, match="tagged.*last number"):
        C.score("x", P, "lenient")


# --- curves --------------------------------------------------------------------------------------------

def test_pass_curve_matches_a_brute_force_count():
    c = counts(3, n=8)
    for k in (1, 2, 4, 8):
        subsets = list(combinations([1] * 3 + [0] * 5, k))
        assert PK.pass_curve([c], ks=(k,))[k] == pytest.approx(sum(any(s) for s in subsets) / len(subsets))


def test_pass_curve_path_kind_and_bad_kind():
    c = counts(4, n=8, path=0)
    assert PK.pass_curve([c], ks=(8,), kind="path")[8] == 0.0
    assert PK.pass_curve([c], ks=(8,))[8] == 1.0
    with pytest.raises(ValueError, match="kind"):
        PK.pass_curve([c], kind="answer")
    with pytest.raises(ValueError, match="no problems"):
        PK.pass_curve([])


def test_maj_curve_follows_the_mode_not_pass_at_1():
    mode_right = counts(3, n=10, answers={"49": 3, "1": 2, "2": 2, "3": 2, "none": 1})
    mode_wrong = counts(3, n=10, answers={"49": 3, "12": 7})
    assert PK.maj_curve([mode_right], ks=(10,))[10] == 1.0
    assert PK.maj_curve([mode_wrong], ks=(10,))[10] == 0.0
    one = PK.maj_curve([mode_wrong], ks=(1,), draws=400)[1]
    assert 0.2 < one < 0.4  # maj@1 is pass@1


def test_guess_curve():
    g = B.guess_curve((1, 256))
    assert g[1] == pytest.approx(0.01) and g[256] == pytest.approx(1 - 0.99 ** 256)


def test_bootstrap_ci_brackets_the_mean_and_narrows_with_more_problems():
    few = [0.0, 1.0] * 5
    many = few * 20
    lo, hi = PK.bootstrap_ci(few)
    lo2, hi2 = PK.bootstrap_ci(many)
    assert lo < 0.5 < hi and lo2 < 0.5 < hi2
    assert hi2 - lo2 < hi - lo
    with pytest.raises(ValueError):
        PK.bootstrap_ci([])


def test_crossover_finds_where_the_base_catches_up():
    # the base is rarely right but often somewhere in 64 samples; "rl" is usually right on half
    base = [counts(2, n=64, q=f"q{i}") for i in range(10)]
    rl = [counts(48 if i < 5 else 0, n=64, q=f"q{i}") for i in range(10)]
    x = PK.crossover(base, rl, ks=(1, 4, 64))
    by_k = {r["k"]: r for r in x["rows"]}
    assert by_k[1]["diff"] < 0 and by_k[64]["diff"] > 0
    assert x["first_k"] in (4, 64) and x["above_k"] == 64
    assert all(r["low"] <= r["diff"] <= r["high"] for r in x["rows"])


def test_crossover_refuses_different_problems():
    with pytest.raises(ValueError, match="same problems"):
        PK.crossover([counts(1, q="a")], [counts(1, q="b")])


def test_coverage():
    rl = [counts(5, q="a"), counts(0, q="b"), counts(5, q="c")]
    base = [counts(8, q="a"), counts(8, q="b"), counts(0, q="c")]
    cov = PK.coverage(rl, base, k=8)
    assert cov == dict(solved=2, share=0.5, base_all=2 / 3)
    assert PK.coverage([counts(0)], [counts(0)], k=8) == dict(solved=0, share=None, base_all=0.0)


def test_in_group():
    cs = [counts(1, steps=s, q=str(s)) for s in range(1, 9)]
    assert [c["steps"] for c in PK.in_group(cs, C.GROUPS["5-8"])] == [5, 6, 7, 8]


# --- sampling and likelihoods, on a tiny untrained model -------------------------------------------------

def test_sample_counts_shape(tiny):
    model, tok = tiny
    probs = C.problems(1, steps=(1, 2), seed=0)
    out = C.sample_counts(model, tok, probs, n=4, max_new_tokens=4, seed=0)
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
    from lessons_lib.worlds.chain import parse_question

    rows = B.teacher_records(3, steps=(7, 8))
    assert len(rows) == 6 and {r["steps"] for r in rows} == {7, 8}
    for r in rows:
        question = r["prompt"].split("User: ")[1].split("\nAssistant:")[0]
        p = parse_question(question)
        assert checked_answer(r["completion"]) == p.answer == r["answer"]
        assert format_reward([r["completion"]]) == [1.0]
        assert C.path_right(r["completion"], p)


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

def _model(rights, paths=None, n=64, reps=1, answers=None):
    """Counts for 8 x `reps` problems (`reps` per step count 1-8) with the given numbers right (and
    by the path) per step count; `answers` (a function of the number right) sets the answers given."""
    paths = paths or rights
    answers = answers or (lambda r: {"49": r, "12": n - r})
    return [dict(question=f"q{s}-{i}", steps=s, answer=49, n=n, right=r, path=q, answers=answers(r))
            for s, r, q in zip(range(1, 9), rights, paths) for i in range(reps)]


def _lineup(student_paths, reps=5):
    base = _model([2, 2, 2, 2, 1, 1, 0, 0], reps=reps)           # rare, but reaches 1-6
    r1z = _model([60, 60, 60, 60, 40, 40, 0, 0], reps=reps)      # reliable where the base reaches
    return {B.BASE_OWN: _model([50, 50, 50, 50, 30, 30, 0, 0], reps=reps), B.BASE_TEMPLATE: base,
            B.R1_ZERO: r1z, B.RL_SAME: r1z,
            B.STUDENT: _model([60] * 8, paths=student_paths, reps=reps)}


def _status(f):
    return {c["claim"]: c["status"] for c in B.claims(f)}


def test_claims_read_the_findings():
    f = B.findings(_lineup([60] * 6 + [30, 30], reps=10), k=64)   # 20 problems at 7-8 steps
    status = _status(f)
    assert status["RL lifts pass@1"] == "reproduced"
    # both reach every 1-4 step problem at k = 64: a ceiling, which says nothing about surpassing
    assert status["at large k the base surpasses RL (1-4 steps, base asked with template)"] == "not testable here"
    assert "ceiling" in next(c["figures"] for c in B.claims(f) if c["claim"].startswith("at large k the base surpasses RL (1-4"))
    # the base reaches every 1-4 step problem within 64 samples: coverage cannot fail there (a ceiling)
    assert status["RL's solved problems are within the base's reach (1-4 steps)"] == "not testable here"
    assert "ceiling" in next(c["figures"] for c in B.claims(f) if c["claim"].endswith("reach (1-4 steps)"))
    # at 5-8 steps the base misses half the problems, yet reaches every one R1-Zero solves
    assert status["RL's solved problems are within the base's reach (5-8 steps)"] == "reproduced"
    key = "distillation from a stronger teacher widens the boundary; RL on the same prompts does not"
    assert status[key] == "reproduced"
    assert f["beyond"]["best_other"] != B.STUDENT and f["beyond"]["lead"] > 0.9
    # a student that never writes a right chain at 7-8 steps does not widen anything
    f2 = B.findings(_lineup([60] * 6 + [0, 0], reps=10), k=64)
    assert _status(f2)[key] == "not reproduced"
    assert all(c["status"] in ("reproduced", "not reproduced", "not testable here") for c in B.claims(f2))


def test_the_base_surpasses_rl_only_beyond_the_interval():
    lineup = _lineup([60] * 8)
    lineup[B.R1_ZERO] = _model([60, 60, 60, 60, 0, 0, 0, 0], reps=5)    # RL lost the 5-6 step problems
    status = _status(B.findings(lineup, k=64))
    assert status["at large k the base surpasses RL (5-8 steps, base asked with template)"] == "reproduced"
    lineup[B.R1_ZERO] = _model([60, 60, 60, 60, 1, 1, 0, 0], reps=5)    # level with the base at k = 64
    f = B.findings(lineup, k=64)
    assert _status(f)["at large k the base surpasses RL (5-8 steps, base asked with template)"] != "reproduced"


def test_too_few_problems_tag_nothing():
    status = _status(B.findings(_lineup([60] * 6 + [30, 30], reps=1), k=64))
    assert status["RL lifts pass@1"] == "not testable here"
    assert status["distillation from a stronger teacher widens the boundary; RL on the same prompts does not"] \
        == "not testable here"


def test_pinned_is_a_ceiling_or_a_floor_not_a_meeting():
    assert PK.pinned([1.0, 0.0], [1.0, 0.0])
    assert not PK.pinned([1.0, 0.0], [0.0, 0.0])     # a real difference on a problem
    assert not PK.pinned([0.9, 1.0], [0.9, 1.0])     # equal, but not at 0 or 1


def test_maj_vote_rules_differ_when_a_model_often_gives_no_answer():
    c = [dict(question="q", steps=1, answer=49, n=64, right=10, path=10, answers={"49": 10, "none": 54})]
    assert PK.maj_values(c, 64) == [1.0]                        # the silent samples do not vote
    assert PK.maj_values(c, 64, no_answer="vote") == [0.0]      # 'no answer' wins the vote
    with pytest.raises(ValueError):
        PK.maj_values(c, 8, no_answer="abstain")


def test_deepseek_math_claim_on_an_sft_model_and_rl_from_it_under_both_vote_rules():
    lineup = _lineup([60] * 8)
    # the SFT model answers, mostly wrong; RL makes the right answer the favourite: maj@k rises, pass@k
    # (already 1 at k = 64) cannot
    lineup[B.SFT_STAGE] = _model([20] * 8, reps=5)
    lineup[B.RECIPE] = _model([40] * 8, reps=5)
    status = _status(B.findings(lineup, k=64))
    rules = ("a sample without an answer does not vote", "a sample without an answer votes for 'no answer'")
    for rule in rules:
        assert status[f"RL lifts maj@k but not pass@k (1-4 steps, k = 64; {rule})"] == "reproduced"
    # an SFT model that is right whenever it answers, and often silent: only the 'vote' rule sees a gain
    lineup[B.SFT_STAGE] = _model([10] * 8, reps=5, answers=lambda r: {"49": r, "none": 64 - r})
    lineup[B.RECIPE] = _model([40] * 8, reps=5, answers=lambda r: {"49": r, "none": 64 - r})
    status = _status(B.findings(lineup, k=64))
    assert status[f"RL lifts maj@k but not pass@k (1-4 steps, k = 64; {rules[0]})"] == "not testable here"  # pinned
    assert status[f"RL lifts maj@k but not pass@k (1-4 steps, k = 64; {rules[1]})"] == "reproduced"


def test_findings_cap_k_at_the_samples_drawn():
    f = B.findings(_lineup([60] * 8), k=256)
    assert f["k"] == 64 and 64 in f["gains"][B.BASE_TEMPLATE]["1-4"]


def test_findings_and_claims_with_few_samples_as_in_smoke_mode():
    lineup = dict(_lineup([60] * 8, reps=1), **{B.SFT_STAGE: _model([30] * 8), B.RECIPE: _model([50] * 8)})
    f = B.findings({name: _model([min(6, c["right"]) for c in cs][::1], n=8) if len(cs) == 8 else cs
                    for name, cs in lineup.items()})
    assert f["k"] == 8 and sorted(f["gains"][B.BASE_TEMPLATE]["1-4"]) == [1, 4, 8]
    assert any("maj@k" in c["claim"] and "k = 8" in c["claim"] for c in B.claims(f))
    assert all(c["status"] == "not testable here" for c in B.claims(f))   # 4 problems per group


def test_findings_on_other_groups():
    groups = {"1-4": (1, 2, 3, 4), "5-6": (5, 6), "7-8": (7, 8)}
    lineup = _lineup([60] * 8, reps=10)
    f = B.findings(lineup, k=64, groups=groups)
    assert set(f["crossover"][B.BASE_TEMPLATE]) == set(groups)
    assert f["crossover"][B.BASE_TEMPLATE]["5-6"]["path"]["problems"] == 20
    curves = B.curves(lineup, (1, 64), groups=groups)
    assert set(curves[B.R1_ZERO]) == set(groups) and "maj_vote" in curves[B.R1_ZERO]["5-6"]
