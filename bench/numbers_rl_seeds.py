"""R1-Zero in the numbers game over seeds (lesson 3): GRPO from the base whose corpus holds
verification and backtracking, and from the base whose corpus does not, the same budget.

    .venv/bin/python bench/numbers_rl_seeds.py                 # seeds 0 1 2 -> bench/numbers_rl_seeds.json
    .venv/bin/python bench/numbers_rl_seeds.py --seeds 0 --wide 0 --out /tmp/n.json

For each seed and each base (data/checkpoints/03_numbers_base, 03_numbers_base_no_backtrack):

1. `lesson3_r1_zero.measure` on held-out problems of both levels (the seed's own problems, the same for
   both bases): pass@1, length, tries, checks, backtracks, give-ups, repeats, notation mixing,
   working off the question's notation, readability, completions cut at the cap;
2. GRPO through trl (`grpo.train_grpo`, lesson 3's budget: `lesson3_r1_zero.rl_budget()`) on level-3
   training problems, rewards `lesson3_r1_zero.REWARDS` weighted `REWARD_WEIGHTS` (the checker; the format
   validator logged at weight 0), the seed's data order and sampling;
   R1-Zero's curve off trl's log (`lesson3_r1_zero.curve`: the Spearman correlation of training reward
   and mean length over the run), seconds per update;
3. the same measurement of the RL model.

Then the effects over seeds (`lesson4_recipe.seed_effect`): pass@1 gained by RL from each base at the level
RL trains on (level 3; every level's figures are kept), and the
Gandhi et al. test: is the gain from the base without backtracking at most half the gain from the
base with it, on every seed. With `--wide N` (seed 0 only) both the backtracking base and its RL
model sample N held-out problems of levels 4 and 5 256 times each (level 3 is a ceiling by k = 16):
pass@k for k = 1..256, and whether the two curves cross. JSON is written after every seed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BASES = {"backtrack": "03_numbers_base", "no_backtrack": "03_numbers_base_no_backtrack"}
SUMMARY = ("pass1", "format_rate", "tokens", "cut", "tries", "checks", "backtracks", "give_up_rate",
           "repeats", "arithmetic", "verdicts", "mixed", "off_language", "readability")


def brief(measured: dict) -> dict:
    """The per-level figures worth keeping (no completions, no per-problem counts), rounded."""
    out = {}
    for level, m in measured.items():
        out[level] = {k: round(m[k], 4) for k in SUMMARY}
        out[level]["pass_at_k"] = {str(k): round(v, 4) for k, v in m["pass_at_k"].items()}
        out[level]["example"] = m["completions"][0]["text"]
    return out


def run(seed: int, n_per_level: int, samples: int) -> dict:
    from lessons_lib.grpo import train_grpo
    from lessons_lib.models import load
    from lessons_lib.lesson3_r1_zero import (
        RL_LEVELS, REWARD_WEIGHTS, REWARDS, curve, measure, rl_budget, rl_dataset,
    )
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.runtime import seed_everything

    budget = rl_budget()
    row = dict(seed=seed, budget=budget.__dict__)
    for arm, folder in BASES.items():
        t0 = time.perf_counter()
        model, tok = load(CHECKPOINTS / folder)
        kw = dict(n_per_level=n_per_level, samples=samples, seed=seed, problem_seed=seed,
                  max_new_tokens=budget.max_completion_length)
        before = measure(model, tok, **kw)
        seed_everything(seed)
        t1 = time.perf_counter()
        trainer = train_grpo(model, tok, rl_dataset(budget.train_problems_per_step_count, seed=seed),
                             list(REWARDS), budget, reward_weights=list(REWARD_WEIGHTS), seed=seed)
        rl_seconds = time.perf_counter() - t1
        after = measure(model, tok, **kw)
        c = curve(trainer.state.log_history)
        cut = [r["completions/clipped_ratio"] for r in trainer.state.log_history if "completions/clipped_ratio" in r]
        lv = RL_LEVELS[0]  # the headline figures: the level RL trains on (the others are in before/after)
        row[arm] = dict(
            before=brief(before), after=brief(after), level=lv,
            pass1_before=before[lv]["pass1"], pass1_after=after[lv]["pass1"],
            tokens_before=before[lv]["tokens"], tokens_after=after[lv]["tokens"],
            curve=c, train_cut_max=max(cut) if cut else None, train_cut_last=cut[-1] if cut else None,
            thought_log={k.split("/", 1)[1]: [r[k] for r in trainer.state.log_history if k in r]
                         for k in trainer.state.log_history[0] if k.startswith("thought/")},
            rl_seconds=rl_seconds, seconds_per_update=rl_seconds / budget.updates,
            seconds=time.perf_counter() - t0)
        print(f"seed {seed} {arm}: level {lv} pass@1 {row[arm]['pass1_before']:.3f} -> {row[arm]['pass1_after']:.3f}, "
              f"tokens {row[arm]['tokens_before']:.0f} -> {row[arm]['tokens_after']:.0f}, Spearman(reward, "
              f"length) {c['spearman']:.2f}, {rl_seconds:.0f} s of RL", flush=True)
        if arm == "backtrack":
            row["_model"] = (model, tok)
    return row


WIDE_LEVELS = ("4", "5")  # level 3 is a ceiling by k = 16 already (the base's card: pass@16 0.96-0.98)


def wide(model_pairs: dict, n: int) -> dict:
    """pass@k, k = 1..256, of each model on the same n held-out problems per level of WIDE_LEVELS
    (seed 0)."""
    from lessons_lib.lesson3_r1_zero import measure

    ks = (1, 2, 4, 8, 16, 32, 64, 128, 256)
    out = {}
    for name, (model, tok) in model_pairs.items():
        m = measure(model, tok, n_per_level=n, levels=WIDE_LEVELS, samples=256, seed=0, problem_seed=1000, ks=ks)
        out[name] = {lv: {str(k): round(v, 4) for k, v in x["pass_at_k"].items()} for lv, x in m.items()}
    crosses = {}
    for lv in out["base"]:
        diff = [out["rl"][lv][str(k)] - out["base"][lv][str(k)] for k in ks]
        crosses[lv] = dict(rl_ahead_at=[k for k, d in zip(ks, diff) if d > 0],
                           base_ahead_at=[k for k, d in zip(ks, diff) if d < 0],
                           cross=any(d > 0 for d in diff) and any(d < 0 for d in diff))
    return dict(problems_per_level=n, ks=list(ks), pass_at_k=out, crosses=crosses)


def main(argv=None) -> int:
    import seed_bench
    from targets import NUMBERS_BEHAVIOURS

    from lessons_lib.lesson4_recipe import seed_effect

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--problems", type=int, default=50, help="held-out problems per level")
    ap.add_argument("--samples", type=int, default=8, help="completions per held-out problem")
    ap.add_argument("--wide", type=int, default=20, help="problems per level for pass@256 (seed 0; 0 skips)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "numbers_rl_seeds.json"))
    args = ap.parse_args(argv)
    t0 = seed_bench.start()
    rows, extra = [], {}
    for seed in args.seeds:
        row = run(seed, args.problems, args.samples)
        model_tok = row.pop("_model")
        rows.append(row)
        if seed == 0 and args.wide:
            from lessons_lib.models import load
            from lessons_lib.paths import CHECKPOINTS

            extra["wide"] = wide({"base": load(CHECKPOINTS / BASES["backtrack"]), "rl": model_tok}, args.wide)
        gains = {arm: [r[arm]["pass1_after"] - r[arm]["pass1_before"] for r in rows] for arm in BASES}
        effects = {f"{arm}_gain": seed_effect([r[arm]["pass1_after"] for r in rows],
                                              [r[arm]["pass1_before"] for r in rows]) for arm in BASES}
        effects["behaviours_decide"] = dict(
            gains=gains, at_most_half_on_every_seed=all(
                NUMBERS_BEHAVIOURS.met(nb, b) for b, nb in zip(gains["backtrack"], gains["no_backtrack"])))
        effects["curve"] = dict(spearman={arm: [r[arm]["curve"]["spearman"] for r in rows] for arm in BASES})
        seed_bench.write(args.out, t0, seeds=rows, effects=effects, **extra)
    for arm in BASES:
        seed_bench.print_effect(f"pass@1 gained by RL from the {arm} base", effects[f"{arm}_gain"])
    print(f"gain without backtracking at most half the gain with it, every seed: "
          f"{effects['behaviours_decide']['at_most_half_on_every_seed']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
