"""What README.md and RESULTS.md say, as plain values: the JSON files the course writes, loaded as
they are, plus the few things a template should not compute (means over step counts, the target
checks, the notebooks and the annotated file tree, walked from the file system at render time so
that neither can go stale). scripts/render_readme.py hands these to the templates in docs/.

A template reads a file by its name in FILES (`j.nb03.numbers.pass1.after`); a file that is not
there is an error naming it, and so is a key that is not there (the renderer's templates are
strict), so a renamed key fails the README test instead of printing an old figure.
"""
from __future__ import annotations

import ast
import json
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import targets  # noqa: E402  (bench/targets.py: every target, stated once)

# name in the templates -> the file, and the command that writes it
FILES = {
    "timings": "results/timings.json",  # scripts/run_notebooks.py --reference
    "nb00": "results/00_setup_and_toy_world.json",
    "nb01": "results/01_answer_only_sft.json",
    "nb02": "results/02_chain_of_thought_sft.json",
    "nb03": "results/03_r1_zero.json",  # lesson 3, the numbers game
    "nb03chain": "results/03_chain_r1_zero.json",  # lesson 3's first version, the chain world
    "nb04": "results/04_combined_recipe.json",
    "nb05": "results/05_does_rl_add_reasoning.json",
    "nb06": "results/06_rl_algorithms.json",
    "nb07": "results/07_thinking_modes_and_verifiers.json",
    "nb08": "results/08_real_models.json",
    "gpu": "results/gpu_check.json",  # bench/gpu_check.py, on a GPU machine
    "report": "bench/report.json",  # bench/benchmark.py
    "seeds": "bench/seeds.json",  # bench/seeds.py
    "lr_sweep": "bench/lr_sweep.json",  # bench/lr_sweep.py
    "ao_trials": "bench/answer_only_trials.json",  # bench/answer_only_trials.py
    "rl_seeds": "bench/rl_seeds.json",  # bench/rl_seeds.py
    "rl_template134": "bench/rl_seeds_template134.json",  # bench/rl_seeds.py, an earlier template
    "rl_format0": "bench/rl_seeds_format0.json",  # bench/rl_seeds.py --format-weight 0 (optional)
    "base_card": "data/checkpoints/03_base/base_card.json",  # scripts/pretrain_base.py
    "binder_smoke": "bench/binder_smoke.json",  # scripts/binder_check.py
    "binder_full": "bench/binder_full.json",  # scripts/binder_check.py --full
    "lesson8_seeds": "bench/lesson8_seeds.json",  # bench/lesson8_seeds.py
    "standin_card": "data/checkpoints/08_standin/card.json",  # scripts/pretrain_standin.py
    "grpo_profile": "bench/grpo_profile.json",  # bench/grpo_profile.py
    "grpo_profile_numbers": "bench/grpo_profile_numbers.json",  # bench/grpo_profile.py --world numbers
    "reproduction": "bench/reproduction.json",  # notebook 03 (chain world) on another machine
    "numbers_rl": "bench/numbers_rl_seeds.json",  # bench/numbers_rl_seeds.py
    "numbers_base": "data/checkpoints/03_numbers_base/card.json",  # scripts/pretrain_numbers_base.py
    "numbers_base_nb": "data/checkpoints/03_numbers_base_no_backtrack/card.json",  # ... --no-backtrack
    "recipe_seeds": "bench/recipe_seeds.json",  # bench/recipe_seeds.py
    "boundary_seeds": "bench/boundary_seeds.json",  # bench/boundary_seeds.py
    "pass_k_seeds": "bench/pass_at_k_seeds.json",  # bench/pass_at_k_seeds.py
    "language_seeds": "bench/language_reward_seeds.json",  # bench/language_reward_seeds.py
    "keep_longer": "bench/keep_longer_seeds.json",  # bench/keep_longer_seeds.py
    "rl_algorithms": "bench/rl_algorithms.json",  # bench/rl_algorithms.py
    "verifier_seeds": "bench/verifier_seeds.json",  # bench/verifier_seeds.py
}


class MissingFile(Exception):
    """A JSON file a template reads is not there (or does not parse)."""


