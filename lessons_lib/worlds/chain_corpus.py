"""The chain world's synthetic "web corpus", written in two notations, and the base model pretrained on it.

R1-Zero starts from a *base* model: pretrained on web text, never fine-tuned on the answer format.
Web text about arithmetic is messy, so this corpus is too:

    worked solutions   free, varied styles, in two "languages" (notations) for the same step:
                         symbols  04+6=10          words  04 plus 6 makes 10
                       with a small chance of a slip at each step (a wrong result, carried on)
    dialogues          "User: 04+6-3\nAssistant: ..." answered in either notation, or directly
    questions          asked in either notation ("04+6-3" or "04 plus 6 minus 3"); a reply or a
                       worked solution is written in the question's notation FOLLOW of the time
    bare answers       lines such as 04+6-3=07 (what a model can only memorise)
    other text         word salad and lists of numbers
    tagged documents   a small share use <think>/<answer> tags, as some web pages do

The notations, the tags and the short head 'problem: 04+6-3' (formats.short_prompt) are defined in
`formats`; the R1-Zero prompt template (formats.TEMPLATE) never appears. About 10% of the documents
carry tags (MIX["tagged"], plus TAGGED_REPLIES of the dialogues), half of them loosely, so writing
the format is something RL has to teach (lesson 3 measures the base model's format rate before RL).
Documents are packed a few at a time into rows of ~160 tokens, joined by <eos>, so the model learns
to stop when a document is done and little compute goes to padding. Some dialogues start after a
long stretch of other text, so positions as far as lesson 3's prompt reaches are seen in training.

Only training-split problems are written (chain.split_of), so test problems stay unseen.
"""
from __future__ import annotations

import random

from ..formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, short_prompt
from ..pretrain import require_stop_after, PretrainBudget, train_on_texts
from .chain import MODULUS, NOTATIONS, WORD_VERBS, Problem, question_text, random_problem, split_of

CORPUS_STEPS = (1, 2, 3, 4, 5, 6)  # problem lengths the corpus writes about

# The mix of document kinds (shares of documents, summing to 1).
MIX = dict(worked=0.50, dialogue=0.36, bare=0.05, other=0.05, tagged=0.04)
TAGGED_REPLIES = 0.15  # share of dialogue replies that use the tags (so ~10% of documents in all)
SLIP = 0.05  # chance that one step of a worked solution has a wrong result
# Share of working written in the question's own notation: web text mostly answers in the language
# it is asked in, not always. It gives the base a tendency to answer in kind that RL can erase
# (lesson 4 measures it as language consistency).
FOLLOW = 0.75

_OTHER_WORDS = """the a of to and is it we this that so then first next now here there value number
count total step steps result left over back up by with from on in at for as you your let me
problem solution question think mind process reasoning answer final start take takes go""".split()


def _slipped(rng: random.Random, value: int) -> int:
    return (value + rng.choice([-1, 1]) * rng.randint(1, 10)) % MODULUS


def solve_with_slips(problem: Problem, rng: random.Random, slip: float = SLIP):
    """[(a, op, x, result)] for each step, where a result is wrong with chance `slip`.

    A wrong result is carried on (the next step starts from it), as a person who slipped would.
    Returns the steps and the final value written.
    """
    a, out = problem.start, []
    for op, x in problem.ops:
        v = (a + x) % MODULUS if op == "+" else (a - x) % MODULUS
        if rng.random() < slip:
            v = _slipped(rng, v)
        out.append((a, op, x, v))
        a = v
    return out, a


def step_text(a: int, op: str, x: int, v: int, notation: str, rng: random.Random | None = None) -> str:
    """One step in a notation: '04+6=10' (symbols) or '04 plus 6 makes 10' (words)."""
    if notation == "symbols":
        return f"{a:02d}{op}{x}={v:02d}"
    if notation == "words":
        verb = rng.choice(WORD_VERBS) if rng else "makes"
        return f"{a:02d} {'plus' if op == '+' else 'minus'} {x} {verb} {v:02d}"
    raise ValueError(f"unknown notation {notation!r}: choose one of {NOTATIONS}")


def _join_steps(steps: list[str], rng: random.Random) -> str:
    return rng.choice([" ", ", "]).join(steps)


