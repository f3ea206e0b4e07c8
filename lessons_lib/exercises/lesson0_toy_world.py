"""Lesson 0's checks: notebooks/00_setup_and_toy_world.ipynb (and solutions/00_solutions.ipynb).

    exercise 1  check_solver               solve(question) answers any toy-world question
    exercise 2  check_token_count          the tokens of a chain-of-thought target, counted by hand
    exercise 3  check_coverage_prediction  predict how much of the toy world lesson 1 trains on
"""
from __future__ import annotations

import numbers
import random
from collections.abc import Mapping

from ..worlds.chain import MODULUS, OPS, Problem, random_problem, sft_target, split_of
from ._inputs import _call, _is_number, _mean
from ._verdict import _empty_prediction, _ok, _verdict, _wrong


def _wraps(p: Problem) -> bool:
    """True if some step passes 99 or goes below 00 before the modulus brings it back."""
    prev = p.start
    for (op, x), v in zip(p.ops, p.values):
        if not 0 <= (prev + x if op == "+" else prev - x) < MODULUS:
            return True
        prev = v
    return False


def _solver_hint(wrong: list[tuple[Problem, object]], problems: list[Problem]) -> str:
    """What the wrong answers of a solver have in common (never the true answers)."""
    got = [g for _, g in wrong]
    if all(g is None for g in got):
        return "It returned None: did you forget the `return`?"
    not_int = [g for g in got if not (isinstance(g, numbers.Integral) and not isinstance(g, bool))
               and not (isinstance(g, float) and g.is_integer())]
    if not_int:
        g = not_int[0]
        extra = " (digits in a string: convert with int())" if isinstance(g, str) else ""
        return f"It returned {type(g).__name__} {g!r}: return an int{extra}."
    ints = [(p, int(g)) for p, g in wrong]
    if all(g % MODULUS == p.answer for p, g in ints):
        return ("Each wrong answer is right modulo 100: the counter wraps around (99+1 is 00), "
                "so reduce modulo 100.")
    if all(g == p.start for p, g in ints):
        return "It returned the start number: apply the operations too."
    if all(p.steps > 1 and g == p.values[0] for p, g in ints):
        return "It applied the first operation only: apply every operation in turn."
    wrong_q = {p.question for p, _ in wrong}
    right = [p for p in problems if p.question not in wrong_q]
    if all(_wraps(p) for p, _ in wrong) and right:
        return ("Every wrong answer is on a problem where the running value passes 99 or goes "
                "below 00: how does a two-digit counter wrap around?")
    if all(p.start < 10 for p, _ in wrong):
        return "Every wrong answer is on a question that starts with a 0 ('04+6'): read the start."
    if right and all(p.steps == 1 for p in right):
        return "Only the 1-step problems came out right: apply every operation in turn."
    return ""


def check_solver(solve, n: int = 200, seed: int = 0) -> bool:
    """`solve(question: str) -> int` must return the final answer of a toy-world question."""
    rng = random.Random(seed)
    problems = [random_problem(rng, rng.randint(1, 8)) for _ in range(n)]
    wrong = []
    for p in problems:
        ok, got = _call(solve, p.question)
        if not ok:
            hint = (" Python's eval() refuses leading zeros such as '04'; parse the numbers with int()."
                    if "leading zeros" in got else "")
            return _wrong(f"solve({p.question!r}) raised {got}.{hint}")
        if not _is_number(got) or got != p.answer:
            wrong.append((p, got))
    if wrong:
        p, got = wrong[0]
        hint = _solver_hint(wrong, problems)
        return _wrong(f"{len(wrong)}/{n} wrong. {hint + ' ' if hint else ''}For example "
                      f"solve({p.question!r}) returned {got!r}: work that one out by hand.")
    return _ok(f"all {n} problems solved (1 to 8 steps)")


