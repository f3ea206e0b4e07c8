"""The numbers game's "web" corpus, its two base models and the diagnostic that says whether RL
can work from a base (lesson 3).

Whether RL teaches a model to search depends on what its pretraining showed it (Gandhi et al. 2025,
"Cognitive behaviors that enable self-improving reasoners": "the presence of reasoning behaviors,
rather than correctness of answers, proves to be the critical factor"). So the corpus's behaviours
are knobs (CorpusKnobs), and one switch writes it without verification and backtracking:

    search       try a hypothesis, compute it, check it as a copy, back up when it fails:
                   9*3=27 27-8=19 19 vs 47 != no, back. 7*8=56 56-9=47 47 vs 47 = yes
                   9 times 3 is 27, 27 minus 8 is 19, 19 vs 47 differ no, back. 7 times 8 is 56, ...
                 after each failed try the searcher gives up with chance `give_up` (0.25), and
                 answers with its last try, which never hits the target (a give-up earns 0):
                   7*9=63 63-8=55 55 vs 47 != no, give up
    no backtrack (backtrack=False) one try, no check, then its expression as the answer:
                   7*9=63 63-8=55
    direct       the answer with no working: (7*8)-9
    documents    'problem: 3 7 9 8 -> 47\\n<search>\\nso the answer is (7*8)-9', dialogues
                 'User: from 3 7 9 8 to 47\\nAssistant: <think>...</think><answer>...</answer>'
                 (tagged with chance `tagged`, else plain), answer keys, other text.

Giving up is common (a search that fails twice gives up about 44% of the time), so a base model's
habit is to stop early: RL has something to change. The pages are packed to the same number of
tokens whatever the knobs (`pages`), so the two bases read the same number of tokens.

`diagnose` samples a base on held-out problems and measures what the issue's first probe lacked:
a step's arithmetic, a check's verdict, and whether searching pays more than giving up.
"""
from __future__ import annotations

import dataclasses
import random

from ..formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, short_prompt
from .numbers import (
    LEVELS, NOTATIONS, OPS, TRY_CAP, Problem, apply, chain_expression, chain_value, check_text, question_text, random_problem, split_of, step_text,
)


