"""Benchmark: what the course costs on this machine, as figures (no pass/fail timing tests).

    .venv/bin/python bench/benchmark.py                   # everything (about 12 minutes on 2 cores)
    .venv/bin/python bench/benchmark.py --skip-notebooks  # SFT throughput only (about 2 minutes)
    .venv/bin/python bench/benchmark.py --full-from-reference   # full-mode figures of the reference
                                                                # run (results/timings.json)
    .venv/bin/python bench/benchmark.py --full-from-course-run  # full-mode figures of the last
                                                                # scripts/course.sh run (runs/results/)
    .venv/bin/python bench/benchmark.py --test-command    # also time `bash scripts/test.sh` on a
                                                          # fresh clone of HEAD (new .venv)

1. Each notebook's wall time and peak memory (the kernel's resident set), in full mode and in smoke
   mode, by executing copies of the notebooks in a temporary folder: LESSONS_RESULTS points the
   notebooks' results and timings there too, so neither the committed notebooks nor results/
   (nor a learner's runs/) are touched, and the folder is removed afterwards.
2. SFT training throughput in tokens/s through trl's SFTTrainer against a plain PyTorch loop
   (AdamW, the same schedule, the same tokenized batches and the same model), and their ratio:
   three rounds of trl-then-plain, the median of the rounds' ratios (the machine's speed drifts).
   Tokens are the non-padding tokens of each batch. Target: trl at least SFT_RATIO (bench/targets.py) times the plain loop.
3. The machine's speed, for scaling the times: the plain loop's tokens/s is stored as
   `machine_speed.plain_sft_tokens_per_s` beside the notebook times. On a machine where it is k
   times higher, expect the notebooks' training cells to take about 1/k of the time.

Writes bench/report.json (keys: machine, cpu, gpu, date, machine_speed, notebooks_full, notebooks_smoke,
sft_throughput, test_command) and prints a table; scripts/render_readme.py reads it.
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
sys.path.insert(0, str(ROOT / "bench"))  # targets.py
from targets import SFT_RATIO  # noqa: E402

SFT_RATIO_TARGET = SFT_RATIO.bound


def cpu_name() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else whatever platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def notebook_costs(smoke: bool) -> dict:
    """Execute every notebook (copies) in `smoke` or full mode; their timings.json entries."""
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
        env = dict(os.environ, LESSONS_RESULTS=str(Path(tmp) / "results"))
        env.pop("LESSONS_SMOKE", None)
        env.pop("LESSONS_REFERENCE", None)
        if smoke:
            env["LESSONS_SMOKE"] = "1"
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_notebooks.py"),
                               "--out", str(Path(tmp) / "notebooks")],
                              env=env, check=False, stdout=subprocess.DEVNULL)
        timings = Path(tmp) / "results" / "timings.json"
        if not timings.exists():
            raise SystemExit(f"the notebooks did not run (exit {proc.returncode}); "
                             "try scripts/run_notebooks.py by itself")
        if proc.returncode != 0:
            print(f"warning: a notebook failed in {'smoke' if smoke else 'full'} mode "
                  "(see its 'error' in the report)", file=sys.stderr)
        return json.loads(timings.read_text())


def sft_throughput(steps: int = 60, warmup: int = 10, batch_size: int = 64, rounds: int = 3) -> dict:
    """trl against the plain loop, `rounds` times in turn; the figures are medians over the rounds
    and the ratio is the median of each round's ratio: this machine's speed drifts over minutes,
    and a trl run and the plain run right after it share more of the drift than two runs apart."""
    import statistics

    import torch

    runs = [_sft_round(steps, warmup, batch_size) for _ in range(rounds)]
    ratios = [plain / trl for trl, plain, _ in runs]
    n_tokens = runs[0][2]
    trl_s = statistics.median(r[0] for r in runs)
    plain_s = statistics.median(r[1] for r in runs)
    return {"steps_timed": steps, "batch_size": batch_size, "tokens": n_tokens, "rounds": rounds,
            "trl_tokens_per_s": n_tokens / trl_s, "plain_tokens_per_s": n_tokens / plain_s,
            "trl_s_per_step": trl_s / steps, "plain_s_per_step": plain_s / steps,
            "ratio_trl_over_plain": statistics.median(ratios),
            "ratio_by_round": [round(r, 3) for r in ratios], "threads": torch.get_num_threads()}


def _sft_round(steps: int, warmup: int, batch_size: int) -> tuple[float, float, int]:
    """(trl's seconds, the plain loop's seconds, tokens) for `steps` optimizer steps after `warmup`."""
    import torch
    from transformers import TrainerCallback

    from lessons_lib.worlds.chain import to_records, make_dataset
    from lessons_lib.models import new_tiny
    from lessons_lib.runtime import quiet
    from lessons_lib.lesson1_2_sft import lesson_budget
    from lessons_lib.sft import SFTSettings, train_sft

    quiet()
    budget = lesson_budget()
    lr = budget.lr["cot"]
    records = to_records(make_dataset(budget.train_problems, split="train", seed=0), "cot")

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
    with tempfile.TemporaryDirectory(prefix="bench-sft-") as out:
        trainer = train_sft(model, tok, records, SFTSettings(warmup + steps, batch_size, lr), seed=0,
                            callbacks=[clock], logging_steps=10_000, output_dir=out)
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
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
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
    return trl_s, plain_s, n_tokens


def test_command() -> dict:
    """Time the README's test command on a fresh clone of HEAD (setup included: a new .venv)."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-clone-") as tmp:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), tmp], check=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LESSONS_", "VIRTUAL_ENV"))}
        t0 = time.perf_counter()
        proc = subprocess.run(["bash", "scripts/test.sh", "-q"], cwd=tmp, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
    return {"seconds": round(seconds, 1), "returncode": proc.returncode, "commit": commit,
            "what": "bash scripts/test.sh on a fresh clone, a new .venv, pip's cache as it was"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-notebooks", action="store_true")
    ap.add_argument("--full-from-course-run", action="store_true",
                    help="take full-mode notebook figures from runs/results/timings.json, which "
                         "scripts/course.sh wrote, instead of executing the notebooks again")
    ap.add_argument("--full-from-reference", action="store_true",
                    help="take full-mode notebook figures from results/timings.json, which the "
                         "maintainer's `run_notebooks.py --reference` wrote")
    ap.add_argument("--test-command", action="store_true",
                    help="also time `bash scripts/test.sh` on a fresh clone of HEAD")
    ap.add_argument("--steps", type=int, default=60)
    args = ap.parse_args()
    import torch

    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "cpu": cpu_name(),
              "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
              "date": time.strftime("%Y-%m-%d")}
    if not args.skip_notebooks:
        if args.full_from_reference:
            report["notebooks_full"] = json.loads((ROOT / "results" / "timings.json").read_text())
        elif args.full_from_course_run:
            course_run = ROOT / "runs" / "results" / "timings.json"
            if not course_run.exists():
                ap.error(f"no {course_run.relative_to(ROOT)}: run `bash scripts/course.sh` first")
            report["notebooks_full"] = json.loads(course_run.read_text())
        else:
            report["notebooks_full"] = notebook_costs(smoke=False)
        report["notebooks_smoke"] = notebook_costs(smoke=True)
    report["sft_throughput"] = t = sft_throughput(args.steps)
    report["machine_speed"] = {
        "plain_sft_tokens_per_s": t["plain_tokens_per_s"], "threads": t["threads"],
        "what": "tokens/s of a plain PyTorch training loop on the course's tiny model "
                "(bench/benchmark.py); notebook times scale about inversely with it"}
    if args.test_command:
        report["test_command"] = test_command()

    print(f"machine: {report['machine']} ({report['cpu']}, torch {torch.__version__}, "
          f"{t['threads']} threads)")
    print(f"machine speed: {t['plain_tokens_per_s']:.0f} tokens/s (plain PyTorch SFT loop): "
          "a machine k times faster runs the notebooks in about 1/k of the time")
    if "notebooks_full" in report:
        print("\nnotebook                         full: wall s  peak MB   smoke: wall s  peak MB")
        names = list(dict.fromkeys([*report["notebooks_full"], *report["notebooks_smoke"]]))
        for name in names:
            full = report["notebooks_full"].get(name, {})
            sm = report["notebooks_smoke"].get(name, {})
            print(f"{name:32s} {full.get('wall_s', float('nan')):12.1f} "
                  f"{full.get('peak_rss_mb', float('nan')):8.0f} "
                  f"{sm.get('wall_s', float('nan')):14.1f} {sm.get('peak_rss_mb', float('nan')):8.0f}")
    print(f"\nSFT throughput (CoT data, batch {t['batch_size']}, {t['steps_timed']} steps, {t['threads']} "
          f"threads; medians of {t['rounds']} rounds):")
    print(f"  trl SFTTrainer  {t['trl_tokens_per_s']:8.0f} tokens/s  ({t['trl_s_per_step'] * 1000:.0f} ms/step)")
    print(f"  plain PyTorch   {t['plain_tokens_per_s']:8.0f} tokens/s  ({t['plain_s_per_step'] * 1000:.0f} ms/step)")
    met = "met" if t["ratio_trl_over_plain"] >= SFT_RATIO_TARGET else "MISSED"
    print(f"  ratio trl/plain {t['ratio_trl_over_plain']:.2f}, the median of {t['ratio_by_round']} "
          f"(target >= {SFT_RATIO_TARGET}x: {met})")
    if "test_command" in report:
        tc = report["test_command"]
        print(f"\nbash scripts/test.sh on a fresh clone: {tc['seconds']:.0f} s (exit {tc['returncode']})")
    path = Path(__file__).with_name("report.json")
    old = json.loads(path.read_text()) if path.exists() else {}
    old.update(report)
    path.write_text(json.dumps(old, indent=1) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
