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

The checks, by lesson:

    0   check_solver, check_token_count, check_coverage_prediction
    1   check_exact_match, check_memorisation_gap, check_neighbour_prediction
    2   check_cot_target, check_extra_tokens, check_prefix_prediction
    3   check_numbers_checker (on CHECKER_CASES, the table the numbers checker's tests use too),
        check_curve_reaching, check_behaviour_prediction
    3'  lesson 3's first version, in the chain world (no notebook uses them now; their tests
        stay): check_format_reward (on FORMAT_CASES, which the rewards' own tests use),
        check_first_reaching, check_temperature_prediction
    5   check_pass_at_k, check_majority_prediction, check_added_reasoning
    6   check_policy_loss, check_std_prediction, check_prioritised_sampler
"""
from __future__ import annotations

import math
import numbers
import random
import re
from collections import Counter
from collections.abc import Mapping

from .formats import extract_answer, parse_equations, sft_prompt, sft_target, thought_text
from .tasks import MODULUS, OPS, Problem, make_problems, random_problem, split_of


# --- shared helpers ------------------------------------------------------------------------------

def _ok(msg: str) -> bool:
    print(f"✅ {msg}")
    return True


def _wrong(msg: str) -> bool:
    print(f"❌ {msg}")
    return False


def _call(fn, *args, **kwargs):
    try:
        return True, fn(*args, **kwargs)
    except Exception as e:  # report, don't raise: the learner should see what went wrong
        return False, f"{type(e).__name__}: {e}"


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _not_a_number(name: str, x) -> str:
    return f"{name} should be a number, got {type(x).__name__} {x!r}"


def _acc(acc: dict, steps: int):
    """acc[steps], whether the keys are ints (a run's dict) or strings (read back from JSON)."""
    if not isinstance(acc, Mapping):
        return None
    v = acc.get(steps, acc.get(str(steps)))
    return float(v) if _is_number(v) else None


def _judge_number(name: str, answer, truth: float, tol: float, mistakes=()) -> bool:
    """Right within `tol`; else the hint of the first known mistake that fits, else the direction.

    `mistakes` holds (value, hint) pairs: what a typical wrong computation gives, and what to fix.
    The true value is never printed.
    """
    if not _is_number(answer):
        return _wrong(_not_a_number(name, answer))
    if abs(answer - truth) <= tol:
        return _ok(f"{name} = {answer:.3f}")
    for value, hint in mistakes:
        if value is not None and math.isfinite(value) and abs(answer - value) <= tol \
                and abs(value - truth) > tol:
            return _wrong(f"{name}: {answer:.3f} is not it. {hint}")
    direction = "too high" if answer > truth else "too low"
    return _wrong(f"{name}: {answer:.3f} is {direction}. Recompute it from the run's numbers and "
                  "print each part.")


def _empty_prediction(name: str, value, lo: float = 0.0, hi: float = 1.0) -> str | None:
    """Why `value` is not yet a usable prediction (None if it is one)."""
    if value is None or value is Ellipsis:
        return (f"`{name}` is empty: write your prediction first (a number from {lo:g} to {hi:g}). "
                "The check measures only once you have committed to a number.")
    if not _is_number(value):
        return f"`{name}` should be a number from {lo:g} to {hi:g}, got {type(value).__name__} {value!r}"
    if not lo <= value <= hi:
        return (f"`{name}` = {value!r} is outside {lo:g} to {hi:g}" +
                (": write a share as a fraction (0.25 for a quarter)" if hi == 1 else ""))
    return None


def _compare(label: str, predicted: float, measured: float, tol: float) -> tuple[bool, str]:
    """(close?, 'you predicted 0.50, measured 0.16: 0.34 too high')."""
    diff = predicted - measured
    if abs(diff) <= tol:
        return True, f"{label}: you predicted {predicted:.2f}, measured {measured:.2f}: close"
    return False, (f"{label}: you predicted {predicted:.2f}, measured {measured:.2f}: "
                   f"{abs(diff):.2f} too {'high' if diff > 0 else 'low'}")


def _verdict(results: list[tuple[bool, str]], meaning: str) -> bool:
    close = all(ok for ok, _ in results)
    lines = "\n   ".join(line for _, line in results)
    what = "your predictions were" if len(results) > 1 else "your prediction was"
    print(("✅ " if close else "❌ ") + f"{what} {'close' if close else 'off'}\n   {lines}")
    print(f"What it means: {meaning}")
    return close


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else float("nan")


# --- lesson 0: the toy world ---------------------------------------------------------------------

def _wraps(p: Problem) -> bool:
    """True if some step passes 99 or goes below 00 before the modulus brings it back."""
    prev = p.start
    for (op, x), v in zip(p.ops, p.values):
        if not 0 <= (prev + x if op == "+" else prev - x) < MODULUS:
            return True
        prev = v
    return False


def _solver_hint(wrong: list[tuple[Problem, object]], problems: list[Problem]) -> str:
    """What the wrong answers of a solver have in common (never the true answers)."""
    got = [g for _, g in wrong]
    if all(g is None for g in got):
        return "It returned None: did you forget the `return`?"
    not_int = [g for g in got if not (isinstance(g, numbers.Integral) and not isinstance(g, bool))
               and not (isinstance(g, float) and g.is_integer())]
    if not_int:
        g = not_int[0]
        extra = " (digits in a string: convert with int())" if isinstance(g, str) else ""
        return f"It returned {type(g).__name__} {g!r}: return an int{extra}."
    ints = [(p, int(g)) for p, g in wrong]
    if all(g % MODULUS == p.answer for p, g in ints):
        return ("Each wrong answer is right modulo 100: the counter wraps around (99+1 is 00), "
                "so reduce modulo 100.")
    if all(g == p.start for p, g in ints):
        return "It returned the start number: apply the operations too."
    if all(p.steps > 1 and g == p.values[0] for p, g in ints):
        return "It applied the first operation only: apply every operation in turn."
    wrong_q = {p.question for p, _ in wrong}
    right = [p for p in problems if p.question not in wrong_q]
    if all(_wraps(p) for p, _ in wrong) and right:
        return ("Every wrong answer is on a problem where the running value passes 99 or goes "
                "below 00: how does a two-digit counter wrap around?")
    if all(p.start < 10 for p, _ in wrong):
        return "Every wrong answer is on a question that starts with a 0 ('04+6'): read the start."
    if right and all(p.steps == 1 for p in right):
        return "Only the 1-step problems came out right: apply every operation in turn."
    return ""


def check_solver(solve, n: int = 200, seed: int = 0) -> bool:
    """`solve(question: str) -> int` must return the final answer of a toy-world question."""
    rng = random.Random(seed)
    problems = [random_problem(rng, rng.randint(1, 8)) for _ in range(n)]
    wrong = []
    for p in problems:
        ok, got = _call(solve, p.question)
        if not ok:
            hint = (" Python's eval() refuses leading zeros such as '04'; parse the numbers with int()."
                    if "leading zeros" in got else "")
            return _wrong(f"solve({p.question!r}) raised {got}.{hint}")
        if not _is_number(got) or got != p.answer:
            wrong.append((p, got))
    if wrong:
        p, got = wrong[0]
        hint = _solver_hint(wrong, problems)
        return _wrong(f"{len(wrong)}/{n} wrong. {hint + ' ' if hint else ''}For example "
                      f"solve({p.question!r}) returned {got!r}: work that one out by hand.")
    return _ok(f"all {n} problems solved (1 to 8 steps)")


def check_token_count(answer: int, tokenizer, problem: Problem, fmt: str = "cot") -> bool:
    """How many tokens is the `fmt` target of `problem` (without <bos>/<eos>)?"""
    want = len(tokenizer(sft_target(problem, fmt), add_special_tokens=False)["input_ids"])
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return _wrong(f"expected a number of tokens, got {type(answer).__name__} {answer!r}")
    if answer == want:
        return _ok(f"{want} tokens")
    if answer > want:
        return _wrong(f"{answer} is too many. Every digit is one token, and so is each of '+', '-', "
                      "'=', the space and each tag; the target holds neither <bos> nor <eos>.")
    return _wrong(f"{answer} is too few. Every digit is a token of its own ('45' is two), each tag "
                  "is one token, and the space between two equations counts too.")


def _train_side_count(steps: int, samples: int = 20_000, seed: int = 0) -> tuple[float, bool]:
    """(number of `steps`-step problems on the training side of the split, exact?)."""
    total = MODULUS * (len(OPS) * 9) ** steps
    if total <= 50_000:  # small enough to list them all
        def all_of(k):
            if k == 0:
                yield ()
                return
            for rest in all_of(k - 1):
                for op in OPS:
                    for x in range(1, 10):
                        yield rest + ((op, x),)
        n = sum(split_of(Problem(s, ops)) == "train" for s in range(MODULUS) for ops in all_of(steps))
        return float(n), True
    rng = random.Random(seed)
    share = _mean(split_of(random_problem(rng, steps)) == "train" for _ in range(samples))
    return total * share, False


def check_coverage_prediction(share_1, share_4, train_counts: dict) -> bool:
    """Predict what share of the training side of the toy world lesson 1's training set holds,
    for 1-step and for 4-step problems; the check counts it (exactly at 1 step, by sampling the hash
    split at 4 steps) and compares. `train_counts`: {steps: number of training problems}."""
    for name, v in (("share_1", share_1), ("share_4", share_4)):
        why = _empty_prediction(name, v)
        if why:
            return _wrong(why)
    n = {s: train_counts.get(s) if isinstance(train_counts, Mapping) else None for s in (1, 4)}
    if not all(isinstance(c, int) and c > 0 for c in n.values()):
        return _wrong(f"train_counts should map 1 and 4 steps to numbers of training problems, "
                      f"e.g. lesson_budget().train_problems; got {train_counts!r}")
    side = {s: _train_side_count(s) for s in (1, 4)}
    cover = {s: n[s] / side[s][0] for s in (1, 4)}
    print(f"📏 measured (training problems of lesson 1 / problems on the training side of the split):\n"
          f"   1 step:  {n[1]} / {side[1][0]:,.0f} (all counted) = {cover[1]:.1%}\n"
          f"   4 steps: {n[4]} / about {side[4][0]:,.0f} (the split sampled) = {cover[4]:.4%}, "
          f"1 in {1 / cover[4]:,.0f}")
    results = []
    for s, pred in ((1, share_1), (4, share_4)):
        label = f"{s} step{'s' if s > 1 else ''}"
        if pred == 0:
            results.append((False, f"{label}: you predicted 0, measured {cover[s]:.2g}: small, "
                                   "but not zero"))
            continue
        factor = pred / cover[s]
        close = 0.5 <= factor <= 2
        how = "close" if close else (f"{factor:.3g} times too high" if factor > 1
                                     else f"{1 / factor:.3g} times too low")
        results.append((close, f"{label}: you predicted {pred:.3g}, measured {cover[s]:.3g}: {how}"))
    one = (f"At 1 step, recalling answers seen in training can cover most questions; "
           if cover[1] >= 0.5 else "Even at 1 step most questions are new to the model; ")
    meaning = (f"each step multiplies the number of problems by 18 (2 signs x 9 operands), so "
               f"the training set holds {cover[1]:.0%} of its side of the 1-step world but 1 in "
               f"{1 / cover[4]:,.0f} of the 4-step one. {one}at 4 steps almost every question is "
               "new, and only a method answers it. Lesson 1 trains a model on these problems and "
               "measures which of the two it learned.")
    return _verdict(results, meaning)


# --- lesson 1: answer-only SFT -------------------------------------------------------------------

# (completions, true answers, exact-match fraction, what the case tests)
EXACT_MATCH_CASES = [
    (["<answer>12</answer>", "<answer>7</answer>"], [12, 8], 0.5, "one right answer, one wrong"),
    (["<think>3+4=7</think><answer>7</answer>"], [7], 1.0, "thoughts before the answer"),
    (["12", "<answer>12"], [12, 12], 0.0,
     "a number without closed <answer>…</answer> tags is not an answer"),
    (["<answer> 5 </answer>", "<answer>05</answer>"], [5, 5], 1.0,
     "spaces or a leading zero inside the tags: still the number 5"),
    (["garbage \x00 <answer>", ""], [1, 2], 0.0, "garbage and an empty completion"),
]


def check_exact_match(fn) -> bool:
    """`fn(completions: list[str], answers: list[int]) -> float`, the fraction answered correctly."""
    for completions, answers, want, why in EXACT_MATCH_CASES:
        ok, got = _call(fn, completions, answers)
        call = f"fn({completions!r}, {answers})"
        if not ok:
            return _wrong(f"{call} raised {got}. Case: {why}.")
        if not _is_number(got):
            return _wrong(f"{call} gave {type(got).__name__} {got!r}: return a fraction, a float "
                          "from 0 to 1")
        if abs(got - want) > 1e-9:
            hint = (" A fraction is at most 1: divide the number of right answers by the number of "
                    "completions." if got > 1 else
                    " Hint: formats.extract_answer reads the number inside <answer>...</answer>.")
            return _wrong(f"{call} gave {got!r}, too {'high' if got > want else 'low'}. "
                          f"Case: {why}.{hint}")
    return _ok(f"all {len(EXACT_MATCH_CASES)} cases right, including untagged and garbage completions")


def check_memorisation_gap(gap, acc_train: dict, acc_test: dict, steps=(3, 4),
                           tol: float = 0.001) -> bool:
    """The memorisation gap of this run: training minus held-out accuracy, averaged over `steps`."""
    pairs = {s: (_acc(acc_train, s), _acc(acc_test, s)) for s in steps}
    missing = [s for s, (a, b) in pairs.items() if a is None or b is None]
    if missing:
        return _wrong(f"acc_train and acc_test should hold the accuracy at {list(steps)} steps "
                      f"(the dicts of section 3); {missing} is missing")
    diffs = {s: a - b for s, (a, b) in pairs.items()}
    truth = _mean(diffs.values())
    common = [int(s) for s in acc_train if str(s).isdigit()
              and _acc(acc_train, int(s)) is not None and _acc(acc_test, int(s)) is not None]
    everywhere = _mean(_acc(acc_train, s) - _acc(acc_test, s) for s in common)
    mean_train, mean_test = _mean(a for a, _ in pairs.values()), _mean(b for _, b in pairs.values())
    names = " and ".join(map(str, steps))
    mistakes = [
        (-truth, "That is held-out minus training; the gap is training minus held-out."),
        (len(steps) * truth, f"You added the gaps at {names} steps: average them."),
        (100 * truth, "Write it as a difference of fractions (0.25), not of percentages."),
        *((d, f"That is the gap at {s} steps alone: average over {names} steps.")
          for s, d in diffs.items()),
        (everywhere, f"That averages every step count; the question asks for {names} steps."),
        (mean_train / mean_test if mean_test else None,
         "That is a ratio: the gap is a difference, training minus held-out."),
    ]
    return _judge_number(f"memorisation gap at {names} steps", gap, truth, tol, mistakes)


def check_neighbour_prediction(predicted_right, predicted_old, model, tokenizer, train_problems,
                               steps: int = 4, max_new_tokens: int = 8) -> bool:
    """Predict what the answer-only model does with near copies of training problems it answers
    right: each `steps`-step one with its last operand changed by one (so the answer moves by one).
    `predicted_right`: the share it answers right; `predicted_old`: the share where it writes the
    answer of the training problem instead. The check measures both with `model` (greedy)."""
    from .evaluation import generate

    for name, v in (("predicted_right", predicted_right), ("predicted_old", predicted_old)):
        why = _empty_prediction(name, v)
        if why:
            return _wrong(why)
    seen = {p.question for p in train_problems}
    pairs = []
    for p in (p for p in train_problems if p.steps == steps):
        op, x = p.ops[-1]
        near = Problem(p.start, p.ops[:-1] + ((op, x + 1 if x < 9 else x - 1),))
        if near.question not in seen:  # a problem it was never trained on
            pairs.append((p, near))
    if not pairs:
        return _wrong(f"train_problems holds no {steps}-step problems to change")
    first = generate(model, tokenizer, [sft_prompt(p) for p, _ in pairs], max_new_tokens)
    known = [(p, q) for (p, q), c in zip(pairs, first) if extract_answer(c) == p.answer]
    if not known:
        return _wrong(f"the model answers none of its {len(pairs)} {steps}-step training problems "
                      "right (an undertrained smoke run?): there is nothing to compare with")
    second = [extract_answer(c) for c in
              generate(model, tokenizer, [sft_prompt(q) for _, q in known], max_new_tokens)]
    right = _mean(a == q.answer for a, (_, q) in zip(second, known))
    old = _mean(a == p.answer for a, (p, _) in zip(second, known))
    print(f"📏 measured on the {len(known)} {steps}-step training problems the model answers right "
          f"(of {len(pairs)}), each with its last operand changed by one, e.g. "
          f"{known[0][0].question} -> {known[0][1].question}:\n"
          f"   answered right:                          {right:.2f}\n"
          f"   answered with the original's answer:     {old:.2f}")
    if old > right:
        meaning = (f"change one digit of a question it answers right, and the model is right "
                   f"{right:.0%} of the time; {old:.0%} of the time it writes the answer of the "
                   "problem it was trained on. It looks the question up by its text and recalls the "
                   "nearest answer it learned, instead of computing: that is memorisation, and why its "
                   f"held-out accuracy at {steps} steps is low.")
    else:
        meaning = (f"change one digit of a question it answers right, and the model is right "
                   f"{right:.0%} of the time and repeats the old answer {old:.0%} of the time: it does "
                   "not merely recall the answers of the questions it was trained on.")
    return _verdict([_compare("answered right", predicted_right, right, 0.15),
                     _compare("answered with the original's answer", predicted_old, old, 0.15)], meaning)


# --- lesson 2: chain-of-thought SFT --------------------------------------------------------------

_EQUATION = re.compile(r"([0-9]+)([+-])([0-9]+)=([0-9]+)")


def _cot_hint(got: str, p: Problem) -> str:
    """What is wrong with a chain-of-thought target, without writing the right one."""
    want = sft_target(p, "cot")
    if got.strip() == want:
        return f"there is whitespace around the target ({got!r}): nothing before <think> or after </answer>"
    if got.startswith(want):
        return f"there is text after </answer>: {got[len(want):]!r}"
    m = re.fullmatch(r"<think>(.*)</think><answer>(.*)</answer>", got, re.DOTALL)
    if not m:
        return ("the target is <think>equations</think><answer>NN</answer>, with nothing before, "
                "between or after the two blocks")
    thought, answer = m.groups()
    if "," in thought or "\n" in thought or "  " in thought or thought != thought.strip():
        return "separate the equations with one space and nothing else"
    eqs, right = (thought.split(" ") if thought else []), p.worked_steps()
    if len(eqs) != len(right):
        return f"the thought holds {len(eqs)} equation(s) for a {p.steps}-step problem: write one per step"
    prev = p.start
    for i, (e, r, (op, x), v) in enumerate(zip(eqs, right, p.ops, p.values), 1):
        if e != r:
            unwrapped = re.fullmatch(r"[0-9]+[+-][0-9]+=(-?[0-9]+)", e)
            if unwrapped and not 0 <= int(unwrapped.group(1)) < MODULUS:
                return (f"equation {i} reads {e!r}: values stay within 00-99, the counter wraps "
                        "around modulo 100")
            q = _EQUATION.fullmatch(e)
            if not q:
                return f"equation {i} reads {e!r}: each equation looks like 37+8=45"
            a, o, b, c = q.groups()
            if len(a) != 2 or len(c) != 2:
                return f"equation {i} reads {e!r}: values are written with two digits (04, not 4)"
            if (o, int(b)) != (op, x):
                return f"equation {i} reads {e!r}: use the problem's operation {i}"
            if int(a) != prev:
                return (f"equation {i} reads {e!r}: each equation starts from the previous result "
                        "(the first from the start number)")
            return (f"equation {i} reads {e!r}: its result is wrong (the counter wraps around "
                    "modulo 100)")
        prev = v
    if answer.strip() != answer:
        return "no spaces inside the answer tags"
    if answer.isdigit() and int(answer) == p.answer:
        return "the answer is written with two digits (04, not 4)"
    return "the number in the answer tags is not the problem's answer"


def check_cot_target(fn, n: int = 100) -> bool:
    """`fn(problem) -> str` must write the chain-of-thought target exactly as the course does."""
    for p in make_problems(n // 4, 1, "train") + make_problems(n - n // 4, 3, "train"):
        ok, got = _call(fn, p)
        if not ok:
            return _wrong(f"fn({p.question!r}) raised {got}")
        if not isinstance(got, str):
            return _wrong(f"fn({p.question!r}) returned {type(got).__name__} {got!r}: return a str")
        if got != sft_target(p, "cot"):
            return _wrong(f"for {p.question!r} you wrote {got!r}: {_cot_hint(got, p)}")
    return _ok(f"{n} targets match the course format")


def check_extra_tokens(extra, cost: dict, steps: int = 4, tol: float = 0.05) -> bool:
    """How many more tokens per answer chain of thought generates than answer-only at `steps`
    steps, from this run's `cost` (section 5 of lesson 2)."""
    try:
        cot, ao = cost["chain-of-thought"], cost["answer-only"]
        c, a = _acc(cot["tokens_by_steps"], steps), _acc(ao["tokens_by_steps"], steps)
    except (KeyError, TypeError, IndexError):
        c = a = None
    if c is None or a is None:
        return _wrong("cost should be the dict of section 5, with cost[name]['tokens_by_steps'] for "
                      "'answer-only' and 'chain-of-thought'")
    truth = c - a
    overall = None
    if _is_number(cot.get("tokens_per_answer", None)) and _is_number(ao.get("tokens_per_answer", None)):
        overall = cot["tokens_per_answer"] - ao["tokens_per_answer"]
    mistakes = [
        (-truth, "That is answer-only minus chain of thought: how many *more* does CoT write?"),
        (c, "That is everything chain of thought writes: subtract what answer-only writes."),
        (overall, f"That averages over every step count: take the {steps}-step problems."),
        (c / a if a else None, "That is a ratio: the question asks how many more, a difference."),
        (truth / steps, "That is per step of the problem: the question asks per answer."),
    ]
    return _judge_number(f"extra tokens per answer at {steps} steps", extra, truth, tol, mistakes)


def check_prefix_prediction(predicted, model, tokenizer, test_problems, given: int = 2,
                            steps: int = 5, max_new_tokens: int = 96, n: int = 100) -> bool:
    """Predict the CoT model's accuracy on `steps`-step problems when the prompt already holds the
    first `given` equations of the thought. The check measures it with `model` (greedy, up to `n`
    problems), and without the head start for comparison."""
    from .evaluation import generate

    why = _empty_prediction("predicted", predicted)
    if why:
        return _wrong(why)
    probs = [p for p in test_problems if p.steps == steps][:n]
    if not probs:
        return _wrong(f"test_problems holds no {steps}-step problems")
    heads = ["<think>" + "".join(e + " " for e in p.worked_steps()[:given]) for p in probs]
    bare = generate(model, tokenizer, [sft_prompt(p) for p in probs], max_new_tokens)
    helped = [h + c for h, c in zip(heads, generate(
        model, tokenizer, [sft_prompt(p) + h for p, h in zip(probs, heads)], max_new_tokens))]
    rest = [p for p in test_problems if p.steps == steps - given][:n]
    acc_rest = _mean(extract_answer(c) == p.answer for c, p in zip(
        generate(model, tokenizer, [sft_prompt(p) for p in rest], max_new_tokens), rest))
    acc_bare = _mean(extract_answer(c) == p.answer for c, p in zip(bare, probs))
    acc_helped = _mean(extract_answer(c) == p.answer for c, p in zip(helped, probs))
    eqs = [parse_equations(thought_text(c)) for c in helped]
    counts = Counter(len(e) for e in eqs)
    usual = counts.most_common(1)[0][0]
    from_last = _mean(extract_answer(c) == e[-1][3] for c, e in zip(helped, eqs) if e)
    print(f"📏 measured on {len(probs)} held-out {steps}-step problems:\n"
          f"   accuracy with the first {given} equations given: {acc_helped:.2f}\n"
          f"   accuracy without them:                 {acc_bare:.2f}\n"
          f"   equations in the thought with them (the given ones included): "
          f"{dict(sorted(counts.items()))}, most often {usual}\n"
          f"   answers equal to the result of the last equation written: {from_last:.2f}\n"
          f"   for comparison, accuracy on {len(rest)} {steps - given}-step problems (no help): "
          f"{acc_rest:.2f}")
    if acc_helped - acc_bare >= 0.1:
        meaning = (f"the head start helped: with {given} equations given, the model finished more "
                   f"problems right ({acc_helped:.0%} against {acc_bare:.0%}). Compare how many "
                   f"equations it wrote with the {steps} the problems need.")
    elif usual < steps:
        meaning = (f"a head start of {given} correct equations leaves {steps - given} steps to do, and "
                   f"the model gets {acc_rest:.0%} of {steps - given}-step problems right, yet the head "
                   f"start barely helped: the thought still stops after {usual} equations, and the "
                   f"answer is read off the last one. The model learned how long a thought is, not to "
                   f"run the procedure until the operations run out: the limit is the length of the "
                   f"thoughts it was trained on, not the difficulty of what is left to do.")
    elif acc_bare >= 0.9:
        meaning = (f"the model needed no head start: it already runs the procedure to the end on "
                   f"{steps}-step problems ({acc_bare:.0%} right without help).")
    else:
        meaning = (f"the head start did not help ({acc_helped:.0%} against {acc_bare:.0%}), although "
                   f"the thoughts usually hold {usual} equations: read a few completions to see "
                   "where they go wrong.")
    return _verdict([_compare(f"accuracy at {steps} steps, {given} equations given", predicted,
                              acc_helped, 0.15)], meaning)


# --- lesson 3: R1-Zero ---------------------------------------------------------------------------

GOOD_COMPLETION = "<think>37+8=45 45-5=40</think><answer>40</answer>"

# The table of completions a format reward must judge right, shared with the rewards' own tests
# (tests/test_rewards.py). (completion, format reward, accuracy reward for the true answer 40, why)
FORMAT_CASES = [
    (GOOD_COMPLETION, 1.0, 1.0, "well formed"),
    ("  <think>x</think>\n<answer> 40 </answer>\n", 1.0, 1.0, "whitespace around the tags is fine"),
    ("<think>x</think><answer>\n40\n</answer>", 1.0, 1.0, "a newline around the answer is whitespace"),
    (" <think>37 plus 8 makes 45</think>\n<answer> 45 </answer>\n", 1.0, 0.0,
     "well formed, the wrong answer"),
    ("<think></think><answer>40</answer>", 1.0, 1.0, "empty thoughts are still the format"),
    ("<think>x</think><answer>040</answer>", 1.0, 1.0, "a leading zero: the same integer"),
    ("<think>x</think><answer>41</answer>", 1.0, 0.0, "well formed, the wrong answer"),
    ("<answer>40</answer>", 0.0, 1.0, "no think block: the format fails"),
    ("37+8=45 <answer>45</answer>", 0.0, 0.0, "thoughts outside the tags"),
    ("<think>x</think><answer>40</answer><answer>41</answer>", 0.0, 0.0, "two answers"),
    ("<think>x</think><answer>40</answer><answer>40</answer>", 0.0, 0.0, "two answers, even if equal"),
    ("<think>x</think><answer>" + " ".join(map(str, range(100))) + "</answer>", 0.0, 0.0,
     "every possible answer listed"),
    ("<think>x</think><answer>30-50</answer>", 0.0, 0.0, "a range as the answer"),
    ("<think>x</think><answer>40, 41</answer>", 0.0, 0.0, "a list as the answer"),
    ("<think>x</think><answer>the answer is 40</answer>", 0.0, 0.0, "words in the answer"),
    ("<think>x</think><answer>forty</answer>", 0.0, 0.0, "the answer in words"),
    ("<think>x</think><answer>-40</answer>", 0.0, 0.0, "a negative number: not a toy-world answer"),
    ("<think>x</think><answer>-60</answer>", 0.0, 0.0, "a negative number (-60 is 40 modulo 100)"),
    ("<think>x</think><answer>4.5</answer>", 0.0, 0.0, "a decimal number: not an integer"),
    ("<think>x</think><answer>40.0</answer>", 0.0, 0.0, "a decimal point: not an integer"),
    ("<think>x</think><answer>12345</answer>", 0.0, 0.0, "five digits: not a toy-world answer"),
    ("<think>x</think><answer>４０</answer>", 0.0, 0.0,
     "full-width digits (regex \\d and int() accept them; the answer must be ASCII 0-9)"),
    ("<think>x</think><answer></answer> 40", 0.0, 0.0, "the answer outside the tags"),
    ("<think>x</think> 40", 0.0, 0.0, "no answer block"),
    ("<think>x</think><answer>40</answer> so 40", 0.0, 0.0, "text after the answer"),
    ("<think>x</think><answer>40</answer> and also 41", 0.0, 0.0, "a second answer after the tags"),
    ("<think>x<answer>40</answer></think>", 0.0, 0.0, "the answer nested in the thoughts"),
    ("<think>x</think><answer><answer>40</answer></answer>", 0.0, 0.0, "nested answer blocks"),
    ("<think>x</think><answer>40", 0.0, 0.0, "an unclosed answer"),
    ("<think>x<answer>40</answer>", 0.0, 0.0, "an unclosed think block"),
    ("<think>a</think><think>b</think><answer>40</answer>", 0.0, 0.0, "two think blocks"),
    ("<THINK>x</THINK><answer>40</answer>", 0.0, 1.0, "tags in capitals are not the tags"),
    ("", 0.0, 0.0, "an empty completion"),
    # Not strings: trl passes a list of messages for conversational data; a bug upstream can pass
    # anything. A reward may read the last message (as rewards.format_reward does) or pay 0.0.
    ([{"role": "assistant", "content": GOOD_COMPLETION}], 1.0, 1.0,
     "a conversational completion (a list of messages), well formed"),
    ([{"role": "assistant", "content": "<answer>40</answer>"}], 0.0, 1.0,
     "a conversational completion without a think block"),
    ([{"role": "assistant", "content": "<think>x</think><answer>40</answer><answer>41</answer>"}],
     0.0, 0.0, "a conversational completion with two answers"),
    (None, 0.0, 0.0, "None instead of a completion"),
    (40, 0.0, 0.0, "a number instead of a completion"),
]


def _accepted(completion, want: float) -> set:
    """Rewards a learner's format reward may give: the table's, or 0.0 for a non-string."""
    return {want} if isinstance(completion, str) else {want, 0.0}


# (completion, language the question was asked in, language reward, why): the table lesson 4's
# exercise checks a learner's language reward against, and the reward's own tests use.
LANGUAGE_CASES = [
    ("<think>37+8=45 45-5=40</think><answer>40</answer>", "symbols", 1.0, "every step in symbols"),
    ("<think>37+8=45 45-5=40</think><answer>40</answer>", "words", 0.0,
     "a words question answered in symbols"),
    ("<think>37 plus 8 makes 45, 45 minus 5 is 40</think><answer>40</answer>", "words", 1.0,
     "every step in words"),
    ("<think>37+8=45, 45 minus 5 makes 40</think><answer>40</answer>", "words", 0.5,
     "one step of two in the question's notation"),
    ("<think>37+8=45 45-5=40 40+1=41 41-1=40 then 40 minus 1 is 39</think><answer>39</answer>",
     "words", 0.2, "one step of five in words"),
    ("<think>37 plus 8 makes 45 45-5=40</think><answer>41</answer>", "symbols", 0.5,
     "half the steps, whatever the answer: this reward reads the language only"),
    ("<think></think><answer>40</answer>", "words", 0.0, "an empty thought says nothing"),
    ("<think>plus minus plus plus</think><answer>40</answer>", "words", 0.0,
     "the words of the notation, but no step"),
    ("37 plus 8 makes 45 <answer>45</answer>", "words", 0.0, "no think block: not the format"),
    ("<think>37 plus 8 makes 45</think><answer>45</answer><answer>45</answer>", "words", 0.0,
     "two answers: not the format"),
    ("<think>37 plus 8 makes 45</think>", "words", 0.0, "no answer: not the format"),
    (None, "words", 0.0, "not text at all"),
]


def _kwargs_hint(error: str) -> str:
    return (" trl passes every dataset column as a keyword argument: give the function **kwargs."
            if "unexpected keyword argument" in error else "")


def _not_one_each(got, texts) -> str | None:
    """Why a reward's output is not one number per completion (None if it is a list of the length)."""
    if isinstance(got, (list, tuple)) and len(got) == len(texts):
        return None
    return (f"expected a list of {len(texts)} numbers (one per completion), got "
            f"{type(got).__name__} {got!r}"[:300])


def check_format_reward(fn) -> bool:
    """`fn(completions, **kwargs) -> list[float]`: 1.0 for <think>…</think><answer>N</answer>, else 0.

    Runs `fn` on FORMAT_CASES, with the answer column as trl passes it (`answer=[...]`).
    """
    texts = [c for c, _, _, _ in FORMAT_CASES]
    ok, got = _call(fn, texts, answer=[40] * len(texts))
    if not ok:
        for c, _, _, why in FORMAT_CASES:  # which completion makes it raise?
            one_ok, err = _call(fn, [c], answer=[40])
            if not one_ok:
                got = err
                culprit = f" on {c!r} ({why})"
                break
        else:
            culprit = ""
        return _wrong(f"your reward raised {got}{culprit}. A reward function must never raise: one "
                      f"exception stops the whole training run.{_kwargs_hint(got)}")
    if _not_one_each(got, texts):
        return _wrong(_not_one_each(got, texts))
    wrong = [(c, g, want, why) for (c, want, _, why), g in zip(FORMAT_CASES, got)
             if not (_is_number(g) and g in _accepted(c, want))]
    if wrong:
        c, g, want, why = wrong[0]
        if not _is_number(g):
            verdict = f"got {type(g).__name__} {g!r}: each reward should be a float, 1.0 or 0.0"
        elif want == 0.0:
            verdict = f"your reward paid {g!r}, but this is not the format and must not pay"
        else:
            verdict = f"your reward paid {g!r}, but this is the format and should pay 1.0"
        others = "; ".join(w for _, _, _, w in wrong[1:4])
        more = f"\n   other cases judged wrong: {others}" + ("; …" if len(wrong) > 4 else "") \
            if others else ""
        return _wrong(f"{len(wrong)}/{len(texts)} cases judged wrong. First: {c!r} ({why}): "
                      f"{verdict}.{more}")
    return _ok(f"all {len(texts)} cases judged right, tricks and non-strings included")


def _first_reaching(log: list, key: str, share: float, window: int, full_windows: bool,
                    smooth: bool = True, of_final: bool = True):
    rows = [(r["step"], r[key]) for r in log if isinstance(r, dict) and key in r and "step" in r]
    if not rows:
        return None
    xs = [x for _, x in rows]
    final = _mean(xs[-window:])
    line = share * final if of_final else share
    for i, (step, _) in enumerate(rows):
        if full_windows and smooth and i < window - 1:
            continue
        w = xs[max(0, i - window + 1):i + 1] if smooth else [xs[i]]
        if _mean(w) >= line:
            return step
    return None


def _update_verdict(name: str, key: str, answer, find, hint, tol: int) -> str | None:
    """Why `answer`, the update a learner found for the logged series `key`, is not the one
    `find(full_windows)` gives under either reading of the first, shorter windows (None when it
    is, give or take `tol`); `hint(answer)` says what to recompute."""
    if answer is None:
        return f"{name}_update is empty: write the update you found"
    if not _is_number(answer):
        return _not_a_number(f"{name}_update", answer)
    right = {s for full in (False, True) if (s := find(full)) is not None}
    if not right:
        return f"rl_log holds no {key!r} entries with a 'step': pass trl's log_history"
    if any(abs(answer - s) <= tol for s in right):
        return None
    return f"{name}_update = {answer}: too {'late' if answer > max(right) else 'early'}; {hint(answer)}."


def check_first_reaching(format_update, accuracy_update, rl_log: list, share: float = 0.8,
                         window: int = 10, tol: int = 1) -> bool:
    """The first update (trl's `step`) at which the `window`-update moving average of the format
    reward, and of the accuracy reward, reaches `share` of its final value (the mean of the last
    `window` updates), from trl's log of the RL run. Windows shorter than `window` at the start
    count, or not: both readings are accepted, give or take `tol` updates."""
    keys = {"format": ("rewards/format_reward/mean", format_update),
            "accuracy": ("rewards/accuracy_reward/mean", accuracy_update)}
    for name, (key, answer) in keys.items():
        def hint(answer, key=key):
            raw = _first_reaching(rl_log, key, share, window, False, smooth=False)
            absolute = _first_reaching(rl_log, key, share, window, False, of_final=False)
            if raw is not None and abs(answer - raw) <= tol:
                return ("that is where a single update first reaches the line; one lucky update is not "
                        f"the trend: average each update with the {window - 1} before it")
            if absolute is not None and abs(answer - absolute) <= tol:
                return (f"that compares with {share:g} itself; the line is {share:.0%} of the final value "
                        f"(the mean of the last {window} updates)")
            return ("recompute the moving average, the final value and the first update at or above "
                    f"{share:.0%} of it; print them")
        why = _update_verdict(name, key, answer, lambda full, key=key: _first_reaching(
            rl_log, key, share, window, full), hint, tol)
        if why:
            return _wrong(why)
    first = ("the format" if format_update < accuracy_update else
             "the accuracy" if accuracy_update < format_update else "both at once")
    return _ok(f"format at update {format_update}, accuracy at update {accuracy_update}: "
               f"RL learned {first}" + (" first" if first != "both at once" else ""))


def check_temperature_prediction(predicted, model, tokenizer, temperature: float = 0.3,
                                 rl_temperature: float = 1.0, n_prompts: int = 16, group: int = 8,
                                 max_new_tokens: int = 96, reward_weights=(1.0, 0.5),
                                 seed: int = 0) -> bool:
    """Predict the share of GRPO groups (`group` samples of one prompt) whose rewards are all equal
    when the RL model samples at `temperature` instead of `rl_temperature`. The check samples
    `n_prompts` training prompts of 1-4 steps at both temperatures and scores them as in lesson 3:
    accuracy x reward_weights[0] + format x reward_weights[1]."""
    from .evaluation import generate
    from .formats import ask, r1_zero_prompt
    from .r1 import RL_STEP_COUNTS
    from .rewards import accuracy_reward, format_reward

    why = _empty_prediction("predicted", predicted)
    if why:
        return _wrong(why)
    counts = RL_STEP_COUNTS
    per = [n_prompts // len(counts) + (i < n_prompts % len(counts)) for i in range(len(counts))]
    probs = [p for s, k in zip(counts, per) if k for p in make_problems(k, s, "train", seed=seed + 11)]
    prompts = [r1_zero_prompt(ask(p)) for p in probs]
    truth = [p.answer for p in probs for _ in range(group)]
    w_acc, w_fmt = reward_weights
    measured = {}
    for t in (rl_temperature, temperature):
        outs = generate(model, tokenizer, prompts, max_new_tokens, do_sample=True, temperature=t,
                        num_return_sequences=group, seed=seed, batch_size=len(prompts))
        r = [w_acc * a + w_fmt * f for a, f in zip(accuracy_reward(outs, truth), format_reward(outs))]
        groups = [r[i * group:(i + 1) * group] for i in range(len(probs))]
        measured[t] = (_mean(len(set(g)) == 1 for g in groups), _mean(r))
    (z_rl, r_rl), (z_low, r_low) = measured[rl_temperature], measured[temperature]
    print(f"📏 measured on {len(probs)} prompts x {group} samples (groups whose rewards are all equal):\n"
          f"   temperature {rl_temperature:g}: {z_rl:.2f} of the groups (mean reward {r_rl:.2f})\n"
          f"   temperature {temperature:g}: {z_low:.2f} of the groups (mean reward {r_low:.2f})")
    lower = temperature < rl_temperature
    if (z_low > z_rl) == lower and z_low != z_rl:
        meaning = (f"at a {'lower' if lower else 'higher'} temperature the samples of one prompt are "
                   f"{'more' if lower else 'less'} alike, so {'more' if lower else 'fewer'} groups "
                   "earn the same reward on every sample. Such a group has an advantage of zero "
                   "everywhere (its reward minus its own mean) and teaches GRPO nothing"
                   + (f": at {temperature:g}, {z_low:.0%} of the batch would be wasted. GRPO samples "
                      "at temperature 1 because its signal is the disagreement inside a group: "
                      "exploration comes from sampling." if lower else "."))
    else:
        meaning = (f"here the temperature moved the share of all-equal groups from {z_rl:.0%} to "
                   f"{z_low:.0%}; with so few prompts, run it with another seed before concluding.")
    return _verdict([_compare(f"all-equal groups at temperature {temperature:g}", predicted, z_low,
                              0.15)], meaning)


# --- lesson 3 in the numbers game ------------------------------------------------------------------

# (expression, right?, why) for the numbers 3 7 9 8 and the target 47: the table a learner's checker
# (lesson 3, exercise 1) and the course's numbers_game.check_expression are both checked against.
CHECKER_NUMBERS, CHECKER_TARGET = (3, 7, 9, 8), 47
CHECKER_CASES = [
    ("(7*8)-9", True, "a right expression"),
    ("7*8-9", True, "* binds tighter than -: the same value without parentheses"),
    ("7 * 8 - 9", True, "spaces between the tokens are fine"),
    ("((7)*(8))-(9)", True, "extra parentheses are fine"),
    ("(3+8)*(9-7)-(0)", False, "0 is not a given number"),
    ("9*7-8-8", False, "8 is given once and used twice"),
    ("47", False, "the target itself: 47 is not a given number"),
    ("(7*8)-9+3-3", False, "3 used twice"),
    ("(7*8)-9*1", False, "1 is not given"),
    ("78-31", False, "numbers glued together: 78 is not given"),
    ("7**2-2", False, "** is not an operation of the game"),
    ("(7*8)-(9/1)", False, "/ is not allowed"),
    ("(07*8)-9", False, "a leading zero: write the numbers as given"),
    ("-9+7*8", False, "a unary minus"),
    ("(7*8)-9=47", False, "an equation, not an expression"),
    ("", False, "empty"),
    ("(7*8)-9, 47", False, "two answers"),
    ("((7*8)-9", False, "an unclosed parenthesis"),
    ("(7*8)-9)", False, "a stray parenthesis"),
    ("__import__('os')", False, "code: never eval what a model writes"),
    ("7.0*8-9", False, "a decimal"),
    ("(７*8)-9", False, "a full-width digit (Python's int() accepts it)"),
    ("(7*9)-8", False, "the given numbers, the wrong value"),
    ("(" * 400 + "7" + ")" * 400 + "*8-9", False, "nested too deep for a naive recursive parser"),
    (None, False, "not text at all"),
]


def check_numbers_checker(fn) -> bool:
    """`fn(text, numbers, target) -> bool`: True only for an expression over the given numbers (each
    at most as often as given) with + - * and parentheses whose value is the target. Runs `fn` on
    CHECKER_CASES; it must never raise."""
    wrong, raised = [], []
    for text, right, why in CHECKER_CASES:
        ok, got = _call(fn, text, list(CHECKER_NUMBERS), CHECKER_TARGET)
        if not ok:
            raised.append((text, got, why))
        elif not isinstance(got, bool) or got != right:
            wrong.append((text, got, right, why))
    if raised:
        text, err, why = raised[0]
        return _wrong(f"your checker raised {err} on {str(text)[:40]!r} ({why}). A checker is a "
                      "reward: one exception stops the training run, so catch what a model can write.")
    if wrong:
        text, got, right, why = wrong[0]
        verdict = ("accepted it, but it must earn nothing" if got else "rejected it, but it is right")
        others = "; ".join(w for *_, w in wrong[1:4])
        return _wrong(f"{len(wrong)}/{len(CHECKER_CASES)} cases judged wrong. First: {str(text)[:40]!r} "
                      f"({why}): your checker {verdict}" + (f" (it returned {got!r}, not a bool)"
                                                           if not isinstance(got, bool) else "")
                      + (f".\n   others: {others}" if others else "."))
    return _ok(f"all {len(CHECKER_CASES)} cases judged right, tricks included, and it never raised")


def _first_covering(log: list, key: str, share: float, window: int, full_windows: bool, smooth: bool = True):
    """The first update at which the moving average of `key` has gone `share` of the way from its
    start (the mean of the first `window` updates) to its end (the mean of the last `window`)."""
    rows = [(r["step"], r[key]) for r in log if isinstance(r, dict) and key in r and "step" in r]
    if not rows:
        return None
    xs = [x for _, x in rows]
    start, end = _mean(xs[:window]), _mean(xs[-window:])
    line = start + share * (end - start)
    for i, (step, _) in enumerate(rows):
        if full_windows and smooth and i < window - 1:
            continue
        m = _mean(xs[max(0, i - window + 1):i + 1]) if smooth else xs[i]
        if (m >= line) if end >= start else (m <= line):
            return step
    return None


def check_curve_reaching(accuracy_update, length_update, rl_log: list, share: float = 0.8,
                         window: int = 5, tol: int = 1) -> bool:
    """The first update at which the `window`-update moving average of the training accuracy
    (`rewards/accuracy/mean`) and of the mean length (`completions/mean_length`) has gone `share`
    of the way from its start (the mean of the first `window` updates) to its end (the mean of the
    last `window`), give or take `tol` updates. Windows shorter than `window` at the start count,
    or not: both readings are accepted."""
    keys = {"accuracy": ("rewards/accuracy/mean", accuracy_update),
            "length": ("completions/mean_length", length_update)}
    for name, (key, answer) in keys.items():
        def hint(answer, key=key):
            raw = _first_covering(rl_log, key, share, window, False, smooth=False)
            if raw is not None and abs(answer - raw) <= tol:
                return (f"that is where a single update first crosses the line; average each update with "
                        f"the {window - 1} before it")
            return (f"the line is the start plus {share:.0%} of (end - start), start and end the means of "
                    f"the first and last {window} updates; print them and the moving average")
        why = _update_verdict(name, key, answer, lambda full, key=key: _first_covering(
            rl_log, key, share, window, full), hint, tol)
        if why:
            return _wrong(why)
    first = ("the accuracy" if accuracy_update < length_update else
             "the length" if length_update < accuracy_update else "both at once")
    return _ok(f"accuracy at update {accuracy_update}, length at update {length_update}: "
               + (f"{first} moved first" if first != "both at once" else "they moved together"))


def check_behaviour_prediction(predicted_share, bench: dict, tol: float = 0.2) -> bool:
    """Predict the pass@1 gained by RL from the base without backtracking, as a share of the gain
    from the base with it (means over the bench's seeds: bench/numbers_rl_seeds.json)."""
    why = _empty_prediction("predicted_share", predicted_share, 0.0, 1.5)
    if why:
        return _wrong(why)
    gains = {arm: _mean(r[arm]["pass1_after"] - r[arm]["pass1_before"] for r in bench["seeds"])
             for arm in ("backtrack", "no_backtrack")}
    if gains["backtrack"] <= 0:
        print(f"📏 RL from the backtracking base gained {gains['backtrack']:+.3f} on average: there is no "
              "gain to take a share of, so this prediction cannot be judged on this bench.")
        return False
    share = gains["no_backtrack"] / gains["backtrack"]
    print(f"📏 mean pass@1 gained over {len(bench['seeds'])} seeds: with backtracking "
          f"{gains['backtrack']:+.3f}, without {gains['no_backtrack']:+.3f}")
    meaning = ("RL can only make more likely what a base already does sometimes. A base that never "
               "checks a try or backs up has no search for RL to reward; it can only sharpen its one "
               "guess" if share < 0.5 else
               "here the base without backtracking gained at least half as much: its single tries, "
               "made more likely, were enough on these problems; read section 9's table per seed")
    return _verdict([_compare("the share", predicted_share, share, tol)], meaning)


def check_lora_count(model, r: int, target_modules, prediction) -> bool:
    """Lesson 8, exercise 1: predict how many parameters LoRA trains on `model` with rank `r` on
    `target_modules`. The check wraps a copy with peft and counts; it answers with a hint, and
    names the right count only once the prediction is right."""
    import copy

    from .lora import add_lora, lora_config, parameter_counts

    if prediction is None or prediction is Ellipsis:
        return _wrong("`my_prediction` is empty: write the number you expect first, then run the check.")
    if not _is_number(prediction) or prediction < 0:
        return _wrong(f"the prediction should be a number of parameters (a non-negative integer), got {prediction!r}")
    counted = parameter_counts(add_lora(copy.deepcopy(model), lora_config(r=r, alpha=2 * r,
                                                                          target_modules=target_modules)))
    truth = counted["trainable"]
    if round(prediction) == truth:
        return _ok(f"right: {truth:,} trainable parameters ({counted['share']:.1%} of the model).")
    cfg = model.config
    hint = (f"each adapted matrix trains r x (d_in + d_out). For q_proj, d_out is num_attention_heads x "
            f"head_dim; for k_proj and v_proj, num_key_value_heads x head_dim (here "
            f"{cfg.num_key_value_heads} x {getattr(cfg, 'head_dim', None)}); every layer has its own "
            f"({cfg.num_hidden_layers} layers).")
    direction = "high" if prediction > truth else "low"
    return _wrong(f"your prediction is too {direction}. Hint: {hint}")


# --- lesson 4 --------------------------------------------------------------------------------------

def check_language_reward(fn) -> bool:
    """`fn(completions, language, **kwargs) -> list[float]`: R1's language-consistency reward.

    Runs `fn` on LANGUAGE_CASES with the `language` column as trl passes it (a keyword argument).
    """
    texts = [c for c, _, _, _ in LANGUAGE_CASES]
    langs = [lang for _, lang, _, _ in LANGUAGE_CASES]
    ok, got = _call(fn, texts, language=langs, answer=[40] * len(texts))
    if not ok:
        return _wrong(f"your reward raised {got}. A reward function must never raise, whatever the "
                      f"model writes (one case is not even text).{_kwargs_hint(got)}")
    if _not_one_each(got, texts):
        return _wrong(_not_one_each(got, texts))
    wrong = [(c, lang, g, want, why) for (c, lang, want, why), g in zip(LANGUAGE_CASES, got)
             if not (_is_number(g) and abs(g - want) < 1e-6)]
    if not wrong:
        return _ok(f"all {len(texts)} cases judged right, tricks and non-text included")
    c, lang, g, want, why = wrong[0]
    if not _is_number(g):
        verdict = f"got {type(g).__name__} {g!r}: each reward should be a number from 0 to 1"
    else:
        verdict = (f"your reward paid {g:g}, {'too much' if g > want else 'too little'}: count the "
                   "steps in the thought (formats.SYMBOL_STEP, formats.WORD_STEP) and the share of "
                   "them in the question's notation; a completion out of the format earns nothing")
    return _wrong(f"{len(wrong)}/{len(texts)} cases judged wrong. First: {c!r} asked in {lang} "
                  f"({why}): {verdict}.")


def check_rejection_filter(keep, samples: list[dict]) -> bool:
    """`keep(completion, answer, language) -> bool`: the cold-start filter (right, in the format, no
    loop, every step in the question's notation, readability at least recipe.MIN_READABILITY).

    `samples` are dicts with completion, answer and language (R1-Zero's samples in notebook 04).
    Once the filter agrees with the course's, prints how many samples each check rejects in turn.
    """
    from .recipe import CHECKS, rejection_reason

    if not samples:
        return _wrong("samples is empty: pass the sampled completions (dicts with completion, answer "
                      "and language)")
    disagree = []
    for s in samples:
        ok, mine = _call(keep, s["completion"], s["answer"], s["language"])
        if not ok:
            return _wrong(f"your filter raised {mine} on {s['completion']!r}: it must judge anything")
        theirs = rejection_reason(s["completion"], s["answer"], s["language"]) is None
        if not isinstance(mine, bool) or mine != theirs:
            disagree.append((s, mine, rejection_reason(s["completion"], s["answer"], s["language"])))
    if disagree:
        s, mine, why = disagree[0]
        hint = (f"it fails the check '{why}'" if why else "it passes every check")
        return _wrong(f"{len(disagree)}/{len(samples)} samples judged differently from the course's "
                      f"filter. First: {s['completion']!r} (asked in {s['language']}, answer "
                      f"{s['answer']:02d}): yours said {mine!r}, but {hint}. Read recipe.CHECKS.")
    _ok(f"your filter agrees with the course's on all {len(samples)} samples")
    n = len(samples)
    print(f"acceptance as the checks are added one by one ({n} samples):")
    for i in range(len(CHECKS)):
        on = CHECKS[:i + 1]
        kept = sum(rejection_reason(s["completion"], s["answer"], s["language"], on) is None
                   for s in samples)
        print(f"   {' + '.join(on):38s} {kept / n:.2f}")
    return True


def check_weight_prediction(predicted, start_model, tokenizer, reference_row: dict, weight: float = 2.0,
                            updates: int | None = None, seed: int = 0, n_per_step: int = 50) -> bool:
    """Predict stage 2's sampled pass@1 (1-4 steps) when the language reward weighs `weight`
    instead of notebook 04's; the check trains that run from `start_model` (a copy: the model
    passed is not changed) and compares it with `reference_row` (notebook 04's stage-2 row)."""
    import copy

    from .r1 import RL_STEP_COUNTS, rl_dataset
    from .recipe import recipe_budget, reasoning_rewards, rl_stage, table_row

    why = _empty_prediction("predicted", predicted)
    if why:
        return _wrong(why)
    b = recipe_budget()
    model = copy.deepcopy(start_model)
    funcs, weights = reasoning_rewards(weight)
    rl_stage(model, tokenizer, rl_dataset(b.rl_problems_per_step, seed=seed), funcs, weights,
             updates or b.reasoning_rl_updates, seed=seed)
    row = table_row(model, tokenizer, f"language weight {weight:g}", n_per_step=n_per_step,
                    seed=seed, n_general=4)
    mean = lambda r: _mean(_acc(r["pass1_by_steps"], s) for s in RL_STEP_COUNTS)
    measured, before = mean(row), mean(reference_row)
    print(f"📏 sampled pass@1 at 1-4 steps: {before:.2f} at weight {b.language_weight:g} "
          f"(the notebook's run), {measured:.2f} at weight {weight:g}; language consistency "
          f"{reference_row['consistency']:.2f} -> {row['consistency']:.2f}")
    meaning = (f"the language reward {'cost' if measured < before else 'did not cost'} accuracy here "
               f"({measured - before:+.2f}). GRPO's advantage is the total reward relative to the "
               "group: a heavier language term makes a consistent wrong answer worth more against a "
               "right one in the other notation. Two runs on one seed differ by noise too: compare "
               "with the seed-to-seed spread in bench/recipe_seeds.json before concluding.")
    return _verdict([_compare(f"pass@1 at weight {weight:g}", predicted, measured, 0.08)], meaning)


# --- lesson 5: does RL add reasoning? ----------------------------------------------------------------

def _pass_brute(n: int, c: int, k: int) -> float:
    """pass@k by counting: the share of the k-subsets of n samples (the first c of them correct)
    that hold at least one correct sample."""
    from itertools import combinations

    subsets = hits = 0
    for s in combinations(range(n), k):  # each subset sorted: it holds a correct one iff s[0] < c
        subsets += 1
        hits += s[0] < c
    return hits / subsets


def _pass_cases() -> list[tuple[int, int, int, float]]:
    """(n, c, k, pass@k): every case with n <= 10 (counted by brute force), then n = 256
    (evaluation.pass_at_k). The ordinary cases come first, the edges (c = 0, k = 1, n - c < k) last,
    so that a formula wrong everywhere is shown on an ordinary case."""
    from .evaluation import pass_at_k

    small = [(n, c, k) for n in range(1, 11) for c in range(n + 1) for k in range(1, n + 1)]
    large = [(256, c, k) for c in (1, 3, 20, 128, 0, 250, 256) for k in (1, 16, 64, 128, 255, 256)]
    edge = lambda n, c, k: c == 0 or k == 1 or n - c < k
    small.sort(key=lambda case: case != (5, 2, 2))  # first a case easy to work out by hand
    out = []
    for cases, truth in ((small, _pass_brute), (large, pass_at_k)):
        out += [(n, c, k, truth(n, c, k)) for n, c, k in cases if not edge(n, c, k)]
    for cases, truth in ((small, _pass_brute), (large, pass_at_k)):
        out += [(n, c, k, truth(n, c, k)) for n, c, k in cases if edge(n, c, k)]
    return out


def _pass_hint(n: int, c: int, k: int, got, truth: float, tol: float) -> str:
    """Why fn(n, c, k) = got is wrong (truth is never written)."""
    from math import comb

    if not _is_number(got):
        return f"gave {type(got).__name__} {got!r}: return a probability, a float from 0 to 1"
    shown = f"gave {got:.4g}"
    if not 0 <= got <= 1:
        return (f"{shown}, which is not a probability: pass@k lies between 0 and 1 (a chance over "
                "the ways of drawing k of the n samples)")
    known = [
        (1 - (1 - c / n) ** k,
         "that is the plug-in estimate 1-(1-c/n)**k. It is biased low: it puts c/n in place of the "
         "true pass@1 in a formula that curves (1-(1-x)**k is concave), so the luck of the n samples "
         "pulls it below the truth on average (Jensen's inequality); it also draws the k with "
         "replacement, as if one wrong sample could be drawn twice. Count instead, among all the ways "
         "to draw k distinct samples of the n, those that hold no correct one"),
        (comb(n - c, k) / comb(n, k), "that is the chance that all k drawn are wrong: pass@k, at "
                                      "least one right, is 1 minus it"),
        (comb(c, k) / comb(n, k), "that is the chance that all k drawn are right; pass@k asks for at "
                                  "least one right"),
        (c / n, "that is c/n, the pass@1, whatever k: pass@k is the chance that at least one of k "
                "samples is right, so it grows with k"),
    ]
    for value, hint in known:
        if abs(got - value) <= tol and abs(value - truth) > tol:
            return f"{shown}: {hint}"
    return (f"{shown}, too {'high' if got > truth else 'low'}: count, among all the ways to draw k "
            "of the n samples without replacement, those that hold no correct one")


def _pass_crash_hint(n: int, c: int, k: int, error: str) -> str:
    if c == 0:
        return "With no correct sample (c = 0) no draw can hold one: what is pass@k then?"
    if n - c < k:
        return ("Here fewer than k samples are wrong (n - c < k): every draw of k holds a correct one, "
                "and there are no ways to draw k wrong ones (comb(n - c, k) is 0): handle this case "
                "before dividing, or taking a factorial of a negative number.")
    if "Overflow" in error:
        return ("Factorials of n = 256 overflow floats: use math.comb (exact integers), or write the "
                "ratio as a product of k factors.")
    return "Work this case out by hand and print each part of your formula."


def _pass_demo(fn, p: float = 0.05, n: int = 20, k: int = 10, trials: int = 4000, seed: int = 0) -> None:
    """Simulate `trials` problems of true pass@1 `p`, n samples each, and print the bias and spread
    of three estimators of the true pass@k: fn's, the plug-in, and the best of the first k."""
    table = []
    for c in range(n + 1):
        ok, v = _call(fn, n, c, k)
        if not ok or not _is_number(v):
            print(f"(no simulation: fn({n}, {c}, {k}) gave {v!r})")
            return
        table.append(float(v))
    rng = random.Random(f"pass-demo-{seed}")
    truth = 1 - (1 - p) ** k
    est = {"yours": [], "plug-in": [], "first k": []}
    for _ in range(trials):
        right = [rng.random() < p for _ in range(n)]
        c = sum(right)
        est["yours"].append(table[c])
        est["plug-in"].append(1 - (1 - c / n) ** k)
        est["first k"].append(float(any(right[:k])))
    stats = {}
    for name, xs in est.items():
        bias = _mean(xs) - truth
        stats[name] = bias, math.sqrt(_mean((x - truth - bias) ** 2 for x in xs))
    labels = {"yours": "yours (the unbiased estimator)", "plug-in": "plug-in 1-(1-c/n)**k",
              "first k": f"any right among the first k = {k}"}
    rows = "\n".join(f"   {labels[name]:34s} {b:+8.3f} {s:10.3f}" for name, (b, s) in stats.items())
    print(f"🎲 what the estimator buys: {trials} simulated problems, each with a true pass@1 of {p:g} "
          f"and n = {n} samples; the true pass@{k} is 1-(1-{p:g})**{k} = {truth:.3f}\n"
          f"   {'estimator':34s} {'bias':>8s} {'spread':>10s}   (mean error, and its standard "
          f"deviation)\n{rows}")
    noise = 2 * stats["first k"][1] / math.sqrt(trials)
    plug_tighter = (f" (the plug-in spreads a little less, {stats['plug-in'][1]:.3f}, but around the "
                    "wrong value)" if stats["plug-in"][1] < stats["yours"][1] else "")
    print(f"   (a bias within about ±{noise:.3f} is the noise of {trials} trials)")
    print(f"What it means: the plug-in is biased {'low' if stats['plug-in'][0] < 0 else 'high'} "
          f"({stats['plug-in'][0]:+.3f}: the natural-looking formula under-reports pass@k). Any right "
          f"among the first {k} is unbiased but spreads wider ({stats['first k'][1]:.3f}): it throws "
          f"{n - k} of the {n} samples away. The unbiased estimator uses all {n}: unbiased, and "
          f"narrower than the first {k} ({stats['yours'][1]:.3f}){plug_tighter}. That is why a "
          "pass@k curve samples n >= k once and reads every k from the same counts.")


def check_pass_at_k(fn) -> bool:
    """`fn(n, c, k) -> float`: the unbiased pass@k from n samples of which c are correct, the chance
    that at least one of k drawn without replacement from the n is correct (Chen et al. 2021).

    Compared, within 1e-9, with a count of every k-subset for n up to 10 (all c and k), and with
    evaluation.pass_at_k at n = 256 (so it must be a formula, not an enumeration). Once right, a
    simulation shows what it buys over the plug-in 1-(1-c/n)**k and over the best of the first k.
    """
    tol = 1e-9
    cases = _pass_cases()
    failures = []
    for n, c, k, truth in cases:
        ok, got = _call(fn, n, c, k)
        if not ok:
            failures.append((n, c, k, got, truth, False))
        elif not (_is_number(got) and abs(got - truth) <= tol):
            failures.append((n, c, k, got, truth, True))
    if failures:
        n, c, k, got, truth, returned = failures[0]
        crashes = sum(not r for *_, r in failures)
        count = (f"{len(failures)}/{len(cases)} cases wrong" +
                 (f" ({crashes} of them raised)" if crashes else "") + ". First: ")
        if not returned:
            return _wrong(f"{count}fn(n={n}, c={c}, k={k}) raised {got}. "
                          f"{_pass_crash_hint(n, c, k, got)}")
        return _wrong(f"{count}fn(n={n}, c={c}, k={k}) {_pass_hint(n, c, k, got, truth, tol)}.")
    _ok(f"all {len(cases)} cases right (n up to 10 against a count of every draw, and n = 256), "
        "edges included")
    _pass_demo(fn)
    return True


def _shares_problem(shares, truth) -> tuple[dict | None, str | None]:
    """({answer: share} with int/None keys, None), or (None, what is wrong with the input)."""
    if not isinstance(shares, Mapping) or not shares:
        return None, (f"shares should be a non-empty dict {{answer: probability}}, e.g. "
                      f"{{40: 0.35, 41: 0.2, None: 0.1, ...}}; got {type(shares).__name__} {shares!r}")
    clean = {}
    for a, s in shares.items():
        if isinstance(a, str) and (a.isdigit() or a == "none"):  # the keys of a count dict's answers
            a = None if a == "none" else int(a)
        if a is not None and not (isinstance(a, numbers.Integral) and not isinstance(a, bool)):
            return None, f"shares: the answer {a!r} should be an int (or None for no answer)"
        if not _is_number(s):
            return None, f"shares[{a!r}] = {s!r} should be a probability (a number)"
        if s < 0:
            return None, f"shares[{a!r}] = {s!r} is negative: a probability is at least 0"
        key = None if a is None else int(a)
        clean[key] = clean.get(key, 0.0) + float(s)
    total = sum(clean.values())
    if abs(total - 1) > 0.01:
        hint = (" They look like counts: divide each by their total." if total > 1.5 and
                all(float(s).is_integer() for s in clean.values()) else "")
        return None, (f"the shares sum to {total:.3g}, not 1: they should be the probability of "
                      f"each answer, all answers (None included) together 1.{hint}")
    if not (isinstance(truth, numbers.Integral) and not isinstance(truth, bool)):
        return None, f"truth should be the right answer, an int; got {type(truth).__name__} {truth!r}"
    return {a: s / total for a, s in clean.items()}, None


def _maj_simulated(shares: dict, truth: int, k: int, draws: int, rng) -> float:
    """maj@k when each of k answers is drawn independently from `shares`: the share of `draws`
    votes (counts drawn from the multinomial) whose most common non-None answer is `truth`, ties
    counted by the chance that a random tie-break picks it."""
    import numpy as np

    answers = [a for a in shares if a is not None]
    if not answers or truth not in answers:
        return 0.0
    p = np.array([shares[a] for a in answers] + [shares.get(None, 0.0)])
    counts = rng.multinomial(k, p / p.sum(), size=draws)[:, :-1]  # the None column dropped
    top = counts.max(axis=1, keepdims=True)
    tied = (counts == top) & (top > 0)
    won = tied[:, answers.index(truth)] / np.maximum(tied.sum(axis=1), 1)
    return float(won.mean())


def check_majority_prediction(prediction, shares, truth, k: int = 256, draws: int = 2000,
                              seed: int = 0) -> bool:
    """Predict maj@k at large k (the share of votes of k answers whose most common answer is right)
    for a problem whose answers follow `shares` ({answer: probability}, None for no answer; the
    shares sum to 1) and whose right answer is `truth`. The check simulates `draws` votes for k
    in 1, 4, 16, 64 and `k` (each answer drawn independently, no-answers left out of the vote, ties
    broken at random) and compares at `k`, within 0.15."""
    import numpy as np

    why = _empty_prediction("prediction", prediction)
    if why:
        return _wrong(why)
    clean, why = _shares_problem(shares, truth)
    if why:
        return _wrong(why)
    if not (isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= 1):
        return _wrong(f"k should be a whole number of samples, at least 1; got {k!r}")
    if not (isinstance(draws, numbers.Integral) and not isinstance(draws, bool) and draws >= 1):
        return _wrong(f"draws should be a whole number, at least 1; got {draws!r}")
    rng = np.random.default_rng(seed)
    ks = [x for x in (1, 4, 16, 64) if x < k] + [int(k)]
    curve = {x: _maj_simulated(clean, truth, x, draws, rng) for x in ks}
    right = clean.get(truth, 0.0)
    wrong = sorted(((s, a) for a, s in clean.items() if a is not None and a != truth), reverse=True)
    best_wrong, best_answer = wrong[0] if wrong else (0.0, None)
    print(f"📏 measured by simulation ({draws} votes of k answers each; pass@1 = {right:.2f}):\n"
          f"   k      " + "".join(f"{x:>7d}" for x in ks) + "\n"
          f"   maj@k  " + "".join(f"{curve[x]:7.2f}" for x in ks))
    if right > best_wrong:
        trend = (f"the right answer ({truth}, share {right:.2f}) is the single most likely answer "
                 f"(the likeliest wrong one has {best_wrong:.2f}), so the more votes, the surer it "
                 f"wins: maj@k goes to 1 as k grows, although pass@1 is {right:.2f}")
    elif right == best_wrong:
        trend = (f"the right answer ({truth}) ties with a wrong one ({best_answer}) at share "
                 f"{right:.2f}: the vote between them stays a coin toss, maj@k goes to 1/2")
    else:
        trend = (f"a wrong answer ({best_answer}, share {best_wrong:.2f}) is more likely than the "
                 f"right one ({truth}, {right:.2f}), so the more votes, the surer the wrong one wins: "
                 "maj@k goes to 0 as k grows (the slower, the closer the two shares)")
    meaning = (f"{trend}. pass@1 alone does not decide it; the mode of the answer distribution does. "
               "Majority voting amplifies whatever a model answers most often, right or wrong: that "
               "is how RL, which makes a model give its likeliest answer more often, can lift maj@k "
               "without making it able to solve more.")
    return _verdict([_compare(f"maj@{k}", prediction, curve[int(k)], 0.15)], meaning)


def check_added_reasoning(verdict, base: list[dict], rl: list[dict], kind: str = "path") -> bool:
    """Did the RL run add reasoning? `verdict` True means: at the largest k, K (the smallest n of
    the counts, at most boundary.K_MAX), the RL model's pass@K is above the base's, with the
    bootstrap interval of the difference base - RL entirely below 0; False means it is not.

    `base` and `rl` are boundary.sample_counts' lists (the same problems in the same order); the
    check reads boundary.crossover(base, rl, ks=(1, K), kind=kind). Read it on kind='path' (right
    by the true path): on kind='right' large-k figures are inflated by guessing, since among 100
    possible answers a random guesser passes 1-0.99**256 = 0.92 of the time at k = 256.
    """
    from .boundary import K_MAX, crossover

    if verdict is None or verdict is Ellipsis:
        return _wrong("`verdict` is empty: write True (RL added reasoning) or False (it did not) "
                      "first; the check reads the curves once you have committed.")
    if not isinstance(verdict, bool):
        return _wrong(f"`verdict` should be True or False, got {type(verdict).__name__} {verdict!r}")
    for name, counts in (("base", base), ("rl", rl)):
        if not isinstance(counts, (list, tuple)) or not counts or \
                not all(isinstance(c, Mapping) for c in counts):
            return _wrong(f"{name} should be a non-empty list of count dicts "
                          f"(boundary.sample_counts), got {type(counts).__name__}")
    if len(base) != len(rl):
        return _wrong(f"base holds {len(base)} problems and rl {len(rl)}: sample both on the same "
                      "problems")
    try:
        K = min(min(int(c["n"]) for c in list(base) + list(rl)), K_MAX)
        if K < 1:
            return _wrong("some problem has n = 0 samples: there is no curve to read")
        rows = crossover(list(base), list(rl), ks=(1, K), kind=kind)["rows"]
    except (KeyError, TypeError, ValueError) as e:
        return _wrong(f"cannot read the curves from these counts: {type(e).__name__}: {e}")
    left, right = rows[0], rows[-1]
    truth = right["high"] < 0
    if verdict != truth:
        hint = ("Your verdict fits the left end of the curves (k = 1), where RL is ahead in pass@1; "
                "that gain is not the question. " if verdict and left["high"] < 0 else
                "pass@1, the left end of the curves, is not the question. ")
        return _wrong(f"that is not what the curves say. {hint}Read the right-hand end (k = {K}): "
                      f"the difference base - RL at k = {K} and its bootstrap interval. RL added "
                      "reasoning only if that whole interval lies below 0; an interval that reaches "
                      "0 means the two models cannot be told apart there.")
    _ok(f"{'RL added reasoning' if verdict else 'RL did not add reasoning'} ({kind!r}, k = {K})")
    print(f"   pass@{K}: base {right['base']:.3f}, RL {right['other']:.3f}; difference base - RL "
          f"{right['diff']:+.3f}, 95% interval [{right['low']:+.3f}, {right['high']:+.3f}]\n"
          f"   pass@1:  base {left['base']:.3f}, RL {left['other']:.3f}")
    if verdict:
        meaning = (f"even given {K} tries, the base model solves fewer of these problems than the RL "
                   "model, and the interval excludes a tie: RL made the model able to solve problems "
                   "it could not reach before, not only pick its right answers more often.")
    elif right["low"] > 0:
        meaning = (f"at k = {K} the base model is ahead: RL made the model pick the answers it "
                   "favours more often and lost some of the problems the base could still reach "
                   "by sampling. It narrowed what the model tries, it added no reasoning.")
    else:
        meaning = (f"at k = {K} the two cannot be told apart: whatever RL's gain at k = 1, the base "
                   f"model reaches as much given {K} tries. RL made the model pick what it could "
                   "already do more often; it did not teach it to do more (Yue et al. 2025).")
    if kind == "right":
        meaning += (" On kind='right' large-k figures are inflated by lucky guesses (1-0.99**256 = "
                    "0.92 for a random guesser): read kind='path' before concluding.")
    print(f"What it means: {meaning}")
    return True


# --- lesson 6: the RL algorithms ------------------------------------------------------------------

def check_policy_loss(fn, model, tokenizer) -> bool:
    """Exercise (lesson 6): `fn(logps, old_logps, advantages, mask, clip_low, clip_high, aggregation,
    max_length, ref_logps, beta)` returns GRPO's clipped policy loss with its KL term, averaged by
    `aggregation` ('sequence', 'token' or 'constant'). Checked against trl's GRPO loss of the matching
    loss_type (grpo, bnpo, dr_grpo) on a fixed batch, with clip-higher and beta > 0, through
    GRPOTrainer.compute_loss (grpo.trl_loss). `model` must come from a folder (models.load): trl
    loads its reference model from there."""
    import torch

    from .grpo import trl_loss
    from .ppo import AGGREGATIONS, TRL_LOSS_TYPES, fixed_batch, policy_loss

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
    (_ok if close else _wrong)(f"you predicted {predicted:+.3f} without the std: "
                               f"{'close' if close else f'{abs(off):.3f} too ' + ('high' if off > 0 else 'low')}")
    print(f"What it means: dividing by the group's std multiplies every advantage of this group by "
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


# --- lesson 7 --------------------------------------------------------------------------------------

def check_budget_cap(fn, model, tokenizer, budgets=(0, 6, 16)) -> bool:
    """`fn(model, tokenizer, prompts, budget) -> list[str]`: greedy completions whose thought is cut
    at `budget` tokens, with '</think><answer>' written for the model when it is cut (Qwen3's
    thinking budget). Compared with thinking.budget_generate on a few held-out problems."""
    from .formats import ask
    from .tasks import make_problems
    from .thinking import budget_generate, mode_prompt, thought_tokens

    prompts = [mode_prompt(ask(p), "think") for s in (2, 4) for p in make_problems(3, s, "test", 5)]
    for b in budgets:
        ok, got = _call(fn, model, tokenizer, prompts, b)
        if not ok:
            return _wrong(f"with budget={b} your function raised {got}")
        if not isinstance(got, list) or len(got) != len(prompts) or not all(isinstance(g, str) for g in got):
            return _wrong(f"with budget={b} return one completion (a string) per prompt: {len(prompts)} of them")
        want = budget_generate(model, tokenizer, prompts, b)
        for g, w in zip(got, want):
            if g.strip() == w.strip():
                continue
            used = thought_tokens(tokenizer, g)
            if used > b + 1:
                return _wrong(f"with budget={b} one thought has {used} tokens: stop generating the "
                              "thought once it reaches the budget")
            if "</think>" not in g or "<answer>" not in g:
                return _wrong(f"with budget={b} a completion has no '</think>' or no '<answer>': when the "
                              "thought is cut, write '</think><answer>' for the model and let it answer")
            return _wrong(f"with budget={b} a completion differs from the reference: {g!r}. Start the "
                          "completion with ' <think>', generate greedily, and keep a thought that closes "
                          "within the budget as the model wrote it")
    return _ok(f"same completions as the reference at budgets {list(budgets)}")


def check_fooling(question: str, answer: str, verifier) -> bool:
    """A wrong answer to `question` (a problem in symbols, e.g. '37+8-5') that the learned verifier
    accepts: the check works out the true answer itself and asks the verifier."""
    from .verifiers import expected_steps, says_yes, stated_value

    try:
        truth = expected_steps(question)[-1][3]
    except (ValueError, TypeError) as e:
        return _wrong(f"{e}")
    if not isinstance(answer, str) or not answer.strip():
        return _wrong("answer must be a non-empty string: what the policy writes inside <answer></answer>")
    if stated_value(f"<answer>{answer}</answer>") == truth:
        return _wrong("a careful reader finds the right answer in that: it is not a wrong answer. "
                      "Fooling the verifier means a wrong answer (or none) that it accepts")
    said = verifier.read([question], [truth], [answer])[0]
    if not says_yes(said):
        return _wrong(f"the verifier said no; it wrote {said!r}. Look at which number it copies from the "
                      "answer, and what it writes when it finds none")
    return _ok(f"the verifier accepted a wrong answer; it wrote {said!r}")


def check_hardened(question: str, answer: str, verifier) -> bool:
    """After hardening, the verifier must turn down the answer that fooled it."""
    from .verifiers import expected_steps, says_yes

    truth = expected_steps(question)[-1][3]
    said = verifier.read([question], [truth], [answer])[0]
    if says_yes(said):
        return _wrong(f"the verifier still accepts it ({said!r}): add the example (several copies) to "
                      "its training data with the verdict it should write, and train a little longer")
    return _ok(f"the hardened verifier now turns it down: {said!r}")


def check_process_reward(fn) -> bool:
    """`fn(completions, question, **kwargs) -> list[float]`: the share of the problem's steps the
    thought gets right, in order. Run on verifiers.PROCESS_TRICKS (each may earn at most a given
    amount) and PROCESS_FAIR (each earns exactly a given amount), with non-text too."""
    from .verifiers import PROCESS_FAIR, PROCESS_TRICKS

    cases = [(c, most, why, "most") for c, most, why in PROCESS_TRICKS]
    cases += [(c, score, why, "exactly") for c, score, why in PROCESS_FAIR]
    cases += [(None, 0.0, "not text", "most"), (42, 0.0, "not text", "most")]
    texts = [c for c, *_ in cases]
    ok, got = _call(fn, texts, question=["37+8-5"] * len(texts), answer=[40] * len(texts))
    if not ok:
        return _wrong(f"your reward raised {got}. A reward function must never raise, whatever the "
                      f"model writes (two cases are not even text).{_kwargs_hint(got)}")
    if _not_one_each(got, texts):
        return _wrong(_not_one_each(got, texts))
    for (c, want, why, how), g in zip(cases, got):
        if not _is_number(g):
            return _wrong(f"for {c!r} ({why}) you returned {g!r}: return a number from 0 to 1")
        if how == "most" and g > want + 1e-6:
            return _wrong(f"{c!r} ({why}) is paid too much. Check each step against the problem's step at "
                          "the same position, and divide by the larger of the steps written and needed")
        if how == "exactly" and abs(g - want) > 1e-6:
            return _wrong(f"{c!r} ({why}) is paid {'too much' if g > want else 'too little'}. Both "
                          "notations are steps (thoughts.steps_in), and the answer does not matter")
    return _ok(f"all {len(cases)} cases judged right, tricks and non-text included")
