"""Render the README's measured parts from the JSON files the course writes, never from memory.

    .venv/bin/python scripts/render_readme.py           # rewrite the rendered blocks of README.md
    .venv/bin/python scripts/render_readme.py --check   # exit 1 with a diff if README.md differs

Each measured part of README.md sits between two marker comments,

    <!-- rendered by scripts/render_readme.py: do not edit (NAME) -->
    ...
    <!-- end rendered (NAME) -->

and is rebuilt here from results/*.json (the reference run of the notebooks), results/timings.json,
bench/*.json and data/checkpoints/03_base/base_card.json. Every number in a block comes from one of
those files; the targets in the Measured table are the course's requirements, written below. The
files are read defensively: a key that is missing renders as "(missing: FILE KEY)" in a required
row, and drops an optional row or sentence, so adding keys never breaks the README and removing
one shows up in `--check` (tests/test_readme.py runs it, so CI fails when the README drifts).

To add a row to the Measured table, add a `Row` to MEASURED below; to add a notebook, add it to
NOTEBOOKS (and its time target to NOTEBOOK_TIME_TARGETS).
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent

# --- the files ---------------------------------------------------------------------------------
TIMINGS = "results/timings.json"  # scripts/run_notebooks.py --reference
REPORT = "bench/report.json"  # bench/benchmark.py
SEEDS = "bench/seeds.json"  # bench/seeds.py
LR_SWEEP = "bench/lr_sweep.json"  # bench/lr_sweep.py
AO_TRIALS = "bench/answer_only_trials.json"  # bench/answer_only_trials.py
RL_SEEDS = "bench/rl_seeds.json"  # bench/rl_seeds.py
RL_FORMAT0 = "bench/rl_seeds_format0.json"  # bench/rl_seeds.py --format-weight 0 --out ...
RL_OLD_TEMPLATE = "bench/rl_seeds_template134.json"  # bench/rl_seeds.py under an earlier, longer template
BASE_CARD = "data/checkpoints/03_base/base_card.json"  # scripts/pretrain_base.py
BINDER_SMOKE = "bench/binder_smoke.json"  # scripts/binder_check.py
BINDER_FULL = "bench/binder_full.json"  # scripts/binder_check.py --full
GPU_CHECK = "results/gpu_check.json"  # bench/gpu_check.py, on a GPU machine
LESSON8_SEEDS = "bench/lesson8_seeds.json"  # bench/lesson8_seeds.py
STANDIN_CARD = "data/checkpoints/08_standin/card.json"  # scripts/pretrain_standin.py
GRPO_PROFILE = "bench/grpo_profile.json"  # bench/grpo_profile.py
REPRODUCTION = "bench/reproduction.json"  # notebook 03 run on another machine, beside the reference
NB00 = "results/00_setup_and_toy_world.json"
NB01 = "results/01_answer_only_sft.json"
NB02 = "results/02_chain_of_thought_sft.json"
NB08 = "results/08_real_models.json"
NB03 = "results/03_chain_r1_zero.json"  # lesson 3's first version, in the chain world
NB03_NUMBERS = "results/03_r1_zero.json"  # lesson 3 in the numbers game
NUMBERS_RL = "bench/numbers_rl_seeds.json"  # bench/numbers_rl_seeds.py
NUMBERS_BASE = "data/checkpoints/03_numbers_base/card.json"  # scripts/pretrain_numbers_base.py
NUMBERS_BASE_NB = "data/checkpoints/03_numbers_base_no_backtrack/card.json"  # ... --no-backtrack
GRPO_PROFILE_NUMBERS = "bench/grpo_profile_numbers.json"  # bench/grpo_profile.py --world numbers
NB04 = "results/04_combined_recipe.json"
RECIPE_SEEDS = "bench/recipe_seeds.json"  # bench/recipe_seeds.py
NB05 = "results/05_does_rl_add_reasoning.json"
BOUNDARY_SEEDS = "bench/boundary_seeds.json"  # bench/boundary_seeds.py
PASS_K_SEEDS = "bench/pass_at_k_seeds.json"  # bench/pass_at_k_seeds.py
LANGUAGE_SEEDS = "bench/language_reward_seeds.json"  # bench/language_reward_seeds.py
KEEP_LONGER = "bench/keep_longer_seeds.json"  # bench/keep_longer_seeds.py
NB06 = "results/06_rl_algorithms.json"
RL_ALGORITHMS = "bench/rl_algorithms.json"  # bench/rl_algorithms.py
NB07 = "results/07_thinking_modes_and_verifiers.json"
VERIFIER_SEEDS = "bench/verifier_seeds.json"  # bench/verifier_seeds.py

# --- the notebooks table: (file stem, title, what it measures) ---------------------------------
NOTEBOOKS = [
    ("00_setup_and_toy_world", "Setup and the toy world",
     "answer space, disjoint splits, tokens per thought, untrained baseline, training speed"),
    ("01_answer_only_sft", "Answer-only SFT",
     "accuracy on training vs held-out problems, by number of steps; accuracy against training budget"),
    ("02_chain_of_thought_sft", "Chain-of-thought SFT",
     "the gap by number of steps and at equal tokens and seconds, longer problems than trained, tokens per answer"),
    ("03_r1_zero", "R1-Zero: pure RL",
     "the numbers game: a base's search checked before RL (a step's arithmetic, a check's verdict, "
     "searching against giving up), GRPO checked by hand, R1-Zero's curve (held-out pass@1 and length, "
     "their Spearman correlation), tries, checks, backtracks and give-ups over training, repeats, "
     "notation mixing, readability, RL from a base without backtracking, pass@k to 256; the chain "
     "world's counterpoint"),
    ("04_combined_recipe", "The combined recipe: DeepSeek-R1's stages",
     "each stage of R1's pipeline (cold start by rejection sampling, RL with a language reward, "
     "general requests, a second SFT, a final RL round) against CoT SFT and R1-Zero, in one table "
     "of every model of the course"),
    ("05_does_rl_add_reasoning", "Does RL add reasoning?",
     "pass@k (unbiased, k up to 256, on answers and by the path) and maj@k of the base, CoT SFT, "
     "R1-Zero and the combined recipe at 1-4 and 5-8 steps; the crossover with intervals; coverage "
     "and the base's likelihood of RL's answers; distillation from a teacher against RL on the same "
     "prompts"),
    ("06_rl_algorithms", "The RL algorithms side by side",
     "REINFORCE, RLOO, GRPO, Dr. GRPO, DAPO (with and without dynamic sampling) and PPO with a value "
     "model from one start on the same prompts: curves per completion sampled and per second, "
     "length, entropy, zero-spread groups, memory, pass@1 and pass@64 against the untrained base, three "
     "seeds; Kimi's skewed "
     "difficulty, curriculum and prioritised sampling"),
    ("07_thinking_modes_and_verifiers", "Thinking on demand, and what the reward reads",
     "Qwen3's thinking-mode fusion (accuracy, tokens and obedience per mode and step count, against "
     "lesson 1), a thinking budget, the delay a user sees, a learned verifier against the rule checker "
     "(precision and recall by answer form), RL against each judge (reward hacking, the answer forms "
     "before and after, a gate, a hardened verifier), a process reward and unfaithful thoughts, three seeds"),
    ("08_real_models", "Real models: the recipe on a hub model, with LoRA",
     "LoRA's trainable parameters and training state (here and on an H100); offline, a stand-in that "
     "reads words (a BPE tokenizer, Qwen2's architecture pretrained on worked word problems): SFT then "
     "GRPO with math-verify on GSM8K-format word problems, completions at each stage, LoRA against full "
     "fine-tuning on SFT, math-verify against the rule checker, three seeds; the H100 figures use "
     "random weights"),
]
# the course's wall-time targets in full mode, by notebook prefix
NOTEBOOK_TIME_TARGETS = [(("00", "01", "02", "05", "08"), "≤ 300 s"), (("03", "04", "06", "07"), "≤ 360 s")]

BEGIN = "<!-- rendered by scripts/render_readme.py: do not edit ({name}) -->"
END = "<!-- end rendered ({name}) -->"


# --- reading JSON defensively ------------------------------------------------------------------
class Missing(Exception):
    """A file or key the block needs is not there."""


class Sources:
    """The JSON files under `root`, read once each; `get(file, "a.b.0.c")` digs into one."""

    def __init__(self, root: Path = ROOT):
        self.root, self._cache = Path(root), {}

    def load(self, rel: str):
        if rel not in self._cache:
            path = self.root / rel
            try:
                self._cache[rel] = json.loads(path.read_text())
            except (OSError, ValueError):
                self._cache[rel] = None
        if self._cache[rel] is None:
            raise Missing(rel)
        return self._cache[rel]

    def has(self, rel: str) -> bool:
        try:
            self.load(rel)
            return True
        except Missing:
            return False

    def get(self, rel: str, path: str = ""):
        cur = self.load(rel)
        for part in [p for p in path.split(".") if p]:
            if isinstance(cur, dict):
                if part in cur:
                    cur = cur[part]
                    continue
                alt = {str(k): k for k in cur}.get(part)
                if alt is None:
                    raise Missing(f"{rel} {path}")
                cur = cur[alt]
            elif isinstance(cur, list) and re.fullmatch(r"-?\d+", part):
                try:
                    cur = cur[int(part)]
                except IndexError:
                    raise Missing(f"{rel} {path}") from None
            else:
                raise Missing(f"{rel} {path}")
        if cur is None:
            raise Missing(f"{rel} {path}")
        return cur

    def first(self, *candidates):
        """The first of several (file, path) pairs that is there (for keys that were renamed)."""
        for rel, path in candidates:
            try:
                return self.get(rel, path)
            except Missing:
                pass
        raise Missing(" or ".join(f"{rel} {path}" for rel, path in candidates))

    # shortcuts
    def numbers(self, rel: str, path: str = ""):
        """A notebook's measured numbers (results/NN_name.json holds them under 'numbers')."""
        return self.get(rel, "numbers" + ("." + path if path else ""))

    def sft_seeds(self) -> list[str]:
        return sorted(self.get(SEEDS, "results"), key=int)

    def rl_rows(self, rel: str = RL_SEEDS) -> list[dict]:
        rows = self.get(rel)
        if isinstance(rows, dict):  # tolerate {"results": [...]} or {"0": {...}}
            rows = rows.get("results", list(rows.values()))
        if not isinstance(rows, list) or not rows:
            raise Missing(rel)
        return rows

    def rl(self, rows: list[dict], path: str) -> list:
        """`path` in every seed's row of bench/rl_seeds.json."""
        return [dig(r, path, RL_SEEDS) for r in rows]


def dig(data, path: str, rel: str = "?"):
    """`Sources.get` for a structure already loaded."""
    cur = data
    for part in [p for p in path.split(".") if p]:
        if isinstance(cur, dict):
            key = part if part in cur else {str(k): k for k in cur}.get(part)
            if key is None:
                raise Missing(f"{rel} {path}")
            cur = cur[key]
        else:
            raise Missing(f"{rel} {path}")
    if cur is None:
        raise Missing(f"{rel} {path}")
    return cur


# --- formatting --------------------------------------------------------------------------------
def f2(x) -> str:
    return f"{float(x):.2f}"


def f3(x) -> str:
    return f"{float(x):.3f}"


def gain(x) -> str:
    return f"{float(x):+.2f}"


def secs(x) -> str:
    return f"{float(x):.0f} s"


def mb(x) -> str:
    return f"{float(x):.0f} MB"


def pct(x) -> str:
    x = 100 * float(x)
    return f"{x:.1f}%" if 0 < x < 10 else f"{x:.0f}%"


def lr(x) -> str:
    """5e-4, not 5e-04."""
    mant, exp = f"{float(x):.0e}".split("e")
    return f"{mant}e{int(exp)}"


def joined(xs, fmt=f3, sep=" / ") -> str:
    return sep.join(fmt(x) for x in xs)


def span(xs, fmt=f2) -> str:
    """'a' if all equal once formatted, else 'lo-hi'."""
    lo, hi = fmt(min(xs)), fmt(max(xs))
    return lo if lo == hi else f"{lo}-{hi}"


