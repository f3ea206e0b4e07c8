"""Looking at what RL did, completion by completion: snapshots taken during training, and a widget.

`Snapshots` is a trainer callback: after chosen optimizer updates it samples completions for a
fixed set of questions and keeps them with their rewards. `explorer(snapshots)` pages through them
with two sliders (RL update, question); both accept the callback or its `taken` dict reloaded from
JSON.
`snapshot_table` prints the same thing as text, for places
without widgets (a terminal, a static notebook on GitHub).

Lesson 7: `chat` is a small chat box that streams a reply token by token (`stream_reply`, through
transformers' streamer hook) and folds the thought under "thinking..." while it is written
(`chat_html`); `stream_reply` also times what a user waits for.
"""
from __future__ import annotations

import html

import torch
from transformers import TrainerCallback

from .evaluation import generate


class Snapshots(TrainerCallback):
    """Sample `samples` completions per problem after each update in `at_updates` (0 = before
    training). `taken` maps the update to the rows of that snapshot. `world` (a worlds.World: CHAIN
    or NUMBERS) says how the problems are asked and scored."""

    def __init__(self, tokenizer, problems, at_updates, samples: int = 4, max_new_tokens: int = 96,
                 temperature: float = 1.0, seed: int = 0, world=None):
        from .world import World

        if not isinstance(world, World):
            raise TypeError(f"Snapshots needs world=..., the world its problems come from "
                            f"(lessons_lib.worlds.get('chain') or get('numbers')), got {world!r}")
        if not problems:
            raise ValueError("Snapshots needs at least one problem")
        self.tok, self.problems, self.at = tokenizer, list(problems), sorted(set(at_updates))
        self.samples, self.max_new_tokens, self.temperature, self.seed = (
            samples, max_new_tokens, temperature, seed)
        self.world = world
        self.taken: dict[int, list[dict]] = {}

    def take(self, model, update: int) -> None:
        """Sample and keep the completions; the training's random stream is left as it was.

        `generate` reseeds torch's generator; without fork_rng a run with snapshots would sample
        different RL completions from the same run without them.
        """
        was_training = model.training
        prompts = [self.world.prompt(p) for p in self.problems]
        with torch.random.fork_rng():
            outs = generate(model, self.tok, prompts, self.max_new_tokens, do_sample=True,
                            temperature=self.temperature, num_return_sequences=self.samples,
                            seed=self.seed + update)
        acc, fmt = self.world.score(outs, [p for p in self.problems for _ in range(self.samples)])
        self.taken[update] = [
            dict(question=self.world.ask(p), answer=self.world.truth(p),
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


# --- what a user sees of thinking (lesson 7) ------------------------------------------------------

def stream_reply(model, tokenizer, prompt: str, on_text=None, max_new_tokens: int = 96) -> dict:
    """Generate one greedy reply token by token (transformers' streamer hook), calling
    `on_text(text_so_far)` after each token, and time it.

    Returns the reply and what a user waits through: `thought_tokens` (the tokens of the thought
    between '<think>' and '</think>', tags left out: 0 for an empty thought), `answer_tokens` (after
    '</think>'), `first_token_s` (until anything shows), `answer_s` (until
    the first token after '</think>': the delay a user of a thinking model sees) and `total_s`."""
    import time

    from transformers.generation.streamers import BaseStreamer

    class Streamer(BaseStreamer):
        def __init__(self):
            self.ids, self.times, self.started = [], [], False

        def put(self, value):
            if not self.started:  # generate first hands over the prompt
                self.started = True
                return
            self.ids += value.reshape(-1).tolist()
            self.times.append(time.perf_counter())
            if on_text is not None:
                on_text(tokenizer.decode(self.ids, skip_special_tokens=True))

        def end(self):
            pass

    streamer = Streamer()
    enc = tokenizer([prompt], return_tensors="pt").to(model.device)
    t0 = time.perf_counter()
    with torch.no_grad():
        model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, streamer=streamer,
                       pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    total = time.perf_counter() - t0
    tokens = [tokenizer.decode([i]) for i in streamer.ids]
    n = len(streamer.ids)
    before = thought_token_count(tokens)
    answer_at = streamer.times[before["until_answer"]] - t0 if before["until_answer"] < n else total
    return dict(reply=tokenizer.decode(streamer.ids, skip_special_tokens=True),
                thought_tokens=before["thought"], tokens_before_answer=before["until_answer"],
                answer_tokens=n - before["until_answer"],
                first_token_s=streamer.times[0] - t0 if n else total, answer_s=answer_at, total_s=total)


def thought_token_count(tokens: list[str]) -> dict:
    """For a reply's tokens (each decoded on its own): `thought`, the tokens of the thought itself,
    between '<think>' and '</think>' with the tags left out (0 for an empty '<think></think>', so a
    reply that did not think reports no thinking tokens), and `until_answer`, every token up to and
    including the one that closes the thought (all of them when it never closes)."""
    from .formats import THINK_CLOSE, THINK_OPEN

    text, spans = "", []
    for t in tokens:
        spans.append((len(text), len(text) + len(t)))
        text += t
    close = text.find(THINK_CLOSE)
    until = len(tokens) if close < 0 else next(k + 1 for k, (_, e) in enumerate(spans) if e >= close + len(THINK_CLOSE))
    opened = text.find(THINK_OPEN)
    start = 0 if opened < 0 else opened + len(THINK_OPEN)
    end = len(text) if close < 0 else close
    if not text[start:end].strip():
        return dict(thought=0, until_answer=until)
    return dict(thought=sum(1 for s, e in spans if s < end and e > start), until_answer=until)


def chat_html(text: str, done: bool = False, stats: dict | None = None) -> str:
    """How a chat shows a reply so far: while the thought is open, 'thinking...' with the thought
    folded under it; once it closes, 'Thought for N tokens' (folded) and the answer."""
    from .formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN

    thought, _, rest = text.partition(THINK_CLOSE)
    thought = thought.replace(THINK_OPEN, "").strip()
    if not _:  # still thinking
        return (f"<details><summary><i>thinking...</i></summary><small>{html.escape(thought)}</small>"
                f"</details>")
    answer = rest.replace(ANSWER_OPEN, "").replace(ANSWER_CLOSE, "").strip()
    if stats:
        head = (f"Thought for {stats['thought_tokens']} tokens, {stats['answer_s']:.2f} s"
                if thought else "Answered without thinking")
    else:
        head = "Thought" if thought else "No thinking"
    fold = f"<details><summary>{head}</summary><small>{html.escape(thought)}</small></details>"
    return fold + f"<b>{html.escape(answer)}</b>" + ("" if done else " ...")


def chat(model, tokenizer, prompt_fn, max_new_tokens: int = 96):
    """A small chat box: type a question, pick a mode, press Send; the reply streams in, folded
    behind 'thinking...' while the model thinks. `prompt_fn(question, mode)` builds the prompt
    (formats.mode_prompt). The widget keeps every reply's numbers in `.history` (stream_reply's
    dict plus question and mode), which is how the test drives it without a browser."""
    import ipywidgets as w

    question = w.Text(value="37+8-5+9", description="you:")
    mode = w.ToggleButtons(options=[("think", "think"), ("no think", "no_think")], value="think")
    send = w.Button(description="Send")
    reply = w.HTML()
    stats = w.HTML()
    box = w.VBox([w.HBox([question, mode, send]), reply, stats])
    box.history = []

    def on_send(_=None):
        q = question.value.strip()
        if not q:
            reply.value = "<i>type a question first, e.g. 37+8-5+9</i>"
            return
        send.disabled = True
        try:
            out = stream_reply(model, tokenizer, prompt_fn(q, mode.value),
                               on_text=lambda t: setattr(reply, "value", chat_html(t)),
                               max_new_tokens=max_new_tokens)
        finally:
            send.disabled = False
        reply.value = chat_html(out["reply"], done=True, stats=out)
        stats.value = (f"<small>{out['thought_tokens']} thinking tokens, {out['answer_tokens']} answer "
                       f"tokens; first token after {out['first_token_s']:.2f} s, answer after "
                       f"{out['answer_s']:.2f} s</small>")
        box.history.append(dict(out, question=q, mode=mode.value))

    send.on_click(on_send)
    box.send, box.question, box.mode, box.reply, box.stats = send, question, mode, reply, stats
    return box
