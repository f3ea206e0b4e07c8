"""scripts/binder_check.py: the course under Binder's conditions (env from binder/, 1 CPU, 2 GB).

The real check builds an env and runs a notebook (minutes), so it is marked `binder` and
runs only when asked for, `pytest -m binder tests/test_binder.py` (LESSONS_BINDER_ENV=DIR reuses a
built env; default runs/binder/env, built there if missing). The other tests cover the script's own logic in a few seconds: the memory
watchdog and cgroup cap kill what goes over, the notebook selection, the report's shape, pip's
settings, and binder/requirements.txt pinning what constraints.txt pins.
"""
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import script
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "binder_check.py"

bc = script("binder_check")

# Grows to `total` MB in 20 MB steps (each written, so resident), then sleeps; prints "done" if it
# was never stopped.
ALLOC = textwrap.dedent("""
    import sys, time
    total = int(sys.argv[1]); chunks = []
    for _ in range(total // 20):
        chunks.append(b"x" * (20 << 20))
        time.sleep(0.05)
    print("done", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def alloc_cmd(mb: int, sleep: float = 20) -> list[str]:
    return [sys.executable, "-c", ALLOC, str(mb), str(sleep)]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------------------- the memory cap
def test_watchdog_kills_a_process_over_the_cap():
    t0 = time.perf_counter()
    r = bc.run_capped(alloc_cmd(600), 200, method="watchdog", timeout=60)
    assert r["method"] == "watchdog"
    assert r["killed_over_cap"] and r["rc"] == -9, r
    assert "done" not in r["stdout"], "the process reached 600 MB under a 200 MB cap"
    assert 200 <= r["tree_peak_mb"] < 400, r["tree_peak_mb"]  # caught soon after crossing
    assert time.perf_counter() - t0 < 15


def test_watchdog_measures_and_spares_a_process_under_the_cap():
    r = bc.run_capped(alloc_cmd(100, sleep=0.5), 200, method="watchdog", timeout=60)
    assert r["rc"] == 0 and not r["killed_over_cap"], r
    assert "done" in r["stdout"]
    assert 100 <= r["tree_peak_mb"] < 200, r["tree_peak_mb"]


def test_watchdog_sums_the_tree_and_kills_a_detached_child():
    # like a Jupyter kernel: the child runs in its own session; each process stays under the cap,
    # the two together do not
    parent = textwrap.dedent(f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", {ALLOC!r}, "120", "20"],
                                 start_new_session=True)
        print(child.pid, flush=True)
        exec({ALLOC!r}.replace("sys.argv[1]", "120").replace("sys.argv[2]", "20"))
    """)
    r = bc.run_capped([sys.executable, "-c", parent], 200, method="watchdog", timeout=60)
    assert r["killed_over_cap"] and r["rc"] == -9, r
    child = int(r["stdout"].split()[0])
    time.sleep(0.2)
    assert not alive(child), "the watchdog left the child (the kernel) running"


@pytest.mark.skipif(not bc.cgroup_available(),
                    reason="no memory cgroup can be made here (not root, or no memory "
                           "controller); binder_check.py uses the watchdog instead")
def test_cgroup_cap_kills_a_process_over_the_cap():
    r = bc.run_capped(alloc_cmd(400), 200, method="cgroup", timeout=60)
    assert r["method"].startswith("cgroup-v")
    assert r["killed_over_cap"] and r["rc"] != 0, r
    assert "done" not in r["stdout"]
    assert r["cgroup_peak_mb"] is not None and r["cgroup_peak_mb"] <= 201, r
    left = [p for _, base in bc._own_memory_cgroups() for p in base.glob("binder_check_*")]
    assert not [p for p in left if p.name.startswith(f"binder_check_{os.getpid()}_")], left


