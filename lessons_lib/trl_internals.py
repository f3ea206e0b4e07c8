"""Every part of trl the course relies on that trl does not promise to keep, in one place.

trl's public API (GRPOConfig, GRPOTrainer(...), SFTTrainer, RLOOTrainer) is not listed here. What is
listed are the private methods the course overrides or replaces, the attributes it reads, and the
layouts it builds by hand; a trl release can change any of them without notice. Each hook below
names what the course expects (the method, its parameters, the keys and attributes) and has a
`check_...` function that raises TrlInternalsError, naming the trl version CI tests, when the
installed trl does not have it. The library reaches each internal through this module, and
tests/test_trl_internals.py runs every check, so a trl upgrade that moves one fails there first.

    hook                  trl internal                                    used by
    loss pass             GRPOTrainer._get_per_token_logps_and_entropies  shared_prefix (overrides it)
    fused LM head         model(..., labels, fused_lm_head=True) after     shared_prefix (calls it)
                          trl.trainer.utils.add_fused_lm_head
    rollout hook          GRPOTrainer(rollout_func=...), trainer.rollout_func,  grpo, sampler,
                          its (prompts, trainer) -> {prompt_ids, completion_ids,  algorithms
                          logprobs, **extra fields} contract
    rollout context       trainer.args, .processing_class, .model, .accelerator,  sampler,
                          .eos_token_ids, .num_generations                         algorithms
    sampling defaults     GRPOConfig top_k/top_p/min_p/repetition_penalty no-ops   sampler
    train sampler         GRPOTrainer._get_train_sampler(dataset=None), read by    algorithms
                          transformers' Trainer through sampler_fn; trl's
                          RepeatSampler layout
    loss on a batch       GRPOTrainer.compute_loss(model, inputs) on a hand-made   grpo.trl_loss
                          batch, with trainer.current_gradient_accumulation_steps
    reward arguments      the keyword arguments trl passes every reward function  grpo.require_reward_columns
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable

TESTED_TRL = "1.16.0"  # constraints.txt's pin (tests/test_trl_internals.py checks they agree)


class TrlInternalsError(RuntimeError):
    """The installed trl lacks an internal the course relies on (or has it in another form)."""


def _trl_version() -> str:
    import trl

    return getattr(trl, "__version__", "unknown")


def _fail(hook: str, what: str, problem: str):
    raise TrlInternalsError(
        f"lessons_lib relies on trl's {what} ({hook}), but the installed trl {_trl_version()} "
        f"{problem}. The course is tested with trl=={TESTED_TRL}: install the tested versions with "
        f"`pip install -c constraints.txt -e .` (or `pip install trl=={TESTED_TRL}`), or adapt "
        f"lessons_lib/trl_internals.py to this trl.")


def _params(fn) -> list[inspect.Parameter]:
    return list(inspect.signature(fn).parameters.values())


def _expect_params(hook: str, what: str, fn, names: Iterable[str], defaults: dict | None = None):
    """`fn`'s parameters start with `names` in this order, with these defaults."""
    if fn is None or not callable(fn):
        _fail(hook, what, "does not have it")
    params = _params(fn)
    got = [p.name for p in params]
    names = list(names)
    if got[:len(names)] != names:
        _fail(hook, what, f"has the parameters {got}, not {names} first")
    for name, default in (defaults or {}).items():
        p = next(p for p in params if p.name == name)
        if p.default is inspect.Parameter.empty or p.default != default:
            _fail(hook, what, f"gives {name!r} the default {p.default!r}, not {default!r}")
    return params


def _source(hook: str, what: str, fn) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        _fail(hook, what, "has no readable source")


def _expect_in_source(hook: str, what: str, fn, needles: Iterable[str]) -> None:
    src = _source(hook, what, fn)
    missing = [n for n in needles if n not in src]
    if missing:
        _fail(hook, what, f"no longer contains {missing} in {getattr(fn, '__qualname__', fn)}")


def _grpo():
    from trl import GRPOTrainer

    return GRPOTrainer


# --- loss pass ---------------------------------------------------------------------------------

LOSS_PASS = "_get_per_token_logps_and_entropies"
LOSS_PASS_PARAMS = ("self", "model", "input_ids", "attention_mask", "logits_to_keep", "batch_size",
                    "compute_entropy", "compute_aux_loss")
LOSS_PASS_DEFAULTS = {"batch_size": None, "compute_entropy": False, "compute_aux_loss": False}