def worked_thoughts(problem: Problem, rng: random.Random, notation: str | None = None,
                    slip: float = SLIP) -> tuple[str, int]:
    """A worked solution in free style (and the value it ends on, right or slipped)."""
    notation = notation or rng.choice(NOTATIONS)
    steps, final = solve_with_slips(problem, rng, slip)
    return _join_steps([step_text(a, op, x, v, notation, rng) for a, op, x, v in steps], rng), final


def _closer(final: int, rng: random.Random) -> str:
    return rng.choice([f"so the answer is {final:02d}", f"answer: {final:02d}", f"{final:02d}"])


def tagged_text(problem: Problem, rng: random.Random, slip: float = SLIP,
                notation: str | None = None) -> str:
    """Working marked up with <think>/<answer> tags, as web text does it: half the time exactly
    <think>...</think><answer>NN</answer>, half the time loosely (words around the answer, a
    closing remark, no think block), which a format validator would not accept."""
    thoughts, final = worked_thoughts(problem, rng, notation, slip=slip)
    sep = rng.choice(["", " ", "\n"])
    think = f"{THINK_OPEN}{sep}{thoughts}{sep}{THINK_CLOSE}{sep}"
    answer = f"{ANSWER_OPEN}{final:02d}{ANSWER_CLOSE}"
    if rng.random() < 0.5:
        return f"{think}{answer}"
    loose = rng.randrange(4)
    if loose == 0:
        return f"{think}so {answer}"
    if loose == 1:
        return f"{think}{ANSWER_OPEN}the answer is {final:02d}{ANSWER_CLOSE}"
    if loose == 2:
        return f"{thoughts}{sep}{answer}"
    return f"{think}{answer} {_closer(final, rng)}"


def _question(problem: Problem, rng: random.Random, notation: str) -> str:
    q = question_text(problem, notation)
    return rng.choice([q, q, f"what is {q}?"])


def _reply_notation(asked: str, rng: random.Random) -> str:
    """The notation of working that answers a question asked in `asked` (FOLLOW: the same one)."""
    return asked if rng.random() < FOLLOW else next(n for n in NOTATIONS if n != asked)


def _problem(rng: random.Random) -> Problem:
    while True:
        p = random_problem(rng, rng.choice(CORPUS_STEPS))
        if split_of(p) == "train":
            return p


