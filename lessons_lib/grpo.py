"""Reinforcement learning with GRPO through trl's GRPOTrainer, with every setting written out.

GRPO (DeepSeek-Math, used for DeepSeek-R1-Zero) samples a *group* of completions per prompt, scores
each with the reward functions, and uses the reward minus the group's mean (divided by the group's
standard deviation) as the advantage of every token of that completion: no value model. A
completion better than its siblings is made more likely, a worse one less likely. The update is
PPO's clipped objective on the token probability ratios. Lesson 3 recomputes both by hand.

Settings that matter, and why they are what they are here:
    lr 5e-5, constant              trl's default (1e-6) is made for billion-parameter models and
                                   barely moves a tiny one; 3e-4 made the base collapse in planning
    beta 0.0                       no KL penalty to a reference model (trl's default; DAPO and
                                   Dr. GRPO drop it too); saves a second model in memory
    loss_type "dapo"               token losses averaged over all tokens of the batch, so long
                                   completions are not favoured or punished for their length
    num_generations 8              the group size; an update trains on 8 prompts x 8 = 64 completions
    temperature 1.0                sample from the model as it is: exploration comes from there
    max_completion_length 96       room to spare for a 4-step thought in words (~50 tokens): at 64,
                                   truncated thoughts scored 0 and pass@1 after RL fell from 0.28
                                   to 0.17 (seed 0, 160 updates)
    epsilon 0.2                    the PPO clip range
    micro_batches 2                an update's 64 completions go through forward and backward in two
                                   halves (gradient accumulation): the same gradient, since "dapo"
                                   divides by the tokens of the whole update, and about 200 MB less
                                   peak memory (the backward pass of 64 x ~170 tokens is the peak)
    bf16 False, use_cpu            trl 1.x defaults to bf16 and gradient checkpointing: not on a CPU

The course says "updates" for optimizer steps ("steps" is the number of operations of a problem).
The run's size and sampling settings are one `RLBudget` (`rl_budget()` gives lesson 3's); make a
variant with `dataclasses.replace(budget, lr=1e-3, updates=60)`.
"""
from __future__ import annotations

import dataclasses
import inspect
import tempfile

from . import trl_internals

MAX_RL_UPDATES = 10_000
# trl 1.16's GRPOConfig.loss_type values (it checks them only once training has started)
LOSS_TYPES = ("grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo", "luspo", "vespo")


@dataclasses.dataclass(frozen=True)
class RLBudget:
    """Lesson 3's RL budget: how long GRPO runs and how it samples.

    updates                          optimizer updates
    prompts_per_update               prompts sampled per update
    num_generations                  completions per prompt (the GRPO group, at least 2)
    lr                               learning rate (constant)
    temperature                      sampling temperature (> 0)
    max_completion_length            most new tokens per completion
    train_problems_per_step_count    training problems per step count in the RL dataset

    Every field is checked when a budget is made, so a misspelt or out-of-range field raises at
    once: `dataclasses.replace(budget, lr=1e-3, updates=60)` makes a variant.
    """

    updates: int = 160
    prompts_per_update: int = 8
    num_generations: int = 8
    lr: float = 5e-5
    temperature: float = 1.0
    max_completion_length: int = 96
    train_problems_per_step_count: int = 400

    def __post_init__(self):
        from .runtime import require_int, require_lr, require_updates

        require_updates(self.updates, MAX_RL_UPDATES)
        require_int(self.prompts_per_update, "prompts_per_update")
        require_int(self.num_generations, "num_generations", least=2,
                  why=" (GRPO compares completions of one prompt with each other)")
        require_lr(self.lr, example="5e-5")
        t = self.temperature
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t < float("inf"):
            raise ValueError(f"temperature must be a number above 0 (1.0 samples from the model as it "
                             f"is; near 0 is almost greedy, which gives GRPO no spread), got {t!r}")
        require_int(self.max_completion_length, "max_completion_length",
                  why=" (the most new tokens per completion, e.g. 96)")
        require_int(self.train_problems_per_step_count, "train_problems_per_step_count")

    @property
    def completions_per_update(self) -> int:
        return self.prompts_per_update * self.num_generations

    def smoke(self) -> RLBudget:
        """The smoke-mode variant (CI): a few short updates of small groups."""
        return dataclasses.replace(self, updates=4, prompts_per_update=2, num_generations=4,
                                   max_completion_length=32, train_problems_per_step_count=8)


