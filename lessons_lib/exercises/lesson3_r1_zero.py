"""Lesson 3's checks, in the numbers game: notebooks/03_r1_zero.ipynb (and solutions/03_solutions.ipynb).

    exercise 1  check_numbers_checker       my_checker(text, numbers, target) on CHECKER_CASES, the
                                            table numbers.check_expression's tests use too
    exercise 2  check_curve_reaching        the update at which accuracy and length moved, from rl_log
    exercise 3  check_behaviour_prediction  predict RL's gain from the base without backtracking
                                            (read from bench/numbers_rl_seeds.json)

`_update_verdict` and `_which_first` are shared with lesson3_chain_world.check_first_reaching, the
first version of exercise 2.
"""
from __future__ import annotations

from ._inputs import _call, _is_number, _mean, _not_a_number
from ._verdict import _compare, _empty_prediction, _ok, _verdict, _wrong


def _update_verdict(updates: dict, find, hint, tol: int) -> str | None:
    """Why the updates a learner found are not where the logged series reach the line (None when
    each is, give or take `tol`). `updates` maps a name to (its series' key in rl_log, the learner's
    update); `find(key, full_windows)` is the right update under one reading of the first, shorter
    windows (both readings are accepted); `hint(key, answer)` says what to recompute."""
    for name, (key, answer) in updates.items():
        if answer is None:
            return f"{name}_update is empty: write the update you found"
        if not _is_number(answer):
            return _not_a_number(f"{name}_update", answer)
        right = {s for full in (False, True) if (s := find(key, full)) is not None}
        if not right:
            return f"rl_log holds no {key!r} entries with a 'step': pass trl's log_history"
        if not any(abs(answer - s) <= tol for s in right):
            return (f"{name}_update = {answer}: too {'late' if answer > max(right) else 'early'}; "
                    f"{hint(key, answer)}.")
    return None


def _which_first(a: tuple[str, float], b: tuple[str, float]) -> str | None:
    """The name of the (name, update) pair whose update comes first; None when they are equal."""
    return a[0] if a[1] < b[1] else b[0] if b[1] < a[1] else None


# (expression, right?, why) for the numbers 3 7 9 8 and the target 47: the table a learner's checker
# (lesson 3, exercise 1) and the course's numbers.check_expression are both checked against.
CHECKER_NUMBERS, CHECKER_TARGET = (3, 7, 9, 8), 47
CHECKER_CASES = [
    ("(7*8)-9", True, "a right expression"),
    ("7*8-9", True, "* binds tighter than -: the same value without parentheses"),
    ("7 * 8 - 9", True, "spaces between the tokens are fine"),
    ("((7)*(8))-(9)", True, "extra parentheses are fine"),
    ("(3+8)*(9-7)-(0)", False, "0 is not a given number"),
    ("9*7-8-8", False, "8 is given once and used twice"),
    ("47", False, "the target itself: 47 is not a given number"),
    ("(7*8)-9+3-3", False, "3 used twice"),
    ("(7*8)-9*1", False, "1 is not given"),
    ("78-31", False, "numbers glued together: 78 is not given"),
    ("7**2-2", False, "** is not an operation of the game"),
    ("(7*8)-(9/1)", False, "/ is not allowed"),
    ("(07*8)-9", False, "a leading zero: write the numbers as given"),
    ("-9+7*8", False, "a unary minus"),
    ("(7*8)-9=47", False, "an equation, not an expression"),
    ("", False, "empty"),
    ("(7*8)-9, 47", False, "two answers"),
    ("((7*8)-9", False, "an unclosed parenthesis"),
    ("(7*8)-9)", False, "a stray parenthesis"),
    ("__import__('os')", False, "code: never eval what a model writes"),
    ("7.0*8-9", False, "a decimal"),
    ("(７*8)-9", False, "a full-width digit (Python's int() accepts it)"),
    ("(7*9)-8", False, "the given numbers, the wrong value"),
    ("(" * 400 + "7" + ")" * 400 + "*8-9", False, "nested too deep for a naive recursive parser"),
    (None, False, "not text at all"),
]


