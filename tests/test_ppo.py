"""PPO's pieces (lesson 6): GAE against a hand computation, the clipped losses, the value model."""
import math

import pytest
import torch

from lessons_lib import ppo


def test_gae_matches_a_hand_computation():
    # one completion of three tokens, reward 1 at the end; gamma 1, lambda 0.5:
    # delta_2 = 1 - 0.7 = 0.3            A_2 = 0.3
    # delta_1 = 0.7 - 0.6 = 0.1          A_1 = 0.1 + 0.5 * 0.3 = 0.25
    # delta_0 = 0.6 - 0.5 = 0.1          A_0 = 0.1 + 0.5 * 0.25 = 0.225
    # a second completion of two tokens, then padding (whose value must be ignored):
    # delta_1 = 1 - 0.4 = 0.6            A_1 = 0.6
    # delta_0 = 0.4 - 0.2 = 0.2          A_0 = 0.2 + 0.5 * 0.6 = 0.5
    rewards = torch.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    values = torch.tensor([[0.5, 0.6, 0.7], [0.2, 0.4, 9.0]])
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    adv, ret = ppo.gae(rewards, values, mask, gamma=1.0, lam=0.5)
    assert torch.allclose(adv, torch.tensor([[0.225, 0.25, 0.3], [0.5, 0.6, 0.0]]))
    assert torch.allclose(ret, torch.tensor([[0.725, 0.85, 1.0], [0.7, 1.0, 0.0]]))


def test_gae_with_lambda_1_is_the_reward_to_come_minus_the_value():
    values = torch.tensor([[0.5, 0.4, 0.3, 0.9]])
    mask = torch.ones(1, 4)
    rewards = ppo.terminal_rewards(torch.tensor([2.0]), mask)
    adv, ret = ppo.gae(rewards, values, mask, gamma=1.0, lam=1.0)
    assert torch.allclose(adv, 2.0 - values) and torch.allclose(ret, torch.full((1, 4), 2.0))


def test_terminal_rewards_put_the_score_on_the_last_token():
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    out = ppo.terminal_rewards(torch.tensor([3.0, -1.0]), mask)
    assert out.tolist() == [[0.0, 3.0, 0.0], [0.0, 0.0, -1.0]]
    with pytest.raises(ValueError, match="no tokens"):
        ppo.terminal_rewards(torch.tensor([1.0]), torch.zeros(1, 3))


def test_policy_loss_at_ratio_1_is_minus_the_mean_advantage_by_each_aggregation():
    logps = torch.zeros(2, 3)
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]])
    adv = torch.tensor([1.0, -2.0])  # one per completion, as GRPO gives
    seq = ppo.policy_loss(logps, logps, adv, mask, aggregation="sequence")
    tok = ppo.policy_loss(logps, logps, adv, mask, aggregation="token")
    const = ppo.policy_loss(logps, logps, adv, mask, aggregation="constant", max_length=4)
    assert seq.item() == pytest.approx(-(1.0 + -2.0) / 2)           # each completion weighs the same
    assert tok.item() == pytest.approx(-(3 * 1.0 - 2.0) / 4)          # each token weighs the same
    assert const.item() == pytest.approx(-(3 * 1.0 - 2.0) / (2 * 4))  # a constant
    with pytest.raises(ValueError, match="max_length"):
        ppo.policy_loss(logps, logps, adv, mask, aggregation="constant")
    with pytest.raises(ValueError, match="aggregation"):
        ppo.policy_loss(logps, logps, adv, mask, aggregation="mean")


def test_policy_loss_clips_only_where_it_would_help_the_objective():
    old = torch.zeros(1, 1)
    doubled = torch.full((1, 1), math.log(2.0))  # ratio 2
    mask = torch.ones(1, 1)
    up = ppo.policy_loss(doubled, old, torch.tensor([1.0]), mask, clip_low=0.2)
    down = ppo.policy_loss(doubled, old, torch.tensor([-1.0]), mask, clip_low=0.2)
    higher = ppo.policy_loss(doubled, old, torch.tensor([1.0]), mask, clip_low=0.2, clip_high=0.28)
    assert up.item() == pytest.approx(-1.2)      # a good token's gain is capped at 1 + clip
    assert down.item() == pytest.approx(2.0)     # a bad token's loss is not
    assert higher.item() == pytest.approx(-1.28)  # DAPO's clip-higher


