"""Lesson 8's word stand-in: its tokenizer reads words, its model starts from the course's base, its
pretraining is reproducible, the shipped one (data/checkpoints/08_standin) loads with its card, and
`checked` reads completions with both checkers."""
import json

import pytest

from lessons_lib.paths import CHECKPOINTS
from lessons_lib.lesson8_stand_in import (
    StandInRecipe, checked, disagreements, pretraining_rows, pretraining_text, tokenizer_extras, train_tokenizer,
)
from lessons_lib.worlds.words import r1_sft_record, toy_word_problems

SHIPPED = CHECKPOINTS / "08_standin"


@pytest.fixture(scope="module")
def word_tok():
    rows = pretraining_rows(200)
    return train_tokenizer([pretraining_text(r) for r in rows] + tokenizer_extras(), 512)


def test_tokenizer_reads_words_digits_and_tags_and_round_trips(word_tok):
    row = toy_word_problems(1, split="test")[0]
    rec = r1_sft_record(row)
    text = rec["prompt"] + rec["completion"]
    ids = word_tok(text, add_special_tokens=False).input_ids
    assert word_tok.decode(ids) == text
    tokens = word_tok.convert_ids_to_tokens(ids)
    for tag in ("<think>", "</think>", "<answer>", "</answer>"):
        assert tag in tokens
    assert "Ġhave" in tokens and "ĠHow" in tokens  # words of the stories are one token
    number = word_tok("1234", add_special_tokens=False).input_ids
    assert len(number) == 4  # every digit its own token, as in Qwen2
    assert len(ids) < 80  # the toy-world tokenizer needs about 175 for such an example
    assert word_tok.decode(word_tok("café ☃ 3.5", add_special_tokens=False).input_ids) == "café ☃ 3.5"


def test_tokenizer_rejects_bad_input():
    with pytest.raises(ValueError, match="non-empty list of strings"):
        train_tokenizer([])
    with pytest.raises(ValueError, match="vocab_size"):
        train_tokenizer(["a b"], vocab_size=10)


def test_stand_in_model_is_qwen2_started_from_the_base(word_tok):
    import torch

    from lessons_lib.models import BASE, load
    from lessons_lib.lesson8_stand_in import stand_in_model

    model, notes = stand_in_model(word_tok)
    assert type(model).__name__ == "Qwen2ForCausalLM" and "copied" in notes
    base, base_tok = load(CHECKPOINTS / BASE)
    emb, base_emb = model.get_input_embeddings().weight, base.get_input_embeddings().weight
    for t in ("<answer>", "7"):  # one token in both tokenizers: copied exactly
        assert torch.equal(emb[word_tok.convert_tokens_to_ids(t)], base_emb[base_tok.convert_tokens_to_ids(t)])
    assert torch.equal(model.model.layers[0].mlp.up_proj.weight, base.model.layers[0].mlp.up_proj.weight)


def test_short_pretraining_is_deterministic(tmp_path):
    from lessons_lib.lesson8_stand_in import pretrain_stand_in

    small = StandInRecipe().smoke()
    _, _, a = pretrain_stand_in(small, output_dir=str(tmp_path / "a"), logging_steps=2)
    _, _, b = pretrain_stand_in(small, output_dir=str(tmp_path / "b"), logging_steps=2)
    la = [r["loss"] for r in a.state.log_history if "loss" in r]
    assert la and la == [r["loss"] for r in b.state.log_history if "loss" in r]


def test_too_many_distinct_stories_is_a_clear_error():
    from lessons_lib.worlds.words import toy_word_problems

    with pytest.raises(ValueError, match="not that many"):
        toy_word_problems(900, steps=(1,), split="train")


shipped = pytest.mark.skipif(not (SHIPPED / "card.json").exists(), reason="no stand-in shipped yet")


@shipped
def test_shipped_stand_in_loads_with_its_card():
    from lessons_lib.lesson8_stand_in import load_stand_in

    model, tok, notes = load_stand_in()
    card = json.loads((SHIPPED / "card.json").read_text())
    assert type(model).__name__ == card["class"] == "Qwen2ForCausalLM"
    assert len(tok) == card["vocabulary"] and "pretrained here" in notes
    assert card["seconds"] <= 300  # the budget: <= 5 minutes on 2 cores
    assert card["r1_template_accuracy"] < 0.1  # it has never seen the template: SFT must teach it
    _, _, other = load_stand_in("Qwen/Qwen3-0.6B")
    assert "not Qwen/Qwen3-0.6B's" in other


@shipped
def test_hub_or_stand_in_falls_back_to_the_word_stand_in(capsys):
    from lessons_lib.models import hub_or_stand_in
    from lessons_lib.lesson8_stand_in import load_stand_in

    model, tok, where = hub_or_stand_in("Qwen/Qwen2.5-0.5B-Instruct", fallback=load_stand_in)
    assert where.startswith("stand-in") and "BPE" in where
    assert "could not be loaded" in capsys.readouterr().out


@shipped
def test_checked_reads_completions_with_both_checkers():
    from lessons_lib.lesson8_stand_in import load_stand_in

    model, tok, _ = load_stand_in()
    rows = toy_word_problems(3, split="test")
    s = checked(model, tok, rows, max_new_tokens=4)
    assert len(s["completions"]) == 3 and s["truth"] == [r["answer"].split("#### ")[-1] for r in rows]
    s = checked(model, tok, rows, max_new_tokens=4, do_sample=True, num_return_sequences=2, seed=0)
    assert len(s["completions"]) == 6 and s["truth"][:2] == [s["truth"][0]] * 2
    fake = dict(completions=["<think>x</think><answer>7 apples</answer>", "<think>x</think><answer>7</answer>"],
                truth=["7", "7"], math_verify=[1.0, 1.0], rule=[0.0, 1.0])
    assert [d["completion"] for d in disagreements(fake)] == [fake["completions"][0]]
    with pytest.raises(ValueError, match="empty"):
        checked(model, tok, [])


@shipped
@pytest.mark.slow
def test_script_reproduces_the_shipped_first_updates(tmp_path):
    from lessons_lib.lesson8_stand_in import pretrain_stand_in

    card = json.loads((SHIPPED / "card.json").read_text())
    shipped_log = {r["step"]: r["loss"] for r in json.loads((SHIPPED / "log_history.json").read_text()) if "loss" in r}
    first = min(shipped_log)
    recipe = StandInRecipe(**card["recipe"])
    _, _, t = pretrain_stand_in(recipe, seed=card["seed"], stop_after=first, output_dir=str(tmp_path))
    got = {r["step"]: r["loss"] for r in t.state.log_history if "loss" in r}
    assert got[first] == pytest.approx(shipped_log[first], abs=1e-4)
