"""R1-Zero on the toy world: the RL prompts, and measuring a model under the R1-Zero template.

`measure` is what lesson 3 reports before and after RL, on held-out problems:

    format_rate       sampled completions that are exactly <think>…</think><answer>N</answer>
    pass1             sampled accuracy (rewards.accuracy_reward), the mean over step counts
    greedy            greedy accuracy per step count
    loose_pass1       sampled accuracy if we read the last number anywhere in the completion: it
                      separates "learned the format" from "learned to get the answer right"
    tokens            mean completion length (the decoded text re-tokenised: for garbage that
                      spells known words inside longer ones this can exceed the tokens generated)
    and the thought statistics of lessons_lib.thoughts (loops, mixing, readability, ...)

Every problem is asked in its own language, symbols or words (formats.ask: half of the problems
each), in the RL prompts and in the measurements; `thoughts["consistency"]` is the share of the
thoughts' steps written in the question's notation.

The held-out problems are fixed by `problem_seed` alone, so runs with different sampling seeds
(`seed`) are scored on the same problems. RL_STEP_COUNTS are the step counts (operations per
problem) of the RL prompts and of the measurements.
"""
from __future__ import annotations

import re
from collections import defaultdict

from .evaluation import generate
from .formats import ask, question_notation, question_text, r1_zero_prompt, short_prompt
from .rewards import accuracy_reward, format_reward
from .tasks import make_problems
from .thoughts import thought_stats

RL_STEP_COUNTS = (1, 2, 3, 4)  # step counts of the RL prompts (and of the measurements), as in lessons 1-2
MAX_NEW_TOKENS = 96  # room to spare for a 4-step thought in words and the answer
_LAST_NUMBER = re.compile(r"(\d+)\D*$")


def rl_dataset(n_per_step: int, steps=RL_STEP_COUNTS, split: str = "train", seed: int = 0):
    """A `datasets.Dataset` of R1-Zero prompts with the true `answer`, `steps` and `language` (the
    notation the question is asked in, formats.question_notation) as columns.

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


def save_run(model, tokenizer, log_history: list, snapshots: dict, folder, trained: bool):
    """Save a trained RL run (the model, trl's log and the snapshots) to `folder` and return it;
    with `trained=False` (the notebook loaded the shipped run) write nothing and return None, so a
    workshop that skips training never copies the shipped model into models/."""
    import json
    from pathlib import Path

    from .models import save

    if not trained:
        return None
    out = save(model, tokenizer, Path(folder))
    (out / "log_history.json").write_text(json.dumps(log_history))
    (out / "snapshots.json").write_text(json.dumps(snapshots))
    return out
