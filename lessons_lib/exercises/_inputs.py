"""What the checks of every lesson share to run and read what a learner hands them.

A learner's function is run through `_call`, so that one that raises is reported, never raised; a
learner's reward function is held to trl's calling convention (`_kwargs_hint`, `_not_one_each`);
a run's accuracies are read by `_acc`, whether they come from the run or back from JSON.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping


def _call(fn, *args, **kwargs):
    try:
        return True, fn(*args, **kwargs)
    except Exception as e:  # report, don't raise: the learner should see what went wrong
        return False, f"{type(e).__name__}: {e}"


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _not_a_number(name: str, x) -> str:
    return f"{name} should be a number, got {type(x).__name__} {x!r}"


def _acc(acc: dict, steps: int):
    """acc[steps], whether the keys are ints (a run's dict) or strings (read back from JSON)."""
    if not isinstance(acc, Mapping):
        return None
    v = acc.get(steps, acc.get(str(steps)))
    return float(v) if _is_number(v) else None


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else float("nan")


def _kwargs_hint(error: str) -> str:
    return (" trl passes every dataset column as a keyword argument: give the function **kwargs."
            if "unexpected keyword argument" in error else "")


def _not_one_each(got, texts) -> str | None:
    """Why a reward's output is not one number per completion (None if it is a list of the length)."""
    if isinstance(got, (list, tuple)) and len(got) == len(texts):
        return None
    return (f"expected a list of {len(texts)} numbers (one per completion), got "
            f"{type(got).__name__} {got!r}"[:300])
