"""The course's text formats, in one place, for every world: the <think>/<answer> tags, the prompts,
the thinking-mode flags, and the lenient readers of a completion. Every other module reads and
writes the tags through the names defined here; a world's own notations live with the world
(worlds.chain, worlds.numbers).

Prompts (what the model reads):

    sft_prompt        Q: 37+8-5+9\\nA:                         lessons 1-2 (fine-tuning)
    r1_zero_prompt    <think> reasoning process here </think> <answer> answer here </answer>
                      User: 37+8-5+9\\nAssistant:               lesson 3 on (RL), TEMPLATE
    short_prompt      problem: 37+8-5+9\\n                      a head the pretraining corpora use
    mode_prompt       r1_zero_prompt with /think or /no_think after the question (lesson 7)

Targets (what lessons 1-2 teach the model to write, FORMATS; the chain world writes them,
worlds.chain.sft_target):

    answer-only        <answer>49</answer>
    chain of thought   <think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>

The tags are ordinary tokens of the vocabulary, not "special" tokens: trl decodes completions with
`skip_special_tokens=True`, so special tags would vanish before a reward function could see them.
The strict checking of a completion (the RL rewards) lives in `rewards`; the lenient reading for
measuring SFT models (`extract_answer`, `thought_text`) lives here.
"""
from __future__ import annotations

import re

# --- the tags ----------------------------------------------------------------------------------

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
ANSWER_OPEN, ANSWER_CLOSE = "<answer>", "</answer>"
FORMATS = ("answer_only", "cot")

TAG_RE = re.compile(r"</?(?:think|answer)>")  # any of the four tags
THINK_RE = re.compile(f"{THINK_OPEN}(.*?){THINK_CLOSE}", re.DOTALL)  # the first think block
ANSWER_RE = re.compile(f"{ANSWER_OPEN}(.*?){ANSWER_CLOSE}", re.DOTALL)  # the first answer block
# A whole completion in the R1-Zero format, whitespace allowed around the blocks (the strict checks
# on what the blocks hold are in rewards.parse_completion).
COMPLETION_RE = re.compile(
    rf"\s*{THINK_OPEN}(?P<think>.*?){THINK_CLOSE}\s*{ANSWER_OPEN}(?P<answer>.*?){ANSWER_CLOSE}\s*",
    re.DOTALL)

# --- prompts -------------------------------------------------------------------------------------

# DeepSeek-R1-Zero's prompt, word for word (R1 paper, table 1).
R1_ZERO_TEMPLATE = (
    "A conversation between User and Assistant. The User asks a question, and the Assistant "
    "solves it. The Assistant first thinks about the reasoning process in the mind and then "
    "provides the User with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process "
    "here </think> <answer> answer here </answer>.\nUser: {question}\nAssistant:"
)
# The course's version keeps R1-Zero's own example of the format, word for word ("i.e., <think>
# reasoning process here </think> <answer> answer here </answer>"), and the conversation; it drops
# the prose. A tiny model cannot read instructions; what it can use is the shape of the text, and
# prose it never saw in pretraining derails it. Notebook 03, section 2, measures the base model's
# greedy completions of 3-4 step problems, read for the last number written, under this template,
# under a one-sentence instruction ("The Assistant thinks in <think> </think>, then answers in
# <answer> </answer>.", SENTENCE_TEMPLATE, the course's template until the corpus asked in two
# languages) and with no instruction line: the sentence is what breaks the arithmetic, not the tags.
# Earlier, on a base pretrained with every question in symbols, a 134-token version gave GRPO a
# lottery over seeds (bench/rl_seeds_template134.json) and the one-sentence version +0.66 to +0.81
# pass@1 (bench/rl_seeds.json at commit 27136a8). Every prompt token is also paid for in every RL step.
TEMPLATE = (
    "<think> reasoning process here </think> <answer> answer here </answer>\n"
    "User: {question}\nAssistant:"
)
# the one-sentence template the course used before (notebook 03 measures the base under each)
SENTENCE_TEMPLATE = (
    "The Assistant thinks in <think> </think>, then answers in <answer> </answer>.\n"
    "User: {question}\nAssistant:"
)


def sft_prompt(problem) -> str:
    """The prompt of lessons 1-2: 'Q: 37+8-5+9\\nA: ' (for a problem, or a question's text)."""
    return f"Q: {problem if isinstance(problem, str) else problem.question}\nA: "


def r1_zero_prompt(question: str) -> str:
    """Lesson 3's prompt for a question (TEMPLATE: a plain-text conversation, no chat template)."""
    return TEMPLATE.format(question=question)


def short_prompt(question: str) -> str:
    """'problem: 37+8-5\\n', a head the pretraining corpus writes before worked solutions."""
    return f"problem: {question}\n"


# --- reading completions back (leniently: for measuring, not as a reward) -------------------------

def extract_answer(completion: str) -> int | None:
    """The integer inside the first <answer>...</answer>, or None if there is none.

    Lenient on purpose (it is for measuring SFT models, which do not game it); the strict,
    trick-proof checker used as an RL reward lives in `rewards`.
    """
    if not isinstance(completion, str):
        return None
    m = ANSWER_RE.search(completion)
    if not m:
        return None
    text = m.group(1).strip()
    # ASCII digits only: str.isdigit() accepts e.g. "²", on which int() raises
    return int(text) if re.fullmatch(r"[0-9]{1,3}", text) else None


def thought_text(completion: str, before_answer: bool = False) -> str:
    """The thoughts of a completion, stripped: what stands inside the first <think>...</think>.

    Without a closed think block the result is '' or, with `before_answer=True`, the text before the
    first <answer> with any tags replaced by spaces (a base model often writes its working with no
    think block). '' for anything that is not a string.
    """
    if not isinstance(completion, str):
        return ""
    m = THINK_RE.search(completion)
    if m:
        return m.group(1).strip()
    if not before_answer:
        return ""
    head = completion.split(ANSWER_OPEN, 1)[0]
    return TAG_RE.sub(" ", head).strip()


# --- thinking modes (lesson 7): a flag after the question switches the thought on or off ------------

MODES = ("think", "no_think")
FLAGS = {"think": "/think", "no_think": "/no_think"}


def require_mode(mode) -> None:
    """Raise a clear error unless `mode` is one of MODES."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: choose 'think' or 'no_think'")


def mode_prompt(question: str, mode: str = "think") -> str:
    """Lesson 3's prompt with the switch after the question: 'User: 37+8-5 /no_think'."""
    require_mode(mode)
    return r1_zero_prompt(f"{question} {FLAGS[mode]}")
