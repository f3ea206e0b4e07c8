"""Lesson 5's checks: notebooks/05_does_rl_add_reasoning.ipynb (and solutions/05_solutions.ipynb).

    exercise 1  check_pass_at_k            the unbiased pass@k estimator, against a count of every
                                           draw (then a simulation of what it buys)
    exercise 2  check_majority_prediction  predict maj@k at large k from an answer distribution
                                           (measured by simulation)
    exercise 3  check_added_reasoning      did RL add reasoning? read at the right-hand end of the
                                           pass@k curves (sample_stats.crossover)
"""
from __future__ import annotations

import math
import numbers
import random
from collections.abc import Mapping

from ._inputs import _call, _is_number, _mean
from ._verdict import _compare, _empty_prediction, _means, _ok, _verdict, _wrong


def _pass_brute(n: int, c: int, k: int) -> float:
    """pass@k by counting: the share of the k-subsets of n samples (the first c of them correct)
    that hold at least one correct sample."""
    from itertools import combinations

    subsets = hits = 0
    for s in combinations(range(n), k):  # each subset sorted: it holds a correct one iff s[0] < c
        subsets += 1
        hits += s[0] < c
    return hits / subsets


def _pass_cases() -> list[tuple[int, int, int, float]]:
    """(n, c, k, pass@k): every case with n <= 10 (counted by brute force), then n = 256
    (evaluation.pass_at_k). The ordinary cases come first, the edges (c = 0, k = 1, n - c < k) last,
    so that a formula wrong everywhere is shown on an ordinary case."""
    from ..evaluation import pass_at_k

    small = [(n, c, k) for n in range(1, 11) for c in range(n + 1) for k in range(1, n + 1)]
    large = [(256, c, k) for c in (1, 3, 20, 128, 0, 250, 256) for k in (1, 16, 64, 128, 255, 256)]
    edge = lambda n, c, k: c == 0 or k == 1 or n - c < k
    small.sort(key=lambda case: case != (5, 2, 2))  # first a case easy to work out by hand
    out = []
    for cases, truth in ((small, _pass_brute), (large, pass_at_k)):
        out += [(n, c, k, truth(n, c, k)) for n, c, k in cases if not edge(n, c, k)]
    for cases, truth in ((small, _pass_brute), (large, pass_at_k)):
        out += [(n, c, k, truth(n, c, k)) for n, c, k in cases if edge(n, c, k)]
    return out


def _pass_hint(n: int, c: int, k: int, got, truth: float, tol: float) -> str:
    """Why fn(n, c, k) = got is wrong (truth is never written)."""
    from math import comb

    if not _is_number(got):
        return f"gave {type(got).__name__} {got!r}: return a probability, a float from 0 to 1"
    shown = f"gave {got:.4g}"
    if not 0 <= got <= 1:
        return (f"{shown}, which is not a probability: pass@k lies between 0 and 1 (a chance over "
                "the ways of drawing k of the n samples)")
    known = [
        (1 - (1 - c / n) ** k,
         "that is the plug-in estimate 1-(1-c/n)**k. It is biased low: it puts c/n in place of the "
         "true pass@1 in a formula that curves (1-(1-x)**k is concave), so the luck of the n samples "
         "pulls it below the truth on average (Jensen's inequality); it also draws the k with "
         "replacement, as if one wrong sample could be drawn twice. Count instead, among all the ways "
         "to draw k distinct samples of the n, those that hold no correct one"),
        (comb(n - c, k) / comb(n, k), "that is the chance that all k drawn are wrong: pass@k, at "
                                      "least one right, is 1 minus it"),
        (comb(c, k) / comb(n, k), "that is the chance that all k drawn are right; pass@k asks for at "
                                  "least one right"),
        (c / n, "that is c/n, the pass@1, whatever k: pass@k is the chance that at least one of k "
                "samples is right, so it grows with k"),
    ]
    for value, hint in known:
        if abs(got - value) <= tol and abs(value - truth) > tol:
            return f"{shown}: {hint}"
    return (f"{shown}, too {'high' if got > truth else 'low'}: count, among all the ways to draw k "
            "of the n samples without replacement, those that hold no correct one")


def _pass_crash_hint(n: int, c: int, k: int, error: str) -> str:
    if c == 0:
        return "With no correct sample (c = 0) no draw can hold one: what is pass@k then?"
    if n - c < k:
        return ("Here fewer than k samples are wrong (n - c < k): every draw of k holds a correct one, "
                "and there are no ways to draw k wrong ones (comb(n - c, k) is 0): handle this case "
                "before dividing, or taking a factorial of a negative number.")
    if "Overflow" in error:
        return ("Factorials of n = 256 overflow floats: use math.comb (exact integers), or write the "
                "ratio as a product of k factors.")
    return "Work this case out by hand and print each part of your formula."


