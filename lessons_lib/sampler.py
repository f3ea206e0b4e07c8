"""A small KV-cache sampler for the course's models, and the trl hook that makes GRPO use it.

Why it exists: GRPO spends about half of every update sampling 64 completions of up to 96 tokens,
and for a half-million-parameter model almost none of that time is arithmetic. `model.generate`
grows its key/value cache by concatenation at every token (a copy of the whole cache, so the
copying grows with the square of the length) and runs torch's attention kernel, built for long
queries, on a single query. This sampler does the same computation with the model's own weights
and layers, but writes keys and values into buffers allocated once, attends with two plain matrix
products, runs q/k/v (and gate/up) as one matrix product each, and feeds identical prompts (GRPO
repeats every prompt once per completion) through the model once.

It samples from the same distribution as `model.generate(do_sample=True, temperature=t)` with
top_k=0 and top_p=1 (greedy decoding gives the same tokens; tests/test_sampler.py checks both),
for the decoder-only architectures the course uses: Llama, Qwen2 (bias on q/k/v) and Qwen3
(norms on q and k). Anything else (another architecture, top-k, a repetition penalty) is refused
with a message, and `model.generate` remains the reference.

    from .sampler import grpo_rollout, sample
    ids = sample(model, [prompt_ids] * 8, max_new_tokens=96, eos_token_id=tok.eos_token_id)
    GRPOTrainer(..., rollout_func=grpo_rollout)      # what lessons_lib.grpo.train_grpo does
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import trl_internals

SUPPORTED = ("llama", "qwen2", "qwen3")
# added to the score of a key a query must not see: exp() of it is 0, and unlike -inf it leaves a
# padding position (which sees nothing) with finite numbers instead of NaN
MASKED = -1e9


def unsupported(model) -> str | None:
    """Why `sample` cannot run `model`, or None if it can."""
    kind = getattr(getattr(model, "config", None), "model_type", None)
    if kind not in SUPPORTED:
        return f"it runs {SUPPORTED} models, not {kind!r} ({type(model).__name__})"
    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is None:
        return f"{type(model).__name__} has no model.layers (a wrapped model, e.g. by peft?)"
    for layer in layers:
        a, m = layer.self_attn, layer.mlp
        for lin in (a.q_proj, a.k_proj, a.v_proj, a.o_proj, m.gate_proj, m.up_proj, m.down_proj):
            if type(lin) is not torch.nn.Linear:  # a LoRA layer would silently lose its adapter here
                return f"its layers hold {type(lin).__name__}, not plain torch.nn.Linear (LoRA adapters?)"
    if getattr(model.config, "sliding_window", None) and getattr(model.config, "use_sliding_window", False):
        return "it uses sliding-window attention"
    return None


def require_supported(model) -> None:
    """Raise a ValueError saying why, if `sample` cannot run `model`."""
    why = unsupported(model)
    if why:
        raise ValueError(f"the course's sampler cannot run this model: {why}. Use model.generate, "
                         "or train_grpo(..., fast_sampler=False), which lets trl sample with it.")


def _fused(*linears):
    """One weight (and bias) for several linear layers that read the same input."""
    weight = torch.cat([m.weight for m in linears])
    biases = [m.bias for m in linears]
    bias = None if all(b is None for b in biases) else torch.cat(
        [b if b is not None else weight.new_zeros(m.out_features) for b, m in zip(biases, linears)])
    return weight, bias


class _Runner:
    """The model's layers run on a preallocated cache; `step` takes a block of new tokens."""

    def __init__(self, model, batch: int, length: int):
        cfg, inner = model.config, model.model
        self.model, self.inner = model, inner
        zeros = dict(dtype=model.dtype, device=model.device)
        self.heads = cfg.num_attention_heads
        self.kv_heads = cfg.num_key_value_heads or self.heads
        self.head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // self.heads
        self.layers = []
        for layer in inner.layers:
            a, m = layer.self_attn, layer.mlp
            self.layers.append(dict(
                layer=layer, qkv=_fused(a.q_proj, a.k_proj, a.v_proj), gate_up=_fused(m.gate_proj, m.up_proj),
                # keys are kept transposed, (head_dim, position): the query-key product then reads
                # them in the order a matrix product wants (faster here than a transposed view)
                k=torch.zeros(batch, self.kv_heads, self.head_dim, length, **zeros),
                v=torch.zeros(batch, self.kv_heads, length, self.head_dim, **zeros)))
        positions = torch.arange(length, device=model.device)[None]
        cos, sin = inner.rotary_emb(torch.zeros(1, **zeros), positions)
        self.cos, self.sin = cos[0], sin[0]  # (length, head_dim)
        self.key_bias = torch.zeros(batch, 1, 1, length, **zeros)  # MASKED where a key is padding

    @staticmethod
    def _rotate(x, cos, sin):
        half = x.shape[-1] // 2
        return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin

    def keep(self, rows, end: int) -> None:
        """Keep only `rows` (a mask) of the batch; the cache is copied up to slot `end`."""
        for entry in self.layers:
            k, v = entry["k"], entry["v"]  # slots past `end` are written before they are read
            entry["k"] = k.new_empty((int(rows.sum()), *k.shape[1:]))
            entry["k"][..., :end] = k[rows, ..., :end]
            entry["v"] = v.new_empty((int(rows.sum()), *v.shape[1:]))
            entry["v"][:, :, :end] = v[rows, :, :end]
        self.key_bias = self.key_bias[rows]

    def step(self, ids, positions, start: int):
        """Logits of the last token of `ids` (B, n), whose cache slots are start .. start+n-1."""
        B, n = ids.shape
        H, Hkv, D = self.heads, self.kv_heads, self.head_dim
        end = start + n
        cos, sin = self.cos[positions][:, None], self.sin[positions][:, None]  # (B, 1, n, D)
        bias = self.key_bias[:, :, :, :end]
        if n > 1:  # a block of several tokens (the prompt): each sees only what came before it
            causal = torch.ones(n, end, dtype=torch.bool, device=ids.device).tril(start)
            bias = bias.masked_fill(~causal, MASKED)
        x = self.inner.embed_tokens(ids)
        for entry in self.layers:
            layer = entry["layer"]
            attn = layer.self_attn
            h = layer.input_layernorm(x)
            q, k, v = F.linear(h, *entry["qkv"]).split([H * D, Hkv * D, Hkv * D], dim=-1)
            q, k, v = (t.view(B, n, -1, D) for t in (q, k, v))
            if hasattr(attn, "q_norm"):  # Qwen3 normalises queries and keys per head
                q, k = attn.q_norm(q), attn.k_norm(k)
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))
            entry["k"][:, :, :, start:end] = self._rotate(k, cos, sin).transpose(-1, -2)
            entry["v"][:, :, start:end] = v
            q = self._rotate(q, cos, sin).reshape(B, Hkv, (H // Hkv) * n, D)  # query groups share keys
            scores = q @ entry["k"][:, :, :, :end] * attn.scaling
            scores = scores.view(B, Hkv, H // Hkv, n, end) + bias[:, :, None]
            out = scores.softmax(-1).view(B, Hkv, -1, end) @ entry["v"][:, :, :end]
            out = out.view(B, H, n, D).transpose(1, 2).reshape(B, n, H * D)
            x = x + attn.o_proj(out)
            gate, up = F.linear(layer.post_attention_layernorm(x), *entry["gate_up"]).chunk(2, dim=-1)
            x = x + layer.mlp.down_proj(layer.mlp.act_fn(gate) * up)
        return self.model.lm_head(self.inner.norm(x[:, -1]))


@torch.no_grad()
def sample(model, prompt_ids, max_new_tokens: int, eos_token_id, pad_token_id: int = 0,
           temperature: float = 1.0, greedy: bool = False) -> list[list[int]]:
    """Completions (token ids, up to and including the first end token) for each prompt.

    prompt_ids       a list of token-id lists (unpadded); repeated prompts are run through once
    eos_token_id     an id or a list of ids that end a completion
    temperature      sampling temperature (the logits are divided by it); greedy=True takes the
                     most likely token instead
    Sampling draws from torch's global generator, like `model.generate`: seed it for repeatable
    output.
    """
    require_supported(model)
    if not prompt_ids or any(len(p) == 0 for p in prompt_ids):
        raise ValueError("sample() needs at least one prompt, and every prompt needs at least one token")
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) or max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be a positive int, got {max_new_tokens!r}")
    if not greedy and not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError(f"temperature must be a number above 0 (or pass greedy=True), got {temperature!r}")
    dev = model.device
    ends = [eos_token_id] if isinstance(eos_token_id, int) else list(eos_token_id)
    eos = torch.tensor(ends, device=dev)

    # each distinct prompt, left-padded, goes through the model once; `row` maps rows to them
    unique = list(dict.fromkeys(tuple(p) for p in prompt_ids))
    row = torch.tensor([unique.index(tuple(p)) for p in prompt_ids], device=dev)
    P = max(len(p) for p in unique)
    pads = P - torch.tensor([len(p) for p in unique], device=dev)
    slots = torch.arange(P, device=dev)[None]
    prefill = _Runner(model, len(unique), P)
    prefill.key_bias[:, 0, 0] = torch.where(slots >= pads[:, None], 0.0, MASKED)
    padded = torch.tensor([[pad_token_id] * (P - len(p)) + list(p) for p in unique], device=dev)
    logits = prefill.step(padded, (slots - pads[:, None]).clamp(min=0), 0)[row]
    # positions count real tokens, as model.generate counts them (left padding takes none)

    B = len(prompt_ids)
    runner = _Runner(model, B, P + max_new_tokens)
    for mine, theirs in zip(runner.layers, prefill.layers):
        mine["k"][..., :P] = theirs["k"][row]
        mine["v"][:, :, :P] = theirs["v"][row]
    runner.key_bias[..., :P] = prefill.key_bias[row]
    next_position = P - pads[row]  # the position of each row's first new token

    tokens = torch.full((B, max_new_tokens), pad_token_id, dtype=torch.long, device=dev)
    rows = torch.arange(B, device=dev)  # the row of `tokens` each row of the running batch fills
    done = torch.zeros(B, dtype=torch.bool, device=dev)
    n = 0
    while True:
        nxt = logits.argmax(-1) if greedy else _draw((logits.float() / temperature).softmax(-1))
        nxt = nxt.masked_fill(done, pad_token_id)
        tokens[rows, n] = nxt
        done |= torch.isin(nxt, eos)
        n += 1
        finished = int(done.sum())
        if n == max_new_tokens or finished == len(rows):
            break
        if 4 * finished >= len(rows):  # stop computing finished rows once they are a quarter
            keep = ~done
            runner.keep(keep, P + n - 1)
            rows, nxt, done = rows[keep], nxt[keep], done[keep]
        logits = runner.step(nxt[:, None], (next_position[rows] + n - 1)[:, None], P + n - 1)

    out = []
    for seq in tokens[:, :n].tolist():
        stop = next((i for i, t in enumerate(seq) if t in ends), None)
        out.append(seq if stop is None else seq[:stop + 1])
    return out


def _draw(probs):
    """One token per row, drawn from `probs` (rows summing to 1) by inverting the cumulative sum:
    the same distribution as torch.multinomial, for less time at this size."""
    cdf = probs.cumsum(-1)
    u = torch.rand(len(probs), 1, device=probs.device) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True)[:, 0].clamp(max=probs.shape[-1] - 1)


# trl's GRPOConfig sampling settings the sampler does not implement, with the values that are no-ops
_NO_OP = trl_internals.SAMPLING_NO_OPS


def grpo_rollout(prompts, trainer) -> dict:
    """trl's `rollout_func`: GRPOTrainer hands it the prompts of a generation batch (each repeated
    once per completion) and gets back one completion per prompt, sampled with `sample` at the
    trainer's temperature and max_completion_length.
    """
    ctx = trl_internals.rollout_context(trainer)  # what trl's trainer gives a rollout_func
    args, tok = ctx["args"], ctx["tokenizer"]
    for name, allowed in _NO_OP.items():
        if getattr(args, name, None) not in allowed:
            raise ValueError(f"the course's sampler samples at a temperature only; {name}="
                             f"{getattr(args, name)!r} needs model.generate: train_grpo(..., "
                             "fast_sampler=False)")
    if args.generation_kwargs:
        raise ValueError(f"generation_kwargs {args.generation_kwargs} need model.generate: "
                         "train_grpo(..., fast_sampler=False)")
    if isinstance(prompts[0], str):
        prompt_ids = tok(text=list(prompts))["input_ids"]
    else:  # conversations: the chat template, as trl applies it
        prompt_ids = tok.apply_chat_template(list(prompts), add_generation_prompt=True, tokenize=True,
                                             return_dict=True)["input_ids"]
    completions = sample(ctx["model"], prompt_ids, args.max_completion_length, ctx["eos_token_ids"],
                         pad_token_id=tok.pad_token_id, temperature=args.temperature)
    return trl_internals.rollout_output(prompt_ids, completions, logprobs=None)