@dataclasses.dataclass(frozen=True)
class CorpusKnobs:
    """The behaviours of the corpus.

    backtrack   searches check each try and back up when it fails (False: one unchecked try, then
                its expression as the answer; no checks, no backtracks, no give-ups)
    give_up     chance of giving up after each failed try
    max_tries   a search that has failed this many tries gives up
    hunch       chance that a try's last step is the one that lands nearest the target (a
                solver's feel for the numbers; else the last step is random)
    direct      share of answers given with no working (a right answer)
    tagged      share of dialogue replies in <think>/<answer> tags
    follow      share of working written in the question's notation (else the other one)
    levels      (level, weight) pairs of the problems written about (numbers.LEVELS)
    """

    backtrack: bool = True
    give_up: float = 0.25
    max_tries: int = 8
    hunch: float = 0.75
    direct: float = 0.1
    tagged: float = 0.9
    follow: float = 0.75
    levels: tuple = (("3", 0.6), ("4", 0.4))

    def __post_init__(self):
        for name in ("give_up", "hunch", "direct", "tagged", "follow"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
                raise ValueError(f"CorpusKnobs.{name} is a chance from 0 to 1, got {v!r}")
        if not isinstance(self.max_tries, int) or self.max_tries < 1:
            raise ValueError(f"CorpusKnobs.max_tries must be a positive int, got {self.max_tries!r}")
        if not self.levels or any(str(lv) not in LEVELS for lv, _ in self.levels):
            raise ValueError(f"CorpusKnobs.levels must be (level, weight) pairs with levels from "
                             f"{sorted(LEVELS)}, got {self.levels!r}")


# shares of document kinds
MIX = dict(worked=0.35, dialogue=0.45, bare=0.05, other=0.05, tagged=0.10)
# words of the other text (word salad): none of the searches' markers ('back', 'give up', 'yes', 'no')
_WORDS = """the a of to and is it we this that so then first next now here there value number count
total result left over by with from on in at for as you your let me problem solution question think
mind process reasoning answer final start take takes go game numbers target make""".split()


# --- a search -----------------------------------------------------------------------------------------

def hypothesis(problem: Problem, rng: random.Random, hunch: float, tried: set | None = None):
    """(start, [(op, b), ...]) a searcher tries: the numbers in a random order, every intermediate
    value in 0..TRY_CAP, random operations, the last step (with chance `hunch`) the one landing
    nearest the target. It avoids hypotheses in `tried` when it can."""
    nums, n_ops = list(problem.numbers), len(problem.numbers) - 1
    best = None
    for _ in range(30):
        order = rng.sample(nums, len(nums))
        start, steps, v = order[0], [], order[0]
        for b in order[1:-1]:
            ops = [op for op in OPS if 0 <= apply(v, op, b) <= TRY_CAP]
            op = rng.choice(ops)
            steps.append((op, b))
            v = apply(v, op, b)
        last = order[-1]
        ops = [op for op in OPS if 0 <= apply(v, op, last) <= TRY_CAP]
        if not ops:
            continue
        if rng.random() < hunch:
            op = min(ops, key=lambda o: (abs(apply(v, o, last) - problem.target), rng.random()))
        else:
            op = rng.choice(ops)
        steps.append((op, last))
        best = (start, steps)
        if len(steps) == n_ops and (tried is None or chain_expression(start, steps) not in tried):
            return best
    return best


def try_text(start: int, steps, notation: str) -> str:
    """A try's working: '9*3=27 27-8=19' or '9 times 3 is 27, 27 minus 8 is 19'."""
    out, v = [], start
    for op, b in steps:
        w = apply(v, op, b)
        out.append(step_text(v, op, b, w, notation))
        v = w
    return (" " if notation == "symbols" else ", ").join(out)


def search(problem: Problem, rng: random.Random, knobs: CorpusKnobs, notation: str):
    """(thought, answer expression, outcome): outcome 'found', 'gave_up' or 'unchecked'."""
    sep = " " if notation == "symbols" else ", "
    if not knobs.backtrack:
        start, steps = hypothesis(problem, rng, knobs.hunch)
        return try_text(start, steps, notation), chain_expression(start, steps), "unchecked"
    parts, tried = [], set()
    while True:
        start, steps = hypothesis(problem, rng, knobs.hunch, tried)
        expr = chain_expression(start, steps)
        tried.add(expr)
        v = chain_value(start, steps, cap=TRY_CAP)
        body = f"{try_text(start, steps, notation)}{sep}{check_text(v, problem.target, notation)}"
        if v == problem.target:
            parts.append(body)
            return " ".join(parts), expr, "found"
        if rng.random() < knobs.give_up or len(tried) >= knobs.max_tries:
            parts.append(f"{body}, give up")
            return " ".join(parts), expr, "gave_up"
        parts.append(f"{body}, back.")


def a_solution(problem: Problem, rng: random.Random) -> str:
    """A right answer, as a chain expression (what a direct answer writes)."""
    while True:
        start, steps = hypothesis(problem, rng, hunch=1.0)
        if chain_value(start, steps, cap=TRY_CAP) == problem.target:
            return chain_expression(start, steps)


# --- documents --------------------------------------------------------------------------------------

def _problem(rng: random.Random, knobs: CorpusKnobs) -> Problem:
    levels, weights = zip(*knobs.levels)
    while True:
        p = random_problem(rng, LEVELS[str(rng.choices(levels, weights)[0])])
        if split_of(p) == "train":
            return p


def _closer(expr: str, rng: random.Random) -> str:
    return rng.choice([f"so the answer is {expr}", f"answer: {expr}"])


def _reply(p: Problem, rng: random.Random, knobs: CorpusKnobs, notation: str, tagged: bool) -> str:
    if rng.random() < knobs.direct:
        expr = a_solution(p, rng)
        return f"{ANSWER_OPEN}{expr}{ANSWER_CLOSE}" if tagged else _closer(expr, rng)
    thought, expr, _ = search(p, rng, knobs, notation)
    if tagged:
        sep = rng.choice(["", " ", "\n"])
        return f"{THINK_OPEN}{sep}{thought}{sep}{THINK_CLOSE}{sep}{ANSWER_OPEN}{expr}{ANSWER_CLOSE}"
    return f"{thought}\n{_closer(expr, rng)}"


def document(rng: random.Random, knobs: CorpusKnobs | None = None, kind: str | None = None) -> str:
    """One document of a kind drawn from MIX (or the `kind` asked for)."""
    knobs = knobs or CorpusKnobs()
    kind = kind or rng.choices(list(MIX), weights=list(MIX.values()))[0]
    p = _problem(rng, knobs)
    asked = rng.choice(NOTATIONS)
    notation = asked if rng.random() < knobs.follow else next(n for n in NOTATIONS if n != asked)
    q = question_text(p, asked)
    if kind == "worked":
        head = rng.choice([short_prompt(q), f"{q}\n"])
        return head + _reply(p, rng, knobs, notation, tagged=False)
    if kind == "dialogue":
        return f"User: {q}\nAssistant: " + _reply(p, rng, knobs, notation, rng.random() < knobs.tagged)
    if kind == "tagged":
        return f"{q}\n" + _reply(p, rng, knobs, notation, tagged=True)
    if kind == "bare":
        lines = [p] + [_problem(rng, knobs) for _ in range(rng.randint(2, 5))]
        return "\n".join(f"{x.question}: {a_solution(x, rng)}" for x in lines)
    if kind == "other":
        return "\n".join(_other(rng) for _ in range(rng.randint(1, 2)))
    raise ValueError(f"unknown document kind {kind!r}: choose one of {sorted(MIX)}")


def _other(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return " ".join(str(rng.randint(1, 99)) for _ in range(rng.randint(4, 12)))
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 15))) + "."


