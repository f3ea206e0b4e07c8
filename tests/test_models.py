"""Tests of lessons_lib.models: the tiny model factory, save/load, and the hub loader."""
import huggingface_hub.constants
import pytest
import torch
from conftest import TINY_KW
from transformers import LlamaForCausalLM

from lessons_lib.models import load, load_hub_model, n_params, new_tiny, save, tiny_model

TEXTS = ["Q: 37+8-5+9\nA: ", "<think>1+2=3</think><answer>3</answer>", "hello"]


def same_parameters(a, b) -> bool:
    pa, pb = dict(a.named_parameters()), dict(b.named_parameters())
    return pa.keys() == pb.keys() and all(torch.equal(pa[k], pb[k]) for k in pa)


def logits(model, tok):
    enc = tok(TEXTS, return_tensors="pt", padding=True)
    with torch.no_grad():
        return model(**enc).logits


def test_tiny_model_is_deterministic_in_seed(tokenizer):
    """The same seed gives identical parameters; another seed gives different ones."""
    a = tiny_model(tokenizer, seed=3, **TINY_KW)
    b = tiny_model(tokenizer, seed=3, **TINY_KW)
    c = tiny_model(tokenizer, seed=4, **TINY_KW)
    assert same_parameters(a, b)
    assert not same_parameters(a, c)


def test_tiny_model_config_matches_tokenizer(tiny):
    """Vocab size and pad/bos/eos ids come from the tokenizer; overrides reach the config."""
    model, tok = tiny
    cfg = model.config
    assert isinstance(model, LlamaForCausalLM)
    assert cfg.vocab_size == len(tok)
    assert (cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id) == (
        tok.pad_token_id, tok.bos_token_id, tok.eos_token_id)
    gc = model.generation_config
    assert (gc.pad_token_id, gc.bos_token_id, gc.eos_token_id) == (
        tok.pad_token_id, tok.bos_token_id, tok.eos_token_id)
    assert cfg.hidden_size == 16 and cfg.num_hidden_layers == 1
    assert cfg.num_key_value_heads == cfg.num_attention_heads == 2
    assert model.get_input_embeddings().weight.data_ptr() == model.get_output_embeddings().weight.data_ptr()


def test_default_tiny_model_size(tokenizer):
    """The default tiny model has about half a million parameters, as documented."""
    assert 350_000 < n_params(tiny_model(tokenizer)) < 650_000


def test_tiny_model_rejects_unknown_override(tokenizer):
    """A misspelt config field raises a ValueError naming it, instead of being silently ignored."""
    with pytest.raises(ValueError, match="hidden_sise"):
        tiny_model(tokenizer, hidden_sise=32)
    with pytest.raises(ValueError, match="unknown LlamaConfig field"):
        new_tiny(seed=0, layers=2)


def test_save_load_round_trip(tiny, tmp_path):
    """load(save(...)) gives bitwise-identical logits and a tokenizer with the same ids."""
    model, tok = tiny
    path = save(model, tok, tmp_path / "m")
    assert (path / "config.json").exists()
    model2, tok2 = load(path)
    assert torch.equal(logits(model, tok), logits(model2, tok2))
    assert tok2(TEXTS)["input_ids"] == tok(TEXTS)["input_ids"]
    assert tok2.padding_side == "left"
    assert same_parameters(model, model2)


def test_load_without_config_explains_what_to_do(tmp_path):
    """Loading a folder without config.json says to train first or use data/checkpoints."""
    with pytest.raises(FileNotFoundError, match=r"(?s)no saved model.*Train it first.*data/checkpoints"):
        load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no config.json"):
        load(tmp_path / "does-not-exist")


def test_load_of_a_hub_name_points_to_load_hub_model():
    """load() reads local folders only: a hub name gets told to use load_hub_model."""
    with pytest.raises(FileNotFoundError, match=r"(?s)no folder 'Qwen/Qwen2.5-0.5B' here: load\(\) reads "
                                                r"a model saved in a local folder.*looks like a Hugging "
                                                r"Face hub name; if it is one.*load_hub_model\('Qwen/Qwen2.5-0.5B'\)"):
        load("Qwen/Qwen2.5-0.5B")


def test_load_of_a_missing_local_folder_still_says_train_first(tmp_path):
    """Paths that are clearly local (absolute, './x', a folder that exists) get the usual message."""
    for path in (tmp_path / "sub" / "m", "./models_x/m", str(tmp_path / "m")):
        with pytest.raises(FileNotFoundError, match=r"no saved model at .*Train it first"):
            load(path)


