"""Statistics of sample counts: pass@k and maj@k curves, bootstrap intervals, the crossover, coverage.

Sampling is the whole cost of measuring pass@k, so a world samples once and keeps only counts per
problem (`worlds.chain_rl.sample_counts`: n samples, how many are right, how many right by the true
path, every answer given). Everything here is computed from those counts and knows no world: the
unbiased pass@k estimate per problem (evaluation.pass_at_k, the formula) and its mean over a group, maj@k under both conventions for a
sample that gives no answer, bootstrap intervals over problems, where two curves cross (and whether
they are only pinned at 0 or 1), and which problems a model solves that another never does.
Lessons 5 and 6 read their claims off these numbers.
"""
from __future__ import annotations

import random


K_MAX = 256  # the largest k measured (n = K_MAX samples per problem)


KS = tuple(2 ** i for i in range(9))  # 1, 2, 4, ..., 256


KINDS = ("right", "path")  # right answer; right answer by the true path


def in_group(counts: list[dict], steps) -> list[dict]:
    """The problems of `counts` whose step count is in `steps`."""
    steps = set(steps)
    return [c for c in counts if c["steps"] in steps]


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} ('right': the answer; 'path': the answer by "
                         f"the true path), got {kind!r}")
    return kind


def pass_values(counts: list[dict], k: int, kind: str = "right") -> list[float]:
    """Each problem's unbiased pass@k (evaluation.pass_at_k) from its counts."""
    from .evaluation import pass_at_k

    _kind(kind)
    return [pass_at_k(c["n"], c[kind], k) for c in counts]


def pass_curve(counts: list[dict], ks=KS, kind: str = "right") -> dict[int, float]:
    """{k: mean pass@k over the problems}."""
    if not counts:
        raise ValueError("no problems in counts (is the step group empty?)")
    return {k: sum(pass_values(counts, k, kind)) / len(counts) for k in ks}


def _expanded(answers: dict) -> list:
    return [None if a == "none" else int(a) for a, m in answers.items() for _ in range(m)]


NO_ANSWER = ("skip", "vote")  # maj@k's two conventions for a sample that gives no answer


def _no_answer(rule: str) -> str:
    if rule not in NO_ANSWER:
        raise ValueError(f"no_answer must be one of {NO_ANSWER} ('skip': a sample without an answer "
                         f"does not vote; 'vote': it votes for 'no answer', which is never right), "
                         f"got {rule!r}")
    return rule


def maj_values(counts: list[dict], k: int, draws: int = 64, seed: int = 0,
               no_answer: str = "skip") -> list[float]:
    """Each problem's maj@k: the share of `draws` random subsets of k of its n answers whose most
    common answer (ties broken at random) is the true one (evaluation.maj_at_k on each subset).

    `no_answer` is the vote rule for a sample without an answer: 'skip' (it does not vote, as in
    evaluation.maj_at_k: the majority is taken over the samples that answered) or 'vote' (it votes
    for 'no answer', which can win the vote and is never right). The two differ for a model that
    often gives no answer: under 'skip' its few answers decide; under 'vote' its silence does."""
    from .evaluation import maj_at_k

    _no_answer(no_answer)
    rng = random.Random(f"maj-{seed}-{k}")
    out = []
    for c in counts:
        pool = _expanded(c["answers"])
        if no_answer == "vote":
            pool = ["no answer" if a is None else a for a in pool]
        hits = 0
        for _ in range(draws):
            rng.shuffle(pool)  # a random subset, in random order: ties go to the first seen
            hits += maj_at_k(pool, c["answer"], k)
        out.append(hits / draws)
    return out


def maj_curve(counts: list[dict], ks=KS, draws: int = 64, seed: int = 0,
              no_answer: str = "skip") -> dict[int, float]:
    """{k: mean maj@k over the problems} (`no_answer`: the vote rule, see maj_values)."""
    if not counts:
        raise ValueError("no problems in counts (is the step group empty?)")
    return {k: sum(maj_values(counts, k, draws, seed, no_answer)) / len(counts) for k in ks}


def bootstrap_ci(values: list[float], draws: int = 2000, level: float = 0.95, seed: int = 0):
    """(low, high): a percentile bootstrap interval for the mean of `values` (resampled with
    replacement: here the values are problems, so it says how much the choice of problems moves
    the mean)."""
    if not values:
        raise ValueError("no values to bootstrap")
    rng = random.Random(f"ci-{seed}")
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(draws))
    lo = means[int((1 - level) / 2 * draws)]
    hi = means[min(draws - 1, int((1 + level) / 2 * draws))]
    return lo, hi


PINNED = 1e-9  # a per-problem value within this of 0 or 1 is pinned there


