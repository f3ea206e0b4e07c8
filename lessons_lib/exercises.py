"""Exercise checks: each `check_...` runs a learner's answer and says what is right or wrong.

A check prints a verdict and returns True/False; it never raises on a wrong answer (a learner's
function that crashes is reported as such, with the input that made it crash).
"""
from __future__ import annotations

import random

from .formats import extract_answer, sft_target
from .tasks import Problem, make_problems, random_problem


def _ok(msg: str) -> bool:
    print(f"✅ {msg}")
    return True


def _wrong(msg: str) -> bool:
    print(f"❌ {msg}")
    return False


def _call(fn, *args):
    try:
        return True, fn(*args)
    except Exception as e:  # report, don't raise: the learner should see what went wrong
        return False, f"{type(e).__name__}: {e}"


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
        if got != p.answer:
            wrong.append((p.question, got, p.answer))
    if wrong:
        q, got, want = wrong[0]
        hint = " Did you take the result modulo 100?" if isinstance(got, int) and got % 100 == want else ""
        return _wrong(f"{len(wrong)}/{n} wrong; e.g. solve({q!r}) gave {got!r}, expected {want}.{hint}")
    return _ok(f"all {n} problems solved (1 to 8 steps)")


def check_token_count(answer: int, tokenizer, problem: Problem, fmt: str = "cot") -> bool:
    """How many tokens is the `fmt` target of `problem` (without <bos>/<eos>)?"""
    want = len(tokenizer(sft_target(problem, fmt), add_special_tokens=False)["input_ids"])
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return _wrong(f"expected a number of tokens, got {type(answer).__name__} {answer!r}")
    if answer == want:
        return _ok(f"{want} tokens")
    direction = "too many" if answer > want else "too few"
    return _wrong(f"{answer} is {direction} by {abs(answer - want)}: print "
                  "tokenizer.convert_ids_to_tokens(...) to see each token")


def check_exact_match(fn) -> bool:
    """`fn(completions: list[str], answers: list[int]) -> float`, the fraction answered correctly."""
    cases = [
        (["<answer>12</answer>", "<answer>7</answer>"], [12, 8], 0.5),
        (["<think>3+4=7</think><answer>7</answer>"], [7], 1.0),
        (["12", "<answer>12"], [12, 12], 0.0),  # no (closed) answer tags: not an answer
        (["<answer> 5 </answer>", "<answer>05</answer>"], [5, 5], 1.0),
        (["garbage \x00 <answer>", ""], [1, 2], 0.0),
    ]
    for completions, answers, want in cases:
        ok, got = _call(fn, completions, answers)
        if not ok:
            return _wrong(f"fn({completions!r}, {answers}) raised {got}")
        if not isinstance(got, (int, float)) or abs(got - want) > 1e-9:
            return _wrong(f"fn({completions!r}, {answers}) gave {got!r}, expected {want}. "
                          "Hint: formats.extract_answer reads the number inside <answer>...</answer>.")
    return _ok(f"all {len(cases)} cases right, including untagged and garbage completions")


def check_cot_target(fn, n: int = 100) -> bool:
    """`fn(problem) -> str` must write the chain-of-thought target exactly as the course does."""
    for p in make_problems(n // 4, 1, "train") + make_problems(n - n // 4, 3, "train"):
        ok, got = _call(fn, p)
        if not ok:
            return _wrong(f"fn({p.question!r}) raised {got}")
        want = sft_target(p, "cot")
        if not isinstance(got, str):
            return _wrong(f"fn({p.question!r}) returned {type(got).__name__} {got!r}, expected a str")
        if got != want:
            i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            return _wrong(f"for {p.question!r}:\n   got      {got!r}\n   expected {want!r}\n"
                          f"   first difference at character {i}")
        if extract_answer(got) != p.answer:
            return _wrong(f"the answer in {got!r} is not {p.answer}")
    return _ok(f"{n} targets match the course format")


def check_close(name: str, answer: float, want: float, tol: float = 0.01) -> bool:
    """A number computed from this run's results, within `tol`."""
    if not isinstance(answer, (int, float)):
        return _wrong(f"{name}: expected a number, got {type(answer).__name__}")
    if abs(answer - want) <= tol:
        return _ok(f"{name} = {answer:.3f}")
    return _wrong(f"{name}: {answer:.3f} is off by {answer - want:+.3f} (this run's value is {want:.3f})")


# Completions that a format reward must judge right (lesson 3): (completion, expected reward, why)
FORMAT_CASES = [
    ("<think>37+8=45 45-5=40</think><answer>40</answer>", 1.0, "well formed"),
    (" <think>37 plus 8 makes 45</think>\n<answer> 45 </answer>\n", 1.0, "whitespace around tags"),
    ("<think></think><answer>40</answer>", 1.0, "empty thoughts are still the format"),
    ("<answer>40</answer>", 0.0, "no think block"),
    ("37+8=45 <answer>45</answer>", 0.0, "thoughts outside the tags"),
    ("<think>x</think><answer>40</answer><answer>41</answer>", 0.0, "two answers"),
    ("<think>x</think><answer>40, 41</answer>", 0.0, "a list as the answer"),
    ("<think>x</think><answer>the answer is 40</answer>", 0.0, "words in the answer"),
    ("<think>x</think><answer>40</answer> so 40", 0.0, "text after the answer"),
    ("<think>x<answer>40</answer></think>", 0.0, "answer nested in the thoughts"),
    ("<think>x</think><answer>40", 0.0, "unclosed answer"),
    ("<think>a</think><think>b</think><answer>40</answer>", 0.0, "two think blocks"),
    ("", 0.0, "empty completion"),
]


def check_format_reward(fn) -> bool:
    """`fn(completions, **kwargs) -> list[float]`: 1.0 for <think>…</think><answer>N</answer>, else 0."""
    texts = [c for c, _, _ in FORMAT_CASES]
    ok, got = _call(lambda: fn(texts, answer=[40] * len(texts)))
    if not ok:
        return _wrong(f"your reward raised {got}; a reward function must never raise")
    if not isinstance(got, (list, tuple)) or len(got) != len(texts):
        return _wrong(f"expected a list of {len(texts)} floats (one per completion), got {got!r}")
    wrong = [(c, g, want, why) for (c, want, why), g in zip(FORMAT_CASES, got) if g != want]
    if wrong:
        c, g, want, why = wrong[0]
        return _wrong(f"{len(wrong)}/{len(texts)} wrong; e.g. {c!r} ({why}) got {g!r}, "
                      f"expected {want}")
    return _ok(f"all {len(texts)} cases judged right, tricks included")
