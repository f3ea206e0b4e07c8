"""The combined recipe (lesson 4): DeepSeek-R1's stages on the toy world, and the course's model table.

    stage 0    R1-Zero (lesson 3's model), used as a data generator
    stage 1    cold start: rejection-sample R1-Zero, keep what is right, well formed and readable,
               SFT the *base* model on it
    stage 2    reasoning RL from stage 1, with a language-consistency reward (chain_thoughts.language_reward)
    stage 2.5  rejection-sample stage 2, mix in general requests (lessons_lib.worlds.general)
    stage 3    a second SFT, from the base again, on that mix
    stage 4    a final RL round over reasoning and general prompts together

What lives here is what the stages share: the rejection filter (`rejection_reason`, with checks that
can be switched off to see what each one rejects), the sampling loop around it (`rejection_sample`),
the mixed RL dataset and its rewards, and the measurements of one row of the course-wide table
(`table_row`, `print_table`). The stages themselves are a few calls each in notebook 04.
"""
from __future__ import annotations

import dataclasses
import random

from .formats import r1_zero_prompt
from .sft import SFTSettings


def mix(reasoning: list[dict], general: list[dict], seed: int = 0) -> list[dict]:
    """Reasoning and general records in one shuffled list (the caller chooses their share)."""
    rows = [dict(r, kind="reasoning") for r in reasoning] + list(general)
    random.Random(f"mix-{seed}").shuffle(rows)
    return rows


def mixed_dataset(n_reasoning_per_step: int, n_general: int, seed: int = 0):
    """Stage 4's RL prompts: lesson 3's reasoning prompts and general requests in one
    `datasets.Dataset`, with the columns every reward reads: `task` ('reasoning' or 'general'),
    `answer` and `language` (None for general rows), `target` (None for reasoning rows)."""
    from datasets import Dataset

    from .worlds.chain_rl import rl_dataset
    from .worlds.general import requests

    rows = [dict(r, task="reasoning", target=None) for r in rl_dataset(n_reasoning_per_step, seed=seed)]
    rows += [dict(prompt=r1_zero_prompt(r["question"]), answer=None, steps=0, language=None,
                  task="general", target=r["target"]) for r in requests(n_general, "train", seed)]
    return Dataset.from_list(rows).shuffle(seed=seed)


def reasoning_only(fn):
    """`fn`, a reasoning reward, scoring only rows whose `task` is 'reasoning' (None elsewhere: trl
    leaves a None out of the weighted sum), so a general request earns nothing for, say, an
    integer answer. Keeps fn's name for trl's logs."""
    def reward(completions, task, **kwargs):
        scores = fn(completions, **kwargs)
        return [s if t == "reasoning" else None for s, t in zip(scores, task)]

    reward.__name__ = getattr(fn, "__name__", "reward")
    return reward


# --- the stages' budget and the two kinds of training they repeat ----------------------------------

@dataclasses.dataclass(frozen=True)
class RecipeBudget:
    """The budget of lesson 4's stages (notebook 04 and bench/recipe_seeds.py use the defaults).

    cold_start_problems_per_step     training problems per step count (1-4) R1-Zero is sampled on
    samples                          completions sampled per problem, at temperature 1
    sft_updates, sft_batch_size, sft_lr   each SFT stage (1 and 3), from the base model
    reasoning_rl_updates             stage 2's GRPO updates (lesson 3's other settings)
    language_weight                  the language reward's weight (accuracy 1.0, format 0.5)
    second_round_problems_per_step   training problems per step count stage 2 is sampled on
    general_share                    share of general requests in stage 3's SFT mix
    final_rl_updates                 stage 4's GRPO updates
    final_general_prompts            general requests among stage 4's prompts (with 4 x
                                     rl_problems_per_step reasoning prompts)
    rl_problems_per_step             reasoning prompts per step count in the RL datasets
    """

    cold_start_problems_per_step: int = 150
    samples: int = 4
    sft_updates: int = 150
    sft_batch_size: int = 32
    sft_lr: float = 1e-3
    reasoning_rl_updates: int = 40
    language_weight: float = 0.5
    second_round_problems_per_step: int = 150
    general_share: float = 0.25
    final_rl_updates: int = 40
    final_general_prompts: int = 400
    rl_problems_per_step: int = 400

    def __post_init__(self):
        from .runtime import require_int, require_lr, require_updates
        from .sft import MAX_SFT_UPDATES

        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.type == "int":
                require_int(v, f"RecipeBudget.{f.name}")
        require_updates(self.sft_updates, MAX_SFT_UPDATES, name="RecipeBudget.sft_updates")
        require_lr(self.sft_lr, example="1e-3")
        w = self.language_weight
        if not isinstance(w, (int, float)) or isinstance(w, bool) or not 0 <= w < 100:
            raise ValueError(f"RecipeBudget.language_weight must be a number from 0 (no language "
                             f"reward) to 100, got {w!r}")
        g = self.general_share
        if not isinstance(g, (int, float)) or isinstance(g, bool) or not 0 <= g < 1:
            raise ValueError(f"RecipeBudget.general_share must be a share from 0 to below 1, got {g!r}")

    @property
    def sft(self) -> SFTSettings:
        """The SFT stages' settings (stages.sft_from_base reads them)."""
        return SFTSettings(self.sft_updates, self.sft_batch_size, self.sft_lr)

    def smoke(self) -> RecipeBudget:
        return dataclasses.replace(self, cold_start_problems_per_step=4, samples=2, sft_updates=3,
                                   sft_batch_size=4, reasoning_rl_updates=2,
                                   second_round_problems_per_step=4, final_rl_updates=2,
                                   final_general_prompts=8, rl_problems_per_step=8)


