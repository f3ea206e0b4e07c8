"""README.md and RESULTS.md come from their templates (docs/*.j2) and the JSON files
(scripts/render_readme.py, scripts/readme_facts.py), and CI fails on drift.

`test_pages_are_up_to_date` is the check: if it fails, run `.venv/bin/python scripts/render_readme.py`
and commit README.md and RESULTS.md (or fix the JSON file or the template).
"""
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import script

ROOT = Path(__file__).resolve().parent.parent
render_readme = script("render_readme")
facts = render_readme.readme_facts  # the copy render_readme imported (one MissingFile class)
targets = facts.targets
TEMPLATES = [ROOT / "docs" / t for t in render_readme.PAGES.values()]


def _json(name: str):
    return json.loads((ROOT / facts.FILES[name]).read_text())


def _copy_sources(dest: Path) -> Path:
    """Every JSON file the templates read, copied under `dest` (to change one and render)."""
    for rel in facts.FILES.values():
        if (ROOT / rel).exists():  # the optional ones may not be
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, dest / rel)
    return dest


def _write(root: Path, name: str, data) -> None:
    (root / facts.FILES[name]).write_text(json.dumps(data))


# --- the pages are what the renderer makes of the committed files --------------------------------
def test_pages_are_up_to_date(capsys):
    """README.md and RESULTS.md are exactly what the renderer makes of the committed JSON files and
    the folders as they are (the file tree is walked at render time)."""
    code = render_readme.main(["--check"])
    out = capsys.readouterr().out
    assert code == 0, "README.md or RESULTS.md differs from what scripts/render_readme.py renders:\n" + out