def pages(n: int, seed: int = 0, tokens_per_page: int = 512, tokenizer=None,
          knobs: CorpusKnobs | None = None) -> list[str]:
    """`n` training rows of a few documents each, joined by <eos>, filled to about `tokens_per_page`
    tokens (measured with `tokenizer`, else estimated from characters): each row takes, in order,
    every waiting document that still fits (first fit over the next 32), so rows are full whatever
    the documents' lengths and the corpus's size in tokens does not depend on the knobs. A document
    longer than a row gets a row of its own."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    knobs = knobs or CorpusKnobs()
    rng = random.Random(f"numbers-corpus-{seed}")
    out, waiting = [], []
    while len(out) < n:
        if len(waiting) < 32:
            batch = [document(rng, knobs) for _ in range(200)]
            if tokenizer is not None:  # one batched call: fast
                costs = [len(ids) + 1 for ids in tokenizer(batch, add_special_tokens=False).input_ids]
            else:
                costs = [len(d) // 2 + 1 for d in batch]
            waiting += zip(batch, costs)
        row, used, rest = [], 0, []
        for d, cost in waiting[:32]:
            if not row or used + cost <= tokens_per_page:
                row.append(d)
                used += cost
            else:
                rest.append((d, cost))
        waiting = rest + waiting[32:]
        out.append("<eos>".join(row))  # trl appends the last <eos>
    return out


# --- the bases -----------------------------------------------------------------------------------------

# The model: the tiny Llama, wider and deeper (about 1.1 M parameters; the second probe used
# 1.8 M). Searches are long, so the context reaches 768 positions. Measured on the course's 2 cores
# with rows of 256 tokens (24 a batch, padded to the longest, often 500+): 6 layers took 2.8 s an
# update, 4 layers 1.3 s. Rows of 512 tokens (12 a batch) waste little on padding.
MODEL = dict(hidden_size=128, intermediate_size=512, num_attention_heads=8, num_hidden_layers=4,
             max_position_embeddings=768)


def budget(**changes):
    """The numbers bases' PretrainBudget (lessons_lib.pretrain), with `changes`."""
    from ..pretrain import PretrainBudget

    base = PretrainBudget(updates=1600, batch_size=12, lr=2e-3, tokens_per_page=512,
                          max_positions=MODEL["max_position_embeddings"],
                          num_hidden_layers=MODEL["num_hidden_layers"])
    return dataclasses.replace(base, **changes)


