"""PPO with a learned value model, in plain PyTorch: the pieces lesson 6 compares with GRPO.

trl 1.x has no PPO trainer (it was removed), so this module is the course's own, written to be read.
What PPO has that GRPO drops: a *value model* (DeepSeekMath dropped it for GRPO because a value
model "of comparable size as the policy model" costs substantial memory and compute; Kimi K1.5 for
training efficiency, and because even an ideal value function would penalise exploratory wrong
steps the model later recovers from), the policy's architecture with a scalar head, that predicts
at every token the reward still to come. Its predictions turn one reward at the end of a completion
into an advantage for every token, by generalised advantage estimation (GAE):

    delta_t = r_t + gamma * V(t+1) - V(t)             (V after the last token is 0)
    A_t     = delta_t + gamma * lam * A_(t+1)          (computed from the last token back)
    return_t = A_t + V(t)                              (what the value model learns to predict)

GRPO replaces all of this with one number per completion: its reward against its group's mean.

    adv, ret = gae(rewards, values, mask)                   # [B, T] each
    loss = policy_loss(logps, old_logps, adv, mask) + 0.5 * value_loss(v, old_v, ret, mask)

`policy_loss` is the clipped per-token objective PPO and GRPO share; `aggregation` chooses how its
tokens are averaged: per completion, then over completions ("sequence", GRPO's paper and trl's
loss_type="grpo"), over every token of the batch ("token", DAPO; trl's "bnpo" for one batch), or by a
constant, the batch size times the longest allowed completion ("constant", Dr. GRPO).
"""
from __future__ import annotations

import copy
import dataclasses

import torch
from torch import nn

from .evaluation import padded, token_logps

AGGREGATIONS = ("sequence", "token", "constant")


def _check_same_shape(**tensors) -> None:
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"these tensors must have one shape [batch, tokens]: {shapes}")


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float = 1.0,
        lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """(advantages, returns), both [B, T], by GAE over the tokens where `mask` is 1.

    `rewards` [B, T] holds each token's reward (for a completion scored once, its reward at its last
    token and 0 elsewhere); `values` [B, T] the value model's predictions. Masked positions (padding
    after a completion ends) get 0 and do not pass anything back.
    """
    _check_same_shape(rewards=rewards, values=values, mask=mask)
    if not (0 <= gamma <= 1 and 0 <= lam <= 1):
        raise ValueError(f"gamma and lam must be between 0 and 1, got gamma={gamma}, lam={lam}")
    mask = mask.to(values.dtype)
    rewards, values = rewards * mask, values * mask
    advantages = torch.zeros_like(values)
    next_value = torch.zeros_like(values[:, 0])
    next_adv = torch.zeros_like(values[:, 0])
    for t in reversed(range(values.shape[1])):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        adv = delta + gamma * lam * next_adv
        advantages[:, t] = adv * mask[:, t]
        # a masked position is not a step: the next real token looks past it
        next_value = torch.where(mask[:, t] > 0, values[:, t], next_value)
        next_adv = torch.where(mask[:, t] > 0, adv, next_adv)
    return advantages, (advantages + values) * mask


