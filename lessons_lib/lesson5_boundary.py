"""Does RL add reasoning? (lesson 5): pass@k and maj@k from many samples, the crossover, coverage,
and distillation from a stronger teacher.

The question comes from two findings. DeepSeek-Math compared its Instruct (SFT) model with the RL
model trained from it: "RL enhances Maj@K's performance but not Pass@K". Yue et al. (2025, arXiv
2504.13837) compared base models with RL run from them: RL models win at small k, but "base models
achieve higher pass@k score when k is large", and the RL models' reasoning paths are already in the
base models' sampling distribution. Distillation from a stronger teacher, they found, brings new
reasoning patterns.

The toy world's models are tiny and their problems few, so the claims are tagged with care
(`claims`): a group with fewer than MIN_PROBLEMS problems tags nothing, two curves pinned at 0 or 1
on every problem are a ceiling (or a floor), not a meeting, and "the base surpasses RL" needs the
base above RL beyond the bootstrap interval. maj@k is read under both conventions for a sample that
gives no answer (it does not vote; it votes for "no answer").

Sampling is the whole cost, so `sample_counts` draws n completions per problem and keeps only
counts: how many are right, how many are right *by the true path*, and every answer given (for
maj@k). Everything else (curves, confidence intervals, the crossover, coverage) is computed from
those counts, which are small enough to commit and reload (`TRAIN = False` in notebook 05).

Two ways to be right. The toy world's answers are 100 numbers, so a model that guesses at random
passes 1 - 0.99**k of the time: 0.92 at k = 256. pass@k at large k on answers alone mostly measures
how many guesses were allowed (the papers filter out such problems, or check the working by hand).
The toy world can check the working exactly: a completion is right *by the path* when the steps it
writes start with the problem's chain, every step right, and its answer is right (`path_right`).
Both are reported; the path is the one that says whether the model can do the problem.

How a model is read. A model trained on the tags (lessons 2-4) is read by the strict checker
(rewards.checked_answer); the base model, which never learned them, can also be asked the way its
corpus asks (`problem: 37+8-5`) and read for the last number it writes (`READERS["last number"]`):
the same model scores very differently under the two, which is part of the lesson.
"""
from __future__ import annotations

import dataclasses
import random

from .formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, r1_zero_prompt
from .sample_stats import (
    K_MAX, KINDS, KS, NO_ANSWER, PINNED, bootstrap_ci, coverage, crossover, gain, in_group, maj_curve, maj_values, pass_curve, pass_values,
)
from .worlds.chain import MODULUS, ask, make_problems, question_notation
from .worlds.chain_rl import GROUPS, problems, sample_counts
from .sft import SFTSettings

MAX_NEW_TOKENS = 128  # an 8-step thought in words and its answer fit with room to spare


def guess_curve(ks=KS, answers: int = MODULUS) -> dict[int, float]:
    """pass@k of a model that guesses uniformly among `answers` values: 1 - (1 - 1/answers)**k."""
    return {k: 1 - (1 - 1 / answers) ** k for k in ks}


def mean_logprobs(model, tokenizer, prompts: list[str], completions: list[str],
                  batch_size: int = 64) -> list[float]:
    """The mean log-probability per token that `model` gives each completion after its prompt
    (how likely the model finds a text: higher is more its own)."""
    import torch

    from .evaluation import padded, token_logps

    if len(prompts) != len(completions):
        raise ValueError(f"{len(prompts)} prompts but {len(completions)} completions")
    model.eval()
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out = []
    with torch.no_grad():
        for i in range(0, len(prompts), batch_size):
            heads = tokenizer(prompts[i:i + batch_size], add_special_tokens=True).input_ids
            tails = tokenizer(completions[i:i + batch_size], add_special_tokens=False).input_ids
            ids, mask = padded([h + t for h, t in zip(heads, tails)], pad)
            token_logp = token_logps(model, ids.to(device), mask.to(device))
            for j, (h, t) in enumerate(zip(heads, tails)):
                if not t:
                    out.append(0.0)
                    continue
                out.append(token_logp[j, len(h) - 1:len(h) - 1 + len(t)].mean().item())
    return out


# --- distillation ----------------------------------------------------------------------------------

