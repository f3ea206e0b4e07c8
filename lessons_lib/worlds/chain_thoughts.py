"""The chain world's thought readers: the downsides DeepSeek-R1-Zero showed, as numbers.

The R1 paper (arXiv 2501.12948) says R1-Zero "encounters challenges such as poor readability, and
language mixing"; the model's release notes add "endless repetition". In the toy world each of the
three is a rule a reader can check by hand:

    loop          a piece of text (4+ characters) written three or more times in a row:
                  '10-3=07 10-3=07 10-3=07', 'plus plus plus'
    mixed         steps in both notations in one thought: '04+6=10, 10 minus 3 makes 07'
    consistency   the share of a thought's steps written in the notation the question was asked in
                  (language_share; R1's language-consistency measure, notations for languages)
    readability   how much of the thought a reader can follow, from 0 to 1: the share of its
                  characters that are recognisable steps or plain connecting words ('first',
                  'then', 'so', ','), times the share of steps that start where the previous one
                  ended. '04+6=10 10-3=07' scores 1; '04+6=10 1=0-3 7' scores low.

A thought is the text inside <think></think>; when a completion has no think block (a base model
often has none), it is the text before the answer, tags removed
(`formats.thought_text(completion, before_answer=True)`). The step notations are `formats`'s.
"""
from __future__ import annotations

import re

from ..formats import require_mode, thought_text
from ..rewards import parse_completion, per_row
from .chain import SYMBOL_STEP, WORD_STEP, notation_of

_LOOP = re.compile(r"(\S.{2,}?\S)(?:\s*\1){2,}", re.DOTALL)  # a unit, then 2+ more copies
_CONNECTIVES = re.compile(
    r"\b(?:first|then|next|so|and|now|the|answer|result|is|step)\b|[,.:;]|\s", re.IGNORECASE)


def steps_in(thought: str) -> list[tuple[int, str, int, int, str]]:
    """Every recognisable step in order: (a, op, x, result, notation)."""
    found = [(m.start(), (int(m[1]), m[2], int(m[3]), int(m[4]), "symbols"))
             for m in SYMBOL_STEP.finditer(thought)]
    found += [(m.start(), (int(m[1]), "+" if m[2] == "plus" else "-", int(m[3]), int(m[4]), "words"))
              for m in WORD_STEP.finditer(thought)]
    return [s for _, s in sorted(found)]


def language_share(thought: str, language: str) -> float | None:
    """The share of the thought's steps written in `language` ('symbols' or 'words'); None when
    the thought holds no recognisable step (nothing to be consistent about)."""
    steps = steps_in(thought if isinstance(thought, str) else "")
    if not steps:
        return None
    return sum(s[4] == language for s in steps) / len(steps)


def has_loop(text: str) -> bool:
    """True if a piece of 4+ characters repeats three or more times in a row (spaces between ok)."""
    return bool(_LOOP.search(text or ""))


def is_mixed(thought: str) -> bool:
    return notation_of(thought) == "mixed"


def readability(thought: str) -> float:
    """0-1: share of characters in steps or connecting words x share of steps that follow on."""
    if not thought.strip():
        return 0.0
    covered = [False] * len(thought)
    for rx in (SYMBOL_STEP, WORD_STEP, _CONNECTIVES):
        for m in rx.finditer(thought):
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
    coverage = sum(covered) / len(thought)
    steps = steps_in(thought)
    if not steps:
        return 0.0
    chained = sum(b[0] == a[3] for a, b in zip(steps, steps[1:]))
    follow = (1 + chained) / len(steps)
    return coverage * follow


def thought_stats(completions: list[str], languages: list[str] | None = None) -> dict:
    """Rates of each downside over a list of completions, plus the notation shares.

    Mixing and notation shares are over thoughts that hold at least one step; `no_steps` is the
    share of completions whose thought holds none (an answer given without working).
    `completions` is a list of strings (decoded texts, e.g. from evaluation.generate). With
    `languages` (the notation each completion's question was asked in), `consistency` is the mean
    language_share over the thoughts that hold a step.
    """
    if isinstance(completions, (str, bytes)):
        raise TypeError("thought_stats takes a list of completions, not one string: "
                        "wrap it in a list, thought_stats([text])")
    completions = list(completions)
    for i, c in enumerate(completions):
        if not isinstance(c, str):
            raise TypeError(f"thought_stats reads completions as text, but item {i} is "
                            f"{type(c).__name__} ({c!r}); pass the decoded strings "
                            "(e.g. what evaluation.generate returns)")
    thoughts = [thought_text(c, before_answer=True) for c in completions]
    n = max(1, len(thoughts))
    kinds = [notation_of(t) for t in thoughts]
    with_steps = [k for k in kinds if k != "none"]
    m = max(1, len(with_steps))
    extra = {}
    if languages is not None:
        languages = list(languages)
        if len(languages) != len(completions):
            raise ValueError(f"thought_stats got {len(completions)} completion(s) but "
                             f"{len(languages)} language(s): give one per completion")
        shares = [x for x in map(language_share, thoughts, languages) if x is not None]
        extra["consistency"] = sum(shares) / max(1, len(shares))
    return dict(
        loops=sum(has_loop(c) for c in completions) / n,
        mixed=sum(k == "mixed" for k in with_steps) / m,
        symbols=sum(k == "symbols" for k in with_steps) / m,
        words=sum(k == "words" for k in with_steps) / m,
        no_steps=sum(k == "none" for k in kinds) / n,
        readability=sum(readability(t) for t in thoughts) / n,
        **extra,
    )


def language_reward(completions, language, **kwargs) -> list[float | None]:
    """DeepSeek-R1's language-consistency reward, in the toy world: the share of the thought's
    steps written in the notation the question was asked in (`language`, a dataset column:
    'symbols' or 'words'), from 0 to 1.

    0.0 for a completion not in the format (parse_completion) or whose thought holds no step: a
    thought cannot be consistent by saying nothing. None (no score: trl leaves it out of the sum)
    for a row whose `language` is None, such as a general request that needs no thought.
    """
    from .chain_thoughts import language_share

    def score(completion, lang):
        parsed = parse_completion(completion)
        share = language_share(parsed[0], lang) if parsed else None
        return float(share) if share is not None else 0.0

    return per_row(completions, language, "language_reward", score)


def obeys(completion, mode: str) -> bool:
    """True if the completion is in the format and follows the switch: a thought holding at least
    one step in 'think' mode, an empty thought in 'no_think' mode."""
    require_mode(mode)
    parsed = parse_completion(completion)
    if parsed is None:
        return False
    thought = parsed[0].strip()
    return bool(steps_in(thought)) if mode == "think" else thought == ""


def mode_reward(completions, mode, **kwargs) -> list[float | None]:
    """1.0 for a completion that obeys its row's `mode` (a dataset column), else 0.0; None (no
    score) for a row whose mode is None."""
    return per_row(completions, mode, "mode_reward", lambda c, m: 1.0 if obeys(c, m) else 0.0)


def obeying(fn):
    """`fn`, a reward function, paying only completions that obey their row's `mode` (0.0 for the
    others): a switch the reward does not protect is one RL may learn to ignore, since a thought
    raises the accuracy reward more than disobeying costs. Keeps fn's name for trl's logs."""
    def reward(completions, mode, **kwargs):
        completions = list(completions)
        scores = fn(completions, **kwargs)
        modes = [mode] * len(completions) if isinstance(mode, str) else list(mode)
        return [s if s is None or obeys(c, m) else 0.0 for s, c, m in zip(scores, completions, modes)]

    reward.__name__ = getattr(fn, "__name__", "reward")
    return reward