def _pass_demo(fn, p: float = 0.05, n: int = 20, k: int = 10, trials: int = 4000, seed: int = 0) -> None:
    """Simulate `trials` problems of true pass@1 `p`, n samples each, and print the bias and spread
    of three estimators of the true pass@k: fn's, the plug-in, and the best of the first k."""
    table = []
    for c in range(n + 1):
        ok, v = _call(fn, n, c, k)
        if not ok or not _is_number(v):
            print(f"(no simulation: fn({n}, {c}, {k}) gave {v!r})")
            return
        table.append(float(v))
    rng = random.Random(f"pass-demo-{seed}")
    truth = 1 - (1 - p) ** k
    est = {"yours": [], "plug-in": [], "first k": []}
    for _ in range(trials):
        right = [rng.random() < p for _ in range(n)]
        c = sum(right)
        est["yours"].append(table[c])
        est["plug-in"].append(1 - (1 - c / n) ** k)
        est["first k"].append(float(any(right[:k])))
    stats = {}
    for name, xs in est.items():
        bias = _mean(xs) - truth
        stats[name] = bias, math.sqrt(_mean((x - truth - bias) ** 2 for x in xs))
    labels = {"yours": "yours (the unbiased estimator)", "plug-in": "plug-in 1-(1-c/n)**k",
              "first k": f"any right among the first k = {k}"}
    rows = "\n".join(f"   {labels[name]:34s} {b:+8.3f} {s:10.3f}" for name, (b, s) in stats.items())
    print(f"🎲 what the estimator buys: {trials} simulated problems, each with a true pass@1 of {p:g} "
          f"and n = {n} samples; the true pass@{k} is 1-(1-{p:g})**{k} = {truth:.3f}\n"
          f"   {'estimator':34s} {'bias':>8s} {'spread':>10s}   (mean error, and its standard "
          f"deviation)\n{rows}")
    noise = 2 * stats["first k"][1] / math.sqrt(trials)
    plug_tighter = (f" (the plug-in spreads a little less, {stats['plug-in'][1]:.3f}, but around the "
                    "wrong value)" if stats["plug-in"][1] < stats["yours"][1] else "")
    print(f"   (a bias within about ±{noise:.3f} is the noise of {trials} trials)")
    _means(f"the plug-in is biased {'low' if stats['plug-in'][0] < 0 else 'high'} "
           f"({stats['plug-in'][0]:+.3f}: the natural-looking formula under-reports pass@k). Any right "
           f"among the first {k} is unbiased but spreads wider ({stats['first k'][1]:.3f}): it throws "
           f"{n - k} of the {n} samples away. The unbiased estimator uses all {n}: unbiased, and "
           f"narrower than the first {k} ({stats['yours'][1]:.3f}){plug_tighter}. That is why a "
           "pass@k curve samples n >= k once and reads every k from the same counts.")


def check_pass_at_k(fn) -> bool:
    """`fn(n, c, k) -> float`: the unbiased pass@k from n samples of which c are correct, the chance
    that at least one of k drawn without replacement from the n is correct (Chen et al. 2021).

    Compared, within 1e-9, with a count of every k-subset for n up to 10 (all c and k), and with
    evaluation.pass_at_k at n = 256 (so it must be a formula, not an enumeration). Once right, a
    simulation shows what it buys over the plug-in 1-(1-c/n)**k and over the best of the first k.
    """
    tol = 1e-9
    cases = _pass_cases()
    failures = []
    for n, c, k, truth in cases:
        ok, got = _call(fn, n, c, k)
        if not ok:
            failures.append((n, c, k, got, truth, False))
        elif not (_is_number(got) and abs(got - truth) <= tol):
            failures.append((n, c, k, got, truth, True))
    if failures:
        n, c, k, got, truth, returned = failures[0]
        crashes = sum(not r for *_, r in failures)
        count = (f"{len(failures)}/{len(cases)} cases wrong" +
                 (f" ({crashes} of them raised)" if crashes else "") + ". First: ")
        if not returned:
            return _wrong(f"{count}fn(n={n}, c={c}, k={k}) raised {got}. "
                          f"{_pass_crash_hint(n, c, k, got)}")
        return _wrong(f"{count}fn(n={n}, c={c}, k={k}) {_pass_hint(n, c, k, got, truth, tol)}.")
    _ok(f"all {len(cases)} cases right (n up to 10 against a count of every draw, and n = 256), "
        "edges included")
    _pass_demo(fn)
    return True