def _other(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return " ".join(f"{rng.randrange(MODULUS):02d}" for _ in range(rng.randint(4, 12)))
    return " ".join(rng.choice(_OTHER_WORDS) for _ in range(rng.randint(4, 15))) + "."


def document(rng: random.Random, kind: str | None = None, slip: float = SLIP) -> str:
    """One document of the corpus, of a random kind drawn from MIX (or the `kind` asked for)."""
    if kind is None:
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    p = _problem(rng)
    asked = rng.choice(NOTATIONS)  # the language the question is written in
    if kind == "worked":
        thoughts, final = worked_thoughts(p, rng, _reply_notation(asked, rng), slip=slip)
        head = rng.choice([short_prompt(question_text(p, asked)), f"{_question(p, rng, asked)}\n"])
        return f"{head}{thoughts}\n{_closer(final, rng)}"
    if kind == "dialogue":
        r, notation = rng.random(), _reply_notation(asked, rng)
        if r < TAGGED_REPLIES:
            reply = tagged_text(p, rng, slip, notation)
        elif r < 0.87:
            thoughts, final = worked_thoughts(p, rng, notation, slip)
            reply = f"{thoughts}. {_closer(final, rng)}"
        else:  # a direct answer, no working (right for short problems, a guess for long ones)
            reply = _closer(p.answer, rng)
        # some pages put a long text before the conversation (as lesson 3's prompt does)
        pre = "".join(f"{_other(rng)}\n" for _ in range(rng.randint(1, 4))) if rng.random() < 0.1 else ""
        return f"{pre}User: {_question(p, rng, asked)}\nAssistant: {reply}"
    if kind == "bare":
        lines = [p] + [_problem(rng) for _ in range(rng.randint(2, 7))]
        return "\n".join(f"{q.question}={q.answer:02d}" for q in lines)
    if kind == "other":
        return "\n".join(_other(rng) for _ in range(rng.randint(1, 2)))
    if kind == "tagged":  # some web pages mark up their working
        q = question_text(p, asked)
        head = rng.choice([short_prompt(q), f"{q} ", f"{_question(p, rng, asked)}\n"])
        return head + tagged_text(p, rng, slip, _reply_notation(asked, rng))
    raise ValueError(f"unknown document kind {kind!r}: choose one of {sorted(MIX)}")


def documents(n: int, seed: int = 0, slip: float = SLIP) -> list[str]:
    """`n` documents of the corpus, deterministic in `seed`. Each becomes one training row."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    rng = random.Random(f"corpus-{seed}")
    return [document(rng, slip=slip) for _ in range(n)]


def pages(n: int, seed: int = 0, tokens_per_page: int = 160, tokenizer=None,
          slip: float = SLIP) -> list[str]:
    """`n` training rows of a few documents each, joined by <eos>, about `tokens_per_page` long.

    Lengths are measured with `tokenizer` (else estimated from characters). A document longer than
    a page gets a page of its own. (A curriculum, short problems in the first rows, was tried for
    the lesson-3 base and made it worse: it is gone.)
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    rng = random.Random(f"corpus-{seed}")
    out, docs, used = [], [], 0
    while len(out) < n:
        batch = [document(rng, slip=slip) for _ in range(200)]
        if tokenizer is not None:  # one batched call: fast
            costs = [len(ids) + 1 for ids in tokenizer(batch, add_special_tokens=False).input_ids]
        else:
            costs = [len(d) // 2 + 1 for d in batch]
        for d, cost in zip(batch, costs):
            if docs and used + cost > tokens_per_page:
                out.append("<eos>".join(docs))  # trl appends the last <eos>
                docs, used = [], 0
                if len(out) == n:
                    break
            docs.append(d)
            used += cost
    return out


def pretrain_base(budget: PretrainBudget | None = None, seed: int = 0, callbacks=None,
                  stop_after: int | None = None, **extra):
    """(model, tokenizer, trainer): a tiny model pretrained from scratch on the corpus.

    Deterministic in `seed` and `budget` (PretrainBudget() when None). `stop_after=n` runs only the
    first n updates of the same schedule (the reproduction test compares them with the shipped
    model's log). `extra` overrides SFTConfig fields (e.g. `logging_steps`, `output_dir`).
    """
    from ..models import new_tiny
    from .chain_corpus import pages

    b = PretrainBudget() if budget is None else budget
    if not isinstance(b, PretrainBudget):
        raise TypeError(f"budget must be a PretrainBudget, got {type(b).__name__} ({b!r}); "
                        "e.g. dataclasses.replace(PretrainBudget(), updates=100)")
    require_stop_after(stop_after, b)
    model, tok = new_tiny(seed=seed, max_position_embeddings=b.max_positions,
                          num_hidden_layers=b.num_hidden_layers)
    texts = pages(b.updates * b.batch_size, seed=seed, tokens_per_page=b.tokens_per_page,
                  tokenizer=tok)
    extra.setdefault("logging_steps", max(1, b.updates // 60))
    return train_on_texts(model, tok, texts, b, seed, callbacks, stop_after, **extra)


def base_card(model, tokenizer, n_per_step: int = 50, steps=(1, 2, 3, 4, 5, 6)) -> dict:
    """What the base model does with the R1-Zero template (lessons_lib.worlds.chain_rl.measure), and, for
    comparison, its greedy accuracy with the short prompt the corpus uses (formats.short_prompt,
    'problem: 37+8-5\\n', and the same question in words), reading the last number it writes: can it
    reason at all, before any RL?"""
    from .chain_rl import measure, short_prompt_accuracy

    card = measure(model, tokenizer, n_per_step=n_per_step, steps=steps)
    card["short_prompt_greedy_by_steps"] = short_prompt_accuracy(model, tokenizer, steps, n_per_step)
    card["short_prompt_words_greedy_by_steps"] = short_prompt_accuracy(model, tokenizer, steps, n_per_step,
                                                                       notation="words")
    return card
