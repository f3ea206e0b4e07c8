#!/usr/bin/env bash
# Set up, then run the whole course headless on the tiny default (full mode): every notebook is
# executed in place (the executed copies are what you commit), then the numbers each notebook
# measured (results/NN_name.json) are printed as one table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset LESSONS_SMOKE
.venv/bin/python scripts/run_notebooks.py "$@"
