"""One trial of lesson 3's GRPO in the numbers game with other settings: how lesson 3's settings were
chosen (lesson3_r1_zero's RL_LEVELS, MAX_NEW_TOKENS, TEMPERATURE, REWARD_WEIGHTS).

    .venv/bin/python bench/numbers_rl_trial.py BASE LR UPDATES FORMAT_WEIGHT CAP TEMPERATURE LEVELS [OUT]
    .venv/bin/python bench/numbers_rl_trial.py data/checkpoints/03_numbers_base 1e-4 40 0.0 512 0.7 3

From the base at BASE: held-out pass@1 and behaviours (lesson3_r1_zero.measure, 30 problems per level x 8
samples, at CAP and TEMPERATURE) before and after UPDATES GRPO updates (seed 0) on training problems
of LEVELS (comma-separated), rewards lesson3_r1_zero.REWARDS weighted (1.0, FORMAT_WEIGHT). Prints every
update's training reward, format, length, cut share, tries, give-ups and backtracks; with OUT,
appends the trial's figures to that JSON file (a list).
"""
import dataclasses
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEYS = ["pass1", "format_rate", "tokens", "cut", "tries", "checks", "backtracks", "give_up_rate",
        "arithmetic", "verdicts"]


def main(argv):
    from lessons_lib.runtime import quiet, seed_everything

    quiet()
    import torch

    from lessons_lib.grpo import train_grpo
    from lessons_lib.models import load
    from lessons_lib.lesson3_r1_zero import REWARDS, curve, measure, rl_budget, rl_dataset

    torch.set_num_threads(2)
    path, lr, updates, fw, cap, temp = argv[0], float(argv[1]), int(argv[2]), float(argv[3]), int(argv[4]), float(argv[5])
    levels = tuple(argv[6].split(","))
    model, tok = load(path)
    b = dataclasses.replace(rl_budget(), lr=lr, updates=updates, max_completion_length=cap, temperature=temp)
    kw = dict(n_per_level=30, samples=8, max_new_tokens=cap, temperature=temp)
    before = measure(model, tok, **kw)
    print("before", {lv: {k: round(m[k], 3) for k in KEYS} for lv, m in before.items()}, flush=True)
    seed_everything(0)
    t = time.time()
    tr = train_grpo(model, tok, rl_dataset(300, levels=levels), list(REWARDS), b, reward_weights=[1.0, fw])
    rl_seconds = time.time() - t
    log = tr.state.log_history
    for r in log:
        if "rewards/accuracy/mean" in r:
            print(r["step"], *(round(r[k], 3) for k in ("rewards/accuracy/mean", "rewards/format/mean",
                                                          "completions/mean_length", "completions/clipped_ratio",
                                                          "thought/tries", "thought/give_ups", "thought/backtracks")))
    after = measure(model, tok, **kw)
    c = curve(log)
    row = dict(base=path, lr=lr, updates=updates, format_weight=fw, cap=cap, temperature=temp, levels=levels,
               rl_seconds=round(rl_seconds, 1), spearman=c["spearman"], spearman_smoothed=c["spearman_smoothed"],
               reward=c["reward"], length=c["length"],
               before={lv: {k: round(m[k], 4) for k in KEYS} for lv, m in before.items()},
               after={lv: {k: round(m[k], 4) for k in KEYS} for lv, m in after.items()})
    print("after", row["after"], f"rl {rl_seconds:.0f} s, Spearman {c['spearman']:.2f}", flush=True)
    if len(argv) > 7:
        out = Path(argv[7])
        rows = json.loads(out.read_text()) if out.exists() else []
        out.write_text(json.dumps(rows + [row], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
