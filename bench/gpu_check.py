"""The GPU path of lesson 8, measured: GRPO and SFT steps of a hub-sized model, LoRA against full.

    python bench/gpu_check.py                        # on a GPU: Qwen2.5-0.5B's architecture, bf16
    python bench/gpu_check.py --models Qwen/Qwen3-0.6B --steps 6
    python bench/gpu_check.py --device cpu --size toy --steps 2 --out /tmp/x.json  # the CPU test

No hub is needed: the model is built from its architecture config (data/hub_configs/) with random
weights, at full size (`--size hub`), in bf16 on the GPU. Random weights write nonsense, so
rewards are zero and every completion runs to the length cap: the timings are the worst case of
a real run at that cap. The tokenizer is the toy world's (ids it does not know decode to nothing).

For each model and each way of training (LoRA adapters, full fine-tuning), it runs `--steps`
GRPO updates (8 prompts x 8 completions, up to `--max-new-tokens` new tokens) and as many SFT
updates, and reports seconds per update (median after the first, which pays for warm-up),
completions and tokens per second, trainable parameters and peak GPU memory, to `--out`
(default results/gpu_check.json; README and lesson 8 read it).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class StepTimer:
    """A trainer callback that times every optimizer update (synchronising the GPU first)."""

    def __init__(self, device: str):
        from transformers import TrainerCallback

        timer = self

        class _CB(TrainerCallback):
            def on_step_begin(self, args, state, control, **kw):
                timer._sync()
                timer._t0 = time.perf_counter()

            def on_step_end(self, args, state, control, **kw):
                timer._sync()
                timer.seconds.append(time.perf_counter() - timer._t0)
                print(f"  update {state.global_step}: {timer.seconds[-1]:.2f} s", file=sys.stderr,
                      flush=True)

        self.device, self.seconds, self.callback = device, [], _CB()

    def _sync(self):
        import torch

        if self.device.startswith("cuda"):
            torch.cuda.synchronize()

    def per_update(self) -> float:
        steady = self.seconds[1:] or self.seconds
        return statistics.median(steady)


def peak_memory_mb(device: str) -> float | None:
    import torch

    if device.startswith("cuda"):
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return None


def reset_peak(device: str) -> None:
    import gc

    import torch

    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def build(name: str, size: str, device: str, dtype, tokenizer, lora: bool, lora_r: int):
    import torch
    from transformers import AutoModelForCausalLM

    from lessons_lib.lora import add_lora, lora_config, parameter_counts
    from lessons_lib.models import stand_in_config, with_token_ids

    cfg = stand_in_config(name, full_size=(size == "hub"),
                          vocab_size=None if size == "hub" else len(tokenizer))
    cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id = (
        tokenizer.pad_token_id, tokenizer.bos_token_id, tokenizer.eos_token_id)
    torch.manual_seed(0)
    model = with_token_ids(AutoModelForCausalLM.from_config(cfg, dtype=dtype).to(device), tokenizer)
    if lora:
        model = add_lora(model, lora_config(r=lora_r, alpha=2 * lora_r))
    return model, parameter_counts(model)


def run_grpo(model, tok, dataset, steps: int, max_new: int, device: str, bf16: bool,
             micro_batches: int, prompts: int = 8, generations: int = 8) -> dict:
    from lessons_lib.grpo import RLBudget, train_grpo
    from lessons_lib.rewards import math_verify_reward, number_format_reward

    budget = replace(RLBudget(), updates=steps, max_completion_length=max_new, lr=1e-5,
                     prompts_per_update=prompts, num_generations=generations)
    timer = StepTimer(device)
    trainer = train_grpo(model, tok, dataset, [number_format_reward, math_verify_reward], budget,
                         callbacks=[timer.callback], device=device, bf16=bf16,
                         micro_batches=micro_batches)
    lengths = [r["completions/mean_length"] for r in trainer.state.log_history
               if "completions/mean_length" in r]
    s = timer.per_update()
    completions = budget.completions_per_update
    mean_len = statistics.mean(lengths) if lengths else float("nan")
    return {"s_per_update": round(s, 3), "completions_per_s": round(completions / s, 1),
            "completion_tokens_per_s": round(completions * mean_len / s, 1),
            "mean_completion_tokens": round(mean_len, 1), "updates": steps,
            "completions_per_update": completions, "max_new_tokens": max_new,
            "micro_batches": micro_batches,
            "seconds": [round(x, 3) for x in timer.seconds]}


def run_sft(model, tok, records, steps: int, batch: int, device: str, bf16: bool) -> dict:
    from lessons_lib.sft import SFTSettings, train_sft

    timer = StepTimer(device)
    train_sft(model, tok, records, SFTSettings(steps, batch, 1e-5), device=device,
              callbacks=[timer.callback], bf16=bf16, logging_steps=1)
    s = timer.per_update()
    return {"s_per_update": round(s, 3), "examples_per_s": round(batch / s, 1),
            "batch_size": batch, "updates": steps, "seconds": [round(x, 3) for x in timer.seconds]}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="+", default=["Qwen/Qwen2.5-0.5B-Instruct"])
    ap.add_argument("--size", choices=["hub", "toy"], default="hub")
    ap.add_argument("--device", default=None, help="cuda (default when there is one) or cpu")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--max-new-tokens", type=int, default=256)
    ap.add_argument("--sft-batch", type=int, default=16)
    ap.add_argument("--micro-batches", type=int, default=8, help="GRPO: the 64 completions of an "
                    "update go through forward/backward in this many micro-batches (less memory)")
    ap.add_argument("--prompts", type=int, default=8, help="GRPO prompts per update")
    ap.add_argument("--generations", type=int, default=8, help="GRPO completions per prompt")
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--modes", nargs="+", choices=["lora", "full"], default=["lora", "full"])
    ap.add_argument("--stack-every", type=int, default=600, help="print every thread's stack "
                    "every this many seconds (to see where a slow run is)")
    ap.add_argument("--out", default=str(ROOT / "results" / "gpu_check.json"))
    args = ap.parse_args(argv)

    import torch

    from lessons_lib.runtime import require_int, quiet
    from lessons_lib.tokenizer import build_tokenizer
    from lessons_lib.worlds.words import load_word_problems, r1_rl_row, r1_sft_record

    quiet()
    import faulthandler

    faulthandler.dump_traceback_later(args.stack_every, repeat=True)  # where a slow run spends time
    require_int(args.steps, "--steps", least=2, why=" (the first update pays for warm-up)")
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    bf16 = device.startswith("cuda")
    dtype = torch.bfloat16 if bf16 else torch.float32
    tok = build_tokenizer()
    problems, where = load_word_problems("toy", "train", n=256)
    dataset = problems.map(r1_rl_row)  # prompt in R1-Zero's template, answer = the final answer
    records = [r1_sft_record(r) for r in problems]
    report = {"device": torch.cuda.get_device_name() if bf16 else platform.processor() or "cpu",
              "torch": torch.__version__, "dtype": str(dtype).replace("torch.", ""),
              "size": args.size, "data": where, "runs": []}
    for name in args.models:
        for mode in args.modes:
            row = {"model": name, "mode": mode}
            for phase in ("grpo", "sft"):
                reset_peak(device)
                model, counts = build(name, args.size, device, dtype, tok, mode == "lora", args.lora_r)
                print(f"{name} {mode} {phase}: {counts['trainable']:,} trainable of "
                      f"{counts['total']:,}", file=sys.stderr, flush=True)
                row.update(parameters=counts["total"], trainable=counts["trainable"])
                t0 = time.perf_counter()
                if phase == "grpo":
                    row["grpo"] = run_grpo(model, tok, dataset, args.steps, args.max_new_tokens,
                                           device, bf16, args.micro_batches, args.prompts,
                                           args.generations)
                else:
                    row["sft"] = run_sft(model, tok, records, args.steps, args.sft_batch, device, bf16)
                row[phase]["peak_memory_mb"] = peak_memory_mb(device)
                row[phase]["wall_s"] = round(time.perf_counter() - t0, 1)
                del model
            print(json.dumps({k: v for k, v in row.items()}), flush=True)
            report["runs"].append(row)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")
    return report


if __name__ == "__main__":
    try:
        main()
    except (ValueError, RuntimeError) as e:  # bad arguments, no model config: one clear line
        sys.exit(f"bench/gpu_check.py: {e}")
