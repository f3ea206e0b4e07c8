"""The numbers game: a world where thinking means trying hypotheses (lesson 3 onwards).

A problem gives a few small numbers and a target; the task is an expression that reaches the target
using + - * and parentheses, each given number at most once (Countdown, the game TinyZero, Mini-R1
and Gandhi et al. 2025 use for R1-Zero):

    numbers 3 7 9 8, target 47    (7*8)-9      right: 56-9 = 47
                                  (7*9)-8-8    wrong: 8 is given once
                                  47           wrong: 47 is not a given number

Unlike the chain world (one fixed procedure), nothing tells a solver which expression works: it
tries a hypothesis, computes it, checks it against the target and backs up when it fails. That is
what a thought in this world holds, and what `read_thought` counts.

The world's interface mirrors the chain world's (`tasks`, `formats`, `rewards`, `thoughts`):

    problems   Problem(numbers, target); make_problems(n, level, split, seed); LEVELS (difficulty)
    split      split_of(problem): 'train' or 'test' by a hash of the problem (numbers sorted, so a
               reordering of a test problem is a test problem too): the splits cannot overlap
    prompt     question_text(problem, notation), ask(problem), prompt(problem) (R1-Zero's template)
    checker    check_expression(text, numbers, target); numbers_reward (trl's reward signature)
    readers    read_thought(text, problem) -> Thought: tries, checks, backtracks, repeats, give-ups,
               notation; thought_stats over many completions

Two notations, the world's two "languages" (as the chain world's symbols and words):

    question   symbols  3 7 9 8 -> 47              words  from 3 7 9 8 to 47
    a step     symbols  7*8=56                     words  7 times 8 is 56
    a check    symbols  47 vs 47 = yes             words  47 vs 47 same yes
                        50 vs 47 != no                     50 vs 47 differ no

A check is written as a copy: the try's value, then the target copied from the question, then
the relation of the two numbers now side by side, then the verdict. (A first version wrote the
relation between them, '50!=47 no': a model then compares with a target it has not yet written,
and the first base got the relation wrong in about 10% of its checks.)

A try is a chain: each step starts from the previous step's result (`7*8=56 56-9=47`); its
expression, written fully parenthesised from the left, is the answer: `(7*8)-9`. Between tries a
searcher writes `back.`; one that stops writes `give up`. Difficulty has three knobs (LEVELS):
how many numbers, their range, and how many operations the shortest solution needs, found by an
exhaustive search over every expression (`shortest_solution`).
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from ..world import World

OPS = ("+", "-", "*")
OP_WORDS = {"+": "plus", "-": "minus", "*": "times"}
NOTATIONS = ("symbols", "words")
MAX_NUMBERS = 6
TARGETS = (10, 99)  # targets a level draws (two digits: a check copies two digits)
VALUE_CAP = 99  # a level's target is reached by a chain whose intermediate values stay in 0..VALUE_CAP
TRY_CAP = 99  # the corpus's tries keep every intermediate value in 0..TRY_CAP (two digits: fewer facts)


@dataclass(frozen=True)
class Level:
    """A difficulty level: `count` numbers from `low` to `high`, and a target whose shortest
    solution needs exactly `ops` operations (so the problem cannot be solved with fewer)."""

    count: int
    low: int
    high: int
    ops: int

    def __post_init__(self):
        for name in ("count", "low", "high", "ops"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Level.{name} must be a positive int, got {v!r}")
        if not 2 <= self.count <= MAX_NUMBERS:
            raise ValueError(f"Level.count={self.count}: a problem has 2 to {MAX_NUMBERS} numbers")
        if self.low > self.high or self.high > 99:
            raise ValueError(f"Level numbers from {self.low} to {self.high}: give 1 <= low <= high <= 99")
        if self.ops > self.count - 1:
            raise ValueError(f"Level.ops={self.ops}: {self.count} numbers allow at most "
                             f"{self.count - 1} operations")


# The levels lessons use: 3 numbers (2 operations needed), 4 numbers (3 needed) and 5 numbers (4
# needed), from 1 to 9. The corpus and RL use 3 and 4; 5 is harder than anything trained on.
LEVELS = {"3": Level(3, 1, 9, 2), "4": Level(4, 1, 9, 3), "5": Level(5, 1, 9, 4)}


@dataclass(frozen=True)
class Problem:
    """Numbers (a tuple of 2 to 6 ints from 1 to 99, repeats allowed) and a target int (0-999)."""

    numbers: tuple[int, ...]
    target: int
    key: str = field(init=False, repr=False)  # the order-free identity the split hashes

    def __post_init__(self):
        nums = tuple(self.numbers) if isinstance(self.numbers, list) else self.numbers
        if not isinstance(nums, tuple) or not 2 <= len(nums) <= MAX_NUMBERS or not all(
                _is_int(n) and 1 <= n <= 99 for n in nums):
            raise ValueError(f"numbers must be 2 to {MAX_NUMBERS} ints from 1 to 99, e.g. (3, 7, 9, 8); "
                             f"got {self.numbers!r}")
        if not _is_int(self.target) or not 0 <= self.target <= 999:
            raise ValueError(f"target must be an int from 0 to 999, got {self.target!r}")
        object.__setattr__(self, "numbers", nums)
        object.__setattr__(self, "key", f"{' '.join(map(str, sorted(nums)))} -> {self.target}")

    @property
    def question(self) -> str:
        """The problem in symbols: '3 7 9 8 -> 47'."""
        return question_text(self, "symbols")

    @property
    def min_ops(self) -> int | None:
        """Operations the shortest solution needs (None: no expression reaches the target)."""
        found = shortest_solution(self.numbers, self.target)
        return None if found is None else found[0]


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def apply(a: int, op: str, b: int) -> int:
    return a + b if op == "+" else a - b if op == "-" else a * b


# --- exhaustive search -----------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _reachable(numbers: tuple[int, ...]) -> dict[int, dict[int, str]]:
    """{mask: {value: expression}} for every subset of `numbers` used in full, over every expression
    tree with + - * (all intermediate values allowed, negative ones too, as the checker allows)."""
    n = len(numbers)
    table: dict[int, dict[int, str]] = {1 << i: {v: str(v)} for i, v in enumerate(numbers)}
    for mask in range(1, 1 << n):
        if mask in table:
            continue
        out: dict[int, str] = {}
        sub = (mask - 1) & mask
        while sub:
            rest = mask ^ sub
            if sub < rest:  # each unordered split once; both orders of '-' below
                for a, ea in table[sub].items():
                    for b, eb in table[rest].items():
                        for v, e in ((a + b, f"({ea}+{eb})"), (a * b, f"({ea}*{eb})"),
                                     (a - b, f"({ea}-{eb})"), (b - a, f"({eb}-{ea})")):
                            out.setdefault(v, e)
            sub = (sub - 1) & mask
        table[mask] = out
    return table


def shortest_solution(numbers, target: int) -> tuple[int, str] | None:
    """(operations, expression) of a shortest solution, or None if the target cannot be reached."""
    numbers = tuple(numbers)
    table = _reachable(numbers)
    best = None
    for mask, values in table.items():
        if target in values:
            ops = bin(mask).count("1") - 1
            if best is None or ops < best[0]:
                best = (ops, values[target])
    return best


# --- problems and the split -----------------------------------------------------------------------

def split_of(problem: Problem, test_fraction: float = 0.5) -> str:
    """'train' or 'test', fixed by a hash of the problem's sorted numbers and target.

    It depends on the problem only (never on the seed or the order of the numbers), so the same
    problem, however its numbers are ordered, always lands on the same side."""
    h = int.from_bytes(hashlib.sha256(f"numbers-{problem.key}".encode()).digest()[:8], "big")
    return "test" if (h / 2**64) < test_fraction else "train"


def chain_value(start: int, steps, cap: int = VALUE_CAP) -> int | None:
    """The value of a chain, or None if an intermediate value leaves 0..cap."""
    v = start
    for op, b in steps:
        v = apply(v, op, b)
        if not 0 <= v <= cap:
            return None
    return v


def chain_values(numbers, ops: int) -> set[int]:
    """Values of every chain of `ops` operations over distinct positions of `numbers` whose
    intermediate values stay in 0..VALUE_CAP (what a corpus search can reach)."""
    n = len(numbers)
    frontier = {(1 << i, v) for i, v in enumerate(numbers)}
    for _ in range(ops):
        nxt = set()
        for mask, v in frontier:
            for j in range(n):
                if not mask >> j & 1:
                    b = numbers[j]
                    for w in (v + b, v - b, v * b):
                        if 0 <= w <= VALUE_CAP:
                            nxt.add((mask | 1 << j, w))
        frontier = nxt
    return {v for _, v in frontier}


@lru_cache(maxsize=None)
def level_pool(level: Level) -> tuple[Problem, ...]:
    """Every problem of `level` (numbers sorted): a two-digit target (TARGETS) that is not one of
    the numbers, whose shortest solution needs exactly `level.ops` operations (over every
    expression), and that a chain with intermediate values in 0..VALUE_CAP reaches."""
    from itertools import combinations_with_replacement

    lo, hi = TARGETS
    out = []
    for nums in combinations_with_replacement(range(level.low, level.high + 1), level.count):
        fewest: dict[int, int] = {}
        for mask, values in _reachable(nums).items():
            k = bin(mask).count("1") - 1
            for v in values:
                if lo <= v <= hi and fewest.get(v, 99) > k:
                    fewest[v] = k
        chains = chain_values(nums, level.ops)
        out += [Problem(nums, t) for t in sorted(fewest)
                if fewest[t] == level.ops and t in chains and t not in nums]
    _reachable.cache_clear()
    return tuple(out)


def random_problem(rng: random.Random, level) -> Problem:
    """A problem drawn uniformly from `level_pool(level)`, its numbers in a random order."""
    p = rng.choice(level_pool(_level(level)))
    nums = list(p.numbers)
    rng.shuffle(nums)
    return Problem(tuple(nums), p.target)


def _level(level) -> Level:
    if isinstance(level, Level):
        return level
    if isinstance(level, (str, int)) and not isinstance(level, bool) and str(level) in LEVELS:
        return LEVELS[str(level)]
    raise ValueError(f"unknown level {level!r}: give one of {sorted(LEVELS)} or a Level(...)")


def make_problems(n: int, level="4", split: str = "train", seed: int = 0,
                  test_fraction: float = 0.5) -> list[Problem]:
    """`n` distinct problems of a level ('3', '4' or a Level) from one split, deterministic in
    (n, level, split, seed), drawn without replacement from level_pool (distinct up to the order
    of the numbers, which is shuffled)."""
    lev = _level(level)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if not _is_int(n) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    rng = random.Random(f"numbers-{seed}-{lev}-{split}")
    pool = [p for p in level_pool(lev) if split_of(p, test_fraction) == split]
    if n > len(pool):
        raise ValueError(f"the {split} split of {lev} holds {len(pool)} problems; ask for at most that")
    out = []
    for p in rng.sample(pool, n):
        nums = list(p.numbers)
        rng.shuffle(nums)
        out.append(Problem(tuple(nums), p.target))
    return out


# --- prompts ----------------------------------------------------------------------------------------

def question_text(problem: Problem, notation: str = "symbols") -> str:
    """'3 7 9 8 -> 47' (symbols) or 'from 3 7 9 8 to 47' (words)."""
    nums = " ".join(map(str, problem.numbers))
    if notation == "symbols":
        return f"{nums} -> {problem.target}"
    if notation == "words":
        return f"from {nums} to {problem.target}"
    raise ValueError(f"unknown notation {notation!r}: choose one of {NOTATIONS}")


def question_notation(problem: Problem) -> str:
    """The language a problem is asked in: half each, by a salted hash of the problem."""
    return NOTATIONS[hashlib.sha256(f"language-{problem.key}".encode()).digest()[0] & 1]


def ask(problem: Problem) -> str:
    return question_text(problem, question_notation(problem))


def prompt(problem: Problem) -> str:
    """The R1-Zero prompt (formats.TEMPLATE) for the problem asked in its own language."""
    from ..formats import r1_zero_prompt

    return r1_zero_prompt(ask(problem))


def records(problems: list[Problem]) -> list[dict]:
    """Rows for trl's GRPOTrainer: prompt, and the columns numbers_reward reads."""
    return [dict(prompt=prompt(p), numbers=list(p.numbers), target=p.target,
                 language=question_notation(p), ops=p.min_ops) for p in problems]


