"""Lesson 5 over seeds: the crossover and the distillation result for seeds 0, 1 and 2 (about 5
minutes a seed on 2 cores), and the course-wide table's pass@256 and maj@256 columns (2 minutes).

    .venv/bin/python bench/boundary_seeds.py                          # seeds 0 1 2, and the table
    .venv/bin/python bench/boundary_seeds.py --r1-zero models/r1z     # each seed's own R1-Zero
                                                                      # (bench/rl_seeds.py --save)

For each seed, as notebook 05 does it with `lesson5_boundary.distill_budget()`: sample every model of
`lesson5_boundary.course_models()` (R1-Zero from DIR/seed<N> when --r1-zero is given, else the shipped
one), train the teacher, sample its traces, SFT the student from the base, run GRPO from R1-Zero
on the teacher's prompts, sample those two, and read `lesson5_boundary.findings` and `lesson5_boundary.claims`.
The seed sets the held-out problems, the sampling and the training. Claims the toy world does not
reproduce are reported as such; the script never exits 1 for them.

The table (`--table`, on by default; seed 0's problems): pass@256 by the path and maj@256 over 1-8
steps for every model of lesson 4's course-wide table, asked as lesson 4 asks it (lessons 1-2's
models with their own prompt). Writes bench/boundary_seeds.json: {seeds: [...], table: {...}}.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
N_PER_STEP = 2  # held-out problems per step count (1-8): notebook 05's


def run_seed(seed: int, r1_zero: Path | None) -> dict:
    from lessons_lib import lesson5_boundary as B
    from lessons_lib.models import load
    from lessons_lib.stages import sft_from_base

    t0 = time.perf_counter()
    budget = B.distill_budget()
    lineup = B.course_models()
    if r1_zero is not None:
        model, tok = load(r1_zero / f"seed{seed}")
        lineup[B.R1_ZERO] = (model, tok, *lineup[B.R1_ZERO][2:])
    held_out = B.problems(N_PER_STEP, seed=seed)
    counts, seconds = B.sample_all(lineup, held_out, seed=seed)
    train, t = {}, time.perf_counter()
    teacher, tok, _ = B.train_teacher(budget, seed=seed)
    train["teacher"], t = time.perf_counter() - t, time.perf_counter()
    kept, stats = B.teacher_traces(teacher, tok, budget, seed=seed)
    train["traces"], t = time.perf_counter() - t, time.perf_counter()
    student, _, _ = sft_from_base(kept, budget.sft, seed=seed)
    train["student"], t = time.perf_counter() - t, time.perf_counter()
    rl = copy.deepcopy(lineup[B.R1_ZERO][0])
    B.rl_on_prompts(rl, tok, budget, seed=seed)
    train["rl"] = time.perf_counter() - t
    print("training seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in train.items()), flush=True)
    more, more_s = B.sample_all({B.STUDENT: (student, tok, *lineup[B.R1_ZERO][2:]),
                                 B.RL_SAME: (rl, tok, *lineup[B.R1_ZERO][2:])}, held_out, seed=seed)
    counts.update(more)
    seconds.update(more_s)
    f = B.findings(counts)
    return dict(seed=seed, r1_zero=str(r1_zero / f"seed{seed}") if r1_zero else "data/checkpoints/03_rl",
                findings=f, claims=B.claims(f), curves=B.curves(counts), traces=stats,
                sample_seconds=seconds, train_seconds=train,
                seconds=time.perf_counter() - t0)


def table() -> dict:
    """{model: {'pass@256 (path)': ..., 'maj@256': ...}} over 1-8 steps, seed 0's problems."""
    from lessons_lib import lesson5_boundary as B
    from lessons_lib.formats import r1_zero_prompt, sft_prompt
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS

    folders = {"answer-only SFT (1)": "01_answer_only", "CoT SFT (2)": "02_cot_sft", "base (3)": "03_base",
               "R1-Zero (3)": "03_rl", "stage 1: cold-start SFT": "04_cold_start",
               "stage 2: reasoning RL": "04_reasoning_rl", "stage 2 without language reward": "04_no_language",
               "stage 3: second SFT": "04_second_sft", "stage 4: final RL": "04_final"}
    lineup = {}
    for name, folder in folders.items():
        model, tok = load(CHECKPOINTS / folder)
        lineup[name] = (model, tok, sft_prompt if folder < "03" else r1_zero_prompt, "tagged")
    counts, _ = B.sample_all(lineup, B.problems(N_PER_STEP, seed=0), seed=0)
    return {name: {f"pass@{B.K_MAX} (path)": B.pass_curve(cs, (B.K_MAX,), "path")[B.K_MAX],
                   f"maj@{B.K_MAX}": B.maj_curve(cs, (B.K_MAX,))[B.K_MAX],
                   "pass@1": B.pass_curve(cs, (1,))[1]}
            for name, cs in counts.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--r1-zero", type=Path, default=None,
                    help="folder with seed<N>/ models from bench/rl_seeds.py --save")
    ap.add_argument("--no-table", action="store_true", help="skip the course-wide table's columns")
    ap.add_argument("--out", type=Path, default=HERE / "boundary_seeds.json")
    args = ap.parse_args()
    if args.r1_zero is not None:
        missing = [s for s in args.seeds if not (args.r1_zero / f"seed{s}" / "config.json").exists()]
        if missing:
            sys.exit(f"--r1-zero {args.r1_zero}: no seed{missing[0]}/config.json there; make them with "
                     f"`bench/rl_seeds.py --save {args.r1_zero}`, or leave --r1-zero out")
    from lessons_lib.runtime import quiet

    quiet()
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    out = dict(seeds=[], table=old.get("table"), n_per_step=N_PER_STEP,
               machine=f"{platform.machine()}, {os.cpu_count()} cores")
    for seed in args.seeds:
        row = run_seed(seed, args.r1_zero)
        out["seeds"].append(row)
        print(f"seed {seed}: {row['seconds']:.0f} s")
        for c in row["claims"]:
            print(f"  [{c['status']}] {c['claim']}: {c['figures']}")
        args.out.write_text(json.dumps(out, indent=1))
    if not args.no_table:
        out["table"] = table()
        args.out.write_text(json.dumps(out, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
