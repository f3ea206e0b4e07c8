"""Lesson 8's offline stand-in that reads words: a BPE tokenizer and a small Qwen2 pretrained on
word problems.

Why: with no hub, lesson 8 used to run its word-problem pipeline on the toy world's model, whose
193-token tokenizer spells every unknown word letter by letter (about 175 tokens a story), and
which had never read a story. SFT and GRPO then learned nothing (accuracy 0.00). A hub model
arrives with two things that model lacked: a tokenizer trained on text, and weights pretrained on
text. This module makes both, the way a hub model's are made, at a size a CPU trains in minutes:

- the tokenizer is byte-level BPE trained with `tokenizers` (the library hub tokenizers are built
  with), splitting text with Qwen2's pre-tokenizer pattern, so every digit is one token (as in
  Qwen2 and Llama 3) and each word of the stories becomes one or a few tokens; the think/answer
  tags are added tokens, ordinary (not special) so that trl's decoding keeps them;
- the model is the hub model's architecture class (Qwen2ForCausalLM for the default
  Qwen/Qwen2.5-0.5B-Instruct), built from its shipped config (data/hub_configs/) at a small size;
- it is pretrained by plain next-token prediction on worked solutions in GSM8K's format
  ("Question: ...\\nAnswer: 52 + 8 = 60 coins.\\n#### 60"), never on the R1-Zero template or its
  tags: like a hub base model, it has read worked solutions, and SFT must teach it the layout.

`scripts/pretrain_standin.py` runs `pretrain_stand_in()` and ships the result to
data/checkpoints/08_standin with a card (how it was made, its seconds and loss). The stories are
the course's offline word problems (`words.toy_word_problems`, train split only), so the
held-out test stories are never read in pretraining.
"""
from __future__ import annotations

import dataclasses

STANDIN = "08_standin"  # the folder under data/checkpoints/
ARCH = "Qwen/Qwen2.5-0.5B-Instruct"  # the hub model whose architecture class the stand-in has
# Qwen2's pre-tokenizer pattern (its tokenizer.json): contractions, words, single digits,
# punctuation runs, newlines, spaces.
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
EOS, PAD = "<|endoftext|>", "<|pad|>"
# Lesson 8's budgets on the stand-in (notebook 08 and bench/lesson8_seeds.py run these): SFT on
# `train_rows` stories, each arm at its own learning rate, held-out accuracy on `test_rows`.
LESSON8 = dict(train_rows=2000, test_rows=200, sft_updates=150, sft_batch=16,
               sft_lr={"full": 2e-3, "lora": 5e-3}, lora=dict(r=16, alpha=32))


def rl_budget_words():
    """Lesson 8's GRPO budget on the stand-in (lesson 3's RLBudget with shorter completions; its
    smoke variant when LESSONS_SMOKE=1)."""
    from .grpo import RLBudget
    from .runtime import smoke

    budget = RLBudget(updates=40, prompts_per_update=8, num_generations=8, lr=2e-4,
                      max_completion_length=48)
    return budget.smoke() if smoke() else budget


def pretraining_text(row: dict) -> str:
    """One word problem as pretraining text: the question, then its worked solution in GSM8K's
    format (calculator notes dropped, the '#### N' line kept)."""
    from .worlds.words import without_calculator_notes

    return f"Question: {row['question']}\nAnswer: {without_calculator_notes(row['answer']).strip()}"


