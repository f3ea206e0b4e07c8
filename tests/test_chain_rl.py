"""Tests of lessons_lib.worlds.chain_rl: the RL prompts, the loose answer, and the lesson-3 measurements."""
import pytest

import lessons_lib.worlds.chain_rl as r1
from lessons_lib import models
from lessons_lib.worlds.chain import question_notation, parse_question, split_of
from lessons_lib.formats import r1_zero_prompt
from lessons_lib.worlds.chain_rl import RL_STEP_COUNTS, loose_answer, measure, rl_dataset


def question_of(prompt):
    return prompt.split("\nUser: ")[1].split("\nAssistant:")[0]


# --- rl_dataset --------------------------------------------------------------------------------

def test_rl_dataset_defaults_to_the_rl_step_counts():
    assert RL_STEP_COUNTS == (1, 2, 3, 4)
    assert sorted(set(rl_dataset(2)["steps"])) == list(RL_STEP_COUNTS)


def test_rl_dataset_rows_are_r1_prompts_with_true_answers():
    ds = rl_dataset(5, steps=(1, 3))
    assert set(ds.column_names) == {"prompt", "answer", "steps", "language"}
    assert len(ds) == 10
    for row in ds:
        q = question_of(row["prompt"])
        p = parse_question(q)
        assert row["prompt"] == r1_zero_prompt(q)
        assert row["answer"] == p.answer and row["steps"] == p.steps
        assert split_of(p) == "train"
        assert row["language"] == question_notation(p)
        assert (" plus " in q or " minus " in q) == (row["language"] == "words")
    assert sorted(ds["steps"]) == [1] * 5 + [3] * 5


def test_rl_dataset_asks_in_both_languages():
    assert 0.35 < rl_dataset(50)["language"].count("words") / 200 < 0.65


def test_rl_dataset_is_shuffled_deterministically():
    a, b = rl_dataset(8, steps=(1, 2)), rl_dataset(8, steps=(1, 2))
    assert a["prompt"] == b["prompt"]
    assert a["steps"] != sorted(a["steps"])  # shuffled, not in step order
    assert rl_dataset(8, steps=(1, 2), seed=1)["prompt"] != a["prompt"]


def test_rl_dataset_test_split_is_disjoint():
    train, test = rl_dataset(20, steps=(2,)), rl_dataset(20, steps=(2,), split="test")
    assert {split_of(parse_question(question_of(p))) for p in test["prompt"]} == {"test"}
    assert set(train["prompt"]).isdisjoint(test["prompt"])


def test_rl_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"split must be 'train' or 'test'"):
        rl_dataset(2, split="dev")
    with pytest.raises(ValueError, match=r"steps=13 is out of range"):
        rl_dataset(2, steps=(13,))


# --- loose_answer ------------------------------------------------------------------------------

@pytest.mark.parametrize("completion, answer", [
    ("<think>x</think><answer>40</answer>", 40),
    ("37+8=45 45-5=40 so the answer is 40.", 40),
    ("12 then 7", 7),
    ("<answer>05</answer> ok", 5),
    ("1234", 1234),
    ("no numbers here", None),
    ("", None),
    (None, None),
])
def test_loose_answer_is_the_last_number(completion, answer):
    assert loose_answer(completion) == answer


# --- measure -----------------------------------------------------------------------------------

KEYS = {"format_rate", "greedy_format_rate", "pass1", "loose_pass1", "pass1_by_steps",
        "greedy_by_steps", "tokens", "thoughts"}


@pytest.fixture(scope="module")
def measured(tiny):
    model, tok = tiny
    return measure(model, tok, n_per_step=2, samples=2, max_new_tokens=8, steps=(1, 2),
                   keep_completions=True)


def test_measure_on_an_untrained_model(measured):
    """All the lesson-3 numbers come back, every rate in [0, 1]."""
    assert KEYS <= set(measured)
    for k in ("format_rate", "greedy_format_rate", "pass1", "loose_pass1"):
        assert 0.0 <= measured[k] <= 1.0
    assert set(measured["greedy_by_steps"]) == set(measured["pass1_by_steps"]) == {1, 2}
    assert all(0.0 <= v <= 1.0 for v in measured["greedy_by_steps"].values())
    assert all(0.0 <= v <= 1.0 for v in measured["thoughts"].values())
    assert measured["tokens"] > 0


def test_measure_keeps_completions_of_test_problems(measured, tiny):
    rows = measured["completions"]
    assert len(rows) == 4
    assert {"question", "answer", "sample", "greedy"} <= set(rows[0])
    for row in rows:
        p = parse_question(row["question"])
        assert p.answer == row["answer"] and split_of(p) == "test"
        assert isinstance(row["sample"], str) and isinstance(row["greedy"], str)
    model, tok = tiny
    again = measure(model, tok, n_per_step=2, samples=2, max_new_tokens=8, steps=(1, 2))
    assert "completions" not in again
    assert again["greedy_by_steps"] == measured["greedy_by_steps"]
    assert again["tokens"] == measured["tokens"]  # the same seed samples the same completions


