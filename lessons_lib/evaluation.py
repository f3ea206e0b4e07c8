"""Evaluation: greedy accuracy by number of steps, batched sampling, pass@k, maj@k, and the
per-token log-probabilities a model gives a text (PPO trains on them, lesson 5 scores likelihoods).

pass@k uses the unbiased estimator of Chen et al. (2021): from n samples of which c are correct,
the chance that at least one of k drawn without replacement is correct is 1 - C(n-c, k) / C(n, k).
maj@k is the accuracy of the most frequent answer among k samples (ties broken by first seen).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from math import comb

import torch

from .formats import extract_answer
from .runtime import require_int


@torch.no_grad()
def generate(model, tokenizer, prompts: list[str], max_new_tokens: int = 64, batch_size: int = 256,
             do_sample: bool = False, temperature: float = 1.0, num_return_sequences: int = 1,
             seed: int | None = None, fast: bool | None = None) -> list[str]:
    """Completions (text after the prompt) for each prompt, batched, prompts padded on the left.

    With `num_return_sequences=n` the result holds n completions per prompt, prompt by prompt.
    No prompts give no completions ([]), without touching the model.

    `fast=None` samples with the course's KV-cache sampler (lessons_lib.sampler, 2-4x faster on a
    CPU) when the model is on the CPU and the sampler can run it, else with `model.generate`;
    True insists on the sampler, False on `model.generate`. Greedy output is the same tokens either
    way; sampled output follows the same distribution through a different random stream.
    """
    if isinstance(prompts, (str, bytes)):
        raise TypeError("prompts must be a list of strings; for one prompt, wrap it: "
                        "generate(model, tokenizer, [prompt])")
    prompts = list(prompts)
    bad = [i for i, p in enumerate(prompts) if not isinstance(p, str)]
    if bad:
        raise TypeError(f"prompts must be strings; prompt {bad[0]} is "
                        f"{type(prompts[bad[0]]).__name__} ({prompts[bad[0]]!r})")
    for name, v in (("max_new_tokens", max_new_tokens), ("batch_size", batch_size),
                    ("num_return_sequences", num_return_sequences)):
        require_int(v, name)
    if do_sample and not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError(f"temperature must be a number above 0 when sampling, got {temperature!r}; "
                         "for greedy decoding leave do_sample=False")
    if not prompts:
        return []
    if seed is not None:
        torch.manual_seed(seed)
    model.eval()
    device = next(model.parameters()).device
    if fast is None:
        from .sampler import unsupported

        fast = device.type == "cpu" and unsupported(model) is None
    if fast:
        return _sampled(model, tokenizer, prompts, max_new_tokens, batch_size, do_sample,
                        temperature, num_return_sequences)
    old_side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    out: list[str] = []
    try:
        for i in range(0, len(prompts), batch_size):
            enc = tokenizer(prompts[i:i + batch_size], return_tensors="pt", padding=True).to(device)
            gen = model.generate(
                **enc, max_new_tokens=max_new_tokens, do_sample=do_sample,
                temperature=temperature if do_sample else None, top_p=None, top_k=None,
                num_return_sequences=num_return_sequences,
                pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
            )
            new = gen[:, enc["input_ids"].shape[1]:]
            out.extend(tokenizer.batch_decode(new, skip_special_tokens=True))
    finally:
        tokenizer.padding_side = old_side
    return out


def _sampled(model, tokenizer, prompts, max_new_tokens, batch_size, do_sample, temperature, n):
    """`generate` through lessons_lib.sampler: the same batches of `batch_size` prompts."""
    from .sampler import sample

    ids = tokenizer(prompts, add_special_tokens=True).input_ids
    out: list[str] = []
    for i in range(0, len(ids), batch_size):
        rows = [p for p in ids[i:i + batch_size] for _ in range(n)]
        new = sample(model, rows, max_new_tokens, tokenizer.eos_token_id,
                     pad_token_id=_pad_id(tokenizer), temperature=temperature,
                     greedy=not do_sample)
        out.extend(tokenizer.batch_decode(new, skip_special_tokens=True))
    return out


def _pad_id(tokenizer) -> int:
    pad = tokenizer.pad_token_id
    return pad if pad is not None else tokenizer.eos_token_id


def _correct(model, tokenizer, problems, prompt_fn, max_new_tokens, batch_size=256) -> list[bool]:
    """Greedy-decode each problem's prompt; True where the tagged answer is the true one."""
    completions = generate(model, tokenizer, [prompt_fn(p) for p in problems], max_new_tokens,
                           batch_size)
    return [extract_answer(c) == p.answer for p, c in zip(problems, completions)]


def accuracy_by_steps(model, tokenizer, problems, prompt_fn, max_new_tokens: int = 64,
                      batch_size: int = 256) -> dict[int, float]:
    """Greedy exact-match accuracy, per number of steps: {steps: fraction correct}.

    Only the step counts present in `problems` appear, sorted; no problems give {}.
    """
    problems = list(problems)
    if not problems:
        return {}
    hits, counts = defaultdict(int), defaultdict(int)
    for p, ok in zip(problems, _correct(model, tokenizer, problems, prompt_fn, max_new_tokens,
                                        batch_size)):
        counts[p.steps] += 1
        hits[p.steps] += ok
    return {s: hits[s] / counts[s] for s in sorted(counts)}


def accuracy(model, tokenizer, problems, prompt_fn, max_new_tokens: int = 64) -> float:
    """Greedy exact-match accuracy over `problems` (leaves the model in the mode it found it in).

    No problems give 0.0.
    """
    was_training = model.training
    hits = _correct(model, tokenizer, problems, prompt_fn, max_new_tokens)
    if was_training:
        model.train()
    return sum(hits) / max(1, len(problems))


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct (Chen et al. 2021)."""
    for name, v in (("n", n), ("c", c), ("k", k)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise ValueError(f"{name} must be a non-negative int, got {v!r}")
    if c > n:
        raise ValueError(f"c={c} correct samples cannot exceed n={n} samples")
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of samples n={n}")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def maj_at_k(answers: list, correct, k: int) -> float:
    """1.0 if the most common non-None answer among the first k is `correct`, else 0.0."""
    if not 1 <= k <= len(answers):
        raise ValueError(f"k={k} must be between 1 and the number of answers ({len(answers)})")
    votes = Counter(a for a in answers[:k] if a is not None)
    if not votes:
        return 0.0
    return float(votes.most_common(1)[0][0] == correct)


def mean_tokens(tokenizer, completions: list[str]) -> float:
    """Average number of tokens per completion (without special tokens)."""
    if not completions:
        return 0.0
    lens = [len(tokenizer(c, add_special_tokens=False)["input_ids"]) for c in completions]
    return sum(lens) / len(lens)


def padded(rows: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, attention mask), [B, T]: token-id rows padded on the right with `pad`."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)], mask[i, :len(r)] = torch.tensor(r, dtype=torch.long), 1
    return ids, mask


def token_logps(model, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """[B, T-1]: the log-probability the model gives each token after the first, given the ones
    before (position t scores token t+1)."""
    logits = model(input_ids=input_ids, attention_mask=attention_mask).logits[:, :-1]
    return torch.log_softmax(logits.float(), -1).gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
