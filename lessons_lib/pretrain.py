"""Pretraining a base model from scratch on plain texts: `train_on_texts` and its `PretrainBudget`.

Plain next-token prediction on every token of every page, through trl's SFTTrainer with a text
dataset (with no prompt/completion split, SFTTrainer is a language-model trainer; its config comes
from `sft.sft_config`, like every SFT run). The result is a *base* model: it has read a world's
corpus and was never fine-tuned to answer in the R1-Zero format. Each world's corpus module calls it
(worlds.chain_corpus.pretrain_base, worlds.numbers_corpus), as does lesson 8's stand-in.
"""
from __future__ import annotations

import dataclasses

from transformers import TrainerCallback


# Rows of ~160 tokens (a few documents each), 32 rows (about 5k tokens) per update, on a 4-layer
# version of the tiny model. The number of updates matters more than anything else measured: on the
# corpus with every question in symbols, at 1400 the model could not yet copy operations from its
# question (greedy accuracy 0.27 at 3 steps with a short prompt) and at 2200 it solved 1-6 step
# problems with a short prompt every time. With half the questions asked in words, 2200 updates left
# it at 0.60 at 3 steps in symbols and 0.03 in words (it copied the numbers but not the operations
# from a question in words); at 4000 it is right every time in both (base_card.json).
@dataclasses.dataclass(frozen=True)
class PretrainBudget:
    """The budget of the base model's pretraining (scripts/pretrain_base.py uses the defaults).

    updates             optimizer updates
    batch_size          rows (pages) per update
    lr                  peak learning rate (cosine schedule)
    tokens_per_page     about how many tokens a row holds (a few documents joined by <eos>)
    max_positions       the model's context length (and the longest row trained on)
    num_hidden_layers   layers of the tiny model

    Every field is checked when a budget is made; `dataclasses.replace(budget, updates=8)` makes a
    variant.
    """

    updates: int = 4000
    batch_size: int = 32
    lr: float = 2e-3
    tokens_per_page: int = 160
    max_positions: int = 512
    num_hidden_layers: int = 4

    def __post_init__(self):
        from .runtime import require_int, require_lr, require_updates
        from .sft import MAX_SFT_UPDATES

        require_updates(self.updates, MAX_SFT_UPDATES)
        require_int(self.batch_size, "batch_size", why=" (rows per optimizer update)")
        require_lr(self.lr, example="2e-3")
        for name in ("tokens_per_page", "max_positions", "num_hidden_layers"):
            require_int(getattr(self, name), name)
        if self.tokens_per_page > self.max_positions:
            raise ValueError(f"tokens_per_page={self.tokens_per_page} is more than the model's "
                             f"max_positions={self.max_positions}: pages would be cut short")

    def smoke(self) -> PretrainBudget:
        """A few small updates of the same schedule and model (tests, CI)."""
        return dataclasses.replace(self, updates=8, batch_size=4)


def require_stop_after(stop_after, b: PretrainBudget) -> None:
    """`stop_after` is None or a whole number of updates within the budget's schedule."""
    if stop_after is not None and (not isinstance(stop_after, int) or isinstance(stop_after, bool)
                                   or not 1 <= stop_after <= b.updates):
        raise ValueError(f"stop_after must be an int from 1 to the budget's {b.updates} updates "
                         f"(or None for the whole run), got {stop_after!r}")


def train_on_texts(model, tok, texts: list[str], b: PretrainBudget, seed: int = 0, callbacks=None,
                   stop_after: int | None = None, **extra):
    """(model, tokenizer, trainer): `model` trained on plain `texts` through SFTTrainer (a loss on
    every token) with the budget's schedule; what every base of the course is pretrained by."""
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    from .sft import SFTSettings, sft_config

    args = sft_config(SFTSettings(b.updates, b.batch_size, b.lr), seed, max_length=b.max_positions,
                      completion_only_loss=None, **extra)
    callbacks = list(callbacks or [])
    if stop_after is not None:
        callbacks.append(_StopAfter(stop_after))
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": texts}),
                         processing_class=tok, callbacks=callbacks)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return model, tok, trainer


class _StopAfter(TrainerCallback):
    """Ends training after `n` optimizer updates; the learning-rate schedule stays the full run's."""

    def __init__(self, n: int):
        self.n = n

    def on_step_end(self, args, state, control, **kw):
        if state.global_step >= self.n:
            control.should_training_stop = True