def verify_loss_pass() -> None:
    """GRPOTrainer._get_per_token_logps_and_entropies(model, input_ids, attention_mask,
    logits_to_keep, batch_size=None, compute_entropy=False, compute_aux_loss=False, <multimodal
    inputs>=None) -> (logps [B, logits_to_keep], entropies or None, aux loss or None): the pass
    SharedPrefixGRPOTrainer overrides and falls back to."""
    what = f"GRPOTrainer.{LOSS_PASS}"
    params = _expect_params("loss pass", what, getattr(_grpo(), LOSS_PASS, None), LOSS_PASS_PARAMS,
                            LOSS_PASS_DEFAULTS)
    extra = [p for p in params[len(LOSS_PASS_PARAMS):] if p.kind is not p.VAR_KEYWORD]
    if any(p.default is not None for p in extra):
        _fail("loss pass", what, f"has parameters beyond {list(LOSS_PASS_PARAMS)} that are not optional "
                                 f"inputs defaulting to None: {[p.name for p in extra]}")
    _expect_in_source("loss pass", what, getattr(_grpo(), LOSS_PASS),
                      ["return logps, entropies, aux_loss", "[:, -logits_to_keep:]"])


def multimodal_inputs() -> tuple[str, ...]:
    """The optional (multimodal) inputs of the loss pass, each None for a text model."""
    return tuple(p.name for p in _params(getattr(_grpo(), LOSS_PASS))[len(LOSS_PASS_PARAMS):]
                 if p.kind is not p.VAR_KEYWORD)


# --- fused LM head -------------------------------------------------------------------------------

FUSED_HEAD_KWARG = "fused_lm_head"  # model(..., labels=labels, fused_lm_head=True)
FUSED_HEAD_OUTPUTS = ("log_probs", "entropy")  # the fields the loss pass reads from its output


def verify_fused_lm_head() -> None:
    """GRPOTrainer patches its model with trl.trainer.utils.add_fused_lm_head(model, temperature,
    cast_lm_head_to_fp32, outputs) so that `model(..., labels=labels, fused_lm_head=True)` returns
    per-token `log_probs` and `entropy` (of the logits divided by the temperature) where labels are
    not -100; the shared-prefix pass calls the model the same way, with a KV cache and positions."""
    try:
        from trl.trainer.utils import add_fused_lm_head
    except ImportError:
        add_fused_lm_head = None
    _expect_params("fused LM head", "trl.trainer.utils.add_fused_lm_head", add_fused_lm_head,
                   ("model", "temperature", "cast_lm_head_to_fp32", "outputs"))
    _expect_in_source("fused LM head", "GRPOTrainer's fused LM head", _grpo().__init__,
                      ["add_fused_lm_head(", "temperature=self.temperature", '"log_probs", "entropy"'])
    _expect_in_source("fused LM head", "GRPOTrainer's fused LM head", getattr(_grpo(), LOSS_PASS),
                      [f"{FUSED_HEAD_KWARG}=True", "outputs.log_probs", "outputs.entropy"])


# --- rollout hook ----------------------------------------------------------------------------------

ROLLOUT_KWARG = "rollout_func"
ROLLOUT_KEYS = ("prompt_ids", "completion_ids", "logprobs")  # what a rollout_func must return
ROLLOUT_WARNING = ".*rollout_func.*experimental.*"  # trl 1.16 warns that the hook is experimental


def verify_rollout_hook() -> None:
    """GRPOTrainer(..., rollout_func=f) stores f as trainer.rollout_func and, at each generation,
    calls f(prompts, trainer) -> {prompt_ids, completion_ids, logprobs, **extra}: token id lists,
    one per prompt, and extra fields that go to the reward functions in place of the dataset's
    columns. (Replacing trainer.rollout_func after construction works the same way.)"""
    grpo = _grpo()
    init = [p.name for p in _params(grpo.__init__)]
    if ROLLOUT_KWARG not in init:
        _fail("rollout hook", "GRPOTrainer(rollout_func=...)", f"has no {ROLLOUT_KWARG} parameter")
    _expect_in_source("rollout hook", "GRPOTrainer.__init__", grpo.__init__,
                      [f"self.rollout_func = {ROLLOUT_KWARG}"])
    _expect_in_source("rollout hook", "GRPOTrainer._generate", getattr(grpo, "_generate", None),
                      ["self.rollout_func(prompts, self)", "extra_fields"]
                      + [f'"{k}"' for k in ROLLOUT_KEYS])


def rollout_output(prompt_ids, completion_ids, logprobs=None, **extra) -> dict:
    """What a rollout_func returns to trl (ROLLOUT_KEYS, then the extra fields for the rewards)."""
    return {"prompt_ids": prompt_ids, "completion_ids": completion_ids, "logprobs": logprobs, **extra}


