"""Lesson 6's checks: notebooks/06_rl_algorithms.ipynb (and solutions/06_solutions.ipynb).

    exercise 1  check_policy_loss          GRPO's clipped policy loss with its KL term, against
                                           trl's grpo, bnpo and dr_grpo losses
    exercise 2  check_std_prediction       predict a right completion's advantage without the std
                                           normalisation (Dr. GRPO)
    exercise 3  check_prioritised_sampler  Kimi K1.5's sampler, in proportion to the failure rates
"""
from __future__ import annotations

import math
import random
from collections import Counter

from ._inputs import _call, _is_number, _not_a_number
from ._verdict import _mark, _means, _ok, _wrong


def check_policy_loss(fn, model, tokenizer) -> bool:
    """Exercise (lesson 6): `fn(logps, old_logps, advantages, mask, clip_low, clip_high, aggregation,
    max_length, ref_logps, beta)` returns GRPO's clipped policy loss with its KL term, averaged by
    `aggregation` ('sequence', 'token' or 'constant'). Checked against trl's GRPO loss of the matching
    loss_type (grpo, bnpo, dr_grpo) on a fixed batch, with clip-higher and beta > 0, through
    GRPOTrainer.compute_loss (grpo.trl_loss). `model` must come from a folder (models.load): trl
    loads its reference model from there."""
    import torch

    from ..grpo import trl_loss
    from ..ppo import AGGREGATIONS, TRL_LOSS_TYPES, fixed_batch, policy_loss

    b = fixed_batch(model, tokenizer)
    settings = dict(clip_low=0.2, clip_high=0.28, max_length=5, beta=0.04)
    variants = {  # what a near miss computes, and what to say about it
        "the KL term is missing (beta times exp(ref - logp) - (ref - logp) - 1, per token)": dict(beta=0.0),
        "there is no clip: the ratio must be clamped to [1 - clip_low, 1 + clip_high]": dict(clip_low=10.0, clip_high=10.0),
        "the clip is symmetric: the upper side is 1 + clip_high (DAPO's clip-higher), not 1 + clip_low": dict(clip_high=0.2),
        "the KL term is multiplied by the ratio (trl's use_bias_correction_kl): GRPO's paper adds it as it is":
            dict(kl_times_ratio=True),
    }
    for aggregation in AGGREGATIONS:
        args = (b["logps"], b["old"], b["adv"], b["mask"])
        ok, got = _call(fn, *args, clip_low=0.2, clip_high=0.28, aggregation=aggregation, max_length=5,
                        ref_logps=b["ref"], beta=0.04)
        if not ok:
            return _wrong(f"with aggregation={aggregation!r} your function raised {got}")
        try:
            got = float(got)
        except (TypeError, ValueError):
            return _wrong(f"your function should return one number (a 0-dim tensor), got {type(got).__name__}")
        if not math.isfinite(got):
            return _wrong(f"with aggregation={aggregation!r} your loss is {got}: look for a division by a "
                          "count that can be 0, or an exp of something large")
        want = trl_loss(model, tokenizer, b["prompt_ids"], b["prompt_mask"], b["completion_ids"], b["mask"],
                        b["adv"], b["old"], b["ref"], loss_type=TRL_LOSS_TYPES[aggregation], beta=0.04,
                        epsilon=0.2, epsilon_high=0.28, max_completion_length=5)
        if abs(got - want) <= 1e-4:
            continue
        for why, change in variants.items():
            if abs(got - float(policy_loss(*args, aggregation=aggregation, ref_logps=b["ref"],
                                           **{**settings, **change}))) <= 1e-4:
                return _wrong(f"aggregation={aggregation!r} differs from trl's {TRL_LOSS_TYPES[aggregation]!r}: "
                              f"{why}.")
        for other in AGGREGATIONS:
            if other != aggregation and abs(got - float(policy_loss(*args, aggregation=other, ref_logps=b["ref"],
                                                                    **settings))) <= 1e-4:
                return _wrong(f"aggregation={aggregation!r} gives what {other!r} should give: check how the "
                              "tokens are averaged (per completion then over completions; over all tokens of "
                              "the batch; or divided by batch size x max_length).")
        return _wrong(f"aggregation={aggregation!r} differs from trl's {TRL_LOSS_TYPES[aggregation]!r} "
                      f"({'too high' if got > want else 'too low'}). Per token: ratio = exp(logps - old), "
                      "-min(ratio * A, clamp(ratio, 1 - clip_low, 1 + clip_high) * A) + beta * KL; padding "
                      "(mask 0) must not count.")
    return _ok("your loss equals trl's grpo, bnpo and dr_grpo on the same batch (clip-higher 0.28, "
               "beta 0.04), to 1e-4")


