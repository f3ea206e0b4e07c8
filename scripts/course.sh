#!/usr/bin/env bash
# Set up, then run the whole course headless on the tiny default (full mode), then print the
# numbers each notebook measured as one table. Nothing tracked is touched: the executed notebooks
# go to runs/notebooks/, their numbers and timings to runs/results/ (compare them with the
# reference in results/). `scripts/course.sh 01 02` runs only those notebooks.
# Maintainers regenerate the committed notebooks and results/ with
#   .venv/bin/python scripts/run_notebooks.py --reference
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset LESSONS_SMOKE LESSONS_REFERENCE
.venv/bin/python scripts/run_notebooks.py "$@"
