"""TODO"""
from __future__ import annotations
import dataclasses
from .lesson4_recipe import RecipeBudget


def sft_from_base(records: list[dict], budget: RecipeBudget, seed: int = 0, base=None,
                  device: str = "cpu", callbacks=None):
    """(model, tokenizer, trainer): the base model (lesson 3's, or `base`) fine-tuned on the
    prompt/completion `records` with the budget's SFT settings: stages 1 and 3."""
    from .models import load
    from .paths import CHECKPOINTS
    from .runtime import seed_everything
    from .sft import train_sft

    if not records:
        raise ValueError("no records to fine-tune on: the rejection filter kept nothing. Sample "
                         "more problems, or loosen the checks (rejection_sample(..., checks=...))")
    seed_everything(seed)
    model, tok = load(base or CHECKPOINTS / "03_base", device)
    trainer = train_sft(model, tok, records, budget.sft_updates, budget.sft_batch_size, budget.sft_lr,
                        seed=seed, device=device, callbacks=callbacks,
                        logging_steps=max(1, budget.sft_updates // 30))
    return model, tok, trainer


def rl_stage(model, tokenizer, dataset, funcs, weights, updates: int, seed: int = 0,
             device: str = "cpu", callbacks=None, **extra):
    """GRPO with lesson 3's settings for `updates` updates: stages 2 and 4."""
    from .grpo import rl_budget, train_grpo
    from .runtime import seed_everything

    budget = dataclasses.replace(rl_budget(), updates=updates)
    seed_everything(seed)
    return train_grpo(model, tokenizer, dataset, funcs, budget, reward_weights=weights,
                      callbacks=callbacks, seed=seed, device=device, **extra)