# --- text of a try (the corpus writes it, the readers read it) --------------------------------------

def step_text(a: int, op: str, b: int, c: int, notation: str) -> str:
    """'7*8=56' (symbols) or '7 times 8 is 56' (words)."""
    if notation == "symbols":
        return f"{a}{op}{b}={c}"
    if notation == "words":
        return f"{a} {OP_WORDS[op]} {b} is {c}"
    raise ValueError(f"unknown notation {notation!r}: choose one of {NOTATIONS}")


def check_text(value: int, target: int, notation: str) -> str:
    """The check of a try, written as a copy: '47 vs 47 = yes', '50 vs 47 != no' (symbols),
    '47 vs 47 same yes', '50 vs 47 differ no' (words)."""
    same = value == target
    if notation == "symbols":
        return f"{value} vs {target} {'=' if same else '!='} {'yes' if same else 'no'}"
    if notation == "words":
        return f"{value} vs {target} {'same' if same else 'differ'} {'yes' if same else 'no'}"
    raise ValueError(f"unknown notation {notation!r}: choose one of {NOTATIONS}")


def chain_expression(start: int, steps) -> str:
    """A chain as an expression, parenthesised from the left: 7, [('*', 8), ('-', 9)] -> '(7*8)-9'."""
    text = str(start)
    for i, (op, b) in enumerate(steps):
        text = f"{text}{op}{b}" if i == 0 else f"({text}){op}{b}"
    return text


