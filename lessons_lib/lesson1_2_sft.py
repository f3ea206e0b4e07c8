"""Lessons 1 and 2: the SFT budget they share (`SFTBudget`, `lesson_budget()`).

The two lessons train the same tiny model on the same chain-world problems for the same batch size;
only the target differs (the answer alone, or the worked steps and the answer). Each format gets its
own updates, learning rate and schedule, measured so neither side of the comparison loses to a bad
setting; `budget.training(fmt)` hands one format's `sft.SFTSettings` to `train_sft`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from .sft import MAX_SFT_UPDATES, SCHEDULES, SFTSettings


def _frozen(name: str, value, key_type: type, value_type: type) -> Mapping:
    """A read-only copy of a {key: value} field, checked entry by entry."""
    if not isinstance(value, Mapping) or not value:
        raise TypeError(f"SFTBudget.{name} must be a non-empty dict, got {value!r}")
    for k, v in value.items():
        if not isinstance(k, key_type) or isinstance(k, bool):
            raise TypeError(f"SFTBudget.{name} has the key {k!r}: keys must be {key_type.__name__}s")
        if value_type is int and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
            raise ValueError(f"SFTBudget.{name}[{k!r}] must be a positive int, got {v!r}")
    return MappingProxyType(dict(value))


# The budget of lessons 1 and 2: the same problems, the same model and batch size. Short problems are
# plentiful and long ones rarer, as in real data; problems of 5-6 steps are never trained on. Each
# format gets its own updates and learning rate, so that neither side of the comparison loses to a
# bad setting: CoT reached 0.99+ held-out at 2e-3 and 3e-3 in a sweep (bench/lr_sweep.json, seed
# 0); answer-only gets the budget it needs to learn 1-step problems on every seed (lesson 1's
# target: 0.85 held-out at 1 step on seeds 0, 1 and 2, bench/seeds.json), from the trials in
# bench/answer_only_trials.json: at 3e-3 with 200 warmup updates seeds 1 and 2 stayed on the early
# plateau (0.11 after 2400 updates), at 2e-3 with 500 warmup updates seed 1 left it (0.89 after
# 1500, 0.96 after 2000); 1e-3 (cosine) was at 0.60 after 2500. Notebook 02 compares the two at
# equal tokens.
@dataclasses.dataclass(frozen=True)
class SFTBudget:
    """The SFT budget of lessons 1-2. Make a variant with `dataclasses.replace(budget, ...)`.

    train_problems                 {step count: training problems of that many steps}
    updates                        {format: optimizer updates}, formats 'answer_only' and 'cot'
    batch_size                     examples per update
    lr                             {format: learning rate}
    test_problems_per_step_count   held-out problems per step count
    test_step_counts               the step counts measured (5 and 6 are longer than any trained)

    The dict fields are read-only (no caller can change another's budget); every field is checked
    when a budget is made, so a misspelt or out-of-range field raises at once.
    """

    train_problems: Mapping = dataclasses.field(
        default_factory=lambda: {1: 700, 2: 700, 3: 250, 4: 250})
    updates: Mapping = dataclasses.field(default_factory=lambda: {"answer_only": 2400, "cot": 1200})
    batch_size: int = 64
    lr: Mapping = dataclasses.field(default_factory=lambda: {"answer_only": 2e-3, "cot": 2e-3})
    test_problems_per_step_count: int = 200
    test_step_counts: tuple = (1, 2, 3, 4, 5, 6)
    schedule: Mapping = dataclasses.field(
        default_factory=lambda: {"answer_only": "constant_with_warmup", "cot": "cosine"})
    warmup_updates: Mapping = dataclasses.field(default_factory=lambda: {"answer_only": 500, "cot": 60})

    def __post_init__(self):
        from .formats import FORMATS
        from .runtime import require_int, require_lr, require_updates
        from .worlds.chain import MAX_STEPS, MIN_STEPS

        def set_(name, v):  # the dataclass is frozen: fields are set once, here
            object.__setattr__(self, name, v)

        set_("train_problems", _frozen("train_problems", self.train_problems, int, int))
        bad = [s for s in self.train_problems if not MIN_STEPS <= s <= MAX_STEPS]
        if bad:
            raise ValueError(f"SFTBudget.train_problems has step counts {bad}: problems have "
                             f"{MIN_STEPS} to {MAX_STEPS} steps")
        set_("updates", _frozen("updates", self.updates, str, int))
        set_("lr", _frozen("lr", self.lr, str, float))
        set_("schedule", _frozen("schedule", self.schedule, str, str))
        set_("warmup_updates", _frozen("warmup_updates", self.warmup_updates, str, int))
        for name in ("updates", "lr", "schedule", "warmup_updates"):
            if set(getattr(self, name)) != set(FORMATS):
                raise ValueError(f"SFTBudget.{name} needs one entry per format {FORMATS}, "
                                 f"got {sorted(getattr(self, name))}")
        for fmt in FORMATS:
            require_updates(self.updates[fmt], MAX_SFT_UPDATES, name=f"SFTBudget.updates[{fmt!r}]")
            require_lr(self.lr[fmt], example="2e-3")
        for fmt, name in self.schedule.items():
            if name not in SCHEDULES:
                raise ValueError(f"SFTBudget.schedule[{fmt!r}] is {name!r}: choose one of {SCHEDULES}")
        require_int(self.batch_size, "SFTBudget.batch_size")
        require_int(self.test_problems_per_step_count, "SFTBudget.test_problems_per_step_count")
        counts = tuple(self.test_step_counts) if not isinstance(self.test_step_counts, str) else ()
        if not counts or any(not isinstance(s, int) or isinstance(s, bool)
                             or not MIN_STEPS <= s <= MAX_STEPS for s in counts):
            raise ValueError(f"SFTBudget.test_step_counts must be step counts from {MIN_STEPS} to "
                             f"{MAX_STEPS}, e.g. (1, 2, 3, 4, 5, 6); got {self.test_step_counts!r}")
        set_("test_step_counts", counts)

    def __repr__(self):  # dicts as dicts, not mappingproxy({...})
        fields = ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return "SFTBudget(" + ", ".join(
            f"{k}={dict(v) if isinstance(v, Mapping) else v!r}" for k, v in fields) + ")"

    def smoke(self) -> SFTBudget:
        """The smoke-mode variant (CI): few problems and updates, the same learning rates."""
        return dataclasses.replace(self, train_problems={1: 40, 2: 40, 3: 40, 4: 40},
                                   updates={"answer_only": 30, "cot": 30}, batch_size=32,
                                   test_problems_per_step_count=20,
                                   warmup_updates={"answer_only": 2, "cot": 2})

    def training(self, fmt: str) -> SFTSettings:
        """The SFT settings of format `fmt`: its updates, the batch size, its learning rate and
        schedule, e.g. `train_sft(model, tok, records, budget.training("cot"), seed=0)`."""
        from .formats import FORMATS

        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: choose one of {FORMATS}")
        return SFTSettings(self.updates[fmt], self.batch_size, self.lr[fmt], self.schedule[fmt],
                           self.warmup_updates[fmt])

    def to_dict(self) -> dict:
        """The budget as plain dicts and lists (for JSON)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = dict(v) if isinstance(v, Mapping) else list(v) if isinstance(v, tuple) else v
        return out


def lesson_budget() -> SFTBudget:
    """The SFT budget of lessons 1-2 (its smoke variant when LESSONS_SMOKE=1)."""
    from .runtime import for_mode

    return for_mode(SFTBudget())
