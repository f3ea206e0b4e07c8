#!/usr/bin/env bash
# Set up, then run the tests: the library's unit tests (with the README check, tests/test_readme.py),
# then every notebook under nbval in smoke mode (LESSONS_SMOKE=1 shrinks model, data and steps;
# their numbers go to runs/results/smoke/, nothing tracked changes). `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset LESSONS_REFERENCE LESSONS_RESULTS  # results go to runs/ (see lessons_lib/paths.py)
export TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HUB_OFFLINE=1 MPLBACKEND=Agg
.venv/bin/python -m pytest tests -q "$@"
LESSONS_SMOKE=1 .venv/bin/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider \
  -q notebooks "$@"
