"""Models: the tiny default built from a `transformers` config, saving/loading, and hub models.

The tiny default is a real `LlamaForCausalLM` (about half a million parameters: width 96, three
layers, six heads), so every trainer, reward and evaluation in the course works unchanged on a hub
model such as Qwen2.5-0.5B. Why this size: at width 64 and four layers, chain-of-thought SFT left
about one carry in a hundred wrong (so 4-step problems topped out near 95%); width 96 with three
layers made almost none, for about 25% more time per optimizer update.
"""
from __future__ import annotations

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
    return with_token_ids(LlamaForCausalLM(LlamaConfig(**cfg)), tokenizer)


def with_token_ids(model, tokenizer):
    """`model` with its generation config's pad/eos/bos ids set to `tokenizer`'s (returned)."""
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


def _looks_like_hub_name(path) -> bool:
    """'Qwen/Qwen2.5-0.5B': one '/', relative, and neither it nor its first part is a folder here."""
    text = str(path)
    return (text.count("/") == 1 and not text.startswith((".", "/", "~")) and "\\" not in text
            and not Path(text).exists() and not Path(text.split("/")[0]).exists())


def load(path: str | Path, device: str = "cpu"):
    """(model, tokenizer) from a local folder written by `save` (or any local transformers checkpoint).

    It never goes to the Hugging Face hub: for a hub name such as 'Qwen/Qwen2.5-0.5B' use
    `load_hub_model`.
    """
    given, path = path, Path(path)
    if not (path / "config.json").exists():
        if _looks_like_hub_name(given):
            raise FileNotFoundError(
                f"no folder {str(given)!r} here: load() reads a model saved in a local folder. "
                f"{str(given)!r} looks like a Hugging Face hub name; if it is one, load it with "
                f"lessons_lib.models.load_hub_model({str(given)!r}), which needs the hub or a copy "
                "in the local cache.")
        raise FileNotFoundError(
            f"no saved model at {path} (no config.json there). Train it first by running the "
            "notebook that saves it, or use the copy the course ships under data/checkpoints/."
        )
    tok = load_tokenizer(path)
    model = AutoModelForCausalLM.from_pretrained(str(path)).to(device)
    return model, tok


HUB_TIMEOUT = 3.0  # seconds to wait for the hub before saying it cannot be reached

_NO_HUB_ADVICE = (
    "Either run once where the hub is reachable (e.g. Colab) so the model is cached, or pass a "
    "local folder that holds a saved model. The course's notebooks do not need the hub: they use "
    "the tiny model (lessons_lib.models.new_tiny) and the models shipped under data/checkpoints/ "
    "(lessons_lib.models.load); lesson 8 runs a hub model's architecture offline with "
    "lessons_lib.models.hub_or_stand_in.")


def _hub_unreachable(timeout: float = HUB_TIMEOUT) -> str | None:
    """Why the hub cannot be reached (one short request, no retries), or None if it answers."""
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    try:
        get_session().head(constants.ENDPOINT, timeout=timeout)
    except Exception as e:  # DNS failure, refused or timed-out connection, proxy error, ...
        return f"{constants.ENDPOINT} did not answer ({type(e).__name__}: {e})"
    return None


def load_hub_model(name: str, device: str = "cpu", dtype=None):
    """(model, tokenizer) for a hub model such as 'Qwen/Qwen2.5-0.5B', from the cache or the hub.

    It looks in the local cache first (no network at all); only on a miss does it ask the hub, and
    only after one request with a 3 s timeout (HUB_TIMEOUT), without retries, shows the hub answers.
    Where the hub cannot be reached it raises a clear RuntimeError at once instead of waiting through
    huggingface_hub's retries: on the course's 2-core machine, with no network and HF_HUB_OFFLINE
    unset, the error comes 0.1 s after the call (before this check: 47 s). A local folder path works
    as well. Nothing is downloaded unless the hub answers.
    """
    from huggingface_hub import constants
    from transformers import AutoTokenizer

    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"model name must be a non-empty string like 'Qwen/Qwen2.5-0.5B', got {name!r}")

    def from_pretrained(local_files_only: bool):
        tok = AutoTokenizer.from_pretrained(name, local_files_only=local_files_only)
        model = AutoModelForCausalLM.from_pretrained(name, dtype=dtype or "auto",
                                                     local_files_only=local_files_only)
        return model, tok

    def fail(why: str):
        return RuntimeError(f"could not load the model {name!r}: {why}\n{_NO_HUB_ADVICE}")

    try:  # 1. a local folder, or the local cache: no network
        model, tok = from_pretrained(local_files_only=True)
    except OSError as cache_miss:  # transformers turns cache misses into OSError
        if Path(name).expanduser().exists():
            raise fail(f"the folder holds no saved model ({str(cache_miss).splitlines()[0]})") from None
        if constants.HF_HUB_OFFLINE:
            raise fail("it is not in the local cache, and HF_HUB_OFFLINE is set, so only the local "
                       "cache was searched.") from None
        why = _hub_unreachable()  # 2. the hub, only if it answers quickly
        if why:
            raise fail(f"it is not in the local cache, and this machine cannot reach the Hugging "
                       f"Face hub: {why}.") from None
        try:
            model, tok = from_pretrained(local_files_only=False)
        except OSError as e:
            raise fail(f"{str(e).splitlines()[0]} (is the name right? it is case-sensitive)") from None
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return model.to(device), tok


# --- a stand-in for a hub model when the hub cannot be reached (lesson 8) -------------------------