def rl_budget() -> RLBudget:
    """Lesson 3's RL budget (its smoke variant when LESSONS_SMOKE=1)."""
    from .runtime import for_mode

    return for_mode(RLBudget())


# GRPOConfig fields the budget (or micro_batches) sets: passing them in `extra` would give a run two
# values for one setting.
_FROM_BUDGET = {"max_steps": "updates", "learning_rate": "lr", "temperature": "temperature",
                "num_generations": "num_generations", "max_completion_length": "max_completion_length",
                "per_device_train_batch_size": "micro_batches",
                "gradient_accumulation_steps": "micro_batches"}


def _check_budget(budget, caller: str) -> None:
    if not isinstance(budget, RLBudget):
        raise TypeError(f"{caller} takes an RLBudget, got {type(budget).__name__} ({budget!r}); "
                        "use rl_budget(), or a variant: dataclasses.replace(rl_budget(), updates=20)")


def _check_extra(extra: dict, caller: str) -> None:
    fields = {f.name for f in dataclasses.fields(RLBudget)}
    for key in extra:
        if key in fields or key in _FROM_BUDGET:
            field = key if key in fields else _FROM_BUDGET[key]
            how = ("pass micro_batches=..." if field == "micro_batches"
                   else f"make a variant of the budget: dataclasses.replace(budget, {field}=...)")
            raise TypeError(f"{caller}: {key!r} is set by the budget, not by a keyword; {how}")


def rl_fields(budget: RLBudget, seed: int = 0, device: str = "cpu", logging_steps: int = 1,
              output_dir: str | None = None, micro_batches: int = 2, beta: float = 0.0) -> dict:
    """The config fields every trl RL trainer the course runs takes from an RLBudget (GRPOConfig,
    and RLOOConfig in lesson 6): the one place a budget becomes trl settings."""
    from .runtime import trainer_settings

    completions = budget.completions_per_update
    return dict(
        output_dir=output_dir or tempfile.mkdtemp(prefix="rl-"),
        max_steps=budget.updates,
        # counts completions; one update generates them all at once, then trains in micro-batches
        per_device_train_batch_size=completions // micro_batches,
        gradient_accumulation_steps=micro_batches,
        num_generations=budget.num_generations,
        learning_rate=budget.lr,
        lr_scheduler_type="constant",
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        beta=beta,
        epsilon=0.2,
        num_iterations=1,
        temperature=budget.temperature,
        top_p=1.0,
        top_k=0,
        max_completion_length=budget.max_completion_length,
        seed=seed,
        data_seed=seed,
        log_completions=False,
        **trainer_settings(device, logging_steps),  # bf16 and checkpointing off, quiet, no saving
    )


def grpo_config(budget: RLBudget, seed: int = 0, device: str = "cpu", logging_steps: int = 1,
                output_dir: str | None = None, micro_batches: int = 2, beta: float = 0.0,
                loss_type: str = "dapo", **extra):
    """A GRPOConfig for a run of exactly `budget.updates` updates, every setting written out.

    `extra` overrides any other GRPOConfig field (trl's own names: `logging_steps` counts updates).
    """
    from trl import GRPOConfig

    _check_budget(budget, "grpo_config")
    _check_extra(extra, "grpo_config")
    completions = budget.completions_per_update
    if not isinstance(micro_batches, int) or isinstance(micro_batches, bool) or micro_batches < 1 \
            or completions % micro_batches:
        raise ValueError(f"micro_batches must be a positive int that divides the {completions} "
                         f"completions of an update (prompts_per_update x num_generations), "
                         f"got {micro_batches!r}")
    if loss_type not in LOSS_TYPES:
        raise ValueError(f"unknown loss_type {loss_type!r}: trl's GRPO offers {LOSS_TYPES}; "
                         "the course uses 'dapo'")
    if not isinstance(beta, (int, float)) or isinstance(beta, bool) or not 0 <= beta < float("inf"):
        raise ValueError(f"beta (the KL penalty's weight) must be a number of at least 0, got {beta!r}")
    cfg = rl_fields(budget, seed, device, logging_steps, output_dir or tempfile.mkdtemp(prefix="grpo-"),
                    micro_batches, beta)
    cfg.update(
        # GRPO's paper adds the KL estimate as it is; trl 1.x multiplies it by the ratio by default
        # (DeepSeek-V3.2's correction). Written out, so a run with beta > 0 is the published GRPO.
        use_bias_correction_kl=False,
        loss_type=loss_type,
        scale_rewards="group",
        mask_truncated_completions=False,
    )
    cfg.update(extra)
    return GRPOConfig(**cfg)