def pretraining_rows(n: int, seed: int = 0) -> list[dict]:
    """`n` distinct training word problems: a tenth with one step (the train split holds 881 of
    those in all), the rest spread over two and three steps."""
    from .worlds.words import toy_word_problems

    one = max(1, n // 10)
    return (toy_word_problems(one, steps=(1,), split="train", seed=seed)
            + toy_word_problems(n - one, steps=(2, 3), split="train", seed=seed))


def tokenizer_extras() -> list[str]:
    """Texts the tokenizer also learns from (never pretrained on): lesson 3's R1-Zero template, so
    its words are whole tokens, as they are for a hub tokenizer that has read English."""
    from .formats import TEMPLATE

    return [TEMPLATE.format(question="")] * 50


def train_tokenizer(texts, vocab_size: int = 512):
    """A byte-level BPE tokenizer trained on `texts`, wrapped as a transformers fast tokenizer.

    Deterministic in (texts, vocab_size). Any text encodes (bytes are the fallback alphabet) and
    decodes back unchanged.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from .tokenizer import TAGS

    texts = list(texts)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise ValueError("train_tokenizer needs a non-empty list of strings to learn merges from")
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    if not isinstance(vocab_size, int) or vocab_size < len(alphabet) + 2:
        raise ValueError(f"vocab_size must be an int of at least {len(alphabet) + 2} (the 256 bytes and "
                         f"two special tokens), got {vocab_size!r}")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS, PAD],
                                  initial_alphabet=alphabet, show_progress=False)
    tok.train_from_iterator(texts, trainer)
    tok.add_tokens([AddedToken(t, normalized=False, special=False) for t in TAGS])
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD,
                                   padding_side="left", model_max_length=256,
                                   clean_up_tokenization_spaces=False)


@dataclasses.dataclass(frozen=True)
class StandInRecipe:
    """How the stand-in is made (scripts/pretrain_standin.py uses the defaults).

    rows                       training word problems read in pretraining (one per text)
    vocab_size                 BPE vocabulary, before the four tags are added
    updates, batch_size, lr    the pretraining run (cosine schedule, AdamW)

    The size is the course's base model's (lesson 3: width 96, four layers, six heads), whose
    weights start it (see `stand_in_model`).
    """

    rows: int = 6000
    vocab_size: int = 512
    updates: int = 1100
    batch_size: int = 32
    lr: float = 2e-3

    def smoke(self) -> StandInRecipe:
        return dataclasses.replace(self, rows=64, updates=4, batch_size=4)


def stand_in_model(tokenizer, name: str = ARCH):
    """Hub model `name`'s architecture class at the course base's size, for `tokenizer`, started
    from the base's weights (lessons_lib.models.stand_in explains why they fit).

    The base reads the toy world's tokenizer, character by character; a BPE token is a few
    characters, so each token's embedding starts as the mean of the base's embeddings of its
    characters (a tag or a digit is one base token, copied exactly). Pretraining starts from a model
    that already reads digits and does sums; it must still learn the stories' words. Returns
    (model, notes).
    """
    import torch
    from transformers import AutoModelForCausalLM

    from .models import BASE, load, stand_in_config, with_token_ids
    from .paths import CHECKPOINTS

    base, base_tok = load(CHECKPOINTS / BASE)
    cfg = stand_in_config(name)
    cfg.vocab_size, cfg.bos_token_id, cfg.eos_token_id, cfg.pad_token_id = (
        len(tokenizer), None, tokenizer.eos_token_id, tokenizer.pad_token_id)
    cfg.tie_word_embeddings = True
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg)
    base_state, copied = base.state_dict(), 0
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if "embed_tokens" in key or "lm_head" in key:
                continue
            if key in base_state and base_state[key].shape == value.shape:
                value.copy_(base_state[key])
                copied += 1
            elif key.endswith(".bias"):
                value.zero_()
        emb, base_emb = model.get_input_embeddings().weight, base.get_input_embeddings().weight
        for token, i in tokenizer.get_vocab().items():
            ids = base_tok(tokenizer.convert_tokens_to_string([token]), add_special_tokens=False).input_ids
            if ids:
                emb[i] = base_emb[ids].mean(0)
    return with_token_ids(model, tokenizer), f"{copied} tensors copied from the course's base model"


def pretrain_stand_in(recipe: StandInRecipe | None = None, seed: int = 0,
                      stop_after: int | None = None, **extra):
    """(model, tokenizer, trainer): the stand-in, pretrained on word problems. Deterministic in
    (recipe, seed). `stop_after=n` runs only the first n updates of the same schedule (a test
    compares them with the shipped log). `extra` overrides SFTConfig fields (e.g. logging_steps)."""
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    from .pretrain import _StopAfter
    from .sft import SFTSettings, sft_config

    r = recipe or StandInRecipe()
    texts = [pretraining_text(row) for row in pretraining_rows(r.rows, seed)]
    tok = train_tokenizer(texts + tokenizer_extras(), r.vocab_size)
    model, _ = stand_in_model(tok)
    extra.setdefault("logging_steps", max(1, r.updates // 30))
    args = sft_config(SFTSettings(r.updates, r.batch_size, r.lr), seed, max_length=256,
                      completion_only_loss=None, **extra)
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": texts}),
                         processing_class=tok, callbacks=[_StopAfter(stop_after)] if stop_after else None)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    model.eval()
    return model, tok, trainer


def load_stand_in(name: str = ARCH, device: str = "cpu"):
    """(model, tokenizer, notes): the shipped word stand-in (data/checkpoints/08_standin).

    It has the architecture class of ARCH (Qwen2.5); for another `name`, `notes` says the class
    differs from that model's.
    """
    import json

    from .models import _hub_size, load, n_params
    from .paths import CHECKPOINTS

    path = CHECKPOINTS / STANDIN
    model, tok = load(path, device=device)
    card = json.loads((path / "card.json").read_text())
    notes = (f"{type(model).__name__} at a small size ({n_params(model):,} parameters; the real "
             f"{name} has {_hub_size(name):,}), pretrained here for {card['seconds']:.0f} s on "
             f"{card['recipe']['rows']:,} worked word problems, its own BPE tokenizer "
             f"({len(tok)} tokens)")
    if name != card["architecture_of"]:
        notes += (f"; its class is that of {card['architecture_of']}, the only stand-in shipped, "
                  f"not {name}'s")
    return model.eval(), tok, notes


def checked(model, tokenizer, rows, max_new_tokens: int = 48, **gen) -> dict:
    """`model`'s completions for word problems `rows` (GSM8K's columns) under R1-Zero's template,
    read by both checkers: math-verify (the reward lesson 8 trains with) and the course's strict
    rule checker (`accuracy_reward`). `gen` goes to evaluation.generate (greedy by default; with
    num_return_sequences=n, n completions per row, row by row).

    Returns the completions, the true answers and the per-completion scores, and their means:
    `accuracy` (math-verify), `rule_accuracy` and `format_rate` (number_format_reward).
    """
    from .evaluation import generate
    from .rewards import accuracy_reward, math_verify_reward, number_format_reward
    from .worlds.words import r1_rl_row

    rows = [r1_rl_row(r) for r in rows]
    if not rows:
        raise ValueError("rows is empty: pass word problems with 'question' and 'answer'")
    outs = generate(model, tokenizer, [r["prompt"] for r in rows], max_new_tokens, **gen)
    k = len(outs) // len(rows)
    truth = [r["answer"] for r in rows for _ in range(k)]
    mv, rule = math_verify_reward(outs, truth), accuracy_reward(outs, truth)
    fmt = number_format_reward(outs)
    n = len(outs)
    return dict(completions=outs, truth=truth, math_verify=mv, rule=rule, format=fmt,
                accuracy=sum(mv) / n, rule_accuracy=sum(rule) / n, format_rate=sum(fmt) / n)


def disagreements(scores: dict) -> list[dict]:
    """The completions of a `checked` result that the two checkers score differently."""
    return [dict(completion=c, truth=t, math_verify=m, rule=r)
            for c, t, m, r in zip(scores["completions"], scores["truth"], scores["math_verify"],
                                  scores["rule"]) if m != r]
