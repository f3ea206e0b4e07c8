"""The recipes of lesson 8 (recipes/sft.py, recipes/grpo.py) run end to end, on the CPU, offline.

Each script runs as a subprocess, as a learner runs it: `--config recipes/<x>.yaml`, overridden for
a CPU and two updates, on a tiny Qwen2 model saved in a local folder (the architecture of the
YAML's Qwen2.5-0.5B-Instruct at the toy size, random weights, the toy-world tokenizer) and the
offline word problems (`--dataset_name toy`).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "recipes"
# Sized for the CPU: float32, no bf16, and the YAML's logging, saving and batches made small.
CPU = ["--dtype", "float32", "--bf16", "false", "--use_cpu", "true", "--max_steps", "2",
       "--logging_steps", "1", "--save_strategy", "no", "--dataset_name", "toy", "--n_examples", "16",
       "--report_to", "none", "--disable_tqdm", "true"]


@pytest.fixture(scope="module")
def tiny_qwen(tmp_path_factory):
    """A folder with a saved Qwen2ForCausalLM at the toy size (random weights) and its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM

    from lessons_lib.models import save, stand_in_config
    from lessons_lib.tokenizer import build_tokenizer

    tok = build_tokenizer()
    cfg = stand_in_config("Qwen/Qwen2.5-0.5B-Instruct", vocab_size=len(tok))
    cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id = (
        tok.pad_token_id, tok.bos_token_id, tok.eos_token_id)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg)
    model.generation_config.pad_token_id = tok.pad_token_id
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.bos_token_id = tok.bos_token_id
    assert type(model).__name__ == "Qwen2ForCausalLM"
    return save(model, tok, tmp_path_factory.mktemp("tiny_qwen") / "model")


def run(script: str, *args: str, launcher=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", HF_HUB_DISABLE_PROGRESS_BARS="1",
               PYTHONUNBUFFERED="1")
    cmd = (launcher or [sys.executable]) + [str(RECIPES / script), "--config",
                                            str(RECIPES / script.replace(".py", ".yaml")), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def load_recipe(name: str):
    """recipes/<name>.py as a module (importing it runs nothing: main() is behind __main__)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"recipe_{name}", RECIPES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
    spec.loader.exec_module(module)
    return module


def check(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit code {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_configs_parse_with_the_settings_the_lesson_describes():
    """The YAML files are read by the scripts' own parsers: a misspelt key would fail here."""
    sft, grpo = load_recipe("sft"), load_recipe("grpo")
    data, args, model = sft.make_parser().parse_args_and_config([
        "--config", str(RECIPES / "sft.yaml"), "--use_cpu", "true", "--bf16", "false"])
    assert (data.dataset_name, model.model_name_or_path) == ("openai/gsm8k", "Qwen/Qwen2.5-0.5B-Instruct")
    assert model.use_peft and (model.lora_r, model.lora_alpha) == (16, 32)
    assert len(model.lora_target_modules) == 7 and args.completion_only_loss
    data, args, model = grpo.make_parser().parse_args_and_config([
        "--config", str(RECIPES / "grpo.yaml"), "--use_cpu", "true", "--bf16", "false"])
    assert (args.num_generations, args.max_completion_length, args.beta) == (8, 256, 0.0)
    assert args.loss_type == "dapo" and args.report_to == [] and not args.activation_checkpointing
    assert args.generation_batch_size == 64  # 8 prompts x 8 completions per update on one device


def test_sft_recipe_trains_lora_on_a_local_file_and_saves_the_adapter(tiny_qwen, tmp_path):
    import json

    from lessons_lib.worlds.words import toy_word_problems

    data = tmp_path / "problems.jsonl"  # a local dataset in GSM8K's format, as a learner may bring
    data.write_text("".join(json.dumps({"question": r["question"], "answer": r["answer"]}) + "\n"
                            for r in toy_word_problems(12, seed=1)))
    out = tmp_path / "sft"
    stdout = check(run("sft.py", *CPU, "--model_name_or_path", str(tiny_qwen), "--output_dir", str(out),
                       "--per_device_train_batch_size", "2", "--dataset_name", str(data)))
    assert f"12 examples from local file {data}" in stdout
    assert (out / "adapter_model.safetensors").exists() and (out / "adapter_config.json").exists()
    assert not (out / "model.safetensors").exists()  # LoRA saves the adapter only
    trained = re.search(r"training ([\d,]+) of ([\d,]+) parameters", stdout)
    assert trained and 0 < int(trained[1].replace(",", "")) < int(trained[2].replace(",", ""))
    loss = re.search(r"2 updates, final loss ([\d.]+)", stdout)
    assert loss and float(loss[1]) > 0, stdout[-2000:]


def test_grpo_recipe_trains_the_full_model_and_saves_it(tiny_qwen, tmp_path):
    out = tmp_path / "grpo"
    stdout = check(run("grpo.py", *CPU, "--model_name_or_path", str(tiny_qwen), "--output_dir", str(out),
                       "--use_peft", "false", "--per_device_train_batch_size", "4",
                       "--gradient_accumulation_steps", "1", "--num_generations", "4",
                       "--max_completion_length", "16"))
    assert (out / "model.safetensors").exists() and (out / "tokenizer.json").exists()
    assert "1 prompt x 4 completions of at most 16 tokens" in stdout
    summary = re.search(r"2 updates, final loss \S+, reward ([\d.]+)", stdout)
    assert summary and 0 <= float(summary[1]) <= 2, stdout[-2000:]


def test_grpo_recipe_runs_under_accelerate_launch(tiny_qwen, tmp_path):
    """The several-GPU command, with one process on the CPU: the script is launcher-agnostic."""
    out = tmp_path / "grpo_launched"
    launcher = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "1",
                "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--cpu"]
    stdout = check(run("grpo.py", *CPU, "--model_name_or_path", str(tiny_qwen), "--output_dir", str(out),
                       "--per_device_train_batch_size", "4", "--gradient_accumulation_steps", "1",
                       "--num_generations", "4", "--max_completion_length", "8", launcher=launcher))
    assert (out / "adapter_model.safetensors").exists()  # LoRA, as in grpo.yaml
    assert "2 updates, final loss" in stdout


@pytest.mark.parametrize("script, what", [("sft.py", "model"), ("grpo.py", "dataset")])
def test_missing_model_or_dataset_is_a_clear_message(script, what, tiny_qwen, tmp_path):
    """No hub here: a model or dataset that is neither local nor cached stops the run at once."""
    missing = {"model": ["--model_name_or_path", str(tmp_path / "no_such_model")],
               "dataset": ["--model_name_or_path", str(tiny_qwen), "--dataset_name", "no-one/no-such-set"]}
    args = [a for a in CPU if a not in ("--dataset_name", "toy")] if what == "dataset" else CPU
    proc = run(script, *args, *missing[what], "--output_dir", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert f"recipes/{script}: could not load the {what}" in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "out").exists()  # it stopped before training
