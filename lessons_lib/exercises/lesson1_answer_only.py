"""Lesson 1's checks: notebooks/01_answer_only_sft.ipynb (and solutions/01_solutions.ipynb).

    exercise 1  check_exact_match           exact_match(completions, answers) on EXACT_MATCH_CASES
    exercise 2  check_memorisation_gap      training minus held-out accuracy, from the run's numbers
    exercise 3  check_neighbour_prediction  predict what the model does with near copies of its
                                            training problems (measured with the model)
"""
from __future__ import annotations

from ..formats import extract_answer, sft_prompt
from ..worlds.chain import Problem
from ._inputs import _acc, _call, _is_number, _mean
from ._verdict import _compare, _empty_prediction, _judge_number, _ok, _verdict, _wrong


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
    from ..evaluation import generate

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
