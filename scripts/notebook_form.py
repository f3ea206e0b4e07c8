"""Keep the committed notebooks in the form JupyterLab saves them, so opening one does not mark it
modified and autosave does not rewrite it.

    .venv/bin/python scripts/notebook_form.py --check          # exit 1, listing what is off
    .venv/bin/python scripts/notebook_form.py --fix            # rewrite those in place
    .venv/bin/python scripts/notebook_form.py --fix NB ...     # only these notebooks

Why a committed notebook got rewritten (read from JupyterLab 4 and jupyter_server in .venv):

* The kernelspec. When the kernel starts, JupyterLab writes the kernel's spec into the notebook's
  metadata (`{name, display_name, language}`, from the kernel.json that `ipykernel install`
  wrote); if that differs from what the file holds, the notebook is modified, and autosave (every
  2 minutes) saves it. The notebooks said "Python 3"; `ipykernel install` (scripts/setup.sh,
  Binder's image) names the kernel "Python 3 (ipykernel)".
* What a save writes. jupyter_server saves with `nbformat.write` (indent 1, sorted keys, UTF-8
  text rather than \\u escapes, a trailing newline); a file written another way (json.dump with
  ASCII escapes, say) comes back different in every line. Cells without an id (nbformat 4.5 wants
  one) get a new random id, and JupyterLab merges consecutive stream outputs of the same name
  (stdout, stdout) into one when it loads a notebook, so a save writes them merged.

The form: nbformat 4.5, every cell with an id, consecutive streams of one name merged, the
kernelspec `ipykernel install` writes, and nbformat.write's JSON. --fix changes nothing else:
sources, outputs (their text) and all other metadata stay. scripts/run_notebooks.py and
scripts/apply_colab_cell.py write notebooks through `write_notebook`, in this form.
"""
from __future__ import annotations

import argparse
import copy
import sys
import uuid
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# what `python -m ipykernel install --name python3` writes, and JupyterLab copies into the notebook
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
MINOR = 5  # nbformat 4.5: cells have ids


def notebooks() -> list[Path]:
    """Every committed notebook: the lessons, then their solutions."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + \
        sorted((NOTEBOOKS / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _text(t) -> str:
    return "".join(t) if isinstance(t, list) else t


def merge_streams(outputs: list) -> list:
    """Consecutive stream outputs of one name (stdout, stdout) as one, as JupyterLab loads them."""
    out = []
    for o in outputs:
        if o.get("output_type") == "stream" and out and out[-1].get("output_type") == "stream" \
                and out[-1].get("name") == o.get("name"):
            out[-1]["text"] = _text(out[-1]["text"]) + _text(o["text"])
        else:
            out.append(o)
    return out


def normal_form(nb):
    """A copy of notebook `nb` (a NotebookNode) in the form JupyterLab saves."""
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 0), MINOR)
    seen = set()
    for cell in nb.cells:
        cid = cell.get("id")
        if not cid or cid in seen:
            cid = uuid.uuid4().hex[:8]
            while cid in seen:
                cid = uuid.uuid4().hex[:8]
            cell["id"] = cid
        seen.add(cid)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.get("outputs", []))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


def dumps(nb) -> str:
    """The file's text, exactly as jupyter_server writes it (nbformat.write)."""
    s = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return s if s.endswith("\n") else s + "\n"


def write_notebook(nb, path: Path) -> None:
    """Write `nb` to `path` in the form JupyterLab saves."""
    Path(path).write_text(dumps(normal_form(nb)), encoding="utf-8")


def _read(path: Path):
    import warnings

    with warnings.catch_warnings():  # a missing id is what --fix repairs
        warnings.simplefilter("ignore")
        return nbformat.read(path, as_version=4)


def problems(path: Path) -> list[str]:
    """How `path` differs from the form (empty if it is in it)."""
    import json

    text = Path(path).read_text(encoding="utf-8")
    raw = json.loads(text)
    why = []
    if (raw.get("nbformat"), raw.get("nbformat_minor", 0)) < (4, MINOR):
        why.append(f"nbformat {raw.get('nbformat')}.{raw.get('nbformat_minor')} (not 4.{MINOR})")
    missing = sum(1 for c in raw.get("cells", []) if not c.get("id"))
    if missing:
        why.append(f"{missing} cells without an id")
    merged = sum(len(c.get("outputs", [])) - len(merge_streams(copy.deepcopy(c.get("outputs", []))))
                 for c in raw.get("cells", []) if c.get("cell_type") == "code")
    if merged:
        why.append(f"{merged} stream outputs that JupyterLab merges with the one before")
    if raw.get("metadata", {}).get("kernelspec") != KERNELSPEC:
        why.append(f"kernelspec {raw.get('metadata', {}).get('kernelspec')}, not the one JupyterLab "
                   f"writes when the kernel starts, {KERNELSPEC}")
    if not why and text != dumps(_read(path)):
        why.append("JSON not in nbformat.write's form (indent 1, sorted keys, UTF-8, final newline)")
    return why


def fix(path: Path) -> bool:
    """Rewrite `path` in the form; True if it changed. Sources and output text stay as they were."""
    before = Path(path).read_text(encoding="utf-8")
    old = _read(path)
    new = normal_form(old)
    for a, b in zip(old.cells, new.cells, strict=True):
        assert a.source == b.source and a.cell_type == b.cell_type
        if a.cell_type == "code":
            texts = lambda c: [(o.get("output_type"), o.get("name"), _text(o.get("text", "")),  # noqa: E731
                                o.get("data")) for o in c.outputs]
            assert "".join(t[2] for t in texts(a)) == "".join(t[2] for t in texts(b))
            assert [t[3] for t in texts(a) if t[3]] == [t[3] for t in texts(b) if t[3]]
    after = dumps(new)
    if after != before:
        Path(path).write_text(after, encoding="utf-8")
    return after != before


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="default: every committed notebook")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 listing notebooks not in form")
    mode.add_argument("--fix", action="store_true", help="rewrite them in place")
    args = ap.parse_args(argv)
    paths = args.notebooks or notebooks()
    bad = 0
    for p in paths:
        name = p.resolve().relative_to(ROOT) if p.resolve().is_relative_to(ROOT) else p
        if args.check:
            why = problems(p)
            if why:
                bad += 1
                print(f"{name}: " + "; ".join(why))
        elif fix(p):
            print(f"rewritten: {name}")
    if args.check and bad:
        print(f"{bad} notebook(s) not in the form JupyterLab saves: run "
              "`.venv/bin/python scripts/notebook_form.py --fix`")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