def set_rollout_func(trainer, fn: Callable) -> None:
    """Make `trainer` generate through `fn(prompts, trainer)` (after construction)."""
    verify_rollout_hook()
    trainer.rollout_func = fn


# --- rollout context ---------------------------------------------------------------------------------

ROLLOUT_ATTRIBUTES = ("args", "processing_class", "model", "accelerator", "eos_token_ids",
                      "num_generations")


def verify_rollout_context(trainer=None) -> None:
    """A rollout_func reads trainer.args (temperature, max_completion_length and the sampling
    settings), .processing_class (the tokenizer), .model through .accelerator.unwrap_model,
    .eos_token_ids (the ids that end a completion) and .num_generations (the group size). With a
    `trainer`, checks that it has them; else that GRPOTrainer.__init__ sets the last two."""
    if trainer is None:
        _expect_in_source("rollout context", "GRPOTrainer's attributes", _grpo().__init__,
                          ["self.eos_token_ids =", "self.num_generations ="])
        return
    missing = [a for a in ROLLOUT_ATTRIBUTES if not hasattr(trainer, a)]
    if missing:
        _fail("rollout context", "GRPOTrainer's attributes", f"gives the trainer no {missing}")


def rollout_context(trainer) -> dict:
    """What a rollout_func needs from `trainer`: args, tokenizer, the unwrapped model, eos ids and
    the group size (None if the trainer has none: a stand-in trainer of a test)."""
    return {"args": trainer.args, "tokenizer": trainer.processing_class,
            "model": trainer.accelerator.unwrap_model(trainer.model),
            "eos_token_ids": trainer.eos_token_ids,
            "num_generations": getattr(trainer, "num_generations", None)}


# --- sampling defaults ---------------------------------------------------------------------------------

# GRPOConfig's sampling settings the course's sampler does not implement, with the values that are
# no-ops (the sampler refuses any other); GRPOConfig's defaults must be among them.
SAMPLING_NO_OPS = {"top_k": (0, None), "top_p": (1.0, None), "min_p": (None, 0.0),
                   "repetition_penalty": (1.0, None)}


def verify_sampling_defaults() -> None:
    """GRPOConfig's defaults for top_k, top_p, min_p and repetition_penalty are no-ops, and it has
    `generation_kwargs` (None by default), `temperature` and `max_completion_length`."""
    import dataclasses

    from trl import GRPOConfig

    fields = {f.name: f for f in dataclasses.fields(GRPOConfig)}
    for name in (*SAMPLING_NO_OPS, "generation_kwargs", "temperature", "max_completion_length"):
        if name not in fields:
            _fail("sampling defaults", f"GRPOConfig.{name}", "has no such field")
    for name, allowed in SAMPLING_NO_OPS.items():
        if fields[name].default not in allowed:
            _fail("sampling defaults", f"GRPOConfig.{name}",
                  f"defaults to {fields[name].default!r}, which the course's sampler does not do "
                  f"(it does {allowed})")
    if fields["generation_kwargs"].default is not None:
        _fail("sampling defaults", "GRPOConfig.generation_kwargs", "does not default to None")


# --- train sampler -----------------------------------------------------------------------------------

TRAIN_SAMPLER = "_get_train_sampler"


def verify_train_sampler() -> None:
    """transformers' Trainer builds the training data loader with `self._get_train_sampler` (as
    sampler_fn, called with the dataset); GRPOTrainer's version, _get_train_sampler(dataset=None),
    returns trl's RepeatSampler(data_source, mini_repeat_count, batch_size, repeat_count, shuffle,
    seed): each prompt num_generations times in a row, each update's block steps_per_generation
    times. A replacement must lay indices out the same way."""
    from transformers import Trainer

    _expect_params("train sampler", f"GRPOTrainer.{TRAIN_SAMPLER}",
                   getattr(_grpo(), TRAIN_SAMPLER, None), ("self", "dataset"), {"dataset": None})
    _expect_in_source("train sampler", "Trainer.get_train_dataloader", Trainer.get_train_dataloader,
                      [f"sampler_fn=self.{TRAIN_SAMPLER}"])
    try:
        from trl.trainer.utils import RepeatSampler
    except ImportError:
        RepeatSampler = None
    _expect_params("train sampler", "trl.trainer.utils.RepeatSampler", RepeatSampler,
                   ("data_source", "mini_repeat_count", "batch_size", "repeat_count", "shuffle",
                    "seed"))
    _expect_in_source("train sampler", f"GRPOTrainer.{TRAIN_SAMPLER}", getattr(_grpo(), TRAIN_SAMPLER),
                      ["RepeatSampler(", "mini_repeat_count=self.num_generations",
                       "repeat_count=self.num_iterations * self.args.steps_per_generation"])


