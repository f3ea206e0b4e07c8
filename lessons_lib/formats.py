"""Prompt and target formats: what the model reads and what it is taught to write.

The same prompt serves both fine-tuning formats; only the target changes:

    prompt             Q: 37+8-5+9\nA:
    answer-only        <answer>49</answer>
    chain of thought   <think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>

The tags are ordinary tokens of the vocabulary, not "special" tokens: trl decodes completions with
`skip_special_tokens=True`, so special tags would vanish before a reward function could see them.
"""
from __future__ import annotations

import re

from .tasks import Problem

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
ANSWER_OPEN, ANSWER_CLOSE = "<answer>", "</answer>"
FORMATS = ("answer_only", "cot")

_ANSWER_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def sft_prompt(problem: Problem) -> str:
    return f"Q: {problem.question}\nA: "


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


def extract_answer(completion: str) -> int | None:
    """The integer inside the first <answer>...</answer>, or None if there is none.

    Lenient on purpose (it is for measuring SFT models, which do not game it); the strict,
    trick-proof checker used as an RL reward lives in `rewards`.
    """
    if not isinstance(completion, str):
        return None
    m = _ANSWER_RE.search(completion)
    if not m:
        return None
    text = m.group(1).strip()
    # ASCII digits only: str.isdigit() accepts e.g. "²", on which int() raises
    return int(text) if re.fullmatch(r"[0-9]{1,3}", text) else None


def thought_text(completion: str) -> str:
    """What stands between <think> and </think> ('' if there are no thoughts)."""
    if not isinstance(completion, str):
        return ""
    m = re.search(r"<think>(.*?)</think>", completion, re.DOTALL)
    return m.group(1) if m else ""


_EQ_RE = re.compile(r"(\d+)([+-])(\d+)=(\d+)")


def parse_equations(thoughts: str) -> list[tuple[int, str, int, int]]:
    """The equations 'a+b=c' / 'a-b=c' written in a thought, as (a, op, b, c) tuples."""
    if not isinstance(thoughts, str):
        return []
    return [(int(a), op, int(b), int(c)) for a, op, b, c in _EQ_RE.findall(thoughts)]
