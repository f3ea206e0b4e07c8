"""Benchmark: what the course costs on this machine, as figures (no pass/fail timing tests).

    .venv/bin/python bench/benchmark.py                   # everything (about 12 minutes)
    .venv/bin/python bench/benchmark.py --skip-notebooks  # SFT throughput only (about a minute)
    .venv/bin/python bench/benchmark.py --full-from-course-run  # full-mode figures of the last
                                                                # scripts/course.sh run

1. Each notebook's wall time and peak memory (the kernel's resident set), in full mode and in smoke
   mode, by executing copies of the notebooks (the committed ones are left alone).
2. SFT training throughput in tokens/s through trl's SFTTrainer against a plain PyTorch loop
   (AdamW, the same schedule, the same tokenized batches and the same model), and their ratio.
   Tokens are the non-padding tokens of each batch.

Writes bench/report.json and prints a table. Targets (issue 2): every notebook at most 240 s full
and 60 s smoke, peak memory under 1.5 GB; trl at least 0.7x the plain loop.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def notebook_costs(smoke: bool) -> dict:
    out = tempfile.mkdtemp(prefix="bench-nb-")
    env = dict(os.environ)
    env.pop("LESSONS_SMOKE", None)
    if smoke:
        env["LESSONS_SMOKE"] = "1"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "run_notebooks.py"), "--out", out],
                   env=env, check=False, stdout=subprocess.DEVNULL)
    folder = ROOT / "results" / ("smoke" if smoke else "")
    return json.loads((folder / "timings.json").read_text())


def sft_throughput(steps: int = 60, warmup: int = 10, batch_size: int = 64) -> dict:
    import torch
    from transformers import TrainerCallback

    from lessons_lib.formats import to_records
    from lessons_lib.models import new_tiny
    from lessons_lib.runtime import quiet
    from lessons_lib.sft import lesson_budget, train_sft
    from lessons_lib.tasks import make_dataset

    quiet()
    budget = lesson_budget()
    records = to_records(make_dataset(budget["train_counts"], split="train", seed=0), "cot")

    # trl: time the optimizer steps after the warm-up, count the tokens of each batch
    class Clock(TrainerCallback):
        def __init__(self):
            self.t = {}

        def on_step_begin(self, args, state, control, **kw):
            if state.global_step == warmup:
                self.t["start"] = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            if state.global_step == warmup + steps:
                self.t["end"] = time.perf_counter()

    model, tok = new_tiny(seed=0)
    clock = Clock()
    trainer = train_sft(model, tok, records, warmup + steps, batch_size, budget["lr"]["cot"], seed=0,
                        callbacks=[clock], logging_steps=10_000)
    trl_s = clock.t["end"] - clock.t["start"]
    # the same batches trl saw: its tokenized dataset, in its own order, through its own collator
    loader = trainer.get_train_dataloader()
    batches = []
    while len(batches) < warmup + steps:  # an epoch may hold fewer batches than we time
        for b in loader:
            batches.append(b)
            if len(batches) == warmup + steps:
                break
    assert len(batches) == warmup + steps
    # the tokens of the batches trl timed are not known one by one; both loops see batches of the
    # same distribution, so the token count of the plain loop's batches stands for both
    n_tokens = sum(int(b["attention_mask"].sum()) for b in batches[warmup:])

    # plain PyTorch: same model config and init, same batches, AdamW with the same schedule
    model, _ = new_tiny(seed=0)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=budget["lr"]["cot"], weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: min(1.0, (i + 1) / max(1, (warmup + steps) // 20)))
    for i, b in enumerate(batches):
        if i == warmup:
            t0 = time.perf_counter()
        labels = b["labels"]
        loss = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"], labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
    plain_s = time.perf_counter() - t0
    return {"steps_timed": steps, "batch_size": batch_size, "tokens": n_tokens,
            "trl_tokens_per_s": n_tokens / trl_s, "plain_tokens_per_s": n_tokens / plain_s,
            "trl_s_per_step": trl_s / steps, "plain_s_per_step": plain_s / steps,
            "ratio_trl_over_plain": plain_s / trl_s, "threads": torch.get_num_threads()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-notebooks", action="store_true")
    ap.add_argument("--full-from-course-run", action="store_true",
                    help="take full-mode notebook figures from results/timings.json, which "
                         "scripts/course.sh wrote, instead of executing the notebooks again")
    ap.add_argument("--steps", type=int, default=60)
    args = ap.parse_args()
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d")}
    if not args.skip_notebooks:
        if args.full_from_course_run:
            report["notebooks_full"] = json.loads((ROOT / "results" / "timings.json").read_text())
        else:
            report["notebooks_full"] = notebook_costs(smoke=False)
        report["notebooks_smoke"] = notebook_costs(smoke=True)
    report["sft_throughput"] = sft_throughput(args.steps)

    print(f"machine: {report['machine']}")
    if "notebooks_full" in report:
        print("\nnotebook                         full: wall s  peak MB   smoke: wall s  peak MB")
        for name, full in report["notebooks_full"].items():
            sm = report["notebooks_smoke"].get(name, {})
            print(f"{name:32s} {full['wall_s']:12.1f} {full['peak_rss_mb']:8.0f} "
                  f"{sm.get('wall_s', float('nan')):14.1f} {sm.get('peak_rss_mb', float('nan')):8.0f}")
    t = report["sft_throughput"]
    print(f"\nSFT throughput (CoT data, batch {t['batch_size']}, {t['steps_timed']} steps, {t['threads']} threads):")
    print(f"  trl SFTTrainer  {t['trl_tokens_per_s']:8.0f} tokens/s  ({t['trl_s_per_step'] * 1000:.0f} ms/step)")
    print(f"  plain PyTorch   {t['plain_tokens_per_s']:8.0f} tokens/s  ({t['plain_s_per_step'] * 1000:.0f} ms/step)")
    print(f"  ratio trl/plain {t['ratio_trl_over_plain']:.2f}")
    path = Path(__file__).with_name("report.json")
    old = json.loads(path.read_text()) if path.exists() else {}
    old.update(report)
    path.write_text(json.dumps(old, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