def check_token_count(answer: int, tokenizer, problem: Problem, fmt: str = "cot") -> bool:
    """How many tokens is the `fmt` target of `problem` (without <bos>/<eos>)?"""
    want = len(tokenizer(sft_target(problem, fmt), add_special_tokens=False)["input_ids"])
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return _wrong(f"expected a number of tokens, got {type(answer).__name__} {answer!r}")
    if answer == want:
        return _ok(f"{want} tokens")
    if answer > want:
        return _wrong(f"{answer} is too many. Every digit is one token, and so is each of '+', '-', "
                      "'=', the space and each tag; the target holds neither <bos> nor <eos>.")
    return _wrong(f"{answer} is too few. Every digit is a token of its own ('45' is two), each tag "
                  "is one token, and the space between two equations counts too.")


def _train_side_count(steps: int, samples: int = 20_000, seed: int = 0) -> tuple[float, bool]:
    """(number of `steps`-step problems on the training side of the split, exact?)."""
    total = MODULUS * (len(OPS) * 9) ** steps
    if total <= 50_000:  # small enough to list them all
        def all_of(k):
            if k == 0:
                yield ()
                return
            for rest in all_of(k - 1):
                for op in OPS:
                    for x in range(1, 10):
                        yield rest + ((op, x),)
        n = sum(split_of(Problem(s, ops)) == "train" for s in range(MODULUS) for ops in all_of(steps))
        return float(n), True
    rng = random.Random(seed)
    share = _mean(split_of(random_problem(rng, steps)) == "train" for _ in range(samples))
    return total * share, False


def check_coverage_prediction(share_1, share_4, train_counts: dict) -> bool:
    """Predict what share of the training side of the toy world lesson 1's training set holds,
    for 1-step and for 4-step problems; the check counts it (exactly at 1 step, by sampling the hash
    split at 4 steps) and compares. `train_counts`: {steps: number of training problems}."""
    for name, v in (("share_1", share_1), ("share_4", share_4)):
        why = _empty_prediction(name, v)
        if why:
            return _wrong(why)
    n = {s: train_counts.get(s) if isinstance(train_counts, Mapping) else None for s in (1, 4)}
    if not all(isinstance(c, int) and c > 0 for c in n.values()):
        return _wrong(f"train_counts should map 1 and 4 steps to numbers of training problems, "
                      f"e.g. lesson_budget().train_problems; got {train_counts!r}")
    side = {s: _train_side_count(s) for s in (1, 4)}
    cover = {s: n[s] / side[s][0] for s in (1, 4)}
    print(f"📏 measured (training problems of lesson 1 / problems on the training side of the split):\n"
          f"   1 step:  {n[1]} / {side[1][0]:,.0f} (all counted) = {cover[1]:.1%}\n"
          f"   4 steps: {n[4]} / about {side[4][0]:,.0f} (the split sampled) = {cover[4]:.4%}, "
          f"1 in {1 / cover[4]:,.0f}")
    results = []
    for s, pred in ((1, share_1), (4, share_4)):
        label = f"{s} step{'s' if s > 1 else ''}"
        if pred == 0:
            results.append((False, f"{label}: you predicted 0, measured {cover[s]:.2g}: small, "
                                   "but not zero"))
            continue
        factor = pred / cover[s]
        close = 0.5 <= factor <= 2
        how = "close" if close else (f"{factor:.3g} times too high" if factor > 1
                                     else f"{1 / factor:.3g} times too low")
        results.append((close, f"{label}: you predicted {pred:.3g}, measured {cover[s]:.3g}: {how}"))
    one = (f"At 1 step, recalling answers seen in training can cover most questions; "
           if cover[1] >= 0.5 else "Even at 1 step most questions are new to the model; ")
    meaning = (f"each step multiplies the number of problems by 18 (2 signs x 9 operands), so "
               f"the training set holds {cover[1]:.0%} of its side of the 1-step world but 1 in "
               f"{1 / cover[4]:,.0f} of the 4-step one. {one}at 4 steps almost every question is "
               "new, and only a method answers it. Lesson 1 trains a model on these problems and "
               "measures which of the two it learned.")
    return _verdict(results, meaning)
