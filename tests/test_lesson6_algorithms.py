"""Lesson 6's runs (lessons_lib.lesson6_algorithms): the same prompts for every algorithm, Kimi's data
orders, dynamic sampling, and the counted memory."""
import dataclasses
from collections import Counter

import pytest

from lessons_lib import lesson6_algorithms as A
from lessons_lib.exercises import check_prioritised_sampler
from lessons_lib.grpo import RLBudget
from lessons_lib.models import load
from lessons_lib.rewards import accuracy_reward

SMOKE = dataclasses.replace(RLBudget().smoke(), updates=2, prompts_per_update=2, num_generations=2,
                            max_completion_length=8)


def test_pools_have_the_same_size_and_the_mix_they_say():
    balanced, skewed = A.pool("balanced"), A.pool("skewed")
    assert len(balanced) == len(skewed) == 4 * A.POOL_PER_STEP
    assert Counter(r["steps"] for r in balanced) == {s: A.POOL_PER_STEP for s in A.STEPS}
    assert Counter(r["steps"] for r in skewed) == A.SKEWED
    assert [r["id"] for r in balanced] == list(range(len(balanced)))
    with pytest.raises(ValueError, match="balanced"):
        A.pool("hard")


def test_uniform_order_goes_through_the_pool_each_epoch_and_curriculum_sorts_the_same_prompts():
    rows = A.pool()
    seq = A.prompt_sequence(rows, updates=10, prompts_per_update=8, seed=1)  # 80 rows: 1.25 epochs
    assert len(seq) == 80 and sorted(r["id"] for r in seq[:64]) == list(range(64))
    assert seq != A.prompt_sequence(rows, 10, 8, seed=2)
    cur = A.prompt_sequence(rows, 10, 8, seed=1, order="curriculum")
    assert Counter(r["id"] for r in cur) == Counter(r["id"] for r in seq)  # same prompts ...
    assert [r["steps"] for r in cur] == sorted(r["steps"] for r in seq)  # ... easy to hard
    with pytest.raises(ValueError, match="curriculum"):
        A.prompt_sequence(rows, 10, 8, order="random")


def test_prioritised_draw_passes_the_learners_check(capsys):
    assert check_prioritised_sampler(A.prioritised_draw)
    assert "draws follow the failure rates" in capsys.readouterr().out


def test_failure_table_counts_attempts_and_keeps_the_rewards_name():
    table = A.FailureTable(3)
    fn = table.track(accuracy_reward)
    assert fn.__name__ == "accuracy_reward"
    got = fn(["<think>x</think><answer>5</answer>", "<answer>4</answer>", "<answer>7</answer>"],
             answer=[5, 5, 7], id=[0, 0, 2])
    assert got == [1.0, 0.0, 1.0]
    assert table.rates() == [0.5, 1.0, 0.0]  # problem 1 never tried: counted as failing
    assert table.seen == [0, 0, 2]


def test_prioritised_sampler_lays_out_prompts_as_trl_does_and_follows_the_table():
    table = A.FailureTable(4)
    table.tried, table.failed = [8, 8, 8, 8], [0, 8, 0, 0]  # only problem 1 fails
    s = A.PrioritisedSampler(table, updates=3, prompts_per_update=2, num_generations=3, repeat=2)
    out = list(s)
    assert len(out) == len(s) == 3 * 2 * 3 * 2
    assert out[:12] == [1] * 12 and len(s.drawn) == 3


def test_unknown_runs_and_budgets_say_what_to_choose(fresh_tiny):
    with pytest.raises(ValueError, match="PPO"):
        A.require_run("TRPO")
    with pytest.raises(TypeError, match="RLBudget"):
        A.train_run("GRPO", *fresh_tiny, budget={"updates": 2})
    assert A.require_run("curriculum")["epsilon_high"] == A.ALGORITHMS["DAPO"]["epsilon_high"]


def test_state_megabytes_counts_the_value_model_and_the_reference(tiny):
    ppo, grpo, dapo = (A.state_megabytes(tiny[0], n)["total"] for n in ("PPO", "GRPO", "DAPO"))
    assert ppo == pytest.approx(2 * dapo) and grpo == pytest.approx(1.25 * dapo)


@pytest.mark.parametrize("name", ["GRPO", "RLOO", "PPO", "REINFORCE", "curriculum"])
def test_every_trainer_reads_the_fixed_prompt_sequence(name, tiny_folder):
    model, tok = load(tiny_folder)
    run = A.train_run(name, model, tok, SMOKE, seed=3)
    spec = A.require_run(name)
    seq = A.prompt_sequence(A.pool(seed=3), SMOKE.updates, SMOKE.prompts_per_update, 3,
                            spec.get("order", "uniform"))
    assert run["prompts"] == [[r["id"] for r in seq[u * 2:(u + 1) * 2]] for u in range(SMOKE.updates)]
    assert [r["completions"] for r in run["log"]] == [4, 8]
    assert all(r["seconds"] > 0 and "frac_reward_zero_std" in r and "entropy" in r for r in run["log"])