def terminal_rewards(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """[B, T] rewards with each completion's score (`scores`, [B]) on its last unmasked token."""
    out = torch.zeros(mask.shape, dtype=scores.dtype, device=scores.device)
    lengths = mask.sum(-1).long()
    if (lengths == 0).any():
        raise ValueError("a completion with no tokens has no last token to reward")
    out[torch.arange(mask.shape[0]), lengths - 1] = scores
    return out


def _aggregate(per_token: torch.Tensor, mask: torch.Tensor, aggregation: str, max_length: int | None):
    mask = mask.to(per_token.dtype)
    if aggregation == "sequence":
        return ((per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    if aggregation == "token":
        return (per_token * mask).sum() / mask.sum().clamp(min=1.0)
    if aggregation == "constant":
        if not max_length:
            raise ValueError("aggregation='constant' divides by batch size x max_length: pass max_length "
                             "(the longest completion allowed, e.g. 96)")
        return (per_token * mask).sum() / (per_token.shape[0] * max_length)
    raise ValueError(f"unknown aggregation {aggregation!r}: choose one of {AGGREGATIONS}")


def policy_loss(logps: torch.Tensor, old_logps: torch.Tensor, advantages: torch.Tensor,
                mask: torch.Tensor, clip_low: float = 0.2, clip_high: float | None = None,
                aggregation: str = "sequence", max_length: int | None = None,
                ref_logps: torch.Tensor | None = None, beta: float = 0.0,
                kl_times_ratio: bool = False) -> torch.Tensor:
    """The clipped surrogate loss, per token, then averaged by `aggregation`.

    ratio = exp(logps - old_logps); per token -min(ratio * A, clip(ratio, 1 - clip_low,
    1 + clip_high) * A). `advantages` is [B, T] (PPO: per token) or [B] (GRPO: one per completion,
    the same for all its tokens). clip_high defaults to clip_low; DAPO's "clip-higher" raises it.
    With beta > 0, each token also pays beta times the KL estimate to the reference model that
    GRPO's paper uses: exp(ref - logp) - (ref - logp) - 1 (always >= 0, 0 where they agree);
    `kl_times_ratio` multiplies it by the ratio first (DeepSeek-V3.2's correction, trl 1.x's default
    use_bias_correction_kl=True).
    """
    if advantages.dim() == 1:
        advantages = advantages.unsqueeze(-1).expand_as(logps)
    _check_same_shape(logps=logps, old_logps=old_logps, advantages=advantages, mask=mask)
    clip_high = clip_low if clip_high is None else clip_high
    ratio = torch.exp(logps - old_logps)
    clipped = torch.clamp(ratio, 1 - clip_low, 1 + clip_high)
    per_token = -torch.min(ratio * advantages, clipped * advantages)
    if beta:
        if ref_logps is None:
            raise ValueError("beta > 0 needs ref_logps, the reference model's log-probabilities")
        diff = ref_logps - logps
        kl = torch.exp(diff) - diff - 1
        per_token = per_token + beta * (kl * ratio if kl_times_ratio else kl)
    return _aggregate(per_token, mask, aggregation, max_length)


# trl's GRPO loss_type for each way of averaging (one batch, no gradient accumulation: trl's "dapo"
# normalises by the tokens of the whole generation batch, which is then the same as "bnpo")
TRL_LOSS_TYPES = {"sequence": "grpo", "token": "bnpo", "constant": "dr_grpo"}


def value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor,
               mask: torch.Tensor, clip: float | None = 0.2) -> torch.Tensor:
    """PPO's value loss: squared error to the returns, per token (mean over unmasked tokens), with
    the prediction's move from `old_values` clipped to `clip` (the larger of the two errors counts)."""
    _check_same_shape(values=values, old_values=old_values, returns=returns, mask=mask)
    err = (values - returns) ** 2
    if clip is not None:
        moved = old_values + torch.clamp(values - old_values, -clip, clip)
        err = torch.max(err, (moved - returns) ** 2)
    return 0.5 * _aggregate(err, mask, "token", None)


class ValueModel(nn.Module):
    """The value model: a copy of a causal LM's body (its own weights, trained separately) with a
    linear head that reads each position's last hidden state and outputs one number. It is as large
    as the policy: the memory PPO pays and GRPO saves."""

    def __init__(self, causal_lm):
        super().__init__()
        body = getattr(causal_lm, "model", None)
        if body is None:
            raise ValueError(f"{type(causal_lm).__name__} has no .model body (a decoder-only causal LM "
                             "from transformers, e.g. LlamaForCausalLM, has one)")
        self.body = copy.deepcopy(body)
        self.head = nn.Linear(causal_lm.config.hidden_size, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """[B, T] predicted reward to come at every position."""
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(hidden).squeeze(-1)


def fixed_batch(model, tokenizer, seed: int = 0) -> dict:
    """A fixed batch in trl's layout, from `model`, to check a loss on (lesson 6): 4 prompts of 3
    tokens, completions of up to 5 with padding (`mask`), the model's own log-probabilities (`logps`),
    old and reference ones moved away from them (`old`, `ref`), and one advantage per completion
    (`adv`)."""
    g = torch.Generator().manual_seed(seed)
    prompt_ids = torch.randint(3, tokenizer.vocab_size, (4, 3), generator=g)
    completion_ids = torch.randint(3, tokenizer.vocab_size, (4, 5), generator=g)
    prompt_mask = torch.ones_like(prompt_ids)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 0, 0, 0, 0]])
    with torch.no_grad():
        logps = token_logps(model, torch.cat([prompt_ids, completion_ids], 1),
                            torch.cat([prompt_mask, mask], 1))[:, prompt_ids.shape[1] - 1:]
    return dict(prompt_ids=prompt_ids, prompt_mask=prompt_mask, completion_ids=completion_ids, mask=mask,
                logps=logps, old=logps + 0.3 * torch.randn(logps.shape, generator=g),
                ref=logps + 0.2 * torch.randn(logps.shape, generator=g),
                adv=torch.tensor([1.0, -0.5, 0.25, -1.0]))


# --- the loop: sample, score, estimate advantages with the value model, update both ---------------------------

