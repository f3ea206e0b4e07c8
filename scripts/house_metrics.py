"""The library's house, in numbers: modules and lines per floor (toolkit, worlds, lessons,
exercises), imports from one lesson module into another, imports from the toolkit into a world or a
lesson, and the largest module. tests/test_worlds.py holds the import rule with the same reading.

    python3 scripts/house_metrics.py          # the work tree
    python3 scripts/house_metrics.py f2d7868  # the tree at a revision (before issue 25: lesson and
                                              # world modules had no prefix, so they are listed by name)
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# before issue 25 the floors were not in the names: the lesson and world modules of f2d7868
OLD_LESSONS = {"r1", "recipe", "boundary", "algorithms", "thinking", "verifiers", "numbers_rl", "general", "word_model"}
OLD_WORLDS = {"tasks", "thoughts", "corpus", "word_problems", "numbers_game", "numbers_corpus"}


def read_tree(rev: str | None = None) -> dict[str, str]:
    """{path: source} of lessons_lib's Python files, in the work tree or at git revision `rev`."""
    if rev is None:
        return {p.relative_to(ROOT).as_posix(): p.read_text() for p in (ROOT / "lessons_lib").rglob("*.py")}
    git = ["git", "-C", str(ROOT)]
    names = subprocess.run(git + ["ls-tree", "-r", "--name-only", rev, "lessons_lib"], capture_output=True,
                           text=True, check=True).stdout.split()
    return {f: subprocess.run(git + ["show", f"{rev}:{f}"], capture_output=True, text=True, check=True).stdout
            for f in names if f.endswith(".py")}


def module(path: str) -> str:
    """'lessons_lib/worlds/chain.py' -> 'worlds.chain' ('lessons_lib/x/__init__.py' -> 'x')."""
    m = path[len("lessons_lib/"):-3].replace("/", ".")
    return m[: -len(".__init__")] if m.endswith(".__init__") else m


def kind(mod: str) -> str:
    """'toolkit', 'world', 'lesson' or 'exercises': the floor a module stands on."""
    first = mod.split(".")[0]
    if first == "exercises":
        return "exercises"
    if first == "worlds" or first in OLD_WORLDS:
        return "world"
    if re.match(r"lesson\d", first) or first in OLD_LESSONS:
        return "lesson"
    return "toolkit"


def edges(files: dict[str, str]) -> set[tuple[str, str]]:
    """(importer, imported) pairs of lessons_lib modules, function-local imports included."""
    mods = {module(f) for f in files}
    out = set()
    for f, text in files.items():
        me = module(f)
        package = me if f.endswith("__init__.py") else me.rpartition(".")[0]
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".") if package and package != "__init__" else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("lessons_lib"):
                target = node.module[len("lessons_lib."):]
            else:
                continue
            subs = [f"{target}.{a.name}".strip(".") for a in node.names if f"{target}.{a.name}".strip(".") in mods]
            for t in subs or [target]:
                if t and t != me and t in mods:
                    out.add((me, t))
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    files = read_tree(argv[0] if argv else None)
    pairs = edges(files)
    lines = {module(f): t.count("\n") for f, t in files.items()}
    between = sorted((a, b) for a, b in pairs if kind(a) == kind(b) == "lesson")
    down = sorted((a, b) for a, b in pairs if kind(a) == "toolkit" and kind(b) in ("world", "lesson"))
    big = max(lines.items(), key=lambda kv: kv[1])
    print(f"modules {len(files)}, lines {sum(lines.values())}, largest {big[0]} ({big[1]})")
    print(f"lesson -> lesson imports: {len(between)} {between}")
    print(f"toolkit -> world/lesson imports: {len(down)} {down}")
    for k in ("toolkit", "world", "lesson", "exercises"):
        ms = [m for m in lines if kind(m) == k]
        print(f"  {k}: {len(ms)} modules, {sum(lines[m] for m in ms)} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
