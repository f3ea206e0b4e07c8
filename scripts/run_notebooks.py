"""Execute the course's notebooks headless, measure each one, and print the results table.

    python scripts/run_notebooks.py                 # every notebook, full mode (a learner's run)
    python scripts/run_notebooks.py 01 02           # only notebooks whose name starts with these
    LESSONS_SMOKE=1 python scripts/run_notebooks.py # smoke mode (minutes in all)
    python scripts/run_notebooks.py --out DIR       # the executed copies in DIR
    python scripts/run_notebooks.py --reference     # maintainers: the committed reference run

A learner's run never touches a tracked file: the executed copies go to runs/notebooks/ (smoke:
runs/notebooks/smoke/) and the numbers each notebook saves, with the timings, to runs/results/
(smoke: runs/results/smoke/; see lessons_lib/paths.py). `--reference` executes the notebooks in
place and sets LESSONS_REFERENCE=1, so their numbers go to the committed results/ and the timings
to results/timings.json: the run the repository ships (and the README is rendered from).

Each notebook (lessons, then notebooks/solutions/) runs in its own process so that its wall time
and its kernel's peak memory (resident set size) are measured alone; both go to timings.json in
the results folder, which bench/benchmark.py and scripts/render_readme.py read.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from notebook_form import write_notebook  # noqa: E402


def select_notebooks(prefixes: list[str] | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    """Lessons, then solutions, each sorted; with prefixes, only names starting with one of them."""
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    found += sorted((folder / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


def notebooks(prefixes: list[str]) -> list[Path]:
    found = select_notebooks(prefixes)
    if prefixes and not found:
        sys.exit(f"no notebook starts with {prefixes}; see notebooks/")
    return found


def machine() -> str:
    """The machine, as bench/report.json names it (the README says where its figures come from)."""
    return f"{platform.machine()}, {os.cpu_count()} cores"


def run_one(path: Path, out: Path, timeout: int) -> None:
    """Execute one notebook (in this process; the kernel is our child), then report its cost."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    # the kernel starts in the notebook's own folder, wherever the executed copy is written
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    error = None
    try:
        client.execute()
    except Exception as e:  # keep the partial notebook, then report
        error = f"{type(e).__name__}: {str(e)[-2000:]}"
    wall = time.perf_counter() - t0
    out.parent.mkdir(parents=True, exist_ok=True)
    write_notebook(nb, out)  # in the form JupyterLab saves (scripts/notebook_form.py)
    from lessons_lib.runtime import lifetime_peak_mb

    print(json.dumps({"wall_s": round(wall, 1), "peak_rss_mb": round(lifetime_peak_mb(children=True), 1),  # the kernel's
                      "error": error}))


def out_folder(args, smoke: bool) -> Path | None:
    """Where the executed copies go: None for in place (--reference)."""
    if args.reference:
        return None
    if args.out:
        return Path(args.out).resolve()
    return ROOT / "runs" / "notebooks" / ("smoke" if smoke else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefixes", nargs="*", help="run only notebooks whose names start with these")
    ap.add_argument("--out", help="folder for the executed copies (default: runs/notebooks/)")
    ap.add_argument("--reference", action="store_true",
                    help="maintainers: execute in place, numbers to results/ and timings to "
                         "results/timings.json (the committed reference run; full mode only)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--one-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        run_one(Path(args.one), Path(args.one_out), args.timeout)
        return 0

    from lessons_lib.runtime import smoke

    if args.reference:
        if args.out:
            ap.error("--reference executes the notebooks in place; it takes no --out")
        if smoke():
            ap.error("--reference is the full-mode run the repository ships: unset LESSONS_SMOKE")
        if os.environ.get("LESSONS_RESULTS"):
            ap.error("--reference writes results/: unset LESSONS_RESULTS")
        os.environ["LESSONS_REFERENCE"] = "1"  # for results_dir() here and in every kernel
    else:
        os.environ.pop("LESSONS_REFERENCE", None)  # a stray export must not touch results/

    from lessons_lib.paths import results_dir
    from lessons_lib.results import results_table

    folder = results_dir()
    out_dir = out_folder(args, smoke())
    env = dict(os.environ, TQDM_DISABLE="1", HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_OFFLINE="1")
    timings, failed = {}, []
    for nb in notebooks(args.prefixes):
        out = nb if out_dir is None else out_dir / nb.relative_to(NOTEBOOKS)
        print(f"running {nb.relative_to(ROOT)} ...", flush=True)
        proc = subprocess.run([sys.executable, __file__, "--one", str(nb), "--one-out", str(out),
                               "--timeout", str(args.timeout)], env=env, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            failed.append(nb.name)
            continue
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        timings[nb.stem] = dict(info, smoke=smoke(), machine=machine(),
                                written=time.strftime("%Y-%m-%d %H:%M:%S"))
        status = "FAILED: " + info["error"] if info["error"] else "ok"
        print(f"  {info['wall_s']:7.1f} s  peak {info['peak_rss_mb']:7.1f} MB  {status}", flush=True)
        if info["error"]:
            failed.append(nb.name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "timings.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    old.update(timings)
    path.write_text(json.dumps(old, indent=1) + "\n")
    print(f"\nWhat each notebook measured ({_shown(folder)}):\n")
    print(results_table(folder))
    where = "in place" if out_dir is None else f"in {_shown(out_dir)}"
    print(f"\nexecuted notebooks {where}; timings in {_shown(path)}")
    if failed:
        print(f"\n{len(failed)} notebook(s) failed: {', '.join(failed)}")
        return 1
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
