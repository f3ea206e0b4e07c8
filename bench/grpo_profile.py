"""Where one GRPO update of lesson 3 spends its time, and what the stack's settings change.

    .venv/bin/python bench/grpo_profile.py                      # every variant -> bench/grpo_profile.json
    .venv/bin/python bench/grpo_profile.py --variants baseline threads1 --updates 6

Each variant runs lesson 3's GRPO (its RLBudget: 8 prompts x 8 completions, up to 96 new tokens,
from the shipped base model) for `--updates` updates in this process, and splits every update's
wall time into:

    generate   model.generate (trl samples the completions with it when vLLM is off)
    rewards    the reward functions
    forward    the policy's forward passes outside generate (the loss, and trl's log-probs)
    backward   accelerator.backward (the gradients)
    other      the rest: tokenising, trl's bookkeeping, the optimizer step, logging

by wrapping those calls on the instances involved (nothing of trl's or transformers' code is
changed). The first update pays for warm-up and is left out of the medians. Variants change only
settings the stack offers: torch's thread count, the number of micro-batches, the attention
implementation. It reports figures and exits 0: it is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {
    "baseline": {},                      # lesson 3 as it runs: 2 micro-batches, sdpa, all threads
    "threads1": {"threads": 1},          # one torch thread: less synchronisation on tiny ops
    "microbatch1": {"micro_batches": 1},  # one forward/backward over all 64 completions
    "eager": {"attn": "eager"},          # transformers' plain attention instead of torch's sdpa
}


class Clock:
    """Seconds spent inside wrapped callables, per kind, reset at every update."""

    def __init__(self):
        self.now: dict[str, float] = {}
        self.depth = 0  # > 0 inside generate: its forward passes count as generation

    def wrap(self, obj, name: str, kind: str):
        original = getattr(obj, name)
        clock = self

        def timed(*args, **kwargs):
            if kind == "forward" and clock.depth:
                return original(*args, **kwargs)
            clock.depth += kind == "generate"
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock.now[kind] = clock.now.get(kind, 0.0) + time.perf_counter() - t0
                clock.depth -= kind == "generate"

        timed.__name__ = getattr(original, "__name__", name)
        setattr(obj, name, timed)


def run_variant(name: str, settings: dict, updates: int, seed: int = 0) -> dict:
    import torch
    from transformers import TrainerCallback
    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOTrainer

    from lessons_lib.grpo import RLBudget, grpo_config
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.r1 import rl_dataset
    from lessons_lib.rewards import accuracy_reward, format_reward

    threads_before = torch.get_num_threads()
    torch.set_num_threads(settings.get("threads", threads_before))
    try:
        model, tok = load(CHECKPOINTS / "03_base")
        if "attn" in settings:
            model.set_attn_implementation(settings["attn"])
        budget = dataclasses.replace(RLBudget(), updates=updates)
        dataset = rl_dataset(budget.train_problems_per_step_count, seed=seed)
        clock = Clock()
        rewards = []
        for fn in (accuracy_reward, format_reward):
            holder = type("R", (), {})()
            holder.f = fn
            clock.wrap(holder, "f", "rewards")
            reward = holder.f
            reward.__name__ = fn.__name__
            rewards.append(reward)
        rows = []

        class Split(TrainerCallback):
            def on_step_begin(self, args, state, control, **kw):
                clock.now = {}
                self.t0 = time.perf_counter()

            def on_step_end(self, args, state, control, **kw):
                total = time.perf_counter() - self.t0
                row = {k: clock.now.get(k, 0.0) for k in ("generate", "rewards", "forward", "backward")}
                row["other"] = total - sum(row.values())
                row["total"] = total
                rows.append(row)

        args = grpo_config(budget, seed=seed, micro_batches=settings.get("micro_batches", 2))
        trainer = GRPOTrainer(model=model, reward_funcs=rewards, args=args, train_dataset=dataset,
                              processing_class=tok, callbacks=[Split()])
        trainer.remove_callback(PrinterCallback)
        clock.wrap(trainer.model, "generate", "generate")
        clock.wrap(trainer.model, "forward", "forward")
        clock.wrap(trainer.accelerator, "backward", "backward")
        trainer.train()
    finally:
        torch.set_num_threads(threads_before)
    steady = rows[1:] or rows
    median = {k: round(statistics.median(r[k] for r in steady), 4) for k in steady[0]}
    completions = budget.completions_per_update
    return {"variant": name, "settings": settings, "updates": updates,
            "s_per_update": median["total"], "completions_per_s": round(completions / median["total"], 1),
            "split_s": {k: v for k, v in median.items() if k != "total"},
            "split_share": {k: round(v / median["total"], 3) for k, v in median.items() if k != "total"},
            "per_update_s": [round(r["total"], 3) for r in rows]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    ap.add_argument("--updates", type=int, default=8)
    ap.add_argument("--out", default=str(ROOT / "bench" / "grpo_profile.json"))
    args = ap.parse_args(argv)
    import os

    import torch

    from lessons_lib.runtime import check_int, quiet

    quiet()
    try:
        check_int(args.updates, "--updates", least=2, why=" (the first update pays for warm-up)")
    except ValueError as e:
        sys.exit(f"bench/grpo_profile.py: {e}")
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "torch_threads": torch.get_num_threads(), "date": time.strftime("%Y-%m-%d"),
              "command": "python bench/grpo_profile.py " + " ".join(argv or sys.argv[1:]), "variants": []}
    for name in args.variants:
        with contextlib.redirect_stdout(sys.stderr):
            r = run_variant(name, VARIANTS[name], args.updates)
        report["variants"].append(r)
        split = ", ".join(f"{k} {v:.0%}" for k, v in r["split_share"].items())
        print(f"{name:<12} {r['s_per_update']:.3f} s/update, {r['completions_per_s']:.0f} completions/s "
              f"({split})", flush=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
