"""Tests of lessons_lib.widgets: snapshots of completions during RL, their table and their explorer."""
import json
from types import SimpleNamespace

import ipywidgets
import pytest

from lessons_lib.worlds.chain import ask

from lessons_lib.worlds.chain import make_problems
from lessons_lib.worlds.chain_rl import CHAIN
from lessons_lib.widgets import Snapshots, _taken, explorer, snapshot_table

PROBLEMS = make_problems(3, 2, "test")


@pytest.fixture(scope="module")
def snaps(tiny):
    model, tok = tiny
    s = Snapshots(tok, PROBLEMS, at_updates=[5, 0, 5], samples=2, max_new_tokens=6, world=CHAIN)
    s.take(model, 0)
    s.take(model, 5)
    return s


def test_snapshots_hold_every_problem_and_sample(snaps):
    assert snaps.at == [0, 5]  # sorted, without duplicates
    assert sorted(snaps.taken) == [0, 5]
    rows = snaps.taken[0]
    assert [r["question"] for r in rows] == [ask(p) for p in PROBLEMS]  # each in its own language
    assert [r["answer"] for r in rows] == [p.answer for p in PROBLEMS]
    for r in rows:
        assert len(r["completions"]) == 2
        for text, acc, fmt in r["completions"]:
            assert isinstance(text, str) and acc in (0.0, 1.0) and fmt in (0.0, 1.0)


def test_take_restores_training_mode(fresh_tiny):
    model, tok = fresh_tiny
    model.train()
    Snapshots(tok, PROBLEMS[:1], [0], samples=1, max_new_tokens=2, world=CHAIN).take(model, 0)
    assert model.training
    model.eval()
    Snapshots(tok, PROBLEMS[:1], [0], samples=1, max_new_tokens=2, world=CHAIN).take(model, 0)
    assert not model.training


def test_take_leaves_the_training_random_stream_alone(tiny):
    """A run with snapshots must sample the same RL completions as the same run without them."""
    import torch

    model, tok = tiny
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    Snapshots(tok, PROBLEMS[:1], [0], samples=2, max_new_tokens=3, seed=7, world=CHAIN).take(model, 0)
    assert torch.equal(torch.rand(3), expected)


def test_callback_takes_snapshots_at_the_chosen_steps(tiny):
    model, tok = tiny
    s = Snapshots(tok, PROBLEMS[:1], at_updates=[0, 2], samples=1, max_new_tokens=2, world=CHAIN)
    s.on_train_begin(None, SimpleNamespace(global_step=0), None, model=model)
    for step in (1, 2, 3):
        s.on_step_end(None, SimpleNamespace(global_step=step), None, model=model)
    assert sorted(s.taken) == [0, 2]
    s2 = Snapshots(tok, PROBLEMS[:1], at_updates=[1], samples=1, max_new_tokens=2, world=CHAIN)
    s2.on_train_begin(None, SimpleNamespace(global_step=0), None, model=model)
    assert s2.taken == {}


def test_snapshot_table_shows_the_question_and_its_completions(snaps):
    text = snapshot_table(snaps, question=1)
    p = PROBLEMS[1]
    assert f"update 0: {ask(p)} (answer {p.answer:02d})" in text
    assert f"update 5: {ask(p)}" in text
    assert text.index("update 0:") < text.index("update 5:")
    for completion, _, _ in snaps.taken[5][1]["completions"]:
        assert repr(completion) in text
    assert ask(PROBLEMS[0]) not in text


def test_taken_accepts_the_json_roundtripped_dict(snaps):
    """Reloaded from JSON the updates are strings and the tuples lists; both work the same."""
    reloaded = json.loads(json.dumps(snaps.taken))
    assert set(reloaded) == {"0", "5"}
    assert sorted(_taken(reloaded)) == [0, 5]
    assert snapshot_table(reloaded, 2) == snapshot_table(snaps, 2)


def test_explorer_is_a_vbox_that_follows_its_sliders():
    taken = {"0": [dict(question="01+2", answer=3, completions=[["<think>a</think>", 0.0, 0.0]])],
             "7": [dict(question="01+2", answer=3,
                        completions=[["<think>b</think><answer>03</answer>", 1.0, 1.0]])]}
    box = explorer(taken)
    assert isinstance(box, ipywidgets.VBox)
    (update, q), out = box.children[0].children, box.children[1]
    assert update.description == "RL update"
    assert list(update.options) == [0, 7] and update.value == 7 and (q.min, q.max) == (0, 0)
    assert "&lt;answer&gt;03&lt;/answer&gt;" in out.value and "<answer>" not in out.value
    assert "(answer 03)" in out.value
    update.value = 0
    assert "&lt;think&gt;a&lt;/think&gt;" in out.value and "03&lt;/answer" not in out.value


def test_explorer_on_real_snapshots(snaps):
    box = explorer(snaps)
    q = box.children[0].children[1]
    assert q.max == len(PROBLEMS) - 1
    q.value = 2
    assert ask(PROBLEMS[2]) in box.children[1].value


def test_empty_snapshots_raise(tokenizer):
    with pytest.raises(ValueError, match=r"Snapshots needs at least one problem"):
        Snapshots(tokenizer, [], [0], world=CHAIN)
    never_taken = Snapshots(tokenizer, PROBLEMS, [0], world=CHAIN)
    for fn in (_taken, snapshot_table, explorer):
        with pytest.raises(ValueError, match=r"no snapshots were taken: pass Snapshots\(\.\.\.\) "
                                             r"to the trainer's callbacks"):
            fn(never_taken)
    with pytest.raises(ValueError, match=r"no snapshots were taken"):
        explorer({})
