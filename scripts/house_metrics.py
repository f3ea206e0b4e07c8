"""The library's house, in numbers: modules and lines per floor (toolkit, worlds, lessons,
exercises), imports from one lesson module into another, imports from the toolkit into a world or a
lesson, and the largest module. tests/test_worlds.py holds the import rule; this prints the counts.

    python3 scripts/house_metrics.py          # the work tree
    python3 scripts/house_metrics.py f2d7868  # the tree at a revision (before issue 25: lesson and
                                              # world modules had no prefix, so they are listed by name)
"""
import ast, subprocess, sys, re
from pathlib import PurePosixPath as P
rev = sys.argv[1] if len(sys.argv) > 1 else None
def files():
    if rev:
        out = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "lessons_lib"], capture_output=True, text=True).stdout.split()
        return {f: subprocess.run(["git", "show", f"{rev}:{f}"], capture_output=True, text=True).stdout for f in out if f.endswith(".py")}
    import glob
    return {f: open(f).read() for f in glob.glob("lessons_lib/**/*.py", recursive=True)}
F = files()
OLD_LESSONS = {"r1", "recipe", "boundary", "algorithms", "thinking", "verifiers", "numbers_rl", "general", "word_model"}
OLD_WORLDS = {"tasks", "thoughts", "corpus", "word_problems", "numbers_game", "numbers_corpus"}
def kind(mod):  # mod: dotted under lessons_lib
    parts = mod.split(".")
    if parts[0] == "exercises": return "exercises"
    if parts[0] == "worlds": return "world"
    if re.match(r"lesson\d", parts[0]): return "lesson"
    if rev and parts[0] in OLD_LESSONS: return "lesson"
    if rev and parts[0] in OLD_WORLDS: return "world"
    return "toolkit"
def modname(f):
    m = f[len("lessons_lib/"):-3].replace("/", ".")
    return m[: -len(".__init__")] if m.endswith(".__init__") else m
edges = set()
for f, text in F.items():
    me = modname(f); pkg = me.rsplit(".", 1)[0] if "." in me else ""
    if f.endswith("__init__.py"): pkg = me if me != "__init__" else ""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".") if pkg else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                tgt = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("lessons_lib"):
                tgt = node.module[len("lessons_lib."):] if node.module != "lessons_lib" else ""
            else: continue
            names = [a.name for a in node.names]
            targets = [f"{tgt}.{n}".strip(".") for n in names if any(modname(g) == f"{tgt}.{n}".strip(".") for g in F)] or [tgt]
            for t in targets:
                if t and t != me and any(modname(g) == t for g in F): edges.add((me, t))
lines = {modname(f): t.count("\n") for f, t in F.items()}
ll = sorted((a, b) for a, b in edges if kind(a) == "lesson" and kind(b) == "lesson")
tw = sorted((a, b) for a, b in edges if kind(a) == "toolkit" and kind(b) in ("world", "lesson"))
big = max(lines.items(), key=lambda kv: kv[1])
print(f"modules {len(F)}, lines {sum(lines.values())}, largest {big[0]} ({big[1]})")
print(f"lesson -> lesson imports: {len(ll)} {ll}")
print(f"toolkit -> world/lesson imports: {len(tw)} {tw}")
for k in ("toolkit", "world", "lesson", "exercises"):
    ms = [m for m in lines if kind(m) == k]
    print(f"  {k}: {len(ms)} modules, {sum(lines[m] for m in ms)} lines")
