"""Looking at what RL did, completion by completion: snapshots taken during training, and a widget.

`Snapshots` is a trainer callback: after chosen optimizer updates it samples completions for a
fixed set of questions and keeps them with their rewards. `explorer(snapshots)` pages through them
with two sliders (RL update, question); both accept the callback or its `taken` dict reloaded from
JSON.
`snapshot_table` prints the same thing as text, for places
without widgets (a terminal, a static notebook on GitHub).
"""
from __future__ import annotations

import html

import torch
from transformers import TrainerCallback

from .evaluation import generate
from .formats import ask, r1_zero_prompt
from .rewards import accuracy_reward, format_reward


class Snapshots(TrainerCallback):
    """Sample `samples` completions per problem after each update in `at_updates` (0 = before
    training). `taken` maps the update to the rows of that snapshot."""

    def __init__(self, tokenizer, problems, at_updates, samples: int = 4, max_new_tokens: int = 96,
                 temperature: float = 1.0, seed: int = 0):
        if not problems:
            raise ValueError("Snapshots needs at least one problem")
        self.tok, self.problems, self.at = tokenizer, list(problems), sorted(set(at_updates))
        self.samples, self.max_new_tokens, self.temperature, self.seed = (
            samples, max_new_tokens, temperature, seed)
        self.taken: dict[int, list[dict]] = {}

    def take(self, model, update: int) -> None:
        """Sample and keep the completions; the training's random stream is left as it was.

        `generate` reseeds torch's generator; without fork_rng a run with snapshots would sample
        different RL completions from the same run without them.
        """
        was_training = model.training
        prompts = [r1_zero_prompt(ask(p)) for p in self.problems]
        with torch.random.fork_rng():
            outs = generate(model, self.tok, prompts, self.max_new_tokens, do_sample=True,
                            temperature=self.temperature, num_return_sequences=self.samples,
                            seed=self.seed + update)
        truth = [p.answer for p in self.problems for _ in range(self.samples)]
        acc, fmt = accuracy_reward(outs, truth), format_reward(outs)
        self.taken[update] = [
            dict(question=ask(p), answer=p.answer,
                 completions=[(outs[k], acc[k], fmt[k])
                              for k in range(i * self.samples, (i + 1) * self.samples)])
            for i, p in enumerate(self.problems)]
        if was_training:
            model.train()

    def on_train_begin(self, args, state, control, model=None, **kw):
        if 0 in self.at and model is not None:
            self.take(model, 0)

    def on_step_end(self, args, state, control, model=None, **kw):  # transformers' name: an update
        if state.global_step in self.at and model is not None:
            self.take(model, state.global_step)


def _taken(snapshots) -> dict:
    """Accept a Snapshots callback or its `taken` dict (e.g. reloaded from JSON)."""
    taken = snapshots.taken if isinstance(snapshots, Snapshots) else snapshots
    if not taken:
        raise ValueError("no snapshots were taken: pass Snapshots(...) to the trainer's callbacks")
    return {int(k): v for k, v in taken.items()}


def snapshot_table(snapshots, question: int = 0) -> str:
    """One question's completions at every snapshot, as text."""
    lines = []
    for update, rows in sorted(_taken(snapshots).items()):
        row = rows[question]
        lines.append(f"update {update}: {row['question']} (answer {row['answer']:02d})")
        for text, acc, fmt in row["completions"]:
            lines.append(f"   acc {acc:.0f} fmt {fmt:.0f} | {text!r}")
    return "\n".join(lines)


def explorer(snapshots):
    """An ipywidgets browser: pick an RL update and a question, see its sampled completions."""
    import ipywidgets as w

    taken = _taken(snapshots)
    updates = sorted(taken)
    update = w.SelectionSlider(options=updates, value=updates[-1], description="RL update")
    q = w.IntSlider(min=0, max=len(taken[updates[0]]) - 1, value=0, description="question")
    out = w.HTML()

    def show(*_):
        row = taken[update.value][q.value]
        cells = "".join(
            f"<tr><td>{acc:.0f}</td><td>{fmt:.0f}</td><td><code>{html.escape(text)}</code></td></tr>"
            for text, acc, fmt in row["completions"])
        out.value = (f"<b>{html.escape(row['question'])}</b> (answer {row['answer']:02d})"
                     f"<table><tr><th>correct</th><th>format</th><th>completion</th></tr>{cells}</table>")

    update.observe(show, "value")
    q.observe(show, "value")
    show()
    return w.VBox([w.HBox([update, q]), out])