def set_train_sampler(trainer, sampler) -> None:
    """Make `trainer` draw its prompts from `sampler` (laid out as trl's RepeatSampler)."""
    verify_train_sampler()
    setattr(trainer, TRAIN_SAMPLER, lambda dataset=None: sampler)


# --- loss on a batch -------------------------------------------------------------------------------

LOSS_INPUTS = ("prompt_ids", "prompt_mask", "completion_ids", "completion_mask", "advantages",
               "old_per_token_logps", "num_items_in_batch")
REF_LOSS_INPUT = "ref_per_token_logps"  # with beta > 0


def verify_compute_loss() -> None:
    """GRPOTrainer.compute_loss(model, inputs, return_outputs=False, num_items_in_batch=None) on a
    batch of trl's layout (LOSS_INPUTS, and ref_per_token_logps with beta > 0) gives the loss of
    that batch, scaled by trainer.current_gradient_accumulation_steps as in training."""
    grpo = _grpo()
    _expect_params("loss on a batch", "GRPOTrainer.compute_loss", getattr(grpo, "compute_loss", None),
                   ("self", "model", "inputs", "return_outputs", "num_items_in_batch"),
                   {"return_outputs": False, "num_items_in_batch": None})
    _expect_in_source("loss on a batch", "GRPOTrainer._compute_loss", getattr(grpo, "_compute_loss", None),
                      [f'"{k}"' for k in LOSS_INPUTS if k != "num_items_in_batch"]
                      + [f'"{REF_LOSS_INPUT}"', "current_gradient_accumulation_steps"])


def loss_on_batch(trainer, model, inputs: dict) -> "torch.Tensor":  # noqa: F821
    """trainer.compute_loss on one hand-made batch outside the training loop: sets what the loop
    would (one micro-batch per update) and checks the batch's keys first."""
    verify_compute_loss()
    missing = [k for k in LOSS_INPUTS if k not in inputs]
    if missing:
        raise ValueError(f"the batch lacks {missing}: trl's compute_loss reads {list(LOSS_INPUTS)}")
    trainer.current_gradient_accumulation_steps = 1  # what the Trainer's loop sets before each update
    return trainer.compute_loss(model, inputs)


# --- reward arguments ---------------------------------------------------------------------------------

# What GRPOTrainer passes to every reward function besides the dataset's columns.
REWARD_ARGS = frozenset({"prompts", "completions", "completion_ids", "trainer_state", "log_extra",
                         "log_metric"})
# Dataset columns GRPOTrainer does not pass on to reward functions.
NOT_PASSED = frozenset({"prompt", "completion", "completion_ids"})


def verify_reward_args() -> None:
    """GRPOTrainer._calculate_rewards calls each reward function with prompts, completions,
    completion_ids, trainer_state, log_extra, log_metric and every dataset column except prompt,
    completion and completion_ids, all as keyword arguments."""
    fn = getattr(_grpo(), "_calculate_rewards", None)
    if fn is None:
        _fail("reward arguments", "GRPOTrainer._calculate_rewards", "does not have it")
    src = _source("reward arguments", "GRPOTrainer._calculate_rewards", fn)
    import re

    given = set(re.findall(r'(?<!\w)reward_kwargs\["(\w+)"\]\s*=', src))
    for call in re.findall(r"reward_func\((\s*prompts=.*?)\*\*reward_kwargs", src, flags=re.S):
        given |= set(re.findall(r"(\w+)=", call))
    optional = {"environments"}  # only with environments, which the course does not use
    if given - optional != set(REWARD_ARGS):
        _fail("reward arguments", "reward function arguments",
              f"passes {sorted(given - optional)}, not {sorted(REWARD_ARGS)}")
    for col in NOT_PASSED:
        if f'"{col}"' not in src:
            _fail("reward arguments", "reward function arguments", f"no longer holds back the {col!r} column")


CHECKS = {
    "loss pass": verify_loss_pass,
    "fused LM head": verify_fused_lm_head,
    "rollout hook": verify_rollout_hook,
    "rollout context": verify_rollout_context,
    "sampling defaults": verify_sampling_defaults,
    "train sampler": verify_train_sampler,
    "loss on a batch": verify_compute_loss,
    "reward arguments": verify_reward_args,
}


def verify_all() -> None:
    """Run every check (raises TrlInternalsError on the first internal that is missing)."""
    for check in CHECKS.values():
        check()
