"""The chain world under R1-Zero's template: RL rows, measurements, sample counts, the rejection filter.

What the RL lessons need of the chain world, in the order they need it:

    rl_rows, rl_dataset   R1-Zero prompts with the columns the rewards read (answer, steps, language)
    measure               what lesson 3's first version reported before and after RL, and lessons
                          4-7 report of their models (below)
    CHAIN                 the chain world behind the course's World interface (worlds.World)
    rejection_sample      lesson 4's filter (right, formatted, no loop, one notation, readable): the
                          SFT data of lessons 4, 5 and 7
    sample_counts         n samples per problem kept as counts, right by the answer and by the true
                          path (lessons 5-6; sample_stats reads the curves off them)
    fusion_dataset        RL prompts in both thinking modes (lesson 7)

`measure`, on held-out problems:

    format_rate       sampled completions that are exactly <think>…</think><answer>N</answer>
    pass1             sampled accuracy (rewards.accuracy_reward), the mean over step counts
    greedy            greedy accuracy per step count
    loose_pass1       sampled accuracy if we read the last number anywhere in the completion: it
                      separates "learned the format" from "learned to get the answer right"
    tokens            mean completion length (the decoded text re-tokenised: for garbage that
                      spells known words inside longer ones this can exceed the tokens generated)
    and the thought statistics of worlds.chain_thoughts (loops, mixing, readability, ...)

Every problem is asked in its own language, symbols or words (chain.ask: half of the problems
each), in the RL prompts and in the measurements; `thoughts["consistency"]` is the share of the
thoughts' steps written in the question's notation.

The held-out problems are fixed by `problem_seed` alone, so runs with different sampling seeds
(`seed`) are scored on the same problems. RL_STEP_COUNTS are the step counts (operations per
problem) of the RL prompts and of the measurements.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

from ..evaluation import generate
from ..formats import MODES, require_mode, mode_prompt, r1_zero_prompt, short_prompt, thought_text
from ..sample_stats import K_MAX
from ..rewards import accuracy_reward, checked_answer, format_reward, parse_completion
from ..world import World
from .chain import ask, make_problems, question_notation, question_text, split_of
from .chain_thoughts import has_loop, language_share, readability, thought_stats

RL_STEP_COUNTS = (1, 2, 3, 4)  # step counts of the RL prompts (and of the measurements), as in lessons 1-2
MAX_NEW_TOKENS = 96  # room to spare for a 4-step thought in words and the answer
COUNT_NEW_TOKENS = 128  # sample_counts: an 8-step thought in words and its answer fit with room to spare
_LAST_NUMBER = re.compile(r"(\d+)\D*$")


def rl_dataset(n_per_step: int, steps=RL_STEP_COUNTS, split: str = "train", seed: int = 0):
    """A `datasets.Dataset` of R1-Zero prompts with the true `answer`, `steps` and `language` (the
    notation the question is asked in, chain.question_notation) as columns.

    `n_per_step` problems for each step count in `steps`, shuffled (deterministic in `seed`).

    trl's GRPOTrainer passes the extra columns to the reward functions as keyword arguments.
    """
    from datasets import Dataset

    problems = [p for s in steps for p in make_problems(n_per_step, s, split, seed)]
    return Dataset.from_list(rl_rows(problems)).shuffle(seed=seed)


def rl_rows(problems) -> list[dict]:
    """One RL row per problem: its R1-Zero prompt (asked in its own language), `answer`, `steps`
    and `language`, the columns lesson 3's rewards read."""
    return [dict(prompt=r1_zero_prompt(ask(p)), answer=p.answer, steps=p.steps,
                 language=question_notation(p)) for p in problems]


def loose_answer(completion: str) -> int | None:
    """The last number in a completion, wherever it is (for measuring only, never as a reward)."""
    m = _LAST_NUMBER.search(completion or "")
    return int(m.group(1)) if m else None


