"""Execute the course's notebooks headless, measure each one, and print the results table.

    python scripts/run_notebooks.py                 # every notebook, full mode, executed in place
    python scripts/run_notebooks.py 01 02           # only notebooks whose name starts with these
    LESSONS_SMOKE=1 python scripts/run_notebooks.py --out /tmp/nb   # smoke mode, copies elsewhere

Each notebook runs in its own process so that its wall time and its kernel's peak memory
(resident set size) are measured alone; both go to results/timings.json (results/smoke/ in smoke
mode), which the benchmark script reads.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def notebooks(prefixes: list[str]) -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    found += sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
        if not found:
            sys.exit(f"no notebook starts with {prefixes}; see notebooks/")
    return found


def run_one(path: Path, out: Path, timeout: int) -> None:
    """Execute one notebook (in this process; the kernel is our child), then report its cost."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    error = None
    try:
        client.execute()
    except Exception as e:  # keep the partial notebook, then report
        error = f"{type(e).__name__}: {str(e)[-2000:]}"
    wall = time.perf_counter() - t0
    nbformat.write(nb, out)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the kernel's peak RSS
    print(json.dumps({"wall_s": round(wall, 1), "peak_rss_mb": round(peak_kb / 1024, 1),
                      "error": error}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefixes", nargs="*", help="run only notebooks whose names start with these")
    ap.add_argument("--out", help="folder for the executed copies (default: in place)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--one-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        run_one(Path(args.one), Path(args.one_out), args.timeout)
        return 0

    from lessons_lib.paths import results_dir
    from lessons_lib.results import results_table

    env = dict(os.environ, TQDM_DISABLE="1", HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_OFFLINE="1")
    timings, failed = {}, []
    for nb in notebooks(args.prefixes):
        out = Path(args.out) / nb.name if args.out else nb
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"running {nb.relative_to(ROOT)} ...", flush=True)
        proc = subprocess.run([sys.executable, __file__, "--one", str(nb), "--one-out", str(out),
                               "--timeout", str(args.timeout)], env=env, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            failed.append(nb.name)
            continue
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        timings[nb.stem] = info
        status = "FAILED: " + info["error"] if info["error"] else "ok"
        print(f"  {info['wall_s']:7.1f} s  peak {info['peak_rss_mb']:7.1f} MB  {status}", flush=True)
        if info["error"]:
            failed.append(nb.name)
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    old = json.loads((folder / "timings.json").read_text()) if (folder / "timings.json").exists() else {}
    old.update(timings)
    (folder / "timings.json").write_text(json.dumps(old, indent=1) + "\n")
    print("\nWhat each notebook measured (" + str(folder.relative_to(ROOT)) + "):\n")
    print(results_table(folder))
    if failed:
        print(f"\n{len(failed)} notebook(s) failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
