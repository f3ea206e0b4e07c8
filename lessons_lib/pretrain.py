"""Pretraining lesson 3's base model on the synthetic web corpus (lessons_lib.corpus).

Plain next-token prediction on every token of every page, through trl's SFTTrainer with a text
dataset (with no prompt/completion split, SFTTrainer is a language-model trainer). The result is a
*base* model: it has read worked solutions, dialogues and a few tagged pages, and was never
fine-tuned to answer in the R1-Zero format. `scripts/pretrain_base.py` is the command that makes the
model shipped in data/checkpoints/03_base; `base_card` measures what lesson 3 needs of it.
"""
from __future__ import annotations

from transformers import TrainerCallback

# Rows of ~160 tokens (a few documents each), 32 rows (about 5k tokens) per step, on a 4-layer
# version of the tiny model. The step count matters more than anything else measured: at 1400 steps
# the model could not yet copy operations from its question (greedy accuracy 0.27 at 3 steps with a
# short prompt); at 2200 it solved 1-6 step problems with a short prompt every time.
BASE_BUDGET = dict(steps=2200, batch_size=32, lr=2e-3, tokens_per_page=160, max_positions=512,
                   num_hidden_layers=4)


def pretrain_base(steps: int | None = None, seed: int = 0, batch_size: int | None = None,
                  lr: float | None = None, callbacks=None, stop_after: int | None = None, **extra):
    """(model, tokenizer, trainer): a tiny model pretrained from scratch on the corpus.

    Deterministic in `seed` and the budget (BASE_BUDGET unless overridden). `stop_after=n` runs
    only the first n steps of the same schedule (the reproduction test compares them with the
    shipped model's log).
    """
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    from .corpus import pages
    from .models import new_tiny
    from .sft import sft_config

    b = BASE_BUDGET
    steps = b["steps"] if steps is None else steps
    batch_size = batch_size or b["batch_size"]
    lr = lr or b["lr"]
    model, tok = new_tiny(seed=seed, max_position_embeddings=b["max_positions"],
                          num_hidden_layers=b["num_hidden_layers"])
    texts = pages(steps * batch_size, seed=seed, tokens_per_page=b["tokens_per_page"], tokenizer=tok)
    ds = Dataset.from_dict({"text": texts})
    extra.setdefault("logging_steps", max(1, steps // 60))
    args = sft_config(steps, batch_size, lr, seed, max_length=b["max_positions"],
                      completion_only_loss=None, **extra)
    callbacks = list(callbacks or [])
    if stop_after is not None:
        callbacks.append(_StopAfter(stop_after))
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok,
                         callbacks=callbacks)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return model, tok, trainer


class _StopAfter(TrainerCallback):
    """Ends training after `n` optimizer steps; the learning-rate schedule stays the full run's."""

    def __init__(self, n: int):
        self.n = n

    def on_step_end(self, args, state, control, **kw):
        if state.global_step >= self.n:
            control.should_training_stop = True


def base_card(model, tokenizer, n_per_step: int = 50, steps=(1, 2, 3, 4, 5, 6)) -> dict:
    """What the base model does with the R1-Zero template (lessons_lib.r1.measure), and, for
    comparison, its greedy accuracy with a short prompt the corpus uses ('problem: 37+8-5'),
    reading the last number it writes: can it reason at all, before any RL?"""
    from .evaluation import generate
    from .r1 import loose_answer, measure
    from .tasks import make_problems

    card = measure(model, tokenizer, n_per_step=n_per_step, steps=steps)
    card["short_prompt_greedy_by_steps"] = {}
    for s in steps:
        problems = make_problems(n_per_step, s, "test", seed=0)
        outs = generate(model, tokenizer, [f"problem: {p.question}\n" for p in problems], 96)
        card["short_prompt_greedy_by_steps"][s] = sum(
            loose_answer(o) == p.answer for o, p in zip(outs, problems)) / len(problems)
    return card
