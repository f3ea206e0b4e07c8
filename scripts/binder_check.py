"""Run the course under Binder's conditions: an env built from binder/ alone, 1 CPU, 2 GB of memory.

    python scripts/binder_check.py                 # fresh env (temp folder), all notebooks, smoke
    python scripts/binder_check.py 00 01           # only notebooks whose names start with these
    python scripts/binder_check.py --env DIR       # build the env in DIR, keep it; reruns reuse it
    python scripts/binder_check.py --full          # full mode (LESSONS_SMOKE unset): about 30 min
    python scripts/binder_check.py --out F.json    # the report elsewhere (default:
                                                   # bench/binder_smoke.json, or binder_full.json)

The environment. `python3 -m venv`, then `pip install -r binder/requirements.txt`, then only what
Binder's own image brings and a headless run needs (nbclient, nbformat, ipykernel; Binder's image
has JupyterLab), then `binder/postBuild` run from the repository root with the env's bin/ first on
PATH, as repo2docker runs it. Nothing from requirements.txt or the course's .venv is used. pip runs
with PIP_RETRIES=0 and a 5 s timeout so that an index it cannot reach (offline, the PyTorch CPU
index that binder/requirements.txt names) fails at once instead of retrying for minutes; pip's own
configuration (here: a local index and find-links) still applies. `--env DIR` builds in DIR and
keeps it; when DIR/bin/python exists (and a finished build left its marker) the build is skipped.

The notebooks. Lessons (notebooks/NN_*.ipynb), then solutions (notebooks/solutions/NN_*.ipynb),
each executed by `scripts/run_notebooks.py --one` run with the new env's python (so nbclient and the
kernel are the new env's), in its own process pinned to one CPU (`taskset -c 0`; the kernel inherits
the affinity), with LESSONS_SMOKE=1 unless --full. Like a fresh clone on Binder the run starts with
no trained models: LESSONS_ROOT points the library at runs/binder/<mode>/root/, whose entries link
to the checkout's (data/, bench/, results/, ...) except models/, which starts empty; so the check
neither reads nor overwrites the models of other runs in this checkout. The notebooks' numbers go to
runs/binder/<mode>/results/ (LESSONS_RESULTS), the executed copies to runs/binder/<mode>/notebooks/;
no tracked file is written except the report (bench/binder_*.json).

The 2 GB cap, and how it is enforced. Binder's limit is the container's memory cgroup, so where this
process can create a memory cgroup (cgroup v1 `memory` controller, or v2 with `memory.max`) each
notebook runs in a fresh one with the limit set to the cap: the kernel's OOM killer then stops the
notebook exactly as on Binder (the report says so; nbclient sees the kernel die). Where it cannot
(no write access to the cgroup tree, e.g. an unprivileged container), a watchdog thread polls the
resident memory (RSS, from /proc/PID/statm) of the notebook's whole process tree every 0.2 s and
kills the tree above the cap. The watchdog also runs alongside a cgroup, only to measure the tree's
peak RSS (summed over processes, so pages two processes share count twice: it errs high).
The cap is not RLIMIT_AS (prlimit --as), which limits address space, not memory in use: torch and
its libraries reserve far more than they touch. Measured here (x86_64, torch 2.13 CPU, one CPU):
importing torch, transformers, trl and datasets maps 1874 MB for 326 MB RSS, and under
`prlimit --as=2147483648` that process could allocate only 100 MB of tensors (RSS 431 MB) before
torch's allocator failed; notebook 00's kernel reaches 2974 MB of address space at 695 MB RSS in
smoke mode (it still ran under that cap, its extra mappings being optional reserves, but with only
about 100 MB to spare in place of 1.3 GB). An address-space cap of 2 GB would thus fail notebooks
far below Binder's 2 GB.

On this machine (root in a VM with cgroup v1), the cgroup is used. The table shows each notebook's
wall time (its execution, as run_notebooks.py measures it), the kernel's peak RSS (the number the
README quotes), the tree's peak RSS (kernel plus the nbclient driver, standing in for Jupyter's
server), the cgroup's peak usage (which also counts page cache) and pass/fail.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BINDER = ROOT / "binder"
RUNS = ROOT / "runs" / "binder"
CAP_MB = 2048
CPUS = "0"
# What Binder's image provides that a headless run needs (JupyterLab brings these on Binder).
IMAGE_PACKAGES = ["nbclient", "nbformat", "ipykernel"]
# Entries of the checkout not linked into the run's LESSONS_ROOT (models/ starts empty, as in a
# fresh clone).
NOT_LINKED = {"models", "runs", ".git", ".venv"}
MARKER = ".binder_check_built"
MB = 1024 * 1024


# ---------------------------------------------------------------------------- notebook selection
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import select_notebooks  # noqa: E402  the same notebooks, in the same order


# ---------------------------------------------------------------------------- memory: /proc
PAGE = os.sysconf("SC_PAGE_SIZE")


def _ppid_map() -> dict[int, int]:
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'
        out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _ppid_map().items():
        children.setdefault(ppid, []).append(pid)
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0  # gone


class Watchdog(threading.Thread):
    """Polls the summed RSS of a process tree every `interval` s; records its peak and, when `cap`
    (bytes) is given, SIGKILLs the whole tree the first time the sum exceeds it."""

    def __init__(self, pid: int, cap: int | None, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.cap, self.interval = pid, cap, interval
        self.peak = 0
        self.killed = False
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = tree_pids(self.pid)
            total = sum(rss_bytes(p) for p in pids)
            self.peak = max(self.peak, total)
            if self.cap is not None and total > self.cap:
                self.killed = True
                for p in reversed(pids):  # descendants first, then the root
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
                return
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# ---------------------------------------------------------------------------- memory: cgroups
class MemoryCgroup:
    """A fresh child memory cgroup with a hard limit (v1 memory.limit_in_bytes or v2 memory.max)."""

    def __init__(self, path: Path, version: int):
        self.path, self.version = path, version

    @classmethod
    def create(cls, cap: int, name: str) -> "MemoryCgroup | None":
        """The cgroup, or None when this process cannot make one that limits memory."""
        for version, base in _own_memory_cgroups():
            path = base / name
            try:
                path.mkdir()
            except OSError:
                continue
            group = cls(path, version)
            try:
                group._set_limit(cap)
                return group
            except OSError:
                group.remove()
        return None

    def _set_limit(self, cap: int) -> None:
        if self.version == 1:
            (self.path / "memory.limit_in_bytes").write_text(str(cap))
            if int((self.path / "memory.limit_in_bytes").read_text()) > cap:
                raise OSError("limit not applied")
            try:  # no swap beyond the cap either (Binder has none); absent without swap accounting
                (self.path / "memory.memsw.limit_in_bytes").write_text(str(cap))
            except OSError:
                pass
        else:
            (self.path / "memory.max").write_text(str(cap))
            try:
                (self.path / "memory.swap.max").write_text("0")
            except OSError:
                pass

    def wrap(self, cmd: list[str]) -> list[str]:
        """`cmd` run by a shell that first moves itself into the cgroup, then execs it."""
        procs = self.path / "cgroup.procs"
        return ["sh", "-c", f'echo $$ > "{procs}" && exec "$@"', "sh", *cmd]

    def peak(self) -> int | None:
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int:
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def kill_all(self) -> None:
        try:
            pids = [int(x) for x in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass

    def remove(self) -> None:
        for _ in range(50):
            self.kill_all()
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)


def cgroup_available(cap: int = CAP_MB * MB) -> int | None:
    """The cgroup version (1 or 2) that can cap memory here, or None (makes and removes one)."""
    group = MemoryCgroup.create(cap, f"binder_check_probe_{os.getpid()}_{time.monotonic_ns()}")
    if group is None:
        return None
    group.remove()
    return group.version


def _own_memory_cgroups() -> list[tuple[int, Path]]:
    """This process's memory cgroup folders: cgroup v1's memory hierarchy, or v2's unified one."""
    found = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if "memory" in controllers.split(","):
            base = Path("/sys/fs/cgroup/memory") / rel.lstrip("/")
            if (base / "memory.limit_in_bytes").exists():
                found.append((1, base))
    for line in lines:
        if line.startswith("0::"):
            rel = line[3:].lstrip("/")
            for mount in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
                ctl = mount / "cgroup.controllers"
                if ctl.exists() and "memory" in ctl.read_text().split():
                    found.append((2, mount / rel))
    return found


