"""Lesson 6's comparison, first cut (issue 12, in progress): RL algorithms from the same start, on the
same prompts, with the same number of sampled completions, measured the same way.

    .venv/bin/python bench/rl_algorithms.py                    # seed 0, 40 updates each (about 6 min)
    .venv/bin/python bench/rl_algorithms.py --updates 80 --seeds 0 1 2

Each run starts from lesson 3's base (data/checkpoints/03_base), under R1-Zero's template, with lesson
3's rewards (accuracy 1.0, format 0.5), prompts (`r1.rl_dataset`) and sampling budget (`grpo.RLBudget`:
8 prompts x 8 completions an update):

    GRPO            trl, loss_type="grpo" (per-completion averaging), beta 0.04, std-scaled advantages
    Dr. GRPO        trl, loss_type="dr_grpo", scale_rewards="none", beta 0
    DAPO            trl, loss_type="dapo" (token-level), clip-higher (epsilon_high 0.28), beta 0
                    (dynamic sampling not built yet)
    RLOO            trl's RLOOTrainer: each completion's baseline is the mean reward of the others
                    in its group; beta 0 (trl samples with model.generate: no course sampler hook)
    PPO             lessons_lib.ppo.train_ppo: a learned value model and GAE, no groups needed

    REINFORCE       the same loop with no baseline (ppo.train_ppo(baseline="none")): every token's
                    advantage is its completion's reward
For each run: seconds per update, completions per second, the training reward's last-10 mean, and
`r1.measure` after training (format, pass@1, greedy by steps). Writes bench/rl_algorithms.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent

TRL_RUNS = {
    "GRPO": dict(loss_type="grpo", beta=0.04),
    "Dr. GRPO": dict(loss_type="dr_grpo", beta=0.0, scale_rewards="none"),
    "DAPO": dict(loss_type="dapo", beta=0.0, epsilon_high=0.28),
}


def _train_rloo(model, tok, data, funcs, weights, budget, seed: int) -> list[dict]:
    import tempfile

    from transformers.trainer_callback import PrinterCallback
    from trl import RLOOConfig, RLOOTrainer

    from lessons_lib.runtime import trainer_settings

    args = RLOOConfig(output_dir=tempfile.mkdtemp(prefix="rloo-"), max_steps=budget.updates,
                      per_device_train_batch_size=budget.completions_per_update // 2,
                      gradient_accumulation_steps=2, num_generations=budget.num_generations,
                      learning_rate=budget.lr, lr_scheduler_type="constant", warmup_steps=0,
                      weight_decay=0.0, max_grad_norm=1.0, beta=0.0, epsilon=0.2, num_iterations=1,
                      temperature=budget.temperature, top_p=1.0, top_k=0,
                      max_completion_length=budget.max_completion_length, reward_weights=weights,
                      seed=seed, data_seed=seed, log_completions=False, **trainer_settings("cpu", 1))
    trainer = RLOOTrainer(model=model, reward_funcs=funcs, args=args, train_dataset=data, processing_class=tok)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return trainer.state.log_history


def _tail_mean(log: list[dict], key: str, n: int = 10) -> float | None:
    vals = [r[key] for r in log if r.get(key) is not None][-n:]
    return sum(vals) / len(vals) if vals else None


def run(name: str, updates: int, seed: int) -> dict:
    from lessons_lib import ppo
    from lessons_lib.grpo import rl_budget, train_grpo
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.r1 import measure, rl_dataset
    from lessons_lib.rewards import accuracy_reward, format_reward
    from lessons_lib.runtime import seed_everything

    budget = dataclasses.replace(rl_budget(), updates=updates)
    seed_everything(seed)
    model, tok = load(CHECKPOINTS / "03_base")
    data = rl_dataset(budget.train_problems_per_step_count, seed=seed)
    funcs, weights = [accuracy_reward, format_reward], [1.0, 0.5]
    t0 = time.perf_counter()
    if name == "RLOO":
        log = _train_rloo(model, tok, data, funcs, weights, budget, seed)
    elif name in ("PPO", "REINFORCE"):
        pb = ppo.PPOBudget(updates=updates, prompts_per_update=budget.prompts_per_update,
                           num_generations=budget.num_generations, lr=budget.lr,
                           max_completion_length=budget.max_completion_length)
        log = ppo.train_ppo(model, tok, data, funcs, pb, reward_weights=weights, seed=seed,
                            baseline="value" if name == "PPO" else "none")["log_history"]
    else:
        log = train_grpo(model, tok, data, funcs, budget, reward_weights=weights, seed=seed,
                         **TRL_RUNS[name]).state.log_history
    seconds = time.perf_counter() - t0
    m = measure(model, tok, n_per_step=50, seed=seed)
    return dict(algorithm=name, seed=seed, updates=updates, seconds=seconds,
                seconds_per_update=seconds / updates,
                completions_per_second=updates * budget.completions_per_update / seconds,
                train_accuracy_last10=_tail_mean(log, "rewards/accuracy_reward/mean"),
                train_format_last10=_tail_mean(log, "rewards/format_reward/mean"),
                format_rate=m["format_rate"], pass1=m["pass1"], greedy_by_steps=m["greedy_by_steps"],
                tokens=m["tokens"], settings=TRL_RUNS.get(name, {"RLOO": {"trainer": "RLOOTrainer", "beta": 0.0},
                                                        "REINFORCE": {"baseline": "none"}}.get(
                    name, {"value model": "ppo.ValueModel"})))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--updates", type=int, default=40)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--algorithms", nargs="+", default=["REINFORCE", *TRL_RUNS, "RLOO", "PPO"])
    ap.add_argument("--out", type=Path, default=HERE / "rl_algorithms.json")
    args = ap.parse_args()
    known = ["REINFORCE", *TRL_RUNS, "RLOO", "PPO"]
    unknown = [a for a in args.algorithms if a not in known]
    if unknown:
        sys.exit(f"unknown algorithm(s) {unknown}: choose from {known}")
    from lessons_lib.runtime import quiet

    quiet()
    # runs already in the file are kept unless this call repeats them (same algorithm, seed, updates)
    rows = json.loads(args.out.read_text())["rows"] if args.out.exists() else []
    for seed in args.seeds:
        for name in args.algorithms:
            row = run(name, args.updates, seed)
            rows = [r for r in rows if (r["algorithm"], r["seed"], r["updates"]) != (name, seed, args.updates)]
            rows.append(row)
            print(f"seed {seed} {name:9s} {row['seconds_per_update']:.2f} s/update "
                  f"{row['completions_per_second']:.0f} completions/s  train acc {row['train_accuracy_last10']:.2f}  "
                  f"format {row['format_rate']:.2f}  pass@1 {row['pass1']:.2f}", flush=True)
            args.out.write_text(json.dumps(dict(rows=rows, machine=f"{platform.machine()}, {os.cpu_count()} cores",
                                                note="first cut of issue 12's comparison: one seed, "
                                                     "no tuning"), indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