TEACHER_STEPS = tuple(range(1, 9))  # what the teacher is trained on: longer than the base's corpus (1-6)


def teacher_records(n_per_step: int, steps=TEACHER_STEPS, seed: int = 0) -> list[dict]:
    """The teacher's training data: training problems of `steps` asked in their own language under
    R1-Zero's template, each worked out right in the question's notation, in the tags, laid out as
    R1-Zero lays its completions out (so a likelihood under the base compares paths, not spacing). The toy
    world's stand-in for a stronger model's knowledge: it knows problems longer than any the base
    model read about."""
    from .runtime import require_int
    from .worlds.chain_corpus import worked_thoughts

    require_int(n_per_step, "n_per_step")
    rng = random.Random(f"teacher-{seed}")
    rows = []
    for s in steps:
        for p in make_problems(n_per_step, s, "train", seed):
            thought, _ = worked_thoughts(p, rng, question_notation(p), slip=0.0)
            rows.append(dict(prompt=r1_zero_prompt(ask(p)), steps=s, answer=p.answer,
                             completion=f" {THINK_OPEN} {thought} {THINK_CLOSE} "
                                        f"{ANSWER_OPEN}{p.answer:02d}{ANSWER_CLOSE}"))
    rng.shuffle(rows)
    return rows


@dataclasses.dataclass(frozen=True)
class DistillBudget:
    """Lesson 5's distillation budget (notebook 05 and bench/boundary_seeds.py use the defaults).

    teacher_problems_per_step   training problems per step count (1-8) the teacher is trained on
    sft_updates, sft_batch_size, sft_lr   each SFT from the base (teacher, and student): read by
                                stages.sft_from_base
    trace_problems_per_step     training problems per step count (1-8) the teacher is sampled on
    trace_samples               teacher completions per problem (kept if right: rejection sampling)
    rl_updates                  GRPO updates of the RL run on the same prompts (from R1-Zero)
    """

    teacher_problems_per_step: int = 300
    sft_updates: int = 80
    sft_batch_size: int = 32
    sft_lr: float = 2e-3
    trace_problems_per_step: int = 60
    trace_samples: int = 2
    rl_updates: int = 40

    def __post_init__(self):
        from .runtime import require_int, require_lr

        for f in dataclasses.fields(self):
            if f.type == "int":
                require_int(getattr(self, f.name), f"DistillBudget.{f.name}")
        require_lr(self.sft_lr, example="2e-3")

    @property
    def sft(self) -> SFTSettings:
        """The SFT stages' settings (stages.sft_from_base reads them)."""
        return SFTSettings(self.sft_updates, self.sft_batch_size, self.sft_lr)

    def smoke(self) -> DistillBudget:
        return dataclasses.replace(self, teacher_problems_per_step=4, sft_updates=3, sft_batch_size=4,
                                   trace_problems_per_step=2, trace_samples=2, rl_updates=2)


def distill_budget() -> DistillBudget:
    """Lesson 5's distillation budget (its smoke variant when LESSONS_SMOKE=1)."""
    from .runtime import for_mode

    return for_mode(DistillBudget())


# --- the models, and what the lesson concludes from their counts -------------------------------------------

BASE_OWN, BASE_TEMPLATE = "base, its own prompt", "base, template"
R1_ZERO, RECIPE, COT = "R1-Zero (3)", "combined recipe (4)", "CoT SFT (2)"
SFT_STAGE = "second SFT (4)"  # lesson 4's stage 3: the SFT model the combined recipe's RL (stage 4) ran from
STUDENT, RL_SAME = "student (5)", "RL on the teacher's prompts (5)"
GAIN_KS = (1, 4, 16, 64)  # where RL's gains are compared; DeepSeek-Math compared maj@64 and pass@64
MAJ_K = 64
BEYOND = (7, 8)  # lengths the teacher covers and the base model's corpus (1-6) never wrote
MIN_PROBLEMS = 20  # problems a group needs before a claim is tagged from its interval


