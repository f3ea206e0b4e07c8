"""A small JSON file of measured numbers per notebook (NN_name.json), and a table of them.

Each notebook ends by calling `save_results`, which writes to `paths.results_dir()`: `runs/results/`
for a learner's run, `results/` (the committed reference the README is rendered from) only in a
maintainer's `scripts/run_notebooks.py --reference` run. `scripts/course.sh` prints
`results_table()` after running them all, so the numbers of a headless run can be read without
opening a notebook.
"""
from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Mapping
from pathlib import Path

from .paths import results_dir
from .runtime import smoke


def _plain(value, path: str):
    """`value` as plain JSON types, checked: every number finite, every key a string or a number.

    Mappings become dicts, tuples lists; numpy and torch scalars become Python numbers.
    """
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(f"{path} has the key {k!r} ({type(k).__name__}): JSON keys are "
                                "strings or numbers")
            out[k] = _plain(v, f"{path}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if not isinstance(value, float):
        try:  # numpy and torch scalars (a 0-d tensor, np.float32(0.5), np.int64(3))
            value = value.item() if hasattr(value, "item") else float(value)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{path} is of type {type(value).__name__} ({value!r}), which JSON "
                            "cannot hold: store numbers, strings, lists and dicts") from None
        if not isinstance(value, float):
            return _plain(value, path)
    if not math.isfinite(value):
        raise ValueError(f"{path} is {value}: JSON has no NaN or infinity, so the file would not "
                         "be valid. Store None for a number that was not measured, or find why the "
                         "computation gave it (e.g. a mean over nothing).")
    return value


def save_results(notebook: str, numbers: dict, folder: str | Path | None = None) -> Path:
    """Write `numbers` for `notebook` (e.g. '01_answer_only_sft') to results/<notebook>.json.

    `numbers` holds dicts, lists, strings and finite numbers (numpy and torch scalars are
    converted). A NaN or infinity raises a ValueError naming where it is, before anything is written.
    """
    if not isinstance(numbers, Mapping):
        raise TypeError(f"numbers must be a dict of results, got {type(numbers).__name__}")
    plain = _plain(numbers, "numbers")
    folder = Path(folder) if folder else results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": notebook, "smoke": smoke(), "machine": platform.machine(),
               "written": time.strftime("%Y-%m-%d %H:%M:%S"), "numbers": plain}
    path = folder / f"{notebook}.json"
    path.write_text(json.dumps(payload, indent=1, sort_keys=False, allow_nan=False) + "\n")
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


def save_runs(runs: dict, folder) -> None:
    """One JSON file per run (its log, prompts, counts, timings: no weights) in `folder`."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, run) in enumerate(runs.items()):
        (folder / f"{i:02d}_{_slug(name)}.json").write_text(json.dumps(dict(run, name=name)))


def load_runs(folder) -> dict:
    """The runs `save_runs` wrote, in their order; a clear error where there are none."""
    from pathlib import Path

    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no saved runs in {folder}: run the notebook with TRAIN = True, or fetch "
                                "the course's data/checkpoints/06_runs")
    runs = [json.loads(f.read_text()) for f in files]
    return {r["name"]: r for r in runs}


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
