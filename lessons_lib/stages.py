"""The training stages lessons 4, 5 and 7 chain together: an SFT stage from the base model, and an RL
stage with lesson 3's GRPO settings. Each stage is a thin call into trl (sft.train_sft,
grpo.train_grpo) with the settings stated once: `SFTSettings` for SFT, an update count on
lesson 3's `RLBudget` for RL.
"""
from __future__ import annotations

import dataclasses

from .sft import SFTSettings, _check_settings


def sft_from_base(records: list[dict], settings: SFTSettings, seed: int = 0, base=None,
                  device: str = "cpu", callbacks=None):
    """(model, tokenizer, trainer): the base model (lesson 3's chain-world base, or `base`) fine-tuned
    on the prompt/completion `records` with `settings` (a lesson budget's `.sft`): lesson 4's
    stages 1 and 3, lesson 5's teacher and student."""
    from .models import load
    from .paths import CHECKPOINTS
    from .runtime import seed_everything
    from .sft import train_sft

    _check_settings(settings, "sft_from_base")
    if not records:
        raise ValueError("no records to fine-tune on: the rejection filter kept nothing. Sample "
                         "more problems, or loosen the checks (rejection_sample(..., checks=...))")
    seed_everything(seed)
    model, tok = load(base or CHECKPOINTS / "03_base", device)
    trainer = train_sft(model, tok, records, settings, seed=seed, device=device, callbacks=callbacks,
                        logging_steps=max(1, settings.updates // 30))
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
