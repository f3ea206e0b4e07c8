"""Where things live: shipped data, trained models, per-notebook results.

Results (the numbers each notebook measures, `results.save_results`) go to:

    runs/results/           by default: a learner's runs (Jupyter, scripts/course.sh); not tracked
    results/                only with LESSONS_REFERENCE=1, which `scripts/run_notebooks.py
                            --reference` sets: the committed reference run of the course
    $LESSONS_RESULTS        anywhere else, if set (the benchmark points it at a temporary folder);
                            a relative path is taken from the repository root

so running the course never overwrites the reference numbers the repository ships. Smoke runs
(LESSONS_SMOKE=1) write under a `smoke/` subfolder of runs/results/ or results/, and of models/,
so a CI or test run never overwrites the models and numbers of a full run.
"""
from __future__ import annotations

import os
from pathlib import Path

from .runtime import smoke

ROOT = Path(os.environ.get("LESSONS_ROOT", Path(__file__).resolve().parent.parent))
DATA = ROOT / "data"
CHECKPOINTS = DATA / "checkpoints"  # small trained models the course ships (skip a training cell)
REFERENCE_ENV = "LESSONS_REFERENCE"  # 1: write the committed reference results (maintainers)
RESULTS_ENV = "LESSONS_RESULTS"  # a folder: write results there instead


def reference() -> bool:
    """True when LESSONS_REFERENCE is 1/true/yes/on: this run writes the committed results/."""
    return os.environ.get(REFERENCE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def models_dir() -> Path:
    return ROOT / "models" / ("smoke" if smoke() else "")


def reference_results_dir() -> Path:
    """The committed reference results (results/), whatever this run writes to."""
    return ROOT / "results"


def results_dir() -> Path:
    """Where this run's results go: $LESSONS_RESULTS, else results/ for a reference run (see
    `reference()`), else runs/results/; the last two with a smoke/ subfolder in smoke mode."""
    override = os.environ.get(RESULTS_ENV, "").strip()
    if override:
        path = Path(override).expanduser()
        return path if path.is_absolute() else ROOT / path
    base = reference_results_dir() if reference() else ROOT / "runs" / "results"
    return base / ("smoke" if smoke() else "")


def find_model(name: str) -> Path:
    """The freshest copy of model `name`: trained in this checkout, else the shipped one."""
    for p in (models_dir() / name, CHECKPOINTS / name):
        if (p / "config.json").exists():
            return p
    raise FileNotFoundError(
        f"no model {name!r}: looked in {models_dir() / name} and {CHECKPOINTS / name}. "
        f"Run the notebook that trains it first."
    )