def pretrain_numbers_base(b=None, knobs: CorpusKnobs | None = None, seed: int = 0, callbacks=None,
                          stop_after: int | None = None, **extra):
    """(model, tokenizer, trainer): the tiny model pretrained from scratch on the numbers corpus,
    through trl's SFTTrainer on text (as pretrain.pretrain_base does for the chain world).
    Deterministic in (b, knobs, seed); `stop_after=n` runs the first n updates of the same schedule."""
    from ..models import new_tiny
    from ..pretrain import require_stop_after, PretrainBudget, train_on_texts

    b = budget() if b is None else b
    if not isinstance(b, PretrainBudget):
        raise TypeError(f"b must be a PretrainBudget (numbers_corpus.budget()), got {type(b).__name__}")
    require_stop_after(stop_after, b)
    shape = dict(MODEL, max_position_embeddings=b.max_positions, num_hidden_layers=b.num_hidden_layers)
    model, tok = new_tiny(seed=seed, **shape)
    texts = pages(b.updates * b.batch_size, seed=seed, tokens_per_page=b.tokens_per_page,
                  tokenizer=tok, knobs=knobs)
    extra.setdefault("logging_steps", max(1, b.updates // 50))
    return train_on_texts(model, tok, texts, b, seed, callbacks, stop_after, **extra)


# --- the diagnostic -------------------------------------------------------------------------------------

def diagnose(model, tokenizer, problems: dict, samples: int = 32, max_new_tokens: int = 320,
             seed: int = 0, temperature: float = 1.0, ks=(1, 4, 16, 64, 256), keep: bool = False) -> dict:
    """What a base does with the R1-Zero prompt on held-out problems ({level: [Problem]}), with
    `samples` completions per problem: reward, format, give-ups, a step's arithmetic accuracy, a
    check's verdict accuracy, the reward of completions that kept searching (no give-up, at least
    one try) against those that gave up, tokens, completions cut at the cap, pass@k (k <= samples),
    per-problem counts of right samples; with `keep`, the first completion of every problem.
    """
    from ..evaluation import generate, pass_at_k
    from .numbers import (
        ask, numbers_format_reward, numbers_reward, prompt, read_thought, thought_of, thought_stats,
    )

    out = {}
    for level, probs in problems.items():
        comps = generate(model, tokenizer, [prompt(p) for p in probs], max_new_tokens=max_new_tokens,
                         do_sample=True, temperature=temperature, num_return_sequences=samples,
                         seed=seed, batch_size=max(1, 128 // samples))  # 128 sequences of up to ~570 positions
        rows = [p for p in probs for _ in range(samples)]
        rewards = numbers_reward(comps, [p.numbers for p in rows], [p.target for p in rows])
        thoughts = [read_thought(thought_of(c)) for c in comps]
        gave = [r for r, t in zip(rewards, thoughts) if t.gave_up]
        kept = [r for r, t in zip(rewards, thoughts) if not t.gave_up and t.tries]
        lengths = [len(ids) for ids in tokenizer(comps, add_special_tokens=False).input_ids]
        counts = [int(sum(rewards[i * samples:(i + 1) * samples])) for i in range(len(probs))]
        out[str(level)] = dict(
            problems=len(probs), samples=samples, pass1=sum(rewards) / len(rewards),
            format_rate=sum(numbers_format_reward(comps)) / len(comps),
            reward_searching=sum(kept) / max(1, len(kept)), n_searching=len(kept),
            reward_gave_up=sum(gave) / max(1, len(gave)), n_gave_up=len(gave),
            tokens=sum(lengths) / len(lengths),
            cut=sum(n >= max_new_tokens for n in lengths) / len(lengths),
            pass_at_k={k: sum(pass_at_k(samples, c, k) for c in counts) / len(counts)
                       for k in ks if k <= samples},
            counts=counts,
            **thought_stats(comps, rows),
        )
        if keep:
            out[str(level)]["completions"] = [
                dict(question=ask(p), target=p.target, text=comps[i * samples],
                     reward=rewards[i * samples]) for i, p in enumerate(probs)]
    return out
