"""Thinking on demand (lesson 7): Qwen3's thinking-mode fusion and thinking budget, on the toy world.

Qwen3 trains one model to answer in two modes. The user picks one with a flag in the message:

    /think      the model writes its reasoning in <think>…</think>, then the answer (the default)
    /no_think   the model writes an empty <think></think> and answers at once

Its stage 3 ("thinking-mode fusion") is an SFT round on a mix of both: thinking examples made by
rejection sampling the stage-2 reasoning model on its own prompts, non-thinking examples with an
empty thought. Here the flag is appended to the question of lesson 3's template
(`mode_prompt`), the thinking examples are lesson 4's final model sampled and filtered
(`chain_rl.rejection_sample`), and the non-thinking ones are the same problems answered with an
empty thought (`fusion_records`). A short RL round follows on prompts in both modes
(`fusion_dataset`; lesson7_verifiers.judge_rl runs it), with `mode_reward` beside the accuracy reward and the
accuracy paid only to completions that obey their mode (`obeying`): with the two rewards merely added,
a /no_think RL run in development learned to think anyway, since a right answer pays more than the
switch.

A thinking budget caps the thought: once it has N tokens and is still open, generation stops,
`</think><answer>` is written for the model, and it gives the answer it has (`budget_generate`;
Qwen3 inserts a sentence that says time is up, then `</think>`).

`measure_modes` gives, per mode and step count, accuracy, tokens and how often the model obeys
the switch.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict

from .formats import ANSWER_OPEN, MODES, THINK_CLOSE, THINK_OPEN, mode_prompt
from .rewards import accuracy_reward
from .runtime import require_int
from .sft import SFTSettings
from .worlds.chain import ask
from .worlds.chain_thoughts import obeys

MAX_NEW_TOKENS = 96  # lesson 3's room for a 4-step thought in words
ANSWER_ROOM = 8  # tokens left for the answer block once a budget forces it


def no_think_reply(answer: int, sentence: bool = False) -> str:
    """The non-thinking reply: an empty thought, then the answer, plain ('49') or as a sentence
    ('the answer is 49.'), after the space completions start with."""
    text = f"the answer is {answer:02d}." if sentence else f"{answer:02d}"
    return f" {THINK_OPEN}{THINK_CLOSE}{ANSWER_OPEN}{text}</answer>"


def fusion_records(thinking: list[dict], problems, seed: int = 0, sentence_share: float = 0.5,
                   general: list[dict] = ()) -> list[dict]:
    """Stage 3's SFT mix: the kept `thinking` records (chain_rl.rejection_sample's rows) asked with
    /think, every problem of `problems` answered with an empty thought under /no_think (a
    `sentence_share` of them as a sentence, 'the answer is 49.'), and the `general` requests
    (general.requests rows) with their brief reply under either flag (half each), shuffled.

    Each record holds prompt, completion and mode (plus answer and steps for the problems)."""
    import random

    from .worlds.general import general_reply

    rng = random.Random(f"fusion-{seed}")
    rows = [dict(prompt=mode_prompt(ask_of(r), "think"), completion=r["completion"], answer=r["answer"],
                 steps=r["steps"], mode="think") for r in thinking]
    shuffled = rng.sample(list(problems), len(problems))
    rows += [dict(prompt=mode_prompt(ask(p), "no_think"),
                  completion=no_think_reply(p.answer, sentence=i < sentence_share * len(shuffled)),
                  answer=p.answer, steps=p.steps, mode="no_think") for i, p in enumerate(shuffled)]
    rows += [dict(prompt=mode_prompt(g["question"], MODES[i % 2]), completion=" " + general_reply(g["target"]),
                  answer=None, steps=0, mode=MODES[i % 2]) for i, g in enumerate(general)]
    rng.shuffle(rows)
    return rows


def ask_of(record: dict) -> str:
    """The question of a record whose prompt is lesson 3's template ('User: … \\nAssistant:')."""
    return record["prompt"].rsplit("User: ", 1)[1].rsplit("\nAssistant:", 1)[0]


