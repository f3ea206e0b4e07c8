"""Tests of lessons_lib.worlds.chain_corpus: the base model's web corpus, its documents, notations and slips."""
import random
import re

import pytest
from hypothesis import given, strategies as st

from lessons_lib.worlds.chain_corpus import (
    MIX, document, documents, pages, solve_with_slips, step_text, worked_thoughts,
)
from lessons_lib.worlds.chain import (
    NOTATIONS, SYMBOL_STEP, WORD_STEP, notation_of, MODULUS, parse_question, random_problem, split_of,
)
from lessons_lib.formats import R1_ZERO_TEMPLATE, TEMPLATE, short_prompt
from lessons_lib.worlds.chain_thoughts import steps_in

# a toy-world question, in symbols or in words: 37+8-5, 37 plus 8 minus 5
QUESTION = re.compile(r"[0-9]{2}(?:(?:[+-]| plus | minus )[0-9](?![0-9]))+")


def docs_of(kind, n=200, slip=0.05):
    return [document(random.Random(i), kind, slip=slip) for i in range(n)]


def questions_in(doc, kind):
    """The questions a document is about (the head line, the user's line, or every bare line)."""
    if kind == "bare":
        return [line.split("=")[0] for line in doc.splitlines()]
    if kind == "dialogue":
        user = next(line for line in doc.splitlines() if line.startswith("User: "))
        return [QUESTION.search(user).group()]
    head = doc.splitlines()[0] if kind == "worked" else doc  # tagged: the head comes first
    return [QUESTION.search(head).group()]


# --- documents ---------------------------------------------------------------------------------

def test_mix_is_a_distribution():
    """The shares of document kinds are positive and sum to 1."""
    assert set(MIX) == {"worked", "dialogue", "bare", "other", "tagged"}
    assert all(v > 0 for v in MIX.values())
    assert sum(MIX.values()) == pytest.approx(1.0)


def test_worked_documents_end_on_the_answer_without_slips():
    """With slip=0 a worked solution's steps are the problem's true steps and it closes on the answer."""
    for doc in docs_of("worked", slip=0):
        p = parse_question(questions_in(doc, "worked")[0])
        steps = steps_in(doc)
        assert [(a, op, x, v) for a, op, x, v, _ in steps] == [
            (a, op, x, v) for a, (op, x), v in zip((p.start,) + p.values, p.ops, p.values)]
        assert doc.splitlines()[-1].endswith(f"{p.answer:02d}")
        assert len({n for *_, n in steps}) == 1  # one notation per solution


def test_questions_come_in_both_notations_and_working_mostly_follows_them():
    """Half the questions are asked in words; the working that answers one is written in the
    question's notation FOLLOW of the time (and in the other notation the rest)."""
    from lessons_lib.worlds.chain_corpus import FOLLOW

    asked, same = [], []
    for doc in docs_of("dialogue", n=600) + docs_of("worked", n=600):
        kind = "dialogue" if doc.count("User: ") else "worked"
        q = questions_in(doc, kind)[0]
        lang = "words" if " plus " in q or " minus " in q else "symbols"
        asked.append(lang)
        working = doc.split("Assistant: ", 1)[1] if kind == "dialogue" else doc.split("\n", 1)[1]
        found = notation_of(working)
        if found in NOTATIONS:
            same.append(found == lang)
    assert 0.45 < asked.count("words") / len(asked) < 0.55
    assert abs(sum(same) / len(same) - FOLLOW) < 0.05


def test_worked_documents_often_start_with_the_short_prompt():
    """The corpus writes 'problem: <question>' heads, the short prompt base_card measures with."""
    docs = docs_of("worked")
    heads = [d for d in docs if d.startswith(short_prompt(questions_in(d, "worked")[0]))]
    assert len(docs) / 4 < len(heads) < len(docs)


def test_dialogue_documents():
    """Dialogues hold a User line and an Assistant reply; some replies are tagged, most not."""
    docs = docs_of("dialogue", 400)
    assert all(re.search(r"^User: .+\nAssistant: ", d, re.MULTILINE) for d in docs)
    tagged = sum("<answer>" in d for d in docs)
    assert 0 < tagged < len(docs) / 3
    assert {notation_of(d) for d in docs} >= {"symbols", "words"}


def test_bare_documents_hold_right_answers():
    """Bare documents are lines 'question=answer', every answer right, two digits."""
    for doc in docs_of("bare"):
        lines = doc.splitlines()
        assert 3 <= len(lines) <= 8
        for line in lines:
            q, a = line.split("=")
            assert re.fullmatch(r"[0-9]{2}", a) and int(a) == parse_question(q).answer


def test_other_documents_hold_no_problems():
    """Word salad and number lists: no steps, no questions, no tags."""
    for doc in docs_of("other"):
        assert notation_of(doc) == "none"
        assert not QUESTION.search(doc) and "<" not in doc