def check_numbers_checker(fn) -> bool:
    """`fn(text, numbers, target) -> bool`: True only for an expression over the given numbers (each
    at most as often as given) with + - * and parentheses whose value is the target. Runs `fn` on
    CHECKER_CASES; it must never raise."""
    wrong, raised = [], []
    for text, right, why in CHECKER_CASES:
        ok, got = _call(fn, text, list(CHECKER_NUMBERS), CHECKER_TARGET)
        if not ok:
            raised.append((text, got, why))
        elif not isinstance(got, bool) or got != right:
            wrong.append((text, got, right, why))
    if raised:
        text, err, why = raised[0]
        return _wrong(f"your checker raised {err} on {str(text)[:40]!r} ({why}). A checker is a "
                      "reward: one exception stops the training run, so catch what a model can write.")
    if wrong:
        text, got, right, why = wrong[0]
        verdict = ("accepted it, but it must earn nothing" if got else "rejected it, but it is right")
        others = "; ".join(w for *_, w in wrong[1:4])
        return _wrong(f"{len(wrong)}/{len(CHECKER_CASES)} cases judged wrong. First: {str(text)[:40]!r} "
                      f"({why}): your checker {verdict}" + (f" (it returned {got!r}, not a bool)"
                                                           if not isinstance(got, bool) else "")
                      + (f".\n   others: {others}" if others else "."))
    return _ok(f"all {len(CHECKER_CASES)} cases judged right, tricks included, and it never raised")


def _first_covering(log: list, key: str, share: float, window: int, full_windows: bool, smooth: bool = True):
    """The first update at which the moving average of `key` has gone `share` of the way from its
    start (the mean of the first `window` updates) to its end (the mean of the last `window`)."""
    rows = [(r["step"], r[key]) for r in log if isinstance(r, dict) and key in r and "step" in r]
    if not rows:
        return None
    xs = [x for _, x in rows]
    start, end = _mean(xs[:window]), _mean(xs[-window:])
    line = start + share * (end - start)
    for i, (step, _) in enumerate(rows):
        if full_windows and smooth and i < window - 1:
            continue
        m = _mean(xs[max(0, i - window + 1):i + 1]) if smooth else xs[i]
        if (m >= line) if end >= start else (m <= line):
            return step
    return None


def check_curve_reaching(accuracy_update, length_update, rl_log: list, share: float = 0.8,
                         window: int = 5, tol: int = 1) -> bool:
    """The first update at which the `window`-update moving average of the training accuracy
    (`rewards/accuracy/mean`) and of the mean length (`completions/mean_length`) has gone `share`
    of the way from its start (the mean of the first `window` updates) to its end (the mean of the
    last `window`), give or take `tol` updates. Windows shorter than `window` at the start count,
    or not: both readings are accepted."""
    keys = {"accuracy": ("rewards/accuracy/mean", accuracy_update),
            "length": ("completions/mean_length", length_update)}

    def hint(key, answer):
        raw = _first_covering(rl_log, key, share, window, False, smooth=False)
        if raw is not None and abs(answer - raw) <= tol:
            return (f"that is where a single update first crosses the line; average each update with "
                    f"the {window - 1} before it")
        return (f"the line is the start plus {share:.0%} of (end - start), start and end the means of "
                f"the first and last {window} updates; print them and the moving average")
    why = _update_verdict(keys, lambda key, full: _first_covering(rl_log, key, share, window, full),
                          hint, tol)
    if why:
        return _wrong(why)
    first = _which_first(("the accuracy", accuracy_update), ("the length", length_update))
    return _ok(f"accuracy at update {accuracy_update}, length at update {length_update}: "
               + (f"{first} moved first" if first else "they moved together"))


def check_behaviour_prediction(predicted_share, bench: dict, tol: float = 0.2) -> bool:
    """Predict the pass@1 gained by RL from the base without backtracking, as a share of the gain
    from the base with it (means over the bench's seeds: bench/numbers_rl_seeds.json)."""
    why = _empty_prediction("predicted_share", predicted_share, 0.0, 1.5)
    if why:
        return _wrong(why)
    gains = {arm: _mean(r[arm]["pass1_after"] - r[arm]["pass1_before"] for r in bench["seeds"])
             for arm in ("backtrack", "no_backtrack")}
    if gains["backtrack"] <= 0:
        print(f"📏 RL from the backtracking base gained {gains['backtrack']:+.3f} on average: there is no "
              "gain to take a share of, so this prediction cannot be judged on this bench.")
        return False
    share = gains["no_backtrack"] / gains["backtrack"]
    print(f"📏 mean pass@1 gained over {len(bench['seeds'])} seeds: with backtracking "
          f"{gains['backtrack']:+.3f}, without {gains['no_backtrack']:+.3f}")
    meaning = ("RL can only make more likely what a base already does sometimes. A base that never "
               "checks a try or backs up has no search for RL to reward; it can only sharpen its one "
               "guess" if share < 0.5 else
               "here the base without backtracking gained at least half as much: its single tries, "
               "made more likely, were enough on these problems; read section 9's table per seed")
    return _verdict([_compare("the share", predicted_share, share, tol)], meaning)