def course_models(device: str = "cpu") -> dict:
    """The shipped models lesson 5 compares, each with how it is asked and read:
    {name: (model, tokenizer, prompt_fn, reader)}. The base model appears twice: asked the way its
    corpus asks and read for the last number, and under R1-Zero's template read by the checker.
    Lesson 4's second SFT (stage 3) and the combined recipe (stage 4, RL from that SFT model) are
    DeepSeek-Math's pair: an SFT model, and RL run from it."""
    from .formats import sft_prompt, short_prompt
    from .models import load
    from .paths import CHECKPOINTS

    base, tok = load(CHECKPOINTS / "03_base", device)
    cot, cot_tok = load(CHECKPOINTS / "02_cot_sft", device)
    r1z, _ = load(CHECKPOINTS / "03_rl", device)
    sft, _ = load(CHECKPOINTS / "04_second_sft", device)
    final, _ = load(CHECKPOINTS / "04_final", device)
    return {BASE_OWN: (base, tok, short_prompt, "last number"),
            BASE_TEMPLATE: (base, tok, r1_zero_prompt, "tagged"),
            COT: (cot, cot_tok, sft_prompt, "tagged"),
            R1_ZERO: (r1z, tok, r1_zero_prompt, "tagged"),
            SFT_STAGE: (sft, tok, r1_zero_prompt, "tagged"),
            RECIPE: (final, tok, r1_zero_prompt, "tagged")}


def curves(counts: dict, ks=KS, draws: int = 64, groups=None) -> dict:
    """{model: {group: {'pass': {k: ..}, 'path': {k: ..}, 'maj': {k: ..}, 'maj_vote': {k: ..}}}} for
    each step group of `groups` the model was sampled on ('maj': a sample without an answer does
    not vote; 'maj_vote': it votes for 'no answer')."""
    out = {}
    for name, cs in counts.items():
        out[name] = {}
        for g, steps in (groups or GROUPS).items():
            mine = in_group(cs, steps)
            if mine:
                out[name][g] = {"pass": pass_curve(mine, ks), "path": pass_curve(mine, ks, "path"),
                                "maj": maj_curve(mine, ks, draws),
                                "maj_vote": maj_curve(mine, ks, draws, no_answer="vote")}
    return out


def _at(counts, steps, k, kind="right"):
    mine = in_group(counts, steps)
    return sum(pass_values(mine, k, kind)) / len(mine) if mine else None


def findings(counts: dict, k: int = K_MAX, groups=None) -> dict:
    """The figures lesson 5's claims are read from (notebook 05, bench/boundary_seeds.py,
    bench/pass_at_k_seeds.py), for each step group of `groups` (default GROUPS) that the models were
    sampled on:

    crossover   {base reading: {group: {kind: crossover(base, R1-Zero)}}}
    coverage    {base reading: {group: coverage(R1-Zero, base)}} on the path
    gains       R1-Zero minus the base (each reading) per group and k (GAIN_KS and the largest):
                {'maj': maj@k (no answer: no vote), 'maj_vote' (no answer votes), 'right': pass@k on
                answers, 'path': pass@k by the path}
    dsmath      when SFT_STAGE and RECIPE were sampled: {group: {k: gain(SFT, RL from it)}}
    beyond      pass@k by the path on BEYOND (7-8 steps) for every model there, and the
                student's lead over the best of the others with an interval
    """
    groups = groups or GROUPS
    rl = counts[R1_ZERO]
    kmax = min(min(c["n"] for c in cs) for cs in counts.values())
    k = min(k, kmax)
    ks = tuple(sorted({kk for kk in GAIN_KS if kk < k} | {k}))  # fewer samples (smoke): fewer k
    out = dict(k=k, groups={g: list(st) for g, st in groups.items()}, crossover={}, coverage={}, gains={})
    for b in (BASE_OWN, BASE_TEMPLATE):
        out["crossover"][b], out["coverage"][b], out["gains"][b] = {}, {}, {}
        for g, steps in groups.items():
            base_g, rl_g = in_group(counts[b], steps), in_group(rl, steps)
            if not base_g or not rl_g:
                continue
            out["crossover"][b][g] = {kind: crossover(base_g, rl_g, ks, kind) for kind in KINDS}
            out["coverage"][b][g] = dict(coverage(rl_g, base_g, k, "path"), problems=len(rl_g))
            out["gains"][b][g] = {}
            for kk in ks:
                mean = lambda xs: sum(xs) / len(xs)
                out["gains"][b][g][kk] = dict(
                    maj=mean(maj_values(rl_g, kk)) - mean(maj_values(base_g, kk)),
                    maj_vote=mean(maj_values(rl_g, kk, no_answer="vote"))
                    - mean(maj_values(base_g, kk, no_answer="vote")),
                    right=_at(rl_g, steps, kk) - _at(base_g, steps, kk),
                    path=_at(rl_g, steps, kk, "path") - _at(base_g, steps, kk, "path"))
    if SFT_STAGE in counts and RECIPE in counts:
        out["dsmath"] = {}
        for g, steps in groups.items():
            sft_g, rl_g = in_group(counts[SFT_STAGE], steps), in_group(counts[RECIPE], steps)
            if sft_g and rl_g:
                out["dsmath"][g] = {kk: gain(sft_g, rl_g, kk) for kk in ks}
    if STUDENT in counts:
        at = {name: _at(cs, BEYOND, k, "path") for name, cs in counts.items() if in_group(cs, BEYOND)}
        student = pass_values(in_group(counts[STUDENT], BEYOND), k, "path")
        rival = max((n for n in at if n != STUDENT), key=lambda n: at[n])
        other = pass_values(in_group(counts[rival], BEYOND), k, "path")
        diff = [s - o for s, o in zip(student, other)]
        lo, hi = bootstrap_ci(diff)
        out["beyond"] = dict(steps=list(BEYOND), path=at, best_other=rival, problems=len(diff),
                             lead=sum(diff) / len(diff), low=lo, high=hi)
    return out