def test_tagged_documents_carry_tags():
    """Every tagged document has an answer tag after its question."""
    docs = docs_of("tagged")
    assert all("<answer>" in d and "</answer>" in d for d in docs)
    assert sum("<think>" in d for d in docs) > len(docs) / 2


@pytest.mark.parametrize("kind", ["worked", "dialogue", "bare", "tagged"])
def test_documents_use_training_problems_only(kind):
    """Every question written in a document is on the training side of chain.split_of."""
    questions = [q for d in docs_of(kind, 300) for q in questions_in(d, kind)]
    assert len(questions) >= 300
    assert {split_of(parse_question(q)) for q in questions} == {"train"}


@pytest.mark.parametrize("kind", ["essay", "", "Worked"])
def test_unknown_kind_raises(kind):
    with pytest.raises(ValueError, match=rf"unknown document kind '{kind}': choose one of"):
        document(random.Random(0), kind)


def test_share_of_tagged_documents_is_small():
    """Between 3% and 20% of documents carry a <think> or <answer> tag: RL has to teach the format."""
    rng = random.Random(0)
    docs = [document(rng) for _ in range(2000)]
    share = sum("<think>" in d or "<answer>" in d for d in docs) / len(docs)
    assert 0.03 <= share <= 0.20


def test_every_kind_is_drawn():
    """Drawing with no kind produces documents of every kind (bare lines, dialogues, ...)."""
    rng = random.Random(1)
    docs = [document(rng) for _ in range(300)]
    assert any(d.startswith("User: ") or "\nUser: " in d for d in docs)
    assert any(all(re.fullmatch(r"[0-9+-]+=[0-9]{2}", line) for line in d.splitlines()) for d in docs)
    assert any("<think>" in d for d in docs)


# --- documents (one training row each) ------------------------------------------------------------

@pytest.fixture(scope="module")
def some_docs():
    return documents(400, seed=0)


def test_documents_are_deterministic_in_the_seed(some_docs):
    """The same seed gives the same documents; another seed gives others."""
    assert documents(400, seed=0) == some_docs
    other = documents(400, seed=1)
    assert len(other) == 400 and other != some_docs


def test_documents_never_hold_the_r1_template(some_docs):
    """The R1-Zero prompt never appears in the corpus (neither the course's nor the paper's)."""
    ours, papers = TEMPLATE.split("\n")[0], R1_ZERO_TEMPLATE.split(".")[0]
    assert ours.startswith("<think> reasoning") and papers.startswith("A conversation between")
    assert not any(ours in d or "reasoning process here" in d or "Assistant thinks" in d
                   or papers in d or "conversation" in d for d in some_docs)


def test_documents_hold_only_training_problems(some_docs):
    """Every question a user asks in the corpus is a training-split problem."""
    qs = [QUESTION.search(line).group() for d in some_docs for line in d.splitlines()
          if line.startswith("User: ")]
    assert len(qs) > 50
    assert {split_of(parse_question(q)) for q in qs} == {"train"}


def test_some_dialogues_follow_a_long_text(tokenizer, some_docs):
    """Lesson 3's prompt puts the question ~50 tokens in: the corpus has dialogues further in."""
    far = [d for d in some_docs if "User: " in d
           and len(tokenizer(d.split("User: ")[0], add_special_tokens=False).input_ids) > 60]
    assert far
    assert all(len(tokenizer(d).input_ids) < 512 for d in some_docs)  # fits max_positions


@pytest.mark.parametrize("n", [0, -3, 2.0, "5", None, True])
def test_documents_reject_bad_n(n):
    with pytest.raises(ValueError, match=r"n must be a positive int"):
        documents(n)
    with pytest.raises(ValueError, match=r"n must be a positive int"):
        pages(n)


def test_pages_pack_documents_with_eos(tokenizer):
    """Rows hold a few documents joined by '<eos>' (read as <eos>), about tokens_per_page long."""
    rows = pages(60, seed=0, tokens_per_page=160, tokenizer=tokenizer)
    assert rows == pages(60, seed=0, tokens_per_page=160, tokenizer=tokenizer)
    multi = [r for r in rows if "<eos>" in r]
    assert len(multi) > 40
    for r in rows:
        ids = tokenizer(r, add_special_tokens=False).input_ids
        assert ids.count(tokenizer.eos_token_id) == r.count("<eos>")
        if "<eos>" in r:
            assert len(ids) <= 160
    lens = [len(tokenizer(r, add_special_tokens=False).input_ids) for r in rows]
    assert sum(lens) / len(lens) > 100


def test_pages_hold_every_step_count():
    """Rows mix problems of 1 to 6 steps from the first rows on (no curriculum)."""
    rows = pages(400, seed=0)
    steps = lambda r: [parse_question(q).steps for q in QUESTION.findall(r)]
    assert set(steps(" ".join(rows[:30]))) == set(range(1, 7))


# --- slips and notations -----------------------------------------------------------------------

