"""Lesson 8's check: notebooks/08_real_models.ipynb (and solutions/08_solutions.ipynb).

    exercise 1  check_lora_count  predict how many parameters LoRA trains (counted with peft)
"""
from __future__ import annotations

from ._inputs import _is_number
from ._verdict import _ok, _wrong


def check_lora_count(model, r: int, target_modules, prediction) -> bool:
    """Lesson 8, exercise 1: predict how many parameters LoRA trains on `model` with rank `r` on
    `target_modules`. The check wraps a copy with peft and counts; it answers with a hint, and
    names the right count only once the prediction is right."""
    import copy

    from ..lora import add_lora, lora_config, parameter_counts

    if prediction is None or prediction is Ellipsis:
        return _wrong("`my_prediction` is empty: write the number you expect first, then run the check.")
    if not _is_number(prediction) or prediction < 0:
        return _wrong(f"the prediction should be a number of parameters (a non-negative integer), got {prediction!r}")
    counted = parameter_counts(add_lora(copy.deepcopy(model), lora_config(r=r, alpha=2 * r,
                                                                          target_modules=target_modules)))
    truth = counted["trainable"]
    if round(prediction) == truth:
        return _ok(f"right: {truth:,} trainable parameters ({counted['share']:.1%} of the model).")
    cfg = model.config
    hint = (f"each adapted matrix trains r x (d_in + d_out). For q_proj, d_out is num_attention_heads x "
            f"head_dim; for k_proj and v_proj, num_key_value_heads x head_dim (here "
            f"{cfg.num_key_value_heads} x {getattr(cfg, 'head_dim', None)}); every layer has its own "
            f"({cfg.num_hidden_layers} layers).")
    direction = "high" if prediction > truth else "low"
    return _wrong(f"your prediction is too {direction}. Hint: {hint}")