def _too_few(n: int) -> str:
    return (f"only {n} problems in the group: an interval over so few problems says little "
            f"(at least {MIN_PROBLEMS} needed; bench/pass_at_k_seeds.py measures enough)")


def _pinned_words(base: float, other: float) -> str:
    level = ("a ceiling: both solve every problem" if min(base, other) >= 1 - PINNED else
             "a floor: neither solves any problem" if max(base, other) <= PINNED else
             "each problem is solved by both or by neither")
    return f"both curves pinned ({level}), so nothing can cross: not a result"


def claims(f: dict) -> list[dict]:
    """The papers' claims, each tagged 'reproduced', 'not reproduced' or 'not testable here', with
    the figures that decide it (read from `findings`). The rules:

    - a group with fewer than MIN_PROBLEMS problems tags nothing: 'not testable here';
    - a comparison where both models sit at 0 or 1 on every problem (`pinned`) is a ceiling or a
      floor, not a result: 'not testable here';
    - a gain counts when its bootstrap interval over problems is above 0;
    - "the base surpasses RL at large k" (Yue et al.) needs the base above R1-Zero beyond the
      interval (the interval of base - R1-Zero above 0) at some k; meeting is not surpassing;
    - "RL lifts maj@k but not pass@k" (DeepSeek-Math, on an SFT model and RL run from it) needs the
      gain in maj@k above 0 and above the gain in pass@k, both beyond their intervals, at k = MAJ_K,
      and is tagged under each vote rule for a sample without an answer;
    - coverage counts when the base reaches at least 90% of what R1-Zero solves, and is not
      testable when the base reaches every problem of the group (a ceiling).
    """
    k = f["k"]
    rows = []

    def add(claim, source, status, figures):
        rows.append(dict(claim=claim, source=source, status=status, figures=figures))

    tpl, own = f["crossover"][BASE_TEMPLATE], f["crossover"][BASE_OWN]
    g0 = next(iter(tpl))
    c0 = tpl[g0]["path"]
    first = c0["rows"][0]
    add("RL lifts pass@1", "DeepSeek-Math, Yue et al.",
        "not testable here" if c0["problems"] < MIN_PROBLEMS else
        "reproduced" if first["high"] < 0 else "not reproduced",
        f"{g0} steps, {c0['problems']} problems, template: base {first['base']:.2f}, R1-Zero "
        f"{first['other']:.2f} (base - R1-Zero {first['diff']:+.2f}, interval {first['low']:+.2f} to "
        f"{first['high']:+.2f})")
    rule_words = {"skip": "a sample without an answer does not vote",
                  "vote": "a sample without an answer votes for 'no answer'"}
    if "dsmath" not in f:
        add("RL lifts maj@k but not pass@k (an SFT model, and RL run from it)", "DeepSeek-Math",
            "not testable here", "no SFT model and RL run from it among the sampled models")
    for grp, by_k in f.get("dsmath", {}).items():
        mk = max(kk for kk in by_k if kk <= MAJ_K)
        x = by_k[mk]
        for rule in NO_ANSWER:
            maj, pas, d = x[f"maj_{rule}"], x["right"], x[f"maj_minus_pass_{rule}"]
            if x["problems"] < MIN_PROBLEMS:
                status, why = "not testable here", "; " + _too_few(x["problems"])
            elif maj["pinned"] and pas["pinned"]:
                status, why = "not testable here", "; " + _pinned_words(maj["sft"], maj["rl"])
            else:
                status = "reproduced" if maj["low"] > 0 and d["low"] > 0 else "not reproduced"
                why = ""
            add(f"RL lifts maj@k but not pass@k ({grp} steps, k = {mk}; {rule_words[rule]})",
                "DeepSeek-Math", status,
                f"{SFT_STAGE} -> RL from it ({RECIPE}), {x['problems']} problems: maj@{mk} "
                f"{maj['sft']:.2f} -> {maj['rl']:.2f} (gain {maj['gain']:+.2f}, interval {maj['low']:+.2f} to "
                f"{maj['high']:+.2f}); pass@{mk} {pas['sft']:.2f} -> {pas['rl']:.2f} (gain {pas['gain']:+.2f}, "
                f"interval {pas['low']:+.2f} to {pas['high']:+.2f}); maj gain - pass gain {d['diff']:+.2f} "
                f"(interval {d['low']:+.2f} to {d['high']:+.2f})" + why)
    for name, x in (("template", tpl), ("its own prompt", own)):
        for grp, by_kind in x.items():
            c = by_kind["path"]
            last = c["rows"][-1]
            head = f"pass@{k} by the path, {c['problems']} problems: base {last['base']:.2f}, R1-Zero {last['other']:.2f}"
            if c["problems"] < MIN_PROBLEMS:
                status, figures = "not testable here", f"{head}; {_too_few(c['problems'])}"
            elif c["above_k"] is not None:
                r = next(r for r in c["rows"] if r["k"] == c["above_k"])
                status, figures = "reproduced", (f"{head}; the base is ahead beyond the interval from k = "
                                                 f"{c['above_k']} ({r['diff']:+.2f}, interval {r['low']:+.2f} to "
                                                 f"{r['high']:+.2f})")
            elif last["pinned"]:
                status, figures = "not testable here", (f"{head}; at k = {k} {_pinned_words(last['base'], last['other'])}"
                                                        f" (pinned from k = {c['pinned_k']})")
            else:
                meet = (f"the interval reaches 0 from k = {c['first_k_ci']} (from there the two cannot be "
                        f"told apart; the base is never above)" if c["first_k_ci"] is not None
                        else "R1-Zero stays ahead at every k")
                status, figures = "not reproduced", (f"{head} (base - R1-Zero {last['diff']:+.2f}, interval "
                                                     f"{last['low']:+.2f} to {last['high']:+.2f}); {meet}")
            add(f"at large k the base surpasses RL ({grp} steps, base asked with {name})", "Yue et al.",
                status, figures)
    for grp, cov in f["coverage"][BASE_TEMPLATE].items():
        claim = f"RL's solved problems are within the base's reach ({grp} steps)"
        n = cov.get("problems", cov["solved"])
        if cov["share"] is None:
            add(claim, "Yue et al.", "not testable here", "R1-Zero solved none of them by the path")
        elif n < MIN_PROBLEMS:
            add(claim, "Yue et al.", "not testable here",
                f"of {cov['solved']} problems R1-Zero solves by the path, the base (template) reaches "
                f"{cov['share']:.2f} within {k} samples; {_too_few(n)}")
        elif cov.get("base_all") is not None and cov["base_all"] >= 1 - PINNED:
            add(claim, "Yue et al.", "not testable here",
                f"the base (template) reaches every one of the {n} problems within {k} samples (pass@{k} "
                f"{cov['base_all']:.2f}): a ceiling, nothing RL solves can lie outside its reach")
        else:
            add(claim, "Yue et al.", "reproduced" if cov["share"] >= 0.9 else "not reproduced",
                f"of {cov['solved']} problems (of {n}) R1-Zero solves by the path, the base (template) "
                f"reaches {cov['share']:.2f} within {k} samples")
    if "beyond" in f:
        b = f["beyond"]
        n = b.get("problems", 0)
        figures = (f"pass@{k} by the path at {b['steps'][0]}-{b['steps'][-1]} steps, {n} problems: student "
                   f"{b['path'][STUDENT]:.2f}, best other ({b['best_other']}) {b['path'][b['best_other']]:.2f}, "
                   f"RL on the same prompts {b['path'].get(RL_SAME, float('nan')):.2f}; student's lead "
                   f"{b['lead']:+.2f} (interval {b['low']:+.2f} to {b['high']:+.2f})")
        add("distillation from a stronger teacher widens the boundary; RL on the same prompts does not",
            "Yue et al.", "not testable here" if n < MIN_PROBLEMS else
            "reproduced" if b["low"] > 0 else "not reproduced",
            figures + (f"; {_too_few(n)}" if n < MIN_PROBLEMS else ""))
    add("RL algorithms (PPO, GRPO, ...) land close together", "Yue et al.", "not testable here",
        "lesson 6 compares RL algorithms on the toy world")
    add("the same holds for large models on real benchmarks", "DeepSeek-Math, Yue et al.",
        "not testable here", "a tiny model on one toy task says nothing about scale")
    return rows