BASE = "03_base"  # the course's pretrained base (lesson 3), whose weights seed a toy-sized stand-in


def _config_path(name: str) -> Path:
    """Where the architecture config of hub model `name` is shipped (it may be missing)."""
    from .paths import DATA

    return DATA / "hub_configs" / (name.replace("/", "__") + ".json")


def _config_file(name: str) -> Path:
    path = _config_path(name)
    if not path.exists():
        known = sorted(p.stem.replace("__", "/") for p in path.parent.glob("*.json"))
        raise ValueError(f"no architecture config for {name!r} under {path.parent}; the course ships "
                         f"{known}. Save that model's config.json there as "
                         f"{path.name} to build a stand-in for it.")
    return path


def stand_in_config(name: str, full_size: bool = False, vocab_size: int | None = None):
    """The transformers config of hub model `name` (from data/hub_configs/), no hub needed.

    `full_size=True` keeps every size (for speed and memory measurements with random weights);
    otherwise the width, depth and heads become those of the course's base model (width 96, four
    layers, six heads), so the course's base weights fit it. `vocab_size` overrides the vocabulary.
    """
    import json

    from transformers import AutoConfig

    cfg = json.loads(_config_file(name).read_text())
    model_type = cfg.pop("model_type")
    cfg.pop("architectures", None)
    cfg.pop("torch_dtype", None)
    if not full_size:
        from .paths import CHECKPOINTS

        base = json.loads((CHECKPOINTS / BASE / "config.json").read_text())
        for key in ("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                    "intermediate_size", "head_dim", "max_position_embeddings", "rms_norm_eps"):
            cfg[key] = base[key]
        cfg.update(max_window_layers=base["num_hidden_layers"], rope_theta=10000.0,
                   sliding_window=None, use_sliding_window=False)
    if vocab_size is not None:
        cfg["vocab_size"] = vocab_size
    return AutoConfig.for_model(model_type, **cfg)


def stand_in(name: str):
    """(model, tokenizer, notes): hub model `name`'s architecture at the toy size, on the course's
    base weights and tokenizer.

    Every weight the base model has is copied in. A Llama block is a Qwen2 block without q/k/v
    biases, so for Qwen2 the copied biases are set to zero and the stand-in computes exactly what
    the base does; weights the base has no counterpart for (Qwen3's q/k norms) keep their fresh
    initialisation, and `notes` lists them.
    """
    from .paths import CHECKPOINTS

    base, tok = load(CHECKPOINTS / BASE)
    cfg = stand_in_config(name, vocab_size=base.config.vocab_size)
    for key in ("bos_token_id", "eos_token_id", "pad_token_id"):
        setattr(cfg, key, getattr(tok, key))
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg)
    state = model.state_dict()
    copied, fresh = 0, []
    base_state = base.state_dict()
    with torch.no_grad():
        for key, value in state.items():
            if key in base_state and base_state[key].shape == value.shape:
                value.copy_(base_state[key])
                copied += 1
            elif key.endswith(".bias"):
                value.zero_()  # Qwen2's q/k/v biases: zero makes the block a bias-free Llama block
            else:
                fresh.append(key)
    with_token_ids(model, tok)
    notes = (f"{type(model).__name__} at the toy size ({n_params(model):,} parameters; the real "
             f"{name} has {_hub_size(name):,}), weights from the course's base model "
             f"({copied} tensors copied), the toy-world tokenizer ({len(tok)} tokens)")
    if fresh:
        notes += f"; {len(fresh)} tensors have no counterpart in the base and start fresh: {fresh[:3]}"
    return model.eval(), tok, notes


def _hub_size(name: str) -> int:
    """Parameters of hub model `name` at full size, counted on the meta device (no memory)."""
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(stand_in_config(name, full_size=True))
    return n_params(model)


def hub_or_stand_in(name: str, device: str = "cpu", dtype=None, verbose: bool = True,
                    fallback=None):
    """(model, tokenizer, where): hub model `name` if it loads (cache or hub), else its stand-in.

    `where` says which one you got; with the stand-in, every number measured is the toy's, not the
    hub model's. A name with no config under data/hub_configs/ and no hub raises the hub's error.
    `fallback(name)` builds the stand-in, (model, tokenizer, notes): `stand_in` (the toy world's
    model) when None; lesson 8 passes `lesson8_stand_in.load_stand_in`, which reads words.
    """
    try:
        model, tok = load_hub_model(name, device=device, dtype=dtype)
        return model, tok, f"{name} from the hub (or its local cache)"
    except RuntimeError as e:
        if not _config_path(name).exists():
            raise
        model, tok, notes = (fallback or stand_in)(name)
        if verbose:
            why = str(e).splitlines()[0].split(": ", 1)[-1]  # load_hub_model's reason, without the name
            print(f"{name} could not be loaded ({why})")
            print(f"Using a stand-in instead: {notes}.")
        return model.to(device), tok, f"stand-in for {name}: {notes}"


def save_run(model, tokenizer, log_history: list, snapshots: dict, folder, trained: bool):
    """Save a trained RL run (the model, trl's log and the snapshots) to `folder` and return it;
    with `trained=False` (the notebook loaded the shipped run) write nothing and return None, so a
    workshop that skips training never copies the shipped model into models/."""
    import json
    from pathlib import Path

    if not trained:
        return None
    out = save(model, tokenizer, Path(folder))
    (out / "log_history.json").write_text(json.dumps(log_history))
    (out / "snapshots.json").write_text(json.dumps(snapshots))
    return out
