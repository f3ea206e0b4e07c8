"""Lesson 6: RL algorithms side by side on one budget, and Kimi K1.5's data and sampling choices.

Every run starts from lesson 3's base under R1-Zero's template, with lesson 3's rewards (accuracy 1,
format 0.5) and sampling budget (8 prompts x 8 completions an update), and sees *the same prompts in
the same order*: the prompt sequence is fixed in advance (`prompt_sequence`) and every trainer reads
it in order (trl's `shuffle_dataset=False`, `ppo.train_ppo(shuffle=False)`). Only the algorithm
differs:

    REINFORCE        no baseline: a completion's reward is the advantage of its every token (ppo.py)
    RLOO             each completion's baseline is the mean reward of the rest of its group (trl's
                     RLOOTrainer; it samples with model.generate, so its seconds are not comparable)
    GRPO             as published: std-scaled group advantages, per-completion averaging, KL to the
                     base (beta 0.04, a second model in memory)
    Dr. GRPO         no std scaling, a constant divisor instead of the completion's length, no KL
    DAPO             token-level averaging and clip-higher (epsilon_high 0.28), no KL
    DAPO + dynamic sampling   DAPO, and a group whose completions all earn the same reward (no
                     advantage, no gradient) is replaced by a fresh problem's group (`DynamicSampling`)
    PPO              a learned value model and GAE, no groups needed (ppo.py: trl 1.x has no PPO)

Kimi K1.5's data choices (`DATA_RUNS`) use DAPO's settings, so DAPO's run is their baseline
(balanced difficulty, uniform order):

    skewed           the pool's difficulty skewed to easy problems (SKEWED), uniform order
    curriculum       exactly DAPO's prompts, sorted easy to hard
    prioritised      problems drawn in proportion to their failure rate so far (`prioritised_draw`)

Prompts come from a *pool* of POOL_PER_STEP problems per step count, drawn epoch by epoch, so a
problem comes back several times in a run: prioritised sampling needs a failure rate per problem.
"""
from __future__ import annotations

import dataclasses
import json
import random
import time

from .grpo import rl_budget, RLBudget

ALGORITHMS = {
    "REINFORCE": dict(trainer="ppo", baseline="none"),
    "RLOO": dict(trainer="rloo"),
    "GRPO": dict(trainer="grpo", loss_type="grpo", beta=0.04),
    "Dr. GRPO": dict(trainer="grpo", loss_type="dr_grpo", scale_rewards="none"),
    "DAPO": dict(trainer="grpo", loss_type="dapo", epsilon_high=0.28),
    "DAPO + dynamic sampling": dict(trainer="grpo", loss_type="dapo", epsilon_high=0.28, dynamic=True),
    "PPO": dict(trainer="ppo", baseline="value"),
}
DATA_RUNS = {"skewed": dict(mix="skewed"), "curriculum": dict(order="curriculum"),
             "prioritised": dict(order="prioritised")}
DATA_BASELINE = "DAPO"  # the algorithm whose settings the data runs use: their balanced, uniform baseline
RUNS = tuple(ALGORITHMS) + tuple(DATA_RUNS)

STEPS = (1, 2, 3, 4)  # lesson 3's RL step counts
POOL_PER_STEP = 16  # the balanced pool: 16 problems of each step count, 64 in all
SKEWED = {1: 34, 2: 16, 3: 9, 4: 5}  # the skewed pool: as many problems, most of them easy
REWARD_WEIGHTS = (1.0, 0.5)  # accuracy, format: lesson 3's
DYNAMIC_TRIES = 4  # fresh problems tried for a group that has no spread, before it is kept as it is
EVAL_PER_STEP = 3  # held-out problems per step count 1-8 for the final pass@k
EVAL_K = 64  # samples per held-out problem: pass@1 and pass@64 from the same samples


def algorithm_budget() -> RLBudget:
    """Lesson 6's budget: lesson 3's sampling (8 x 8 completions an update) for 20 updates; smoke
    mode shrinks it to lesson 3's smoke budget."""
    from .runtime import pick, smoke

    return rl_budget() if smoke() else dataclasses.replace(rl_budget(), updates=pick(20, 2))