# ---------------------------------------------------------------------------- running one command
def run_capped(cmd: list[str], cap_mb: float, *, method: str = "auto", env: dict | None = None,
               cwd: Path | None = None, timeout: float | None = None) -> dict:
    """Run `cmd` with its process tree held under `cap_mb` MB.

    method: "cgroup" (fail if none can be made), "watchdog", or "auto" (cgroup where possible).
    Returns rc, stdout, stderr, wall_s, method, tree_peak_mb (polled summed RSS),
    cgroup_peak_mb (None without a cgroup) and killed_over_cap.
    """
    cap = int(cap_mb * MB)
    group = None
    if method in ("auto", "cgroup"):
        group = MemoryCgroup.create(cap, f"binder_check_{os.getpid()}_{time.monotonic_ns()}")
        if group is None and method == "cgroup":
            raise RuntimeError("cannot create a memory cgroup here; use method='watchdog'")
    used = "cgroup-v%d" % group.version if group else "watchdog"
    full = group.wrap(cmd) if group else cmd
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    dog = Watchdog(proc.pid, None if group else cap)
    dog.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for p in reversed(tree_pids(proc.pid)):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        out, err = proc.communicate()
        err += f"\n[binder_check] timed out after {timeout} s"
    wall = time.perf_counter() - t0
    dog.stop()
    oom = 0
    cg_peak = None
    if group:
        oom, cg_peak = group.oom_kills(), group.peak()
        group.remove()  # also kills anything left behind (a kernel outliving its driver)
    return {"rc": proc.returncode, "stdout": out, "stderr": err, "wall_s": round(wall, 1),
            "method": used, "tree_peak_mb": round(dog.peak / MB, 1),
            "cgroup_peak_mb": None if cg_peak is None else round(cg_peak / MB, 1),
            "killed_over_cap": dog.killed or oom > 0}


