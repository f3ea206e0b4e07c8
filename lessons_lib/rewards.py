"""Rule-based rewards in the style of DeepSeek-R1-Zero: an answer checker and a format validator.

Both have trl's reward-function signature: `fn(completions, **columns) -> list[float]`, where every
dataset column (here `answer`) arrives as a keyword argument. They never raise, whatever the model
writes, and they do not pay for tricks a policy finds under RL pressure:

    several <answer> blocks          -> 0 (which one counts? none)
    every possible answer listed     -> 0 (the answer must be one integer)
    a range or a list ('10-20', '3,4')-> 0
    the answer outside the tags      -> 0
    nested or unbalanced tags        -> 0

The rewards are 1.0 or 0.0: weights exact in binary keep trl's zero-spread statistics honest.
"""
from __future__ import annotations

import re

# DeepSeek-R1-Zero's prompt, word for word (R1 paper, table 1).
R1_ZERO_TEMPLATE = (
    "A conversation between User and Assistant. The User asks a question, and the Assistant "
    "solves it. The Assistant first thinks about the reasoning process in the mind and then "
    "provides the User with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process "
    "here </think> <answer> answer here </answer>.\nUser: {question}\nAssistant:"
)
# The course's shortened version: the same plain-text conversation and the same request for tags,
# in 64 tokens instead of 222. A tiny model cannot read instructions; what it can use is the shape
# of the text, and a long preamble it never saw in pretraining derails it. Under an earlier
# 134-token version the base put the right number somewhere in its output 5% of the time, under
# this one 42% (notebook 03, section 3), and GRPO from it went from a lottery over seeds to +0.79
# pass@1 or more for each (bench/rl_seeds.py). Every prompt token is also paid for in every RL step.
TEMPLATE = (
    "The Assistant thinks in <think> </think>, then answers in <answer> </answer>.\n"
    "User: {question}\nAssistant:"
)

_TAG = re.compile(r"</?(?:think|answer)>")
_FORMAT = re.compile(r"\s*<think>(?P<think>.*?)</think>\s*<answer>(?P<answer>.*?)</answer>\s*",
                     re.DOTALL)
_ONE_INTEGER = re.compile(r"\s*([0-9]{1,3})\s*")


def r1_zero_prompt(question: str) -> str:
    """The R1-Zero prompt for a question (a plain-text conversation, no chat template)."""
    return TEMPLATE.format(question=question)


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
    m = _FORMAT.fullmatch(_text(completion))
    if not m or _TAG.search(m.group("think")) or _TAG.search(m.group("answer")):
        return None
    return m.group("think"), m.group("answer")


def checked_answer(completion) -> int | None:
    """The answer as an int if it is one integer inside exactly one well-formed answer block."""
    text = _text(completion)
    if text.count("<answer>") != 1 or text.count("</answer>") != 1:
        return None
    m = re.search(r"<answer>(.*?)</answer>", text, re.DOTALL)
    if not m or _TAG.search(m.group(1)):
        return None
    n_open, n_close = text.count("<think>"), text.count("</think>")
    if (n_open, n_close) not in ((0, 0), (1, 1)):
        return None
    if n_open and not text.index("<think>") < text.index("</think>") < m.start():
        return None  # thoughts must be closed before the answer starts
    after = text[m.end():].strip()
    if after:  # anything after the answer block could be a second answer
        return None
    n = _ONE_INTEGER.fullmatch(m.group(1))
    return int(n.group(1)) if n else None


def format_reward(completions, **kwargs) -> list[float]:
    """1.0 for exactly <think>…</think><answer>one integer</answer>, else 0.0."""
    out = []
    for c in completions:
        parsed = parse_completion(c)
        out.append(1.0 if parsed and _ONE_INTEGER.fullmatch(parsed[1]) else 0.0)
    return out


def accuracy_reward(completions, answer, **kwargs) -> list[float]:
    """1.0 when the checked answer equals the true `answer` (a dataset column), else 0.0."""
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
