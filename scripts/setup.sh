#!/usr/bin/env bash
# Create the virtual environment .venv (if missing) and install the course into it, JupyterLab
# included (open the course with `.venv/bin/jupyter lab notebooks/`).
# CPU machines get the CPU build of torch (never the multi-GB CUDA build):
#   1. a CPU wheel already at hand (pip's find-links), offline;
#   2. else, on Linux without an NVIDIA GPU, PyTorch's CPU wheel index;
#   3. else (macOS, or a machine with nvidia-smi) the default build from PyPI.
# Set TORCH_INDEX_URL to force an index (e.g. https://download.pytorch.org/whl/cu128 for CUDA 12.8).
# Every version comes from constraints.txt (the versions CI tests), torch's included.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
TORCH="$(grep -E '^torch==' constraints.txt)"  # e.g. torch==2.13.0

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    "${PIP[@]}" install "$TORCH" --index-url "$TORCH_INDEX_URL"
  elif "${PIP[@]}" download -q --no-index --no-deps -d "$(mktemp -d)" "$TORCH" >/dev/null 2>&1; then
    echo "setup: installing $TORCH from a local CPU wheel"
    "${PIP[@]}" install -q "$TORCH"
  elif [ "$(uname)" = "Linux" ] && ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "setup: no GPU seen: installing the CPU build of $TORCH"
    "${PIP[@]}" install -q "$TORCH" --extra-index-url https://download.pytorch.org/whl/cpu
  else
    "${PIP[@]}" install -q "$TORCH"
  fi
fi
"${PIP[@]}" install -q -c constraints.txt -r requirements-dev.txt -e .
"$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
"$VENV/bin/python" - <<'PY'
import jupyterlab, torch, transformers, trl
print(f"setup: torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}, "
      f"jupyterlab {jupyterlab.__version__}")
PY
echo "setup: open the course with  $VENV/bin/jupyter lab notebooks/"