# --- the distillation experiment, step by step (notebook 05 and bench/boundary_seeds.py) -----------------

def train_teacher(budget: DistillBudget, seed: int = 0, device: str = "cpu", callbacks=None):
    """(teacher, tokenizer, trainer): the base model fine-tuned on right worked solutions of 1-8
    steps (teacher_records): a model that knows more than the base, made the cheap way."""
    from .stages import sft_from_base

    records = teacher_records(budget.teacher_problems_per_step, seed=seed + 10)
    return sft_from_base(records, budget.sft, seed=seed, device=device, callbacks=callbacks)


def trace_problems(budget: DistillBudget, seed: int = 0) -> list:
    """The training problems (1-8 steps) the teacher is sampled on, and RL is run on."""
    return problems(budget.trace_problems_per_step, seed=seed + 20, split="train")


def teacher_traces(teacher, tokenizer, budget: DistillBudget, seed: int = 0):
    """(kept, stats): rejection sampling of the teacher on `trace_problems` (chain_rl.rejection_sample,
    lesson 4's filter): the student's training data."""
    from .worlds.chain_rl import rejection_sample

    return rejection_sample(teacher, tokenizer, trace_problems(budget, seed), budget.trace_samples,
                            seed=seed, max_new_tokens=MAX_NEW_TOKENS)