class Files(dict):
    """FILES' contents, read on first use; `j.name` in a template."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = Path(root)

    def has(self, name: str) -> bool:
        """Is the file there (for the optional ones: `{% if j.has('rl_format0') %}`)?"""
        return (self.root / FILES[name]).exists()

    def __missing__(self, name: str):
        if name not in FILES:
            raise MissingFile(f"no file is called {name!r} in scripts/readme_facts.py's FILES")
        try:
            self[name] = json.loads((self.root / FILES[name]).read_text())
        except (OSError, ValueError) as e:
            raise MissingFile(f"{FILES[name]}: {e}") from None
        return self[name]


# --- small lookups the templates use -----------------------------------------------------------
def dig(data, path: str):
    """data['a']['b'][0] for 'a.b.0', where JSON keys are strings ('3' is the key '3')."""
    for part in path.split("."):
        if isinstance(data, list):
            data = data[int(part)]
        elif part in data:
            data = data[part]
        else:
            raise KeyError(f"no key {part!r} (of {path!r}) among {sorted(data)[:12]}")
    return data


def pluck(rows, path: str) -> list:
    """`path` in every row (a list, or a dict of rows by seed)."""
    return [dig(r, path) for r in by_seed(rows)]


def col(mapping: dict, names, path: str) -> list:
    """`path` in mapping[name] for each name, in order (a figure per notebook, say)."""
    return [dig(mapping[n], path) for n in names]


def by_seed(rows) -> list:
    """A dict {'0': row, '1': row} as a list in seed order; a list as it is."""
    if isinstance(rows, dict):
        return [rows[k] for k in sorted(rows, key=int)]
    return list(rows)


def steps_mean(by_steps: dict, steps) -> float:
    """The mean of a {step count: value} dict over `steps` (e.g. '1-4', or [5, 6])."""
    if isinstance(steps, str):
        lo, hi = (int(x) for x in steps.split("-"))
        steps = range(lo, hi + 1)
    return sum(float(by_steps[str(s)]) for s in steps) / len(list(steps))


def check(target: targets.Target, values, others=None) -> str:
    """'met' when every value meets `target` (each against its own `others` value, for a target
    that compares with another measurement), else 'missed'."""
    values = values if isinstance(values, (list, tuple)) else [values]
    if others is None:
        ok = all(target.met(float(v)) for v in values)
    else:
        others = others if isinstance(others, (list, tuple)) else [others] * len(values)
        ok = all(target.met(float(v), float(o)) for v, o in zip(values, others))
    return "met" if ok else "missed"


def both(*verdicts: str) -> str:
    """'met' when every verdict is."""
    return "met" if all(v == "met" for v in verdicts) else "missed"


def either(*verdicts: str) -> str:
    """'met' when one verdict is."""
    return "met" if any(v == "met" for v in verdicts) else "missed"


def time_groups() -> list[tuple[targets.Target, list[str]]]:
    """The notebooks' full-mode time targets, one group per bound: [(target, ['00', '01'])]."""
    groups: dict[float, list[str]] = {}
    for nb, t in targets.NOTEBOOK_FULL.items():
        groups.setdefault(t.bound, []).append(nb)
    return [(targets.NOTEBOOK_FULL[nbs[0]], nbs) for nbs in groups.values()]


# --- the file system: notebooks and the annotated tree -----------------------------------------
def notebook_title(path: Path) -> str:
    """A notebook's first markdown heading, without the '#' and the lesson number ('3 · ')."""
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return re.sub(r"^#+\s*(\d+\s*·\s*)?", "", line).strip()
    return path.stem


