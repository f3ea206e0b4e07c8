"""The chain world: multi-step modular arithmetic chains, their questions and SFT targets.

A problem starts at a two-digit number and applies `steps` operations, each adding or subtracting
a one-digit number, everything modulo 100:

    37+8-5+9  ->  37+8=45, 45-5=40, 40+9=49  ->  answer 49
    04-6+3    ->  04-6=98, 98+3=01           ->  answer 01

Values are always written with two digits, like a two-digit counter. Fixed width keeps every step
the same shape, which matters to a small model: with 1-or-2-digit values, most of its arithmetic
slips were at values below 10.

Why this task:
* Difficulty is one knob, the number of steps. Each step is easy (one digit, a carry or a borrow);
  doing several in one's head (in one forward pass) is not.
* The answer space has 100 values, so a random guess is right 1% of the time: pass@k stays
  meaningful (answers mod 10 would give a guesser 10% per try).
* Problems are generated from a seed, so every run sees the same data; train and test sets are
  split by a hash of the problem text, so no problem can land in both (see `split_of`).
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
import re
from ..formats import ANSWER_CLOSE, ANSWER_OPEN, FORMATS, THINK_CLOSE, THINK_OPEN, sft_prompt

MODULUS = 100
MIN_STEPS, MAX_STEPS = 1, 12
OPS = ("+", "-")


@dataclass(frozen=True)
class Problem:
    """One problem: the start value, the operations, and everything derived from them.

    `start` is an int from 0 to 99; `ops` holds 1 to 12 (MIN_STEPS to MAX_STEPS) pairs (operator,
    operand) with the operator '+' or '-' and the operand an int from 1 to 9. Anything else raises a
    ValueError or TypeError that says what is allowed.
    """

    start: int
    ops: tuple[tuple[str, int], ...]  # (operator, operand) pairs
    answer: int = field(init=False)
    values: tuple[int, ...] = field(init=False)  # running value after each step

    def __post_init__(self):
        _check_start(self.start)
        if isinstance(self.ops, list):  # a list of pairs is fine; stored as a tuple (hashable)
            object.__setattr__(self, "ops", tuple(self.ops))
        if not isinstance(self.ops, tuple):
            raise TypeError(f"ops must be a tuple of (operator, operand) pairs such as "
                            f"(('+', 8), ('-', 5)), got {type(self.ops).__name__} ({self.ops!r})")
        if not MIN_STEPS <= len(self.ops) <= MAX_STEPS:
            raise ValueError(
                f"a problem has {MIN_STEPS} to {MAX_STEPS} operations (MIN_STEPS to MAX_STEPS), got "
                f"{len(self.ops)}: give ops such as (('+', 8),) or (('+', 8), ('-', 5))")
        for i, pair in enumerate(self.ops):
            _check_op(i, pair)
        v, values = self.start, []
        for op, x in self.ops:
            v = (v + x) % MODULUS if op == "+" else (v - x) % MODULUS
            values.append(v)
        object.__setattr__(self, "values", tuple(values))
        object.__setattr__(self, "answer", values[-1])

    @property
    def steps(self) -> int:
        return len(self.ops)

    @property
    def question(self) -> str:
        """The problem as text, e.g. '37+8-5+9' (the start always has two digits: '04+6')."""
        return f"{self.start:02d}" + "".join(f"{op}{x}" for op, x in self.ops)

    def worked_steps(self) -> list[str]:
        """One equation per step, e.g. ['37+8=45', '45-5=40', '40+9=49'] or ['04-6=98']."""
        prev, out = self.start, []
        for (op, x), v in zip(self.ops, self.values):
            out.append(f"{prev:02d}{op}{x}={v:02d}")
            prev = v
        return out


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_start(start) -> None:
    if not _is_int(start):
        raise TypeError(f"start must be an int from 0 to {MODULUS - 1}, got "
                        f"{type(start).__name__} ({start!r})")
    if not 0 <= start < MODULUS:
        raise ValueError(f"start={start} is out of range: a problem starts at a value from 0 to "
                         f"{MODULUS - 1} (values are written with two digits). Pick one in that range.")


def _check_op(i: int, pair) -> None:
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise TypeError(f"operation {i} must be an (operator, operand) pair such as ('+', 8), "
                        f"got {pair!r}")
    op, x = pair
    if op not in OPS:
        raise ValueError(f"operation {i} has the operator {op!r}: the toy world only adds and "
                         f"subtracts, so use one of {OPS}")
    if not _is_int(x):
        raise TypeError(f"operation {i} has the operand {x!r} ({type(x).__name__}): operands are "
                        "ints from 1 to 9")
    if not 1 <= x <= 9:
        raise ValueError(f"operation {i} has the operand {x}: operands are one digit, from 1 to 9; "
                         "split a larger one into several operations")


def _check_steps(steps: int) -> None:
    if not isinstance(steps, int) or isinstance(steps, bool):
        raise TypeError(f"steps must be an int, got {type(steps).__name__} ({steps!r})")
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise ValueError(
            f"steps={steps} is out of range: the toy world has problems with "
            f"{MIN_STEPS} to {MAX_STEPS} steps. Pick a number in that range."
        )


def random_problem(rng: random.Random, steps: int) -> Problem:
    """Draw one problem with `steps` operations from `rng`."""
    _check_steps(steps)
    start = rng.randrange(MODULUS)
    ops = tuple((rng.choice(OPS), rng.randint(1, 9)) for _ in range(steps))
    return Problem(start, ops)


def parse_question(text: str) -> Problem:
    """Inverse of `Problem.question` and of its words form: '37+8-5' or '37 plus 8 minus 5' ->
    Problem. Raises ValueError on anything else."""
    import re

    text = text.strip() if isinstance(text, str) else text
    if isinstance(text, str) and re.fullmatch(r"[0-9]{1,2}(?: (?:plus|minus) [1-9])+", text):
        start, *rest = text.split(" ")
        ops = tuple(("+" if w == "plus" else "-", int(d)) for w, d in zip(rest[::2], rest[1::2]))
        return Problem(int(start), ops)
    # [0-9], not \d: \d also matches non-ASCII digits such as "٣", which int() accepts
    m = re.fullmatch(r"([0-9]{1,2})((?:[+-][1-9])+)", text) if isinstance(text, str) else None
    if not m:
        raise ValueError(
            f"{text!r} is not a toy-world question: expected a number 0-99 followed by one or "
            "more '+d' or '-d' operations (d from 1 to 9), e.g. '37+8-5', or the same in words, "
            "'37 plus 8 minus 5'."
        )
    ops = tuple((s[0], int(s[1])) for s in re.findall(r"[+-][1-9]", m.group(2)))
    return Problem(int(m.group(1)), ops)


def split_of(problem: Problem, test_fraction: float = 0.5) -> str:
    """'train' or 'test', fixed by a hash of the question text.

    The split depends on the problem only, never on the seed or the order of generation, so the
    same problem always lands on the same side: the two splits cannot overlap, whatever is drawn.
    """
    h = int.from_bytes(hashlib.sha256(problem.question.encode()).digest()[:8], "big")
    return "test" if (h / 2**64) < test_fraction else "train"


def make_problems(
    n: int, steps: int, split: str, seed: int = 0, test_fraction: float = 0.5
) -> list[Problem]:
    """`n` distinct problems with `steps` steps from one split ('train' or 'test').

    Deterministic in (n, steps, split, seed). Raises if the split has fewer than `n` problems.
    """
    _check_steps(steps)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    rng = random.Random(f"{seed}-{steps}-{split}")
    capacity = MODULUS * (2 * 9) ** steps * (test_fraction if split == "test" else 1 - test_fraction)
    if n > 0.8 * capacity:
        raise ValueError(
            f"asked for {n} distinct {steps}-step problems from the {split} split, which holds about "
            f"{int(capacity)}; ask for at most {int(0.8 * capacity)}."
        )
    seen, out = set(), []
    while len(out) < n:
        p = random_problem(rng, steps)
        if p.question in seen or split_of(p, test_fraction) != split:
            continue
        seen.add(p.question)
        out.append(p)
    return out


def make_dataset(
    n_per_step: int | dict[int, int], steps: list[int] | range | None = None, split: str = "train",
    seed: int = 0,
) -> list[Problem]:
    """Problems for several step counts, concatenated in step order.

    `n_per_step` is either one count for every step count in `steps`, or a mapping {steps: count}
    (then `steps` may be omitted), e.g. {1: 700, 2: 700, 3: 250, 4: 250}.
    """
    if isinstance(n_per_step, Mapping):
        counts = dict(n_per_step)
        if steps is not None and sorted(steps) != sorted(counts):
            raise ValueError(f"steps {list(steps)} disagree with the keys of n_per_step {sorted(counts)}")
    else:
        if steps is None:
            raise ValueError("give the step counts: make_dataset(n, steps=range(1, 5), ...)")
        counts = {s: n_per_step for s in steps}
    out: list[Problem] = []
    for s in sorted(counts):
        out.extend(make_problems(counts[s], s, split, seed))
    return out


NOTATIONS = ("symbols", "words")


WORD_VERBS = ("makes", "is")  # '04 plus 6 makes 10' or '04 plus 6 is 10'


SYMBOL_STEP = re.compile(r"(\d{2})([+-])(\d)=(\d{2})")


WORD_STEP = re.compile(rf"(\d{{2}}) (plus|minus) (\d) (?:{'|'.join(WORD_VERBS)}) (\d{{2}})")


def question_text(problem: Problem, notation: str = "symbols") -> str:
    """The question in a notation: '37+8-5' (symbols) or '37 plus 8 minus 5' (words)."""
    if notation == "symbols":
        return problem.question
    if notation == "words":
        return f"{problem.start:02d}" + "".join(
            f" {'plus' if op == '+' else 'minus'} {x}" for op, x in problem.ops)
    raise ValueError(f"unknown notation {notation!r}: choose one of {NOTATIONS}")


def question_notation(problem: Problem) -> str:
    """The language a problem is asked in, 'symbols' or 'words': half each, fixed by a hash of the
    problem (salted, so it is independent of the train/test split)."""
    import hashlib

    h = hashlib.sha256(f"language-{problem.question}".encode()).digest()[0]
    return NOTATIONS[h & 1]


def ask(problem: Problem) -> str:
    """The problem's question in its own language (question_notation)."""
    return question_text(problem, question_notation(problem))


