"""Supervised fine-tuning (SFT) on grade-school word problems, in R1-Zero's <think>/<answer> format.

Lesson 8's recipe for a real run: a hub model (Qwen/Qwen2.5-0.5B-Instruct in sft.yaml), GSM8K's
worked solutions as the thoughts and its final answers in the answer tags
(lessons_lib.worlds.words.r1_sft_record), LoRA adapters on every linear layer, trl's SFTTrainer.
The loss is on the completion only (thought and answer), not on the prompt.

    python recipes/sft.py --config recipes/sft.yaml                                 # one GPU
    accelerate launch --num_processes 4 recipes/sft.py --config recipes/sft.yaml    # 4 GPUs, data parallel

Every setting is in the YAML file; any of them can be overridden on the command line, e.g.
`--learning_rate 5e-5`, `--n_examples 1000`, or full fine-tuning with
`--use_peft false --learning_rate 1e-5 --dtype float32`.

Needs: a GPU with bf16 (any since NVIDIA Ampere), and the Hugging Face hub, or its local cache,
for the model and for GSM8K. Without the hub, `--model_name_or_path` must be a local folder holding
a saved model, and `--dataset_name` a local JSON-lines file with 'question' and 'answer' columns,
or `toy` for the course's offline word problems.

Writes to output_dir: the LoRA adapter (or the whole model without LoRA), the tokenizer, and
checkpoints every save_steps updates (resume with `--resume_from_checkpoint output_dir/checkpoint-N`).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # recipes/common.py, also when imported
from common import DataArguments, load_data_and_model  # noqa: E402

PROG = "recipes/sft.py"


def main(data_args, training_args, model_args) -> None:
    from trl import SFTTrainer, get_peft_config

    from lessons_lib.lora import parameter_counts
    from lessons_lib.worlds.words import r1_sft_record

    dataset, where, model, tokenizer = load_data_and_model(PROG, data_args, training_args, model_args,
                                                           r1_sft_record)

    trainer = SFTTrainer(model=model, args=training_args, train_dataset=dataset,
                         processing_class=tokenizer, peft_config=get_peft_config(model_args))
    say = trainer.accelerator.print  # prints on the main process only
    counts = parameter_counts(trainer.model)
    say(f"{PROG}: {len(dataset):,} examples from {where}")
    say(f"{PROG}: training {counts['trainable']:,} of {counts['total']:,} parameters "
        f"({counts['share']:.2%}{', LoRA' if model_args.use_peft else ''})")

    result = trainer.train(resume_from_checkpoint=training_args.resume_from_checkpoint)
    trainer.save_model(training_args.output_dir)  # the adapter only, with LoRA; and the tokenizer

    losses = [row["loss"] for row in trainer.state.log_history if "loss" in row]
    last = f"final loss {losses[-1]:.4f}, " if losses else ""
    say(f"{PROG}: {trainer.state.global_step} updates, {last}mean loss {result.training_loss:.4f}; "
        f"saved to {training_args.output_dir}")
    trainer.end()  # finish the trackers and the process group (several GPUs)


def make_parser():
    from trl import ModelConfig, SFTConfig, TrlParser

    return TrlParser((DataArguments, SFTConfig, ModelConfig), prog=PROG)


if __name__ == "__main__":
    main(*make_parser().parse_args_and_config())
