"""LoRA adapters through `peft`: the settings written out, and what they save, measured.

LoRA (Hu et al. 2021) freezes a weight matrix W (d_out x d_in) and trains a low-rank update
beside it: W x + (alpha / r) * B A x, with A (r x d_in) and B (d_out x r), B starting at zero so
the model starts unchanged. Per adapted matrix it trains r * (d_in + d_out) numbers instead of
d_in * d_out. What that saves is mostly *optimizer state and gradients*: Adam keeps two fp32
numbers per trained parameter (its running mean and variance) and the backward pass one gradient,
so full fine-tuning needs about 12 bytes per parameter on top of the weights (16 with fp32 master
weights under bf16), LoRA 12 bytes per *adapter* parameter. Activations are not saved by LoRA.
"""
from __future__ import annotations

# Every linear layer of a Llama/Qwen block: attention (q, k, v, o) and the SwiGLU MLP (gate, up,
# down). Adapting all of them is what QLoRA found works best; attention alone (q, v) is the
# original paper's cheaper choice.
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
ADAM_BYTES_PER_PARAM = 8  # Adam's two fp32 moments (exp_avg, exp_avg_sq)


def lora_config(r: int = 16, alpha: int = 32, dropout: float = 0.0,
                target_modules=TARGET_MODULES):
    """A peft LoraConfig for a causal LM: rank `r`, scale alpha / r, the modules it adapts."""
    from peft import LoraConfig

    if not isinstance(r, int) or isinstance(r, bool) or r < 1:
        raise ValueError(f"the LoRA rank r must be a positive int (8, 16, 32 are common), got {r!r}")
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha <= 0:
        raise ValueError(f"lora alpha must be a positive number (often 2 * r), got {alpha!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"lora dropout must be in [0, 1), got {dropout!r}")
    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, bias="none",
                      target_modules=list(target_modules), task_type="CAUSAL_LM")


def add_lora(model, config=None):
    """`model` wrapped by peft with LoRA adapters (`config` from `lora_config`; its defaults if None).

    Raises a clear error when none of the target modules exists in the model.
    """
    from peft import get_peft_model

    config = config or lora_config()
    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    wanted = set(config.target_modules)
    if not wanted & names:
        raise ValueError(f"none of the LoRA target modules {sorted(wanted)} is in this model; its "
                         f"linear layers are named like {sorted(n for n in names if 'proj' in n)[:8]}")
    return get_peft_model(model, config)


def parameter_counts(model) -> dict:
    """{'trainable', 'total', 'share'}: parameters that get gradients, all of them, and the ratio."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return {"trainable": trainable, "total": total, "share": trainable / total if total else 0.0}


def optimizer_state_bytes(optimizer) -> int:
    """Bytes held by an optimizer's state tensors (measured: call it after at least one step)."""
    import torch

    return sum(v.numel() * v.element_size() for state in optimizer.state.values()
               for v in state.values() if isinstance(v, torch.Tensor) and v.dim() > 0)


def training_state_bytes(model) -> dict:
    """What one AdamW step costs beyond the weights, measured on `model` (its trainable part).

    Runs one forward/backward on a short dummy batch and one AdamW step on a *copy* of the
    trainable parameters' values, then restores them, so the model is unchanged. Returns bytes of
    weights, gradients and optimizer state.
    """
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters (all frozen)")
    saved = [p.detach().clone() for p in params]
    device = params[0].device
    opt = torch.optim.AdamW(params, lr=1e-9)
    ids = torch.ones(1, 8, dtype=torch.long, device=device)
    model.train()
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    grads = sum(p.grad.numel() * p.grad.element_size() for p in params if p.grad is not None)
    opt.step()
    state = optimizer_state_bytes(opt)
    opt.zero_grad(set_to_none=True)
    with torch.no_grad():
        for p, s in zip(params, saved):
            p.copy_(s)
    model.eval()
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    return {"weights": weights, "gradients": grads, "optimizer_state": state}
