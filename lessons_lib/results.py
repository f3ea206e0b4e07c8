"""A small JSON file of measured numbers per notebook (results/NN_name.json), and a table of them.

Each notebook ends by calling `save_results`; `scripts/course.sh` prints `results_table()` after
running them all, so the numbers of a headless run can be read without opening a notebook.
"""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from .paths import results_dir
from .runtime import smoke


def save_results(notebook: str, numbers: dict, folder: str | Path | None = None) -> Path:
    """Write `numbers` (JSON-serialisable) for `notebook` (e.g. '01_answer_only_sft')."""
    folder = Path(folder) if folder else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": notebook, "smoke": smoke(), "machine": platform.machine(),
               "written": time.strftime("%Y-%m-%d %H:%M:%S"), "numbers": numbers}
    path = folder / f"{notebook}.json"
    path.write_text(json.dumps(payload, indent=1, sort_keys=False, default=float) + "\n")
    return path


def load_results(notebook: str, folder: str | Path | None = None) -> dict:
    path = Path(folder or results_dir()) / f"{notebook}.json"
    if not path.exists():
        raise FileNotFoundError(f"no results for {notebook} at {path}: run that notebook first")
    return json.loads(path.read_text())["numbers"]


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def results_table(folder: str | Path | None = None) -> str:
    """Every notebook's numbers as a plain-text table: notebook, metric, value."""
    folder = Path(folder or results_dir())
    rows = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if "numbers" not in data:  # e.g. timings.json
            continue
        for k, v in _flatten(data["numbers"]).items():
            if isinstance(v, float):
                v = f"{v:.3f}"
            elif isinstance(v, list):
                v = ", ".join(f"{x:.3f}" if isinstance(x, float) else str(x) for x in v)
            rows.append((data["notebook"], k, str(v)))
    if not rows:
        return f"(no results in {folder})"
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    lines = [f"{'notebook':<{w0}}  {'metric':<{w1}}  value", "-" * (w0 + w1 + 9)]
    lines += [f"{a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in rows]
    return "\n".join(lines)
