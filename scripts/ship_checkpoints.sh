#!/usr/bin/env bash
# Copy the models a full run of the notebooks saved (models/NAME) to data/checkpoints/NAME, the copies
# the course ships for `TRAIN = False` and for lessons that start from another lesson's model.
#   .venv/bin/python scripts/run_notebooks.py --reference 01 02 03 && bash scripts/ship_checkpoints.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for name in "${@:-01_answer_only 02_cot_sft 03_rl}"; do
  for n in $name; do
    src="models/$n"
    [ -f "$src/config.json" ] || { echo "no $src/config.json: run the notebook that trains $n (full mode) first" >&2; exit 1; }
    mkdir -p "data/checkpoints/$n"
    find "$src" -maxdepth 1 -type f ! -name training_args.bin -exec cp {} "data/checkpoints/$n/" \;
    echo "shipped $src -> data/checkpoints/$n ($(du -sh "data/checkpoints/$n" | cut -f1))"
  done
done