# --- the checker --------------------------------------------------------------------------------------

MAX_ANSWER_CHARS = 200
_TOKEN = re.compile(r"\s*(?:([0-9]+)|([-+*x×()]))")


class _Bad(Exception):
    pass


def parse_expression(text: str) -> tuple[int, list[str]]:
    """(value, number literals used) of an expression of ASCII numbers, + - * (also 'x' and '×')
    and parentheses, by recursive descent (never eval). Raises ValueError saying what is wrong:
    an unknown character, a unary minus, a number with a leading zero, unbalanced parentheses."""
    if not isinstance(text, str):
        raise ValueError(f"an expression is text, got {type(text).__name__}")
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(f"the expression is longer than {MAX_ANSWER_CHARS} characters")
    toks, pos, s = [], 0, text.rstrip()
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m:
            raise ValueError(f"{s[pos:pos + 1]!r} at position {pos} is not a number, + - * or a parenthesis")
        toks.append(m.group(1) or ("*" if m.group(2) in "x×" else m.group(2)))
        pos = m.end()
    literals: list[str] = []
    i = 0

    def peek():
        return toks[i] if i < len(toks) else None

    def take():
        nonlocal i
        i += 1
        return toks[i - 1]

    def atom(depth):
        t = peek()
        if t is None:
            raise _Bad("the expression ends where a number was expected")
        if t == "(":
            if depth > 20:
                raise _Bad("parentheses nested more than 20 deep")
            take()
            v = expr(depth + 1)
            if peek() != ")":
                raise _Bad("a '(' is never closed")
            take()
            return v
        if t[0].isdigit():
            take()
            if len(t) > 1 and t[0] == "0":
                raise _Bad(f"{t} has a leading zero: write numbers as given")
            if len(t) > 6:
                raise _Bad(f"{t} is too long to be a given number")
            literals.append(t)
            return int(t)
        raise _Bad(f"{t!r} where a number was expected (no unary minus, no '**')")

    def term(depth):
        v = atom(depth)
        while peek() == "*":
            take()
            v = v * atom(depth)
        return v

    def expr(depth):
        v = term(depth)
        while peek() in ("+", "-"):
            op = take()
            w = term(depth)
            v = v + w if op == "+" else v - w
        return v

    try:
        value = expr(0)
        if i != len(toks):
            raise _Bad(f"{toks[i]!r} after a complete expression")
    except _Bad as e:
        raise ValueError(str(e)) from None
    if not literals:
        raise ValueError("the expression holds no number")
    return value, literals


