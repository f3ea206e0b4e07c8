"""Grade-school word problems in GSM8K's format: the hub's GSM8K, or the course's own offline set.

GSM8K (Cobbe et al. 2021, `openai/gsm8k` on the hub) has two columns: `question`, a short story
with numbers, and `answer`, a worked solution whose lines may carry calculator notes such as
`<<48/2=24>>` and whose last line is `#### 72`, the final answer. Lesson 8 trains on that format.

No hub here? `load_word_problems` says so and falls back to word problems made from the toy world:
each toy problem whose running value never leaves 0..99 becomes a story ("Ann has 37 apples. She
gets 8 more. ...") with a GSM8K-style worked answer. Same columns, same `####` line, so every cell
downstream runs unchanged; the train/test split is the toy world's (a hash of the problem), so no
story lands on both sides.
"""
from __future__ import annotations

import random
import re

from ..rewards import gsm8k_final
from .chain import MODULUS, Problem, split_of

GSM8K = "openai/gsm8k"
NAMES = ("Ann", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jun")
ITEMS = ("apples", "marbles", "stickers", "coins", "shells", "cards", "pencils", "books")
GAINS = ("gets {d} more", "finds {d} more", "buys {d} more", "is given {d} more")
LOSSES = ("gives {d} away", "loses {d}", "sells {d}", "uses {d}")
_CALC = re.compile(r"<<[^<>]*>>")
MAX_DRAWS = 20_000  # draws without a new problem before toy_word_problems says they are used up


def without_calculator_notes(answer: str) -> str:
    """A GSM8K solution without its `<<a*b=c>>` calculator notes (the text a reader sees)."""
    return _CALC.sub("", answer)


def stays_in_range(problem: Problem) -> bool:
    """True if no step wraps around 0..99: the story can then be told with ordinary arithmetic."""
    v = problem.start
    for op, d in problem.ops:
        v = v + d if op == "+" else v - d
        if not 0 <= v < MODULUS:
            return False
    return True


def story(problem: Problem, rng: random.Random) -> dict:
    """One toy problem as a GSM8K row: {'question', 'answer'} (the answer ends with '#### N')."""
    if not stays_in_range(problem):
        raise ValueError(f"{problem.question} wraps around 0..99, which a story cannot tell; "
                         "pick problems with stays_in_range(problem)")
    name, items = rng.choice(NAMES), rng.choice(ITEMS)
    sentences = [f"{name} has {problem.start} {items}."]
    lines, v = [], problem.start
    for op, d in problem.ops:
        w = v + d if op == "+" else v - d
        verb = rng.choice(GAINS if op == "+" else LOSSES).format(d=d)
        sentences.append(f"Then {name} {verb}.")
        lines.append(f"{v} {op} {d} = <<{v}{op}{d}={w}>>{w} {items}.")
        v = w
    sentences.append(f"How many {items} does {name} have now?")
    return {"question": " ".join(sentences),
            "answer": "\n".join(lines + [f"#### {problem.answer}"])}


def toy_word_problems(n: int, steps=(1, 2, 3), split: str = "train", seed: int = 0) -> list[dict]:
    """`n` distinct word problems from the toy world, spread evenly over `steps`, GSM8K's columns
    plus `steps`. Deterministic in (n, steps, split, seed)."""
    from .chain import _check_steps, random_problem

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    steps = list(steps)
    for s in steps:
        _check_steps(s)
    rng, rows, seen = random.Random(f"words-{seed}-{split}"), [], set()
    for i in range(n):
        s = steps[i % len(steps)]
        for _ in range(MAX_DRAWS):
            p = random_problem(rng, s)
            if p.question not in seen and stays_in_range(p) and split_of(p) == split:
                break
        else:  # the distinct stories of `s` steps are used up (1 step: about 850 per split)
            made = sum(1 for q in seen if q.count("+") + q.count("-") == s)
            raise ValueError(f"asked for {n} distinct word problems over steps {steps}, but {MAX_DRAWS:,} "
                             f"draws found no new {s}-step problem in the {split} split after {made}: "
                             "there are not that many. Ask for fewer, or give more step counts.")
        seen.add(p.question)
        rows.append(dict(story(p, rng), steps=s))
    return rows


def load_word_problems(source: str = GSM8K, split: str = "train", n: int | None = None,
                       seed: int = 0, verbose: bool = True, fallback: bool = True):
    """(dataset, where): word problems in GSM8K's columns as a `datasets.Dataset`.

    `source` is a hub dataset (default GSM8K, config 'main'), a local JSON-lines file with
    'question' and 'answer', or 'toy' for the course's offline set. A hub dataset that cannot be
    loaded (no network, no cache) falls back to the toy set, and `where` says so: read it. With
    `fallback=False` it raises instead (a recipe meant for GSM8K should not train on toys silently).
    """
    from pathlib import Path

    from datasets import Dataset, load_dataset

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ValueError(f"n must be a positive int or None (all rows), got {n!r}")
    if source == "toy":
        rows = toy_word_problems(n or 1000, split=split, seed=seed)
        return Dataset.from_list(rows), "toy word problems (generated offline from the toy world)"
    if source.endswith((".json", ".jsonl")) and not Path(source).is_file():
        raise ValueError(f"no file {source!r}: a local dataset is a JSON-lines file with 'question' "
                         "and 'answer' on each line")
    if Path(source).is_file():
        ds = load_dataset("json", data_files=str(source), split="train")
        where = f"local file {source}"
    else:
        from huggingface_hub import constants

        from ..models import _hub_unreachable

        # Ask the hub once, with a short timeout, before `datasets` retries for half a minute.
        why = None if constants.HF_HUB_OFFLINE else _hub_unreachable()
        try:
            if why:
                raise ConnectionError(f"the hub cannot be reached: {why}; with HF_HUB_OFFLINE=1 "
                                      "a copy in the local cache is used")
            ds = load_dataset(source, "main" if source == GSM8K else None, split=split)
            where = f"{source} ({split}) from the hub or its cache"
        except Exception as e:  # offline, not cached, a wrong name: say which, then fall back
            first = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
            if not fallback:
                raise RuntimeError(
                    f"could not load the dataset {source!r} ({type(e).__name__}: {first}). Run where "
                    "the hub is reachable once (it is cached then), point to a local JSON-lines "
                    "file with 'question' and 'answer', or use 'toy' for the course's offline "
                    "word problems.") from None
            if verbose:
                print(f"could not load {source!r} ({type(e).__name__}: {first}). Using the "
                      "course's offline word problems in GSM8K's format instead.")
            ds, where = load_word_problems("toy", split, n, seed, verbose=False)
            return ds, where + f"; {source} could not be loaded"
    missing = {"question", "answer"} - set(ds.column_names)
    if missing:
        raise ValueError(f"{source} has the columns {ds.column_names}; word problems need "
                         f"'question' and 'answer' (GSM8K's format, the answer ending '#### N')")
    if n is not None:
        ds = ds.shuffle(seed=seed).select(range(min(n, len(ds))))
    return ds, where


def final_answer(row: dict) -> str:
    """The final answer of a row (the text after '####' in its solution)."""
    final = gsm8k_final(row["answer"])
    if final is None:
        raise ValueError(f"this solution has no '#### N' line: {row['answer'][-80:]!r}")
    return final


def r1_sft_record(row: dict) -> dict:
    """{'prompt', 'completion'} in R1-Zero's template: the worked solution as the thought (without
    calculator notes and the '####' line), the final answer in the answer tags."""
    from ..formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, r1_zero_prompt

    lines = [line for line in without_calculator_notes(row["answer"]).strip().splitlines()
             if "####" not in line]
    return {"prompt": r1_zero_prompt(row["question"]),
            "completion": f"{THINK_OPEN} {' '.join(lines)} {THINK_CLOSE} "
                          f"{ANSWER_OPEN}{final_answer(row)}{ANSWER_CLOSE}"}


def r1_rl_row(row: dict) -> dict:
    """{'prompt', 'answer'} for GRPO: R1-Zero's template around the question; the final answer."""
    from ..formats import r1_zero_prompt

    return {"prompt": r1_zero_prompt(row["question"]), "answer": final_answer(row)}
