"""Lesson 2's checks: notebooks/02_chain_of_thought_sft.ipynb (and solutions/02_solutions.ipynb).

    exercise 1  check_cot_target         cot_target(problem) writes the course's chain-of-thought target
    exercise 2  check_extra_tokens       how many more tokens chain of thought writes, from `cost`
    exercise 3  check_prefix_prediction  predict the accuracy with the first equations given
                                         (measured with the model)
"""
from __future__ import annotations

import re
from collections import Counter

from ..formats import extract_answer, sft_prompt, thought_text
from ..worlds.chain import MODULUS, make_problems, parse_equations, Problem, sft_target
from ._inputs import _acc, _call, _is_number, _mean
from ._verdict import _compare, _empty_prediction, _judge_number, _ok, _verdict, _wrong


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
    from ..evaluation import generate

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
