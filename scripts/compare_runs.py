"""Do two checkouts compute the same numbers? Compare what a full learner's run wrote in each.

    # run the notebooks in each checkout first (the same machine, one after the other):
    (cd OLD && PYTHONPATH=$PWD .venv/bin/python scripts/run_notebooks.py --out runs/cmp)
    (cd NEW && PYTHONPATH=$PWD .venv/bin/python scripts/run_notebooks.py --out runs/cmp)
    .venv/bin/python scripts/compare_runs.py OLD NEW --out bench/restructure_same_numbers.json

Compares, checkout against checkout: every results file (runs/results/*.json) key by key, every
trained model's weights (models/*/model.safetensors) byte by byte, and every saved training log
(models/*_runs/*.json) entry by entry. Keys that hold a time, a speed, a peak memory or a date are
listed apart (they differ from run to run); anything else that differs is a changed number. Floating
point depends on the CPU's kernels, so only runs on one machine can be compared: a run here does not
reproduce the committed reference run's numbers digit for digit on a different CPU, even with the
same code.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
from collections import Counter
from pathlib import Path

# a key that holds a time, a speed, a peak memory or a date: matched against each key of a path on its
# own, so a key that only names something ("second SFT (4)") does not hide a number under it
TIMING = re.compile(r"(.*_)?seconds?(_.*)?|.*_s|.*_per_second|.*_per_update|.*runtime|step_time|.*peak.*|.*_mb|written")


def _is_timing(path: str) -> bool:
    return any(TIMING.fullmatch(key) for key in re.split(r"\.|\[\]", path) if key)


def _diffs(a, b, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str) for d in _diffs(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diffs(x, y, f"{path}[{i}]")]
    return [] if a == b else [path]


def _split(paths: list[str]) -> tuple[list[str], list[str]]:
    kinds = Counter(re.sub(r"\[\d+\]", "[]", p) for p in paths)
    timing = sorted(k for k in kinds if _is_timing(k))
    return timing, sorted(k for k in kinds if k not in timing)


def compare(old: Path, new: Path) -> dict:
    out = {"results": {}, "models": {}, "logs": {}}
    for f in sorted((new / "runs/results").glob("*.json")):
        other = old / "runs/results" / f.name
        if other.exists():
            timing, changed = _split(_diffs(json.loads(other.read_text()), json.loads(f.read_text())))
            out["results"][f.name] = {"changed": changed, "timing_only": timing}
    for f in sorted((new / "models").glob("*/model.safetensors")):
        other = old / "models" / f.parent.name / f.name
        if other.exists():
            same = hashlib.sha256(f.read_bytes()).digest() == hashlib.sha256(other.read_bytes()).digest()
            out["models"][f.parent.name] = "identical" if same else "different"
    for f in sorted((new / "models").glob("*_runs/*.json")):
        other = old / "models" / f.parent.name / f.name
        if other.exists():
            timing, changed = _split(_diffs(json.loads(other.read_text()), json.loads(f.read_text())))
            out["logs"][f"{f.parent.name}/{f.name}"] = {"changed": changed, "timing_only": timing}
    changed = [n for n, r in {**out["results"], **out["logs"]}.items() if r["changed"]]
    changed += [n for n, r in out["models"].items() if r != "identical"]
    out["summary"] = dict(results_files=len(out["results"]), models=len(out["models"]), logs=len(out["logs"]),
                          changed=changed, same_numbers=not changed)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--note", default="", help="what the two checkouts are (written to the JSON)")
    args = ap.parse_args(argv)
    report = dict(note=args.note, machine=f"{platform.machine()}, {platform.processor() or 'cpu'}",
                  **compare(args.old, args.new))
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(json.dumps(report["summary"], indent=1))
    return 0 if report["summary"]["same_numbers"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