def test_check_fails_with_a_diff_on_drift(tmp_path, capsys):
    pages = render_readme.render()
    for page, text in pages.items():
        (tmp_path / page).write_text(text)
    wall = f"{_json('timings')['03_r1_zero']['wall_s']:.0f} s"
    assert wall in pages["README.md"]
    (tmp_path / "README.md").write_text(pages["README.md"].replace(wall, "999 s", 1))  # typed from memory
    assert render_readme.main(["--check", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "-" in out and "+" in out and "999 s" in out and "render_readme.py" in out
    assert render_readme.main(["--out", str(tmp_path)]) == 0  # rewrite ...
    assert render_readme.main(["--check", "--out", str(tmp_path)]) == 0  # ... and it is up to date


# --- a figure on a page and its JSON value agree --------------------------------------------------
def test_key_figures_are_their_json_values():
    """A few figures read straight from their JSON files, formatted, and found on the committed pages."""
    readme, results = (ROOT / "README.md").read_text(), (ROOT / "RESULTS.md").read_text()
    t = _json("timings")["03_r1_zero"]
    row = next(line for line in readme.splitlines() if "(notebooks/03_r1_zero.ipynb)" in line)
    assert f"| {t['wall_s']:.0f} s / " in row and f"| {t['peak_rss_mb']:.0f} MB / " in row
    worst = " / ".join(f"{_json('seeds')['results'][k]['cot']['min_heldout_trained']:.3f}" for k in ("0", "1", "2"))
    assert f"worst {worst}" in results
    diffs = " / ".join(f"{d:+.2f}" for d in _json("numbers_rl")["effects"]["backtrack_gain"]["diffs"])
    assert f"(per seed {diffs}; mean" in results
    nb03 = _json("nb03")["numbers"]
    assert f"level-3 pass@1\n  {nb03['before']['3']['pass1']:.3f} → {nb03['after']['3']['pass1']:.3f}" in results
    spearman = " / ".join(f"{r['backtrack']['curve']['spearman']:.2f}" for r in _json("numbers_rl")["seeds"])
    assert spearman in results


def test_figures_follow_the_json_files(tmp_path):
    """Change a figure in a JSON file and the page changes with it: nothing is typed from memory."""
    root = _copy_sources(tmp_path)
    timings = _json("timings")
    timings["03_r1_zero"]["wall_s"] = 987.4
    timings["02_chain_of_thought_sft"]["peak_rss_mb"] = 4321.0
    _write(root, "timings", timings)
    rows = _json("rl_seeds")
    rows[1]["after"]["pass1"] = 0.123456
    _write(root, "rl_seeds", rows)
    pages = render_readme.render(root)
    assert "| 987 s / " in pages["README.md"]
    assert "The largest peak memory of a notebook's kernel in the reference run is 4321 MB\n(notebook 02" in pages["README.md"]
    assert "0.123" in pages["RESULTS.md"]
    assert "987 s" in pages["RESULTS.md"]  # the targets table reads the same file


def test_a_missing_file_or_key_stops_the_render_with_its_name(tmp_path):
    """No JSON file: the render fails naming the first file it needs, instead of printing old figures;
    a key that is gone fails too."""
    with pytest.raises(facts.MissingFile, match="results/timings.json"):
        render_readme.render(tmp_path)
    root = _copy_sources(tmp_path)
    nb03 = _json("nb03")
    del nb03["numbers"]["rl_seconds"]
    _write(root, "nb03", nb03)
    with pytest.raises(Exception, match="rl_seconds"):
        render_readme.render(root)


def test_the_run_without_format_reward_appears_once_committed(tmp_path):
    """An optional file: bench/rl_seeds_format0.json adds its bullet, beside the lesson's own run of
    the same seed (bench/rl_seeds.json)."""
    root = _copy_sources(tmp_path)
    (root / facts.FILES["rl_format0"]).unlink(missing_ok=True)
    assert "Without the format reward" not in render_readme.render(root)["RESULTS.md"]
    rows = _json("rl_seeds")
    row = dict(rows[0], format_weight=0.0, after=dict(rows[0]["after"], format_rate=0.777, pass1=0.666))
    _write(root, "rl_format0", [row])
    text = render_readme.render(root)["RESULTS.md"]
    assert "**Without the format reward** (`bench/rl_seeds_format0.json`)" in text
    assert "seed 0 reaches format 0.78 and pass@1 0.67" in text
    assert f"(with the format reward: {rows[0]['after']['format_rate']:.2f} and {rows[0]['after']['pass1']:.2f})" in text


# --- targets: stated once, checked against the measurement ---------------------------------------
def test_the_target_check_says_missed_below_a_target():
    assert facts.check(targets.COT_HELDOUT, [0.97, 0.96, 0.99]) == "met"
    assert facts.check(targets.COT_HELDOUT, [0.97, 0.94, 0.99]) == "missed"  # one seed below 0.95
    assert facts.check(targets.ANSWER_ONLY_HARD, 0.41) == "missed"  # an upper bound
    assert facts.check(targets.ANSWER_ONLY_HARD, 0.40) == "met"
    assert facts.check(targets.NOTEBOOK_FULL["05"], 300.1) == "missed"
    # against another measurement
    assert facts.check(targets.LESSON4_READABILITY, [0.99, 1.0], [0.99, 0.98]) == "missed"  # not above
    assert facts.check(targets.LESSON4_READABILITY, [1.0, 1.0], [0.99, 0.98]) == "met"
    assert targets.NUMBERS_BEHAVIOURS.met(0.04, 0.08) and not targets.NUMBERS_BEHAVIOURS.met(0.05, 0.08)
    with pytest.raises(ValueError):
        targets.LESSON4_READABILITY.met(0.99)  # needs the measurement it compares with
    assert facts.both("met", "missed") == "missed" and facts.either("met", "missed") == "met"


def test_a_missed_target_shows_as_missed_on_the_page(tmp_path):
    """The verdict column is computed from the number: lift R1-Zero's Spearman above the target and
    the row says met; drop one seed below and it says missed."""
    root = _copy_sources(tmp_path)
    data = _json("numbers_rl")

    def row(spearman):
        for r, s in zip(data["seeds"], spearman):
            r["backtrack"]["curve"]["spearman"] = s
        _write(root, "numbers_rl", data)
        page = render_readme.render(root)["RESULTS.md"]
        return next(line for line in page.splitlines() if line.startswith("| Lesson 3 (numbers game), R1-Zero's curve"))

    assert row([0.9, 0.8, 0.75]).endswith("| met | `bench/numbers_rl_seeds.py` |")
    assert row([0.9, 0.8, 0.5]).endswith("| **missed** | `bench/numbers_rl_seeds.py` |")


def test_the_bench_scripts_state_no_target_of_their_own():
    """The bounds live in bench/targets.py; the scripts that check them import it."""
    for name in ("seeds", "rl_seeds", "recipe_seeds", "numbers_rl_seeds", "benchmark"):
        text = (ROOT / "bench" / f"{name}.py").read_text()
        assert "targets" in text, name
    assert "0.95" not in (ROOT / "bench" / "seeds.py").read_text()
    assert "format_after_min=0.95" not in (ROOT / "bench" / "rl_seeds.py").read_text()


# --- no figure typed by hand ------------------------------------------------------------------------
def _literal_text(template: str) -> str:
    """What a template says outside its placeholders, tags, comments and code."""
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", "", template, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`]*`", "", text)


# figures that are not measurements: what Binder offers, thresholds that define a measurement
ALLOWED = ["1 CPU and 2 GB", "2 GB memory cgroup", "2 GB cap", "2 GB (Binder)", "within 0.02 of its best",
           "back up by 0.3 from update", "(95%)", "the last 10% of the updates"]
MEASURED_FIGURE = re.compile(
    r"\b0\.\d+"  # a rate or accuracy
    r"|\b\d+(\.\d+)?\s?(s|ms|min|minutes|seconds|MB|GB|%|x)(?![\w-])"  # a time, a size, a share, a ratio
    r"|\b\d+(\.\d+)?k tokens")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_measured_figure_typed_in_the_templates(template):
    """Every measured figure is a placeholder filled from a JSON file, so none can go stale."""
    text = _literal_text(template.read_text())
    for phrase in ALLOWED:
        text = text.replace(phrase, "")
    found = [m.group(0) for m in MEASURED_FIGURE.finditer(text)]
    assert not found, f"figures typed into {template.name} (make them placeholders): {found}"


def test_the_figure_check_catches_a_typed_figure():
    assert MEASURED_FIGURE.search(_literal_text("pass@1 0.91 after {{ x }} updates"))
    assert not MEASURED_FIGURE.search(_literal_text("pass@1 {{ j.nb03.numbers.pass1 | f2 }} after 40 updates"))


# --- the map: notebooks and the file tree, from the file system -----------------------------------
def test_every_notebook_and_library_module_is_on_the_readme():
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"(notebooks/{nb.name})" in readme and f"  {nb.name}" in readme
    tree = readme.split("## The files")[1].split("## Troubleshooting")[0]
    for module in (ROOT / "lessons_lib").rglob("*.py"):
        if not module.name.startswith("_"):  # private modules (and __init__) are left out
            assert re.search(rf"[ ,]{re.escape(module.name)}[ ,\n]", tree), module


def test_the_templates_name_no_library_module():
    """lessons_lib's modules are being renamed and moved: only the walked tree names them."""
    text = "".join(t.read_text() for t in TEMPLATES)
    for module in (ROOT / "lessons_lib").rglob("*.py"):
        if module.stem != "__init__":
            assert not re.search(rf"(?<![\w/]){module.stem}\.py|lessons_lib[./]{module.stem}\b", text), module


def test_the_file_tree_is_walked_with_notes_from_each_file(tmp_path):
    """A subpackage and a new module appear with their docstrings' first sentences; a notebook with its
    title; a renamed module under its new name only."""
    lib = tmp_path / "lessons_lib"
    (lib / "worlds").mkdir(parents=True)
    (lib / "__init__.py").write_text('"""The library."""\n')
    (lib / "worlds" / "__init__.py").write_text('"""The toy worlds, one module each."""\n')
    (lib / "worlds" / "chain.py").write_text('"""The chain world: arithmetic chains. More here.\n\nDetails."""\n')
    (lib / "sft.py").write_text('"""Supervised fine-tuning\nthrough trl. And more."""\nx = 1\n')
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_a.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "markdown", "source": ["# 0 · Setup and the worlds\n", "text"]}]}))
    spec = [("lessons_lib/", "the library", "files", "*.py"), ("notebooks/", "the lessons", "top", "*.ipynb"),
            ("nowhere/", "a folder that is not there", "folder")]
    tree = facts.tree(spec, repo=tmp_path)
    lines = tree.splitlines()
    assert lines[0].startswith("lessons_lib/") and lines[0].endswith("the library")
    assert any(x.startswith("  sft.py") and x.endswith("Supervised fine-tuning through trl") for x in lines)
    assert any(x.startswith("  worlds/") and x.endswith("The toy worlds, one module each") for x in lines)
    assert any(x.startswith("    chain.py") and x.endswith("The chain world: arithmetic chains") for x in lines)
    assert any(x.startswith("  00_a.ipynb") and x.endswith("Setup and the worlds") for x in lines)
    assert "__init__" not in tree and "nowhere" not in tree
    (lib / "sft.py").rename(lib / "training.py")
    tree = facts.tree(spec, repo=tmp_path)
    assert "training.py" in tree and "sft.py" not in tree


