"""Lesson 4's checks: notebooks/04_combined_recipe.ipynb (and solutions/04_solutions.ipynb).

    exercise 1  check_language_reward    the language-consistency reward on LANGUAGE_CASES
    exercise 2  check_weight_prediction  predict stage 2's pass@1 with a heavier language reward
                                         (trains that run: minutes)
    exercise 3  check_rejection_filter   keep(completion, answer, language), stage 1's filter,
                                         against the course's (worlds.chain_rl.CHECKS)
"""
from __future__ import annotations

from ._inputs import _acc, _call, _is_number, _kwargs_hint, _mean, _not_one_each
from ._verdict import _compare, _empty_prediction, _ok, _verdict, _wrong


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
                   "steps in the thought (worlds.chain.SYMBOL_STEP, worlds.chain.WORD_STEP) and the share of "
                   "them in the question's notation; a completion out of the format earns nothing")
    return _wrong(f"{len(wrong)}/{len(texts)} cases judged wrong. First: {c!r} asked in {lang} "
                  f"({why}): {verdict}.")


def check_rejection_filter(keep, samples: list[dict]) -> bool:
    """`keep(completion, answer, language) -> bool`: the cold-start filter (right, in the format, no
    loop, every step in the question's notation, readability at least chain_rl.MIN_READABILITY).

    `samples` are dicts with completion, answer and language (R1-Zero's samples in notebook 04).
    Once the filter agrees with the course's, prints how many samples each check rejects in turn.
    """
    from ..worlds.chain_rl import CHECKS, rejection_reason

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
                      f"{s['answer']:02d}): yours said {mine!r}, but {hint}. Read worlds.chain_rl.CHECKS.")
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

    from ..lesson4_recipe import reasoning_rewards, recipe_budget, table_row
    from ..stages import rl_stage
    from ..worlds.chain_rl import RL_STEP_COUNTS, rl_dataset

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
