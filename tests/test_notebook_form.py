"""The committed notebooks are in the form JupyterLab saves (scripts/notebook_form.py), so opening
one in JupyterLab does not mark it modified and autosave does not rewrite it; --fix gets a notebook
there without changing its content."""
import json
from pathlib import Path

import nbformat
import pytest
from conftest import script

ROOT = Path(__file__).resolve().parent.parent


form = script("notebook_form")
NOTEBOOKS = form.notebooks()


def test_every_notebook_is_listed():
    assert len(NOTEBOOKS) >= 18
    assert all(p.suffix == ".ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_in_jupyterlab_form(nb):
    why = form.problems(nb)
    assert not why, (f"{nb.relative_to(ROOT)}: {'; '.join(why)}. Run "
                     f"`.venv/bin/python scripts/notebook_form.py --fix {nb.relative_to(ROOT)}`")


def _content(path):
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for c in nb["cells"]:
        text = "".join("".join(o["text"]) if isinstance(o.get("text"), list) else o.get("text", "")
                       for o in c.get("outputs", []))
        data = [o.get("data") for o in c.get("outputs", []) if o.get("data")]
        cells.append((c["cell_type"], "".join(c["source"]), text, json.dumps(data, sort_keys=True)))
    return cells


def test_fix_repairs_what_jupyterlab_would_rewrite_and_keeps_the_content(tmp_path):
    src = ROOT / "notebooks" / "solutions" / "00_solutions.ipynb"
    raw = json.loads(src.read_text(encoding="utf-8"))
    for c in raw["cells"]:
        c.pop("id", None)  # as an nbformat 4.4 writer leaves them
    code = next(c for c in raw["cells"] if c["cell_type"] == "code" and c.get("outputs"))
    code["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["a\n"]},
                       {"name": "stdout", "output_type": "stream", "text": ["b\n"]},
                       {"name": "stderr", "output_type": "stream", "text": ["c\n"]}]
    raw["metadata"]["kernelspec"]["display_name"] = "Python 3"
    raw["cells"][0]["source"] = ["# 0 · Solutions ünïcode\n"]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(raw, indent=2), encoding="utf-8")  # ASCII escapes, indent 2
    before = _content(path)
    why = " ".join(form.problems(path))
    assert "without an id" in why and "merges" in why and "kernelspec" in why
    assert form.main(["--check", str(path)]) == 1
    assert form.main(["--fix", str(path)]) == 0
    assert form.problems(path) == []
    assert form.main(["--check", str(path)]) == 0
    assert _content(path) == before  # sources, output text and data unchanged
    nb = nbformat.read(path, as_version=4)
    assert nb.nbformat_minor >= 5 and all(c.get("id") for c in nb.cells)
    assert [o["name"] for o in nb.cells[raw["cells"].index(code)].outputs] == ["stdout", "stderr"]
    text = path.read_text(encoding="utf-8")
    assert "ünïcode" in text and text.endswith("}\n")  # nbformat.write's JSON form
    again = path.read_text(encoding="utf-8")
    assert form.fix(path) is False and path.read_text(encoding="utf-8") == again  # idempotent


def test_json_form_alone_is_caught(tmp_path):
    src = ROOT / "notebooks" / "solutions" / "02_solutions.ipynb"
    path = tmp_path / "nb.ipynb"
    raw = json.loads(src.read_text(encoding="utf-8"))
    raw["metadata"]["kernelspec"] = form.KERNELSPEC
    path.write_text(json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=True) + "\n")
    nb = nbformat.read(path, as_version=4)
    form.write_notebook(nb, path)
    assert form.problems(path) == []
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")
    assert any("JSON" in w for w in form.problems(path))


def test_run_notebooks_writes_in_the_form():
    text = (ROOT / "scripts" / "run_notebooks.py").read_text()
    assert "write_notebook(nb, out)" in text and "nbformat.write(" not in text
