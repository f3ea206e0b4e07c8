"""R1-Zero on the numbers game (lesson 3): the RL prompts, the rewards (with the thought's behaviours
logged at every update), the measurements before and after, and R1-Zero's curve read off a run.

The run is GRPO through trl (lessons_lib.grpo.train_grpo) from a base pretrained on the numbers
corpus (numbers_corpus), rewarded by rules only:

    accuracy        1.0 when the one <answer> block holds an expression that reaches the target
                    from the given numbers (numbers.check_expression), else 0.0; at every
                    update it also logs, through trl's `log_metric`, what the thoughts did:
                    thought/tries, thought/checks, thought/backtracks, thought/give_ups,
                    thought/repeats (means per completion), thought/mixed (share of thoughts
                    mixing the notations), thought/readability
    format          numbers.numbers_format_reward: <think>...</think><answer>expression</answer>,
                    logged at every update with weight 0 (REWARD_WEIGHTS)

`measure` samples held-out problems of each level (numbers_corpus.diagnose): pass@1, format, tokens,
completions cut at the cap, a step's arithmetic, a check's verdict, tries, checks, backtracks,
give-ups, repeats, notation mixing, working off the question's notation, readability, pass@k.
`curve` reads R1-Zero's curve off trl's log: reward and mean length per update, and the Spearman
correlation of the two over the run, per update (batch to batch, an easy batch is both rewarded
and short, which pulls it down) and over 5-update moving averages (the trend).
"""
from __future__ import annotations

import dataclasses


from .grpo import RLBudget
from .worlds.numbers import (
    LEVELS, make_problems, numbers_format_reward, numbers_reward, read_thought, readability, records, thought_of,
)

# RL trains where the base succeeds sometimes: level 3 (pass@1 about 0.37 at temperature 0.7); at
# level 4 most groups of 8 samples earn nothing, which gives GRPO no signal. Levels 4 and 5 are
# measured, never trained on.
RL_LEVELS = ("3",)
# The length cap of lesson 3's completions (RL and measurements). At 256 tokens a trial cut 17% of
# the base's level-3 searches (42% at level 4) and RL, with the format paid 0.1 too, shortened
# them; at 512 the base's cut share is at most 6% at any level (bench/numbers_rl_trials.json,
# trials 1 and 3).
MAX_NEW_TOKENS = 512
# Sampling temperature (RL and measurements). This base slips more at temperature 1 (a step's
# arithmetic 0.976 at level 3, against 0.989 at 0.7: its card), and RL reinforces the slips inside
# rewarded completions: a trial at 1.0 saw a step's arithmetic fall from 0.97 to 0.81 (trial 2).
TEMPERATURE = 0.7


def rl_budget() -> RLBudget:
    """Lesson 3's GRPO budget in the numbers game (its smoke variant when LESSONS_SMOKE=1).
    `train_problems_per_step_count` counts training problems per level here."""
    from .runtime import smoke

    # lr 1e-4: at 2e-4 a step's arithmetic fell from 0.99 to 0.48 in 40 updates (trial 4)
    b = RLBudget(updates=40, prompts_per_update=8, num_generations=8, lr=1e-4, temperature=TEMPERATURE,
                 max_completion_length=MAX_NEW_TOKENS, train_problems_per_step_count=300)
    return dataclasses.replace(b.smoke(), max_completion_length=48) if smoke() else b


def rl_dataset(n_per_level: int, levels=RL_LEVELS, split: str = "train", seed: int = 0):
    """A `datasets.Dataset` of R1-Zero prompts (numbers.records: prompt, numbers, target,
    language, ops), `n_per_level` problems of each level, shuffled (deterministic in `seed`)."""
    from datasets import Dataset

    if not levels:
        raise ValueError(f"levels is empty: give the levels of the RL prompts, e.g. {RL_LEVELS}")
    problems = [p for lv in levels for p in make_problems(n_per_level, lv, split, seed)]
    return Dataset.from_list(records(problems)).shuffle(seed=seed)


def behaviours(completions) -> dict[str, float]:
    """Means per completion of the thought's tries, checks, backtracks, give-ups and repeats, the
    share of thoughts that mix the two notations, and the mean readability."""
    texts = [thought_of(c) for c in completions]
    thoughts = [read_thought(t) for t in texts]
    n = max(1, len(thoughts))
    return dict(tries=sum(len(t.tries) for t in thoughts) / n,
                checks=sum(len(t.checks) for t in thoughts) / n,
                backtracks=sum(t.backtracks for t in thoughts) / n,
                give_ups=sum(t.gave_up for t in thoughts) / n,
                repeats=sum(t.repeats for t in thoughts) / n,
                mixed=sum(t.notation == "mixed" for t in thoughts) / n,
                readability=sum(readability(t) for t in texts) / n)


