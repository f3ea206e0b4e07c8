"""The SFT targets of lessons 1-2, over several seeds.

    .venv/bin/python bench/seeds.py            # seeds 0 1 2, full budget (about 4 minutes a seed)
    .venv/bin/python bench/seeds.py --seeds 3 4

For each seed (which sets the training problems, the model's initialisation and the data order), it
trains the answer-only and the chain-of-thought model on lesson_budget() exactly as notebooks 01 and
02 do, and prints held-out accuracy by number of steps. Targets (issue 2; the bounds are in
bench/targets.py):
  CoT: held-out at every step count trained on (COT_HELDOUT);
  answer-only: held-out at 1 step on every seed (ANSWER_ONLY_ONE_STEP: a fair baseline, issues 8 and 23);
  answer-only: held-out at 3+ steps at most ANSWER_ONLY_HARD; its accuracy on its own training problems is
  reported (at 2e-3 with 500 warmup updates it memorises most of them: about 0.8 on its training
  problems at 3-4 steps against under 0.1 held-out; the earlier 3e-3 budget memorised little but
  learned 1-step problems on seed 0 only).
Writes bench/seeds.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/: targets.py

from lessons_lib.evaluation import accuracy_by_steps  # noqa: E402
from lessons_lib.formats import sft_prompt
from lessons_lib.worlds.chain import to_records  # noqa: E402
from lessons_lib.models import new_tiny  # noqa: E402
from lessons_lib.runtime import quiet, seed_everything  # noqa: E402
from lessons_lib.lesson1_2_sft import SFTBudget, lesson_budget
from lessons_lib.sft import train_sft  # noqa: E402
from lessons_lib.worlds.chain import make_dataset  # noqa: E402
from targets import ANSWER_ONLY_HARD, ANSWER_ONLY_ONE_STEP, COT_HELDOUT  # noqa: E402  (bench/)


def train_and_measure(fmt: str, seed: int, budget: SFTBudget, lr: float | None = None) -> dict:
    """Train `fmt` on the lesson budget with `seed` (data, init, order) as the notebooks do; measure."""
    lr = budget.lr[fmt] if lr is None else lr
    train = make_dataset(budget.train_problems, split="train", seed=seed)
    test = make_dataset(budget.test_problems_per_step_count, budget.test_step_counts, "test",
                        seed=seed + 1)
    hard = [s for s in budget.train_problems if s >= 3]
    max_new = 8 if fmt == "answer_only" else 96
    seed_everything(seed)
    model, tok = new_tiny(seed=seed)
    t0 = time.perf_counter()
    train_sft(model, tok, to_records(train, fmt), dataclasses.replace(budget.training(fmt), lr=lr), seed=seed)
    secs = time.perf_counter() - t0
    test_acc = accuracy_by_steps(model, tok, test, sft_prompt, max_new)
    train_acc = accuracy_by_steps(model, tok, train, sft_prompt, max_new)
    print(f"seed {seed} {fmt:11s} lr {lr:.0e} {secs:5.0f} s  held-out " +
          " ".join(f"{s}:{a:.2f}" for s, a in test_acc.items()) +
          "  train " + " ".join(f"{s}:{a:.2f}" for s, a in train_acc.items()), flush=True)
    return {"lr": lr, "updates": budget.updates[fmt], "schedule": budget.schedule[fmt], "heldout": test_acc, "train": train_acc, "train_seconds": round(secs, 1),
            "heldout_3plus": sum(test_acc[s] for s in hard) / len(hard),
            "train_3plus": sum(train_acc[s] for s in hard) / len(hard),
            "max_heldout_3plus": max(test_acc[s] for s in hard),
            "min_heldout_trained": min(test_acc[s] for s in budget.train_problems)}


def run_seed(seed: int, budget: SFTBudget, formats) -> dict:
    return {fmt: train_and_measure(fmt, seed, budget) for fmt in formats}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--formats", nargs="+", default=["answer_only", "cot"],
                    choices=["answer_only", "cot"],
                    help="train only these formats; the others' results are kept from seeds.json "
                         "if their budget (updates, lr) is unchanged")
    ap.add_argument("--out", default=None,
                    help="write here instead of bench/seeds.json (e.g. one seed per process, merged after)")
    args = ap.parse_args()
    quiet()
    budget = lesson_budget()
    path = Path(__file__).with_name("seeds.json")
    old = json.loads(path.read_text()) if path.exists() else {"results": {}}
    results = {}
    for seed in args.seeds:
        results[seed] = run_seed(seed, budget, args.formats)
        for fmt in {"answer_only", "cot"} - set(args.formats):
            kept = old["results"].get(str(seed), {}).get(fmt)
            was = {k: v.get(fmt) if isinstance(v, dict) else v
                   for k, v in old.get("budget", {}).items()}  # the budget the kept result ran on
            same = (kept is not None and kept.get("lr", was.get("lr")) == budget.lr[fmt]
                    and kept.get("updates", was.get("updates")) == budget.updates[fmt]
                    and kept.get("schedule", was.get("schedule")) == budget.schedule[fmt]
                    and was.get("warmup_updates", budget.warmup_updates[fmt]) == budget.warmup_updates[fmt])
            if not same:
                sys.exit(f"seeds.json has no {fmt} result for seed {seed} with today's budget: "
                         f"run it too (--formats answer_only cot)")
            results[seed][fmt] = kept
    print("\nseed  CoT worst held-out   answer-only held-out 3+   answer-only on its training")
    print("      (trained lengths)    (mean; worst step count)   problems, 3+ (mean)")
    ok = True
    for seed, r in results.items():
        c, a = r["cot"]["min_heldout_trained"], r["answer_only"]
        one = a["heldout"].get(1, a["heldout"].get("1"))
        # memorisation (training vs held-out at 3+ steps) is reported, not required (lesson 1 shows it)
        passed = (COT_HELDOUT.met(c) and ANSWER_ONLY_HARD.met(a["max_heldout_3plus"])
                  and ANSWER_ONLY_ONE_STEP.met(one))
        ok &= passed
        print(f"{seed:4d} {c:19.3f} {a['heldout_3plus']:16.3f}; {a['max_heldout_3plus']:.3f} "
              f"{a['train_3plus']:26.3f}   answer-only held-out at 1 step {one:.3f}   "
              f"{'meets targets' if passed else 'MISSES a target'}")
    path = Path(args.out) if args.out else path
    path.write_text(json.dumps(
        {"budget": budget.to_dict(),
         "results": results}, indent=1, default=str) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
