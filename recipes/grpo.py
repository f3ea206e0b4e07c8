"""Reinforcement learning with GRPO on grade-school word problems, rewarded like DeepSeek-R1-Zero.

Lesson 8's recipe for a real run: a hub model (Qwen/Qwen2.5-0.5B-Instruct in grpo.yaml) reads each
GSM8K question in R1-Zero's prompt (lessons_lib.worlds.words.r1_rl_row), writes a group of
completions, and trl's GRPOTrainer makes the better ones of each group more likely. Two rule-based
rewards, no reward model (lessons_lib.rewards):

    number_format_reward 1 for exactly <think>...</think><answer>one number</answer>, else 0
    math_verify_reward   1 when math-verify reads the true answer in the <answer> block, else 0

    python recipes/grpo.py --config recipes/grpo.yaml                                 # one GPU
    accelerate launch --num_processes 4 recipes/grpo.py --config recipes/grpo.yaml    # 4 GPUs, data parallel
    ... --use_vllm true --vllm_mode colocate     # generate with vLLM on the training GPUs (pip install vllm)

Every setting is in the YAML file; any of them can be overridden on the command line, e.g.
`--max_steps 100`, `--num_generations 16`, or full fine-tuning with
`--use_peft false --learning_rate 1e-5 --dtype float32`. Generation takes most of an update's time.

Needs: a GPU with bf16 (any since NVIDIA Ampere), and the Hugging Face hub, or its local cache,
for the model and for GSM8K. Without the hub, `--model_name_or_path` must be a local folder holding
a saved model (e.g. one that recipes/sft.py trained, merged), and `--dataset_name` a local
JSON-lines file with 'question' and 'answer' columns, or `toy` for the course's offline word problems.

Writes to output_dir: the LoRA adapter (or the whole model without LoRA), the tokenizer, and
checkpoints every save_steps updates (resume with `--resume_from_checkpoint output_dir/checkpoint-N`).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # recipes/common.py, also when imported
from common import DataArguments, load_data_and_model  # noqa: E402

PROG = "recipes/grpo.py"


def main(data_args, training_args, model_args) -> None:
    from trl import GRPOTrainer, get_peft_config

    from lessons_lib.grpo import require_reward_columns
    from lessons_lib.lora import parameter_counts
    from lessons_lib.rewards import math_verify_reward, number_format_reward
    from lessons_lib.worlds.words import r1_rl_row

    reward_funcs = [number_format_reward, math_verify_reward]  # weighted by reward_weights (default 1, 1)
    dataset, where, model, tokenizer = load_data_and_model(
        PROG, data_args, training_args, model_args, r1_rl_row,
        check=lambda ds: require_reward_columns(reward_funcs, ds.column_names))

    trainer = GRPOTrainer(model=model, reward_funcs=reward_funcs, args=training_args,
                          train_dataset=dataset, processing_class=tokenizer,
                          peft_config=get_peft_config(model_args))
    say = trainer.accelerator.print  # prints on the main process only
    counts = parameter_counts(trainer.model)
    args = trainer.args
    prompts = args.generation_batch_size // args.num_generations
    say(f"{PROG}: {len(dataset):,} prompts from {where}")
    say(f"{PROG}: training {counts['trainable']:,} of {counts['total']:,} parameters "
        f"({counts['share']:.2%}{', LoRA' if model_args.use_peft else ''}); each generation round: "
        f"{prompts} prompt{'s' * (prompts != 1)} x {args.num_generations} "
        f"completions of at most {args.max_completion_length} tokens")

    trainer.train(resume_from_checkpoint=training_args.resume_from_checkpoint)
    trainer.save_model(training_args.output_dir)  # the adapter only, with LoRA; and the tokenizer

    logs = [row for row in trainer.state.log_history if "reward" in row]
    last = logs[-1] if logs else {}
    summary = ", ".join(f"{name} {last[key]:.3f}" for name, key in (
        ("final loss", "loss"), ("reward", "reward"),
        ("format", "rewards/number_format_reward/mean"), ("correct", "rewards/math_verify_reward/mean"))
        if key in last)
    say(f"{PROG}: {trainer.state.global_step} updates{', ' + summary if summary else ''}; "
        f"saved to {training_args.output_dir}")
    trainer.end()  # finish the trackers and the process group (several GPUs)


def make_parser():
    from trl import GRPOConfig, ModelConfig, TrlParser

    return TrlParser((DataArguments, GRPOConfig, ModelConfig), prog=PROG)


if __name__ == "__main__":
    main(*make_parser().parse_args_and_config())
