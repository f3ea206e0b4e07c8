"""Lesson 7's checks: notebooks/07_thinking_modes_and_verifiers.ipynb (and solutions/07_solutions.ipynb).

    exercise 1  check_budget_cap       a thinking budget, against lesson7_thinking.budget_generate
    exercise 2  check_fooling          a wrong answer the learned verifier accepts,
                check_hardened         then turned down once the verifier is hardened
    exercise 3  check_process_reward   the process reward on lesson7_verifiers.PROCESS_TRICKS and PROCESS_FAIR
"""
from __future__ import annotations

from ._inputs import _call, _is_number, _kwargs_hint, _not_one_each
from ._verdict import _ok, _wrong


def check_budget_cap(fn, model, tokenizer, budgets=(0, 6, 16)) -> bool:
    """`fn(model, tokenizer, prompts, budget) -> list[str]`: greedy completions whose thought is cut
    at `budget` tokens, with '</think><answer>' written for the model when it is cut (Qwen3's
    thinking budget). Compared with lesson7_thinking.budget_generate on a few held-out problems."""
    from ..formats import mode_prompt
    from ..lesson7_thinking import budget_generate, thought_tokens
    from ..worlds.chain import ask, make_problems

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
    from ..lesson7_verifiers import expected_steps, says_yes, stated_value

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
    from ..lesson7_verifiers import expected_steps, says_yes

    truth = expected_steps(question)[-1][3]
    said = verifier.read([question], [truth], [answer])[0]
    if says_yes(said):
        return _wrong(f"the verifier still accepts it ({said!r}): add the example (several copies) to "
                      "its training data with the verdict it should write, and train a little longer")
    return _ok(f"the hardened verifier now turns it down: {said!r}")


def check_process_reward(fn) -> bool:
    """`fn(completions, question, **kwargs) -> list[float]`: the share of the problem's steps the
    thought gets right, in order. Run on lesson7_verifiers.PROCESS_TRICKS (each may earn at most a given
    amount) and PROCESS_FAIR (each earns exactly a given amount), with non-text too."""
    from ..lesson7_verifiers import PROCESS_FAIR, PROCESS_TRICKS

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
                          "notations are steps (worlds.chain_thoughts.steps_in), and the answer does not matter")
    return _ok(f"all {len(cases)} cases judged right, tricks and non-text included")