def pinned(a: list[float], b: list[float]) -> bool:
    """True when, on every problem, the two models' values are equal and at 0 or 1: their
    difference is 0 because both curves are pinned (a ceiling, or a floor), not because they
    met. Nothing can cross there, and no interval can say anything."""
    return all(abs(x - y) <= PINNED and (x <= PINNED or x >= 1 - PINNED) for x, y in zip(a, b))


def crossover(base: list[dict], other: list[dict], ks=KS, kind: str = "right") -> dict:
    """Where the base model's pass@k meets another model's, problem by problem (the same problems,
    in the same order, in both): per k the two means, their difference base - other, a bootstrap
    interval for it, and `pinned` (every problem at 0 or 1 for both, the same: see `pinned`);
    `first_k` is the smallest k where the base's mean is at least the other's (None if it never
    is), `first_k_ci` where the interval's top reaches 0 (the two can no longer be told apart, or
    the base is ahead), `above_k` where its bottom is above 0 (the base ahead beyond the interval:
    Yue et al.'s crossover), `pinned_k` the smallest k from which every row is pinned."""
    if [c["question"] for c in base] != [c["question"] for c in other]:
        raise ValueError("base and other must hold the same problems in the same order: sample "
                         "both on the same `problems(...)` list")
    rows = []
    for k in ks:
        b, o = pass_values(base, k, kind), pass_values(other, k, kind)
        diff = [x - y for x, y in zip(b, o)]
        lo, hi = bootstrap_ci(diff, seed=k)
        rows.append(dict(k=k, base=sum(b) / len(b), other=sum(o) / len(o), diff=sum(diff) / len(diff),
                         low=lo, high=hi, pinned=pinned(b, o)))
    first = lambda test: next((r["k"] for r in rows if test(r)), None)
    pinned_from = next((r["k"] for i, r in enumerate(rows) if all(x["pinned"] for x in rows[i:])), None)
    return dict(rows=rows, problems=len(base), first_k=first(lambda r: r["diff"] >= 0),
                first_k_ci=first(lambda r: r["high"] >= 0), above_k=first(lambda r: r["low"] > 0),
                pinned_k=pinned_from)


def gain(sft: list[dict], rl: list[dict], k: int, draws: int = 64) -> dict:
    """RL's gain over the model it was trained from, at k, problem by problem (the same problems in
    both): maj@k under each vote rule (NO_ANSWER), pass@k on answers and by the path, each with the
    mean difference rl - sft, a bootstrap interval over problems and `pinned`; and for each vote
    rule `maj_minus_pass`: the gain in maj@k minus the gain in pass@k (answers), per problem, with
    its interval (above 0: RL lifted maj@k more than pass@k, DeepSeek-Math's finding)."""
    if [c["question"] for c in sft] != [c["question"] for c in rl]:
        raise ValueError("sft and rl must hold the same problems in the same order")
    per = {"right": (pass_values(sft, k), pass_values(rl, k)),
           "path": (pass_values(sft, k, "path"), pass_values(rl, k, "path"))}
    for rule in NO_ANSWER:
        per[f"maj_{rule}"] = (maj_values(sft, k, draws, no_answer=rule), maj_values(rl, k, draws, no_answer=rule))
    out = dict(k=k, problems=len(sft))
    for key, (a, b) in per.items():
        d = [y - x for x, y in zip(a, b)]
        lo, hi = bootstrap_ci(d, seed=k)
        out[key] = dict(sft=sum(a) / len(a), rl=sum(b) / len(b), gain=sum(d) / len(d), low=lo, high=hi,
                        pinned=pinned(a, b))
    for rule in NO_ANSWER:
        a, b = per[f"maj_{rule}"], per["right"]
        d = [(ym - xm) - (yp - xp) for xm, ym, xp, yp in zip(a[0], a[1], b[0], b[1])]
        lo, hi = bootstrap_ci(d, seed=k + 1)
        out[f"maj_minus_pass_{rule}"] = dict(diff=sum(d) / len(d), low=lo, high=hi)
    return out


def coverage(solver: list[dict], base: list[dict], k: int = K_MAX, kind: str = "right") -> dict:
    """Of the problems `solver` solves at least once in its n samples, the share the base model
    solves within k samples (the mean of its pass@k on them): how much of what RL finds was
    already within the base model's reach. `base_all` is the base's pass@k over every problem:
    at 1.00 nothing can lie outside its reach, and the share says nothing (a ceiling)."""
    everything = pass_values(base, k, kind)
    base_all = sum(everything) / len(everything) if everything else None
    solved = [i for i, c in enumerate(solver) if c[_kind(kind)] > 0]
    if not solved:
        return dict(solved=0, share=None, base_all=base_all)
    reach = [everything[i] for i in solved]
    return dict(solved=len(solved), share=sum(reach) / len(reach), base_all=base_all)
