"""bench/gpu_check.py on the CPU: every line of the GPU path that a CPU can run (bf16 aside)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_gpu_check_runs_lora_and_full_on_a_toy_sized_model(tmp_path):
    out = tmp_path / "gpu.json"
    cmd = [sys.executable, str(ROOT / "bench" / "gpu_check.py"), "--device", "cpu", "--size", "toy",
           "--steps", "2", "--max-new-tokens", "8", "--prompts", "2", "--generations", "2",
           "--micro-batches", "2", "--sft-batch", "4", "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                         env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"})
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text())
    modes = {r["mode"]: r for r in report["runs"]}
    assert set(modes) == {"lora", "full"}
    assert modes["lora"]["trainable"] < modes["full"]["trainable"] == modes["full"]["parameters"]
    for r in modes.values():
        assert len(r["grpo"]["seconds"]) == 2 and r["grpo"]["s_per_update"] > 0
        assert r["grpo"]["completions_per_update"] == 4 and r["sft"]["updates"] == 2
        assert r["grpo"]["peak_memory_mb"] is None  # no GPU: no GPU memory figure


def test_gpu_check_refuses_one_step(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_check.py"), "--device", "cpu",
                          "--size", "toy", "--steps", "1", "--out", str(tmp_path / "x.json")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "--steps" in run.stderr and "Traceback" not in run.stderr