def check_expression(text, numbers, target) -> tuple[bool, str]:
    """(right, why): is `text` an expression over the given `numbers` (each at most as often as
    given, written as given) whose value is `target`? Never raises."""
    try:
        value, literals = parse_expression(text)
    except ValueError as e:
        return False, str(e)
    except RecursionError:
        return False, "nested too deep"
    pool = list(numbers)
    for lit in literals:
        n = int(lit)
        if n not in pool:
            return False, f"{lit} is not among the given numbers {list(numbers)} (or is used too often)"
        pool.remove(n)
    if value != target:
        return False, f"the value is {value}, not the target {target}"
    return True, "right"


def answer_text(completion) -> str | None:
    """The text inside the one <answer> block of a completion, under the same layout rules as
    rewards.checked_answer: exactly one answer block, no other tags inside it, a think block (if
    any) closed before it, nothing after it. None otherwise."""
    from ..formats import ANSWER_CLOSE, ANSWER_OPEN, ANSWER_RE, TAG_RE, THINK_CLOSE, THINK_OPEN
    from ..rewards import _text

    text = _text(completion)
    if text.count(ANSWER_OPEN) != 1 or text.count(ANSWER_CLOSE) != 1:
        return None
    m = ANSWER_RE.search(text)
    if not m or TAG_RE.search(m.group(1)) or text[m.end():].strip():
        return None
    n_open, n_close = text.count(THINK_OPEN), text.count(THINK_CLOSE)
    if (n_open, n_close) not in ((0, 0), (1, 1)):
        return None
    if n_open and not text.index(THINK_OPEN) < text.index(THINK_CLOSE) < m.start():
        return None
    return m.group(1).strip()