def test_value_loss_clips_the_move_from_the_old_prediction():
    old, ret, mask = torch.zeros(1, 1), torch.ones(1, 1), torch.ones(1, 1)
    # moved to 1.0 from 0.0: the clipped prediction 0.2 is further from the return, and counts
    assert ppo.value_loss(torch.ones(1, 1), old, ret, mask, clip=0.2).item() == pytest.approx(0.5 * 0.8 ** 2)
    assert ppo.value_loss(torch.ones(1, 1), old, ret, mask, clip=None).item() == pytest.approx(0.0)


def test_the_value_loss_falls_on_a_fixed_batch(fresh_tiny):
    model, tok = fresh_tiny
    torch.manual_seed(0)
    critic = ppo.ValueModel(model)
    ids = torch.randint(3, tok.vocab_size, (4, 6))
    mask = torch.ones(4, 6, dtype=torch.long)
    returns = torch.tensor([1.0, 0.0, 1.0, 0.0]).unsqueeze(-1).expand(4, 6)
    opt = torch.optim.Adam(critic.parameters(), lr=1e-2)
    old = critic(ids, mask).detach()
    losses = []
    for _ in range(30):
        loss = ppo.value_loss(critic(ids, mask), old, returns, mask, clip=None)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]
    # its own weights: training the critic leaves the policy as it was
    assert critic.body is not model.model


def test_value_model_needs_a_causal_lm_body():
    with pytest.raises(ValueError, match="body"):
        ppo.ValueModel(torch.nn.Linear(2, 2))


def test_token_logps_score_the_next_token(tiny):
    model, tok = tiny
    ids = torch.tensor([[1, 5, 6, 7]])
    out = ppo.token_logps(model, ids, torch.ones_like(ids))
    logits = model(input_ids=ids).logits
    want = torch.log_softmax(logits[0, 1], -1)[6]
    assert out.shape == (1, 3) and out[0, 1].item() == pytest.approx(want.item(), abs=1e-5)


@pytest.mark.parametrize("aggregation", ppo.AGGREGATIONS)
def test_policy_loss_matches_trl_on_a_fixed_batch(fresh_tiny, tmp_path, aggregation):
    """The hand-written loss, with a KL term and clip-higher, equals trl's GRPO loss of the matching
    loss_type on the same batch (trl computes the new log-probabilities itself, from the model)."""
    from lessons_lib.grpo import trl_loss
    from lessons_lib.models import load, save

    save(*fresh_tiny, tmp_path / "tiny")  # trl loads its reference model (beta > 0) from a folder
    model, tok = load(tmp_path / "tiny")
    g = torch.Generator().manual_seed(0)
    prompt_ids = torch.randint(3, tok.vocab_size, (4, 3), generator=g)
    completion_ids = torch.randint(3, tok.vocab_size, (4, 5), generator=g)
    prompt_mask = torch.ones_like(prompt_ids)
    completion_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 0, 0, 0, 0]])
    ids = torch.cat([prompt_ids, completion_ids], 1)
    with torch.no_grad():
        logps = ppo.token_logps(model, ids, torch.cat([prompt_mask, completion_mask], 1))[:, prompt_ids.shape[1] - 1:]
    old = logps + 0.3 * torch.randn(logps.shape, generator=g)  # ratios away from 1, some clipped
    ref = logps + 0.2 * torch.randn(logps.shape, generator=g)
    adv = torch.tensor([1.0, -0.5, 0.25, -1.0])
    mine = ppo.policy_loss(logps, old, adv, completion_mask, clip_low=0.2, clip_high=0.28,
                           aggregation=aggregation, max_length=5, ref_logps=ref, beta=0.04)
    theirs = trl_loss(model, tok, prompt_ids, prompt_mask, completion_ids, completion_mask, adv, old, ref,
                      loss_type=ppo.TRL_LOSS_TYPES[aggregation], beta=0.04, epsilon=0.2, epsilon_high=0.28,
                      max_completion_length=5)
    assert mine.item() == pytest.approx(theirs, abs=1e-5)
    weighted = ppo.policy_loss(logps, old, adv, completion_mask, clip_low=0.2, clip_high=0.28,
                               aggregation=aggregation, max_length=5, ref_logps=ref, beta=0.04,
                               kl_times_ratio=True)
    theirs_weighted = trl_loss(model, tok, prompt_ids, prompt_mask, completion_ids, completion_mask, adv, old,
                               ref, loss_type=ppo.TRL_LOSS_TYPES[aggregation], beta=0.04, epsilon=0.2,
                               epsilon_high=0.28, max_completion_length=5, use_bias_correction_kl=True)
    assert weighted.item() == pytest.approx(theirs_weighted, abs=1e-5)
    assert abs(weighted.item() - mine.item()) > 1e-5  # the two KL terms differ on this batch
    if aggregation == "token":  # trl's "dapo" is the same on one batch
        dapo = trl_loss(model, tok, prompt_ids, prompt_mask, completion_ids, completion_mask, adv, old, ref,
                        loss_type="dapo", beta=0.04, epsilon=0.2, epsilon_high=0.28, max_completion_length=5)
        assert mine.item() == pytest.approx(dapo, abs=1e-5)


