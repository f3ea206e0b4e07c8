"""Models: the tiny default built from a `transformers` config, saving/loading, and hub models.

The tiny default is a real `LlamaForCausalLM` (about half a million parameters: width 96, three
layers, six heads), so every trainer, reward and evaluation in the course works unchanged on a hub
model such as Qwen2.5-0.5B. Why this size: at width 64 and four layers, chain-of-thought SFT left
about one carry in a hundred wrong (so 4-step problems topped out near 95%); width 96 with three
layers made almost none, for about 25% more time per step.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

from .tokenizer import build_tokenizer, load_tokenizer

TINY = dict(hidden_size=96, num_hidden_layers=3, num_attention_heads=6, intermediate_size=384)


def tiny_model(tokenizer, seed: int = 0, **overrides) -> LlamaForCausalLM:
    """A freshly initialised tiny Llama for `tokenizer` (deterministic in `seed`).

    `overrides` change the config, e.g. `tiny_model(tok, hidden_size=96)`.
    """
    unknown = set(overrides) - set(LlamaConfig().to_dict())
    if unknown:
        raise ValueError(f"unknown LlamaConfig field(s) {sorted(unknown)}; see transformers.LlamaConfig")
    cfg = dict(TINY, num_key_value_heads=None, max_position_embeddings=256, tie_word_embeddings=True,
               vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id,
               eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    cfg.update(overrides)
    if cfg["num_key_value_heads"] is None:
        cfg["num_key_value_heads"] = cfg["num_attention_heads"]
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(**cfg))
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    return model


def new_tiny(seed: int = 0, **overrides):
    """(model, tokenizer): the toy-world tokenizer and a fresh tiny model for it."""
    tok = build_tokenizer()
    return tiny_model(tok, seed=seed, **overrides), tok


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def save(model, tokenizer, path: str | Path) -> Path:
    """Save model and tokenizer together, so either can be reloaded with `load`."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def load(path: str | Path, device: str = "cpu"):
    """(model, tokenizer) from a folder written by `save` (or any local transformers checkpoint)."""
    path = Path(path)
    if not (path / "config.json").exists():
        raise FileNotFoundError(
            f"no saved model at {path} (no config.json there). Train it first by running the "
            "notebook that saves it, or use the copy the course ships under data/checkpoints/."
        )
    tok = load_tokenizer(path)
    model = AutoModelForCausalLM.from_pretrained(str(path)).to(device)
    return model, tok


def load_hub_model(name: str, device: str = "cpu", dtype=None):
    """(model, tokenizer) for a hub model such as 'Qwen/Qwen2.5-0.5B', from the cache or the hub.

    On a machine without network and without the model in the local cache, this raises a
    RuntimeError that says so and how to use the tiny default instead, rather than a stack trace
    from inside huggingface_hub. A local folder path works as well.
    """
    from transformers import AutoTokenizer

    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"model name must be a non-empty string like 'Qwen/Qwen2.5-0.5B', got {name!r}")
    try:
        tok = AutoTokenizer.from_pretrained(name)
        model = AutoModelForCausalLM.from_pretrained(name, dtype=dtype or "auto")
    except OSError as e:  # transformers turns hub/network/cache misses into OSError
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        raise RuntimeError(
            f"could not load the model {name!r}: {str(e).splitlines()[0]}\n"
            + ("HF_HUB_OFFLINE is set, so only the local cache was searched.\n" if offline else "")
            + "This machine cannot reach the Hugging Face hub, or the name is wrong. Either run where "
            "the hub is reachable (e.g. Colab) once to cache it, pass a local folder that holds a "
            "saved model, or use the course's tiny default: set MODEL = 'tiny' in the config cell."
        ) from None
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return model.to(device), tok
