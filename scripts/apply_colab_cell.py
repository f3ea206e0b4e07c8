"""Write the Colab install cell (the first code cell) of every notebook, and constraints-colab.txt.

    .venv/bin/python scripts/apply_colab_cell.py            # all notebooks, and constraints-colab.txt
    .venv/bin/python scripts/apply_colab_cell.py NB ...     # only these notebooks (and the file)
    .venv/bin/python scripts/apply_colab_cell.py --check    # exit 1 if anything is out of date

On Colab the cell clones the course and pip-installs it with the versions CI tests. Colab's kernel
already has its own CUDA build of torch, which must stay (the CPU build the course pins would be
slower, and replacing torch under a running kernel breaks it): so the cell installs with
constraints-colab.txt, which is constraints.txt without torch, and pyproject.toml's torch
requirement is a lower bound that Colab's torch meets. Off Colab the cell does nothing.

Only the first code cell's source changes: its outputs, id and metadata, and every other cell,
stay as they are; the notebook is written in the form JupyterLab saves (scripts/notebook_form.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_form import ROOT, _read, notebooks, write_notebook  # noqa: E402

REPO_URL = "https://github.com/reasoning-course/reasoning-course"
CLONE = "/content/course"
CONSTRAINTS = ROOT / "constraints.txt"
COLAB_CONSTRAINTS = ROOT / "constraints-colab.txt"
COLAB_KEEPS = ("torch",)  # Colab's own builds, never constrained (never reinstalled)
MARKER = "# On Colab:"  # how the install cell starts


def _name(line: str) -> str:
    """The distribution name a requirement line starts with (lowercase, '_' as '-')."""
    import re

    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return m.group(1).lower().replace("_", "-").replace(".", "-") if m else ""


def colab_constraints(text: str | None = None) -> str:
    """constraints-colab.txt: constraints.txt's pins without torch (comments dropped)."""
    text = CONSTRAINTS.read_text() if text is None else text
    pins = [line.strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip() and _name(line) not in COLAB_KEEPS]
    head = ("# Written by scripts/apply_colab_cell.py from constraints.txt: do not edit.\n"
            "# The versions CI tests, without torch: the Colab install cell (the first code cell\n"
            "# of every notebook) installs the course with these, and Colab keeps its own CUDA torch.\n")
    return head + "\n".join(pins) + "\n"


def colab_cell(folder: str) -> str:
    """The install cell's source for a notebook in `folder` (relative to the root, e.g.
    'notebooks' or 'notebooks/solutions')."""
    return f'''{MARKER} fetch the course and install its library with the versions CI tests (all
# but torch: Colab keeps its own CUDA build). Does nothing anywhere else.
import os, sys
if "google.colab" in sys.modules:
    if not os.path.exists("{CLONE}"):
        os.system("git clone -q --depth 1 {REPO_URL} {CLONE}")
    os.system("pip install -q -c {CLONE}/{COLAB_CONSTRAINTS.name} -e {CLONE}")
    os.chdir("{CLONE}/{folder}")
    sys.path.insert(0, "{CLONE}")'''


def _folder(path: Path) -> str:
    return path.resolve().parent.relative_to(ROOT).as_posix()


def apply(path: Path, check: bool = False) -> bool:
    """Put the install cell in `path`; True if it was (or, with check, would be) changed."""
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or not code[0].source.startswith(MARKER):
        raise SystemExit(f"{path}: its first code cell is not the Colab install cell "
                         f"(it should start with {MARKER!r})")
    want = colab_cell(_folder(path))
    if code[0].source == want:
        return False
    if not check:
        code[0].source = want
        write_notebook(nb, path)
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date")
    args = ap.parse_args(argv)
    stale = []
    want = colab_constraints()
    if not COLAB_CONSTRAINTS.exists() or COLAB_CONSTRAINTS.read_text() != want:
        stale.append(COLAB_CONSTRAINTS.name)
        if not args.check:
            COLAB_CONSTRAINTS.write_text(want)
    for path in args.notebooks or notebooks():
        if apply(path, check=args.check):
            stale.append(str(path.resolve().relative_to(ROOT)))
    verb = "out of date" if args.check else "written"
    for s in stale:
        print(f"{verb}: {s}")
    if not stale:
        print("the Colab install cells and constraints-colab.txt are up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
