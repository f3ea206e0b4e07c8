"""What would keep the 5-6 step problems through lesson 4's cold start: three changes to stage 1 (and
one to stage 2), each measured against the lesson's own stage 1, over seeds.

    .venv/bin/python bench/keep_longer_seeds.py --seeds 0 1 2      # about 10 minutes on 2 cores

The base model solves 5-6 step problems when asked its own way (lesson 3: greedy 1.00 with
'problem: ...'), and R1-Zero solves most of them under the template; lesson 4's cold-start SFT
(150 updates of 32 at a learning rate of 1e-3 on about 580 kept 1-4 step samples: some 8 epochs)
loses most of it. Per seed, from the shipped R1-Zero (data/checkpoints/03_rl) and base:

    lesson         stage 1 as notebook 04 runs it: R1-Zero sampled on 1-4 step problems, SFT 150 updates
    fewer updates  the same kept samples, SFT for --few updates (about 1.6 epochs at 30)
    1-6 in data    R1-Zero sampled on 1-6 step problems (the same count per step), SFT 150 updates
    1-6 in RL      'lesson' then stage 2 (40 GRPO updates, the language reward at 0.5) on 1-6 step prompts

each measured on the same held-out problems of 1-6 steps (chain_rl.measure: greedy and sampled pass@1 per
step count, consistency). The seed sets the training problems, the sampling and the training.
Writes bench/keep_longer_seeds.json: {seeds: [{seed, arms: {arm: measured}, kept, seconds}],
summary: {arm: {'greedy 5-6', 'pass@1 5-6', 'pass@1 1-4', consistency: [per seed]}}, effect: {arm:
lesson4_recipe.seed_effect(arm, lesson) on pass@1 at 5-6 steps}, base_own_prompt_greedy (lesson 3's measure)}.
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
STEPS = (1, 2, 3, 4, 5, 6)


def measured(model, tok, n_per_step: int, seed: int) -> dict:
    from lessons_lib.worlds.chain_rl import measure

    m = measure(model, tok, n_per_step=n_per_step, steps=STEPS, samples=2, seed=seed)
    mean = lambda d, ss: sum(d[s] for s in ss) / len(ss)
    return {"greedy 5-6": mean(m["greedy_by_steps"], (5, 6)), "pass@1 5-6": mean(m["pass1_by_steps"], (5, 6)),
            "greedy 1-4": mean(m["greedy_by_steps"], (1, 2, 3, 4)),
            "pass@1 1-4": mean(m["pass1_by_steps"], (1, 2, 3, 4)),
            "consistency": m["thoughts"]["consistency"], "greedy_by_steps": m["greedy_by_steps"],
            "pass1_by_steps": m["pass1_by_steps"]}


def run_seed(seed: int, few: int, n_per_step: int) -> dict:
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.worlds.chain_rl import RL_STEP_COUNTS, rl_dataset, rejection_sample
    from lessons_lib.lesson4_recipe import reasoning_rewards, recipe_budget
    from lessons_lib.stages import rl_stage, sft_from_base
    from lessons_lib.worlds.chain import make_dataset
    import dataclasses

    b = recipe_budget()
    r1z, tok = load(CHECKPOINTS / "03_rl")
    arms, kept_n, seconds = {}, {}, {}

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        seconds[name] = time.perf_counter() - t0
        return out

    short = make_dataset(b.cold_start_problems_per_step, RL_STEP_COUNTS, "train", seed=seed + 1)
    kept, _ = timed("sample 1-4", lambda: rejection_sample(r1z, tok, short, b.samples, seed=seed))
    lesson, _, _ = timed("lesson", lambda: sft_from_base(kept, b.sft, seed=seed))
    arms["lesson"] = measured(lesson, tok, n_per_step, seed)
    fewer, _, _ = timed("fewer updates", lambda: sft_from_base(kept, dataclasses.replace(b, sft_updates=few).sft, seed=seed))
    arms[f"fewer updates ({few})"] = measured(fewer, tok, n_per_step, seed)
    longer = make_dataset(b.cold_start_problems_per_step, STEPS, "train", seed=seed + 1)
    kept6, _ = timed("sample 1-6", lambda: rejection_sample(r1z, tok, longer, b.samples, seed=seed))
    wide, _, _ = timed("1-6 in data", lambda: sft_from_base(kept6, b.sft, seed=seed))
    arms["1-6 in the cold-start data"] = measured(wide, tok, n_per_step, seed)
    rl = copy.deepcopy(lesson)
    funcs, weights = reasoning_rewards(b.language_weight)
    with tempfile.TemporaryDirectory(prefix="keep-longer-") as out:
        timed("1-6 in RL", lambda: rl_stage(rl, tok, rl_dataset(b.rl_problems_per_step, steps=STEPS, seed=seed),
                                            funcs, weights, b.reasoning_rl_updates, seed=seed, output_dir=out))
    arms["lesson, then RL on 1-6"] = measured(rl, tok, n_per_step, seed)
    kept_n = {"1-4": len(kept), "1-6": len(kept6)}
    for name, a in arms.items():
        print(f"seed {seed}: {name:28s} greedy 5-6 {a['greedy 5-6']:.2f}, pass@1 5-6 {a['pass@1 5-6']:.2f}, "
              f"pass@1 1-4 {a['pass@1 1-4']:.2f}, consistency {a['consistency']:.2f}", flush=True)
    return dict(seed=seed, arms=arms, kept=kept_n, seconds=seconds)


def main(argv=None) -> int:
    import seed_bench

    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.worlds.chain_rl import short_prompt_accuracy
    from lessons_lib.lesson4_recipe import seed_effect

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--few", type=int, default=30, help="SFT updates of the 'fewer updates' arm")
    ap.add_argument("--n-per-step", type=int, default=50, help="held-out problems per step count (1-6)")
    ap.add_argument("--out", type=Path, default=HERE / "keep_longer_seeds.json")
    args = ap.parse_args(argv)
    t0 = seed_bench.start()
    base, tok = load(CHECKPOINTS / "03_base")
    own = short_prompt_accuracy(base, tok, steps=STEPS, n_per_step=args.n_per_step)
    print("base, its own prompt, greedy by steps:", own, flush=True)
    rows = []
    for seed in args.seeds:
        rows.append(run_seed(seed, args.few, args.n_per_step))
        names = list(rows[0]["arms"])
        summary = {a: {key: [r["arms"][a][key] for r in rows] for key in
                       ("greedy 5-6", "pass@1 5-6", "pass@1 1-4", "consistency")} for a in names}
        lesson = summary["lesson"]["pass@1 5-6"]
        effect = {a: seed_effect(summary[a]["pass@1 5-6"], lesson) for a in names if a != "lesson"}
        out = seed_bench.write(args.out, t0, seeds=rows, summary=summary, effect_on_pass1_5_6=effect,
                               base_own_prompt_greedy=own,
                               settings=dict(few=args.few, n_per_step=args.n_per_step, steps=list(STEPS)))
    for a, e in out["effect_on_pass1_5_6"].items():
        seed_bench.print_effect(f"{a}: pass@1 at 5-6 minus the lesson's", e, digits=2)
    print(f"wrote {args.out} in {out['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
