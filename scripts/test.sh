#!/usr/bin/env bash
# Set up, then run the tests: the library's unit tests (with the README check, tests/test_readme.py),
# then every notebook under nbval in smoke mode (LESSONS_SMOKE=1 shrinks model, data and steps;
# their numbers go to runs/results/smoke/, nothing tracked changes). `.ci/run` calls this script.
# CI leaves out the tests marked `slow` (the whole base-model pretraining, 17-33 minutes) and
# `binder` (builds a Binder environment), so the whole script stays near 12 minutes on a fresh
# clone; run them by hand with `.venv/bin/python -m pytest -m slow` / `-m binder` (markers in
# pyproject.toml). Arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset LESSONS_REFERENCE LESSONS_RESULTS  # results go to runs/ (see lessons_lib/paths.py)
export TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HUB_OFFLINE=1 MPLBACKEND=Agg
# The unit tests run on every core (pytest-xdist, at most 4 workers; each test uses one thread).
.venv/bin/python -m pytest tests -q -n auto --maxprocesses 4 -m "not slow and not binder" "$@"
LESSONS_SMOKE=1 .venv/bin/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider \
  -q notebooks "$@"
