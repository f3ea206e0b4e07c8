#!/usr/bin/env bash
# Copy the models (or run logs) a full run of the notebooks saved (models/NAME) to data/checkpoints/NAME, the copies
# the course ships for `TRAIN = False` and for lessons that start from another lesson's model.
#   .venv/bin/python scripts/run_notebooks.py --reference 01 02 03 && bash scripts/ship_checkpoints.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for name in "${@:-01_answer_only 02_cot_sft 03_numbers_rl}"; do
  for n in $name; do
    src="models/$n"
    # a model folder (config.json), or a folder of run logs only (lesson 6's 06_runs)
    [ -f "$src/config.json" ] || compgen -G "$src/*.json" >/dev/null || {
      echo "no $src/config.json (or run logs): run the notebook that trains $n (full mode) first" >&2; exit 1; }
    mkdir -p "data/checkpoints/$n"
    find "$src" -maxdepth 1 -type f ! -name training_args.bin -exec cp {} "data/checkpoints/$n/" \;
    echo "shipped $src -> data/checkpoints/$n ($(du -sh "data/checkpoints/$n" | cut -f1))"
  done
done
