"""Lesson 6's exercise checks: the policy loss against trl, the std prediction, the prioritised
sampler. Each check is run with a right answer and with the near misses a learner writes."""
import random

import pytest

from conftest import verdict
from lessons_lib import ppo
from lessons_lib.exercises import check_policy_loss, check_prioritised_sampler, check_std_prediction


@pytest.fixture(scope="module")
def folder_tiny(tiny_folder):
    """A tiny model loaded from a folder (trl loads its reference model from there)."""
    from lessons_lib.models import load

    return load(tiny_folder)


def test_the_course_loss_passes(folder_tiny, capsys):
    assert check_policy_loss(ppo.policy_loss, *folder_tiny)
    verdict(capsys, True, "grpo, bnpo and dr_grpo")


@pytest.mark.parametrize("change, says", [
    (dict(beta=0.0), "KL term is missing"),
    (dict(clip_high=0.2), "symmetric"),
    (dict(kl_times_ratio=True), "multiplied by the ratio"),
])
def test_near_misses_get_their_hint(folder_tiny, capsys, change, says):
    def near(*args, **kw):
        return ppo.policy_loss(*args, **{**kw, **change})
    assert not check_policy_loss(near, *folder_tiny)
    verdict(capsys, False, says)


def test_one_averaging_for_all_is_caught(folder_tiny, capsys):
    def always_sequence(*args, aggregation, **kw):
        return ppo.policy_loss(*args, aggregation="sequence", **kw)
    assert not check_policy_loss(always_sequence, *folder_tiny)
    verdict(capsys, False, "'token'", "'sequence' should give")


def test_a_crash_or_a_non_number_is_reported(folder_tiny, capsys):
    assert not check_policy_loss(lambda *a, **k: 1 / 0, *folder_tiny)
    verdict(capsys, False, "ZeroDivisionError")
    assert not check_policy_loss(lambda *a, **k: "loss", *folder_tiny)
    verdict(capsys, False, "one number")


def test_std_prediction(capsys):
    assert not check_std_prediction(None)
    verdict(capsys, False, "empty")
    assert check_std_prediction(0.875)
    out = verdict(capsys, True, "close", "difficulty bias")
    assert "+2.47" in out  # the measurement is printed (a prediction check's point)
    assert not check_std_prediction(2.47)
    verdict(capsys, False, "too high")
    assert not check_std_prediction(0.875, group_size=8, right=0)
    verdict(capsys, False, "at least one right")


def prioritised(rates, n, rng):
    if not any(rates):
        return [rng.randrange(len(rates)) for _ in range(n)]
    return rng.choices(range(len(rates)), weights=rates, k=n)


def test_the_reference_sampler_passes(capsys):
    assert check_prioritised_sampler(prioritised)
    verdict(capsys, True, "failure rates")


@pytest.mark.parametrize("sampler, says", [
    (lambda rates, n, rng: [rng.randrange(len(rates)) for _ in range(n)], "never failed"),
    (lambda rates, n, rng: random.choices(range(len(rates)), weights=[r + 1e-9 for r in rates], k=n),
     "same rng seed"),
    (lambda rates, n, rng: rng.choices(range(len(rates)), weights=[r ** 2 for r in rates], k=n), "too"),
    (lambda rates, n, rng: rng.choices(range(len(rates)), weights=rates, k=n), "every rate 0"),
    (lambda rates, n, rng: "0", "list of"),
])
def test_wrong_samplers_get_a_hint(capsys, sampler, says):
    assert not check_prioritised_sampler(sampler)
    verdict(capsys, False, says)