def test_measure_aggregates_rewards(monkeypatch, tiny):
    """With generation replaced by known completions, every rate is what the rewards say it is.

    Sampled: the first sample per problem is right and well formed, the second has the right number
    outside the tags. Greedy: right for 1-step problems, wrong for 2-step ones.
    """
    def fake_generate(model, tok, prompts, max_new_tokens, do_sample=False, num_return_sequences=1,
                      **kw):
        out = []
        for prompt in prompts:
            p = parse_question(question_of(prompt))
            if do_sample:
                out += [f"<think>x</think><answer>{p.answer:02d}</answer>",
                        f"so {p.answer:02d}"][:num_return_sequences]
            else:
                out.append(f"<think>x</think><answer>{(p.answer + (p.steps - 1)) % 100}</answer>")
        return out

    monkeypatch.setattr(r1, "generate", fake_generate)
    model, tok = tiny
    out = measure(model, tok, n_per_step=3, samples=2, steps=(1, 2))
    assert out["format_rate"] == 0.5 and out["greedy_format_rate"] == 1.0
    assert out["pass1"] == 0.5 and out["pass1_by_steps"] == {1: 0.5, 2: 0.5}
    assert out["loose_pass1"] == 1.0
    assert out["greedy_by_steps"] == {1: 1.0, 2: 0.0}
    assert out["thoughts"]["no_steps"] == 1.0


def test_measure_scores_every_sampling_seed_on_the_same_problems(monkeypatch, tiny):
    """The sampling seed changes the samples, never the held-out problems; problem_seed does."""
    seen = {}

    def fake_generate(model, tok, prompts, max_new_tokens, do_sample=False, num_return_sequences=1,
                      seed=None, **kw):
        if do_sample:
            seen.setdefault("prompts", []).append(list(prompts))
            seen.setdefault("seeds", []).append(seed)
        return ["x"] * (len(prompts) * num_return_sequences)

    monkeypatch.setattr(r1, "generate", fake_generate)
    model, tok = tiny
    for seed in (0, 1, 2):
        measure(model, tok, n_per_step=3, samples=2, steps=(1, 2), seed=seed)
    measure(model, tok, n_per_step=3, samples=2, steps=(1, 2), seed=0, problem_seed=1)
    a, b, c, other = seen["prompts"]
    assert a == b == c and other != a
    assert seen["seeds"] == [0, 1, 2, 0]


@pytest.mark.parametrize("kwargs, match", [
    (dict(samples=0), r"samples must be an int of at least 1, got 0"),  # ZeroDivisionError before
    (dict(samples=2.0), r"samples must be an int of at least 1"),
    (dict(n_per_step=0), r"n_per_step must be an int of at least 1, got 0"),
    (dict(temperature=0), r"temperature must be a number above 0.*got 0"),
    (dict(temperature=-1.0), r"temperature must be a number above 0"),
    (dict(steps=()), r"steps is empty"),
])
def test_measure_rejects_bad_arguments(tiny, kwargs, match):
    model, tok = tiny
    with pytest.raises(ValueError, match=match):
        measure(model, tok, **(dict(n_per_step=1, samples=1, max_new_tokens=2, steps=(1,)) | kwargs))


def test_short_prompt_accuracy_reads_the_last_number(monkeypatch):
    """It asks with the corpus head and scores the last number written, per step count."""
    from lessons_lib.worlds import chain_rl as r1
    from lessons_lib.worlds.chain import parse_question

    seen = []

    def fake_generate(model, tok, prompts, max_new_tokens):
        seen.extend(prompts)
        # right on 1-step problems (answer last), wrong on 2-step ones (a wrong number last)
        return [f" work {parse_question(p.split(': ')[1]).answer:02d}" if "+" not in p.split(": ")[1][3:]
                and "-" not in p.split(": ")[1][3:] else " 123 so 7x" for p in prompts]

    monkeypatch.setattr(r1, "generate", fake_generate)
    acc = r1.short_prompt_accuracy(None, None, steps=(1, 2), n_per_step=5)
    assert acc == {1: 1.0, 2: 0.0}
    assert all(p.startswith("problem: ") for p in seen) and len(seen) == 10
    with pytest.raises(ValueError, match="n_per_step"):
        r1.short_prompt_accuracy(None, None, n_per_step=0)
    seen.clear()
    r1.short_prompt_accuracy(None, None, steps=(2,), n_per_step=3, notation="words")
    assert all(" plus " in p or " minus " in p for p in seen)


def test_save_run_writes_nothing_when_the_run_was_loaded(tiny, tmp_path):
    model, tok = tiny
    folder = tmp_path / "models" / "03_rl"
    assert models.save_run(model, tok, [{"loss": 1.0}], {0: []}, folder, trained=False) is None
    assert not folder.exists() and not (tmp_path / "models").exists()


def test_save_run_saves_a_trained_run(tiny, tmp_path):
    import json

    from lessons_lib.models import load

    model, tok = tiny
    out = models.save_run(model, tok, [{"loss": 1.0}], {0: ["x"]}, tmp_path / "03_rl", trained=True)
    assert out == tmp_path / "03_rl"
    assert json.loads((out / "log_history.json").read_text()) == [{"loss": 1.0}]
    assert json.loads((out / "snapshots.json").read_text()) == {"0": ["x"]}
    load(out)
