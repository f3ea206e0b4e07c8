"""Where things live: shipped data, trained models, per-notebook results.

Smoke runs (LESSONS_SMOKE=1) write under a `smoke/` subfolder, so a CI or test run never overwrites
the models and numbers of a full run.
"""
from __future__ import annotations

import os
from pathlib import Path

from .runtime import smoke

ROOT = Path(os.environ.get("LESSONS_ROOT", Path(__file__).resolve().parent.parent))
DATA = ROOT / "data"
CHECKPOINTS = DATA / "checkpoints"  # small trained models the course ships (skip a training cell)


def models_dir() -> Path:
    return ROOT / "models" / ("smoke" if smoke() else "")


def results_dir() -> Path:
    return ROOT / "results" / ("smoke" if smoke() else "")


def find_model(name: str) -> Path:
    """The freshest copy of model `name`: trained in this checkout, else the shipped one."""
    for p in (models_dir() / name, CHECKPOINTS / name):
        if (p / "config.json").exists():
            return p
    raise FileNotFoundError(
        f"no model {name!r}: looked in {models_dir() / name} and {CHECKPOINTS / name}. "
        f"Run the notebook that trains it first."
    )
