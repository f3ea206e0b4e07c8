"""General requests: the toy world's "non-reasoning data", prompts that need no thinking.

DeepSeek-R1 mixed about 200k non-reasoning examples (writing, factual questions, translation) into
its second SFT round, and answered simple queries without a chain of thought; Qwen3 marks such
answers with an empty think block. The toy world's general requests are of four kinds:

    greeting     hello                          -> hi
    first        the first number in 37+8-5     -> 37
    to_words     in words: 37+8-5               -> 37 plus 8 minus 5
    to_symbols   in symbols: 37 plus 8 minus 5  -> 37+8-5

(the last two are translation between the toy world's two languages). The reply wanted is brief,
an empty thought and the answer: `<think></think><answer>hello</answer>` (GENERAL_REPLY).
`general_reward` pays 1.0 for exactly that and 0.0 for anything else: a right answer after a
needless thought, a near miss, any other layout. The other requests use problems of the split
asked for (chain.split_of); the four greetings are shared by both splits, as a real greeting would
be. (An earlier version asked to echo a list of random numbers and answered greetings with "hello":
a base model that never read either could not learn them from a few hundred examples, spelling
"helll"; these four are built from what its corpus holds.)
"""
from __future__ import annotations

import random

from ..formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, r1_zero_prompt
from ..rewards import parse_completion, per_row
from ..runtime import require_int
from .chain import NOTATIONS, make_problems, question_text

KINDS = ("greeting", "first", "to_words", "to_symbols")
GREETINGS = ("hello", "hi", "hey", "good morning")


def general_reply(target: str) -> str:
    """The reply a general request wants: an empty thought, then the answer."""
    return f"{THINK_OPEN}{THINK_CLOSE}{ANSWER_OPEN}{target}{ANSWER_CLOSE}"


def requests(n: int, split: str = "train", seed: int = 0, kinds=KINDS) -> list[dict]:
    """`n` general requests, as evenly spread over `kinds` as `n` allows: dicts with the
    `question` (what the user writes), the `target` answer and the `kind`. Deterministic in
    (n, split, seed, kinds)."""
    require_int(n, "n")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if not kinds or bad:
        raise ValueError(f"unknown kind(s) {bad or kinds!r}: choose from {KINDS}")
    counts = {k: n // len(kinds) + (i < n % len(kinds)) for i, k in enumerate(kinds)}
    rng = random.Random(f"general-{split}-{seed}")
    out = []
    for kind, count in counts.items():
        if kind == "greeting":
            out += [dict(question=g, target="hi", kind=kind)
                    for g in (rng.choice(GREETINGS) for _ in range(count))]
        elif count:
            steps = [1 + i % 4 for i in range(count)]  # 1-4 step questions, like the reasoning data
            problems = [p for s in sorted(set(steps))
                        for p in make_problems(steps.count(s), s, split, seed=seed + 101 + KINDS.index(kind))]
            if kind == "first":
                out += [dict(question=f"the first number in {question_text(p, rng.choice(NOTATIONS))}",
                             target=f"{p.start:02d}", kind=kind) for p in problems]
                continue
            src, dst = ("symbols", "words") if kind == "to_words" else ("words", "symbols")
            out += [dict(question=f"in {dst}: {question_text(p, src)}", target=question_text(p, dst),
                         kind=kind) for p in problems]
    rng.shuffle(out)
    return out


def records(n: int, split: str = "train", seed: int = 0) -> list[dict]:
    """SFT records of general requests under the R1-Zero template: prompt, completion (the brief
    reply, after the space a sampled completion starts with), target and kind."""
    return [dict(prompt=r1_zero_prompt(r["question"]), completion=" " + general_reply(r["target"]),
                 target=r["target"], kind=r["kind"]) for r in requests(n, split, seed)]


def general_reward(completions, target, **kwargs) -> list[float | None]:
    """1.0 for exactly <think></think><answer>target</answer> (an empty thought, whitespace
    around the blocks allowed), else 0.0. None (no score) for a row whose `target` is None: a
    reasoning problem in a mixed batch, scored by the reasoning rewards instead."""
    def score(completion, t):
        parsed = parse_completion(completion)
        ok = parsed is not None and parsed[0].strip() == "" and parsed[1].strip() == str(t)
        return 1.0 if ok else 0.0

    return per_row(completions, target, "general_reward", score)


def general_score(model, tokenizer, n: int = 100, seed: int = 0, split: str = "test",
                  max_new_tokens: int = 48, prompt_fn=r1_zero_prompt) -> dict:
    """Greedy score on `n` held-out general requests: the mean general_reward, by kind too, and
    the mean reply length in tokens."""
    from ..evaluation import generate

    reqs = requests(n, split, seed)
    texts = generate(model, tokenizer, [prompt_fn(r["question"]) for r in reqs], max_new_tokens)
    scores = general_reward(texts, [r["target"] for r in reqs])
    by_kind = {k: [s for s, r in zip(scores, reqs) if r["kind"] == k] for k in KINDS}
    lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False).input_ids]
    return dict(score=sum(scores) / len(scores),
                by_kind={k: sum(v) / len(v) for k, v in by_kind.items() if v},
                tokens=sum(lengths) / len(lengths),
                examples=[dict(question=r["question"], reply=t) for r, t in zip(reqs[:4], texts)])