# What trl's GRPOTrainer passes to every reward function besides the dataset's columns, and the
# dataset columns it does not pass on (trl internals: lessons_lib.trl_internals checks both).
_TRL_REWARD_ARGS = trl_internals.REWARD_ARGS
_NOT_PASSED = trl_internals.NOT_PASSED


def require_reward_columns(reward_funcs, column_names) -> None:
    """Raise a ValueError, before any training, if a reward function cannot be called on the data.

    trl calls each reward function with `prompts`, `completions`, `completion_ids`,
    `trainer_state`, `log_extra`, `log_metric` and every dataset column except 'prompt' as keyword
    arguments: a required parameter must be one of those, and a function without **kwargs must
    accept them all.
    """
    funcs = reward_funcs if isinstance(reward_funcs, (list, tuple)) else [reward_funcs]
    columns = [c for c in column_names if c not in _NOT_PASSED]
    passed = _TRL_REWARD_ARGS | set(columns)
    for fn in funcs:
        if not callable(fn) or isinstance(fn, str) or hasattr(fn, "forward"):
            continue  # a reward model (a name or a module): trl feeds it text, not columns
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature: nothing to check
            continue
        name = getattr(fn, "__name__", repr(fn))
        var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
        for p in params:
            if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                continue
            if p.default is p.empty and p.name not in passed:
                raise ValueError(
                    f"the reward function {name} needs {p.name!r}, which trl passes only as a "
                    f"dataset column, but the dataset has the columns {list(column_names)}. Add a "
                    f"{p.name!r} column (lessons_lib.worlds.chain_rl.rl_dataset() has 'answer', 'steps' and 'language'), or "
                    f"give the parameter a default.")
        if not var_kw:
            unknown = sorted(passed - {p.name for p in params})
            if unknown:
                raise ValueError(
                    f"the reward function {name} does not accept {unknown}, which trl passes to "
                    "every reward function: add **kwargs to its parameters.")


def rollout_for(model, device: str = "cpu", fast_sampler: bool | None = None):
    """The `rollout_func` to hand trl: the course's sampler (lessons_lib.sampler) or None (trl
    samples with model.generate).

    fast_sampler None picks the sampler on a CPU for a model it runs (a plain Llama or Qwen, no
    LoRA adapters), True insists on it (a ValueError says why it cannot), False never uses it.
    """
    from .sampler import require_supported, grpo_rollout, unsupported

    if fast_sampler is None:
        return grpo_rollout if device == "cpu" and unsupported(model) is None else None
    if fast_sampler:
        require_supported(model)
        return grpo_rollout
    return None


def grpo_trainer(model, tokenizer, dataset, reward_funcs, args, callbacks=None, device: str = "cpu",
                 fast_sampler: bool | None = None, share_prefix: bool = True):
    """trl's GRPOTrainer for `args`, with the course's two speed-ups (each the same computation):

    fast_sampler    sample with lessons_lib.sampler where it runs the model (see rollout_for)
    share_prefix    run the prompt prefix all rows share once in the loss pass
                    (lessons_lib.shared_prefix); False gives trl's GRPOTrainer itself
    """
    import warnings

    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOTrainer

    from .shared_prefix import SharedPrefixGRPOTrainer

    trainer_class = SharedPrefixGRPOTrainer if share_prefix else GRPOTrainer
    rollout = rollout_for(model, device, fast_sampler)
    if rollout is not None:
        trl_internals.verify_rollout_hook()
    with warnings.catch_warnings():
        # trl 1.16 calls rollout_func experimental; the course pins trl and tests the hook
        warnings.filterwarnings("ignore", message=trl_internals.ROLLOUT_WARNING)
        trainer = trainer_class(model=model, reward_funcs=reward_funcs, args=args, train_dataset=dataset,
                                processing_class=tokenizer, callbacks=callbacks,
                                **{trl_internals.ROLLOUT_KWARG: rollout})
    trainer.remove_callback(PrinterCallback)
    return trainer


