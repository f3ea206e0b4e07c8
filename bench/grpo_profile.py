"""Where one GRPO update of lesson 3 spends its time, before and after the course's speed-ups.

    .venv/bin/python bench/grpo_profile.py                      # every variant -> bench/grpo_profile.json
    .venv/bin/python bench/grpo_profile.py --variants baseline course --updates 6
    .venv/bin/python bench/grpo_profile.py --world numbers --variants baseline course  # -> grpo_profile_numbers.json

Each variant runs GRPO as lesson 3 did in the chain world (its RLBudget: 8 prompts x 8 completions,
up to 96 new tokens, from data/checkpoints/03_base) or, with `--world numbers`, as lesson 3 does in
the numbers game (lesson3_r1_zero.rl_budget(): up to 256 new tokens, from 03_numbers_base) for `--updates` updates in this process, one variant after the other,
and splits every update's wall time into:

    generate   sampling the completions: model.generate (trl's own path) or the course's sampler
               (lessons_lib.sampler, handed to trl as its rollout function)
    rewards    the reward functions
    forward    the policy's forward passes outside sampling (the loss pass; trl computes no other
               log-probs at beta 0 and one iteration per batch)
    backward   accelerator.backward (the gradients)
    other      the rest: tokenising, trl's bookkeeping, the optimizer step, logging

by wrapping those calls on the instances involved (nothing of trl's or transformers' code is
changed). The first update of a run pays for warm-up and is left out of the medians. Every
variant runs `--rounds` times, the rounds interleaved (all variants, then all again), and its
medians are over the updates of all its rounds: on a shared machine whose speed drifts over
minutes, this keeps a slow spell from landing on one variant only. "baseline" and "course" run
side by side in every round, and their ratio is reported round by round (`speedup_by_round`) and
as its median (`speedup`): two runs a minute apart share more of the machine's drift than runs
several minutes apart.

"baseline" is trl's GRPOTrainer as it comes (the "before"); "course" is what `train_grpo` runs
(the "after"): the course's sampler and the shared prompt prefix (lessons_lib.shared_prefix), each
also alone. The other variants change only settings the stack offers: torch's thread count, the
number of micro-batches, the attention implementation. The variants sample different completions
(the sampler draws its random numbers differently), so their lengths, and the time they take,
differ a little from update to update: compare medians. It reports figures and exits 0: it is a
measurement, not a test.
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

VARIANTS = {  # in the order they run in a round: before and after side by side
    "baseline": {},                      # trl as it comes: model.generate, 2 micro-batches, sdpa
    "course": {"sampler": True, "share_prefix": True},  # both speed-ups: what train_grpo does
    "sampler": {"sampler": True},        # the course's sampler (lessons_lib.sampler) via rollout_func
    "shared_prefix": {"share_prefix": True},  # the template run once in the loss pass
    "threads1": {"threads": 1},          # one torch thread: less synchronisation on tiny ops
    "microbatch1": {"micro_batches": 1},  # one forward/backward over all 64 completions
    "eager": {"attn": "eager"},          # transformers' plain attention instead of torch's sdpa
}


class Clock:
    """Seconds spent inside wrapped callables, per kind, reset at every update. Only the outermost
    wrapped call counts: the forward passes inside generation count as generation."""

    def __init__(self):
        self.now: dict[str, float] = {}
        self.depth = 0
        self.tokens = 0  # token positions the outermost forward passes ran (padding included)

    def wrap(self, obj, name: str, kind: str):
        original = getattr(obj, name)
        clock = self

        def timed(*args, **kwargs):
            if clock.depth:
                return original(*args, **kwargs)
            clock.depth += 1
            if kind == "forward" and kwargs.get("input_ids") is not None:
                clock.tokens += kwargs["input_ids"].numel()
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock.now[kind] = clock.now.get(kind, 0.0) + time.perf_counter() - t0
                clock.depth -= 1

        timed.__name__ = getattr(original, "__name__", name)
        setattr(obj, name, timed)


def world_setup(world: str, seed: int):
    """(base folder, budget, dataset, reward functions) of lesson 3's GRPO in `world`: the chain
    world (data/checkpoints/03_base, up to 96 new tokens) or the numbers game
    (data/checkpoints/03_numbers_base, lesson3_r1_zero.rl_budget(): up to 256 new tokens)."""
    from lessons_lib.grpo import RLBudget
    from lessons_lib.paths import CHECKPOINTS

    if world == "numbers":
        from lessons_lib.lesson3_r1_zero import REWARDS, rl_budget, rl_dataset

        budget = rl_budget()
        return (CHECKPOINTS / "03_numbers_base", budget,
                rl_dataset(budget.train_problems_per_step_count, seed=seed), list(REWARDS))
    from lessons_lib.worlds.chain_rl import rl_dataset
    from lessons_lib.rewards import accuracy_reward, format_reward

    budget = RLBudget()
    return (CHECKPOINTS / "03_base", budget, rl_dataset(budget.train_problems_per_step_count, seed=seed),
            [accuracy_reward, format_reward])


def run_variant(name: str, settings: dict, updates: int, seed: int = 0, world: str = "chain") -> dict:
    import torch
    from transformers import TrainerCallback

    from lessons_lib.grpo import grpo_config, grpo_trainer
    from lessons_lib.models import load

    threads_before = torch.get_num_threads()
    torch.set_num_threads(settings.get("threads", threads_before))
    try:
        base, budget, dataset, reward_funcs = world_setup(world, seed)
        model, tok = load(base)
        if "attn" in settings:
            model.set_attn_implementation(settings["attn"])
        budget = dataclasses.replace(budget, updates=updates)
        clock = Clock()
        rewards = []
        for fn in reward_funcs:
            holder = type("R", (), {})()
            holder.f = fn
            clock.wrap(holder, "f", "rewards")
            reward = holder.f
            reward.__name__ = fn.__name__
            rewards.append(reward)
        rows = []

        class Split(TrainerCallback):
            def on_step_begin(self, args, state, control, **kw):
                clock.now, clock.tokens = {}, 0
                self.t0 = time.perf_counter()

            def on_step_end(self, args, state, control, **kw):
                total = time.perf_counter() - self.t0
                row = {k: clock.now.get(k, 0.0) for k in ("generate", "rewards", "forward", "backward")}
                row["other"] = total - sum(row.values())
                row["total"] = total
                row["loss_tokens"] = clock.tokens
                rows.append(row)

        args = grpo_config(budget, seed=seed, micro_batches=settings.get("micro_batches", 2))
        trainer = grpo_trainer(model, tok, dataset, rewards, args, callbacks=[Split()],
                               fast_sampler=settings.get("sampler", False),
                               share_prefix=settings.get("share_prefix", False))
        clock.wrap(trainer.model, "generate", "generate")
        if trainer.rollout_func is not None:
            holder = type("S", (), {"f": staticmethod(trainer.rollout_func)})()
            clock.wrap(holder, "f", "generate")
            trainer.rollout_func = holder.f
        clock.wrap(trainer.model, "forward", "forward")
        clock.wrap(trainer.model.model, "forward", "forward")  # the shared prefix runs the backbone
        clock.wrap(trainer.accelerator, "backward", "backward")
        trainer.train()
    finally:
        torch.set_num_threads(threads_before)
    for row, log in zip(rows, [r for r in trainer.state.log_history if "completions/mean_length" in r]):
        row["sampled_tokens"] = log["completions/mean_length"] * budget.completions_per_update
        row["decode_steps"] = log["completions/max_length"]  # the batch runs until its longest ends
    weights = sum(p.numel() for n, p in model.named_parameters() if "embed" not in n)
    return rows[1:] or rows, weights, budget.completions_per_update  # the first update warms up


def summary(name: str, settings: dict, steady: list[dict], weights: int, completions: int) -> dict:
    """Medians over the steady updates of a variant (of every round)."""
    median = {k: round(statistics.median(r[k] for r in steady), 4) for k in steady[0]}
    times = ("generate", "rewards", "forward", "backward", "other")
    return {"variant": name, "settings": settings, "updates_timed": len(steady),
            "s_per_update": median["total"], "completions_per_s": round(completions / median["total"], 1),
            "split_s": {k: median[k] for k in times},
            "split_share": {k: round(median[k] / median["total"], 3) for k in times},
            "per_update_s": [round(r["total"], 3) for r in steady],
            # what the time buys (medians): the loss pass's token positions and its arithmetic rate
            # (6 flops per weight and token for forward + backward, attention left out), and the
            # sampling's decoding steps (the longest completion of the update) and time per step
            "loss_tokens": int(median["loss_tokens"]),
            "loss_pass_gflop_per_s": round(6 * weights * median["loss_tokens"]
                                           / (median["forward"] + median["backward"]) / 1e9, 1),
            "sampled_tokens": int(median["sampled_tokens"]), "decode_steps": int(median["decode_steps"]),
            "ms_per_decode_step": round(1000 * median["generate"] / median["decode_steps"], 2)}


def matmul_rate(reps: int = 200) -> float:
    """GFLOP/s of a plain matrix product shaped like the loss pass's MLP: (4096 x 96) @ (96 x 384)."""
    import torch

    a, b = torch.randn(4096, 96), torch.randn(96, 384)
    for _ in range(10):
        a @ b
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    return round(2 * 4096 * 96 * 384 * reps / (time.perf_counter() - t0) / 1e9, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    ap.add_argument("--updates", type=int, default=5, help="updates per variant and round")
    ap.add_argument("--rounds", type=int, default=3, help="times every variant runs, interleaved")
    ap.add_argument("--world", choices=("chain", "numbers"), default="chain",
                    help="lesson 3's GRPO in the chain world (default) or in the numbers game")
    ap.add_argument("--out", default=None, help="default: bench/grpo_profile.json (chain), "
                    "bench/grpo_profile_numbers.json (numbers)")
    args = ap.parse_args(argv)
    args.out = args.out or str(ROOT / "bench" / ("grpo_profile.json" if args.world == "chain"
                                                   else "grpo_profile_numbers.json"))
    import os

    import torch

    from lessons_lib.runtime import require_int, quiet

    quiet()
    try:
        require_int(args.updates, "--updates", least=2, why=" (the first update pays for warm-up)")
        require_int(args.rounds, "--rounds")
    except ValueError as e:
        sys.exit(f"bench/grpo_profile.py: {e}")
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "world": args.world,
              "torch_threads": torch.get_num_threads(), "date": time.strftime("%Y-%m-%d"),
              "command": "python bench/grpo_profile.py " + " ".join(argv or sys.argv[1:]),
              "matmul_gflop_per_s": matmul_rate(), "variants": []}
    steady: dict[str, list] = {name: [] for name in args.variants}
    ratios = []  # baseline / course within each round: the two ran a minute apart at most
    for _ in range(args.rounds):  # rounds interleave the variants, so a slow spell of the machine
        medians = {}              # falls on all of them rather than on one
        for name in args.variants:
            with contextlib.redirect_stdout(sys.stderr):
                rows, weights, completions = run_variant(name, VARIANTS[name], args.updates,
                                                         world=args.world)
            steady[name] += rows
            medians[name] = statistics.median(r["total"] for r in rows)
        if "baseline" in medians and "course" in medians:
            ratios.append(round(medians["baseline"] / medians["course"], 3))
    if ratios:
        report["speedup_by_round"] = ratios  # the speed-up, round by round (same work each round)
        report["speedup"] = round(statistics.median(ratios), 2)
    for name in args.variants:
        r = summary(name, VARIANTS[name], steady[name], weights, completions)
        report["variants"].append(r)
        split = ", ".join(f"{k} {v:.0%}" for k, v in r["split_share"].items())
        print(f"{name:<13} {r['s_per_update']:.3f} s/update, {r['completions_per_s']:.0f} completions/s "
              f"({split}); loss pass {r['loss_tokens']} token positions at {r['loss_pass_gflop_per_s']} "
              f"GFLOP/s; {r['decode_steps']} decoding steps of {r['ms_per_decode_step']} ms", flush=True)
    print(f"a plain matrix product of the loss pass's shapes: {report['matmul_gflop_per_s']} GFLOP/s")
    if ratios:
        print(f"speed-up, baseline / course, round by round: {ratios} (median {report['speedup']}x)")
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