def rl_on_prompts(model, tokenizer, budget: DistillBudget, seed: int = 0, device: str = "cpu",
                  callbacks=None):
    """GRPO with lesson 3's rewards and settings on the teacher's prompts (`trace_problems`, each
    asked in its own language) for `budget.rl_updates` updates; trains `model` in place."""
    from datasets import Dataset

    from .rewards import accuracy_reward, format_reward
    from .stages import rl_stage
    from .worlds.chain_rl import rl_rows

    dataset = Dataset.from_list(rl_rows(trace_problems(budget, seed))).shuffle(seed=seed)
    return rl_stage(model, tokenizer, dataset, [accuracy_reward, format_reward], [1.0, 0.5],
                    budget.rl_updates, seed=seed, device=device, callbacks=callbacks)


def sample_all(lineup: dict, problem_list, n: int = K_MAX, seed: int = 0, verbose: bool = True):
    """(counts, seconds): `sample_counts` for every {name: (model, tokenizer, prompt_fn, reader)}."""
    import time

    counts, seconds = {}, {}
    for name, (model, tok, prompt_fn, reader) in lineup.items():
        t0 = time.perf_counter()
        counts[name] = sample_counts(model, tok, problem_list, prompt_fn, reader, n=n, seed=seed)
        seconds[name] = time.perf_counter() - t0
        if verbose:
            print(f"{name:34s} {len(problem_list) * n:6d} samples in {seconds[name]:5.1f} s "
                  f"({len(problem_list) * n / seconds[name]:4.0f} per second)")
    return counts, seconds