NO_HUB_ADVICE = (r"(?s)could not load the model 'nobody-xyz/not-a-model-123'.*"
                 r"The course's notebooks do not need the hub: they use the tiny model "
                 r"\(lessons_lib.models.new_tiny\) and the models shipped under data/checkpoints/")


def test_load_hub_model_offline_unknown_name(monkeypatch):
    """With HF_HUB_OFFLINE set, only the cache is searched, and the error says so."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # huggingface_hub reads the variable once, at import: set what it actually consults as well
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(RuntimeError, match=NO_HUB_ADVICE) as e:
        load_hub_model("nobody-xyz/not-a-model-123")
    assert "HF_HUB_OFFLINE is set, so only the local cache was searched" in str(e.value)


def test_load_hub_model_fails_fast_without_offline_mode(monkeypatch):
    """With HF_HUB_OFFLINE unset and no reachable hub, the clear error comes in well under 10 s
    (huggingface_hub's own retries took 47 s). The endpoint is one that cannot resolve (.invalid),
    so the test behaves the same on a machine with network, and nothing is ever downloaded."""
    import time

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "https://hub.invalid")
    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match=NO_HUB_ADVICE) as e:
        load_hub_model("nobody-xyz/not-a-model-123")
    assert time.perf_counter() - t0 < 10
    assert ("this machine cannot reach the Hugging Face hub: https://hub.invalid did not answer"
            in str(e.value))
    assert "'tiny' in the config cell" not in str(e.value)  # no notebook has such a setting


@pytest.mark.parametrize("name", ["", "   ", None, 3])
def test_load_hub_model_rejects_empty_name(name):
    """An empty or non-string model name raises a ValueError with an example of a valid one."""
    with pytest.raises(ValueError, match="non-empty string like 'Qwen/Qwen2.5-0.5B'"):
        load_hub_model(name)


def test_load_hub_model_from_local_folder(tiny, tmp_path):
    """The hub loader's real code path works on a small model saved locally."""
    model, tok = tiny
    save(model, tok, tmp_path)
    model2, tok2 = load_hub_model(str(tmp_path))
    assert tok2.padding_side == "left"
    assert tok2.pad_token_id == tok.pad_token_id
    assert next(model2.parameters()).dtype == torch.float32
    assert torch.equal(logits(model, tok), logits(model2, tok2))


def test_load_hub_model_sets_missing_pad_token(tiny, tmp_path):
    """A hub tokenizer without a pad token gets its eos token as pad (generation needs one)."""
    model, _ = tiny
    from lessons_lib.tokenizer import build_tokenizer

    tok = build_tokenizer()
    tok.pad_token = None
    save(model, tok, tmp_path)
    _, tok2 = load_hub_model(str(tmp_path))
    assert tok2.pad_token == tok2.eos_token == "<eos>"


# --- stand-ins for hub models (lesson 8) -------------------------------------------------------------
def test_qwen2_stand_in_computes_what_the_base_does():
    import torch

    from lessons_lib.models import load, stand_in
    from lessons_lib.paths import CHECKPOINTS

    model, tok, notes = stand_in("Qwen/Qwen2.5-0.5B-Instruct")
    base, _ = load(CHECKPOINTS / "03_base")
    ids = tok(["37+8-5=", "problem: 04-6"], return_tensors="pt", padding=True).input_ids
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, base(ids).logits, atol=1e-5)
    assert type(model).__name__ == "Qwen2ForCausalLM" and "494,032,768" in notes


def test_qwen3_stand_in_lists_what_it_could_not_copy():
    from lessons_lib.models import stand_in

    model, _, notes = stand_in("Qwen/Qwen3-0.6B")
    assert type(model).__name__ == "Qwen3ForCausalLM" and "q_norm" in notes


def test_stand_in_config_full_size_and_unknown_names():
    import torch
    from transformers import AutoModelForCausalLM

    from lessons_lib.models import n_params, stand_in_config

    with torch.device("meta"):
        big = AutoModelForCausalLM.from_config(stand_in_config("HuggingFaceTB/SmolLM2-360M-Instruct", full_size=True))
    assert n_params(big) == 361_821_120
    with pytest.raises(ValueError, match="no architecture config"):
        stand_in_config("someone/unknown-model")


def test_hub_or_stand_in_falls_back_offline_and_says_so(monkeypatch, capsys):
    from lessons_lib import models

    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    model, tok, where = models.hub_or_stand_in("Qwen/Qwen2.5-0.5B-Instruct")
    assert where.startswith("stand-in for Qwen/Qwen2.5-0.5B-Instruct")
    assert "Using a stand-in instead" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="could not load the model"):
        models.hub_or_stand_in("someone/unknown-model")
