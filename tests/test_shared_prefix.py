"""The loss pass with the shared prompt prefix run once (lessons_lib.shared_prefix) against trl's
own: the same log-probabilities, entropies and gradients on a fixed batch."""
import pytest
import torch
from trl import GRPOTrainer

from lessons_lib.grpo import RLBudget, grpo_config, grpo_trainer
from lessons_lib.rewards import format_reward
from lessons_lib.shared_prefix import MIN_SHARED, SharedPrefixGRPOTrainer, shared_prefix_length

TEMPLATE = "The Assistant thinks in <think> </think>.\nUser: "


def _batch(tok, prompts, completions):
    """trl's layout: prompts left-padded, completions right-padded, one mask."""
    p = [tok(x)["input_ids"] for x in prompts]
    c = [tok(x, add_special_tokens=False)["input_ids"] + [tok.eos_token_id] for x in completions]
    P, C = max(map(len, p)), max(map(len, c))
    pad = tok.pad_token_id
    ids = torch.tensor([[pad] * (P - len(a)) + a + b + [pad] * (C - len(b)) for a, b in zip(p, c)])
    mask = torch.tensor([[0] * (P - len(a)) + [1] * (len(a) + len(b)) + [0] * (C - len(b)) for a, b in zip(p, c)])
    return ids, mask, C


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    from conftest import TINY_KW

    from lessons_lib.models import new_tiny
    from lessons_lib.worlds.chain_rl import rl_dataset

    model, tok = new_tiny(seed=0, **dict(TINY_KW, num_hidden_layers=2))
    args = grpo_config(RLBudget().smoke(), output_dir=str(tmp_path_factory.mktemp("sp")))
    tr = grpo_trainer(model, tok, rl_dataset(2, steps=(1,)), [format_reward], args)
    assert isinstance(tr, SharedPrefixGRPOTrainer)
    return tr, tok


def test_the_shared_length_stops_where_rows_differ_and_leaves_a_prompt_token(tokenizer):
    tok = tokenizer
    ids, mask, C = _batch(tok, [TEMPLATE + "01+2", TEMPLATE + "13-4+5", TEMPLATE + "0"], ["a", "bb", "c"])
    P = ids.size(1) - C
    T = shared_prefix_length(ids, mask, P)
    assert T == len(tok(TEMPLATE)["input_ids"])  # <bos> + the template, up to the first digit
    ids, mask, C = _batch(tok, ["01+2"] * 3, ["a", "bb", "c"])  # identical prompts
    assert shared_prefix_length(ids, mask, ids.size(1) - C) == ids.size(1) - C - 1
    ids, mask, C = _batch(tok, ["hello", "world"], ["a", "b"])
    assert shared_prefix_length(ids, mask, ids.size(1) - C) == 1  # only <bos>


def _both(tr, ids, mask, C):
    """(ours, trl's): log-probs, entropies and the gradient of their sum, on the same model."""
    out = []
    for method in (tr._get_per_token_logps_and_entropies,
                   lambda *a, **k: GRPOTrainer._get_per_token_logps_and_entropies(tr, *a, **k)):
        tr.model.zero_grad()
        logps, ent, _ = method(tr.model, ids, mask, C, batch_size=2, compute_entropy=True)
        m = mask[:, -C:].bool()
        (logps[m].sum() + ent[m].sum()).backward()
        out.append((logps.detach(), ent.detach(), [p.grad.clone() for p in tr.model.parameters()], m))
    return out


def test_log_probs_entropies_and_gradients_are_trls(trainer):
    tr, tok = trainer
    prompts = [TEMPLATE + q for q in ("01+2", "01+2", "13-4+5", "13-4+5", "0", "0")]
    ids, mask, C = _batch(tok, prompts, ["01+2=3", "x", "13-4=9 9+5=14", "", "0", "00"])
    (a_lp, a_ent, a_grad, m), (b_lp, b_ent, b_grad, _) = _both(tr, ids, mask, C)
    assert shared_prefix_length(ids, mask, ids.size(1) - C) >= MIN_SHARED
    assert torch.allclose(a_lp[m], b_lp[m], atol=1e-5) and torch.allclose(a_ent[m], b_ent[m], atol=1e-5)
    assert (a_lp[~m] == 0).all()  # padding scores 0, as in trl
    for x, y in zip(a_grad, b_grad):
        assert torch.allclose(x, y, atol=1e-5)


def test_without_a_long_shared_prefix_it_is_trls_method(trainer):
    tr, tok = trainer
    ids, mask, C = _batch(tok, ["01+2", "13-4+5", "7"], ["a", "bb", "c"])
    assert shared_prefix_length(ids, mask, ids.size(1) - C) < MIN_SHARED
    (a_lp, a_ent, a_grad, _), (b_lp, b_ent, b_grad, _) = _both(tr, ids, mask, C)
    assert torch.equal(a_lp, b_lp) and torch.equal(a_ent, b_ent)
    assert all(torch.equal(x, y) for x, y in zip(a_grad, b_grad))