def recipe_budget() -> RecipeBudget:
    """Lesson 4's budget (its smoke variant when LESSONS_SMOKE=1)."""
    from .runtime import for_mode

    return for_mode(RecipeBudget())


def reasoning_rewards(language_weight: float):
    """(reward functions, weights) of stage 2: accuracy 1.0, format 0.5 (lesson 3's) and the
    language-consistency reward at `language_weight` (at 0 it changes nothing, and trl still logs
    it: the run without it shows its consistency on the same plot)."""
    from .rewards import accuracy_reward, format_reward
    from .worlds.chain_thoughts import language_reward

    return [accuracy_reward, format_reward, language_reward], [1.0, 0.5, float(language_weight)]


def final_rewards(language_weight: float):
    """(reward functions, weights) of stage 4: the reasoning rewards on reasoning rows only, and
    general_reward (weight 1.5, a reasoning row's most: right and well formed) on general rows."""
    from .worlds.general import general_reward

    funcs, weights = reasoning_rewards(language_weight)
    return [reasoning_only(f) for f in funcs] + [general_reward], weights + [1.5]


# --- the course-wide table -----------------------------------------------------------------------

TABLE_STEPS = (1, 2, 3, 4, 5, 6)  # 1-4 trained everywhere in the course; 5-6 beyond


def table_row(model, tokenizer, name: str, prompt_fn=r1_zero_prompt, n_per_step: int = 100,
              samples: int = 2, seed: int = 0, n_general: int = 100) -> dict:
    """One row of the course-wide table: `model` measured on held-out problems of 1-6 steps (each
    asked in its own language) and held-out general requests, with its own prompt (`prompt_fn`)."""
    from .worlds.chain_rl import measure
    from .worlds.general import general_score

    m = measure(model, tokenizer, n_per_step=n_per_step, steps=TABLE_STEPS, samples=samples,
                seed=seed, prompt_fn=prompt_fn)
    g = general_score(model, tokenizer, n=n_general, seed=seed, prompt_fn=prompt_fn)
    return dict(model=name, greedy_by_steps=m["greedy_by_steps"], pass1_by_steps=m["pass1_by_steps"],
                format_rate=m["format_rate"], consistency=m["thoughts"]["consistency"],
                consistency_by_language=m["consistency_by_language"],
                readability=m["thoughts"]["readability"], mixed=m["thoughts"]["mixed"],
                loops=m["thoughts"]["loops"], tokens=m["tokens"],
                tokens_by_steps=m["tokens_by_steps"], general=g["score"],
                general_by_kind=g["by_kind"], n_per_step=n_per_step, samples=samples)


def steps_mean(d: dict, steps) -> float:
    """The mean of a {step count: value} dict over `steps` (keys ints, or strings from JSON)."""
    vals = [d[s] if s in d else d[str(s)] for s in steps]
    return sum(vals) / len(vals)


COLUMNS = (("greedy 1-4", lambda r: steps_mean(r["greedy_by_steps"], (1, 2, 3, 4))),
           ("greedy 5-6", lambda r: steps_mean(r["greedy_by_steps"], (5, 6))),
           ("pass@1 1-4", lambda r: steps_mean(r["pass1_by_steps"], (1, 2, 3, 4))),
           ("pass@1 5-6", lambda r: steps_mean(r["pass1_by_steps"], (5, 6))),
           ("format", lambda r: r["format_rate"]),
           ("consistent", lambda r: r["consistency"]),
           ("readable", lambda r: r["readability"]),
           ("tokens", lambda r: r["tokens"]),
           ("general", lambda r: r["general"]))


def table_text(rows: list[dict]) -> str:
    """The rows as a fixed-width text table (notebooks print it; the README renders its own)."""
    width = max(len(r["model"]) for r in rows) + 2
    head = "".join(f"{name:>11s}" for name, _ in COLUMNS)
    lines = [f"{'':{width}s}{head}"]
    for r in rows:
        cells = "".join(f"{fn(r):11.1f}" if name == "tokens" else f"{fn(r):11.2f}"
                        for name, fn in COLUMNS)
        lines.append(f"{r['model']:{width}s}{cells}")
    return "\n".join(lines)


def first_reaching(values: list[float], level: float, window: int = 10) -> int | None:
    """The first update (1-based) at which the `window`-update moving average of `values` reaches
    `level`, or None if it never does."""
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1):i + 1]
        if sum(chunk) / len(chunk) >= level:
            return i + 1
    return None


def seed_effect(treated: list[float], control: list[float]) -> dict:
    """An effect measured on several seeds, against the seed-to-seed spread.

    `treated[i]` and `control[i]` are one figure (say, consistency) of the two arms of seed i (the
    same seed: same prompts, same sampling). Returns the per-seed differences treated - control,
    their mean, `spread` (the larger of the two arms' ranges over seeds: how far a figure moves
    when only the seed changes) and `exceeds`: True when every seed's difference has the same sign
    and the mean difference is larger than the spread. With one seed there is no spread to beat,
    and `exceeds` is False."""
    if len(treated) != len(control) or not treated:
        raise ValueError(f"need one value per seed in each arm, got {len(treated)} and {len(control)}")
    diffs = [t - c for t, c in zip(treated, control)]
    mean = sum(diffs) / len(diffs)
    spread = max(max(treated) - min(treated), max(control) - min(control))
    same_sign = all(d > 0 for d in diffs) or all(d < 0 for d in diffs)
    return dict(diffs=diffs, mean=mean, spread=spread, seeds=len(diffs),
                exceeds=len(diffs) > 1 and same_sign and abs(mean) > spread)