def test_prioritised_run_trains_on_what_its_sampler_drew(tiny_folder):
    model, tok = load(tiny_folder)
    run = A.train_run("prioritised", model, tok, SMOKE, seed=0)
    assert len(run["prompts"]) == SMOKE.updates and all(len(p) == 2 for p in run["prompts"])


def test_dynamic_sampling_replaces_flat_groups_and_counts_what_it_sampled(tiny_folder):
    # an untrained model gets every answer wrong: every group is flat, so each is retried
    # DYNAMIC_TRIES times and then kept; every retry is counted as sampled
    model, tok = load(tiny_folder)
    run = A.train_run("DAPO + dynamic sampling", model, tok, SMOKE, seed=0)
    per_update = 2 * 2 * (1 + A.DYNAMIC_TRIES)
    assert run["dynamic"] == {"replaced": 0, "kept_flat": 2 * SMOKE.updates}
    assert run["sampled"] == SMOKE.updates * per_update
    assert [r["completions"] for r in run["log"]] == [per_update, 2 * per_update]


def test_dynamic_sampling_swaps_a_flat_group_for_one_with_spread():
    class Tok:
        def batch_decode(self, ids, skip_special_tokens=True):
            return [f"<think>x</think><answer>{i[0]}</answer>" for i in ids]

    class Trainer:
        num_generations = 2
        processing_class = Tok()

    rows = [dict(prompt="a", answer=1, id=0), dict(prompt="b", answer=2, id=1)]
    dyn = A.DynamicSampling(rows, [accuracy_reward], [1.0], tries=20, seed=0)
    answers = {"a": [[5], [5]], "b": [[2], [9]]}  # a: both wrong (flat); b: one right (spread)

    def fake_rollout(prompts, trainer):
        return dict(prompt_ids=[[ord(p)] for p in prompts], completion_ids=answers[prompts[0]], logprobs=None)

    import lessons_lib.sampler as sampler
    old, sampler.grpo_rollout = sampler.grpo_rollout, fake_rollout
    try:
        out = dyn(["a", "a"], Trainer())
    finally:
        sampler.grpo_rollout = old
    assert out["answer"] == [2, 2] and out["id"] == [1, 1] and out["completion_ids"] == [[2], [9]]
    assert dyn.replaced == 1 and dyn.sampled >= 4


def test_summary_reads_pass_at_1_and_at_k_by_group():
    counts = [dict(steps=s, n=4, right=r, path=p, answers={}) for s, r, p in
              [(1, 4, 4), (2, 2, 0), (5, 0, 0), (6, 1, 1)]]
    s = A.summary(counts)
    assert s["pass@1 right 1-4"] == pytest.approx(0.75) and s["pass@1 path 1-4"] == pytest.approx(0.5)
    assert s["pass@4 right 5-8"] == pytest.approx(0.5) and s["pass@1 path 5-8"] == pytest.approx(0.125)


def test_tail_skips_missing_values():
    assert A.tail([{"x": 1.0}, {"x": None}, {"x": 3.0}, {}], "x", n=5) == 2.0
    assert A.tail([{}], "x") is None


def test_base_counts_are_read_from_the_shipped_file_and_sampled_only_when_asked(tmp_path, monkeypatch):
    import json

    shipped = A.base_counts()  # data/checkpoints/06_base/counts.json
    assert len(shipped) == A.EVAL_PER_STEP * 8 and all(r["n"] == A.EVAL_K for r in shipped)
    with pytest.raises(FileNotFoundError, match="base model"):
        A.base_counts(folder=tmp_path / "none")
    calls = []
    monkeypatch.setattr(A, "evaluate", lambda m, t, seed=0, n_per_step=None, k=None: calls.append(k) or [{"n": k}])
    assert A.base_counts("model", "tok", folder=tmp_path) == [{"n": A.EVAL_K}]
    assert json.loads((tmp_path / "counts.json").read_text()) == [{"n": A.EVAL_K}]
    assert A.base_counts("model", "tok", folder=tmp_path) == [{"n": A.EVAL_K}] and len(calls) == 1
    A.base_counts("model", "tok", folder=tmp_path, refresh=True)
    assert len(calls) == 2


def test_gap_to_base_is_the_difference_of_pass_at_k_by_group():
    def rows(path_by_step, n=4):
        return [dict(steps=s, n=n, right=p, path=p) for s, p in path_by_step.items()]

    rl = rows({1: 4, 2: 4, 3: 4, 4: 4, 5: 2, 6: 2, 7: 0, 8: 0})
    base = rows({1: 1, 2: 1, 3: 1, 4: 1, 5: 0, 6: 1, 7: 0, 8: 0})
    gap = A.gap_to_base(rl, base, ks=(1, 4))
    assert gap["1-4"][1] == pytest.approx(1 - 0.25) and gap["1-4"][4] == pytest.approx(0.0)
    assert gap["5-8"][1] == pytest.approx((0.5 + 0.5) / 4 - 0.25 / 4)
    assert gap["5-8"][4] == pytest.approx(0.5 - 0.25)