def numbers_reward(completions, numbers, target, **kwargs) -> list[float]:
    """trl's reward signature: 1.0 where the completion's one answer block holds an expression that
    reaches `target` from `numbers` (dataset columns, one row per completion), else 0.0.

    Never raises on what a model writes; a caller's bug (columns of the wrong length) raises."""
    completions = list(completions)
    numbers, target = list(numbers), list(target)
    if not len(completions) == len(numbers) == len(target):
        raise ValueError(f"numbers_reward got {len(completions)} completion(s), {len(numbers)} "
                         f"numbers row(s) and {len(target)} target(s): pass one of each per completion")
    out = []
    for c, nums, t in zip(completions, numbers, target):
        ans = answer_text(c)
        ok = ans is not None and _is_int(t) and check_expression(ans, list(nums), t)[0]
        out.append(1.0 if ok else 0.0)
    return out


def numbers_format_reward(completions, **kwargs) -> list[float]:
    """1.0 for exactly <think>...</think><answer>...</answer> (rewards.parse_completion) whose answer
    is an expression of numbers, + - * and parentheses (right or wrong), else 0.0. (The chain
    world's rewards.format_reward wants one integer, which no answer here is.)"""
    from ..rewards import parse_completion

    out = []
    for c in completions:
        parsed = parse_completion(c)
        try:
            ok = parsed is not None and parse_expression(parsed[1].strip()) is not None
        except (ValueError, RecursionError):
            ok = False
        out.append(1.0 if ok else 0.0)
    return out


# --- readers of a thought -----------------------------------------------------------------------------

