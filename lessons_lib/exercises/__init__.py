"""Exercise checks: each `check_...` runs a learner's answer and says what is right or wrong.

A check prints a verdict and returns True/False; it never raises on a wrong answer (a learner's
function that crashes is reported as such, with the input that made it crash).

Two rules keep the checks honest teachers:

* A check never prints the value it expects, and never has it passed in: it computes what it needs
  from the data the learner's cell hands it (the run's accuracies, the model, the tokenizer) and
  answers a wrong answer with a hint: the direction, which case failed and why.
* A *prediction* check (`check_..._prediction`) first refuses an empty prediction, then measures
  (a few seconds, no training), prints the measurement, says how far off the prediction was and what
  the result means. There the measurement is the point, so it is printed.

Every verdict line is printed by `_verdict._mark` (marked ✅ or ❌). The notebooks import the
checks from here, `from lessons_lib.exercises import check_...`; they live one module per lesson:

    lesson  module                      checks (notebook exercises 1, 2, 3)
    0       lesson0_toy_world           check_solver, check_token_count, check_coverage_prediction
    1       lesson1_answer_only         check_exact_match (on EXACT_MATCH_CASES),
                                        check_memorisation_gap, check_neighbour_prediction
    2       lesson2_chain_of_thought    check_cot_target, check_extra_tokens, check_prefix_prediction
    3       lesson3_r1_zero             check_numbers_checker (on CHECKER_CASES, the table the numbers
                                        checker's tests use too), check_curve_reaching,
                                        check_behaviour_prediction
    3'      lesson3_chain_world         lesson 3's first version, in the chain world (no notebook
                                        calls them now; their tests stay): check_format_reward (on
                                        FORMAT_CASES, which the rewards' own tests use),
                                        check_first_reaching, check_temperature_prediction
    4       lesson4_recipe              check_language_reward (on LANGUAGE_CASES),
                                        check_weight_prediction, check_rejection_filter
    5       lesson5_added_reasoning     check_pass_at_k, check_majority_prediction,
                                        check_added_reasoning
    6       lesson6_rl_algorithms       check_policy_loss, check_std_prediction,
                                        check_prioritised_sampler
    7       lesson7_thinking_verifiers  check_budget_cap, check_fooling and check_hardened,
                                        check_process_reward
    8       lesson8_real_models         check_lora_count

Shared by all: `_verdict` (how a check reports) and `_inputs` (how it runs and reads what the
learner hands it).
"""
from ._verdict import _ok, _verdict, _wrong  # the verdict helpers tests/test_exercise_verdicts.py calls
from .lesson0_toy_world import check_coverage_prediction, check_solver, check_token_count
from .lesson1_answer_only import (
    EXACT_MATCH_CASES, check_exact_match, check_memorisation_gap, check_neighbour_prediction,
)
from .lesson2_chain_of_thought import check_cot_target, check_extra_tokens, check_prefix_prediction
from .lesson3_chain_world import (
    FORMAT_CASES, GOOD_COMPLETION, check_first_reaching, check_format_reward,
    check_temperature_prediction,
)
from .lesson3_r1_zero import (
    CHECKER_CASES, CHECKER_NUMBERS, CHECKER_TARGET, check_behaviour_prediction, check_curve_reaching,
    check_numbers_checker,
)
from .lesson4_recipe import (
    LANGUAGE_CASES, check_language_reward, check_rejection_filter, check_weight_prediction,
)
from .lesson5_added_reasoning import (  # and the helpers tests/test_boundary_exercises.py checks
    _maj_simulated, _pass_brute, _pass_cases, check_added_reasoning, check_majority_prediction,
    check_pass_at_k,
)
from .lesson6_rl_algorithms import check_policy_loss, check_prioritised_sampler, check_std_prediction
from .lesson7_thinking_verifiers import (
    check_budget_cap, check_fooling, check_hardened, check_process_reward,
)
from .lesson8_real_models import check_lora_count

__all__ = [
    "EXACT_MATCH_CASES", "FORMAT_CASES", "GOOD_COMPLETION", "CHECKER_CASES", "CHECKER_NUMBERS",
    "CHECKER_TARGET", "LANGUAGE_CASES",
    "check_solver", "check_token_count", "check_coverage_prediction",
    "check_exact_match", "check_memorisation_gap", "check_neighbour_prediction",
    "check_cot_target", "check_extra_tokens", "check_prefix_prediction",
    "check_numbers_checker", "check_curve_reaching", "check_behaviour_prediction",
    "check_format_reward", "check_first_reaching", "check_temperature_prediction",
    "check_language_reward", "check_weight_prediction", "check_rejection_filter",
    "check_pass_at_k", "check_majority_prediction", "check_added_reasoning",
    "check_policy_loss", "check_std_prediction", "check_prioritised_sampler",
    "check_budget_cap", "check_fooling", "check_hardened", "check_process_reward",
    "check_lora_count",
]
