"""Every exercise check returns its verdict (True or False) on every path, so a solution notebook can
write `assert check_x(...)` and CI fails when a solution breaks.

Read from the source (no model needed): each public `check_*` in lessons_lib/exercises/ is
annotated `-> bool`, ends with a `return`, never returns bare (None), and returns only what the
verdict helpers give (`_ok`, `_wrong`, `_verdict`), a boolean name or literal, or a comparison.
The behaviour (True when right, False when wrong) is tested check by check in test_exercises.py,
test_boundary_exercises.py, test_rl_exercises.py, test_lesson7_exercises.py, test_lesson4_recipe.py, ...
"""
import ast
import inspect
from pathlib import Path

import pytest

from lessons_lib import exercises

SOURCES = sorted(Path(exercises.__file__).parent.glob("*.py"))  # the package: one module per lesson
CHECKS = [f for path in SOURCES for f in ast.parse(path.read_text()).body
          if isinstance(f, ast.FunctionDef) and f.name.startswith("check_")]
VERDICT_HELPERS = {"_ok", "_wrong", "_verdict", "_judge_number"}


def _returns(fn: ast.FunctionDef):
    """The function's own return statements (not those of nested functions or lambdas)."""
    out, todo = [], list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return):
            out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def _is_verdict(expr, bool_names) -> bool:
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, bool)
    if isinstance(expr, ast.Call):
        return getattr(expr.func, "id", None) in VERDICT_HELPERS
    if isinstance(expr, ast.Compare):
        return True
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return True
    if isinstance(expr, ast.Name):
        return expr.id in bool_names
    if isinstance(expr, ast.BoolOp):
        return all(_is_verdict(v, bool_names) for v in expr.values)
    return False


def _bool_names(fn: ast.FunctionDef) -> set:
    """Names assigned only verdicts (e.g. `close = abs(off) <= 0.05`)."""
    names: dict[str, bool] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            names[name] = names.get(name, True) and _is_verdict(node.value, set(names))
    return {n for n, ok in names.items() if ok}


def test_there_are_checks():
    assert len(CHECKS) >= 20
    public = {n for n, f in inspect.getmembers(exercises, inspect.isfunction)
              if n.startswith("check_") and f.__module__.startswith(exercises.__name__ + ".")}
    assert public == {f.name for f in CHECKS}


@pytest.mark.parametrize("fn", CHECKS, ids=lambda f: f.name)
def test_check_returns_its_verdict_on_every_path(fn):
    assert isinstance(fn.returns, ast.Name) and fn.returns.id == "bool", \
        f"{fn.name} should be annotated -> bool"
    assert isinstance(fn.body[-1], ast.Return), \
        f"{fn.name} can fall off its end and return None: end it with a return of its verdict"
    names = _bool_names(fn)
    for r in _returns(fn):
        assert r.value is not None, f"{fn.name}: a bare `return` (line {r.lineno}) returns None"
        assert _is_verdict(r.value, names), \
            f"{fn.name}: line {r.lineno} returns {ast.unparse(r.value)!r}, not a verdict"


def test_verdict_helpers_return_booleans(capsys):
    assert exercises._ok("fine") is True
    assert exercises._wrong("not fine") is False
    assert exercises._verdict([(True, "a"), (False, "b")], "m") is False
    assert exercises._verdict([(True, "a")], "m") is True
    out = capsys.readouterr().out
    assert "✅ fine" in out and "❌ not fine" in out
