"""How much training answer-only SFT needs to learn 1-step problems (lesson 1's fair baseline).

    .venv/bin/python bench/answer_only_trials.py 3e-3 4000 constant_with_warmup
    .venv/bin/python bench/answer_only_trials.py 1e-3 3000 cosine

Trains the answer-only model on lesson_budget().train_problems (seed 0, batch 64) at the given
learning rate, number of updates and schedule, and prints greedy held-out accuracy by number of
steps (200 problems per step count) every 500 updates, with the training seconds spent (the
measurements' own time left out). bench/answer_only_trials.json holds the runs behind the budget
in lessons_lib.sft.SFTBudget.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transformers import TrainerCallback  # noqa: E402

from lessons_lib.evaluation import accuracy_by_steps  # noqa: E402
from lessons_lib.formats import sft_prompt
from lessons_lib.worlds.chain import to_records  # noqa: E402
from lessons_lib.models import new_tiny  # noqa: E402
from lessons_lib.runtime import quiet, seed_everything  # noqa: E402
from lessons_lib.lesson1_2_sft import lesson_budget
from lessons_lib.sft import SFTSettings, train_sft  # noqa: E402
from lessons_lib.worlds.chain import make_dataset  # noqa: E402


class Every500(TrainerCallback):
    def __init__(self, tok, test, lr, schedule, updates):
        self.tok, self.test, self.label, self.updates = tok, test, f"{lr:g} {schedule}", updates
        self.t0, self.spent = time.perf_counter(), 0.0

    def on_step_end(self, args, state, control, model=None, **kw):
        if state.global_step % 500 == 0 or state.global_step == self.updates:
            self.spent += time.perf_counter() - self.t0
            acc = accuracy_by_steps(model, self.tok, self.test, sft_prompt, 8)
            model.train()
            print(self.label, state.global_step, round(self.spent),
                  {k: round(v, 2) for k, v in acc.items()}, flush=True)
            self.t0 = time.perf_counter()


def main(lr: float, updates: int, schedule: str, seed: int = 0, weight_decay: float = 0.01,
         warmup: int = 200) -> None:
    quiet()
    b = lesson_budget()
    train = make_dataset(b.train_problems, split="train", seed=seed)
    test = make_dataset(200, (1, 2, 3, 4), "test", seed=seed + 1)
    seed_everything(seed)
    model, tok = new_tiny(seed=seed)
    print(f"seed {seed} weight decay {weight_decay} warmup {warmup}", flush=True)
    train_sft(model, tok, to_records(train, "answer_only"), SFTSettings(updates, 64, lr, schedule, warmup),
              seed=seed, callbacks=[Every500(tok, test, lr, schedule, updates)], weight_decay=weight_decay)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("lr", type=float)
    ap.add_argument("updates", type=int)
    ap.add_argument("schedule")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--warmup", type=int, default=200)
    a = ap.parse_args()
    main(a.lr, a.updates, a.schedule, a.seed, a.weight_decay, a.warmup)