# ---------------------------------------------------------------------------- the environment
def pip_environ(base: dict | None = None) -> dict:
    """The environment pip runs in: no retries and a short timeout, so an unreachable index (the
    PyTorch CPU index offline) costs seconds; pip's config files (local index, find-links) apply."""
    env = dict(os.environ if base is None else base)
    env.update(PIP_RETRIES="0", PIP_TIMEOUT="5", PIP_DEFAULT_TIMEOUT="5",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    for var in ("PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV", "PIP_USER", "PIP_TARGET",
                "PIP_PREFIX"):
        env.pop(var, None)
    return env


def env_environ(env_dir: Path, base: dict | None = None) -> dict:
    """`pip_environ` with the env activated (its bin/ first on PATH), as on Binder."""
    env = pip_environ(base)
    env.pop("CONDA_PREFIX", None)
    env["VIRTUAL_ENV"] = str(env_dir)
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def binder_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(BINDER.iterdir()):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def _step(title: str, cmd: list[str], env: dict, cwd: Path = ROOT) -> float:
    print(f"  {title}: {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(["taskset", "-c", CPUS, *cmd], env=env, cwd=cwd, capture_output=True,
                          text=True)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-4000:] + proc.stderr[-6000:])
        raise SystemExit(f"binder_check: '{title}' failed (exit {proc.returncode}) "
                         f"after {took:.0f} s")
    print(f"    {took:.0f} s", flush=True)
    return took


