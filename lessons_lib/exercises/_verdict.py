"""How every check reports: one line marked ✅ or ❌, and for a prediction, what it means.

`_mark` is the one place a verdict is printed; `_ok` and `_wrong` are its two spellings (a check
returns one of them, so a solution notebook can `assert check_x(...)`). A *prediction* check builds
its lines with `_compare` and reports them with `_verdict`; a number the learner computed is judged
by `_judge_number`, which answers a wrong one with a hint and never prints the true value.
"""
from __future__ import annotations

import math

from ._inputs import _is_number, _not_a_number


def _mark(right: bool, msg: str) -> bool:
    """Print `msg` marked right (✅) or wrong (❌); return `right`, the check's verdict."""
    print(f"{'✅' if right else '❌'} {msg}")
    return right


def _ok(msg: str) -> bool:
    return _mark(True, msg)


def _wrong(msg: str) -> bool:
    return _mark(False, msg)


def _means(meaning: str) -> None:
    """Print what a measurement means, after its verdict."""
    print(f"What it means: {meaning}")


def _judge_number(name: str, answer, truth: float, tol: float, mistakes=()) -> bool:
    """Right within `tol`; else the hint of the first known mistake that fits, else the direction.

    `mistakes` holds (value, hint) pairs: what a typical wrong computation gives, and what to fix.
    The true value is never printed.
    """
    if not _is_number(answer):
        return _wrong(_not_a_number(name, answer))
    if abs(answer - truth) <= tol:
        return _ok(f"{name} = {answer:.3f}")
    for value, hint in mistakes:
        if value is not None and math.isfinite(value) and abs(answer - value) <= tol \
                and abs(value - truth) > tol:
            return _wrong(f"{name}: {answer:.3f} is not it. {hint}")
    direction = "too high" if answer > truth else "too low"
    return _wrong(f"{name}: {answer:.3f} is {direction}. Recompute it from the run's numbers and "
                  "print each part.")


def _empty_prediction(name: str, value, lo: float = 0.0, hi: float = 1.0) -> str | None:
    """Why `value` is not yet a usable prediction (None if it is one)."""
    if value is None or value is Ellipsis:
        return (f"`{name}` is empty: write your prediction first (a number from {lo:g} to {hi:g}). "
                "The check measures only once you have committed to a number.")
    if not _is_number(value):
        return f"`{name}` should be a number from {lo:g} to {hi:g}, got {type(value).__name__} {value!r}"
    if not lo <= value <= hi:
        return (f"`{name}` = {value!r} is outside {lo:g} to {hi:g}" +
                (": write a share as a fraction (0.25 for a quarter)" if hi == 1 else ""))
    return None


def _compare(label: str, predicted: float, measured: float, tol: float) -> tuple[bool, str]:
    """(close?, 'you predicted 0.50, measured 0.16: 0.34 too high')."""
    diff = predicted - measured
    if abs(diff) <= tol:
        return True, f"{label}: you predicted {predicted:.2f}, measured {measured:.2f}: close"
    return False, (f"{label}: you predicted {predicted:.2f}, measured {measured:.2f}: "
                   f"{abs(diff):.2f} too {'high' if diff > 0 else 'low'}")


def _verdict(results: list[tuple[bool, str]], meaning: str) -> bool:
    """A prediction check's report: close only if every `_compare` line is; then what it means."""
    close = all(ok for ok, _ in results)
    lines = "\n   ".join(line for _, line in results)
    what = "your predictions were" if len(results) > 1 else "your prediction was"
    _mark(close, f"{what} {'close' if close else 'off'}\n   {lines}")
    _means(meaning)
    return close