@pytest.fixture(scope="module")
def trainer_at_07(tmp_path_factory):
    """The same trainer sampling at temperature 0.7: trl's fused head divides the logits by it."""
    import dataclasses

    from conftest import TINY_KW

    from lessons_lib.models import new_tiny
    from lessons_lib.worlds.chain_rl import rl_dataset

    model, tok = new_tiny(seed=0, **dict(TINY_KW, num_hidden_layers=2))
    budget = dataclasses.replace(RLBudget().smoke(), temperature=0.7)
    args = grpo_config(budget, output_dir=str(tmp_path_factory.mktemp("sp07")))
    assert args.temperature == 0.7
    tr = grpo_trainer(model, tok, rl_dataset(2, steps=(1,)), [format_reward], args)
    assert isinstance(tr, SharedPrefixGRPOTrainer)
    return tr, tok


def test_at_temperature_07_log_probs_entropies_and_gradients_are_trls(trainer, trainer_at_07):
    """At a temperature other than 1 the shared-prefix pass still equals trl's own (the temperature
    lives in trl's fused LM head, which both call), and the temperature does change the numbers."""
    tr, tok = trainer_at_07
    prompts = [TEMPLATE + q for q in ("01+2", "01+2", "13-4+5", "13-4+5", "0", "0")]
    ids, mask, C = _batch(tok, prompts, ["01+2=3", "x", "13-4=9 9+5=14", "", "0", "00"])
    assert shared_prefix_length(ids, mask, ids.size(1) - C) >= MIN_SHARED
    (a_lp, a_ent, a_grad, m), (b_lp, b_ent, b_grad, _) = _both(tr, ids, mask, C)
    assert torch.allclose(a_lp[m], b_lp[m], atol=1e-5) and torch.allclose(a_ent[m], b_ent[m], atol=1e-5)
    assert (a_lp[~m] == 0).all()
    for x, y in zip(a_grad, b_grad):
        assert torch.allclose(x, y, atol=1e-5)
    # the same weights at temperature 1 give other log-probabilities: 0.7 is really applied
    at_1, _ = trainer
    assert all(torch.equal(p, q) for p, q in zip(at_1.model.state_dict().values(),
                                                 tr.model.state_dict().values()))
    with torch.no_grad():
        one, _, _ = GRPOTrainer._get_per_token_logps_and_entropies(at_1, at_1.model, ids, mask, C)
    assert not torch.allclose(one[m], a_lp[m], atol=1e-3)


def test_at_temperature_07_the_loss_is_trls(trainer_at_07):
    """The GRPO loss (trl's compute_loss) through the shared-prefix pass equals trl's own pass."""
    tr, tok = trainer_at_07
    prompts = [TEMPLATE + q for q in ("01+2", "01+2", "13-4+5", "13-4+5", "0", "0")]
    p = [tok(x)["input_ids"] for x in prompts]
    c = [tok(x, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
         for x in ["01+2=3", "x", "13-4=9 9+5=14", "", "0", "00"]]
    P, C = max(map(len, p)), max(map(len, c))
    pad = tok.pad_token_id
    inputs = dict(
        prompt_ids=torch.tensor([[pad] * (P - len(a)) + a for a in p]),
        prompt_mask=torch.tensor([[0] * (P - len(a)) + [1] * len(a) for a in p]),
        completion_ids=torch.tensor([b + [pad] * (C - len(b)) for b in c]),
        completion_mask=torch.tensor([[1] * len(b) + [0] * (C - len(b)) for b in c]),
        advantages=torch.tensor([1.0, -1.0, 0.5, -0.5, 0.25, -0.25]))
    with torch.no_grad():
        ids = torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], 1)
        mask = torch.cat([inputs["prompt_mask"], inputs["completion_mask"]], 1)
        old, _, _ = GRPOTrainer._get_per_token_logps_and_entropies(tr, tr.model, ids, mask, C)
    inputs["old_per_token_logps"] = old - 0.05  # a ratio away from 1, so the clip matters
    inputs["num_items_in_batch"] = inputs["completion_mask"].sum()
    from lessons_lib import trl_internals

    tr.model.train()
    ours = float(trl_internals.loss_on_batch(tr, tr.model, dict(inputs)).detach())
    original = tr._get_per_token_logps_and_entropies
    try:  # trl's own pass on the same trainer
        tr._get_per_token_logps_and_entropies = \
            lambda *a, **k: GRPOTrainer._get_per_token_logps_and_entropies(tr, *a, **k)
        theirs = float(trl_internals.loss_on_batch(tr, tr.model, dict(inputs)).detach())
    finally:
        tr._get_per_token_logps_and_entropies = original
        tr.model.eval()
    assert ours == pytest.approx(theirs, abs=1e-5) and ours != 0.0