@given(st.integers(0, 10**6), st.integers(1, 8))
def test_no_slip_gives_the_true_answer(seed, n_steps):
    """With slip=0 every step is right and the final value is the answer."""
    rng = random.Random(seed)
    p = random_problem(rng, n_steps)
    steps, final = solve_with_slips(p, rng, slip=0)
    assert final == p.answer
    assert [v for *_, v in steps] == list(p.values)


@given(st.integers(0, 10**6), st.integers(1, 8))
def test_slip_one_makes_every_step_wrong_and_carries_it(seed, n_steps):
    """With slip=1 every result is wrong for the value it started from, and the next step starts there."""
    rng = random.Random(seed)
    p = random_problem(rng, n_steps)
    steps, final = solve_with_slips(p, rng, slip=1)
    assert len(steps) == n_steps and steps[0][0] == p.start
    for a, op, x, v in steps:
        assert v != ((a + x) if op == "+" else (a - x)) % MODULUS
        assert 0 <= v < MODULUS
    assert all(nxt[0] == prev[3] for prev, nxt in zip(steps, steps[1:]))
    assert final == steps[-1][3]


def test_step_text_in_both_notations():
    assert step_text(4, "+", 6, 10, "symbols") == "04+6=10"
    assert step_text(10, "-", 3, 7, "words") == "10 minus 3 makes 07"
    assert step_text(4, "+", 6, 10, "words") == "04 plus 6 makes 10"


@pytest.mark.parametrize("notation", ["letters", "Symbols", "", None])
def test_step_text_unknown_notation(notation):
    with pytest.raises(ValueError, match=r"unknown notation .*choose one of \('symbols', 'words'\)"):
        step_text(4, "+", 6, 10, notation)


@given(st.integers(0, 99), st.sampled_from("+-"), st.integers(1, 9), st.integers(0, 99),
       st.sampled_from(NOTATIONS), st.integers(0, 100))
def test_step_text_reads_back(a, op, x, v, notation, seed):
    """Each step is recognised by its notation's regex, with the same numbers."""
    text = step_text(a, op, x, v, notation, random.Random(seed))
    rx = SYMBOL_STEP if notation == "symbols" else WORD_STEP
    m = rx.fullmatch(text)
    assert m and (int(m[1]), int(m[3]), int(m[4])) == (a, x, v)
    assert notation_of(text) == notation


def test_notation_of():
    assert notation_of("04+6=10 10-3=07") == "symbols"
    assert notation_of("04 plus 6 makes 10, 10 minus 3 is 07") == "words"
    assert notation_of("04+6=10, 10 minus 3 makes 07") == "mixed"
    assert notation_of("the answer is 07") == "none"
    assert notation_of("") == "none"
    assert notation_of("4+6=10") == "none"  # values have two digits


@pytest.mark.parametrize("notation", NOTATIONS)
def test_worked_thoughts_keep_one_notation(notation):
    rng = random.Random(0)
    for _ in range(20):
        p = random_problem(rng, 4)
        text, final = worked_thoughts(p, rng, notation, slip=0)
        assert notation_of(text) == notation and final == p.answer
        assert len(steps_in(text)) == 4


# --- pretrain_base (a 2-step smoke run; the reproduction of the shipped base is tested elsewhere) --

def test_pretrain_budget_has_every_setting():
    import dataclasses

    from lessons_lib.pretrain import PretrainBudget

    b = PretrainBudget()
    assert {f.name for f in dataclasses.fields(b)} == {
        "updates", "batch_size", "lr", "max_positions", "num_hidden_layers", "tokens_per_page"}
    assert (b.updates, b.batch_size, b.lr, b.tokens_per_page, b.max_positions,
            b.num_hidden_layers) == (4000, 32, 2e-3, 160, 512, 4)
    assert b.tokens_per_page < b.max_positions


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    import dataclasses

    from lessons_lib.pretrain import PretrainBudget
    from lessons_lib.worlds.chain_corpus import pretrain_base

    budget = dataclasses.replace(PretrainBudget(), updates=2, batch_size=2)
    return pretrain_base(budget, output_dir=str(tmp_path_factory.mktemp("base")))


def test_pretrain_base_runs_and_logs_losses(pretrained):
    import math

    from lessons_lib.pretrain import PretrainBudget

    model, tok, trainer = pretrained
    assert trainer.state.global_step == 2 and not model.training
    losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
    assert len(losses) == 2 and all(math.isfinite(x) and x > 0 for x in losses)
    assert model.config.max_position_embeddings == PretrainBudget().max_positions
    assert len(trainer.train_dataset) == 2 * 2  # updates x batch_size documents


def test_pretraining_loss_is_on_every_token(pretrained):
    """A plain language model: labels are the input ids, and each document ends in <eos>."""
    _, tok, trainer = pretrained
    ds = trainer.train_dataset
    for row in ds:
        assert row["labels"] == row["input_ids"]
        assert row["input_ids"][-1] == tok.eos_token_id
    batch = trainer.data_collator([ds[0], ds[1]])
    assert ((batch["labels"] == -100) == (batch["attention_mask"] == 0)).all()  # padding only