_NUM = r"(-?[0-9]+)"
_EVENT = re.compile(
    rf"(?P<sstep>{_NUM}([-+*]){_NUM}={_NUM})"
    rf"|(?P<wstep>{_NUM} (plus|minus|times) {_NUM} is {_NUM})"
    rf"|(?P<scheck>{_NUM} vs {_NUM} (!=|=) (yes|no))"
    rf"|(?P<wcheck>{_NUM} vs {_NUM} (same|differ) (yes|no))"
    r"|(?P<back>\bback\b)|(?P<giveup>\bgive up\b)")
_WORD_OPS = {"plus": "+", "minus": "-", "times": "*"}


@dataclass
class Try:
    """One hypothesis: its steps (a, op, b, written result, notation) and its check, if any:
    (value, target, relation '=' or '!=', verdict 'yes' or 'no')."""

    steps: list = field(default_factory=list)
    check: tuple | None = None

    @property
    def expression(self) -> str:
        """The hypothesis as an expression (a chain; a step that does not start from the previous
        result starts a new group): the identity that repeats are counted by."""
        if not self.steps:
            return ""
        return chain_expression(self.steps[0][0], [(op, b) for _, op, b, _, _ in self.steps])

    @property
    def true_value(self) -> int:
        """The chain's value with every step computed right."""
        v = self.steps[0][0]
        for _, op, b, _, _ in self.steps:
            v = apply(v, op, b)
        return v


@dataclass
class Thought:
    tries: list
    backtracks: int
    gave_up: bool
    notation: str  # 'symbols', 'words', 'mixed' or 'none'

    @property
    def steps(self):
        return [s for t in self.tries for s in t.steps]

    @property
    def checks(self):
        return [t for t in self.tries if t.check is not None]

    @property
    def repeats(self) -> int:
        """Tries whose hypothesis was already tried in this thought (a loop)."""
        seen, n = set(), 0
        for t in self.tries:
            if t.steps and t.expression in seen:
                n += 1
            seen.add(t.expression)
        return n

    @property
    def succeeded(self) -> bool:
        """The last try was checked and called a hit."""
        return bool(self.tries) and self.tries[-1].check is not None and self.tries[-1].check[3] == "yes"


def read_thought(text: str) -> Thought:
    """The tries, checks, backtracks and give-ups of a thought (any text; never raises)."""
    if not isinstance(text, str):
        text = ""
    tries, cur, backs, gave_up, kinds = [], Try(), 0, False, set()
    for m in _EVENT.finditer(text[:20000]):
        g = m.lastgroup
        if g in ("sstep", "wstep"):
            if g == "sstep":
                a, op, b, c = m.group(2), m.group(3), m.group(4), m.group(5)
            else:
                a, op, b, c = m.group(7), _WORD_OPS[m.group(8)], m.group(9), m.group(10)
            notation = "symbols" if g == "sstep" else "words"
            kinds.add(notation)
            if cur.check is not None:
                tries.append(cur)
                cur = Try()
            cur.steps.append((int(a), op, int(b), int(c), notation))
        elif g in ("scheck", "wcheck"):
            if g == "scheck":
                v, t, rel, verdict = int(m.group(12)), int(m.group(13)), m.group(14), m.group(15)
            else:
                v, t, verdict = int(m.group(17)), int(m.group(18)), m.group(20)
                rel = "=" if m.group(19) == "same" else "!="
            kinds.add("symbols" if g == "scheck" else "words")
            if cur.steps and cur.check is None:
                cur.check = (v, t, rel, verdict)
        elif g == "back":
            backs += 1
            if cur.steps:
                tries.append(cur)
            cur = Try()
        else:
            gave_up = True
    if cur.steps:
        tries.append(cur)
    notation = "mixed" if len(kinds) == 2 else kinds.pop() if kinds else "none"
    return Thought(tries, backs, gave_up, notation)


_FILLER = re.compile(r"[\s.,;:]+")


def readability(text: str) -> float:
    """0-1: the share of a thought's characters (spaces and punctuation aside) that are steps,
    checks, 'back' or 'give up', the things a reader can follow. An empty thought reads 0."""
    if not isinstance(text, str):
        return 0.0
    text = text[:20000]
    total = len(_FILLER.sub("", text))
    if not total:
        return 0.0
    covered = sum(len(_FILLER.sub("", m.group(0))) for m in _EVENT.finditer(text))
    return covered / total


