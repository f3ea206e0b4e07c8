"""Lesson 8's word-problem pipeline over seeds: SFT, then GRPO with math-verify, and LoRA against
full fine-tuning, each effect set against the seed-to-seed spread.

    .venv/bin/python bench/lesson8_seeds.py                 # seeds 0 1 2 -> bench/lesson8_seeds.json
    .venv/bin/python bench/lesson8_seeds.py --seeds 0 --out /tmp/l8.json

The runs of notebook 08 (its budgets: lessons_lib.lesson8_stand_in.LESSON8), from the shipped stand-in
(data/checkpoints/08_standin), offline, for each seed (its own training and held-out stories, its own
data order and sampling):

1. held-out accuracy of the stand-in under R1-Zero's template, greedy, read by math-verify;
2. SFT in full and SFT with LoRA adapters (r=16, alpha=32, every linear layer), the same updates
   and examples, each at its own learning rate (LESSON8 states both), then held-out accuracy;
3. GRPO from the full SFT model, rewards number_format_reward + math_verify_reward, then held-out
   accuracy again.

Per seed it records its seconds, the accuracies (math-verify and the rule checker), the format rate, the seconds
per update and the number of held-out completions on which the checkers disagree; then the three
effects (SFT over the stand-in, GRPO over SFT, LoRA over full SFT) with `lesson4_recipe.seed_effect`: an
effect counts when every seed moves the same way and the mean exceeds the spread. Exits 0.
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def summary(scores: dict) -> dict:
    from lessons_lib.lesson8_stand_in import disagreements

    return {"accuracy": round(scores["accuracy"], 4), "rule_accuracy": round(scores["rule_accuracy"], 4),
            "format_rate": round(scores["format_rate"], 4), "disagreements": len(disagreements(scores)),
            "example": scores["completions"][0]}


def run(seed: int) -> dict:
    from datasets import Dataset

    from lessons_lib.grpo import train_grpo
    from lessons_lib.lora import add_lora, lora_config
    from lessons_lib.rewards import math_verify_reward, number_format_reward
    from lessons_lib.runtime import seed_everything
    from lessons_lib.sft import SFTSettings, train_sft
    from lessons_lib.lesson8_stand_in import LESSON8 as B, checked, load_stand_in, rl_budget_words
    from lessons_lib.worlds.words import load_word_problems, r1_rl_row, r1_sft_record

    start = time.perf_counter()
    model, tok, _ = load_stand_in()
    train, _ = load_word_problems("toy", "train", n=B["train_rows"], seed=seed, verbose=False)
    test, _ = load_word_problems("toy", "test", n=B["test_rows"], seed=seed, verbose=False)
    test = list(test)
    records = [r1_sft_record(r) for r in train]
    out = {"seed": seed, "stand_in": summary(checked(model, tok, test))}
    models = {}
    for mode in ("full", "lora"):
        m = copy.deepcopy(model)
        if mode == "lora":
            m = add_lora(m, lora_config(**B["lora"]))
        seed_everything(seed)
        t0 = time.perf_counter()
        train_sft(m, tok, records, SFTSettings(B["sft_updates"], B["sft_batch"], B["sft_lr"][mode]),
                  seed=seed)
        s = time.perf_counter() - t0
        out[f"sft_{mode}"] = dict(summary(checked(m, tok, test)), lr=B["sft_lr"][mode],
                                  s_per_update=round(s / B["sft_updates"], 3))
        models[mode] = m
        print(f"seed {seed} SFT {mode}: {out[f'sft_{mode}']}", flush=True)
    budget = rl_budget_words()
    seed_everything(seed)
    t0 = time.perf_counter()
    train_grpo(models["full"], tok, Dataset.from_list([r1_rl_row(r) for r in train]),
               [number_format_reward, math_verify_reward], budget, seed=seed)
    s = time.perf_counter() - t0
    out["grpo"] = dict(summary(checked(models["full"], tok, test)), lr=budget.lr,
                       s_per_update=round(s / budget.updates, 3))
    print(f"seed {seed} GRPO: {out['grpo']}", flush=True)
    out["seconds"] = round(time.perf_counter() - start, 1)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--out", default=str(ROOT / "bench" / "lesson8_seeds.json"))
    ap.add_argument("--resume", default=None, help="a JSON this script wrote: its seeds are kept, not rerun")
    args = ap.parse_args(argv)
    import seed_bench

    from lessons_lib.lesson4_recipe import seed_effect
    from lessons_lib.lesson8_stand_in import LESSON8, rl_budget_words

    t0 = seed_bench.start()
    import json

    rows = [r for r in json.loads(Path(args.resume).read_text())["seeds"]
            if r["seed"] in args.seeds] if args.resume else []
    for seed in args.seeds:
        if seed not in {r["seed"] for r in rows}:
            rows.append(run(seed))
        rows.sort(key=lambda r: args.seeds.index(r["seed"]))
        acc = {k: [r[k]["accuracy"] for r in rows] for k in ("stand_in", "sft_full", "sft_lora", "grpo")}
        effects = {"sft_over_stand_in": seed_effect(acc["sft_full"], acc["stand_in"]),
                   "grpo_over_sft": seed_effect(acc["grpo"], acc["sft_full"]),
                   "lora_over_full_sft": seed_effect(acc["sft_lora"], acc["sft_full"])}
        settings = dict(LESSON8, rl=dataclasses.asdict(rl_budget_words()))
        seed_bench.write(args.out, t0, settings=settings, seeds=rows, accuracy=acc, effects=effects,
                         date=time.strftime("%Y-%m-%d"))
    for name, e in effects.items():
        seed_bench.print_effect(f"held-out accuracy (math-verify), {name}", e)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
