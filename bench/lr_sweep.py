"""The learning-rate sweep behind lesson_budget()'s per-format learning rates (seed 0).

    .venv/bin/python bench/lr_sweep.py                       # both formats, about 12 minutes
    .venv/bin/python bench/lr_sweep.py --fmt cot --lrs 2e-3 3e-3

Trains each format on the lesson budget at each learning rate, exactly as the notebooks do, and
prints held-out and training accuracy. Writes bench/lr_sweep.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seeds import train_and_measure  # noqa: E402

from lessons_lib.runtime import quiet  # noqa: E402
from lessons_lib.lesson1_2_sft import lesson_budget  # noqa: E402

DEFAULT = {"answer_only": [5e-4, 1e-3, 2e-3], "cot": [1e-3, 2e-3, 3e-3]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmt", choices=list(DEFAULT), nargs="+", default=list(DEFAULT))
    ap.add_argument("--lrs", type=float, nargs="+")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    quiet()
    budget = lesson_budget()
    out = {fmt: [train_and_measure(fmt, args.seed, budget, lr) for lr in (args.lrs or DEFAULT[fmt])]
           for fmt in args.fmt}
    print("\nformat       lr      held-out 3+  train 3+  worst held-out at trained lengths")
    for fmt, rows in out.items():
        for r in rows:
            print(f"{fmt:11s} {r['lr']:.0e} {r['heldout_3plus']:12.3f} {r['train_3plus']:9.3f} "
                  f"{r['min_heldout_trained']:10.3f}")
    path = Path(__file__).with_name("lr_sweep.json")
    old = json.loads(path.read_text()) if path.exists() else {}
    old.update(out)  # keep the other format's rows when only one format was swept
    path.write_text(json.dumps(old, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