def measure_modes(model, tokenizer, n_per_step: int = 50, steps=(1, 2, 3, 4, 5, 6), seed: int = 0,
                  max_new_tokens: int = MAX_NEW_TOKENS) -> dict:
    """Greedy accuracy, tokens per completion and obedience to the switch, per mode and step count,
    on held-out problems (each asked in its own language): {mode: {'accuracy': {steps: x},
    'tokens': {...}, 'obeys': {...}}} plus each mode's means over all step counts."""
    from .evaluation import generate
    from .worlds.chain import make_problems

    require_int(n_per_step, "n_per_step")
    problems = [p for s in steps for p in make_problems(n_per_step, s, "test", seed)]
    out = {}
    for mode in MODES:
        texts = generate(model, tokenizer, [mode_prompt(ask(p), mode) for p in problems], max_new_tokens)
        acc = accuracy_reward(texts, [p.answer for p in problems])
        lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False).input_ids]
        by = defaultdict(lambda: defaultdict(list))
        for p, a, n, t in zip(problems, acc, lengths, texts):
            by["accuracy"][p.steps].append(a)
            by["tokens"][p.steps].append(n)
            by["obeys"][p.steps].append(float(obeys(t, mode)))
        out[mode] = {k: {s: sum(v) / len(v) for s, v in sorted(d.items())} for k, d in by.items()}
        for k in ("accuracy", "tokens", "obeys"):
            vals = list(out[mode][k].values())
            out[mode][f"mean_{k}"] = sum(vals) / len(vals)
        out[mode]["examples"] = texts[:: max(1, len(texts) // 4)][:4]
    return out


def modes_text(measured: dict, lesson1: dict | None = None) -> str:
    """measure_modes's result as a text table: a row per mode and measure, a column per step count
    (and lesson 1's answer-only accuracy, when given as {steps: accuracy})."""
    steps = list(measured["think"]["accuracy"])
    lines = [f"{'':24s}" + "".join(f"{f'{s} steps':>9s}" for s in steps)]
    for mode in MODES:
        for key, fmt in (("accuracy", "{:9.2f}"), ("tokens", "{:9.1f}"), ("obeys", "{:9.2f}")):
            vals = measured[mode][key]
            lines.append(f"{f'/{mode} {key}':24s}" + "".join(fmt.format(vals[s]) for s in steps))
    if lesson1:
        lines.append(f"{'lesson 1 answer-only':24s}" + "".join(
            f"{lesson1.get(s, lesson1.get(str(s), float('nan'))):9.2f}" for s in steps))
    return "\n".join(lines)


def budget_generate(model, tokenizer, prompts: list[str], budget: int,
                    max_new_tokens: int = MAX_NEW_TOKENS) -> list[str]:
    """Greedy completions whose thought is capped at `budget` tokens (Qwen3's thinking budget).

    The completion is opened with ' <think>' for the model; it thinks for at most `budget` tokens.
    A thought that closes by itself within the budget goes on as usual (up to `max_new_tokens` in
    all); one still open is cut there, '</think><answer>' is written for it, and the model has
    ANSWER_ROOM tokens to give the answer. budget=0 answers at once. Returns the completions,
    ' <think>' included. (The text is re-tokenised between the two phases: the course's tokenizer
    round-trips every text, so the model reads what it wrote.)"""
    from .evaluation import generate

    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 0:
        raise ValueError(f"budget must be a whole number of thought tokens, 0 or more, got {budget!r}")
    require_int(max_new_tokens, "max_new_tokens")
    opened = [p + " " + THINK_OPEN for p in prompts]
    thoughts = generate(model, tokenizer, opened, budget) if budget else [""] * len(prompts)
    closed = [THINK_CLOSE in t for t in thoughts]
    heads = [t if c else t + THINK_CLOSE + ANSWER_OPEN for t, c in zip(thoughts, closed)]
    rest = [max(1, max_new_tokens - budget) if c else ANSWER_ROOM for c in closed]
    out = [None] * len(prompts)
    for room in sorted(set(rest)):
        idx = [i for i, r in enumerate(rest) if r == room]
        tails = generate(model, tokenizer, [opened[i] + heads[i] for i in idx], room)
        for i, t in zip(idx, tails):
            out[i] = " " + THINK_OPEN + heads[i] + t
    return out


def thought_tokens(tokenizer, completion: str) -> int:
    """Tokens inside the completion's first <think>…</think> (the whole text if it never closes)."""
    body = completion.split(THINK_OPEN, 1)[-1].split(THINK_CLOSE, 1)[0]
    return len(tokenizer(body, add_special_tokens=False).input_ids)


def budget_curve(model, tokenizer, budgets, n_per_step: int = 50, steps=(1, 2, 3, 4, 5, 6),
                 seed: int = 0) -> dict:
    """{budget: {'accuracy': {steps: x}, 'thought_tokens': {steps: mean}}}: greedy accuracy in
    think mode with the thought capped at each budget, on held-out problems."""
    from .worlds.chain import make_problems

    problems = [p for s in steps for p in make_problems(n_per_step, s, "test", seed)]
    prompts = [mode_prompt(ask(p), "think") for p in problems]
    out = {}
    for b in budgets:
        texts = budget_generate(model, tokenizer, prompts, b)
        acc = accuracy_reward(texts, [p.answer for p in problems])
        used = [thought_tokens(tokenizer, t) for t in texts]
        by_acc, by_tok = defaultdict(list), defaultdict(list)
        for p, a, u in zip(problems, acc, used):
            by_acc[p.steps].append(a)
            by_tok[p.steps].append(u)
        out[b] = dict(accuracy={s: sum(v) / len(v) for s, v in sorted(by_acc.items())},
                      thought_tokens={s: sum(v) / len(v) for s, v in sorted(by_tok.items())})
    return out


def paying_budget(curve: dict, steps: int, within: float = 0.02):
    """The smallest budget whose accuracy at `steps` is within `within` of the best budget's: where
    more thinking stops paying for that step count."""
    accs = {int(b): v["accuracy"][steps] if steps in v["accuracy"] else v["accuracy"][str(steps)]
            for b, v in curve.items()}
    best = max(accs.values())
    return min(b for b, a in accs.items() if a >= best - within)


# --- lesson 7's budget ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ThinkingBudget:
    """The budget of lesson 7 (notebook 07 and bench/verifier_seeds.py use the defaults).

    fusion_problems_per_step   training problems per step count (1-4): lesson 4's final model is
                               sampled twice on each (/think data) and each is answered with an
                               empty thought (/no_think data, half of them as a sentence)
    fusion_general             general requests in the mix (lesson 4's), half under each flag
    fusion_sft_updates, fusion_lr   stage 3's SFT, continuing from lesson 4's final model
    rl_updates                 the short RL round after it (both modes), and the process-reward run
    verifier_problems_per_step problems per step count the verifier's examples are made from
    verifier_updates, verifier_lr   the learned verifier's SFT, from lesson 3's base
    hack_updates               RL against a judge on /no_think prompts, where reward hacking shows
    harden_updates             the verifier's further SFT on the adversarial examples
    eval_per_step              held-out problems per step count in the measurements
    """

    fusion_problems_per_step: int = 100
    fusion_general: int = 200
    fusion_sft_updates: int = 100
    fusion_lr: float = 5e-4
    rl_updates: int = 40
    verifier_problems_per_step: int = 300
    verifier_updates: int = 200
    verifier_lr: float = 2e-3
    hack_updates: int = 150
    harden_updates: int = 60
    eval_per_step: int = 50

    def __post_init__(self):
        from .runtime import require_int, require_lr

        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.type == "int":
                require_int(v, f"ThinkingBudget.{f.name}")
        require_lr(self.fusion_lr, example="5e-4")
        require_lr(self.verifier_lr, example="2e-3")

    @property
    def fusion(self) -> SFTSettings:
        """Stage 3's SFT (the fusion data, from lesson 4's final model)."""
        return SFTSettings(self.fusion_sft_updates, 32, self.fusion_lr)

    @property
    def verifier(self) -> SFTSettings:
        """The learned verifier's SFT, from lesson 3's base."""
        return SFTSettings(self.verifier_updates, 32, self.verifier_lr)

    @property
    def hardening(self) -> SFTSettings:
        """The verifier's further SFT on the adversarial examples (lesson7_verifiers.harden)."""
        return SFTSettings(self.harden_updates, 32, 1e-3)

    def smoke(self) -> "ThinkingBudget":
        return dataclasses.replace(self, fusion_problems_per_step=4, fusion_general=4, fusion_sft_updates=3, rl_updates=2,
                                   verifier_problems_per_step=4, verifier_updates=3, hack_updates=2,
                                   harden_updates=2, eval_per_step=4)


def thinking_budget() -> ThinkingBudget:
    """Lesson 7's budget (its smoke variant when LESSONS_SMOKE=1)."""
    from .runtime import for_mode

    return for_mode(ThinkingBudget())
