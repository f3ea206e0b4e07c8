"""Rule-based rewards in the style of DeepSeek-R1-Zero: an answer checker and a format validator.

Both have trl's reward-function signature: `fn(completions, **columns) -> list[float]`, where every
dataset column (here `answer`) arrives as a keyword argument. They never raise, whatever the model
writes (a caller's bug, such as fewer answers than completions, does raise), and they do not pay
for tricks a policy finds under RL pressure:

    several <answer> blocks          -> 0 (which one counts? none)
    every possible answer listed     -> 0 (the answer must be one integer)
    a range or a list ('10-20', '3,4')-> 0
    the answer outside the tags      -> 0
    nested or unbalanced tags        -> 0

The rewards are 1.0 or 0.0: weights exact in binary keep trl's zero-spread statistics honest.
The tags, the prompt template and the regexes of the format are defined in `formats`.
"""
from __future__ import annotations

import re

from .formats import ANSWER_CLOSE, ANSWER_OPEN, ANSWER_RE, COMPLETION_RE, TAG_RE, THINK_CLOSE, THINK_OPEN

_ONE_INTEGER = re.compile(r"\s*([0-9]{1,3})\s*")


def _text(completion) -> str:
    """The completion as text: trl passes strings, or message lists for conversational data."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        content = completion[-1].get("content")
        return content if isinstance(content, str) else ""
    return ""


def parse_completion(completion) -> tuple[str, str] | None:
    """(thoughts, answer text) if the completion is exactly <think>…</think><answer>…</answer>.

    None if anything else: missing, repeated, nested or unbalanced tags, or text outside them.
    """
    m = COMPLETION_RE.fullmatch(_text(completion))
    if not m or TAG_RE.search(m.group("think")) or TAG_RE.search(m.group("answer")):
        return None
    return m.group("think"), m.group("answer")


def checked_answer(completion) -> int | None:
    """The answer as an int if it is one integer inside exactly one well-formed answer block."""
    text = _text(completion)
    if text.count(ANSWER_OPEN) != 1 or text.count(ANSWER_CLOSE) != 1:
        return None
    m = ANSWER_RE.search(text)
    if not m or TAG_RE.search(m.group(1)):
        return None
    n_open, n_close = text.count(THINK_OPEN), text.count(THINK_CLOSE)
    if (n_open, n_close) not in ((0, 0), (1, 1)):
        return None
    if n_open and not text.index(THINK_OPEN) < text.index(THINK_CLOSE) < m.start():
        return None  # thoughts must be closed before the answer starts
    after = text[m.end():].strip()
    if after:  # anything after the answer block could be a second answer
        return None
    n = _ONE_INTEGER.fullmatch(m.group(1))
    return int(n.group(1)) if n else None


def per_row(completions, column, name: str, score) -> list:
    """`score(completion, value)` for each completion and the value of a dataset column in its row
    (trl passes a column as a list, one value per completion; one string stands for every row).
    None where the value is None: a row this reward does not score, which trl leaves out of the
    weighted sum (a general request in a batch of reasoning rewards, say)."""
    completions = list(completions)
    values = [column] * len(completions) if isinstance(column, str) else list(column)
    if len(values) != len(completions):
        raise ValueError(f"{name} got {len(completions)} completion(s) but {len(values)} value(s) "
                         "of its column: pass one per completion")
    return [None if v is None else score(c, v) for c, v in zip(completions, values)]


def _layout_reward(completions, answer_pattern: re.Pattern) -> list[float]:
    """1.0 for each completion that is exactly <think>…</think><answer>…</answer> with an answer
    matching `answer_pattern` in full, else 0.0."""
    out = []
    for c in completions:
        parsed = parse_completion(c)
        out.append(1.0 if parsed and answer_pattern.fullmatch(parsed[1]) else 0.0)
    return out


def format_reward(completions, **kwargs) -> list[float]:
    """1.0 for exactly <think>…</think><answer>one integer</answer>, else 0.0."""
    return _layout_reward(completions, _ONE_INTEGER)


def accuracy_reward(completions, answer, **kwargs) -> list[float]:
    """1.0 when the checked answer equals the true `answer` (a dataset column), else 0.0.

    `answer` holds one true answer per completion; lists of different lengths are a bug in the
    caller (not something a model wrote), so they raise a ValueError instead of being cut short.
    """
    if isinstance(answer, (str, bytes, int)) or not hasattr(answer, "__iter__"):
        raise TypeError(f"answer must be a list with one true answer per completion, got "
                        f"{type(answer).__name__} ({answer!r}); e.g. accuracy_reward([text], answer=[40])")
    completions, answer = list(completions), list(answer)
    if len(completions) != len(answer):
        raise ValueError(
            f"accuracy_reward got {len(completions)} completion(s) but {len(answer)} answer(s): "
            "pass one true answer per completion (with n samples per problem, repeat each answer "
            "n times, e.g. [p.answer for p in problems for _ in range(n)]).")
    out = []
    for c, truth in zip(completions, answer):
        try:
            truth = int(truth)
        except (TypeError, ValueError):
            out.append(0.0)
            continue
        got = checked_answer(c)
        out.append(1.0 if got is not None and got == truth else 0.0)
    return out


# --- math-verify: Hugging Face's answer checker, for answers that are not one plain integer -------

def answer_block(completion) -> str | None:
    """The text inside the first <answer>…</answer> block, or None if there is none."""
    m = ANSWER_RE.search(_text(completion))
    return m.group(1) if m else None


def _gold_text(truth) -> str | None:
    """A true answer as text: a number, or a GSM8K solution (its '#### N' line is the answer)."""
    from .rewards import gsm8k_final

    if isinstance(truth, bool) or truth is None:
        return None
    if isinstance(truth, (int, float)):
        return str(truth)
    if isinstance(truth, str):
        return gsm8k_final(truth) if "####" in truth else truth.strip() or None
    return None


def math_verify_correct(text, truth) -> bool:
    """True if math-verify reads the same value in `text` as in `truth` ('72', 72, '#### 72').

    math-verify (`pip install math-verify`) parses LaTeX and plain expressions ('$72$', '\\\\boxed{72}',
    '72.0', '144/2') and compares them symbolically; what it cannot parse is simply not equal.
    """
    from math_verify import parse, verify

    gold = _gold_text(truth)
    if gold is None or not isinstance(text, str) or not text.strip():
        return False
    try:
        return bool(verify(parse(gold), parse(text)))
    except Exception:  # math-verify does not raise by default; a timeout or a sympy error is "no"
        return False


_NUMBER = re.compile(r"\s*-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?\s*")


def number_format_reward(completions, **kwargs) -> list[float]:
    """1.0 for exactly <think>…</think><answer>one number</answer>, else 0.0.

    `format_reward` for real word problems: the number may be negative, large, written with
    thousands commas or decimals ('-3', '1,250', '2.5'), as GSM8K's answers are; the toy world's
    `format_reward` accepts 0-999 only.
    """
    return _layout_reward(completions, _NUMBER)


def math_verify_reward(completions, answer, **kwargs) -> list[float]:
    """1.0 when math-verify finds the true `answer` in the completion's first <answer> block.

    trl's reward signature, like `accuracy_reward`; `answer` may hold GSM8K solutions. Lenient
    where the rule checker is strict: '$72$' or '72.0' in the block counts, and text after the
    block does not matter (the format reward polices the layout).
    """
    completions, answer = list(completions), list(answer) if not isinstance(answer, str) else answer
    if isinstance(answer, str) or len(completions) != len(answer):
        raise ValueError(f"math_verify_reward needs one true answer per completion: got "
                         f"{len(completions)} completion(s) and {answer!r:.80}")
    return [1.0 if math_verify_correct(answer_block(c) or "", truth) else 0.0
            for c, truth in zip(completions, answer)]


# GSM8K's solutions end with '#### <answer>' (the words world and lesson 8 read it)
_FINAL = re.compile(r"####\s*(.+?)\s*$")


def gsm8k_final(answer: str) -> str | None:
    """The final answer of a GSM8K solution: the text after its last `####`, commas removed."""
    if not isinstance(answer, str):
        return None
    lines = [line for line in answer.strip().splitlines() if "####" in line]
    m = _FINAL.search(lines[-1]) if lines else None
    return m.group(1).replace(",", "").strip() if m else None