def notation_of(thought: str) -> str:
    """'symbols', 'words', 'mixed' (steps in both notations) or 'none' (no recognisable step)."""
    s, w = bool(SYMBOL_STEP.search(thought)), bool(WORD_STEP.search(thought))
    return "mixed" if s and w else "symbols" if s else "words" if w else "none"


def sft_target(problem: Problem, fmt: str) -> str:
    """The completion the model is trained to write, in format `fmt` ('answer_only' or 'cot')."""
    if fmt == "answer_only":
        return f"{ANSWER_OPEN}{problem.answer:02d}{ANSWER_CLOSE}"
    if fmt == "cot":
        thoughts = " ".join(problem.worked_steps())
        return f"{THINK_OPEN}{thoughts}{THINK_CLOSE}{ANSWER_OPEN}{problem.answer:02d}{ANSWER_CLOSE}"
    raise ValueError(f"unknown format {fmt!r}: choose one of {FORMATS}")


def to_records(problems: list[Problem], fmt: str) -> list[dict]:
    """Prompt/completion records, the shape trl's SFTTrainer trains on with loss on completions."""
    return [
        {"prompt": sft_prompt(p), "completion": sft_target(p, fmt), "steps": p.steps,
         "answer": p.answer}
        for p in problems
    ]


_EQ_RE = re.compile(r"(\d+)([+-])(\d+)=(\d+)")


def parse_equations(thoughts: str) -> list[tuple[int, str, int, int]]:
    """The equations 'a+b=c' / 'a-b=c' written in a thought, as (a, op, b, c) tuples."""
    if not isinstance(thoughts, str):
        return []
    return [(int(a), op, int(b), int(c)) for a, op, b, c in _EQ_RE.findall(thoughts)]