def require_run(name: str) -> dict:
    """The settings of a run (an algorithm or a data run), or a ValueError that lists them."""
    if name in ALGORITHMS:
        return dict(ALGORITHMS[name])
    if name in DATA_RUNS:
        return {**ALGORITHMS[DATA_BASELINE], **DATA_RUNS[name]}
    raise ValueError(f"unknown run {name!r}: choose an algorithm {list(ALGORITHMS)} or a data run "
                     f"{list(DATA_RUNS)}")


# --- prompts ----------------------------------------------------------------------------------------------

def pool(mix: str = "balanced", seed: int = 0) -> list[dict]:
    """The training problems as RL rows (`chain_rl.rl_rows`, with an `id`): POOL_PER_STEP per step count
    ("balanced") or SKEWED's counts ("skewed"), the same number in all."""
    from .worlds.chain import make_problems
    from .worlds.chain_rl import rl_rows

    counts = {"balanced": {s: POOL_PER_STEP for s in STEPS}, "skewed": SKEWED}
    if mix not in counts:
        raise ValueError(f"unknown mix {mix!r}: choose 'balanced' or 'skewed'")
    problems = [p for s, n in counts[mix].items() for p in make_problems(n, s, "train", seed)]
    return [dict(row, id=i) for i, row in enumerate(rl_rows(problems))]


def prompt_sequence(rows: list[dict], updates: int, prompts_per_update: int, seed: int = 0,
                    order: str = "uniform") -> list[dict]:
    """The prompts of a run, update by update (`updates` x `prompts_per_update` rows): "uniform"
    goes through the pool in a fresh random order each epoch; "curriculum" takes the same rows and
    sorts them easy to hard (by step count, stable)."""
    rng = random.Random(seed)
    need, out = updates * prompts_per_update, []
    while len(out) < need:
        epoch = list(rows)
        rng.shuffle(epoch)
        out += epoch
    out = out[:need]
    if order == "curriculum":
        out = sorted(out, key=lambda r: r["steps"])
    elif order != "uniform":
        raise ValueError(f"unknown order {order!r}: choose 'uniform' or 'curriculum'")
    return out


def prioritised_draw(failure_rates: list[float], n: int, rng: random.Random) -> list[int]:
    """`n` indices drawn with replacement in proportion to `failure_rates` (Kimi K1.5: a problem is
    drawn in proportion to 1 - its success rate); all zero, every index equally likely."""
    if sum(failure_rates) <= 0:
        return [rng.randrange(len(failure_rates)) for _ in range(n)]
    return rng.choices(range(len(failure_rates)), weights=failure_rates, k=n)


class FailureTable:
    """Each problem's failed and total attempts, filled by `track` as trl scores completions.
    A problem not tried yet counts as failing (rate 1): every problem is tried early on."""

    def __init__(self, size: int):
        self.failed, self.tried = [0] * size, [0] * size
        self.seen: list[int] = []  # the problem of every completion scored, in order

    def rates(self) -> list[float]:
        return [f / t if t else 1.0 for f, t in zip(self.failed, self.tried)]

    def track(self, accuracy_fn):
        """`accuracy_fn` (a reward, 1 for right), that also records each scored completion by its
        problem's `id` column; its name stays the same, so trl logs it under the same key."""
        def tracked(completions, id, **kwargs):
            got = accuracy_fn(completions, **kwargs)
            for i, r in zip(id, got):
                self.seen.append(i)
                self.tried[i] += 1
                self.failed[i] += (r or 0) < 1
            return got
        tracked.__name__ = accuracy_fn.__name__
        return tracked


class PrioritisedSampler:
    """A sampler for trl's GRPOTrainer that draws each update's prompts with `prioritised_draw`
    from the failure rates *at that moment*, laid out as trl's RepeatSampler lays them out (each
    prompt `num_generations` times, each update's block `repeat` times). The data loader reads one
    update ahead, so the rates it draws from lag the training by an update."""

    def __init__(self, table: FailureTable, updates: int, prompts_per_update: int, num_generations: int,
                 repeat: int, seed: int = 0):
        self.table, self.updates, self.k, self.g, self.repeat = table, updates, prompts_per_update, num_generations, repeat
        self.rng = random.Random(seed)
        self.drawn: list[list[int]] = []

    def __iter__(self):
        for _ in range(self.updates):
            block = prioritised_draw(self.table.rates(), self.k, self.rng)
            self.drawn.append(block)
            for _ in range(self.repeat):
                for i in block:
                    yield from [i] * self.g

    def __len__(self) -> int:
        return self.updates * self.k * self.g * self.repeat