def try_report(t: Try, target: int) -> dict:
    """Per try: steps right (result = a op b), check copied right, verdict right (the truth of
    'the chain reaches the target', with the chain computed right)."""
    right = sum(c == apply(a, op, b) for a, op, b, c, _ in t.steps)
    out = dict(steps=len(t.steps), steps_right=right, checked=t.check is not None)
    if t.check is not None:
        v, tt, rel, verdict = t.check
        out["copy_right"] = v == t.steps[-1][3] and tt == target and (rel == "=") == (v == tt)
        out["verdict_right"] = (verdict == "yes") == (t.true_value == target)
    return out


def thought_of(completion: str) -> str:
    """The thought of a completion (formats.thought_text, text before the answer if no think block)."""
    from ..formats import thought_text

    return thought_text(completion, before_answer=True) if isinstance(completion, str) else ""


def thought_stats(completions: list[str], problems: list[Problem]) -> dict:
    """Behaviours over completions (one problem per completion): tries, checks, backtracks, repeats
    and give-ups per completion; the arithmetic accuracy of a step and of a try (every step
    right); a check's copy and verdict accuracy; among thoughts with a step, the share that mix
    the two notations and the share not in the question's language (off_language); the mean
    readability."""
    if len(completions) != len(problems):
        raise ValueError(f"thought_stats got {len(completions)} completion(s) and {len(problems)} "
                         "problem(s): give one problem per completion")
    n = max(1, len(completions))
    tot = dict(tries=0, tries_right=0, checks=0, backtracks=0, repeats=0, gave_up=0, steps=0, steps_right=0,
               copy_right=0, verdict_right=0, with_steps=0, mixed=0, off_language=0, readability=0.0)
    for c, p in zip(completions, problems):
        text = thought_of(c)
        th = read_thought(text)
        tot["readability"] += readability(text)
        tot["tries"] += len(th.tries)
        tot["backtracks"] += th.backtracks
        tot["repeats"] += th.repeats
        tot["gave_up"] += th.gave_up
        for t in th.tries:
            r = try_report(t, p.target)
            tot["steps"] += r["steps"]
            tot["steps_right"] += r["steps_right"]
            tot["tries_right"] += r["steps_right"] == r["steps"]
            if r["checked"]:
                tot["checks"] += 1
                tot["copy_right"] += r["copy_right"]
                tot["verdict_right"] += r["verdict_right"]
        if th.notation != "none":
            tot["with_steps"] += 1
            tot["mixed"] += th.notation == "mixed"
            tot["off_language"] += th.notation != question_notation(p)
    w = max(1, tot["with_steps"])
    return dict(
        tries=tot["tries"] / n, checks=tot["checks"] / n, backtracks=tot["backtracks"] / n,
        repeats=tot["repeats"] / n, give_up_rate=tot["gave_up"] / n,
        arithmetic=tot["steps_right"] / max(1, tot["steps"]), n_steps=tot["steps"],
        try_arithmetic=tot["tries_right"] / max(1, tot["tries"]),
        check_copy=tot["copy_right"] / max(1, tot["checks"]),
        verdicts=tot["verdict_right"] / max(1, tot["checks"]), n_checks=tot["checks"],
        mixed=tot["mixed"] / w, off_language=tot["off_language"] / w, readability=tot["readability"] / n,
    )


def _score(completions, problems):
    return (numbers_reward(completions, [p.numbers for p in problems], [p.target for p in problems]),
            numbers_format_reward(completions))


# The numbers game behind the course's World interface (lessons_lib.worlds.World).
NUMBERS = World(name="numbers", problems=make_problems, split=split_of, ask=ask, prompt=prompt, rows=records,
                truth=lambda problem: problem.target, checker=numbers_reward, score=_score,
                thoughts=thought_stats)
