"""Lesson 6 over seeds: every run of `lessons_lib.lesson6_algorithms` (seven algorithms, three data runs) on
lesson 6's budget, each in a fresh process so its peak memory is its own.

    .venv/bin/python bench/rl_algorithms.py                     # seeds 0 1 2, 20 updates (about 25 min)
    .venv/bin/python bench/rl_algorithms.py --seeds 0 --runs PPO GRPO --updates 40

For each run and seed: the per-update log (reward, accuracy, length, entropy, zero-spread share,
completions sampled, seconds), seconds per update, completions sampled per second, the process's
peak memory (ru_maxrss) and the counted model and optimizer state, and the held-out counts of
`lesson6_algorithms.evaluate` (pass@1 and pass@64, by answer and by the path, at 1-4 and 5-8 steps).
Seed 0 also gets the course-wide table's row (`lesson4_recipe.table_row`, as notebook 04 measures its
models) for each algorithm: `table` in the JSON, rendered into the README's lesson-4 table.

Runs already in bench/rl_algorithms.json are kept unless this call repeats them (same run, seed,
updates). Notebook 06 runs seed 0 live and reads seeds 1 and 2 from this file.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
LOG_KEYS = ("step", "reward", "rewards/accuracy_reward/mean", "rewards/format_reward/mean", "entropy",
            "completions/mean_length", "frac_reward_zero_std", "completions", "seconds")


def one(name: str, seed: int, updates: int, table: bool) -> dict:
    """Train and measure one run in this process."""
    import dataclasses

    from lessons_lib import lesson6_algorithms as A
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.runtime import lifetime_peak_mb, quiet

    quiet()
    model, tok = load(CHECKPOINTS / "03_base")
    budget = dataclasses.replace(A.algorithm_budget(), updates=updates)
    run = A.train_run(name, model, tok, budget, seed=seed)
    peak = lifetime_peak_mb()
    counts = A.evaluate(model, tok, seed=seed)
    row = dict(run=name, seed=seed, updates=updates, seconds=run["seconds"],
               seconds_per_update=run["seconds"] / updates, completions_per_second=run["sampled"] / run["seconds"],
               sampled=run["sampled"], dynamic=run["dynamic"], peak_mb=peak,
               state_mb=A.state_megabytes(model, name), summary=A.summary(counts), counts=counts,
               log=[{k: r[k] for k in LOG_KEYS if k in r} for r in run["log"]], prompts=run["prompts"])
    if table and name in A.ALGORITHMS:
        from lessons_lib.lesson4_recipe import table_row

        row["table"] = table_row(model, tok, name, n_per_step=60, seed=0)
    return row


def main() -> None:
    from lessons_lib.lesson6_algorithms import RUNS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--updates", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--runs", nargs="+", default=list(RUNS))
    ap.add_argument("--no-table", action="store_true", help="skip the course-wide table's rows (seed 0)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child process: one run
    ap.add_argument("--out", type=Path, default=HERE / "rl_algorithms.json")
    args = ap.parse_args()
    unknown = [r for r in args.runs if r not in RUNS]
    if unknown:
        sys.exit(f"unknown run(s) {unknown}: choose from {list(RUNS)}")
    if args.one:
        print(json.dumps(one(args.runs[0], args.seeds[0], args.updates, not args.no_table)))
        return
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    rows = [r for r in old.get("rows", []) if "run" in r]  # rows of the first cut (no "run") are dropped
    for seed in args.seeds:
        for name in args.runs:
            cmd = [sys.executable, __file__, "--one", "--runs", name, "--seeds", str(seed),
                   "--updates", str(args.updates)] + (["--no-table"] if args.no_table or seed != 0 else [])
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{name}, seed {seed} failed:\n{done.stderr[-3000:]}")
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows = [r for r in rows if (r["run"], r["seed"], r["updates"]) != (name, seed, args.updates)]
            rows.append(row)
            s = row["summary"]
            print(f"seed {seed} {name:24s} {row['seconds_per_update']:.2f} s/update "
                  f"{row['completions_per_second']:.0f} completions/s  peak {row['peak_mb']:.0f} MB  "
                  f"pass@1 1-4 {s['pass@1 right 1-4']:.2f}  pass@64 path 5-8 {s['pass@64 path 5-8']:.2f}", flush=True)
            args.out.write_text(json.dumps(dict(rows=rows, machine=f"{platform.machine()}, {os.cpu_count()} cores",
                                                command="bench/rl_algorithms.py"), indent=None))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