def check_std_prediction(predicted, group_size: int = 8, right: int = 1) -> bool:
    """Exercise (lesson 6), predict then measure: in a group of `group_size` completions of which
    `right` earn reward 1 and the rest 0, the advantage of a right completion *without* the std
    normalisation (Dr. GRPO's change; trl's scale_rewards='none'), given that GRPO's is (r - mean) /
    std. The measurement is the formula trl applies (torch's std, with 1e-4 added)."""
    import torch

    if predicted is None or predicted is Ellipsis:
        return _wrong("`predicted` is empty: write your prediction first (a number). The check "
                      "measures only once you have committed to one.")
    if not _is_number(predicted):
        return _wrong(_not_a_number("predicted", predicted))
    if not (isinstance(group_size, int) and isinstance(right, int) and 0 < right < group_size):
        return _wrong(f"the group needs at least one right and one wrong completion, got right={right!r} "
                      f"of group_size={group_size!r}")
    rewards = torch.tensor([1.0] * right + [0.0] * (group_size - right))
    centred = rewards - rewards.mean()
    scaled = centred / (rewards.std() + 1e-4)
    print(f"📏 measured, a group of {group_size} with {right} right:")
    print(f"   advantage of a right completion:  with std {scaled[0]:+.3f}   without {centred[0]:+.3f}")
    print(f"   advantage of a wrong completion:  with std {scaled[-1]:+.3f}   without {centred[-1]:+.3f}")
    off = predicted - centred[0].item()
    close = abs(off) <= 0.05
    _mark(close, f"you predicted {predicted:+.3f} without the std: "
                 f"{'close' if close else f'{abs(off):.3f} too ' + ('high' if off > 0 else 'low')}")
    _means(f"dividing by the group's std multiplies every advantage of this group by "
           f"{scaled[0].item() / centred[0].item():.2f}. The std is largest when half the group is right and "
           "small when almost none (or almost all) is, so GRPO pushes hardest on the prompts that are "
           "nearly always failed or nearly always solved: Dr. GRPO calls this a difficulty bias and "
           "removes the division, so every group's push is its plain reward minus the mean.")
    return close


def check_prioritised_sampler(fn, draws: int = 20000, seed: int = 0) -> bool:
    """Exercise (lesson 6, Kimi K1.5's prioritised sampling): `fn(failure_rates, n, rng)` returns `n`
    indices into `failure_rates` (each problem's share of failed attempts so far), drawn with
    replacement in proportion to the failure rate, using `rng` (a random.Random) alone; a problem
    never failed is never drawn, and if none has failed, every problem is equally likely."""
    rates = [0.0, 0.1, 0.5, 0.9, 0.5]
    ok, got = _call(fn, rates, draws, random.Random(seed))
    if not ok:
        return _wrong(f"your sampler raised {got}")
    if not isinstance(got, (list, tuple)) or len(got) != draws:
        return _wrong(f"fn(failure_rates, {draws}, rng) should return a list of {draws} indices, got "
                      f"{type(got).__name__}" + (f" of length {len(got)}" if hasattr(got, '__len__') else ""))
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(rates) for i in got):
        return _wrong(f"every draw should be an index from 0 to {len(rates) - 1} (an int)")
    again = _call(fn, rates, draws, random.Random(seed))[1]
    if list(again) != list(got):
        return _wrong("the same rng seed gave different draws: draw from the `rng` argument only "
                      "(rng.random(), rng.choices(...)), not from the random module or numpy")
    counts = Counter(got)
    if counts[0]:
        return _wrong("a problem that was never failed (rate 0) was drawn: it should get no share")
    total = sum(rates)
    for i, r in enumerate(rates):
        share, want = counts[i] / draws, r / total
        if abs(share - want) > 0.02:
            return _wrong(f"problem {i} (failure rate {r}) is drawn {'too often' if share > want else 'too rarely'}: "
                          "its chance should be its failure rate divided by the sum of all the rates")
    ok, flat = _call(fn, [0.0, 0.0, 0.0], 3000, random.Random(seed))
    if not ok:
        return _wrong(f"with every rate 0 (nothing failed yet) your sampler raised {flat}: draw uniformly then")
    flat = Counter(flat)
    if len(flat) != 3 or min(flat.values()) < 800:
        return _wrong("with every rate 0 every problem should be equally likely")
    hard = sum(counts[i] for i, r in enumerate(rates) if r > 0.5) / draws
    return _ok(f"draws follow the failure rates. Problems failed more than half the time get "
               f"{hard:.2f} of the draws, against {sum(r > 0.5 for r in rates) / len(rates):.2f} under "
               "uniform sampling: the training budget moves to what the model cannot do yet")