def test_a_long_docstring_sentence_is_cut_at_a_word():
    line = facts.first_sentence("word " * 40)
    assert len(line) <= 92 and line.endswith(" …") and "wor …" not in line


# --- formatting -------------------------------------------------------------------------------------
@pytest.mark.parametrize("x, want", [(5e-4, "5e-4"), (0.002, "2e-3"), (1e-3, "1e-3"), (3e-05, "3e-5")])
def test_learning_rates_are_written_short(x, want):
    assert render_readme.FORMATS["lr"](x) == want


def test_steps_and_spans():
    steps = render_readme.FORMATS["steps"]
    assert steps([1, 2, 3, 4]) == "1-4" and steps(["3", "4"]) == "3-4" and steps([2, 5]) == "2, 5"
    assert render_readme.span([0.781, 0.866]) == "0.78-0.87" and render_readme.span([0.999, 1.0]) == "1.00"
    assert facts.steps_mean({"1": 1.0, "2": 0.5, "5": 0.0}, "1-2") == 0.75


def test_the_tree_does_not_depend_on_a_learners_runs(tmp_path):
    """runs/ is untracked: the page renders the same with or without it (a fresh clone has none)."""
    import shutil
    facts = script("readme_facts")
    spec = [("runs/", "your runs", "always"), ("docs/", "the templates", "top")]
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    without = facts.tree(spec, repo)
    (repo / "runs").mkdir()
    assert facts.tree(spec, repo) == without and "runs/" in without
    shutil.rmtree(repo / "docs")
    assert "docs/" not in facts.tree(spec, repo)  # a folder walked for its files is left out when gone