class DynamicSampling:
    """DAPO's dynamic sampling, as trl's `rollout_func`: sample the update's groups with the
    course's sampler; a group whose completions all earn the same total reward gets no advantage
    and no gradient, so replace it by a fresh problem's group (drawn from `rows`, up to `tries`
    problems) until one has spread. The replacement's columns (answer, steps, ...) go back to trl
    as extra fields, which trl hands to the reward functions instead of the dataset's. `sampled`
    counts every completion drawn, the discarded ones included: the cost of the method."""

    def __init__(self, rows: list[dict], reward_funcs, weights, tries: int = DYNAMIC_TRIES, seed: int = 0):
        self.rows, self.funcs, self.weights, self.tries = rows, reward_funcs, weights, tries
        self.by_prompt = {r["prompt"]: r for r in rows}
        self.rng, self.sampled, self.replaced, self.kept_flat = random.Random(seed), 0, 0, 0

    def _score(self, trainer, rows, completion_ids) -> list[float]:
        # trainer attributes a rollout reads: trl_internals.ROLLOUT_ATTRIBUTES (checked there)
        texts = trainer.processing_class.batch_decode(completion_ids, skip_special_tokens=True)
        cols = {c: [r[c] for r in rows] for c in rows[0] if c != "prompt"}
        total = [0.0] * len(texts)
        for fn, w in zip(self.funcs, self.weights):
            total = [t + w * float(s or 0) for t, s in zip(total, fn(texts, **cols))]
        return total

    def __call__(self, prompts, trainer) -> dict:
        from .sampler import grpo_rollout

        g = trainer.num_generations
        out = grpo_rollout(prompts, trainer)
        self.sampled += len(prompts)
        rows = [self.by_prompt[p] for p in prompts]
        prompt_ids, completion_ids = list(out["prompt_ids"]), list(out["completion_ids"])
        rewards = self._score(trainer, rows, completion_ids)
        for start in range(0, len(prompts), g):
            if len(set(rewards[start:start + g])) > 1:
                continue
            for _ in range(self.tries):
                row = self.rng.choice(self.rows)
                new = grpo_rollout([row["prompt"]] * g, trainer)
                self.sampled += g
                got = self._score(trainer, [row] * g, new["completion_ids"])
                if len(set(got)) > 1:
                    rows[start:start + g] = [row] * g
                    prompt_ids[start:start + g] = new["prompt_ids"]
                    completion_ids[start:start + g] = new["completion_ids"]
                    self.replaced += 1
                    break
            else:
                self.kept_flat += 1
        extra = {c: [r[c] for r in rows] for c in rows[0] if c != "prompt"}
        from .trl_internals import rollout_output

        return rollout_output(prompt_ids, completion_ids, logprobs=None, **extra)


# --- running ----------------------------------------------------------------------------------------------

