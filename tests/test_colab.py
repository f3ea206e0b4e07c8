"""Each notebook's first code cell installs the course on Colab with the versions CI tests, without
replacing Colab's torch.

The cell is run here with Colab's marker faked (`google.colab` in sys.modules) and os.system,
os.chdir and os.path.exists recording instead of acting; then the recorded commands are checked:
the repository is cloned, the course is pip-installed from the clone with constraints-colab.txt
(constraints.txt, the versions CI tests, without torch) and without anything that could swap torch
(no requirements.txt, which names torch; no torch; no --force-reinstall or -U), and
pyproject.toml's torch requirement is a lower bound that Colab's own torch satisfies. The cell is
the one scripts/apply_colab_cell.py writes, and constraints-colab.txt is what it derives from
constraints.txt; constraints.txt pins every dependency, and requirements.txt applies it.
"""
import re
import shlex
import sys
import tomllib
import types
from pathlib import Path

import nbformat
import pytest
from conftest import script
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = script("notebook_form").notebooks()
REPO_URL = "https://github.com/reasoning-course/reasoning-course"
CLONE = "/content/course"
COLAB_TORCH = ["2.8.0+cu126", "2.9.0+cu126"]  # what Colab's GPU runtimes have shipped lately
CONSTRAINTS = ROOT / "constraints.txt"
COLAB_CONSTRAINTS = ROOT / "constraints-colab.txt"


apply_colab_cell = script("apply_colab_cell")