def _shares_problem(shares, truth) -> tuple[dict | None, str | None]:
    """({answer: share} with int/None keys, None), or (None, what is wrong with the input)."""
    if not isinstance(shares, Mapping) or not shares:
        return None, (f"shares should be a non-empty dict {{answer: probability}}, e.g. "
                      f"{{40: 0.35, 41: 0.2, None: 0.1, ...}}; got {type(shares).__name__} {shares!r}")
    clean = {}
    for a, s in shares.items():
        if isinstance(a, str) and (a.isdigit() or a == "none"):  # the keys of a count dict's answers
            a = None if a == "none" else int(a)
        if a is not None and not (isinstance(a, numbers.Integral) and not isinstance(a, bool)):
            return None, f"shares: the answer {a!r} should be an int (or None for no answer)"
        if not _is_number(s):
            return None, f"shares[{a!r}] = {s!r} should be a probability (a number)"
        if s < 0:
            return None, f"shares[{a!r}] = {s!r} is negative: a probability is at least 0"
        key = None if a is None else int(a)
        clean[key] = clean.get(key, 0.0) + float(s)
    total = sum(clean.values())
    if abs(total - 1) > 0.01:
        hint = (" They look like counts: divide each by their total." if total > 1.5 and
                all(float(s).is_integer() for s in clean.values()) else "")
        return None, (f"the shares sum to {total:.3g}, not 1: they should be the probability of "
                      f"each answer, all answers (None included) together 1.{hint}")
    if not (isinstance(truth, numbers.Integral) and not isinstance(truth, bool)):
        return None, f"truth should be the right answer, an int; got {type(truth).__name__} {truth!r}"
    return {a: s / total for a, s in clean.items()}, None


def _maj_simulated(shares: dict, truth: int, k: int, draws: int, rng) -> float:
    """maj@k when each of k answers is drawn independently from `shares`: the share of `draws`
    votes (counts drawn from the multinomial) whose most common non-None answer is `truth`, ties
    counted by the chance that a random tie-break picks it."""
    import numpy as np

    answers = [a for a in shares if a is not None]
    if not answers or truth not in answers:
        return 0.0
    p = np.array([shares[a] for a in answers] + [shares.get(None, 0.0)])
    counts = rng.multinomial(k, p / p.sum(), size=draws)[:, :-1]  # the None column dropped
    top = counts.max(axis=1, keepdims=True)
    tied = (counts == top) & (top > 0)
    won = tied[:, answers.index(truth)] / np.maximum(tied.sum(axis=1), 1)
    return float(won.mean())


def check_majority_prediction(prediction, shares, truth, k: int = 256, draws: int = 2000,
                              seed: int = 0) -> bool:
    """Predict maj@k at large k (the share of votes of k answers whose most common answer is right)
    for a problem whose answers follow `shares` ({answer: probability}, None for no answer; the
    shares sum to 1) and whose right answer is `truth`. The check simulates `draws` votes for k
    in 1, 4, 16, 64 and `k` (each answer drawn independently, no-answers left out of the vote, ties
    broken at random) and compares at `k`, within 0.15."""
    import numpy as np

    why = _empty_prediction("prediction", prediction)
    if why:
        return _wrong(why)
    clean, why = _shares_problem(shares, truth)
    if why:
        return _wrong(why)
    if not (isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= 1):
        return _wrong(f"k should be a whole number of samples, at least 1; got {k!r}")
    if not (isinstance(draws, numbers.Integral) and not isinstance(draws, bool) and draws >= 1):
        return _wrong(f"draws should be a whole number, at least 1; got {draws!r}")
    rng = np.random.default_rng(seed)
    ks = [x for x in (1, 4, 16, 64) if x < k] + [int(k)]
    curve = {x: _maj_simulated(clean, truth, x, draws, rng) for x in ks}
    right = clean.get(truth, 0.0)
    wrong = sorted(((s, a) for a, s in clean.items() if a is not None and a != truth), reverse=True)
    best_wrong, best_answer = wrong[0] if wrong else (0.0, None)
    print(f"📏 measured by simulation ({draws} votes of k answers each; pass@1 = {right:.2f}):\n"
          f"   k      " + "".join(f"{x:>7d}" for x in ks) + "\n"
          f"   maj@k  " + "".join(f"{curve[x]:7.2f}" for x in ks))
    if right > best_wrong:
        trend = (f"the right answer ({truth}, share {right:.2f}) is the single most likely answer "
                 f"(the likeliest wrong one has {best_wrong:.2f}), so the more votes, the surer it "
                 f"wins: maj@k goes to 1 as k grows, although pass@1 is {right:.2f}")
    elif right == best_wrong:
        trend = (f"the right answer ({truth}) ties with a wrong one ({best_answer}) at share "
                 f"{right:.2f}: the vote between them stays a coin toss, maj@k goes to 1/2")
    else:
        trend = (f"a wrong answer ({best_answer}, share {best_wrong:.2f}) is more likely than the "
                 f"right one ({truth}, {right:.2f}), so the more votes, the surer the wrong one wins: "
                 "maj@k goes to 0 as k grows (the slower, the closer the two shares)")
    meaning = (f"{trend}. pass@1 alone does not decide it; the mode of the answer distribution does. "
               "Majority voting amplifies whatever a model answers most often, right or wrong: that "
               "is how RL, which makes a model give its likeliest answer more often, can lift maj@k "
               "without making it able to solve more.")
    return _verdict([_compare(f"maj@{k}", prediction, curve[int(k)], 0.15)], meaning)