def accuracy(completions, numbers, target, log_metric=None, **kwargs) -> list[float]:
    """numbers.numbers_reward (trl's signature), logging the thoughts' behaviours of the batch
    through trl's `log_metric` when trl passes it (as 'thought/tries', ...)."""
    out = numbers_reward(completions, numbers, target)
    if log_metric is not None:
        for name, value in behaviours(completions).items():
            log_metric(f"thought/{name}", value)
    return out


def format(completions, **kwargs) -> list[float]:  # noqa: A001 (trl logs it as rewards/format)
    """numbers.numbers_format_reward, under the name trl logs it by."""
    return numbers_format_reward(completions)


# An update's 64 completions go through the loss pass in 8 micro-batches of 8 (grpo.grpo_config):
# the same gradient (the "dapo" loss divides by the tokens of the whole update). Completions here
# reach ~570 positions with the prompt; in 2 micro-batches of 32 the attention of the backward pass
# took notebook 03's kernel past 2 GB.
MICRO_BATCHES = 8
REWARDS = (accuracy, format)
# The format validator is logged, not paid: in a trial that paid it 0.1 (with a 256-token cap) RL
# learned to close the tags early, claiming a hit it had not checked, rather than search (trial 1).
REWARD_WEIGHTS = (1.0, 0.0)


def measure(model, tokenizer, n_per_level: int = 50, levels=tuple(LEVELS), samples: int = 8,
            temperature: float = TEMPERATURE, max_new_tokens: int = MAX_NEW_TOKENS, seed: int = 0,
            problem_seed: int = 0, split: str = "test", ks=(1, 4, 8, 16, 64, 256)) -> dict:
    """{level: numbers_corpus.diagnose's figures} on `n_per_level` held-out problems per level
    (fixed by `problem_seed` alone, so runs with other sampling seeds meet the same problems),
    `samples` completions each; 'completions' holds the first sample of every problem."""
    from .worlds.numbers_corpus import diagnose

    problems = {lv: make_problems(n_per_level, lv, split, problem_seed) for lv in levels}
    return diagnose(model, tokenizer, problems, samples=samples, max_new_tokens=max_new_tokens,
                    seed=seed, temperature=temperature, ks=ks, keep=True)


def spearman(xs, ys) -> float:
    """Spearman's rank correlation (ties share their mean rank): Pearson's on the ranks."""
    import pandas as pd

    xs, ys = list(xs), list(ys)
    if len(xs) != len(ys) or len(xs) < 3:
        raise ValueError(f"spearman needs two series of the same length, at least 3; got {len(xs)} "
                         f"and {len(ys)}")
    r = pd.Series(xs, dtype=float).rank().corr(pd.Series(ys, dtype=float).rank())
    return float(r) if r == r else 0.0  # a constant series has no correlation: 0, not NaN


def curve(log: list[dict], reward_key: str = "rewards/accuracy/mean",
          length_key: str = "completions/mean_length", window: int = 5) -> dict:
    """R1-Zero's curve off trl's log: per-update reward and mean length, their Spearman correlation
    over the run (per update, and over `window`-update moving averages), and their means over the
    first and last `window` updates."""
    rows = [r for r in log if reward_key in r and length_key in r]
    if len(rows) < 3:
        raise ValueError(f"the log has {len(rows)} update(s) with {reward_key!r} and {length_key!r}; "
                         "curve needs at least 3 (log every update: logging_steps=1)")
    reward = [r[reward_key] for r in rows]
    length = [r[length_key] for r in rows]
    w = max(1, min(window, len(rows) // 2))
    smooth = lambda xs: [sum(xs[i:i + w]) / w for i in range(len(xs) - w + 1)]  # noqa: E731
    return dict(reward=reward, length=length, spearman=spearman(reward, length),
                spearman_smoothed=spearman(smooth(reward), smooth(length)) if len(rows) - w + 1 >= 3 else None,
                reward_first=sum(reward[:w]) / w, reward_last=sum(reward[-w:]) / w,
                length_first=sum(length[:w]) / w, length_last=sum(length[-w:]) / w, window=w)