def steps_range(counts) -> str:
    counts = sorted(int(c) for c in counts)
    if counts == list(range(counts[0], counts[-1] + 1)) and len(counts) > 1:
        return f"{counts[0]}-{counts[-1]}"
    return ", ".join(map(str, counts))


def and_list(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- facts used in several places --------------------------------------------------------------
def sft_seed_label(s: Sources) -> str:
    try:
        return "seeds " + "/".join(s.sft_seeds())
    except Missing:
        return "seeds"


def rl_seed_label(s: Sources) -> str:
    try:
        return "seeds " + "/".join(str(r["seed"]) for r in s.rl_rows())
    except (Missing, KeyError):
        return "seeds"


def trained_counts(s: Sources) -> list[int]:
    return sorted(int(k) for k in s.first((SEEDS, "budget.train_problems"),
                                          (SEEDS, "budget.train_counts")))


def hard_counts(s: Sources) -> list[int]:
    return [c for c in trained_counts(s) if c >= 3]


def hard_label(s: Sources) -> str:
    try:
        return steps_range(hard_counts(s))
    except Missing:
        return "3+"


def trained_label(s: Sources) -> str:
    try:
        return steps_range(trained_counts(s))
    except Missing:
        return "trained"


def rl_budget(s: Sources) -> dict:
    """Lesson 3's GRPO budget as bench/rl_seeds.py recorded it (older files: notebook 03's)."""
    try:
        return dict(s.rl_rows()[0]["budget"])
    except (Missing, KeyError, TypeError):
        return {"updates": s.first((NB03, "numbers.rl_updates"), (NB03, "numbers.rl_steps"))}


def grpo_label(s: Sources) -> str:
    try:
        b = rl_budget(s)
    except Missing:
        return "GRPO phase"
    updates = b.get("updates", b.get("steps"))
    if "prompts_per_update" in b and "num_generations" in b:
        return (f"GRPO phase, {updates} updates of {b['prompts_per_update']} prompts x "
                f"{b['num_generations']} completions")
    return f"GRPO phase, {updates} updates"


def timing(s: Sources, rel: str, path: str, name: str, key: str):
    return s.get(rel, f"{path}.{name}.{key}" if path else f"{name}.{key}")


def lesson_names(prefixes=None) -> list[str]:
    return [n for n, _, _ in NOTEBOOKS if prefixes is None or n[:2] in prefixes]


# --- the Measured table ------------------------------------------------------------------------
@dataclass
class Row:
    what: str | Callable[[Sources], str]
    target: str  # the course's requirement (not a measurement)
    measured: Callable[[Sources], str]
    command: str
    optional: bool = False  # dropped when its files or keys are missing (else shown as missing)


def _cot_worst(s):
    return "worst " + joined(s.get(SEEDS, f"results.{k}.cot.min_heldout_trained") for k in s.sft_seeds())


def _ao_worst(s):
    return joined(s.get(SEEDS, f"results.{k}.answer_only.max_heldout_3plus") for k in s.sft_seeds())


def _ao_one(s):
    return joined(s.get(SEEDS, f"results.{k}.answer_only.heldout.1") for k in s.sft_seeds())


def _equal_tokens(s):
    e = s.numbers(NB02, "equal_tokens")
    hard = hard_counts(s)
    ao = sum(float(dig(e, f"answer_only.{k}", NB02)) for k in hard) / len(hard)
    cot = sum(float(dig(e, f"cot.{k}", NB02)) for k in hard) / len(hard)
    return (f"answer-only {f2(ao)} vs CoT {f2(cot)} at {float(e['tokens']) / 1e6:.2f} M tokens "
            f"(answer-only after {e['answer_only_updates']} updates)")


def _ao_train(s):
    ks = s.sft_seeds()
    train = joined((s.get(SEEDS, f"results.{k}.answer_only.train_3plus") for k in ks), f2)
    held = joined((s.get(SEEDS, f"results.{k}.answer_only.heldout_3plus") for k in ks), f2)
    return f"{train} (held-out: {held})"


def _longer_what(s):
    try:
        longer = s.numbers(NB02, "cot_heldout_accuracy_longer")
        return f"CoT on longer problems than trained ({and_list(sorted(longer, key=int))} steps), seed 0"
    except Missing:
        return "CoT on longer problems than trained, seed 0"


def _longer(s):
    longer = s.numbers(NB02, "cot_heldout_accuracy_longer")
    text = and_list(f2(longer[k]) for k in sorted(longer, key=int))
    try:
        text += f" (chance is 1/{s.numbers(NB00, 'distinct_answers')} = {f2(1 / s.numbers(NB00, 'distinct_answers'))})"
    except Missing:
        pass
    return text


def _price(s):
    t = s.numbers(NB02, "tokens_per_answer")
    text = (f"{float(t['chain-of-thought']):.1f} vs {float(t['answer-only']):.1f} "
            f"({float(s.numbers(NB02, 'token_ratio')):.1f}x)")
    try:
        longest = max(trained_counts(s))
        by = s.numbers(NB02, f"tokens_by_steps.chain-of-thought.{longest}")
        text += f"; {float(by):.0f} at {longest} steps"
    except Missing:
        pass
    return text


def _model(s):
    return (f"{int(s.numbers(NB00, 'model_parameters')):,} parameters, a vocabulary of "
            f"{s.numbers(NB00, 'vocab_size')} tokens")


def per_notebook(s: Sources, rel: str, path: str, key: str, names: list[str]) -> dict:
    """{notebook: value} for the notebooks `rel` has `key` for; Missing if it has none of them."""
    found = {}
    for n in names:
        try:
            found[n] = float(timing(s, rel, path, n, key))
        except (Missing, TypeError, ValueError):
            pass
    if not found:
        raise Missing(f"{rel} {path + '.' if path else ''}NOTEBOOK.{key}")
    return found


def listed(s: Sources, rel: str, path: str, key: str, names: list[str], fmt, sep=", ") -> str:
    """One figure per notebook, in order; a notebook missing from `rel` says so."""
    found = per_notebook(s, rel, path, key, names)
    return sep.join(fmt(found[n]) if n in found else f"not measured ({n[:2]})" for n in names)


def _full_times(prefixes):
    def measured(s):
        return listed(s, TIMINGS, "", "wall_s", lesson_names(prefixes), secs)
    return measured


def _smoke_times(s):
    return listed(s, REPORT, "notebooks_smoke", "wall_s", lesson_names(), secs)


def _peaks(s):
    full = listed(s, TIMINGS, "", "peak_rss_mb", lesson_names(), mb, " / ")
    text = f"full: {full}"
    try:
        smoke = per_notebook(s, REPORT, "notebooks_smoke", "peak_rss_mb", lesson_names())
        text += f"; smoke: at most {mb(max(smoke.values()))}"
        if len(smoke) < len(lesson_names()):
            text += f" ({', '.join(n[:2] for n in lesson_names() if n not in smoke)} not measured)"
    except Missing:
        pass
    return text


def _rl_format(s):
    rows = s.rl_rows()
    return (joined(s.rl(rows, "before.format_rate")) + " → " + joined(s.rl(rows, "after.format_rate")))


def _rl_gain(key):
    def measured(s):
        return joined(s.rl(s.rl_rows(), key), gain)
    return measured


def _greedy_what(s):
    try:
        longest = max(int(k) for k in s.rl_rows()[0]["after"]["greedy_by_steps"])
        return f"R1-Zero: greedy accuracy at {longest} steps (the longest) gain, {rl_seed_label(s)}"
    except (Missing, KeyError, ValueError):
        return f"R1-Zero: greedy accuracy at the longest step count gain, {rl_seed_label(s)}"


def _grpo_time(s):
    text = joined(s.rl(s.rl_rows(), "rl_seconds"), secs)
    try:
        text += f" ({secs(s.numbers(NB03, 'rl_seconds'))} in chain-world notebook 03's run, with snapshots and a live plot)"
    except Missing:
        pass
    return text


def _grpo_speed(s):
    rows = s.rl_rows()
    per_update = [r.get("seconds_per_update", r.get("seconds_per_step")) for r in rows]
    if None in per_update:
        raise Missing(f"{RL_SEEDS} seconds_per_update")
    share = span([100 * x for x in s.rl(rows, "generation_share")], lambda x: f"{x:.0f}")
    return (f"{span(per_update)} s/update, {span(s.rl(rows, 'completions_per_second'), lambda x: f'{x:.0f}')} "
            f"completions/s, {share}% of the GRPO phase generating")


def _pretrain(s):
    return (f"{secs(s.get(BASE_CARD, 'pretrain_seconds'))} "
            f"({s.first((BASE_CARD, 'updates'), (BASE_CARD, 'steps'))} updates)")


def _sft_speed(s):
    t = s.get(REPORT, "sft_throughput")
    text = (f"{float(t['trl_tokens_per_s']) / 1000:.1f}k vs {float(t['plain_tokens_per_s']) / 1000:.1f}k "
            f"tokens/s: {float(t['ratio_trl_over_plain']):.2f}x")
    if "ratio_by_round" in t:
        text += f" (median of {' / '.join(f'{r:.2f}' for r in t['ratio_by_round'])}, trl and plain in turn)"
    return text


def _test_command(s):
    t = s.get(REPORT, "test_command")
    return f"{secs(t['seconds'])} (exit {t['returncode']}, commit {str(t.get('commit', '?'))[:7]})"


def _lesson8(arm: str, effect: str):
    def cell(s):
        acc, e = s.get(LESSON8_SEEDS, "accuracy"), s.get(LESSON8_SEEDS, "effects")[effect]
        base = {"sft_over_stand_in": "stand_in", "grpo_over_sft": "sft_full", "lora_over_full_sft": "sft_full"}[effect]
        return (f"{joined(acc[base], f2)} → {joined(acc[arm], f2)} (per seed {joined(e['diffs'], gain)}, seed "
                f"spread {e['spread']:.2f}: {'beyond' if e['exceeds'] else 'within'} it)")
    return cell


def _lesson8_what(what: str):
    def label(s):
        st = s.get(LESSON8_SEEDS, "settings")
        return (f"Lesson 8, offline stand-in, held-out accuracy by math-verify ({st['test_rows']} stories), "
                + what.format(**st, full_lr=st["sft_lr"]["full"], lora_lr=st["sft_lr"]["lora"])
                + ", seeds 0 / 1 / 2")
    return label


def _profile_split(v):
    return ", ".join(f"{k} {v['split_s'][k]:.2f} s" for k in ("generate", "forward", "backward")) \
        + f", the rest {v['split_s']['rewards'] + v['split_s']['other']:.2f} s"


def _speedup(s):
    """The median of the per-round before/after ratios, and the rounds."""
    rounds = s.get(GRPO_PROFILE, "speedup_by_round")
    return (f"**{s.get(GRPO_PROFILE, 'speedup'):.2f}x** (median over rounds: "
            f"{' / '.join(f'{r:.2f}' for r in rounds)})")


def _grpo_profile(s):
    variants = {v["variant"]: v for v in s.get(GRPO_PROFILE, "variants")}
    try:
        base, course = variants["baseline"], variants["course"]
    except KeyError as e:
        raise Missing(f"{GRPO_PROFILE} variant {e}") from None
    names = {"threads1": "1 torch thread", "microbatch1": "1 micro-batch", "eager": "eager attention",
             "sampler": "the sampler alone", "shared_prefix": "the shared prefix alone"}
    others = "; ".join(f"{names[k]} {v['s_per_update']:.2f} s" for k, v in variants.items() if k in names)
    return (f"before (trl as it comes) {base['s_per_update']:.2f} s/update, "
            f"{base['completions_per_s']:.0f} completions/s ({_profile_split(base)}); after (the "
            f"course's sampler and shared prefix) {course['s_per_update']:.2f} s/update, "
            f"{course['completions_per_s']:.0f} completions/s ({_profile_split(course)}); "
            f"speed-up {_speedup(s)}; {others}")


def _recipe(s):
    return s.rl_rows(RECIPE_SEEDS)


def _recipe_label(s):
    return f"seeds {'/'.join(str(r['seed']) for r in _recipe(s))}"


def _recipe_pairs(a: str, b: str, key, fmt=f2):
    def measured(s):
        rows = _recipe(s)
        get = key if callable(key) else (lambda r: r[key])
        return (f"{joined((get(r['rows'][a]) for r in rows), fmt)} vs "
                f"{joined((get(r['rows'][b]) for r in rows), fmt)}")
    return measured


def _recipe_reach(s):
    rows = _recipe(s)
    n = lambda r, k: r["updates_to_reach"][k]
    return (f"stage 2 {joined((n(r, 'stage 2: reasoning RL') for r in rows), str)} vs R1-Zero "
            f"{joined((n(r, 'R1-Zero (3)') for r in rows), str)} updates (R1-Zero's final level "
            f"{joined((r['r1_zero_final_train_accuracy'] for r in rows), f2)})")


def _recipe_language(s):
    rows = _recipe(s)
    p = lambda r, k: _steps_mean(r["rows"][k]["pass1_by_steps"], (1, 2, 3, 4))
    w, wo = "stage 2: reasoning RL", "stage 2 without language reward"
    return (f"pass@1 at 1-4 steps {joined((p(r, w) - p(r, wo) for r in rows), gain)}; consistency "
            f"{joined((r['rows'][w]['consistency'] - r['rows'][wo]['consistency'] for r in rows), gain)}")


def _language_from_r1_zero(s):
    e = s.get(LANGUAGE_SEEDS, "effect")
    part = lambda k: (f"{k} {joined(e[k]['diffs'], gain)} (mean {gain(e[k]['mean'])}, seed spread "
                      f"{e[k]['spread']:.3f}: {'beyond' if e[k]['exceeds'] else 'within'} it)")
    return part("consistency") + "; " + part("pass1").replace("pass1", "pass@1 at 1-4 steps")


def _keep_longer(s):
    summary, effect = s.get(KEEP_LONGER, "summary"), s.get(KEEP_LONGER, "effect_on_pass1_5_6")
    lesson = f"the lesson's stage 1 {joined(summary['lesson']['pass@1 5-6'], f2)}"
    arms = [f"{a} {joined(summary[a]['pass@1 5-6'], f2)} ({'beyond' if e['exceeds'] else 'within'} the seed "
            f"spread {e['spread']:.2f})" for a, e in effect.items()]
    return lesson + "; " + "; ".join(arms)


def _recipe_seconds(s):
    rows = _recipe(s)
    # R1-Zero's time is 0 when the bench loaded it (bench/rl_seeds.py --save) instead of training it
    keys = [k for k in rows[0]["seconds"] if any(r["seconds"][k] >= 1 for r in rows)]
    text = "; ".join(f"{k} {joined((r['seconds'][k] for r in rows), lambda x: f'{x:.0f}')} s" for k in keys)
    if len(keys) < len(rows[0]["seconds"]):
        text += " (R1-Zero loaded from `bench/rl_seeds.py --save`, its GRPO time is in that row)"
    return text


def _recipe_cold(s):
    rows = _recipe(s)
    return (f"R1-Zero's samples kept {joined((r['cold_start']['acceptance'] for r in rows), f2)} "
            f"({joined((r['cold_start']['samples_per_kept'] for r in rows), lambda x: f'{x:.1f}')} samples "
            f"per kept example); stage 2's {joined((r['second_round']['acceptance'] for r in rows), f2)}")


_FINAL, _R1Z, _COT, _S1 = "stage 4: final RL", "R1-Zero (3)", "CoT SFT (2)", "stage 1: cold-start SFT"


def _l6(key):
    def measured(s):
        runs = s.numbers(NB06, "runs")
        return "; ".join(f"{n} {f2(r['summary'][key])}" for n, r in runs.items())
    return measured


def _l6_speed(s):
    runs = s.numbers(NB06, "runs")
    return "; ".join(f"{n} {r['seconds_per_update']:.2f} s, {r['completions_per_second']:.0f}/s"
                     for n, r in runs.items() if n in s.numbers(NB06, "algorithms"))


def _l6_memory(s):
    runs = s.numbers(NB06, "runs")
    updates = s.numbers(NB06, "budget")["updates"]
    peak = {r["run"]: r["peak_mb"] for r in s.get(RL_ALGORITHMS, "rows") if r["seed"] == 0 and r["updates"] == updates}
    return "; ".join(f"{n} {r['state_mb']['total']:.1f} MB" + (f" ({peak[n]:.0f} MB)" if n in peak else "")
                     for n, r in runs.items() if n in s.numbers(NB06, "algorithms"))

def _pr(d: dict) -> str:
    """'precision / recall' of verifiers.precision_recall ('–' for a precision of nothing accepted)."""
    return f"{f2(d['precision']) if d['precision'] is not None else '–'} / {f2(d['recall'])}"


def _l7_seeds(s) -> list[tuple[str, dict]]:
    return sorted(s.get(VERIFIER_SEEDS, "seeds").items(), key=lambda kv: int(kv[0]))


def _l7_obeys(s):
    fused, before = s.numbers(NB07, "fused"), s.numbers(NB07, "before_fusion")
    mean = lambda d: sum(d.values()) / len(d)  # noqa: E731
    return (f"/think {f2(fused['think']['mean_obeys'])}, /no_think {f2(fused['no_think']['mean_obeys'])} "
            f"(before {f2(mean(before['think']['obeys']))} and {f2(mean(before['no_think']['obeys']))})")


def _l7_checkers(s):
    c = s.numbers(NB07, "checkers")["all"]
    text = f"rule {_pr(c['rule'])}; learned {_pr(c['learned'])}"
    try:
        text += "; learned, seeds " + ", ".join(_pr(r["verifier"]) for _, r in _l7_seeds(s))
    except Missing:
        pass
    return text


def _l7_hacking(s):
    parts = []
    for judge in ("rule", "learned", "gated", "hardened"):
        cells = [f"{r['hacking'][judge]['first']['judged']:.2f}→{r['hacking'][judge]['last']['judged']:.2f} / "
                 f"{r['hacking'][judge]['first']['true_accuracy']:.2f}→{r['hacking'][judge]['last']['true_accuracy']:.2f}"
                 for _, r in _l7_seeds(s) if judge in r["hacking"]]
        parts.append(f"{judge}: " + ", ".join(cells))
    return "; ".join(parts)


def _l7_process(s):
    return "; ".join(f"{name}: " + ", ".join(f"{r['process'][name]['unfaithful_rate']:.3f}" for _, r in _l7_seeds(s))
                     for name in ("outcome", "process"))



def _nb_seeds(s) -> str:
    return "seeds " + "/".join(str(r["seed"]) for r in s.get(NUMBERS_RL, "seeds"))


def _nb_pretrain(s):
    a, b = s.get(NUMBERS_BASE), s.get(NUMBERS_BASE_NB)
    return (f"{secs(a['pretrain_seconds'])} / {secs(b['pretrain_seconds'])} ({a['updates']} updates of "
            f"{a['batch_size']} x {a['tokens_per_page']} tokens, {a['parameters']:,} parameters)")


def _nb_bar(s):
    d = s.get(NUMBERS_BASE, "diagnostic")
    return "; ".join(f"level {lv}: {f3(x['arithmetic'])} / {f3(x['verdicts'])} (reward when searching "
                     f"{f3(x['reward_searching'])}, when giving up {f3(x['reward_gave_up'])})" for lv, x in d.items())


def _nb_gain(arm: str):
    def cell(s):
        rows = s.get(NUMBERS_RL, "seeds")
        e = s.get(NUMBERS_RL, f"effects.{arm}_gain")
        return (f"{joined([r[arm]['pass1_before'] for r in rows])} → {joined([r[arm]['pass1_after'] for r in rows])} "
                f"(per seed {joined(e['diffs'], gain)}; mean {gain(e['mean'])}, seed spread {f3(e['spread'])}: "
                f"{'beyond' if e['exceeds'] else 'within'} it)")
    return cell


def _nb_curve(s):
    rows = s.get(NUMBERS_RL, "seeds")
    return (f"{joined([r['backtrack']['curve']['spearman'] for r in rows], f2)}; tokens "
            f"{joined([r['backtrack']['tokens_before'] for r in rows], lambda x: f'{x:.0f}')} → "
            f"{joined([r['backtrack']['tokens_after'] for r in rows], lambda x: f'{x:.0f}')}")


def _nb_decide(s):
    d = s.get(NUMBERS_RL, "effects.behaviours_decide")
    return (f"without {joined(d['gains']['no_backtrack'], gain)} vs with {joined(d['gains']['backtrack'], gain)}: "
            f"{'at most half on every seed' if d['at_most_half_on_every_seed'] else 'not at most half on every seed'}")


def _nb_reach(s):
    w = s.get(NUMBERS_RL, "wide")
    def note(lv):
        if max(w["pass_at_k"]["base"][lv]["256"], w["pass_at_k"]["rl"][lv]["256"]) == 0:
            return "a floor: no result"
        return f"the curves {'cross' if w['crosses'][lv]['cross'] else 'do not cross'}"
    return "; ".join(f"level {lv}: base {f2(w['pass_at_k']['base'][lv]['256'])}, RL {f2(w['pass_at_k']['rl'][lv]['256'])}"
                     f" ({note(lv)})" for lv in w["pass_at_k"]["base"])


MEASURED = [
    Row(lambda s: f"CoT SFT, held-out greedy exact match at every trained step count "
                  f"({trained_label(s)}), {sft_seed_label(s)}",
        "≥ 0.95, 3 of 3", _cot_worst, "`bench/seeds.py`"),
    Row(lambda s: f"Answer-only SFT (its own budget, a fair baseline), held-out at 1 step, "
                  f"{sft_seed_label(s)}",
        "≥ 0.85, 3 of 3", _ao_one, "`bench/seeds.py`"),
    Row(lambda s: f"Answer-only SFT, held-out at {hard_label(s)} steps (worst step "
                  f"count), {sft_seed_label(s)}",
        "≤ 0.40", _ao_worst, "`bench/seeds.py`"),
    Row(lambda s: f"Answer-only on its own training problems at {hard_label(s)} steps (mean), "
                  f"{sft_seed_label(s)}",
        "report it", _ao_train, "`bench/seeds.py`"),
    Row(lambda s: f"At equal tokens (CoT's whole run), held-out at {hard_label(s)} steps (mean), seed 0",
        "report it", _equal_tokens, "notebook 02"),
    Row(_longer_what, "report it", _longer, "notebook 02"),
    Row("Price of CoT: tokens generated per answer, seed 0", "report it", _price, "notebook 02"),
    Row("The model (tiny Llama, trained from scratch)", "report it", _model, "notebook 00"),
    *[Row(f"Notebook wall time, full mode ({', '.join(p)})", target,
          _full_times(p), "`scripts/run_notebooks.py --reference`")
      for p, target in NOTEBOOK_TIME_TARGETS],
    Row("Notebook wall time, smoke mode", "≤ 60 s", _smoke_times, "`bench/benchmark.py`"),
    Row("Peak memory of a notebook's kernel", "< 1.5 GB", _peaks,
        "`scripts/run_notebooks.py --reference`, `bench/benchmark.py`"),
    Row(lambda s: f"R1-Zero from the shipped base, {rl_seed_label(s)}: format rate before → after",
        "< 0.8 → ≥ 0.95", _rl_format, "`bench/rl_seeds.py`"),
    Row(lambda s: f"R1-Zero: sampled pass@1 (mean over step counts) gain, {rl_seed_label(s)}",
        "≥ +0.25", _rl_gain("pass1_gain"), "`bench/rl_seeds.py`"),
    Row(_greedy_what, "≥ +0.20", _rl_gain("greedy_longest_gain"), "`bench/rl_seeds.py`"),
    Row(lambda s: f"{grpo_label(s)}, {rl_seed_label(s)}", "≤ 180 s (a goal; times scale with the machine)", _grpo_time, "`bench/rl_seeds.py`"),
    Row("GRPO speed", "report it", _grpo_speed, "`bench/rl_seeds.py`"),
    Row("Pretraining the base model (a maintainer's one-off: lessons start from the shipped model)",
        "≤ 600 s (set for a corpus with every question in symbols)", _pretrain,
        "`scripts/pretrain_base.py`"),
    Row(_lesson8_what("SFT ({sft_updates} updates, full, lr {full_lr:g}) from the stand-in"), "≥ 0.5 after SFT",
        _lesson8("sft_full", "sft_over_stand_in"), "`bench/lesson8_seeds.py`", optional=True),
    Row(_lesson8_what("GRPO ({rl[updates]} updates, lr {rl[lr]:g}, math-verify's reward) after SFT"), "report it",
        _lesson8("grpo", "grpo_over_sft"), "`bench/lesson8_seeds.py`", optional=True),
    Row(_lesson8_what("SFT with LoRA (r=16, lr {lora_lr:g}) against full fine-tuning (lr {full_lr:g}), same budget"),
        "report it", _lesson8("sft_lora", "lora_over_full_sft"), "`bench/lesson8_seeds.py`", optional=True),
    Row(lambda s: f"A GRPO update of lesson 3 (8 x 8 completions, up to 96 new tokens), before and "
                  f"after the course's speed-ups, in one run (medians of "
                  f"{s.get(GRPO_PROFILE, 'variants')[0]['updates_timed']} updates each, the variants "
                  f"interleaved), and other settings of the stack",
        "≤ 0.4 s/update on the machine where it took 0.76-0.84 s (issue 9); here: half the time of before",
        _grpo_profile, "`bench/grpo_profile.py`", optional=True),
    Row("Lesson 3 (numbers game), pretraining each base (a maintainer's one-off), with / without backtracking",
        "≤ 1800 s each", _nb_pretrain, "`scripts/pretrain_numbers_base.py`", optional=True),
    Row("Lesson 3 (numbers game), the base before RL: a step's arithmetic / a check's verdict right, "
        "levels 3 and 4 (the bar RL needs)", "≥ 0.98 / ≥ 0.99", _nb_bar, "`scripts/pretrain_numbers_base.py`",
        optional=True),
    Row(lambda s: f"Lesson 3 (numbers game), R1-Zero: held-out pass@1 at level 3 (the RL prompts' level) before → after "
                  f"{s.get(NUMBERS_RL, 'seeds')[0]['budget']['updates']} GRPO updates, {_nb_seeds(s)}",
        "≥ +0.35 on every seed", _nb_gain("backtrack"), "`bench/numbers_rl_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 3 (numbers game), R1-Zero's curve: Spearman correlation of training reward and "
                  f"mean length over the run; mean length before → after, {_nb_seeds(s)}",
        "≥ 0.7 on every seed", _nb_curve, "`bench/numbers_rl_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 3 (numbers game), behaviours decide: pass@1 gained from the base without "
                  f"backtracking, against the gain with it, {_nb_seeds(s)}",
        "≤ half on every seed", _nb_decide, "`bench/numbers_rl_seeds.py`", optional=True),
    Row("Lesson 3 (numbers game), reach: pass@256 of the base and of the seed-0 RL model, 20 held-out "
        "problems per level", "< 0.9 for the base on the hardest level", _nb_reach, "`bench/numbers_rl_seeds.py`",
        optional=True),
    Row(lambda s: f"Lesson 4, the final model vs R1-Zero: language consistency, {_recipe_label(s)}",
        "≥ 0.95 and above R1-Zero's", _recipe_pairs(_FINAL, _R1Z, "consistency"),
        "`bench/recipe_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 4, the final model vs R1-Zero: readability, {_recipe_label(s)}",
        "above R1-Zero's", _recipe_pairs(_FINAL, _R1Z, "readability"), "`bench/recipe_seeds.py`",
        optional=True),
    Row(lambda s: f"Lesson 4, the final model vs CoT SFT (lesson 2): sampled pass@1 at 5-6 steps, {_recipe_label(s)}",
        "above CoT SFT's, or fewer tokens (next row)",
        _recipe_pairs(_FINAL, _COT, lambda r: _steps_mean(r["pass1_by_steps"], (5, 6))),
        "`bench/recipe_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 4, the final model vs CoT SFT: tokens per answer, {_recipe_label(s)}",
        "report it", _recipe_pairs(_FINAL, _COT, "tokens", lambda x: f"{x:.1f}"),
        "`bench/recipe_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 4, general requests: the final model vs stage 1, {_recipe_label(s)}",
        "≥ stage 1's", _recipe_pairs(_FINAL, _S1, "general"), "`bench/recipe_seeds.py`",
        optional=True),
    Row(lambda s: f"Lesson 4, RL updates to reach R1-Zero's final training accuracy, {_recipe_label(s)}",
        "fewer from the cold start", _recipe_reach, "`bench/recipe_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 4, what the language reward costs and buys (stage 2 with minus without), {_recipe_label(s)}",
        "report it", _recipe_language, "`bench/recipe_seeds.py`", optional=True),
    Row("Lesson 4, the language reward where it can act: stage 2 from R1-Zero, with minus without "
        "(weight 0.5 vs 0), seeds 0 / 1 / 2", "report it", _language_from_r1_zero,
        "`bench/language_reward_seeds.py`", optional=True),
    Row(lambda s: "Lesson 4, what keeps the 5-6 step problems through the cold start: sampled pass@1 at 5-6 "
                  "steps after stage 1, the last arm after stage 2 on 1-6 step prompts (the base, its own prompt: greedy "
                  f"{_steps_mean(s.get(KEEP_LONGER, 'base_own_prompt_greedy'), ('5', '6')):.2f}), seeds 0 / 1 / 2",
        "report it", _keep_longer,
        "`bench/keep_longer_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 4, rejection sampling acceptance, {_recipe_label(s)}", "report it",
        _recipe_cold, "`bench/recipe_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 4, each stage's time, {_recipe_label(s)}", "report it", _recipe_seconds,
        "`bench/recipe_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 6, held-out pass@1 at 1-4 steps after {s.numbers(NB06, 'budget')['updates']} updates "
                  "(seed 0, notebook 06)", "report it", _l6("pass@1 right 1-4"), "notebook 06", optional=True),
    Row("Lesson 6, seconds per update and completions sampled per second (seed 0, notebook 06)", "report it",
        _l6_speed, "notebook 06", optional=True),
    Row("Lesson 6, training state counted (float32 AdamW: policy, reference, value model) and the "
        "process's peak (seed 0)", "report it", _l6_memory, "notebook 06, `bench/rl_algorithms.py`",
        optional=True),
    Row("Lesson 7, the fused model follows the switch: share of held-out completions (1-6 steps) that "
        "obey /think and /no_think, after fusion (before: lesson 4's final model), seed 0", "report it",
        _l7_obeys, "notebook 07", optional=True),
    Row("Lesson 7, the rule checker vs the learned verifier on held-out answers in three forms "
        "(plain, sentence, words): precision / recall, seed 0 and the bench's seeds", "report it", _l7_checkers,
        "notebook 07, `bench/verifier_seeds.py`", optional=True),
    Row(lambda s: f"Lesson 7, RL against each judge on /no_think prompts ({s.get(VERIFIER_SEEDS, 'hack_updates')} "
                  "updates): the judge's reward and the true accuracy, first → last 10% of the updates, seeds",
        "report it", _l7_hacking, "`bench/verifier_seeds.py`", optional=True),
    Row("Lesson 7, unfaithful thoughts (right answer, a wrong or missing step) per right answer, outcome-only "
        "RL vs the process reward added, seeds", "report it", _l7_process, "`bench/verifier_seeds.py`",
        optional=True),
    Row("SFT tokens/s, trl SFTTrainer vs a plain PyTorch loop (same model, batches)", "≥ 0.7x",
        _sft_speed, "`bench/benchmark.py --skip-notebooks`"),
    Row("README test command on a fresh clone (setup included)", "< 12 min", _test_command,
        "`bench/benchmark.py --test-command`", optional=True),
]


# --- the blocks --------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _try(fn, s, fallback=None):
    try:
        return fn(s)
    except Missing as e:
        return fallback if fallback is not None else f"(missing: {e})"
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as e:
        return fallback if fallback is not None else f"(missing: {type(e).__name__} {e})"


def block_measured(s: Sources) -> str:
    lines = ["| what | target | measured | command |", "|---|---|---|---|"]
    for row in MEASURED:
        what = row.what if isinstance(row.what, str) else _try(row.what, s)
        try:
            measured = row.measured(s)
        except (Missing, KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as e:
            if row.optional:
                continue
            measured = f"(missing: {e})"
        lines.append(f"| {_cell(what)} | {_cell(row.target)} | {_cell(measured)} | {row.command} |")
    return "\n".join(lines)


def _machine_of_timings(s: Sources) -> str | None:
    machines = sorted({str(v["machine"]) for v in _mapping(s, TIMINGS).values()
                       if isinstance(v, dict) and v.get("machine")})
    if machines:
        return " and ".join(machines)
    found = sorted({_try(lambda s, n=n: s.get(f"results/{n}.json", "machine"), s, "")
                    for n in lesson_names()} - {""})
    return " and ".join(found) or None


def _mapping(s: Sources, rel: str) -> dict:
    try:
        data = s.get(rel)
        return data if isinstance(data, dict) else {}
    except Missing:
        return {}


def block_machine(s: Sources) -> str:
    """Where the figures come from, and how to scale the times to another machine."""
    parts = []
    try:
        bench = s.get(REPORT, "machine")
        extra = [x for x in (_try(lambda s: s.get(REPORT, "cpu"), s, ""),
                             _try(lambda s: f"{s.get(REPORT, 'sft_throughput.threads')} torch threads", s, ""))
                 if x]
        if "gpu" in _mapping(s, REPORT):
            extra.append(f"GPU: {_mapping(s, REPORT)['gpu'] or 'none'}")
        date = _try(lambda s: f", {s.get(REPORT, 'date')}", s, "")
        parts.append(f"The benchmark (`{REPORT}`{date}) ran on {bench}"
                     + (f" ({'; '.join(extra)})" if extra else "") + ".")
    except Missing:
        parts.append(f"`{REPORT}` is missing: run `bench/benchmark.py`.")
    ref = _machine_of_timings(s)
    if ref:
        parts.append(f"The reference run of the notebooks (`results/`) ran on {ref}; "
                     "every figure below comes from the JSON file its command writes.")
    speed = None
    try:
        speed = s.first((REPORT, "machine_speed.plain_sft_tokens_per_s"),
                        (REPORT, "sft_throughput.plain_tokens_per_s"))
    except Missing:
        pass
    if speed is not None:
        text = (f"Times scale with the machine: on this one a plain PyTorch training loop of the "
                f"course's model runs at {float(speed) / 1000:.1f}k tokens/s (`bench/benchmark.py`)")
        try:
            nb = s.numbers(NB00, "train_tokens_per_s")
            text += (f", and notebook 00 measured {float(nb) / 1000:.1f}k tokens/s "
                     "(`train_tokens_per_s`; run it to measure yours)")
        except Missing:
            pass
        parts.append(text + ": on a machine k times faster, expect about 1/k of the times.")
    return "\n".join(parts)


def block_notebooks(s: Sources) -> str:
    lines = ["| # | notebook | what it measures | run time (full / smoke) | peak memory (full / smoke) |",
             "|---|---|---|---|---|"]
    for name, title, what in NOTEBOOKS:
        def pair(key, fmt):
            full = _try(lambda s: fmt(timing(s, TIMINGS, "", name, key)), s, "not measured")
            smoke = _try(lambda s: fmt(timing(s, REPORT, "notebooks_smoke", name, key)), s, "not measured")
            return f"{full} / {smoke}"
        lines.append(f"| {int(name[:2])} | [{title}](notebooks/{name}.ipynb) | {what} | "
                     f"{pair('wall_s', secs)} | {pair('peak_rss_mb', mb)} |")
    ref = _machine_of_timings(s)
    bench = _try(lambda s: s.get(REPORT, "machine"), s, "")
    lines.append("")
    lines.append(f"Full mode: the reference run (`{TIMINGS}`" + (f", {ref}" if ref else "")
                 + f"); smoke mode: the benchmark (`{REPORT}`" + (f", {bench}" if bench else "")
                 + "). Times scale with the machine: see Measured.")
    return "\n".join(lines)


def block_binder(s: Sources) -> str:
    peaks = per_notebook(s, TIMINGS, "", "peak_rss_mb", lesson_names())
    top = max(peaks, key=peaks.get)
    text = (f"The largest peak memory of a notebook's kernel in the reference run is {mb(peaks[top])} "
            f"(notebook {top[:2]}; `{TIMINGS}`)")
    try:
        smoke = per_notebook(s, REPORT, "notebooks_smoke", "peak_rss_mb", lesson_names())
        text += f"; in smoke mode, at most {mb(max(smoke.values()))} (`{REPORT}`)"
    except Missing:
        pass
    return text + "."


def block_lr_sweep(s: Sources) -> str:
    cot = {float(r["lr"]): r for r in s.get(LR_SWEEP, "cot")}
    seed0 = s.get(SEEDS, "results.0.cot")  # the course's own setting, seed 0
    cot.setdefault(float(seed0["lr"]), seed0)
    course = {k: float(v) for k, v in s.get(SEEDS, "budget.lr").items()}
    updates = s.get(SEEDS, "budget.updates")
    cot_text = ", ".join(f"{f3(cot[k]['min_heldout_trained'])} at {lr(k)}" for k in sorted(cot))
    text = (f"The learning rates: chain of thought's held-out accuracy at its worst trained step count "
            f"was {cot_text} (`bench/lr_sweep.py`, `bench/seeds.py`, seed 0). Answer-only gets the "
            f"budget it needs to learn 1-step problems, lesson 1's fair baseline")
    try:
        runs = s.get(AO_TRIALS, "runs")
        by = {}
        for r in runs:
            by.setdefault((float(r["lr"]), r["schedule"], int(r.get("warmup_updates", 200)),
                           int(r.get("seed", 0))), []).append(r)
        trials = "; ".join(
            f"{lr(k[0])} ({k[1].replace('_', ' ')}, {k[2]} warmup updates, seed {k[3]}): " + ", ".join(
                f"{f2(dig(r, 'heldout_accuracy.1', AO_TRIALS))} after {r['updates']}"
                for r in rows if int(r["updates"]) % 1000 == 0 or r is rows[-1])
            for k, rows in by.items())
        text += f" (held-out accuracy at 1 step in `{AO_TRIALS}`: {trials})"
    except (Missing, KeyError, TypeError, ValueError):
        pass
    warm = s.get(SEEDS, "budget.warmup_updates")
    return (text + f". The course uses {lr(course['answer_only'])} for {updates['answer_only']} updates "
            f"({warm['answer_only']} of them warmup) for answer-only, the setting that learned 1-step "
            f"problems on every seed in `bench/seeds.py`, and {lr(course['cot'])} for {updates['cot']} "
            f"updates for chain of thought.")


def _notation(row: dict) -> tuple[str, float]:
    t = row["after"]["thoughts"]
    return ("words", t["words"]) if t["words"] >= t["symbols"] else ("symbols", t["symbols"])


def block_lesson3(s: Sources) -> str:
    bullets = []
    # before and after
    rows = _try(lambda s: s.rl_rows(), s, [])
    before = (f"**Before RL** the shipped base model, under the template, tags "
              f"{_try(lambda s: pct(s.numbers(NB03, 'format_rate.before')), s)} of its samples "
              f"properly (seed 0, chain-world notebook 03")
    if rows:
        before += _try(lambda s: f"; {span(s.rl(rows, 'before.format_rate'), pct)} over the seeds of "
                                 f"`bench/rl_seeds.py`", s, "")
    before += (f") and puts the right number somewhere in its output "
               f"{_try(lambda s: pct(s.numbers(NB03, 'loose_pass1.before')), s)} of the time (loose pass@1)")
    before += _try(lambda s: (
        f"; with a short prompt its greedy accuracy is "
        f"{span(list(s.get(BASE_CARD, 'short_prompt_greedy_by_steps').values()))} at "
        f"{steps_range(s.get(BASE_CARD, 'short_prompt_greedy_by_steps'))} steps (`{BASE_CARD}`)"), s, "")
    updates = _try(lambda s: rl_budget(s).get("updates", rl_budget(s).get("steps")), s, "")
    after = (f". **After {updates} GRPO updates** (seed 0, chain-world notebook 03): format "
             f"{_try(lambda s: f2(s.numbers(NB03, 'format_rate.after')), s)}, pass@1 "
             f"{_try(lambda s: f2(s.numbers(NB03, 'pass1.after')), s)}")
    if rows:
        after += _try(lambda s: (
            f", greedy {joined(dig(rows[0], 'after.greedy_by_steps').values(), f2)} at "
            f"{steps_range(dig(rows[0], 'after.greedy_by_steps'))} steps (`bench/rl_seeds.py`, seed "
            f"{rows[0]['seed']})"), s, "")
        after += _try(lambda s: (
            f". Pass@1 after RL over {rl_seed_label(s)}: {joined(s.rl(rows, 'after.pass1'))} "
            f"(a spread of {f3(max(s.rl(rows, 'after.pass1')) - min(s.rl(rows, 'after.pass1')))})"), s, "")
    bullets.append(before + after + ".")
    # elicitation, and lengths longer than the RL prompts
    try:
        short = s.numbers(NB03, "base_short_prompt_greedy_by_steps")
        longer = s.numbers(NB03, "longer_greedy_by_steps.after")
        ks = sorted(longer, key=int)
        bullets.append(
            f"**What RL added**: under its own short prompt the base model's greedy accuracy was "
            f"already {joined((short[k] for k in sorted(short, key=int)), f2)} at "
            f"{steps_range(short)} steps (chain-world notebook 03); RL brought that out under the template and "
            f"the tags, it did not teach arithmetic. On problems longer than the RL prompts, greedy "
            f"after RL: {and_list(f'{f2(longer[k])} at {k} steps' for k in ks)}, against the base "
            f"model's short-prompt {and_list(f2(short[k]) for k in ks)}.")
    except (Missing, KeyError, TypeError):
        pass
    try:
        g = s.numbers(NB03, "grpo_by_hand")
        bullets.append(
            f"**GRPO by hand** (chain-world notebook 03, from trl's public outputs): loss after one update "
            f"{g['loss_update1']['mine']:.6f} (trl {g['loss_update1']['trl']:.6f}), after the second, "
            f"clipping at work, {g['loss_update2']['mine']:.6f} (trl {g['loss_update2']['trl']:.6f}); "
            f"tokens whose gradient the clip removed {f3(g['clipped_update2']['mine'])} (trl "
            f"{f3(g['clipped_update2']['trl'])}).")
    except (Missing, KeyError, TypeError):
        pass
    # the downsides
    try:
        b, a = s.numbers(NB03, "thoughts.before"), s.numbers(NB03, "thoughts.after")
        text = (f"**The downsides** (`lessons_lib/thoughts.py`), before → after, seed 0: loops "
                f"{f3(b['loops'])} → {f3(a['loops'])}, mixed notations {f3(b['mixed'])} → "
                f"{f3(a['mixed'])}, readability {f2(b['readability'])} → {f2(a['readability'])}, "
                f"no working {f3(b['no_steps'])} → {f3(a['no_steps'])}.")
        if "consistency" in a and "consistency" in b:
            text += (f" Steps in the question's notation (R1's language consistency) "
                     f"{f2(b['consistency'])} → {f2(a['consistency'])}: "
                     + ("RL drifts away from answering in the user's language, R1-Zero's downside"
                        if a["consistency"] < b["consistency"] else "RL did not lower it"))
            if rows and all("consistency" in r["after"]["thoughts"] for r in rows):
                text += (f" (over {rl_seed_label(s)}: "
                         f"{joined(s.rl(rows, 'after.thoughts.consistency'), f2)} after RL)")
        elif a["mixed"] < b["mixed"]:
            text += " RL removes mixing here rather than causing it"
        else:
            text += " RL did not remove mixing here"
        if rows:
            by = {}
            for r in rows:
                by.setdefault(_notation(r)[0], []).append(r)
            settled = ", ".join(
                f"{k} for seed{'s' if len(v) > 1 else ''} {and_list(r['seed'] for r in v)} "
                f"({and_list(f2(_notation(r)[1]) for r in v)} of "
                f"{'its' if len(v) == 1 else 'their'} thoughts)"
                for k, v in by.items())
            text += f"; each seed's most used notation after RL (`bench/rl_seeds.py`): {settled}"
        bullets.append(text + ".")
    except (Missing, KeyError, TypeError) as e:
        bullets.append(f"**The downsides**: (missing: {e})")
    # the collapse
    try:
        c = s.numbers(NB03, "collapse")
        settings = _try(lambda s: s.numbers(NB03, "collapse_settings"), s, {})
        how = ""
        if isinstance(settings, dict) and settings:
            bits = []
            if "lr" in settings:
                bits.append(f"lr {lr(settings['lr'])}")
            if "updates" in settings or "steps" in settings:
                bits.append(f"{settings.get('updates', settings.get('steps'))} updates")
            how = f" ({', '.join(bits)})" if bits else ""
        bullets.append(
            f"**The collapse**{how}: groups without reward spread "
            f"{f2(c['frac_reward_zero_std']['collapsing'])} against "
            f"{f2(c['frac_reward_zero_std']['healthy'])} for the healthy run, training accuracy "
            f"{f3(c['rewards/accuracy_reward/mean']['collapsing'])} against "
            f"{f2(c['rewards/accuracy_reward/mean']['healthy'])}, entropy peaking at "
            f"{f2(c['entropy_peak']['collapsing'])} (healthy {f2(c['entropy_peak']['healthy'])}) and "
            f"ending at {f2(c['entropy']['collapsing'])} (healthy {f2(c['entropy']['healthy'])})."
            + _try(lambda s: (
                f" The accuracy reward falls below half its best from update "
                f"{c['order']['accuracy_falls']}; the zero-spread share, lowest at update "
                f"{c['order']['zero_spread_lowest']}, is back up by 0.3 from update "
                f"{c['order']['zero_spread_rises']}. In the healthy run the zero-spread share goes "
                f"{f2(c['healthy_zero_spread']['first'])} → {f2(c['healthy_zero_spread']['lowest'])} "
                f"(update {c['healthy_zero_spread']['lowest_at']}) → "
                f"{f2(c['healthy_zero_spread']['last'])} as groups saturate."), s, "")
            + _try(lambda s: (
                f" The thought measures on the collapsed model: loops "
                f"{f3(c['thoughts']['loops'])}, mixed {f3(c['thoughts']['mixed'])}, readability "
                f"{f2(c['thoughts']['readability'])}, no working {f3(c['thoughts']['no_steps'])}."), s, ""))
    except (Missing, KeyError, TypeError) as e:
        bullets.append(f"**The collapse**: (missing: {e})")
    # the template
    bullets.append(_template_bullet(s, rows))
    # the run without the format reward, once it is committed
    if s.has(RL_FORMAT0):
        try:
            rows0 = s.rl_rows(RL_FORMAT0)
            base = {r["seed"]: r for r in rows}
            parts = []
            for r in rows0:
                text = (f"seed {r['seed']} reaches format {f2(dig(r, 'after.format_rate'))} and pass@1 "
                        f"{f2(dig(r, 'after.pass1'))}")
                if r["seed"] in base:
                    text += (f" (with the format reward: {f2(dig(base[r['seed']], 'after.format_rate'))} "
                             f"and {f2(dig(base[r['seed']], 'after.pass1'))})")
                parts.append(text)
            weight = rows0[0].get("format_weight", 0)
            bullets.append(f"**Without the format reward** (`{RL_FORMAT0}`): with the format "
                           f"reward's weight at {weight:g}, {'; '.join(parts)}.")
        except (Missing, KeyError, TypeError) as e:
            bullets.append(f"**Without the format reward**: (missing: {e})")
    return "\n".join("- " + b for b in bullets)


def _template_bullet(s: Sources, rows: list[dict]) -> str:
    text = ("**The template matters most.** The base model's greedy completions of 3-4 step problems "
            "end on the right number")
    try:
        probe = s.numbers(NB03, "template_probe")
        said = {"our template": "under the course's template",
                "one-sentence instruction": "under the one-sentence instruction it used before",
                "no instruction line": "with no instruction line"}
        text += " " + ", ".join(f"{f2(v)} of the time {said.get(k, k)}"
                                for k, v in probe.items()) + " (chain-world notebook 03, section 2)"
    except (Missing, KeyError, TypeError):
        text += " (missing: chain-world notebook 03's template_probe)"
    try:
        old = s.rl_rows(RL_OLD_TEMPLATE)
        seeds = [r["seed"] for r in old]
        text += (f". An earlier 134-token template, on the base pretrained with every question in "
                 f"symbols, made GRPO's gain uneven across seeds (`{RL_OLD_TEMPLATE}`, "
                 f"seed{'s' if len(seeds) > 1 else ''} {and_list(seeds)}: pass@1 gain "
                 f"{joined(s.rl(old, 'pass1_gain'), gain)})")
    except (Missing, KeyError, TypeError):
        pass
    return text + "."


def block_lesson3_numbers(s: Sources) -> str:
    """Lesson 3 in the numbers game: the two bases' cards, bench/numbers_rl_seeds.py's seeds, and
    the notebook's seed-0 run."""
    rows = s.get(NUMBERS_RL, "seeds")
    seeds = "/".join(str(r["seed"]) for r in rows)
    bullets = []
    a, b = s.get(NUMBERS_BASE), s.get(NUMBERS_BASE_NB)
    bullets.append(
        f"**The bases** ({a['parameters']:,} parameters each, {a['updates']} updates of {a['batch_size']} rows x "
        f"{a['tokens_per_page']} tokens; {secs(a['pretrain_seconds'])} and {secs(b['pretrain_seconds'])}): held-out "
        "pass@1 at temperature 1 with / without backtracking in the corpus "
        + "; ".join(f"level {lv} {f3(a['diagnostic'][lv]['pass1'])} / {f3(b['diagnostic'][lv]['pass1'])}"
                    for lv in a["diagnostic"])
        + "; in the base with backtracking a step's arithmetic is right "
        + " / ".join(f3(x["arithmetic"]) for x in a["diagnostic"].values())
        + ", a check's verdict " + " / ".join(f3(x["verdicts"]) for x in a["diagnostic"].values())
        + ", a completion that keeps searching earns " + " / ".join(f3(x["reward_searching"]) for x in a["diagnostic"].values())
        + " against " + " / ".join(f3(x["reward_gave_up"]) for x in a["diagnostic"].values())
        + f" for one that gives up (levels {' / '.join(a['diagnostic'])}; `{NUMBERS_BASE}`).")

    def per_seed(arm, key, fmt=f2, level=None):
        return " / ".join(f"{fmt(r[arm]['before'][level or r[arm]['level']][key])} → "
                          f"{fmt(r[arm]['after'][level or r[arm]['level']][key])}" for r in rows)

    lv = rows[0]["backtrack"]["level"]
    others = [x for x in rows[0]["backtrack"]["before"] if x != lv]
    bullets.append(
        f"**R1-Zero's curve** (`bench/numbers_rl_seeds.py`, seeds {seeds}, {rows[0]['budget']['updates']} GRPO "
        f"updates on level-{lv} prompts; held-out level {lv}, before → after): pass@1 "
        f"{per_seed('backtrack', 'pass1', f3)}; tokens {per_seed('backtrack', 'tokens', lambda x: f'{x:.0f}')}; "
        f"give-ups {per_seed('backtrack', 'give_up_rate')}; checks per completion "
        f"{per_seed('backtrack', 'checks', lambda x: f'{x:.1f}')}; backtracks "
        f"{per_seed('backtrack', 'backtracks', lambda x: f'{x:.1f}')}; cut at the "
        f"{rows[0]['budget']['max_completion_length']}-token cap {per_seed('backtrack', 'cut', f3)}; a step's "
        f"arithmetic {per_seed('backtrack', 'arithmetic', f3)}. Spearman(training reward, mean length) per update "
        f"{joined([r['backtrack']['curve']['spearman'] for r in rows], f2)}, over 5-update moving averages "
        f"{joined([r['backtrack']['curve']['spearman_smoothed'] for r in rows], f2)}. Levels never trained on, "
        "pass@1: " + "; ".join(f"level {o} {per_seed('backtrack', 'pass1', f3, o)}" for o in others) + ".")
    d = s.get(NUMBERS_RL, "effects.behaviours_decide")
    bullets.append(
        f"**Behaviours decide** (Gandhi et al.): RL from the base without backtracking, the same budget, pass@1 "
        f"{per_seed('no_backtrack', 'pass1', f3)} (gains {joined(d['gains']['no_backtrack'], gain)} against "
        f"{joined(d['gains']['backtrack'], gain)} with backtracking: "
        f"{'at most half on every seed' if d['at_most_half_on_every_seed'] else 'not at most half on every seed'}).")
    bullets.append(
        f"**The downsides**, before → after at level {lv}, seeds {seeds}: repeated tries per completion "
        f"{per_seed('backtrack', 'repeats', f3)}; thoughts mixing the two notations {per_seed('backtrack', 'mixed', f3)}; "
        f"thoughts in the notation the question was not asked in {per_seed('backtrack', 'off_language', f3)}; "
        f"readability {per_seed('backtrack', 'readability')}.")
    try:
        w = s.get(NUMBERS_RL, "wide")
        bullets.append(
            f"**Reach** ({w['problems_per_level']} held-out problems per level, 256 samples each, seed 0): "
            + "; ".join(f"level {lv}: pass@1 base {f3(w['pass_at_k']['base'][lv]['1'])}, RL {f3(w['pass_at_k']['rl'][lv]['1'])}; "
                        f"pass@256 base {f2(w['pass_at_k']['base'][lv]['256'])}, RL {f2(w['pass_at_k']['rl'][lv]['256'])}"
                        + (" (a floor: no result)" if w["pass_at_k"]["base"][lv]["256"] == w["pass_at_k"]["rl"][lv]["256"] == 0
                           else f"; the curves {'cross' if w['crosses'][lv]['cross'] else 'do not cross'}")
                        for lv in w["pass_at_k"]["base"]) + ".")
    except Missing:
        pass
    try:
        n = s.numbers(NB03_NUMBERS)
        bullets.append(
            f"**Notebook 03's run** (seed 0, {n['rl_updates']} updates, {secs(n['rl_seconds'])} of RL): level-{lv} pass@1 "
            f"{f3(n['before'][lv]['pass1'])} → {f3(n['after'][lv]['pass1'])}, tokens "
            f"{n['before'][lv]['tokens']:.0f} → {n['after'][lv]['tokens']:.0f}, Spearman "
            f"{f2(n['curve']['spearman'])}; GRPO by hand: loss {n['grpo_by_hand']['loss_update1']['mine']:.6f} "
            f"(trl {n['grpo_by_hand']['loss_update1']['trl']:.6f}), after a second update "
            f"{n['grpo_by_hand']['loss_update2']['mine']:.6f} (trl {n['grpo_by_hand']['loss_update2']['trl']:.6f}).")
    except Missing:
        pass
    try:
        prof = {v["variant"]: v for v in s.get(GRPO_PROFILE_NUMBERS, "variants")}
        chain = {v["variant"]: v for v in s.get(GRPO_PROFILE, "variants")}
        parts = [f"{label} {prof[k]['s_per_update']:.2f} s ({_profile_split(prof[k])}) against "
                 f"{chain[k]['s_per_update']:.2f} s in the chain world"
                 for k, label in (("baseline", "trl as it comes"), ("course", "with the course's speed-ups"))
                 if k in prof and k in chain]
        text = "**A GRPO update** in the numbers game (`bench/grpo_profile.py --world numbers`, medians): " + "; ".join(parts)
        speedup = s.get(GRPO_PROFILE_NUMBERS).get("speedup")
        bullets.append(text + (f"; speed-up {speedup}x." if speedup else "."))
    except Missing:
        pass
    return "\n".join(f"- {b}" for b in bullets)


def _binder_rows(s: Sources, rel: str) -> dict:
    return {Path(r["notebook"]).stem: r for r in s.get(rel, "notebooks")}


def block_instructors(s: Sources) -> str:
    """Each notebook's full-mode time on 2 cores (the reference run) and on 1 core under Binder's
    limits (scripts/binder_check.py --full), and its smoke time on 1 core."""
    full1 = _try(lambda s: _binder_rows(s, BINDER_FULL), s, {})
    smoke1 = _try(lambda s: _binder_rows(s, BINDER_SMOKE), s, {})
    refs = _try(lambda s: s.get(TIMINGS), s, {})
    lines = ["| notebook | full, 2 cores | full, 1 core, 2 GB cap | smoke, 1 core, 2 GB cap | "
             "peak memory, 1 core (full / smoke) |", "|---|---|---|---|---|"]

    def cell(row, key, fmt):
        if not row or row.get("stale"):  # stale: measured on a notebook since rebuilt
            return "not run"
        return fmt(row[key]) if row.get("passed") else "failed"

    for name in dict.fromkeys([*full1, *smoke1]):
        f, sm, ref = full1.get(name), smoke1.get(name), refs.get(name)
        lines.append(f"| {name} | {secs(ref['wall_s']) if ref else 'not measured'} | "
                     f"{cell(f, 'wall_s', secs)} | {cell(sm, 'wall_s', secs)} | "
                     f"{cell(f, 'kernel_peak_mb', mb)} / {cell(sm, 'kernel_peak_mb', mb)} |")
    notes = []
    for rel, data in ((BINDER_FULL, full1), (BINDER_SMOKE, smoke1)):
        if data:
            built = _try(lambda s: s.get(rel, "env_build_s"), s, 0)  # None: an env built earlier
            reruns = _try(lambda s: s.get(rel, "rerun_notebooks"), s, {})
            again = sorted({d[:10] for d in reruns.values()})
            notes.append(f"`{rel}` ({s.get(rel, 'written')[:10]}"
                         + (f", env built from `binder/` in {secs(built)}" if built else "")
                         + f", cap by {s.get(rel, 'cap_method')}"
                         + (f"; {len(reruns)} notebooks re-run in the same env on {and_list(again)}"
                            if reruns else "") + ")")
    lines += ["", "1 core: `scripts/binder_check.py` (a fresh environment from `binder/` alone, every "
              "notebook pinned to one CPU with `taskset`, in a 2 GB memory cgroup, as on Binder); "
              + "; ".join(notes) + ". 2 cores: the reference run (`results/timings.json`)."]
    return "\n".join(lines)


def block_gpu(s: Sources) -> str:
    """bench/gpu_check.py's figures on a GPU (hub-sized architecture, random weights, bf16)."""
    lines = ["| model | trained | parameters trained | micro-batches | GRPO s/update | completions/s | GRPO peak GPU memory | SFT s/update (16 examples) | SFT peak GPU memory |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in s.get(GPU_CHECK, "runs"):
        g, t = r["grpo"], r["sft"]
        lines.append(f"| {r['model']} | {'LoRA r=16' if r['mode'] == 'lora' else 'full'} | {r['trainable']:,} of "
                     f"{r['parameters']:,} | {g['micro_batches']} | {g['s_per_update']:.1f} | "
                     f"{g['completions_per_s']:.1f} | {g['peak_memory_mb'] / 1024:.1f} GB | "
                     f"{t['s_per_update']:.2f} | {t['peak_memory_mb'] / 1024:.1f} GB |")
    lines += ["", f"{s.get(GPU_CHECK, 'device')} ({s.get(GPU_CHECK, 'torch')}, {s.get(GPU_CHECK, 'dtype')}); "
              f"GRPO: {g['completions_per_update']} completions of {g['max_new_tokens']} new tokens per update. "
              f"{s.get(GPU_CHECK, 'note')[0].upper()}{s.get(GPU_CHECK, 'note')[1:]} (`{GPU_CHECK}`)."]
    return "\n".join(lines)


def _steps_mean(d: dict, steps) -> float:
    return sum(float(d[str(k)] if str(k) in d else d[k]) for k in steps) / len(steps)


TABLE_COLUMNS = (("greedy 1-4", lambda r: f2(_steps_mean(r["greedy_by_steps"], (1, 2, 3, 4)))),
                 ("greedy 5-6", lambda r: f2(_steps_mean(r["greedy_by_steps"], (5, 6)))),
                 ("pass@1 1-4", lambda r: f2(_steps_mean(r["pass1_by_steps"], (1, 2, 3, 4)))),
                 ("pass@1 5-6", lambda r: f2(_steps_mean(r["pass1_by_steps"], (5, 6)))),
                 ("format", lambda r: f2(r["format_rate"])),
                 ("language consistency", lambda r: f2(r["consistency"])),
                 ("readability", lambda r: f2(r["readability"])),
                 ("tokens per answer", lambda r: f"{float(r['tokens']):.1f}"),
                 ("general requests", lambda r: f2(r["general"])))


def _at_k_columns(s: Sources) -> tuple[list[str], Callable[[str], list[str]]]:
    """Lesson 5's columns of the course-wide table (pass@256 by the path, maj@256, over 1-8 steps,
    from bench/boundary_seeds.json), or none when that file is missing."""
    try:
        table = s.get(BOUNDARY_SEEDS, "table")
    except Missing:
        return [], lambda name: []
    heads = [k for k in next(iter(table.values())) if k != "pass@1"]
    return ([f"{h} 1-8" for h in heads],
            lambda name: [f2(table[name][h]) if name in table else "–" for h in heads])


def _lesson6_table(s: Sources) -> dict:
    """The course-wide table's rows of lesson 6: each algorithm's seed-0 model from the longest
    budget the bench measured them at (the best each got), or none."""
    try:
        rows = [r for r in s.get(RL_ALGORITHMS, "rows") if r["seed"] == 0 and "table" in r]
    except Missing:
        return {}
    longest = max((r["updates"] for r in rows), default=None)
    return {f"{r['run']} (6)": r["table"] for r in rows if r["updates"] == longest}


def _lesson7_table(s: Sources) -> dict:
    """The course-wide table's rows of lesson 7: the fused model under /think and /no_think."""
    try:
        return {f"{r['model']} (7)": r for r in s.numbers(NB07, "table")}
    except Missing:
        return {}


def _lesson6_updates(s: Sources) -> int:
    return max(r["updates"] for r in s.get(RL_ALGORITHMS, "rows") if r["seed"] == 0 and "table" in r)


def block_lesson4(s: Sources) -> str:
    """Every model of the course side by side (notebook 04's table, with lesson 5's pass@256 and
    maj@256 columns), and the recipe over seeds."""
    rows, order = s.numbers(NB04, "table"), s.numbers(NB04, "order")
    extra_heads, extra = _at_k_columns(s)
    lines = ["| model (lesson) | " + " | ".join([n for n, _ in TABLE_COLUMNS] + extra_heads) + " |",
             "|---|" + "---|" * (len(TABLE_COLUMNS) + len(extra_heads))]
    for name in order:
        lines.append(f"| {name} | " + " | ".join([fn(rows[name]) for _, fn in TABLE_COLUMNS] + extra(name)) + " |")
    lesson6 = _lesson6_table(s)
    for name, row in lesson6.items():
        lines.append(f"| {name} | " + " | ".join([fn(row) for _, fn in TABLE_COLUMNS] + extra(name)) + " |")
    lesson7 = _lesson7_table(s)
    for name, row in lesson7.items():
        lines.append(f"| {name} | " + " | ".join([fn(row) for _, fn in TABLE_COLUMNS] + extra(name)) + " |")
    n = rows[order[0]].get("n_per_step")
    lines += ["", f"Seed 0, notebook 04 (`{NB04}`): {n} held-out problems per step count (1-6), half "
              "asked in words; greedy and sampled (temperature 1, 2 samples) accuracy; language "
              "consistency is the share of a thought's steps in the question's notation; general "
              "requests are scored greedy (1 = the brief reply, exactly). Lessons 1-2's models are "
              "measured with their own prompt."
              + (f" The last two columns (lesson 5, `{BOUNDARY_SEEDS}`, seed 0's problems: 2 per step "
                 "count, 1-8 steps, 256 samples each): pass@256 counting only answers reached by the "
                 "problem's whole chain, every step right (a random guesser among the 100 answers "
                 f"passes {f2(1 - 0.99 ** 256)} on answers alone), and the majority vote of 256 samples."
                 if extra_heads else "")
              + (f" The lesson-6 rows: each algorithm's model after {_lesson6_updates(s)} updates from the base "
                 f"(3), seed 0, measured the same way by `{RL_ALGORITHMS}`." if lesson6 else "")
              + (f" The lesson-7 rows: the fused model under each flag, seed 0 (`{NB07}`, "
                 f"{next(iter(lesson7.values()))['n_per_step']} problems per step count)." if lesson7 else "")]
    try:
        seeds = s.rl_rows(RECIPE_SEEDS)
        names = ("R1-Zero (3)", "stage 2: reasoning RL", "stage 2 without language reward",
                 "stage 4: final RL")
        parts = []
        for name in names:
            vals = [r["rows"][name] for r in seeds]
            parts.append(f"{name}: pass@1 at 1-4 steps {joined((_steps_mean(v['pass1_by_steps'], (1, 2, 3, 4)) for v in vals), f2)}, "
                         f"consistency {joined((v['consistency'] for v in vals), f2)}")
        missed = sorted({k for r in seeds for k, ok in r["targets"].items() if not ok})
        reach = "; ".join(f"seed {r['seed']}: {r['updates_to_reach']['stage 2: reasoning RL']} vs "
                          f"{r['updates_to_reach']['R1-Zero (3)']}" for r in seeds)
        lines += ["", f"Over seeds {and_list(r['seed'] for r in seeds)} (`{RECIPE_SEEDS}`): "
                  + "; ".join(parts) + f". Updates for stage 2 against R1-Zero to reach R1-Zero's "
                  f"final training accuracy: {reach}. "
                  + (f"Targets missed by at least one seed: {and_list(missed)}." if missed
                     else "Every target met by every seed.")]
    except (Missing, KeyError, TypeError) as e:
        lines += ["", f"(seeds: missing {e})"]
    return "\n".join(lines)


def block_lesson5(s: Sources) -> str:
    """The papers' claims as bench/pass_at_k_seeds.py tags them on 20 held-out problems per step group
    over three sampling seeds (a claim counts as reproduced only on every seed), with seed 0's figures;
    then what notebook 05's own, smaller run sampled."""
    lines = []
    try:
        over, seeds = s.get(PASS_K_SEEDS, "over_seeds"), s.get(PASS_K_SEEDS, "seeds")
        settings = s.get(PASS_K_SEEDS, "settings")
        # the bench's n = 128 run stored an older wording of one figure (boundary.claims, since fixed)
        figures = {c["claim"]: c["figures"].replace("(the base catches up, it does not pass)",
                                                    "(indistinguishable: the base does not pass RL)")
                   for c in seeds[0]["claims"]}
        ks = " / ".join(str(r["seed"]) for r in seeds)
        lines += [f"| claim | from | over seeds {ks} | seed 0's figures |", "|---|---|---|---|"]
        for claim, c in over.items():
            lines.append(f"| {claim} | {c['source']} | {c['status']} ({', '.join(c['statuses'])}) | "
                         f"{figures.get(claim, '–')} |")
        groups = ", ".join(f"{g} steps" for g in settings["groups"])
        lines += ["", f"`{PASS_K_SEEDS}`: 20 held-out problems per step group ({groups}), "
                  f"{settings['n']} samples each per model; {settings['models']}. The intervals are "
                  f"bootstrap intervals over problems (95%)."]
    except (Missing, KeyError, TypeError, IndexError) as e:
        lines += [f"(bench/pass_at_k_seeds.json: missing {e})"]
    n = s.numbers(NB05, "n_per_problem")
    problems = s.numbers(NB05, "problems")
    sps = s.numbers(NB05, "samples_per_second")
    secs = s.numbers(NB05, "sample_seconds")
    total = sum(secs.values())
    lines += ["", f"Notebook 05's own run (seed 0, `{NB05}`): {problems} held-out problems (1-8 steps), "
              f"{n} samples each per model, too few per step group to tag a claim (it reads the bench "
              f"above); {round(sum(sps[m] * secs[m] for m in secs)):,} completions sampled in "
              f"{total:.0f} s ({sum(sps[m] * secs[m] for m in secs) / total:.0f} per second on this "
              f"machine)."]
    return "\n".join(lines)


def block_lesson6(s: Sources) -> str:
    """Notebook 06's runs (seed 0) and bench/rl_algorithms.py's seeds, with the verdicts against DAPO."""
    runs = s.numbers(NB06, "runs")
    k = s.numbers(NB06, "k")
    updates = s.numbers(NB06, "budget")["updates"]
    bench = [r for r in s.get(RL_ALGORITHMS, "rows") if r["updates"] == updates]
    seeds = sorted({r["seed"] for r in bench})

    def per_seed(name, key):
        vals = {r["seed"]: r["summary"][key] for r in bench if r["run"] == name}
        return " / ".join(f2(vals[x]) if x in vals else "–" for x in seeds)

    long = s.numbers(NB06, "long_updates")
    long_rows = [r for r in s.get(RL_ALGORITHMS, "rows") if r["updates"] == long]
    key = "held-out pass@1, 1-4 steps"
    verdicts = s.numbers(NB06, "versus_dapo").get(key, {})
    long_verdicts = s.numbers(NB06, "versus_dapo_long").get(key, {})

    def verdict(v):
        return "–" if v is None else (f"{v['mean']:+.2f}, " + ("beyond" if v["beyond_spread"] else "within"))

    def long_seeds(name):
        vals = {r["seed"]: r["summary"]["pass@1 right 1-4"] for r in long_rows if r["run"] == name}
        return " / ".join(f2(vals[x]) for x in sorted(vals)) or "–"

    lines = ["| run | s/update | completions/s | zero-spread share | pass@1 1-4 | "
             f"pass@{k} by the path 5-8 | pass@1 1-4, seeds {' / '.join(map(str, seeds))} | vs DAPO | "
             f"pass@1 1-4 after {long} updates, seeds | vs DAPO |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in runs.items():
        lines.append(f"| {name} | {r['seconds_per_update']:.2f} | {r['completions_per_second']:.0f} | "
                     f"{f2(r['zero_spread_mean'])} | {f2(r['summary']['pass@1 right 1-4'])} | "
                     f"{f2(r['summary'][f'pass@{k} path 5-8'])} | {per_seed(name, 'pass@1 right 1-4')} | "
                     f"{verdict(verdicts.get(name))} | {long_seeds(name)} | {verdict(long_verdicts.get(name))} |")
    gap = s.numbers(NB06, "gap_by_path")
    lines += ["", f"Seed 0, notebook 06 (`{NB06}`): {updates} updates of "
              f"{s.numbers(NB06, 'budget')['completions_per_update']} completions from lesson 3's base, the same "
              f"prompts for every run; held-out pass@1 and pass@{k} from {k} samples per problem. Gap between the "
              f"best and the worst algorithm by the path at 1-4 steps: {f2(gap['1-4 1'])} at k = 1, "
              f"{f2(gap[f'1-4 {k}'])} at k = {k}; at 5-8 steps: {f2(gap['5-8 1'])} and {f2(gap[f'5-8 {k}'])}. "
              f"Seeds: `{RL_ALGORITHMS}`; a difference from DAPO counts as beyond the seed spread when it has the "
              "same sign on every seed and its mean exceeds DAPO's own range over the seeds (\"beyond\" the "
              "seed spread; else \"within\"). The data runs (skewed, curriculum, prioritised) use DAPO's settings."]
    try:
        base, gaps = s.numbers(NB06, "base_by_path"), s.numbers(NB06, "gap_to_base")

        def span(group, kk):
            vals = [dig(g, f"{group}.{kk}", NB06) for g in gaps.values()]
            return f"{min(vals):+.2f}" if max(vals) - min(vals) < 0.005 else f"{min(vals):+.2f} to {max(vals):+.2f}"

        lines.append(f"\nAgainst lesson 3's base with no RL (the same problems and samples, `data/checkpoints/06_base`), by the "
                     f"path: at 1-4 steps the base's pass@1 is {f2(dig(base, '1-4.1'))} and its pass@{k} {f2(dig(base, f'1-4.{k}'))}; "
                     f"each algorithm minus the base is {span('1-4', 1)} at k = 1 and {span('1-4', k)} at k = {k}. At 5-8 steps: "
                     f"base {f2(dig(base, '5-8.1'))} and {f2(dig(base, f'5-8.{k}'))}; each algorithm minus the base {span('5-8', 1)} "
                     f"at k = 1 and {span('5-8', k)} at k = {k}.")
    except Missing:
        pass
    return "\n".join(lines)


def block_reproduce(s: Sources) -> str:
    """What a learner's own run reproduces: greedy SFT figures exactly, RL figures within a spread
    (notebook 03 on another machine, bench/reproduction.json, against the reference and the seeds)."""
    ref = s.numbers(NB03)
    other = s.get(REPRODUCTION)
    lines = ["**What your run will reproduce.** "
             + ("The greedy figures of the SFT lessons (1 and 2) repeat exactly on another machine. "
                if other.get("sft_greedy_identical") else "")
             + "The RL figures move: they rest on sampling, and another CPU's floating-point kernels can round "
             "differently and so draw other tokens from the same seed, after which the run takes its own path. Chain-world notebook 03, seed 0, "
             f"on another machine ({other['machine']}): pass@1 after RL {f3(other['pass1_after'])} against the "
             f"reference's {f3(ref['pass1']['after'])}; consistency by notation (symbols / words) "
             f"{f2(other['consistency_by_language_after']['symbols'])} / {f2(other['consistency_by_language_after']['words'])} "
             f"against {f2(ref['consistency_by_language']['after']['symbols'])} / "
             f"{f2(ref['consistency_by_language']['after']['words'])} (`{REPRODUCTION}`)."]
    try:
        rows = s.rl_rows()
        p1 = s.rl(rows, "after.pass1")
        cons = s.rl(rows, "after.thoughts.consistency")
        lines.append(f" Expect the RL accuracies within about the spread over seeds ({rl_seed_label(s)}: pass@1 "
                     f"{joined(p1)}, a spread of {f3(max(p1) - min(p1))}, `{RL_SEEDS}`) and the thought measures to "
                     f"move more (consistency over the same seeds {joined(cons, f2)}; on the other machine, by notation, "
                     f"up to {f2(max(abs(other['consistency_by_language_after'][k] - ref['consistency_by_language']['after'][k]) for k in ('symbols', 'words')))} "
                     "from the reference). Compare your `runs/results/` with `results/` with that in mind.")
    except Missing:
        pass
    return "".join(lines)


def block_lesson7(s: Sources) -> str:
    """Notebook 07's measurements (seed 0) and bench/verifier_seeds.py's seeds."""
    fused, lesson1 = s.numbers(NB07, "fused"), s.numbers(NB07, "lesson1_answer_only")
    before = s.numbers(NB07, "before_fusion")

    def steps(d, xs):
        return sum(d[str(x)] if str(x) in d else d[x] for x in xs) / len(xs)

    lines = ["| model, mode | greedy, 1 step | 2-4 steps | 5-6 steps | tokens | obeys the switch | before fusion |",
             "|---|---|---|---|---|---|---|"]
    for mode in ("think", "no_think"):
        m = fused[mode]
        lines.append(f"| fused, /{mode} | {f2(steps(m['accuracy'], (1,)))} | {f2(steps(m['accuracy'], (2, 3, 4)))} | "
                     f"{f2(steps(m['accuracy'], (5, 6)))} | {m['mean_tokens']:.1f} | {f2(m['mean_obeys'])} | "
                     f"{f2(steps(before[mode]['obeys'], (1, 2, 3, 4, 5, 6)))} |")
    lines.append(f"| lesson 1, answer-only | {f2(steps(lesson1, (1,)))} | {f2(steps(lesson1, (2, 3, 4)))} | "
                 f"{f2(steps(lesson1, (5, 6)))} | – | – | – |")
    enough = s.numbers(NB07, "budget_enough")
    largest = max(int(b) for b in s.numbers(NB07, "budget_curve"))
    delay = s.numbers(NB07, "delay")
    c = s.numbers(NB07, "checkers")
    hack, hard = s.numbers(NB07, "hacking"), s.numbers(NB07, "hardening")
    proc = s.numbers(NB07, "process")
    lines += ["", f"Seed 0, notebook 07 (`{NB07}`), greedy on held-out problems. Thinking budget: accuracy is within "
              f"0.02 of its best from a budget of " + ", ".join(f"{v} tokens{' (the largest tried)' if v == largest else ''} at {k} step{'s' if str(k) != '1' else ''}"
                          for k, v in enough.items())
              + f". A user waits {delay['think']['answer_s']:.3f} s for the answer under /think "
              f"({delay['think']['thought_tokens']:.0f} thinking tokens) and {delay['no_think']['answer_s']:.3f} s under /no_think. "
              f"Precision / recall on held-out answers in three forms: rule checker {_pr(c['all']['rule'])} (plain form "
              f"{_pr(c['plain']['rule'])}), learned verifier {_pr(c['all']['learned'])}. RL against the learned verifier on "
              f"/no_think prompts ({s.numbers(NB07, 'hack_updates')} updates): the verifier's reward "
              f"{f2(hack['first']['judged'])} → {f2(hack['last']['judged'])}, true accuracy {f2(hack['first']['true_accuracy'])} → "
              f"{f2(hack['last']['true_accuracy'])} (first → last {hack['window']} updates). Share of the trained policy's wrong "
              f"answers each judge pays: learned {f2(hard['pays_wrong']['learned'])}, gate {f2(hard['pays_wrong']['gate'])}, "
              f"hardened {f2(hard['pays_wrong']['hardened'])}. Unfaithful thoughts per right answer: outcome-only "
              f"{proc['outcome']['unfaithful_rate']:.3f}, with the process reward {proc['process']['unfaithful_rate']:.3f}."]
    try:
        forms = s.numbers(NB07, "answer_forms")
        b, a = forms["before RL"], forms["after RL (learned verifier)"]
        lines[-1] += (f" The policy's answers in the sentence form, before → after RL against the learned verifier: "
                      f"{f2(b['sentence'])} → {f2(a['sentence'])} (plain {f2(b['plain'])} → {f2(a['plain'])}).")
    except (Missing, KeyError):
        pass
    try:
        fused_think = next(r for r in s.numbers(NB07, "table") if r["model"] == "fused /think")
        final = s.numbers(NB04, "table")["stage 4: final RL"]
        lines[-1] += (f" Beyond the trained lengths the fused model under /think is below lesson 4's final model: greedy "
                      f"at 5-6 steps {f2(steps(fused_think['greedy_by_steps'], (5, 6)))} against "
                      f"{f2(steps(final['greedy_by_steps'], (5, 6)))} (`{NB07}` and `{NB04}` tables).")
    except (Missing, StopIteration, KeyError):
        pass
    try:
        seeds = _l7_seeds(s)
        heads = " | ".join(f"seed {k}" for k, _ in seeds)
        lines += ["", f"| judge (bench, {s.get(VERIFIER_SEEDS, 'hack_updates')} updates on /no_think) | {heads} |",
                  "|---|" + "---|" * len(seeds)]
        for judge in ("rule", "learned", "gated", "hardened"):
            cells = []
            for _, r in seeds:
                h = r["hacking"].get(judge)
                cells.append("–" if not h else f"reward {f2(h['first']['judged'])} → {f2(h['last']['judged'])}, "
                             f"true {f2(h['first']['true_accuracy'])} → {f2(h['last']['true_accuracy'])}")
            lines.append(f"| {judge} | " + " | ".join(cells) + " |")
        for name in ("outcome", "process"):
            lines.append(f"| {name} RL, both modes: /think pass@1, unfaithful per right | " + " | ".join(
                f"{f2(r['process'][name]['accuracy'])}, {r['process'][name]['unfaithful_rate']:.3f}" for _, r in seeds) + " |")
        lines += ["", f"Seeds: `{VERIFIER_SEEDS}`. Each seed trains its own verifier; every judge's run starts from "
                  "the same fused model (after its SFT round); the hardened verifier of a seed is hardened on what fooled "
                  "that seed's learned verifier. First → last: the mean over the first and the last 10% of the updates. "
                  "True accuracy reads the answer in any form (`verifiers.stated_value`)."]
    except Missing as e:
        lines += ["", f"(seeds: missing {e})"]
    return "\n".join(lines)


def block_lesson8(s: Sources) -> str:
    """Lesson 8's offline stand-in: how it was made (its card), what it does before fine-tuning, and
    where the two checkers disagree (notebook 08's run)."""
    card = s.get(STANDIN_CARD)
    checkers = s.numbers(NB08)["checkers"]
    return (f"The stand-in, `data/checkpoints/08_standin` (`{card['command']}`, {card['seconds']:.0f} s on "
            f"{card['threads']} threads): a BPE tokenizer of {card['vocabulary']} tokens trained with `tokenizers` "
            f"on the offline word problems and a `{card['class']}` of {card['parameters']:,} parameters (the "
            f"architecture of `{card['architecture_of']}`), started from lesson 3's base weights and pretrained "
            f"{card['recipe']['updates']} updates on {card['recipe']['rows']:,} worked solutions in GSM8K's format "
            f"(loss {card['first_loss']:.2f} → {card['final_loss']:.2f}). Before any fine-tuning, asked as in its "
            f"pretraining, it answers {f2(card['gsm8k_prompt_accuracy'])} of {card['held_out_stories']} held-out "
            f"stories; under R1-Zero's template, {f2(card['r1_template_accuracy'])}: what SFT teaches it here is "
            f"mostly the template, as in the toy world's lesson 3. The Measured rows above give SFT, GRPO and "
            f"LoRA over three seeds (`bench/lesson8_seeds.py`, {s.get(LESSON8_SEEDS, 'seconds'):.0f} s). On notebook "
            f"08's {checkers['completions']:,} completions, math-verify and the rule checker disagree on "
            f"{checkers['only_math_verify'] + checkers['only_rule']:.0f}: the right number with a broken layout, "
            f"which math-verify accepts and the rule checker refuses (`{NB08}`).")


BLOCKS: dict[str, Callable[[Sources], str]] = {
    "lesson-8": block_lesson8,
    "lesson-4": block_lesson4,
    "lesson-5": block_lesson5,
    "lesson-6": block_lesson6,
    "lesson-7": block_lesson7,
    "notebooks": block_notebooks,
    "binder": block_binder,
    "instructors": block_instructors,
    "gpu": block_gpu,
    "machine": block_machine,
    "measured": block_measured,
    "lr-sweep": block_lr_sweep,
    "lesson-3": block_lesson3,
    "lesson-3-numbers": block_lesson3_numbers,
    "reproduce": block_reproduce,
}


# --- the README --------------------------------------------------------------------------------
def render(text: str, sources: Sources) -> str:
    """`text` (a README) with every rendered block rebuilt from `sources`."""
    found = re.findall(r"<!-- rendered by scripts/render_readme\.py: do not edit \((.+?)\) -->", text)
    unknown = sorted(set(found) - set(BLOCKS))
    if unknown:
        raise SystemExit(f"README.md has blocks this script does not know: {unknown}")
    for name in found:
        begin, end = BEGIN.format(name=name), END.format(name=name)
        pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md: block {name!r} has no end marker {end!r}")
        body = _try(BLOCKS[name], sources)
        text = pattern.sub(lambda m: f"{begin}\n{body}\n{end}", text, count=1)
    return text


def outside_blocks(text: str) -> str:
    """The README without its rendered blocks (what a person writes)."""
    return re.sub(r"<!-- rendered by scripts/render_readme\.py: do not edit \((.+?)\) -->.*?"
                  r"<!-- end rendered \(\1\) -->", "", text, flags=re.S)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 and print a diff if README.md is not up to date")
    ap.add_argument("--readme", default=str(ROOT / "README.md"))
    ap.add_argument("--root", default=str(ROOT), help="where the JSON files are (default: this checkout)")
    args = ap.parse_args(argv)
    path = Path(args.readme)
    old = path.read_text()
    new = render(old, Sources(Path(args.root)))
    if args.check:
        if new == old:
            print(f"{path.name} is up to date with the JSON files")
            return 0
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                   f"{path.name} (committed)", f"{path.name} (rendered)"))
        print(f"\n{path.name} differs from what scripts/render_readme.py renders from the JSON files: "
              "run `.venv/bin/python scripts/render_readme.py` and commit README.md")
        return 1
    if new != old:
        path.write_text(new)
        print(f"rewrote the rendered blocks of {path.name}")
    else:
        print(f"{path.name} already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