def check_added_reasoning(verdict, base: list[dict], rl: list[dict], kind: str = "path") -> bool:
    """Did the RL run add reasoning? `verdict` True means: at the largest k, K (the smallest n of
    the counts, at most sample_stats.K_MAX), the RL model's pass@K is above the base's, with the
    bootstrap interval of the difference base - RL entirely below 0; False means it is not.

    `base` and `rl` are chain_rl.sample_counts' lists (the same problems in the same order); the
    check reads sample_stats.crossover(base, rl, ks=(1, K), kind=kind). Read it on kind='path' (right
    by the true path): on kind='right' large-k figures are inflated by guessing, since among 100
    possible answers a random guesser passes 1-0.99**256 = 0.92 of the time at k = 256.
    """
    from ..sample_stats import K_MAX, crossover

    if verdict is None or verdict is Ellipsis:
        return _wrong("`verdict` is empty: write True (RL added reasoning) or False (it did not) "
                      "first; the check reads the curves once you have committed.")
    if not isinstance(verdict, bool):
        return _wrong(f"`verdict` should be True or False, got {type(verdict).__name__} {verdict!r}")
    for name, counts in (("base", base), ("rl", rl)):
        if not isinstance(counts, (list, tuple)) or not counts or \
                not all(isinstance(c, Mapping) for c in counts):
            return _wrong(f"{name} should be a non-empty list of count dicts "
                          f"(worlds.chain_rl.sample_counts), got {type(counts).__name__}")
    if len(base) != len(rl):
        return _wrong(f"base holds {len(base)} problems and rl {len(rl)}: sample both on the same "
                      "problems")
    try:
        K = min(min(int(c["n"]) for c in list(base) + list(rl)), K_MAX)
        if K < 1:
            return _wrong("some problem has n = 0 samples: there is no curve to read")
        rows = crossover(list(base), list(rl), ks=(1, K), kind=kind)["rows"]
    except (KeyError, TypeError, ValueError) as e:
        return _wrong(f"cannot read the curves from these counts: {type(e).__name__}: {e}")
    left, right = rows[0], rows[-1]
    truth = right["high"] < 0
    if verdict != truth:
        hint = ("Your verdict fits the left end of the curves (k = 1), where RL is ahead in pass@1; "
                "that gain is not the question. " if verdict and left["high"] < 0 else
                "pass@1, the left end of the curves, is not the question. ")
        return _wrong(f"that is not what the curves say. {hint}Read the right-hand end (k = {K}): "
                      f"the difference base - RL at k = {K} and its bootstrap interval. RL added "
                      "reasoning only if that whole interval lies below 0; an interval that reaches "
                      "0 means the two models cannot be told apart there.")
    _ok(f"{'RL added reasoning' if verdict else 'RL did not add reasoning'} ({kind!r}, k = {K})")
    print(f"   pass@{K}: base {right['base']:.3f}, RL {right['other']:.3f}; difference base - RL "
          f"{right['diff']:+.3f}, 95% interval [{right['low']:+.3f}, {right['high']:+.3f}]\n"
          f"   pass@1:  base {left['base']:.3f}, RL {left['other']:.3f}")
    if verdict:
        meaning = (f"even given {K} tries, the base model solves fewer of these problems than the RL "
                   "model, and the interval excludes a tie: RL made the model able to solve problems "
                   "it could not reach before, not only pick its right answers more often.")
    elif right["low"] > 0:
        meaning = (f"at k = {K} the base model is ahead: RL made the model pick the answers it "
                   "favours more often and lost some of the problems the base could still reach "
                   "by sampling. It narrowed what the model tries, it added no reasoning.")
    else:
        meaning = (f"at k = {K} the two cannot be told apart: whatever RL's gain at k = 1, the base "
                   f"model reaches as much given {K} tries. RL made the model pick what it could "
                   "already do more often; it did not teach it to do more (Yue et al. 2025).")
    if kind == "right":
        meaning += (" On kind='right' large-k figures are inflated by lucky guesses (1-0.99**256 = "
                    "0.92 for a random guesser): read kind='path' before concluding.")
    _means(meaning)
    return True
