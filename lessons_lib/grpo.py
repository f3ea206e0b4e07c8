"""Reinforcement learning with GRPO through trl's GRPOTrainer, with every setting written out.

GRPO (DeepSeek-Math, used for DeepSeek-R1-Zero) samples a *group* of completions per prompt, scores
each with the reward functions, and uses the reward minus the group's mean (divided by the group's
standard deviation) as the advantage of every token of that completion: no value model. A
completion better than its siblings is made more likely, a worse one less likely. The update is
PPO's clipped objective on the token probability ratios. Lesson 3 recomputes both by hand.

Settings that matter, and why they are what they are here:
    learning_rate 5e-5, constant   trl's default (1e-6) is made for billion-parameter models and
                                   barely moves a tiny one; 3e-4 made the base collapse in planning
    beta 0.0                       no KL penalty to a reference model (trl's default; DAPO and
                                   Dr. GRPO drop it too); saves a second model in memory
    loss_type "dapo"               token losses averaged over all tokens of the batch, so long
                                   completions are not favoured or punished for their length
    num_generations 8              the group size; the batch counts completions, so 64 = 8 prompts
    temperature 1.0                sample from the model as it is: exploration comes from there
    max_completion_length 96       room to spare for a 4-step thought in words (~50 tokens): at 64,
                                   truncated thoughts scored 0 and pass@1 after RL fell from 0.28
                                   to 0.17 (seed 0, 160 steps)
    epsilon 0.2                    the PPO clip range
    micro_batches 2                the step's 64 completions go through forward and backward in two
                                   halves (gradient accumulation): the same gradient, since "dapo"
                                   divides by the tokens of the whole step, and about 200 MB less
                                   peak memory (the backward pass of 64 x ~170 tokens is the peak)
    bf16 False, use_cpu            trl 1.x defaults to bf16 and gradient checkpointing: not on a CPU
"""
from __future__ import annotations

import tempfile

MAX_RL_STEPS = 10_000

RL_BUDGET = dict(steps=160, prompts_per_step=8, num_generations=8, lr=5e-5, temperature=1.0,
                 max_completion_length=96, prompts_per_step_count=400)
RL_BUDGET_SMOKE = dict(RL_BUDGET, steps=4, prompts_per_step=2, num_generations=4,
                       max_completion_length=32, prompts_per_step_count=8)


def rl_budget() -> dict:
    """Lesson 3's RL budget (the smoke version when LESSONS_SMOKE=1)."""
    from .runtime import smoke

    return dict(RL_BUDGET_SMOKE if smoke() else RL_BUDGET)


def grpo_config(steps: int, prompts_per_step: int = 8, num_generations: int = 8, lr: float = 5e-5,
                temperature: float = 1.0, max_completion_length: int = 96, beta: float = 0.0,
                loss_type: str = "dapo", seed: int = 0, device: str = "cpu", logging_steps: int = 1,
                output_dir: str | None = None, micro_batches: int = 2, **extra):
    """A GRPOConfig for a short, fixed-step run. `extra` overrides any GRPOConfig field."""
    from trl import GRPOConfig

    from .runtime import check_lr, check_steps, trainer_settings

    check_steps(steps, MAX_RL_STEPS)
    if not isinstance(num_generations, int) or num_generations < 2:
        raise ValueError(f"num_generations must be an int of at least 2 (GRPO compares completions "
                         f"of one prompt with each other), got {num_generations!r}")
    if not isinstance(prompts_per_step, int) or prompts_per_step < 1:
        raise ValueError(f"prompts_per_step must be a positive int, got {prompts_per_step!r}")
    check_lr(lr, example="5e-5")
    completions = prompts_per_step * num_generations
    if not isinstance(micro_batches, int) or micro_batches < 1 or completions % micro_batches:
        raise ValueError(f"micro_batches must be a positive int that divides the {completions} "
                         f"completions of a step (prompts_per_step x num_generations), "
                         f"got {micro_batches!r}")
    cfg = dict(
        output_dir=output_dir or tempfile.mkdtemp(prefix="grpo-"),
        max_steps=steps,
        # counts completions; one step generates them all at once, then trains in micro-batches
        per_device_train_batch_size=completions // micro_batches,
        gradient_accumulation_steps=micro_batches,
        num_generations=num_generations,
        learning_rate=lr,
        lr_scheduler_type="constant",
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        beta=beta,
        loss_type=loss_type,
        scale_rewards="group",
        epsilon=0.2,
        num_iterations=1,
        temperature=temperature,
        top_p=1.0,
        top_k=0,
        max_completion_length=max_completion_length,
        mask_truncated_completions=False,
        seed=seed,
        data_seed=seed,
        log_completions=False,
        **trainer_settings(device, logging_steps),  # bf16 and checkpointing off, quiet, no saving
    )
    cfg.update(extra)
    return GRPOConfig(**cfg)


def train_grpo(model, tokenizer, dataset, reward_funcs, steps: int, reward_weights=None,
               callbacks=None, **config):
    """Run GRPO on `dataset` (a 'prompt' column plus columns the rewards read) for `steps` steps.

    Returns the trainer; `trainer.state.log_history` holds trl's metrics at every step.
    """
    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOTrainer

    if "prompt" not in dataset.column_names:
        raise ValueError(f"the dataset needs a 'prompt' column; it has {dataset.column_names}. "
                         "Build it with lessons_lib.r1.rl_dataset().")
    args = grpo_config(steps, reward_weights=reward_weights, **config)
    trainer = GRPOTrainer(model=model, reward_funcs=reward_funcs, args=args, train_dataset=dataset,
                          processing_class=tokenizer, callbacks=callbacks)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return trainer
