"""Lesson 4's language-consistency reward where it can act: stage 2 (reasoning RL) run from R1-Zero,
whose thoughts are in the question's notation only about two thirds of the time, with and without
the reward, over seeds.

    .venv/bin/python bench/language_reward_seeds.py --seeds 0 1 2      # about 10 minutes on 2 cores (80 updates a run)

Why from R1-Zero. In notebook 04, stage 2 starts from the cold-start model, whose completions are
all consistent already (consistency 1.00): every completion of a GRPO group then earns the same
language reward, GRPO's advantage (reward minus the group's mean) is blind to it, and the reward
cannot change anything. From R1-Zero the completions of one prompt differ in notation, so the
reward separates them.

For each seed: R1-Zero (data/checkpoints/03_rl, or --start) measured on held-out problems ("before"),
then two GRPO runs from copies of it on the same prompts with the same seed, lesson 3's settings
and `--updates` updates: accuracy 1.0 + format 0.5 + the language reward at `--weight` ("with"),
and at weight 0 ("without": trl still logs it), each measured on the same held-out problems
("after"). The seed sets the RL prompts, the sampling and the training; the held-out problems are
the same for every seed (n_per_step per step count, 1-4 steps, each asked in its own language),
sampled `samples` times each at temperature 1 (sampling seed = the seed).

Writes bench/language_reward_seeds.json: {seeds: [{seed, before, arms: {with, without: {after,
train (first/last 10 updates' mean language and accuracy reward), seconds}}}], effect: {consistency,
pass1: lesson4_recipe.seed_effect(with, without) on the after values}, settings, machine}.
Measured figures per model: consistency (chain_thoughts.thought_stats, the share of a thought's steps in
the question's notation), consistency_by_language, pass@1 (sampled, 1-4 steps), greedy accuracy,
format rate, tokens.
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
STEPS = (1, 2, 3, 4)


def measured(model, tok, n_per_step: int, samples: int, seed: int) -> dict:
    from lessons_lib.worlds.chain_rl import measure

    m = measure(model, tok, n_per_step=n_per_step, steps=STEPS, samples=samples, seed=seed)
    return dict(consistency=m["thoughts"]["consistency"], consistency_by_language=m["consistency_by_language"],
                pass1=m["pass1"], pass1_by_steps=m["pass1_by_steps"],
                greedy=sum(m["greedy_by_steps"].values()) / len(m["greedy_by_steps"]),
                format_rate=m["format_rate"], tokens=m["tokens"], problems=n_per_step * len(STEPS),
                samples=samples)


def series(log: list[dict], key: str) -> list[float]:
    return [r[key] for r in log if key in r]


def run_seed(seed: int, start: Path, updates: int, weight: float, n_per_step: int, samples: int) -> dict:
    from lessons_lib.models import load
    from lessons_lib.worlds.chain_rl import rl_dataset
    from lessons_lib.lesson4_recipe import reasoning_rewards, recipe_budget
    from lessons_lib.stages import rl_stage

    b = recipe_budget()
    r1z, tok = load(start)
    t0 = time.perf_counter()
    before = measured(r1z, tok, n_per_step, samples, seed)
    print(f"seed {seed}: before: consistency {before['consistency']:.3f}, pass@1 {before['pass1']:.3f} "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    arms = {}
    for arm, w in (("with", weight), ("without", 0.0)):
        t0 = time.perf_counter()
        m = copy.deepcopy(r1z)
        funcs, weights = reasoning_rewards(w)
        with tempfile.TemporaryDirectory(prefix="language-reward-") as out:
            tr = rl_stage(m, tok, rl_dataset(b.rl_problems_per_step, seed=seed), funcs, weights, updates,
                          seed=seed, output_dir=out)
        train_s = time.perf_counter() - t0
        log = tr.state.log_history
        lang = series(log, "rewards/language_reward/mean")
        acc = series(log, "rewards/accuracy_reward/mean")
        head = lambda xs: sum(xs[:10]) / max(1, len(xs[:10]))
        tail = lambda xs: sum(xs[-10:]) / max(1, len(xs[-10:]))
        after = measured(m, tok, n_per_step, samples, seed)
        arms[arm] = dict(weight=w, after=after, seconds=dict(train=train_s, total=time.perf_counter() - t0),
                         train=dict(language_first10=head(lang), language_last10=tail(lang),
                                    accuracy_first10=head(acc), accuracy_last10=tail(acc),
                                    language_series=lang, accuracy_series=acc))
        print(f"seed {seed}: {arm:7s} (weight {w}): consistency {after['consistency']:.3f}, pass@1 "
              f"{after['pass1']:.3f}; train language reward {head(lang):.2f} -> {tail(lang):.2f} "
              f"({train_s:.0f} s training)", flush=True)
    return dict(seed=seed, before=before, arms=arms)


def summary(rows: list[dict]) -> dict:
    from lessons_lib.lesson4_recipe import seed_effect

    out = {}
    for key in ("consistency", "pass1"):
        w = [r["arms"]["with"]["after"][key] for r in rows]
        wo = [r["arms"]["without"]["after"][key] for r in rows]
        out[key] = dict(seed_effect(w, wo), **{"with": w}, without=wo,
                        before=[r["before"][key] for r in rows])
    return out


def main(argv=None) -> int:
    import seed_bench

    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.lesson4_recipe import recipe_budget

    b = recipe_budget()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--start", type=Path, default=CHECKPOINTS / "03_rl", help="the R1-Zero model RL starts from")
    ap.add_argument("--updates", type=int, default=80, help="GRPO updates per run (notebook 04's stage 2: 40)")
    ap.add_argument("--weight", type=float, default=b.language_weight, help="the language reward's weight")
    ap.add_argument("--n-per-step", type=int, default=100, help="held-out problems per step count (1-4)")
    ap.add_argument("--samples", type=int, default=2, help="samples per held-out problem")
    ap.add_argument("--out", type=Path, default=HERE / "language_reward_seeds.json")
    args = ap.parse_args(argv)
    t0 = seed_bench.start()
    rows = []
    settings = dict(start=str(args.start.relative_to(CHECKPOINTS.parent.parent)) if args.start.is_relative_to(
        CHECKPOINTS.parent.parent) else str(args.start), updates=args.updates, weight=args.weight,
        n_per_step=args.n_per_step, steps=list(STEPS), samples=args.samples,
        rl_problems_per_step=b.rl_problems_per_step)
    for seed in args.seeds:
        rows.append(run_seed(seed, args.start, args.updates, args.weight, args.n_per_step, args.samples))
        out = seed_bench.write(args.out, t0, seeds=rows, effect=summary(rows), settings=settings)
    for key, e in out["effect"].items():
        seed_bench.print_effect(f"{key}: with - without", e)
    print(f"wrote {args.out} in {out['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