def train_grpo(model, tokenizer, dataset, reward_funcs, budget: RLBudget, reward_weights=None,
               callbacks=None, seed: int = 0, device: str = "cpu", fast_sampler: bool | None = None,
               share_prefix: bool = True, **extra):
    """Run GRPO on `dataset` (a 'prompt' column plus the columns the rewards read) for
    `budget.updates` updates. `extra` goes to grpo_config (micro_batches, beta, GRPOConfig fields).

    Two speed-ups change how, not what, it computes (see grpo_trainer): the course's sampler
    (fast_sampler=False: trl samples with model.generate) and the shared prompt prefix
    (share_prefix=False: trl's own loss pass).

    Everything is checked before the trainer is built: the budget, the settings, the 'prompt'
    column and the columns each reward function needs. Returns the trainer;
    `trainer.state.log_history` holds trl's metrics at every update.
    """
    _check_budget(budget, "train_grpo")
    if "prompt" not in dataset.column_names:
        raise ValueError(f"the dataset needs a 'prompt' column; it has {dataset.column_names}. "
                         "Build it with lessons_lib.worlds.chain_rl.rl_dataset().")
    require_reward_columns(reward_funcs, dataset.column_names)
    args = grpo_config(budget, seed=seed, device=device, reward_weights=reward_weights, **extra)
    trainer = grpo_trainer(model, tokenizer, dataset, reward_funcs, args, callbacks, device, fast_sampler,
                           share_prefix)
    trainer.train()
    model.eval()
    return trainer


def trl_loss(model, tokenizer, prompt_ids, prompt_mask, completion_ids, completion_mask, advantages,
             old_logps, ref_logps=None, loss_type: str = "grpo", beta: float = 0.0, epsilon: float = 0.2,
             epsilon_high: float | None = None, max_completion_length: int | None = None,
             use_bias_correction_kl: bool = False) -> float:
    """trl's GRPO loss on one fixed batch, through GRPOTrainer.compute_loss: no sampling, no update.

    What a hand-written loss is checked against (lesson 6). The batch is trl's own layout: prompt and
    completion token ids with their masks, one advantage per completion, the log-probabilities the
    completions had when sampled (`old_logps`, [B, T]) and, with beta > 0, under the reference model.
    """
    from datasets import Dataset

    if beta and not getattr(model.config, "_name_or_path", ""):
        raise ValueError("with beta > 0 trl loads the reference model from the policy's folder, and this "
                         "model has none: save it (models.save) and load it back (models.load) first")
    budget = dataclasses.replace(RLBudget().smoke(), prompts_per_update=1,
                                 num_generations=int(completion_ids.shape[0]),
                                 max_completion_length=max_completion_length or int(completion_ids.shape[1]))
    args = grpo_config(budget, micro_batches=1, beta=beta, loss_type=loss_type, epsilon=epsilon,
                       epsilon_high=epsilon if epsilon_high is None else epsilon_high, logging_steps=1,
                       use_bias_correction_kl=use_bias_correction_kl)
    trainer = grpo_trainer(model, tokenizer, Dataset.from_list([{"prompt": "x"}]),
                           [lambda completions, **kw: [0.0] * len(completions)], args, share_prefix=False,
                           fast_sampler=False)
    inputs = dict(prompt_ids=prompt_ids, prompt_mask=prompt_mask, completion_ids=completion_ids,
                  completion_mask=completion_mask, advantages=advantages, old_per_token_logps=old_logps,
                  num_items_in_batch=completion_mask.sum())
    if beta:
        inputs["ref_per_token_logps"] = ref_logps
    model.train()
    loss = trl_internals.loss_on_batch(trainer, model, inputs)  # trainer.compute_loss, checked
    model.eval()
    return float(loss.detach())