def short_prompt_accuracy(model, tokenizer, steps=RL_STEP_COUNTS, n_per_step: int = 50,
                          max_new_tokens: int = MAX_NEW_TOKENS, problem_seed: int = 0,
                          split: str = "test", notation: str = "symbols") -> dict[int, float]:
    """Greedy accuracy by number of steps with the short head the corpus uses ('problem: 37+8-5',
    or in words with notation='words'), reading the last number written (loose_answer): what a
    base model can do when asked the way it was taught, before any RL or template."""
    if not isinstance(n_per_step, int) or isinstance(n_per_step, bool) or n_per_step < 1:
        raise ValueError(f"n_per_step must be a positive int, got {n_per_step!r}")
    out = {}
    for s in steps:
        problems = make_problems(n_per_step, s, split, problem_seed)
        texts = generate(model, tokenizer, [short_prompt(question_text(p, notation)) for p in problems],
                         max_new_tokens)
        out[s] = sum(loose_answer(t) == p.answer for t, p in zip(texts, problems)) / len(problems)
    return out


def measure(model, tokenizer, n_per_step: int = 100, steps=RL_STEP_COUNTS, samples: int = 4,
            temperature: float = 1.0, max_new_tokens: int = MAX_NEW_TOKENS, seed: int = 0,
            problem_seed: int = 0, split: str = "test", keep_completions: bool = False,
            prompt_fn=r1_zero_prompt) -> dict:
    """The lesson-3 measurements of `model` under the R1-Zero template (see the module docstring).

    `n_per_step` problems of each step count in `steps`, drawn from `split` with `problem_seed`;
    `samples` sampled completions per problem at `temperature`, drawn with `seed`. `prompt_fn`
    turns a question (text) into the prompt: lesson 4 measures lessons 1-2's models with theirs.
    """
    for name, v in (("n_per_step", n_per_step), ("samples", samples)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be an int of at least 1, got {v!r}")
    if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or temperature <= 0:
        raise ValueError(f"temperature must be a number above 0 (1.0 samples from the model as it "
                         f"is; greedy accuracy is measured as well), got {temperature!r}")
    steps = tuple(steps)
    if not steps:
        raise ValueError("steps is empty: give the step counts to measure, e.g. steps=(1, 2, 3, 4)")
    problems = [p for s in steps for p in make_problems(n_per_step, s, split, problem_seed)]
    prompts = [prompt_fn(ask(p)) for p in problems]
    # 256 sequences at a time, however many samples per prompt: generate's batch counts prompts,
    # and 256 prompts x 4 samples held ~1 GB of attention and cache at once.
    sampled = generate(model, tokenizer, prompts, max_new_tokens, do_sample=True,
                       temperature=temperature, num_return_sequences=samples, seed=seed,
                       batch_size=max(1, 256 // samples))
    greedy = generate(model, tokenizer, prompts, max_new_tokens)
    truth = [p.answer for p in problems for _ in range(samples)]
    acc = accuracy_reward(sampled, truth)
    loose = [float(loose_answer(c) == t) for c, t in zip(sampled, truth)]
    g_acc = accuracy_reward(greedy, [p.answer for p in problems])
    lengths = [len(ids) for ids in tokenizer(sampled, add_special_tokens=False).input_ids]
    languages = [question_notation(p) for p in problems for _ in range(samples)]
    by = defaultdict(lambda: defaultdict(list))
    for i, p in enumerate(problems):
        by[p.steps]["greedy"].append(g_acc[i])
        for j in range(samples):
            by[p.steps]["tokens"].append(lengths[i * samples + j])
            by[p.steps]["pass1"].append(acc[i * samples + j])
            by[p.steps]["loose"].append(loose[i * samples + j])

    def mean(xs):
        return sum(xs) / max(1, len(xs))

    out = dict(
        format_rate=mean(format_reward(sampled)),
        greedy_format_rate=mean(format_reward(greedy)),
        pass1=mean([mean(by[s]["pass1"]) for s in steps]),
        loose_pass1=mean([mean(by[s]["loose"]) for s in steps]),
        pass1_by_steps={s: mean(by[s]["pass1"]) for s in steps},
        greedy_by_steps={s: mean(by[s]["greedy"]) for s in steps},
        tokens=mean(lengths),
        thoughts=thought_stats(sampled, languages),
        consistency_by_language={lang: thought_stats([c for c, q in zip(sampled, languages) if q == lang],
                                                     [lang] * languages.count(lang))["consistency"]
                                 for lang in sorted(set(languages))},
        tokens_by_steps={s: mean(by[s]["tokens"]) for s in steps},
    )
    if keep_completions:
        out["completions"] = [dict(question=ask(p), answer=p.answer, sample=sampled[i * samples],
                                   greedy=greedy[i]) for i, p in enumerate(problems)]
    return out


def _score(completions, problems):
    return accuracy_reward(completions, [p.answer for p in problems]), format_reward(completions)


def _thoughts(completions, problems):
    return thought_stats(completions, [question_notation(p) for p in problems])


# The chain world behind the course's World interface (lessons_lib.worlds.World).
CHAIN = World(name="chain", problems=make_problems, split=split_of, ask=ask,
              prompt=lambda problem: r1_zero_prompt(ask(problem)), rows=rl_rows, truth=lambda problem: problem.answer,
              checker=accuracy_reward, score=_score, thoughts=_thoughts)


# --- lesson 4's rejection filter ------------------------------------------------------------------

# The checks of the rejection filter, in the order they are tried (the first that fails is the
# reason a sample is rejected): an answer that is right and alone in its block, the whole layout,
# no repetition loop, every step in the question's notation, a thought a reader can follow.
CHECKS = ("right", "format", "loop", "language", "readable")


MIN_READABILITY = 0.9  # readability (chain_thoughts.readability) a kept thought needs


def rejection_reason(completion: str, answer: int, language: str, checks=CHECKS,
                     min_readability: float = MIN_READABILITY) -> str | None:
    """The first check in `checks` the completion fails ('right', 'format', 'loop', 'language',
    'readable'), or None if it passes them all (it is kept)."""
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}: choose from {CHECKS}")
    parsed = parse_completion(completion)
    thought = parsed[0] if parsed else ""
    for check in CHECKS:
        if check not in checks:
            continue
        if check == "right" and checked_answer(completion) != answer:
            return check
        if check == "format" and parsed is None:
            return check
        if check == "loop" and has_loop(completion):
            return check
        if check == "language" and language_share(thought, language) != 1.0:
            return check
        if check == "readable" and readability(thought) < min_readability:
            return check
    return None


def rejection_sample(model, tokenizer, problems, samples: int = 4, keep_per_problem: int = 1,
                     seed: int = 0, checks=CHECKS, temperature: float = 1.0,
                     max_new_tokens: int = 96) -> tuple[list[dict], dict]:
    """Sample `samples` completions per problem (each asked in its own language, under the R1-Zero
    template) and keep up to `keep_per_problem` that pass the filter.

    Returns (kept, stats): kept rows are SFT records (prompt, completion, answer, steps, language);
    stats counts what was generated and kept, the reasons for rejection, the acceptance rate and
    the samples it took per kept example.
    """
    from ..evaluation import generate
    from ..runtime import require_int

    require_int(samples, "samples")
    require_int(keep_per_problem, "keep_per_problem")
    problems = list(problems)
    prompts = [r1_zero_prompt(ask(p)) for p in problems]
    texts = generate(model, tokenizer, prompts, max_new_tokens, batch_size=max(1, 256 // samples),
                     do_sample=True, temperature=temperature, num_return_sequences=samples, seed=seed)
    kept, reasons = [], Counter()
    for i, (p, prompt) in enumerate(zip(problems, prompts)):
        mine = 0
        for text in texts[i * samples:(i + 1) * samples]:
            why = rejection_reason(text, p.answer, question_notation(p), checks)
            reasons[why or "kept"] += 1
            if why is None and mine < keep_per_problem:
                kept.append(dict(prompt=prompt, completion=text, answer=p.answer, steps=p.steps,
                                 language=question_notation(p)))
                mine += 1
    generated = len(texts)
    return kept, dict(generated=generated, kept=len(kept), problems=len(problems),
                      acceptance=reasons["kept"] / max(1, generated),
                      samples_per_kept=generated / max(1, len(kept)),
                      rejected={c: reasons[c] for c in CHECKS if c in checks})


# --- sample counts (lessons 5-6) ---------------------------------------------------------------------

GROUPS = {"1-4": (1, 2, 3, 4), "5-8": (5, 6, 7, 8)}  # trained lengths, and lengths beyond them


ALL_STEPS = GROUPS["1-4"] + GROUPS["5-8"]


def _reader(name: str):
    from ..rewards import checked_answer
    from .chain_rl import loose_answer

    readers = {"tagged": checked_answer, "last number": loose_answer}
    if name not in readers:
        raise ValueError(f"unknown reader {name!r}: choose 'tagged' (the strict checker of "
                         f"lessons 3-4) or 'last number' (the last number written, for a base model)")
    return readers[name]


READERS = ("tagged", "last number")


def chain(problem) -> list[tuple[int, str, int, int]]:
    """The problem's true steps, (a, op, x, result) each: 37+8-5 gives [(37,'+',8,45), (45,'-',5,40)]."""
    out, a = [], problem.start
    for (op, x), v in zip(problem.ops, problem.values):
        out.append((a, op, x, v))
        a = v
    return out


def path_right(text: str, problem, reader: str = "tagged") -> bool:
    """True if the working starts with the problem's whole chain, every step right, in either
    notation (the thought for the tagged reader, the whole text for the last-number reader)."""
    from .chain_thoughts import steps_in

    working = thought_text(text) if reader == "tagged" else (text if isinstance(text, str) else "")
    want = chain(problem)
    return [s[:4] for s in steps_in(working)][:len(want)] == want


def score(text: str, problem, reader: str = "tagged") -> tuple[int | None, bool, bool]:
    """(answer read, answer right, right by the true path) for one completion."""
    answer = _reader(reader)(text)
    right = answer == problem.answer
    return answer, right, right and path_right(text, problem, reader)


def problems(n_per_step: int, steps=ALL_STEPS, seed: int = 0, split: str = "test") -> list:
    """`n_per_step` held-out problems of each step count, in step order (fixed by `seed`)."""
    from ..runtime import require_int

    require_int(n_per_step, "n_per_step")
    return [p for s in steps for p in make_problems(n_per_step, s, split, seed)]


def sample_counts(model, tokenizer, problems, prompt_fn=r1_zero_prompt, reader: str = "tagged",
                  n: int = K_MAX, max_new_tokens: int = COUNT_NEW_TOKENS, seed: int = 0,
                  rows_per_batch: int = 512, temperature: float = 1.0) -> list[dict]:
    """Sample `n` completions per problem (asked in its own language, `prompt_fn(question)`) and
    count: per problem a dict with its question, steps, answer, n, `right` (answers right),
    `path` (right by the true path) and `answers` ({answer as text, or 'none': count}).

    `rows_per_batch` sequences are sampled at once: 512 hold about 0.4 GB of cache and activations
    at 128 new tokens (1024 went past 0.8 GB for a few percent more speed)."""
    from collections import Counter

    from ..evaluation import generate
    from ..runtime import require_int

    require_int(n, "n", why=" (samples per problem)")
    _reader(reader)
    problems = list(problems)
    texts = generate(model, tokenizer, [prompt_fn(ask(p)) for p in problems], max_new_tokens,
                     batch_size=max(1, rows_per_batch // n), do_sample=True, temperature=temperature,
                     num_return_sequences=n, seed=seed)
    out = []
    for i, p in enumerate(problems):
        scored = [score(t, p, reader) for t in texts[i * n:(i + 1) * n]]
        answers = Counter("none" if a is None else str(a) for a, _, _ in scored)
        out.append(dict(question=ask(p), steps=p.steps, answer=p.answer, n=n,
                        right=sum(r for _, r, _ in scored), path=sum(q for _, _, q in scored),
                        answers=dict(answers)))
    return out


def fusion_dataset(n_per_step: int, steps=(1, 2, 3, 4), seed: int = 0, modes=MODES):
    """RL prompts for the fused model: every problem once in each of `modes`, columns prompt, answer,
    steps, language, mode and question (the problem in symbols, which lesson 7's verifiers and
    process reward read), shuffled."""
    from datasets import Dataset

    from .chain import make_problems

    for m in modes:
        require_mode(m)
    rows = [dict(prompt=mode_prompt(ask(p), m), answer=p.answer, steps=p.steps,
                 language=question_notation(p), mode=m, question=p.question)
            for s in steps for p in make_problems(n_per_step, s, "train", seed) for m in modes]
    return Dataset.from_list(rows).shuffle(seed=seed)
