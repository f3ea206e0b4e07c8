"""Tests of lessons_lib.tokenizer: exact round trips, tags, digits, special tokens, save/load."""
import string

import pytest
from hypothesis import given, strategies as st

from lessons_lib.tokenizer import SPECIAL_TOKENS, TAGS, build_tokenizer, load_tokenizer

SAMPLE_TEXTS = [
    "Q: 37+8-5+9\nA: ",
    "<think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>",
    "the answer is 7",
    "tab\there\r\n and form\x0cfeed\x0b",
    "",
    "a",
]


def tokens(tok, text):
    return tok.convert_ids_to_tokens(tok(text, add_special_tokens=False)["input_ids"])


@given(st.text(alphabet=string.printable))
def test_round_trip_printable_ascii(tokenizer, text):
    """Every printable ASCII text encodes without <unk> and decodes back exactly."""
    ids = tokenizer(text)["input_ids"]
    if "<unk>" not in text:  # the literal text '<unk>' is the <unk> token itself
        assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids[1:]) == text
    if not any(s in text for s in SPECIAL_TOKENS):
        assert tokenizer.decode(ids, skip_special_tokens=True) == text


@given(st.text(alphabet=string.printable))
def test_encoding_adds_bos_only(tokenizer, text):
    """Encoding puts one <bos> first and adds nothing else (no <eos>)."""
    with_special = tokenizer(text)["input_ids"]
    without = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert with_special == [tokenizer.bos_token_id] + without


def test_tags_are_single_ordinary_tokens(tokenizer):
    """Each think/answer tag is one token, and not a special one."""
    for tag in TAGS:
        ids = tokenizer(tag, add_special_tokens=False)["input_ids"]
        assert len(ids) == 1
        assert tokenizer.convert_ids_to_tokens(ids) == [tag]
        assert tag not in tokenizer.all_special_tokens


def test_skip_special_tokens_keeps_tags_and_drops_bos_eos_pad(tokenizer):
    """decode(skip_special_tokens=True), as trl uses it, keeps the tags but drops <bos>/<eos>/<pad>."""
    body = "<think>1+2=3</think><answer>3</answer>"
    ids = tokenizer(f"<pad>{body}<eos><pad>")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id
    assert tokenizer.eos_token_id in ids and tokenizer.pad_token_id in ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == body
    assert tokenizer.decode(ids, skip_special_tokens=False) == f"<bos><pad>{body}<eos><pad>"


def test_special_token_strings_map_to_their_ids(tokenizer):
    """The text '<eos>' (and '<bos>', '<pad>') encodes to that special token's id."""
    assert tokenizer("<eos>", add_special_tokens=False)["input_ids"] == [tokenizer.eos_token_id]
    assert tokenizer("<bos>", add_special_tokens=False)["input_ids"] == [tokenizer.bos_token_id]
    assert tokenizer("<pad>", add_special_tokens=False)["input_ids"] == [tokenizer.pad_token_id]
    assert len({tokenizer.pad_token_id, tokenizer.bos_token_id, tokenizer.eos_token_id,
                tokenizer.unk_token_id}) == 4


@given(st.integers(0, 10**15))
def test_digits_are_one_token_each(tokenizer, n):
    """A number is read digit by digit, also inside an equation."""
    assert tokens(tokenizer, str(n)) == list(str(n))
    assert tokens(tokenizer, f"{n}+7=") == list(str(n)) + ["+", "7", "="]


def test_known_words_are_one_token_but_not_inside_longer_words(tokenizer):
    """Known words are single tokens only when they stand alone; other words are spelled out."""
    assert tokens(tokenizer, "the answer is") == ["the", " ", "answer", " ", "is"]
    assert tokens(tokenizer, "answers") == list("answers")
    assert tokens(tokenizer, "xyzzy") == list("xyzzy")


def test_ids_of_special_tokens_and_tags_are_pinned(tokenizer):
    """<pad>, <bos>, <eos>, <unk> and the four tags keep ids 0-7 (saved checkpoints rely on them)."""
    vocab = tokenizer.get_vocab()
    assert [vocab[t] for t in SPECIAL_TOKENS + TAGS] == list(range(8))
    assert tokenizer.padding_side == "left"


def test_build_tokenizer_is_deterministic():
    """Two builds give the same vocabulary, ids included, and the same encodings."""
    a, b = build_tokenizer(), build_tokenizer()
    assert a.get_vocab() == b.get_vocab()
    assert a(SAMPLE_TEXTS)["input_ids"] == b(SAMPLE_TEXTS)["input_ids"]
    assert 100 < len(a) < 256


def test_save_then_load_gives_same_ids_and_vocab(tokenizer, tmp_path):
    """save_pretrained + load_tokenizer reproduces ids, padding, vocab and special tokens."""
    tokenizer.save_pretrained(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert loaded(SAMPLE_TEXTS)["input_ids"] == tokenizer(SAMPLE_TEXTS)["input_ids"]
    padded_a = loaded(SAMPLE_TEXTS, padding=True)
    padded_b = tokenizer(SAMPLE_TEXTS, padding=True)
    assert padded_a["input_ids"] == padded_b["input_ids"]
    assert padded_a["attention_mask"] == padded_b["attention_mask"]
    assert padded_a["input_ids"][-1][0] == tokenizer.pad_token_id  # short texts padded on the left
    assert loaded.get_vocab() == tokenizer.get_vocab()
    assert loaded.padding_side == "left"
    for name in ("pad_token_id", "bos_token_id", "eos_token_id", "unk_token_id"):
        assert getattr(loaded, name) == getattr(tokenizer, name)
    ids = tokenizer(SAMPLE_TEXTS[1])["input_ids"]
    assert loaded.decode(ids, skip_special_tokens=True) == SAMPLE_TEXTS[1]


@pytest.fixture(scope="module")
def loaded_tokenizer(tokenizer, tmp_path_factory):
    path = tmp_path_factory.mktemp("tok")
    tokenizer.save_pretrained(path)
    return load_tokenizer(path)


@given(st.text(alphabet=string.printable, max_size=40))
def test_loaded_tokenizer_round_trips_too(tokenizer, loaded_tokenizer, text):
    """The reloaded tokenizer (a different class in transformers 5) encodes like the built one."""
    ids = loaded_tokenizer(text)["input_ids"]
    assert ids == tokenizer(text)["input_ids"]
    assert loaded_tokenizer.decode(ids[1:]) == text
