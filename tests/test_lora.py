"""LoRA through peft: the config's checks, the counts, the measured training state."""
import copy

import pytest
import torch

from lessons_lib.exercises import check_lora_count
from lessons_lib.lora import (
    TARGET_MODULES, add_lora, lora_config, optimizer_state_bytes, parameter_counts, training_state_bytes,
)
from lessons_lib.models import new_tiny


@pytest.fixture(scope="module")
def tiny():
    return new_tiny(seed=0)


def test_lora_config_checks_its_settings():
    cfg = lora_config(r=4, alpha=8)
    assert cfg.r == 4 and cfg.lora_alpha == 8 and set(cfg.target_modules) == set(TARGET_MODULES)
    for bad in (dict(r=0), dict(r=2.5), dict(alpha=0), dict(dropout=1.0)):
        with pytest.raises(ValueError):
            lora_config(**bad)


def test_trainable_count_is_r_times_in_plus_out(tiny):
    model, _ = tiny
    cfg = model.config
    wrapped = add_lora(copy.deepcopy(model), lora_config(r=4, target_modules=("q_proj", "v_proj")))
    d, kv = cfg.hidden_size, cfg.num_key_value_heads * cfg.head_dim
    expected = cfg.num_hidden_layers * 4 * ((d + cfg.num_attention_heads * cfg.head_dim) + (d + kv))
    counts = parameter_counts(wrapped)
    assert counts["trainable"] == expected
    assert counts["total"] == sum(p.numel() for p in model.parameters()) + expected


def test_lora_leaves_the_model_unchanged_at_start(tiny):
    model, tok = tiny
    ids = tok(["37+8="], return_tensors="pt").input_ids
    wrapped = add_lora(copy.deepcopy(model))
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, wrapped(ids).logits)


def test_add_lora_names_the_modules_when_none_match(tiny):
    model, _ = tiny
    with pytest.raises(ValueError, match="none of the LoRA target modules"):
        add_lora(copy.deepcopy(model), lora_config(target_modules=("c_attn",)))


def test_training_state_shrinks_with_lora_and_model_is_restored(tiny):
    model, _ = tiny
    full_model = copy.deepcopy(model)
    before = [p.detach().clone() for p in full_model.parameters()]
    full = training_state_bytes(full_model)
    assert all(torch.equal(a, b) for a, b in zip(before, full_model.parameters()))
    n = sum(p.numel() for p in model.parameters())
    assert full["gradients"] == 4 * n and full["optimizer_state"] == 8 * n
    lora = training_state_bytes(add_lora(copy.deepcopy(model)))
    assert lora["optimizer_state"] < full["optimizer_state"] / 3
    frozen = copy.deepcopy(model).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable"):
        training_state_bytes(frozen)


def test_optimizer_state_bytes_counts_adam_moments():
    p = torch.nn.Parameter(torch.zeros(10))
    opt = torch.optim.AdamW([p])
    assert optimizer_state_bytes(opt) == 0
    p.grad = torch.ones(10)
    opt.step()
    assert optimizer_state_bytes(opt) == 2 * 10 * 4


def test_check_lora_count_hints_without_the_number(tiny, capsys):
    model, _ = tiny
    assert check_lora_count(model, 4, ("q_proj",), None) is False
    assert check_lora_count(model, 4, ("q_proj",), 1) is False
    out = capsys.readouterr().out
    truth = parameter_counts(add_lora(copy.deepcopy(model), lora_config(r=4, target_modules=("q_proj",))))["trainable"]
    assert "too low" in out and f"{truth:,}" not in out and str(truth) not in out
    assert check_lora_count(model, 4, ("q_proj",), truth) is True
