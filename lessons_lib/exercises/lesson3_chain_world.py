"""Lesson 3's first version, in the chain world (the arithmetic chains of lessons 0-2): its checks.

No notebook calls them now (notebooks/03_r1_zero.ipynb moved to the numbers game: see
lesson3_r1_zero); they stay because their tests do (tests/test_exercises.py), and FORMAT_CASES is
the table the format reward's own tests use (tests/test_rewards.py).

    check_format_reward           format_reward(completions, **kwargs) on FORMAT_CASES
    check_first_reaching          the update at which the format and accuracy rewards were learned
    check_temperature_prediction  predict the share of GRPO groups whose rewards are all equal at
                                  a lower temperature (measured with the model)
"""
from __future__ import annotations

from ..worlds.chain import make_problems
from ._inputs import _call, _is_number, _kwargs_hint, _mean, _not_one_each
from ._verdict import _compare, _empty_prediction, _ok, _verdict, _wrong
from .lesson3_r1_zero import _update_verdict, _which_first


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


def _update_reaching_share(log: list, key: str, share: float, window: int, full_windows: bool,
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


def check_first_reaching(format_update, accuracy_update, rl_log: list, share: float = 0.8,
                         window: int = 10, tol: int = 1) -> bool:
    """The first update (trl's `step`) at which the `window`-update moving average of the format
    reward, and of the accuracy reward, reaches `share` of its final value (the mean of the last
    `window` updates), from trl's log of the RL run. Windows shorter than `window` at the start
    count, or not: both readings are accepted, give or take `tol` updates."""
    keys = {"format": ("rewards/format_reward/mean", format_update),
            "accuracy": ("rewards/accuracy_reward/mean", accuracy_update)}

    def hint(key, answer):
        raw = _update_reaching_share(rl_log, key, share, window, False, smooth=False)
        absolute = _update_reaching_share(rl_log, key, share, window, False, of_final=False)
        if raw is not None and abs(answer - raw) <= tol:
            return ("that is where a single update first reaches the line; one lucky update is not "
                    f"the trend: average each update with the {window - 1} before it")
        if absolute is not None and abs(answer - absolute) <= tol:
            return (f"that compares with {share:g} itself; the line is {share:.0%} of the final value "
                    f"(the mean of the last {window} updates)")
        return ("recompute the moving average, the final value and the first update at or above "
                f"{share:.0%} of it; print them")
    why = _update_verdict(keys, lambda key, full: _update_reaching_share(rl_log, key, share, window, full),
                          hint, tol)
    if why:
        return _wrong(why)
    first = _which_first(("the format", format_update), ("the accuracy", accuracy_update))
    return _ok(f"format at update {format_update}, accuracy at update {accuracy_update}: "
               f"RL learned {first + ' first' if first else 'both at once'}")


def check_temperature_prediction(predicted, model, tokenizer, temperature: float = 0.3,
                                 rl_temperature: float = 1.0, n_prompts: int = 16, group: int = 8,
                                 max_new_tokens: int = 96, reward_weights=(1.0, 0.5),
                                 seed: int = 0) -> bool:
    """Predict the share of GRPO groups (`group` samples of one prompt) whose rewards are all equal
    when the RL model samples at `temperature` instead of `rl_temperature`. The check samples
    `n_prompts` training prompts of 1-4 steps at both temperatures and scores them as in lesson 3:
    accuracy x reward_weights[0] + format x reward_weights[1]."""
    from ..evaluation import generate
    from ..formats import r1_zero_prompt
    from ..rewards import accuracy_reward, format_reward
    from ..worlds.chain import ask
    from ..worlds.chain_rl import RL_STEP_COUNTS

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