def _stamp_callback(counter):
    """A trl callback that writes, into each logged row, the seconds since training began and the
    completions sampled so far (`counter()`)."""
    from transformers import TrainerCallback

    class Stamp(TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            self.start = time.perf_counter()

        def on_log(self, args, state, control, logs=None, **kw):
            if state.log_history and "loss" in state.log_history[-1]:
                state.log_history[-1].update(seconds=time.perf_counter() - self.start,
                                             completions=counter(state.global_step))
    return Stamp()


def _rloo(model, tok, data, funcs, budget, seed, callbacks, device: str = "cpu"):
    import tempfile

    from transformers.trainer_callback import PrinterCallback
    from trl import RLOOConfig, RLOOTrainer

    from .grpo import rl_fields

    # GRPO's fields from the same budget (grpo.rl_fields), two micro-batches as GRPO's default
    args = RLOOConfig(**rl_fields(budget, seed, device, logging_steps=1, output_dir=tempfile.mkdtemp(prefix="rloo-")),
                      shuffle_dataset=False, reward_weights=list(REWARD_WEIGHTS))
    trainer = RLOOTrainer(model=model, reward_funcs=funcs, args=args, train_dataset=data,
                          processing_class=tok, callbacks=callbacks)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    return trainer.state.log_history


def train_run(name: str, model, tokenizer, budget: RLBudget | None = None, seed: int = 0,
              device: str = "cpu") -> dict:
    """Train `model` (lesson 3's base, loaded from its folder) in place with run `name` (an
    algorithm of ALGORITHMS or a data run of DATA_RUNS) for `budget.updates` updates.

    Returns {'name', 'log' (per update, trl's metric names plus 'completions' sampled so far and
    'seconds' since training began), 'prompts' (the ids of the problems trained on, per update, as
    the accuracy reward saw them), 'seconds', 'sampled' (completions sampled in all) and 'dynamic'
    (dynamic sampling's groups swapped and kept flat, or None)}.
    """
    from datasets import Dataset

    from .rewards import accuracy_reward, format_reward
    from .runtime import seed_everything

    spec = require_run(name)
    budget = budget or algorithm_budget()
    if not isinstance(budget, RLBudget):
        raise TypeError(f"budget must be an RLBudget (lesson6_algorithms.algorithm_budget()), got {type(budget).__name__}")
    seed_everything(seed)
    rows = pool(spec.get("mix", "balanced"), seed)
    order = spec.get("order", "uniform")
    k, g, per = budget.prompts_per_update, budget.num_generations, budget.completions_per_update
    seq = rows if order == "prioritised" else prompt_sequence(rows, budget.updates, k, seed, order)
    data = Dataset.from_list(seq)
    table = FailureTable(len(rows))
    funcs = [table.track(accuracy_reward), format_reward]
    weights = list(REWARD_WEIGHTS)
    dynamic = DynamicSampling(rows, [accuracy_reward, format_reward], weights, seed=seed) if spec.get("dynamic") else None
    counter = (lambda step: dynamic.sampled) if dynamic else (lambda step: step * per)
    stamp = _stamp_callback(counter)
    t0 = time.perf_counter()
    if spec["trainer"] == "ppo":
        from . import ppo

        pb = ppo.PPOBudget(updates=budget.updates, prompts_per_update=k, num_generations=g, lr=budget.lr,
                           temperature=budget.temperature, max_completion_length=budget.max_completion_length,
                           micro_batches=2 if per % 2 == 0 else 1)
        log = ppo.train_ppo(model, tokenizer, data, funcs, pb, reward_weights=weights, seed=seed,
                            baseline=spec["baseline"], shuffle=False)["log_history"]
    elif spec["trainer"] == "rloo":
        log = _rloo(model, tokenizer, data, funcs, budget, seed, [stamp], device)
    else:
        from .grpo import grpo_config, grpo_trainer

        settings = {key: v for key, v in spec.items() if key not in ("trainer", "dynamic", "mix", "order")}
        args = grpo_config(budget, seed=seed, device=device, reward_weights=weights, shuffle_dataset=False,
                           **settings)
        trainer = grpo_trainer(model, tokenizer, data, funcs, args, callbacks=[stamp], device=device)
        from . import trl_internals

        if dynamic:
            trl_internals.set_rollout_func(trainer, dynamic)
        if order == "prioritised":
            sampler = PrioritisedSampler(table, budget.updates, k, g, args.steps_per_generation, seed)
            trl_internals.set_train_sampler(trainer, sampler)
        trainer.train()
        log = trainer.state.log_history
    model.eval()
    log = [r for r in log if "loss" in r]
    # the problems trained on, per update, as the reward saw them (dynamic sampling's replacements too)
    drawn = [table.seen[u * per:(u + 1) * per:g] for u in range(budget.updates)]
    return dict(name=name, log=log, prompts=drawn, seconds=time.perf_counter() - t0,
                sampled=dynamic.sampled if dynamic else budget.updates * per,
                dynamic=dict(replaced=dynamic.replaced, kept_flat=dynamic.kept_flat) if dynamic else None)


def state_megabytes(model, name: str) -> dict:
    """What a run holds in memory besides activations, counted (float32, AdamW): the policy's
    weights, gradients and two optimizer moments; the reference model's weights when beta > 0 (KL);
    PPO's value model with its gradients and moments. MB each, and the total."""
    from .models import n_params

    spec = require_run(name)
    mb = n_params(model) * 4 / 2**20
    out = {"policy": 4 * mb, "reference": mb if spec.get("beta") else 0.0,
           "value model": 4 * mb if spec.get("baseline") == "value" else 0.0}
    out["total"] = sum(out.values())
    return out


def evaluate(model, tokenizer, seed: int = 0, n_per_step: int | None = None, k: int | None = None) -> dict:
    """Held-out counts for the final pass@1 and pass@k: `n_per_step` problems of each step count 1-8
    (chain_rl.problems, the same for every run), `k` samples each (lesson 5's `sample_counts`)."""
    from .runtime import pick
    from .worlds.chain_rl import ALL_STEPS, problems, sample_counts

    n_per_step = n_per_step or pick(EVAL_PER_STEP, 1)
    k = k or pick(EVAL_K, 4)
    return sample_counts(model, tokenizer, problems(n_per_step, ALL_STEPS), n=k, seed=seed,
                         rows_per_batch=512)


def base_counts(model=None, tokenizer=None, seed: int = 0, folder=None, refresh: bool = False) -> list[dict]:
    """Held-out counts of lesson 3's base itself, before any RL: `evaluate` on the same problems with
    the same number of samples as every run, the reference Yue et al. measure RL against (the gap
    to the base's pass@k, at small and large k). The base is never trained here, so its counts are
    computed once and shipped in `folder` (data/checkpoints/06_base/counts.json), where the
    notebook reads them; with `refresh=True`, or when the file is missing, they are sampled again
    from `model` (lesson 3's base: a few minutes on a 2-core CPU, since the untrained base rarely
    stops before the token cap) and written there."""
    from pathlib import Path

    from .paths import CHECKPOINTS

    path = Path(folder or CHECKPOINTS / "06_base") / "counts.json"
    if path.exists() and not refresh:
        return json.loads(path.read_text())
    if model is None:
        raise FileNotFoundError(f"no {path}: pass lesson 3's base model (and its tokenizer) to sample the counts")
    counts = evaluate(model, tokenizer, seed=seed, n_per_step=EVAL_PER_STEP, k=EVAL_K)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(counts))
    return counts


