"""Lesson 8's LoRA-against-full comparison over seeds: is the difference larger than the seed spread?

    .venv/bin/python bench/lora_seeds.py                 # seeds 0 1 2 -> bench/lora_seeds.json
    .venv/bin/python bench/lora_seeds.py --seeds 0 --updates 10

The same runs as notebook 08, section 3: lesson 3's GRPO (RLBudget) for `--updates` updates from the
Qwen2 stand-in of the base model (exactly lesson 3's base), once with LoRA adapters (r=16, alpha=32,
every linear layer, ten times the learning rate) and once in full, each seed with its own sampling
seed and the same held-out problems; then lesson 3's `measure`. Reports figures, exits 0.

Superseded for lesson 8 by bench/lesson8_seeds.py: notebook 08 no longer runs this toy-world GRPO
comparison; it compares LoRA with full fine-tuning on its word problems instead. This script and its
JSON stay as the record of the toy-world comparison.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(mode: str, seed: int, updates: int) -> dict:
    from lessons_lib.grpo import RLBudget, train_grpo
    from lessons_lib.lora import add_lora, lora_config, parameter_counts
    from lessons_lib.models import stand_in
    from lessons_lib.worlds.chain_rl import measure, rl_dataset
    from lessons_lib.rewards import accuracy_reward, format_reward
    from lessons_lib.runtime import seed_everything

    budget = dataclasses.replace(RLBudget(), updates=updates)
    lr = budget.lr * (10 if mode == "lora" else 1)
    model, tok, _ = stand_in("Qwen/Qwen2.5-0.5B-Instruct")
    if mode == "lora":
        model = add_lora(model, lora_config(r=16, alpha=32))
    seed_everything(seed)
    t0 = time.perf_counter()
    # both modes on trl's own path (model.generate, trl's loss pass): the course's speed-ups do not
    # run LoRA models, and the race must be on the same path
    train_grpo(model, tok, rl_dataset(budget.train_problems_per_step_count, seed=seed),
               [format_reward, accuracy_reward], dataclasses.replace(budget, lr=lr), seed=seed,
               fast_sampler=False, share_prefix=False)
    seconds = time.perf_counter() - t0
    after = measure(model, tok, n_per_step=25, samples=2, max_new_tokens=budget.max_completion_length,
                    seed=seed)
    return {"mode": mode, "seed": seed, "lr": lr, "trainable": parameter_counts(model)["trainable"],
            "s_per_update": round(seconds / updates, 3), "format_rate": after["format_rate"],
            "pass1": after["pass1"], "greedy_by_steps": after["greedy_by_steps"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--updates", type=int, default=30)
    ap.add_argument("--out", default=str(ROOT / "bench" / "lora_seeds.json"))
    args = ap.parse_args(argv)
    from lessons_lib.runtime import quiet

    quiet()
    rows = []
    for seed in args.seeds:
        for mode in ("full", "lora"):
            r = run(mode, seed, args.updates)
            rows.append(r)
            print(f"seed {seed} {mode:>4}: {r['s_per_update']:.2f} s/update, format {r['format_rate']:.2f}, "
                  f"pass@1 {r['pass1']:.2f}", flush=True)
    summary = {}
    for mode in ("full", "lora"):
        mine = [r for r in rows if r["mode"] == mode]
        summary[mode] = {k: {"mean": round(statistics.mean(r[k] for r in mine), 3),
                             "min": round(min(r[k] for r in mine), 3), "max": round(max(r[k] for r in mine), 3)}
                         for k in ("format_rate", "pass1", "s_per_update")}
    report = {"updates": args.updates, "seeds": args.seeds, "date": time.strftime("%Y-%m-%d"),
              "runs": rows, "summary": summary}
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    for mode, s in summary.items():
        print(f"{mode:>4}: " + ", ".join(f"{k} {v['mean']:.2f} ({v['min']:.2f}-{v['max']:.2f})" for k, v in s.items()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
