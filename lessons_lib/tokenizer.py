"""A small tokenizer for the toy world, built with `tokenizers` and wrapped for `transformers`.

Design: digits, operators and punctuation are one character each; a fixed list of known words
(including the think/answer tags) are one token each; anything else is spelled letter by letter.
So every printable ASCII text round-trips exactly (encode then decode gives it back), numbers are
read digit by digit (which lets a tiny model learn carries), and the vocabulary stays ~150 tokens.

Only <pad>, <bos>, <eos> and <unk> are special. The tags are ordinary tokens on purpose: trl decodes
completions with `skip_special_tokens=True`, which would delete special tags before the reward
functions see them.
"""
from __future__ import annotations

import string
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>", "<unk>"]
TAGS = ["<think>", "</think>", "<answer>", "</answer>"]
# Words that are one token each. Lesson 3's corpus and the R1-Zero template use them; a word not in
# the list still works, spelled letter by letter.
WORDS = sorted(
    """
    a an and answer are as assistant at be by conversation do first for from gives go in is it
    its let lets me mind minus of on plus process provides question reasoning result respectively
    so solves start step steps take takes that the then thinks this to total up user we what with
    which write you your add added subtract subtracted equals makes now next gets left over back
    here there count counting value number answer final problem solve solution think first second
    third fourth fifth sixth
    """.split()
)
WORDS = sorted(set(WORDS), key=lambda w: (-len(w), w))  # longest first, so the regex prefers them
CHARS = list(string.digits + string.ascii_letters + string.punctuation + " \n")
# The rest of string.whitespace, so that all of string.printable round-trips. Appended last, so the
# ids of every earlier token are unchanged.
CHARS += ["\t", "\r", "\x0b", "\x0c"]


def _pattern() -> str:
    tags = "|".join(t.replace("/", r"\/") for t in TAGS)
    words = "|".join(WORDS)
    # a tag, or a known word that is not part of a longer word, or any single character
    return rf"{tags}|(?<![A-Za-z])(?:{words})(?![A-Za-z])|[\s\S]"


def build_tokenizer() -> PreTrainedTokenizerFast:
    """Build the toy-world tokenizer (deterministic: the same vocabulary ids every time)."""
    vocab = {}
    for tok in SPECIAL_TOKENS + TAGS + WORDS + CHARS:
        vocab.setdefault(tok, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(_pattern()), behavior="isolated")
    tok.decoder = decoders.Fuse()  # tokens carry their own spaces: join them with nothing
    tok.add_special_tokens(SPECIAL_TOKENS)
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A", pair="<bos> $A $B", special_tokens=[("<bos>", vocab["<bos>"])]
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>", bos_token="<bos>", eos_token="<eos>", unk_token="<unk>",
        padding_side="left",  # generation appends on the right, so prompts are padded on the left
        model_max_length=512,
    )
    return wrapped


def load_tokenizer(path: str | Path):
    """Reload a saved tokenizer (transformers 5 returns a `TokenizersBackend`; it behaves the same)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    tok.padding_side = "left"
    return tok
