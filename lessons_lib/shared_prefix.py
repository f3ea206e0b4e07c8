"""GRPO's loss pass with the prompt prefix every row shares computed once instead of 64 times.

Why it exists: after sampling, GRPO runs the policy over every prompt + completion of the update
(forward and backward) to get the log-probabilities of the completion tokens. In the course every
prompt starts with the same template line ("<think> reasoning process here </think> ..."), and every
prompt is repeated once per completion of its group, so most of the tokens of that pass are the
same template, 64 times. The template attends only to itself, so its keys and values are the same
in every row: this trainer runs it once (batch 1), lets all rows attend to that one copy, and runs
only the rest (question + completion) per row. Gradients flow through the shared copy, summed over
the rows, exactly as through 64 copies; the log-probabilities agree with trl's to float rounding
(tests/test_shared_prefix.py checks both, against trl's own method on a fixed batch).

Left padding sits before the template in trl's rows; here it moves after the template, and the
positions count real tokens only, as they did when the completions were sampled. trl pads every
row to the longest completion of the update; here the rows are sorted by length and run in groups
(two per micro-batch of 16 rows or more), each cut after its own longest completion, and the
log-probabilities of the cut columns put back as the zeros trl gives padding.

Where the rows share no prefix of at least MIN_SHARED tokens, or the model is not a plain
transformers model (LoRA, vision inputs, MoE auxiliary loss), it is trl's own method unchanged.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers import DynamicCache, PreTrainedModel
from trl import GRPOTrainer

from . import trl_internals

MIN_SHARED = 8  # below this, sharing saves less than its bookkeeping costs


def shared_prefix_length(input_ids, attention_mask, prompt_length: int) -> int:
    """Tokens at the start of every row's prompt (after its left padding) that are the same in all
    rows, leaving at least one prompt token per row after them."""
    pads = (attention_mask[:, :prompt_length] == 0).sum(1)
    room = int(prompt_length - pads.max()) - 1
    if room < 1:
        return 0
    index = pads[:, None] + torch.arange(room, device=input_ids.device)[None]
    aligned = input_ids.gather(1, index)
    same = (aligned == aligned[:1]).all(0)
    return room if bool(same.all()) else int(same.int().argmin())


class SharedPrefixGRPOTrainer(GRPOTrainer):
    """trl's GRPOTrainer, with the shared prompt prefix run once per micro-batch (module docstring).

    It overrides trl's loss pass and calls the model through trl's fused LM head, two trl internals
    (lessons_lib.trl_internals): both are checked before the trainer is built."""

    def __init__(self, *args, **kwargs):
        trl_internals.verify_loss_pass()
        trl_internals.verify_fused_lm_head()
        super().__init__(*args, **kwargs)

    # trl_internals.LOSS_PASS, with trl_internals.LOSS_PASS_PARAMS and the multimodal inputs
    def _get_per_token_logps_and_entropies(self, model, input_ids, attention_mask, logits_to_keep,
                                           batch_size=None, compute_entropy=False, compute_aux_loss=False,
                                           **multimodal):
        plain = (isinstance(model, PreTrainedModel) and hasattr(model, "model") and not compute_aux_loss
                 and all(v is None for v in multimodal.values()))
        T = shared_prefix_length(input_ids, attention_mask, input_ids.size(1) - logits_to_keep) if plain else 0
        if T < MIN_SHARED:
            return super()._get_per_token_logps_and_entropies(
                model, input_ids, attention_mask, logits_to_keep, batch_size=batch_size,
                compute_entropy=compute_entropy, compute_aux_loss=compute_aux_loss, **multimodal)
        B, L = input_ids.shape
        dev = input_ids.device
        # each row without its copy of the prefix: [left padding][rest of the prompt][completion]
        pads = (attention_mask[:, : L - logits_to_keep] == 0).sum(1, keepdim=True)
        cols = torch.arange(L - T, device=dev)[None].expand(B, -1)
        cols = torch.where(cols < pads, cols, cols + T)
        rest, rest_mask = input_ids.gather(1, cols), attention_mask.gather(1, cols)
        positions = T + rest_mask.cumsum(1) - 1
        labels = rest.masked_fill(rest_mask == 0, -100)
        labels[:, :-logits_to_keep] = -100
        prefix = input_ids[:1, pads[0, 0]: pads[0, 0] + T]
        first = rest.size(1) - logits_to_keep  # the column of the first completion token
        # rows sorted by length and run in groups, each cut after its own longest completion: trl
        # pads every row to the longest of the update, and completions vary a lot in length
        used = (rest_mask.cumsum(1) == rest_mask.sum(1, keepdim=True)).int().argmax(1) + 1
        order = used.argsort(stable=True)
        groups = max(-(-B // (batch_size or B)), 2 if B >= 16 else 1)
        logps, entropies = [], []
        for rows in torch.tensor_split(order, groups):
            n = len(rows)
            width = max(int(used[rows].max()), first + 1)
            with self.accelerator.autocast():
                shared = model.model(input_ids=prefix, use_cache=True).past_key_values
                cache = DynamicCache()
                for i, layer in enumerate(shared.layers):  # every row attends to the one copy
                    cache.update(layer.keys.expand(n, -1, -1, -1), layer.values.expand(n, -1, -1, -1), i)
                mask = torch.cat([rest_mask.new_ones(n, T), rest_mask[rows, :width]], dim=1)
                out = model(input_ids=rest[rows, :width], attention_mask=mask, position_ids=positions[rows, :width],
                            past_key_values=cache, labels=labels[rows, :width], fused_lm_head=True)
            cut = logits_to_keep - (width - first)  # completion columns cut, put back as zeros
            logps.append(F.pad(out.log_probs[:, first - 1:], (0, cut)))
            if compute_entropy:
                entropies.append(F.pad(out.entropy[:, first - 1:], (0, cut)))
        back = order.argsort()  # from sorted order to the rows as trl gave them
        return (torch.cat(logps)[back], torch.cat(entropies)[back] if compute_entropy else None, None)
