"""Lesson 5's claims on enough problems for an interval to mean something: pass@k and maj@k of the
shipped models on at least 20 held-out problems per step group, for seeds 0, 1 and 2.

    .venv/bin/python bench/pass_at_k_seeds.py --seeds 0 1 2     # about 16 minutes on 2 idle cores
    .venv/bin/python bench/pass_at_k_seeds.py --n 128            # half the samples: about 8 minutes
    .venv/bin/python bench/pass_at_k_seeds.py --n 64             # k up to 64: about 4 minutes

Notebook 05 samples 2 problems per step count: 8 per step group, where every curve sits at 1.00 or
0.50 from k = 64 and a bootstrap over problems says little. This script samples, per seed:

    1-4 steps (5 per step count, 20)   every model of the course trained on these lengths
    5-6 steps (10 per step count, 20)  beyond training, within the base model's corpus (1-6)
    7-8 steps (10 per step count, 20)  beyond the corpus too

and n = 256 completions per problem (k up to 256), each problem asked in its own language. The models
(all shipped, trained with seed 0; the seed here sets the held-out problems and the sampling):

    base, its own prompt / base, template, R1-Zero (3)     Yue et al.: a base model, RL from it
    second SFT (4) and combined recipe (4), RL from it     DeepSeek-Math: an SFT model, RL from it
    student (5), RL on the teacher's prompts (5)           distillation (7-8 steps only)

Each model is sampled on the groups its comparison needs: the first three on all, the SFT pair on
1-4 and 5-6, the distillation pair on 7-8. `lesson5_boundary.findings(groups=GROUPS)` and `lesson5_boundary.claims`
read the counts (a ceiling or a floor is tagged as such, a crossover needs the base above RL beyond
the interval, maj@k is read under both vote rules). Over seeds, a claim is reproduced only if every
seed reproduces it.

Writes bench/pass_at_k_seeds.json ({seeds: [{seed, findings, claims, curves, sample_seconds}],
over_seeds: {claim: {statuses, status}}, settings, machine}) and bench/pass_at_k_counts.json (every
model's per-problem counts per seed, compact, so the figures can be recomputed without sampling:
`--from-counts` does that, after a change to how lesson5_boundary.findings or lesson5_boundary.claims read them).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
GROUPS = {"1-4": (1, 2, 3, 4), "5-6": (5, 6), "7-8": (7, 8)}
PER_STEP = {"1-4": 5, "5-6": 10, "7-8": 10}  # 20 problems per group


def lineup(device: str = "cpu") -> tuple[dict, dict]:
    """({name: (model, tok, prompt_fn, reader)}, {name: groups it is sampled on})."""
    from lessons_lib import lesson5_boundary as B
    from lessons_lib.formats import r1_zero_prompt
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS

    models = B.course_models(device)
    models.pop(B.COT)
    tok = models[B.R1_ZERO][1]
    for name, folder in ((B.STUDENT, "05_student"), (B.RL_SAME, "05_rl_same")):
        models[name] = (load(CHECKPOINTS / folder, device)[0], tok, r1_zero_prompt, "tagged")
    where = {B.BASE_OWN: list(GROUPS), B.BASE_TEMPLATE: list(GROUPS), B.R1_ZERO: list(GROUPS),
             B.SFT_STAGE: ["1-4", "5-6"], B.RECIPE: ["1-4", "5-6"], B.STUDENT: ["7-8"], B.RL_SAME: ["7-8"]}
    return models, where


def run_seed(seed: int, n: int, per_step: dict, models: dict, where: dict) -> tuple[dict, dict]:
    from lessons_lib import lesson5_boundary as B

    held_out = {g: B.problems(per_step[g], steps=GROUPS[g], seed=seed) for g in GROUPS}
    counts, seconds = {}, {}
    for name, (model, tok, prompt_fn, reader) in models.items():
        problems = [p for g in where[name] for p in held_out[g]]
        t0 = time.perf_counter()
        counts[name] = B.sample_counts(model, tok, problems, prompt_fn, reader, n=n, seed=seed)
        seconds[name] = time.perf_counter() - t0
        print(f"seed {seed}: {name:34s} {len(problems)} problems x {n} in {seconds[name]:5.0f} s", flush=True)
    return recount(seed, counts, n, {g: len(v) for g, v in held_out.items()}, seconds), counts


def over_seeds(rows: list[dict]) -> dict:
    """{claim: {statuses: [one per seed], status}}: reproduced only if every seed reproduces it,
    not testable here if no seed can test it, not reproduced otherwise."""
    out = {}
    for r in rows:
        for c in r["claims"]:
            out.setdefault(c["claim"], dict(source=c["source"], statuses=[]))["statuses"].append(c["status"])
    for c in out.values():
        s = c["statuses"]
        c["status"] = ("reproduced" if all(x == "reproduced" for x in s) else
                       "not testable here" if all(x == "not testable here" for x in s) else "not reproduced")
    return out


def recount(seed: int, counts: dict, n: int, held_out_sizes: dict, seconds: dict) -> dict:
    """One seed's row (findings, claims, curves) from its stored counts: no sampling."""
    from lessons_lib import lesson5_boundary as B

    f = B.findings(counts, groups=GROUPS)
    ks = tuple(k for k in B.KS if k <= n)
    return dict(seed=seed, findings=f, claims=B.claims(f), curves=B.curves(counts, ks, groups=GROUPS),
                problems=held_out_sizes, sample_seconds=seconds)


def main(argv=None) -> int:
    import seed_bench

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--n", type=int, default=256, help="samples per problem (k up to n)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the problems per step count (smoke: 0.2)")
    ap.add_argument("--out", type=Path, default=HERE / "pass_at_k_seeds.json")
    ap.add_argument("--from-counts", action="store_true",
                    help="no sampling: recompute findings and claims from the counts and settings the last "
                         "run stored beside --out (after a change to boundary.findings or boundary.claims)")
    args = ap.parse_args(argv)
    counts_path = args.out.with_name(args.out.stem.replace("_seeds", "") + "_counts.json")
    t0 = seed_bench.start()
    if args.from_counts:
        old = json.loads(args.out.read_text())
        stored = json.loads(counts_path.read_text())
        rows = [recount(r["seed"], stored[str(r["seed"])], old["settings"]["n"], r["problems"], r["sample_seconds"])
                for r in old["seeds"]]
        out = dict(old, seeds=rows, over_seeds=over_seeds(rows), recounted=True)
        args.out.write_text(json.dumps(out, indent=1) + "\n")
    else:
        per_step = {g: max(1, round(v * args.scale)) for g, v in PER_STEP.items()}
        models, where = lineup()
        rows, all_counts = [], {}
        for seed in args.seeds:
            row, counts = run_seed(seed, args.n, per_step, models, where)
            rows.append(row)
            all_counts[str(seed)] = counts
            for c in row["claims"]:
                print(f"  [{c['status']}] {c['claim']}: {c['figures']}", flush=True)
            settings = dict(n=args.n, groups={g: list(s) for g, s in GROUPS.items()}, per_step=per_step,
                            sampled_on=where, models="shipped (data/checkpoints), trained with seed 0; the "
                            "seed sets the held-out problems and the sampling")
            out = seed_bench.write(args.out, t0, seeds=rows, over_seeds=over_seeds(rows), settings=settings)
            counts_path.write_text(json.dumps(all_counts, separators=(",", ":")) + "\n")
    print("over seeds:")
    for name, c in out["over_seeds"].items():
        print(f"  [{c['status']}] {name} ({', '.join(c['statuses'])})")
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