def gap_to_base(counts: list[dict], base: list[dict], ks=(1, EVAL_K), kind: str = "path") -> dict:
    """{group: {k: pass@k of `counts` minus the base's}} at the trained lengths (1-4) and beyond
    (5-8): Yue et al.'s comparison (RL ahead at k = 1, the base catching up at large k). Each k
    must be at most the samples per problem of both."""
    from .sample_stats import in_group, pass_curve
    from .worlds.chain_rl import GROUPS

    out = {}
    for group, steps in GROUPS.items():
        mine, theirs = pass_curve(in_group(counts, steps), ks, kind), pass_curve(in_group(base, steps), ks, kind)
        out[group] = {k: mine[k] - theirs[k] for k in ks}
    return out


def summary(counts: list[dict]) -> dict:
    """pass@1 and pass@k (k the samples per problem), by answer and by the path, at the trained
    lengths (1-4 steps) and beyond them (5-8)."""
    from .sample_stats import in_group, pass_curve
    from .worlds.chain_rl import GROUPS

    k = counts[0]["n"]
    out = {}
    for group, steps in GROUPS.items():
        sub = in_group(counts, steps)
        for kind in ("right", "path"):
            curve = pass_curve(sub, ks=(1, k), kind=kind)
            out[f"pass@1 {kind} {group}"] = curve[1]
            out[f"pass@{k} {kind} {group}"] = curve[k]
    return out


def tail(log: list[dict], key: str, n: int | None = 5) -> float | None:
    """The mean of a logged metric over the last `n` updates, or over the whole run with n=None
    (None where never logged)."""
    vals = [r[key] for r in log if isinstance(r.get(key), (int, float)) and r[key] == r[key]]
    vals = vals[-n:] if n else vals
    return sum(vals) / len(vals) if vals else None


def versus(values: dict, baseline: dict) -> dict:
    """A run against a baseline over seeds ({seed: value} each, seeds paired: the same prompts and
    held-out problems). The difference counts as larger than the seed-to-seed spread when it has
    the same sign on every seed *and* its mean is larger than the baseline's own range over seeds.
    Returns the differences, their mean, the baseline's range and `beyond_spread`."""
    seeds = sorted(set(values) & set(baseline), key=str)
    if len(seeds) < 2:
        raise ValueError(f"need at least two seeds run by both, got {seeds}")
    diffs = [values[s] - baseline[s] for s in seeds]
    mean = sum(diffs) / len(diffs)
    spread = max(baseline[s] for s in seeds) - min(baseline[s] for s in seeds)
    same_sign = all(d > 0 for d in diffs) or all(d < 0 for d in diffs)
    return dict(seeds=seeds, diffs=diffs, mean=mean, spread=spread, beyond_spread=same_sign and abs(mean) > spread)