def test_trl_loss_with_a_kl_term_needs_a_model_from_a_folder(fresh_tiny):
    from lessons_lib.grpo import trl_loss

    model, tok = fresh_tiny
    one = torch.ones(1, 2, dtype=torch.long)
    with pytest.raises(ValueError, match="folder"):
        trl_loss(model, tok, one, one, one, one, torch.zeros(1), torch.zeros(1, 2), torch.zeros(1, 2), beta=0.1)


def _dataset(n=4):
    from datasets import Dataset

    return Dataset.from_list([dict(prompt=f"Q: 1{i}+1\nA: ", answer=11 + i) for i in range(n)])


def _short(completions, **kwargs):
    """Shorter is better: a reward that differs between an untrained model's completions."""
    return [-len(c) / 10 for c in completions]


def test_train_ppo_runs_updates_and_logs_trl_names(fresh_tiny):
    model, tok = fresh_tiny
    before = [p.detach().clone() for p in model.parameters()]
    budget = ppo.PPOBudget().smoke()
    seen = []
    out = ppo.train_ppo(model, tok, _dataset(), [_short], budget, on_update=lambda u, row: seen.append(u))
    log = out["log_history"]
    assert seen == [1, 2] and [r["step"] for r in log] == [1, 2]
    for key in ("rewards/_short/mean", "reward", "completions/mean_length", "entropy", "frac_reward_zero_std",
                "value_loss", "completions"):
        assert key in log[-1]
    assert log[-1]["completions"] == 2 * budget.completions_per_update
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert out["value_model"].body is not model.model and not model.training


def test_ppo_budget_checks_its_fields():
    with pytest.raises(ValueError, match="minibatches"):
        ppo.PPOBudget(prompts_per_update=3, num_generations=3, minibatches=2)
    with pytest.raises(ValueError):
        ppo.PPOBudget(lr=0)
    with pytest.raises(TypeError, match="PPOBudget"):
        ppo.train_ppo(None, None, _dataset(), [_short], budget=object())


def test_reinforce_has_no_value_model_and_pushes_even_when_a_group_agrees(fresh_tiny):
    model, tok = fresh_tiny
    before = [p.detach().clone() for p in model.parameters()]
    const = lambda completions, **kw: [1.0] * len(completions)  # every group agrees: GRPO would not move
    out = ppo.train_ppo(model, tok, _dataset(), [const], ppo.PPOBudget().smoke(), baseline="none")
    assert out["value_model"] is None and out["log_history"][-1]["frac_reward_zero_std"] == 1.0
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    with pytest.raises(ValueError, match="baseline"):
        ppo.train_ppo(model, tok, _dataset(), [const], ppo.PPOBudget().smoke(), baseline="mean")


@pytest.mark.parametrize("baseline", ["value", "none"])
def test_micro_batches_give_the_same_update_as_one_pass(baseline):
    import dataclasses

    from conftest import TINY_KW
    from lessons_lib.models import new_tiny

    after = []
    for micro in (1, 2):
        model, tok = new_tiny(seed=0, **TINY_KW)
        budget = dataclasses.replace(ppo.PPOBudget().smoke(), updates=1, micro_batches=micro)
        ppo.train_ppo(model, tok, _dataset(), [_short], budget, seed=5, baseline=baseline)
        after.append([p.detach().clone() for p in model.parameters()])
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(*after))
    with pytest.raises(ValueError, match="micro_batches"):
        ppo.PPOBudget(prompts_per_update=2, num_generations=3, micro_batches=4)