# ---------------------------------------------------------------------------- selection, report
def test_select_notebooks_lessons_then_solutions_by_prefix(tmp_path):
    for name in ["01_b.ipynb", "00_a.ipynb", "README.ipynb", "x_00.ipynb",
                 "solutions/00_solutions.ipynb", "solutions/01_solutions.ipynb",
                 "solutions/ab.ipynb"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    rel = lambda ps: [str(p.relative_to(tmp_path)) for p in ps]  # noqa: E731
    assert rel(bc.select_notebooks([], tmp_path)) == [
        "00_a.ipynb", "01_b.ipynb", "solutions/00_solutions.ipynb", "solutions/01_solutions.ipynb"]
    assert rel(bc.select_notebooks(["00"], tmp_path)) == ["00_a.ipynb",
                                                          "solutions/00_solutions.ipynb"]
    assert rel(bc.select_notebooks(["01_b", "00_s"], tmp_path)) == [
        "01_b.ipynb", "solutions/00_solutions.ipynb"]
    assert bc.select_notebooks(["99"], tmp_path) == []
    # the real folder: every lesson has its solutions, lessons come first
    real = bc.select_notebooks()
    assert real and real[0].parent.name == "notebooks" and real[-1].parent.name == "solutions"


def rows():
    ok = dict(notebook="notebooks/00_a.ipynb", passed=True, wall_s=12.3, process_wall_s=15.0,
              kernel_peak_mb=650.4, tree_peak_mb=720.0, cgroup_peak_mb=900.0,
              killed_over_cap=False, error=None, executed="runs/binder/smoke/notebooks/00_a.ipynb")
    over = dict(ok, notebook="notebooks/01_b.ipynb", passed=False, kernel_peak_mb=None,
                killed_over_cap=True, error="killed over the 2048 MB cap")
    return [ok, over]


def test_table_has_a_row_per_notebook_with_result_time_and_peaks():
    text = bc.table(rows(), 2048)
    lines = text.splitlines()
    assert lines[0].startswith("| notebook | result | wall s | kernel peak MB")
    row0 = next(x for x in lines if "00_a" in x)
    assert "| pass |" in row0 and "12.3" in row0 and "650" in row0 and "720" in row0
    row1 = next(x for x in lines if "01_b" in x)
    assert "FAIL (over cap)" in row1 and "| - |" in row1
    assert "1/2 passed under 2048 MB" in text and "largest kernel peak 650 MB" in text


def test_report_json_shape():
    rep = bc.report(rows(), smoke=True, cap_mb=2048, method="cgroup-v1", env_dir="runs/binder/env",
                    build_s=95.04, python="3.11.7")
    again = json.loads(json.dumps(rep))
    assert again["mode"] == "smoke" and again["passed"] is False  # one notebook failed
    assert again["cap_mb"] == 2048 and again["cap_method"] == "cgroup-v1"
    assert again["env_build_s"] == 95.0 and again["cpus"] == "taskset -c 0"
    assert [r["notebook"] for r in again["notebooks"]] == ["notebooks/00_a.ipynb",
                                                            "notebooks/01_b.ipynb"]
    for r in again["notebooks"]:
        assert {"passed", "wall_s", "kernel_peak_mb", "tree_peak_mb", "killed_over_cap",
                "error"} <= set(r)
    assert bc.report(rows()[:1], smoke=False, cap_mb=2048, method="watchdog", env_dir="x",
                     build_s=None, python="3.11")["passed"] is True
    assert bc.report([], smoke=True, cap_mb=2048, method="watchdog", env_dir="x", build_s=None,
                     python="3.11")["passed"] is False  # nothing run is no pass


def test_pip_does_not_wait_on_an_unreachable_index():
    env = bc.pip_environ({"PATH": "/usr/bin", "PYTHONPATH": "/elsewhere",
                          "PIP_DEFAULT_TIMEOUT": "180"})
    assert env["PIP_RETRIES"] == "0"
    assert int(env["PIP_TIMEOUT"]) <= 10 and int(env["PIP_DEFAULT_TIMEOUT"]) <= 10
    assert "PYTHONPATH" not in env  # nothing from another environment leaks in
    act = bc.env_environ(Path("/tmp/e"), {"PATH": "/usr/bin"})
    assert act["PATH"].split(os.pathsep)[0] == "/tmp/e/bin" and act["VIRTUAL_ENV"] == "/tmp/e"


def test_notebook_environ_smoke_and_full(tmp_path, monkeypatch):
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    monkeypatch.setenv("LESSONS_REFERENCE", "1")
    smoke = bc.notebook_environ(tmp_path / "env", tmp_path / "m", tmp_path / "root", smoke=True)
    full = bc.notebook_environ(tmp_path / "env", tmp_path / "m", tmp_path / "root", smoke=False)
    assert smoke["LESSONS_SMOKE"] == "1" and "LESSONS_SMOKE" not in full
    assert "LESSONS_REFERENCE" not in smoke and "LESSONS_REFERENCE" not in full  # never results/
    assert smoke["LESSONS_RESULTS"] == str(tmp_path / "m" / "results")
    assert smoke["LESSONS_ROOT"] == str(tmp_path / "root")


# ---------------------------------------------------------------------------- binder/ itself
def _reqs(path: Path) -> dict:
    from test_colab import requirement_lines  # tests/test_colab.py: one parser for both files

    return requirement_lines(path)


def test_binder_requirements_match_the_course_pins():
    """binder/requirements.txt pins exactly constraints.txt's packages, at its versions (torch as
    its +cpu build): Binder reads only binder/, so the pins are written out there."""
    binder, course = _reqs(ROOT / "binder" / "requirements.txt"), _reqs(ROOT / "constraints.txt")
    assert set(binder) == set(course), \
        f"binder/requirements.txt and constraints.txt name different packages: " \
        f"{sorted(set(binder) ^ set(course))}"
    for name, req in course.items():
        pins = [Version(s.version) for s in req.specifier if s.operator == "=="]
        bpins = [Version(s.version) for s in binder[name].specifier if s.operator == "=="]
        assert pins and [v.public for v in bpins] == [v.public for v in pins], \
            f"binder/requirements.txt has {binder[name]}, constraints.txt {req}"
    torch = [s for s in binder["torch"].specifier if s.operator == "=="]
    assert torch and Version(torch[0].version).local == "cpu", "Binder has no GPU: CPU torch"


def test_postbuild_installs_the_course_without_deps():
    text = (ROOT / "binder" / "postBuild").read_text()
    assert text.startswith("#!")
    assert "pip install --no-deps -e ." in text  # the deps come from binder/requirements.txt
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK), "repo2docker runs ./postBuild"


# ---------------------------------------------------------------------------- the real check
@pytest.mark.binder  # builds a Binder env and runs notebook 00 (minutes)
def test_binder_check_runs_notebook_00_under_the_cap(tmp_path):
    env_dir = os.environ.get("LESSONS_BINDER_ENV", str(ROOT / "runs" / "binder" / "env"))
    out = tmp_path / "binder.json"
    proc = subprocess.run(["taskset", "-c", "0", sys.executable, str(SCRIPT), "00_setup",
                           "--env", env_dir, "--out", str(out)], capture_output=True, text=True,
                          cwd=ROOT, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rep = json.loads(out.read_text())
    assert rep["mode"] == "smoke" and rep["passed"] and rep["cap_mb"] == 2048
    (nb,) = rep["notebooks"]
    assert nb["notebook"] == "notebooks/00_setup_and_toy_world.ipynb"
    assert nb["passed"] and not nb["killed_over_cap"] and nb["error"] is None
    assert 0 < nb["kernel_peak_mb"] < 2048 and nb["tree_peak_mb"] < 2048
    assert "| notebooks/00_setup_and_toy_world.ipynb | pass |" in proc.stdout