def notebooks(repo: Path = ROOT) -> list[dict]:
    """The lessons in notebooks/, in order: stem, number ('03'), title, path."""
    return [dict(stem=p.stem, number=p.stem[:2], title=notebook_title(p), path=p.relative_to(repo).as_posix())
            for p in sorted((repo / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


def first_sentence(text: str, width: int = 92) -> str:
    """The first sentence of a docstring's first paragraph, cut to `width` at a word."""
    para = " ".join(text.strip().split("\n\n")[0].split())
    m = re.search(r"\.(\s|$)", para)
    line = (para[:m.start() + 1] if m else para).rstrip(".")
    if len(line) > width:
        line = line[:width - 2].rsplit(" ", 1)[0].rstrip(",;:(") + " …"
    return line


def note(path: Path) -> str:
    """One line about a file or folder, from the file itself: a Python module's docstring, a
    notebook's title, a shell script's first comment, a folder's README heading or __init__ docstring."""
    if path.is_dir():
        for inner in ("__init__.py", "README.md"):
            if (path / inner).exists():
                return note(path / inner)
        return ""
    if path.suffix == ".py":
        try:
            doc = ast.get_docstring(ast.parse(path.read_text()))
        except SyntaxError:  # a module half-way through an edit: no note rather than no README
            doc = None
        return first_sentence(doc) if doc else ""
    if path.suffix == ".ipynb":
        return notebook_title(path)
    lines = path.read_text().splitlines()
    if path.suffix == ".sh":
        comments = [x.lstrip("# ").strip() for x in lines[1:] if x.startswith("#")]
        return first_sentence(" ".join(comments)) if comments else ""
    if path.suffix == ".md":
        return next((x.lstrip("# ").strip() for x in lines if x.startswith("#")), "")
    return ""


def _entries(folder: Path, pattern: str) -> list[Path]:
    """The files of `folder` that match `pattern`, then its subfolders that hold any; no private
    (_name) or hidden ones."""
    found = [p for p in folder.iterdir() if not p.name.startswith((".", "_")) and p.name != "conftest.py"
             and (p.match(pattern) if p.is_file() else any(p.rglob(pattern)))]
    # the toolkit's files, then the lessons' (lessonN_...), then the folders
    return sorted(found, key=lambda p: (p.is_dir(), p.name.startswith("lesson") and p.name[6:7].isdigit(), p.name))


def tree(spec: list, repo: Path = ROOT, column: int = 26, many: int = 8) -> str:
    """The annotated file tree. `spec` lists (folder, note, how[, glob]): how is 'files' (a line per
    file with the note read from the file, and each subfolder walked the same way; a subfolder of
    more than `many` files has them named on its line), 'top' (a line per file, no subfolders),
    'names' (the folder's files named on its line), 'folder' (one line) or 'always' (one line even
    where the folder does not exist: runs/, which a learner's first run makes, so a fresh clone
    renders the same page); an empty note is read from the folder's __init__.py or README. Other
    folders that do not exist are left out."""
    lines = []

    def line(indent: int, name: str, text: str, width: int = column):
        left = "  " * indent + name
        lines.append(f"{left:<{width}}{text}".rstrip() if len(left) < width else f"{left}  {text}".rstrip())

    def names(indent: int, folder: Path, text: str, pattern: str, width: int = column):
        listed = ", ".join(p.name for p in _entries(folder, pattern) if p.is_file())
        wrapped = textwrap.wrap(f"{text}: {listed}" if text else listed, max(40, 112 - width))
        line(indent, folder.name + "/" if indent else folder.relative_to(repo).as_posix() + "/", wrapped[0], width)
        lines.extend(" " * width + rest for rest in wrapped[1:])

    def walk(folder: Path, indent: int, pattern: str, deep: bool):
        entries = [p for p in _entries(folder, pattern) if deep or p.is_file()]
        width = max([column] + [2 * indent + len(p.name) + 2 for p in entries])
        for p in entries:
            if p.is_file():
                line(indent, p.name, note(p), width)
            elif len(_entries(p, pattern)) > many:
                names(indent, p, note(p), pattern, width)
            else:
                line(indent, p.name + "/", note(p), width)
                walk(p, indent + 1, pattern, deep)

    for folder, text, how, *pattern in spec:
        path = repo / folder
        pattern = pattern[0] if pattern else "*"
        if how == "always":  # one line whether or not the folder exists (runs/: a learner's first run makes it)
            line(0, folder, text)
            continue
        if not path.exists():
            continue
        if how == "names":
            names(0, path, text, pattern)
            continue
        line(0, folder, text or note(path))
        if how in ("files", "top"):
            walk(path, 1, pattern, deep=how == "files")
    return "\n".join(lines)


def context(root: Path = ROOT, repo: Path = ROOT) -> dict:
    """Everything the templates see: the JSON files (j), the targets (T) and the helpers."""
    return dict(j=Files(root), T=targets, FILES=FILES, dig=dig, pluck=pluck, col=col, by_seed=by_seed,
                steps_mean=steps_mean, zip=zip, check=check, both=both, either=either, time_groups=time_groups(),
                notebooks=notebooks(repo), tree=lambda spec: tree(spec, repo))