def first_code_cell(nb: Path) -> str:
    cells = [c for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code"]
    assert cells, f"{nb.relative_to(ROOT)} has no code cell"
    return cells[0].source


class Recorder:
    def __init__(self, clone_exists: bool):
        self.calls: list[tuple[str, str]] = []
        self.clone_exists = clone_exists

    def system(self, cmd):
        self.calls.append(("system", cmd))
        return 0

    def chdir(self, path):
        self.calls.append(("chdir", str(path)))

    def exists(self, path):
        self.calls.append(("exists", str(path)))
        return self.clone_exists and str(path).rstrip("/") == CLONE

    def commands(self) -> list[list[str]]:
        return [shlex.split(c) for kind, c in self.calls if kind == "system"]


def run_cell(nb: Path, monkeypatch, colab: bool, clone_exists: bool = False) -> Recorder:
    """Run the cell with os.system/chdir/path.exists recording; the patches end with the cell."""
    import os

    rec = Recorder(clone_exists)
    source = first_code_cell(nb)
    with monkeypatch.context() as m:
        m.setattr(os, "system", rec.system)
        m.setattr(os, "chdir", rec.chdir)
        m.setattr(os.path, "exists", rec.exists)
        m.setattr(sys, "path", list(sys.path))  # the cell may insert the clone
        if colab:
            m.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        else:
            m.delitem(sys.modules, "google.colab", raising=False)
        try:
            exec(compile(source, f"{nb.name}[first code cell]", "exec"), {"__name__": "__main__"})
            error = None
        except Exception as e:  # noqa: BLE001 - any error means the cell is not the install cell
            error = e
        rec.clone_on_path = CLONE in sys.path
    if error is not None:
        pytest.fail(f"{nb.relative_to(ROOT)}: its first code cell is not the Colab install cell "
                    f"(running it with the Colab marker raised {type(error).__name__}: {error}):"
                    f"\n{source}")
    return rec


def is_pip_install(tokens: list[str]) -> bool:
    if "install" not in tokens:
        return False
    head = tokens[:tokens.index("install")]
    return any(Path(t).name in ("pip", "pip3") or t == "pip" for t in head)


def _name(nb: Path) -> str:
    return str(nb.relative_to(ROOT))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_installs_course_on_colab(nb, monkeypatch):
    rec = run_cell(nb, monkeypatch, colab=True)
    cmds = rec.commands()
    where = f"{_name(nb)}: first code cell"
    assert cmds, f"{where} runs no command with the Colab marker set: it is not the install cell"
    clones = [c for c in cmds if c[:2] == ["git", "clone"]]
    assert len(clones) == 1, f"{where} should clone the repository once, ran {cmds}"
    assert REPO_URL in clones[0] and clones[0][-1] == CLONE, \
        f"{where} should clone {REPO_URL} into {CLONE}, ran {clones[0]}"
    pips = [c for c in cmds if is_pip_install(c)]
    assert len(pips) == 1, f"{where} should pip-install the course once, ran {cmds}"
    pip = pips[0]
    assert cmds.index(clones[0]) < cmds.index(pip), f"{where} installs before it clones"
    # the course itself, from the clone (editable or not), so pip reads pyproject.toml's ranges
    assert CLONE in pip or f"{CLONE}/" in pip, f"{where}: pip does not install {CLONE}: {pip}"
    # nothing that could replace Colab's torch
    assert not any("requirements" in t for t in pip) and "-r" not in pip \
        and "--requirement" not in pip, \
        f"{where}: pip reads a requirements file (it names torch): {pip}"
    assert not any(re.match(r"^torch($|[^a-z])", t, re.I) for t in pip), \
        f"{where}: pip names torch: {pip}"
    for flag in ("--force-reinstall", "-U", "--upgrade", "--ignore-installed", "-I"):
        assert flag not in pip, \
            f"{where}: pip runs with {flag}, which can replace Colab's torch: {pip}"
    assert not any(t.startswith("--upgrade-strategy") for t in pip), f"{where}: {pip}"
    clusters = [t for t in pip if re.fullmatch(r"-[a-zA-Z]{2,}", t) and set(t) & set("UI")]
    assert not clusters, \
        f"{where}: pip runs with {clusters} (-U/-I), which can replace torch: {pip}"
    assert "--no-deps" not in pip, f"{where}: --no-deps leaves trl etc. uninstalled on Colab: {pip}"
    # the versions CI tests, torch excepted
    constraints = [pip[i + 1] for i, t in enumerate(pip[:-1]) if t in ("-c", "--constraint")] + \
        [t.split("=", 1)[1] for t in pip if t.startswith("--constraint=")]
    assert constraints == [f"{CLONE}/{COLAB_CONSTRAINTS.name}"], \
        f"{where}: pip should install with -c {CLONE}/{COLAB_CONSTRAINTS.name} (the versions CI " \
        f"tests, without torch): {pip}"
    # the kernel works in the notebook's own folder of the clone and imports the clone's library
    chdirs = [p for kind, p in rec.calls if kind == "chdir"]
    folder = f"{CLONE}/{nb.parent.relative_to(ROOT).as_posix()}"
    assert chdirs and chdirs[-1].rstrip("/") == folder, \
        f"{where} should chdir to {folder} (the notebook's folder in the clone), did {chdirs}"
    assert rec.clone_on_path, f"{where} does not put {CLONE} on sys.path (the running kernel " \
                              f"would not see the editable install until a restart)"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_does_not_clone_twice(nb, monkeypatch):
    rec = run_cell(nb, monkeypatch, colab=True, clone_exists=True)
    cmds = rec.commands()
    assert not [c for c in cmds if c[:2] == ["git", "clone"]], \
        f"{_name(nb)}: first code cell clones again over an existing {CLONE}: {cmds}"
    assert [c for c in cmds if is_pip_install(c)], f"{_name(nb)}: no pip install on a rerun: {cmds}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_does_nothing_off_colab(nb, monkeypatch):
    rec = run_cell(nb, monkeypatch, colab=False)
    acted = [c for c in rec.calls if c[0] in ("system", "chdir")]
    assert not acted, f"{_name(nb)}: first code cell acts without the Colab marker: {acted}"
    assert not rec.clone_on_path, f"{_name(nb)}: first code cell changes sys.path off Colab"


# ---------------------------------------------------------------------------- the dependencies
def pyproject_deps() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = [Requirement(d) for d in data["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def requirement_lines(path: Path) -> dict[str, Requirement]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            r = Requirement(line)
            out[canonicalize_name(r.name)] = r
    return out


def test_pyproject_torch_is_a_lower_bound_colab_satisfies():
    torch = pyproject_deps().get("torch")
    assert torch is not None, "pyproject.toml does not list torch"
    specs = list(torch.specifier)
    assert any(s.operator in (">=", ">") for s in specs), f"torch has no lower bound: {torch}"
    for s in specs:
        assert s.operator not in ("==", "===", "~="), \
            f"pyproject.toml pins torch ({torch}): pip on Colab would replace Colab's torch"
        if s.operator in ("<", "<="):
            assert Version(s.version) >= Version("3"), (
                f"pyproject.toml caps torch below 3 ({torch}): a newer Colab torch would be "
                "replaced")
    for v in COLAB_TORCH:
        assert torch.specifier.contains(v, prereleases=True), \
            f"Colab's torch {v} does not satisfy pyproject.toml's {torch}: pip would replace it"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_is_the_one_apply_colab_cell_writes(nb):
    folder = nb.parent.relative_to(ROOT).as_posix()
    assert first_code_cell(nb) == apply_colab_cell.colab_cell(folder), (
        f"{_name(nb)}: its Colab cell is not the current one: run "
        f"`.venv/bin/python scripts/apply_colab_cell.py {_name(nb)}`")


def test_colab_constraints_are_constraints_without_torch():
    assert COLAB_CONSTRAINTS.read_text() == apply_colab_cell.colab_constraints(), \
        "constraints-colab.txt is out of date: run `.venv/bin/python scripts/apply_colab_cell.py`"
    colab, pins = requirement_lines(COLAB_CONSTRAINTS), requirement_lines(CONSTRAINTS)
    assert "torch" not in colab, "constraints-colab.txt constrains torch: Colab's would be replaced"
    assert colab == {n: r for n, r in pins.items() if n != "torch"}
    assert set(pyproject_deps()) - {"torch"} <= set(colab)


def test_requirements_apply_the_constraints():
    lines = [line.split("#", 1)[0].split() for line in
             (ROOT / "requirements.txt").read_text().splitlines()]
    assert ["-c", "constraints.txt"] in lines, "requirements.txt should apply -c constraints.txt"
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert "-c constraints.txt" in setup and "constraints.txt)" in setup, \
        "scripts/setup.sh should install with -c constraints.txt and read torch's pin from it"


def test_pyproject_dependencies_are_all_in_requirements():
    pins = requirement_lines(ROOT / "requirements.txt")
    missing = sorted(set(pyproject_deps()) - set(pins))
    assert not missing, f"requirements.txt does not list pyproject.toml's {missing}"


def test_constraints_pin_every_requirement():
    pins = requirement_lines(CONSTRAINTS)
    wanted = set(pyproject_deps()) | {n for n, r in requirement_lines(ROOT / "requirements.txt").items()
                                      if not r.specifier}
    loose = sorted(n for n in wanted if n not in pins
                   or not any(s.operator == "==" for s in pins[n].specifier))
    assert not loose, ("constraints.txt should pin (==) every pyproject.toml dependency and every "
                       f"name requirements.txt leaves to it; not pinned: {loose}")


def test_requirements_pins_satisfy_pyproject():
    pins = requirement_lines(CONSTRAINTS)
    for name, req in pyproject_deps().items():
        pin = pins.get(name, Requirement(name))
        pinned = [s.version for s in pin.specifier if s.operator == "=="]
        for v in pinned:
            # torch's pin may carry a local build tag (+cpu), which the range ignores
            assert req.specifier.contains(Version(v).public, prereleases=True), \
                f"constraints.txt pins {name}=={v}, outside pyproject.toml's {req}"