@dataclasses.dataclass(frozen=True)
class PPOBudget:
    """A PPO run's settings, on the same sampling budget as lesson 3's GRPO (RLBudget): the same
    prompts and completions per update, so runs compare at equal completions sampled.

    updates, prompts_per_update, num_generations, lr, temperature, max_completion_length: as RLBudget
    value_lr        the value model's learning rate (its own optimizer)
    epochs          passes over each update's completions (1: on-policy, as the course's GRPO)
    minibatches     optimizer steps per pass (the completions split evenly)
    micro_batches   pieces each minibatch's forward and backward pass runs in (gradient accumulation,
                    weighted by tokens: the same gradient, less peak memory, as grpo's micro_batches)
    clip, value_clip   the ratio's clip range, and how far a value prediction may move per update
    gamma, lam      GAE's discount and its lambda
    """

    updates: int = 160
    prompts_per_update: int = 8
    num_generations: int = 8
    lr: float = 5e-5
    value_lr: float = 1e-3
    temperature: float = 1.0
    max_completion_length: int = 96
    epochs: int = 1
    minibatches: int = 1
    micro_batches: int = 2
    clip: float = 0.2
    value_clip: float = 0.2
    gamma: float = 1.0
    lam: float = 0.95

    def __post_init__(self):
        from .runtime import require_int, require_lr, require_updates

        require_updates(self.updates, 100_000)
        for name in ("prompts_per_update", "num_generations", "max_completion_length", "epochs", "minibatches",
                     "micro_batches"):
            require_int(getattr(self, name), f"PPOBudget.{name}")
        require_lr(self.lr, example="5e-5")
        require_lr(self.value_lr, example="1e-3")
        if (self.prompts_per_update * self.num_generations) % self.minibatches:
            raise ValueError(f"PPOBudget.minibatches ({self.minibatches}) must divide the "
                             f"{self.prompts_per_update * self.num_generations} completions of an update")
        if (self.prompts_per_update * self.num_generations // self.minibatches) % self.micro_batches:
            raise ValueError(f"PPOBudget.micro_batches ({self.micro_batches}) must divide the completions of "
                             f"a minibatch ({self.prompts_per_update * self.num_generations // self.minibatches})")
        if not 0 <= self.gamma <= 1 or not 0 <= self.lam <= 1:
            raise ValueError(f"gamma and lam must be between 0 and 1, got {self.gamma}, {self.lam}")

    @property
    def completions_per_update(self) -> int:
        return self.prompts_per_update * self.num_generations

    def smoke(self) -> PPOBudget:
        return dataclasses.replace(self, updates=2, prompts_per_update=2, num_generations=2,
                                   max_completion_length=16, micro_batches=1)


BASELINES = ("value", "none")  # PPO's learned value model and GAE; REINFORCE's raw reward


def train_ppo(model, tokenizer, dataset, reward_funcs, budget: PPOBudget, reward_weights=None,
              value_model: ValueModel | None = None, seed: int = 0, on_update=None,
              baseline: str = "value", shuffle: bool = True) -> dict:
    """PPO on `dataset` (a 'prompt' column plus the columns the rewards read, as trl's GRPO takes
    it) for `budget.updates` updates; trains `model` in place. Returns {'log_history': [...],
    'value_model': ...}; the log uses trl's names ('rewards/<name>/mean', 'reward',
    'completions/mean_length', 'entropy', 'frac_reward_zero_std') so the course's plots read both.

    Each update: sample `num_generations` completions for each of `prompts_per_update` prompts (the
    course's sampler), score them, take the policy's log-probabilities and the value model's
    predictions, turn the final rewards into per-token advantages with GAE (whitened over the batch),
    then take `epochs` x `minibatches` steps of the clipped policy loss and the clipped value loss,
    each model with its own optimizer. `on_update(update, row)` is called after each update.

    baseline="none" is REINFORCE with no baseline, on the same loop: no value model, every token's
    advantage is its completion's reward as it is (not centred, not scaled), so a group where every
    completion earns the same reward still pushes (unlike GRPO's, whose advantages are then 0).

    shuffle=False reads the prompts in the dataset's order (update u takes rows u*k .. u*k+k-1, as
    trl's shuffle_dataset=False does), so runs of different algorithms can see the same prompts.
    """
    import time

    from .runtime import seed_everything
    from .sampler import sample

    if not isinstance(budget, PPOBudget):
        raise TypeError(f"train_ppo takes a PPOBudget, got {type(budget).__name__}")
    if "prompt" not in dataset.column_names:
        raise ValueError(f"the dataset needs a 'prompt' column; it has {dataset.column_names}")
    weights = list(reward_weights or [1.0] * len(reward_funcs))
    if len(weights) != len(reward_funcs):
        raise ValueError(f"{len(reward_funcs)} reward functions but {len(weights)} weights")
    if baseline not in BASELINES:
        raise ValueError(f"unknown baseline {baseline!r}: choose 'value' (PPO) or 'none' (REINFORCE)")
    seed_everything(seed)
    learned = baseline == "value"
    value_model = (value_model or ValueModel(model)) if learned else None
    opt = torch.optim.AdamW(model.parameters(), lr=budget.lr, weight_decay=0.0)
    vopt = torch.optim.AdamW(value_model.parameters(), lr=budget.value_lr, weight_decay=0.0) if learned else None
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    order = (torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed)).tolist() if shuffle
             else list(range(len(dataset))))
    log, start, cursor = [], time.perf_counter(), 0
    columns = [c for c in dataset.column_names if c != "prompt"]
    for update in range(1, budget.updates + 1):
        rows = [dataset[order[(cursor + i) % len(order)]] for i in range(budget.prompts_per_update)]
        cursor += budget.prompts_per_update
        prompts = [r["prompt"] for r in rows for _ in range(budget.num_generations)]
        prompt_ids = [tokenizer(p).input_ids for p in prompts]
        model.eval()
        new = sample(model, prompt_ids, budget.max_completion_length, tokenizer.eos_token_id,
                     pad_token_id=pad, temperature=budget.temperature)
        texts = tokenizer.batch_decode(new, skip_special_tokens=True)
        extra = {c: [r[c] for r in rows for _ in range(budget.num_generations)] for c in columns}
        scores = torch.zeros(len(texts))
        row = {}
        for fn, w in zip(reward_funcs, weights):
            got = torch.tensor([0.0 if s is None else float(s) for s in fn(texts, **extra)])
            row[f"rewards/{getattr(fn, '__name__', 'reward')}/mean"] = got.mean().item()
            scores += w * got
        groups = scores.view(budget.prompts_per_update, budget.num_generations)
        ids, attention = padded([p + n for p, n in zip(prompt_ids, new)], pad)
        cmask = torch.zeros_like(attention)
        for i, (p, n) in enumerate(zip(prompt_ids, new)):
            cmask[i, len(p):len(p) + len(n)] = 1
        cmask = cmask[:, 1:]  # aligned with token_logps: position t scores token t+1
        with torch.no_grad():
            old_logps = token_logps(model, ids, attention)
            old_values = value_model(ids, attention)[:, :-1] if learned else None
        if learned:
            adv, ret = gae(terminal_rewards(scores, cmask), old_values, cmask, budget.gamma, budget.lam)
            m = cmask.bool()
            adv = torch.where(m, (adv - adv[m].mean()) / (adv[m].std() + 1e-8), torch.zeros_like(adv))
            value_model.train()
        else:
            adv = scores.unsqueeze(-1) * cmask
        model.train()
        size = len(texts) // budget.minibatches
        ent_sum = ent_tokens = 0.0
        for _ in range(budget.epochs):
            for minibatch in torch.randperm(len(texts)).split(size):
                opt.zero_grad()
                if learned:
                    vopt.zero_grad()
                tokens = cmask[minibatch].sum().clamp(min=1)
                p_loss = v_loss = torch.zeros(())
                for b in minibatch.split(len(minibatch) // budget.micro_batches):
                    # each piece's token-averaged loss, weighted by its share of the minibatch's tokens:
                    # the gradients add up to the whole minibatch's
                    share = cmask[b].sum() / tokens
                    logits = model(input_ids=ids[b], attention_mask=attention[b]).logits[:, :-1].float()
                    logp_all = torch.log_softmax(logits, -1)
                    logps = logp_all.gather(-1, ids[b, 1:].unsqueeze(-1)).squeeze(-1)
                    p_part = share * policy_loss(logps, old_logps[b], adv[b], cmask[b], budget.clip,
                                                 aggregation="token")
                    v_part = share * value_loss(value_model(ids[b], attention[b])[:, :-1], old_values[b], ret[b],
                                                cmask[b], budget.value_clip) if learned else torch.zeros(())
                    (p_part + v_part).backward()
                    p_loss, v_loss = p_loss + p_part.detach(), v_loss + v_part.detach()
                    with torch.no_grad():  # the policy's entropy over the completion tokens, logged
                        ent_sum += float((-(logp_all.exp() * logp_all).sum(-1) * cmask[b]).sum())
                        ent_tokens += float(cmask[b].sum())
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                if learned:
                    torch.nn.utils.clip_grad_norm_(value_model.parameters(), 1.0)
                    vopt.step()
        row.update({"reward": scores.mean().item(), "completions/mean_length": float(cmask.sum(-1).float().mean()),
                    "entropy": ent_sum / max(ent_tokens, 1.0), "frac_reward_zero_std": float((groups.std(-1) == 0).float().mean()),
                    "loss": p_loss.item(), "value_loss": v_loss.item(), "step": update,
                    "completions": update * budget.completions_per_update,
                    "seconds": time.perf_counter() - start})
        log.append(row)
        if on_update:
            on_update(update, row)
    model.eval()
    return {"log_history": log, "value_model": value_model}