def build_env(env_dir: Path, python: str = "python3") -> float | None:
    """Build the env in env_dir from binder/ alone; None when a finished build is there already."""
    py = env_dir / "bin" / "python"
    marker = env_dir / MARKER
    if py.exists() and marker.exists():
        if marker.read_text().strip() != binder_digest():
            print(f"warning: binder/ changed since {env_dir} was built; delete it to rebuild")
        print(f"reusing the env in {_shown(env_dir)} (built before; not timed)")
        return None
    print(f"building the env in {_shown(env_dir)} from binder/ alone", flush=True)
    t0 = time.perf_counter()
    env = env_environ(env_dir)
    if not py.exists():
        _step("venv", [python, "-m", "venv", str(env_dir)], pip_environ())
    _step("requirements", [str(py), "-m", "pip", "install", "-r", str(BINDER / "requirements.txt")],
          env)
    _step("Binder's image", [str(py), "-m", "pip", "install", *IMAGE_PACKAGES], env)
    post = BINDER / "postBuild"
    if post.exists():  # repo2docker runs it from the repository root, its env's bin/ on PATH
        cmd = [str(post)] if os.access(post, os.X_OK) else ["bash", str(post)]
        _step("postBuild", cmd, env, cwd=ROOT)
    # postBuild installs the course with --no-deps: pip check says if binder/ misses one of its deps
    check = subprocess.run([str(py), "-m", "pip", "check"], env=env, capture_output=True, text=True)
    if check.returncode != 0:
        print("  warning: pip check: " + check.stdout.strip().replace("\n", "\n    "))
    probe = ("import sys, torch, transformers, trl, lessons_lib, nbclient, ipykernel; "
             "print(sys.version.split()[0], 'torch', torch.__version__, 'transformers', "
             "transformers.__version__, 'trl', trl.__version__, 'lessons_lib from', "
             "lessons_lib.__file__)")
    proc = subprocess.run([str(py), "-c", probe], env=env, cwd="/", capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("binder_check: the built env cannot import the course:\n" + proc.stderr)
    print("  " + proc.stdout.strip())
    took = time.perf_counter() - t0
    marker.write_text(binder_digest() + "\n")
    print(f"env built in {took:.0f} s (total, venv to postBuild)", flush=True)
    return took


# ---------------------------------------------------------------------------- the run
def lessons_root(mode_dir: Path) -> Path:
    """A LESSONS_ROOT like a fresh clone: links to the checkout's entries, an empty models/."""
    root = mode_dir / "root"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in NOT_LINKED:
            (root / entry.name).symlink_to(entry)
    (root / "models").mkdir()
    return root


def notebook_environ(env_dir: Path, mode_dir: Path, root: Path, smoke: bool) -> dict:
    env = env_environ(env_dir)
    for var in ("LESSONS_REFERENCE", "LESSONS_SMOKE", "LESSONS_DEVICE", "JPY_PARENT_PID"):
        env.pop(var, None)
    if smoke:
        env["LESSONS_SMOKE"] = "1"
    env.update(LESSONS_ROOT=str(root), LESSONS_RESULTS=str(mode_dir / "results"), TQDM_DISABLE="1",
               HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_OFFLINE="1", MPLBACKEND="Agg")
    return env


def run_notebook(nb: Path, env_dir: Path, mode_dir: Path, env: dict, cap_mb: float,
                 method: str, timeout: int) -> dict:
    out = mode_dir / "notebooks" / nb.relative_to(NOTEBOOKS)
    cmd = ["taskset", "-c", CPUS, str(env_dir / "bin" / "python"),
           str(ROOT / "scripts" / "run_notebooks.py"), "--one", str(nb), "--one-out", str(out),
           "--timeout", str(timeout)]
    r = run_capped(cmd, cap_mb, method=method, env=env, cwd=ROOT)
    info = None
    if r["rc"] == 0 and r["stdout"].strip():
        try:
            info = json.loads(r["stdout"].strip().splitlines()[-1])
        except ValueError:
            info = None
    error = info["error"] if info else (r["stderr"].strip()[-2000:] or f"exit {r['rc']}")
    if r["killed_over_cap"]:
        error = f"killed over the {cap_mb:.0f} MB cap ({r['method']}); " + (error or "")
    return {
        "notebook": str(nb.relative_to(ROOT)),
        "passed": bool(info) and not info["error"] and not r["killed_over_cap"],
        "wall_s": info["wall_s"] if info else r["wall_s"],
        "process_wall_s": r["wall_s"],
        "kernel_peak_mb": info["peak_rss_mb"] if info else None,
        "tree_peak_mb": r["tree_peak_mb"],
        "cgroup_peak_mb": r["cgroup_peak_mb"],
        "killed_over_cap": r["killed_over_cap"],
        "error": error,
        "executed": _shown(out),
    }


def table(rows: list[dict], cap_mb: float) -> str:
    """The report as a Markdown table, one row per notebook."""
    def mb(x):
        return "-" if x is None else f"{x:.0f}"
    lines = [f"| notebook | result | wall s | kernel peak MB | tree peak MB | cgroup peak MB |",
             "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        result = "pass" if r["passed"] else ("FAIL (over cap)" if r["killed_over_cap"] else "FAIL")
        lines.append(f"| {r['notebook']} | {result} | {r['wall_s']:.1f} "
                     f"| {mb(r['kernel_peak_mb'])} | {mb(r['tree_peak_mb'])} "
                     f"| {mb(r['cgroup_peak_mb'])} |")
    peaks = [r["kernel_peak_mb"] for r in rows if r["kernel_peak_mb"] is not None]
    lines.append(f"\n{sum(r['passed'] for r in rows)}/{len(rows)} passed under {cap_mb:.0f} MB; "
                 f"largest kernel peak {max(peaks):.0f} MB" if peaks else
                 f"\n{sum(r['passed'] for r in rows)}/{len(rows)} passed under {cap_mb:.0f} MB")
    return "\n".join(lines)


def report(rows: list[dict], *, smoke: bool, cap_mb: float, method: str, env_dir: str,
           build_s: float | None, python: str) -> dict:
    return {
        "mode": "smoke" if smoke else "full",
        "passed": bool(rows) and all(r["passed"] for r in rows),
        "cap_mb": cap_mb,
        "cap_method": method,
        "cpus": f"taskset -c {CPUS}",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": python,
        "env": env_dir,
        "env_build_s": None if build_s is None else round(build_s, 1),
        "written": time.strftime("%Y-%m-%d %H:%M:%S"),
        "notebooks": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefixes", nargs="*", help="only notebooks whose names start with these")
    ap.add_argument("--full", action="store_true", help="full mode (LESSONS_SMOKE unset)")
    ap.add_argument("--env", help="build the env here and keep it; reuse it if built already "
                                  "(default: a temporary folder, removed at the end)")
    ap.add_argument("--out", help="the JSON report (default bench/binder_smoke.json, "
                                  "bench/binder_full.json with --full)")
    ap.add_argument("--cap-mb", type=float, default=CAP_MB, help="memory cap (default 2048)")
    ap.add_argument("--cap-method", choices=["auto", "cgroup", "watchdog"], default="auto",
                    help="auto: a memory cgroup where one can be made, else the watchdog")
    ap.add_argument("--python", default="python3", help="interpreter for the venv (python3)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = ap.parse_args(argv)

    smoke = not args.full
    nbs = select_notebooks(args.prefixes)
    if not nbs:
        ap.error(f"no notebook starts with {args.prefixes}; see notebooks/")
    mode = "smoke" if smoke else "full"
    out = Path(args.out).resolve() if args.out else ROOT / "bench" / f"binder_{mode}.json"
    tmp = None
    if args.env:
        env_dir = Path(args.env).resolve()
    else:
        tmp = Path(tempfile.mkdtemp(prefix="binder-env-"))
        env_dir = tmp / "env"
    try:
        build_s = build_env(env_dir, args.python)
        python = subprocess.run([str(env_dir / "bin" / "python"), "-c",
                                 "import sys; print(sys.version.split()[0])"],
                                capture_output=True, text=True).stdout.strip()
        mode_dir = RUNS / ("smoke" if smoke else "full")
        root = lessons_root(mode_dir)
        env = notebook_environ(env_dir, mode_dir, root, smoke)
        version = cgroup_available(int(args.cap_mb * MB)) if args.cap_method != "watchdog" else None
        method = f"cgroup-v{version}" if version else "watchdog"
        if version is None and args.cap_method == "cgroup":
            ap.error("no memory cgroup can be made here; use --cap-method watchdog")
        print(f"\n{len(nbs)} notebook(s), {'smoke' if smoke else 'full'} mode, "
              f"taskset -c {CPUS}, cap {args.cap_mb:.0f} MB by {method}, python {python}",
              flush=True)
        rows = []
        for nb in nbs:
            print(f"running {nb.relative_to(ROOT)} ...", flush=True)
            row = run_notebook(nb, env_dir, mode_dir, env, args.cap_mb, args.cap_method,
                               args.timeout)
            rows.append(row)
            status = "ok" if row["passed"] else "FAILED: " + str(row["error"])[-1500:]
            print(f"  {row['wall_s']:7.1f} s  kernel peak {row['kernel_peak_mb'] or 0:7.1f} MB  "
                  f"tree peak {row['tree_peak_mb']:7.1f} MB  {status}", flush=True)
        rep = report(rows, smoke=smoke, cap_mb=args.cap_mb, method=method,
                     env_dir=_shown(env_dir) if tmp is None else "(temporary)", build_s=build_s,
                     python=python)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rep, indent=1) + "\n")
        print("\n" + table(rows, args.cap_mb))
        if build_s is not None:
            print(f"env build: {build_s:.0f} s")
        print(f"report: {_shown(out)}; executed notebooks in {_shown(mode_dir / 'notebooks')}")
        return 0 if rep["passed"] else 1
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
