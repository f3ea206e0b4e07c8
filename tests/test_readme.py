"""The README's figures come from the JSON files (scripts/render_readme.py), and CI fails on drift.

`test_readme_is_up_to_date` is the check: if it fails, run `.venv/bin/python scripts/render_readme.py`
and commit README.md (or fix the JSON file or the renderer).
"""
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import script

ROOT = Path(__file__).resolve().parent.parent
render_readme = script("render_readme")

FILES = [render_readme.TIMINGS, render_readme.REPORT, render_readme.SEEDS, render_readme.LR_SWEEP,
         render_readme.RL_SEEDS, render_readme.BASE_CARD, render_readme.NB00, render_readme.NB01,
         render_readme.NB02, render_readme.NB03, render_readme.NB04, render_readme.NB06,
         render_readme.RL_ALGORITHMS, render_readme.NB07, render_readme.VERIFIER_SEEDS,
         render_readme.REPRODUCTION]


def test_readme_is_up_to_date(capsys):
    """README.md is exactly what the renderer makes of the committed JSON files."""
    code = render_readme.main(["--check"])
    out = capsys.readouterr().out
    assert code == 0, "README.md differs from the JSON files:\n" + out


def test_every_block_is_in_the_readme():
    text = (ROOT / "README.md").read_text()
    for name in render_readme.BLOCKS:
        assert render_readme.BEGIN.format(name=name) in text
        assert render_readme.END.format(name=name) in text


def _prose(text: str) -> str:
    """What a person wrote: no rendered blocks, no code blocks, no inline code."""
    text = render_readme.outside_blocks(text)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`]*`", "", text)


# figures that are not measurements: what Binder offers
ALLOWED = ["1 CPU and 2 GB"]
MEASURED_FIGURE = re.compile(
    r"\b0\.\d+"  # a rate or accuracy
    r"|\b\d+(\.\d+)?\s?(s|ms|min|minutes|seconds|MB|GB|%|x)(?![\w-])"  # a time, a size, a share, a ratio
    r"|\b\d+(\.\d+)?k tokens")


def test_no_measured_figure_outside_the_rendered_blocks():
    """Every figure in the README's prose is rendered from a JSON file, so none can go stale."""
    prose = _prose((ROOT / "README.md").read_text())
    for phrase in ALLOWED:
        prose = prose.replace(phrase, "")
    found = [m.group(0) for m in MEASURED_FIGURE.finditer(prose)]
    assert not found, f"figures typed into the README (move them into a rendered block): {found}"


def _copy_sources(dest: Path, files=FILES) -> Path:
    for rel in files:
        if (ROOT / rel).exists():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, dest / rel)
    return dest


def _render(root: Path) -> str:
    return render_readme.render((ROOT / "README.md").read_text(), render_readme.Sources(root))


def test_figures_follow_the_json_files(tmp_path):
    """Change a figure in a JSON file and the README changes with it: nothing is typed from memory."""
    root = _copy_sources(tmp_path)
    timings = json.loads((root / render_readme.TIMINGS).read_text())
    timings["03_r1_zero"]["wall_s"] = 987.4
    timings["02_chain_of_thought_sft"]["peak_rss_mb"] = 4321.0
    (root / render_readme.TIMINGS).write_text(json.dumps(timings))
    rows = json.loads((root / render_readme.RL_SEEDS).read_text())
    rows[1]["after"]["pass1"] = 0.123456
    (root / render_readme.RL_SEEDS).write_text(json.dumps(rows))
    text = _render(root)
    assert "987 s" in text
    assert "4321 MB" in text and "The largest peak memory of a notebook's kernel in the reference run is 4321 MB (notebook 02" in text
    assert "0.123" in text


def test_missing_files_show_as_missing_not_as_old_figures(tmp_path):
    """Without any JSON file the renderer still runs: required rows say what is missing, optional
    rows and the exercise-3 bullet are left out."""
    text = _render(tmp_path)
    assert "(missing: bench/seeds.json" in text
    assert "(missing: results/timings.json" in text
    assert "README test command" not in text  # optional row: no bench/report.json test_command
    assert "Without the format reward" not in render_readme.block_lesson3(render_readme.Sources(tmp_path))
    assert "not measured / not measured" in render_readme.block_notebooks(render_readme.Sources(tmp_path))


def test_the_run_without_format_reward_appears_once_committed(tmp_path):
    root = _copy_sources(tmp_path)
    assert "Without the format reward" not in render_readme.block_lesson3(render_readme.Sources(root))
    rows = json.loads((root / render_readme.RL_SEEDS).read_text())
    row = dict(rows[0], format_weight=0.0)
    row["after"] = dict(row["after"], format_rate=0.777, pass1=0.666)
    (root / render_readme.RL_FORMAT0).write_text(json.dumps([row]))
    text = render_readme.block_lesson3(render_readme.Sources(root))
    assert "**Without the format reward** (`bench/rl_seeds_format0.json`)" in text
    assert "weight at 0, seed 0 reaches format 0.78 and pass@1 0.67" in text
    # the comparison figures are the lesson's own run of that seed, read from bench/rl_seeds.json
    assert f"(with the format reward: {rows[0]['after']['format_rate']:.2f} and {rows[0]['after']['pass1']:.2f})" in text


def test_new_keys_are_read_and_old_ones_still_work(tmp_path):
    """bench/rl_seeds.py now records its budget and seconds_per_update; older files had
    seconds_per_step and no budget."""
    root = _copy_sources(tmp_path)
    rows = json.loads((root / render_readme.RL_SEEDS).read_text())
    for r in rows:
        r["seconds_per_update"] = r.pop("seconds_per_step", 0.5)
        r["budget"] = {"updates": 150, "prompts_per_update": 8, "num_generations": 6}
    (root / render_readme.RL_SEEDS).write_text(json.dumps(rows))
    report = json.loads((root / render_readme.REPORT).read_text())
    report["test_command"] = {"seconds": 99.4, "returncode": 0, "commit": "abcdef123"}
    report["machine_speed"] = {"plain_sft_tokens_per_s": 12345.0}
    report["cpu"] = "Some CPU"
    (root / render_readme.REPORT).write_text(json.dumps(report))
    text = _render(root)
    assert "GRPO phase, 150 updates of 8 prompts x 6 completions" in text
    assert "**After 150 GRPO updates**" in text
    assert "| README test command on a fresh clone (setup included) | < 12 min | 99 s (exit 0, commit abcdef1)" in text
    assert "12.3k tokens/s" in text and "Some CPU" in text


def test_check_fails_with_a_diff_on_drift(tmp_path, capsys):
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text()
    rendered = render_readme.render(text, render_readme.Sources(ROOT))
    wall = f"{json.loads((ROOT / render_readme.TIMINGS).read_text())['03_r1_zero']['wall_s']:.0f} s"
    assert wall in rendered
    readme.write_text(rendered.replace(wall, "215 s", 1))  # a figure typed from memory
    assert render_readme.main(["--check", "--readme", str(readme)]) == 1
    out = capsys.readouterr().out
    assert "-" in out and "+" in out and "215 s" in out and "render_readme.py" in out
    assert render_readme.main(["--readme", str(readme)]) == 0  # rewrite ...
    assert render_readme.main(["--check", "--readme", str(readme)]) == 0  # ... and it is up to date


def test_unknown_or_unclosed_blocks_are_errors(tmp_path):
    with pytest.raises(SystemExit, match="does not know"):
        render_readme.render(render_readme.BEGIN.format(name="nope") + "\n"
                             + render_readme.END.format(name="nope"), render_readme.Sources(tmp_path))
    with pytest.raises(SystemExit, match="no end marker"):
        render_readme.render(render_readme.BEGIN.format(name="binder") + "\nx\n",
                             render_readme.Sources(tmp_path))


@pytest.mark.parametrize("x, want", [(5e-4, "5e-4"), (0.002, "2e-3"), (1e-3, "1e-3"), (3e-05, "3e-5")])
def test_learning_rates_are_written_short(x, want):
    assert render_readme.lr(x) == want


def test_steps_range():
    assert render_readme.steps_range([1, 2, 3, 4]) == "1-4"
    assert render_readme.steps_range(["3", "4"]) == "3-4"
    assert render_readme.steps_range([2, 5]) == "2, 5"
    assert render_readme.steps_range([5]) == "5"


def test_the_template_bullet_has_figures_only_with_its_file(tmp_path):
    """The template bullet reads notebook 03's probe of the base under each template, and the
    earlier 134-token template's seeds only when their file is there."""
    root = _copy_sources(tmp_path)
    (root / render_readme.RL_OLD_TEMPLATE).unlink(missing_ok=True)
    text = render_readme.block_lesson3(render_readme.Sources(root))
    bullet = text.split("**The template matters most.**")[1].split("\n")[0]
    probe = json.loads((root / render_readme.NB03).read_text())["numbers"]["template_probe"]
    assert all(f"{v:.2f} of the time" in bullet for v in probe.values()) and "134" not in bullet
    rows = json.loads((root / render_readme.RL_SEEDS).read_text())
    (root / render_readme.RL_OLD_TEMPLATE).write_text(json.dumps([dict(rows[1], pass1_gain=0.5)]))
    text = render_readme.block_lesson3(render_readme.Sources(root))
    assert "(`bench/rl_seeds_template134.json`, seed 1: pass@1 gain +0.50)" in text
    # no seconds: the old template's runs predate the GRPO speed-ups, so times do not compare
    assert " s;" not in text.split("**The template matters most.**")[1].split("\n")[0]




def test_lesson_6_figures_and_table_rows_follow_the_json_files(tmp_path):
    """Lesson 6's block reads notebook 06's runs; the course-wide table gains each algorithm's row
    from the bench's longest seed-0 budget, and loses it when the bench file is gone."""
    root = _copy_sources(tmp_path)
    nb = json.loads((root / render_readme.NB06).read_text())
    nb["numbers"]["runs"]["PPO"]["summary"]["pass@1 right 1-4"] = 0.987654
    (root / render_readme.NB06).write_text(json.dumps(nb))
    text = render_readme.block_lesson6(render_readme.Sources(root))
    ppo_line = next(line for line in text.splitlines() if line.startswith("| PPO |"))
    assert "| 0.99 |" in ppo_line
    table = render_readme.block_lesson4(render_readme.Sources(root))
    longest = max(r["updates"] for r in json.loads((root / render_readme.RL_ALGORITHMS).read_text())["rows"]
                  if r["seed"] == 0 and "table" in r)
    assert "| PPO (6) |" in table and f"after {longest} updates" in table
    (root / render_readme.RL_ALGORITHMS).unlink()
    assert "(6) |" not in render_readme.block_lesson4(render_readme.Sources(root))


def test_lesson_7_figures_and_table_rows_follow_the_json_files(tmp_path):
    """Lesson 7's block reads notebook 07's numbers and the bench's seeds; the course-wide table gains
    the fused model's two rows, and loses them when notebook 07's results are gone."""
    root = _copy_sources(tmp_path)
    nb = json.loads((root / render_readme.NB07).read_text())
    nb["numbers"]["fused"]["no_think"]["mean_obeys"] = 0.123456
    nb["numbers"]["hardening"]["pays_wrong"]["gate"] = 0.876543
    (root / render_readme.NB07).write_text(json.dumps(nb))
    text = render_readme.block_lesson7(render_readme.Sources(root))
    row = next(line for line in text.splitlines() if line.startswith("| fused, /no_think |"))
    assert "| 0.12 |" in row and "gate 0.88" in text
    table = render_readme.block_lesson4(render_readme.Sources(root))
    assert "| fused /think (7) |" in table and "| fused /no_think (7) |" in table
    if (root / render_readme.VERIFIER_SEEDS).exists():
        assert "| learned |" in text and "(seeds: missing" not in text
    (root / render_readme.VERIFIER_SEEDS).unlink(missing_ok=True)
    assert "(seeds: missing" in render_readme.block_lesson7(render_readme.Sources(root))
    (root / render_readme.NB07).unlink()
    assert "(7) |" not in render_readme.block_lesson4(render_readme.Sources(root))


def test_the_reproduction_note_follows_the_json_files(tmp_path):
    """What a learner's run reproduces: the other machine's lesson-3 figures against the reference's,
    from bench/reproduction.json and results/03; gone (shown as missing) without the file."""
    root = _copy_sources(tmp_path)
    other = json.loads((root / render_readme.REPRODUCTION).read_text())
    other["pass1_after"] = 0.987654
    (root / render_readme.REPRODUCTION).write_text(json.dumps(other))
    text = render_readme.block_reproduce(render_readme.Sources(root))
    assert "pass@1 after RL 0.988 against the reference's" in text and "spread over seeds" in text
    (root / render_readme.REPRODUCTION).unlink()
    with pytest.raises(render_readme.Missing):
        render_readme.block_reproduce(render_readme.Sources(root))


def test_lesson_6_gap_to_the_base_and_lesson_7_forms_follow_the_json_files(tmp_path):
    root = _copy_sources(tmp_path)
    nb6 = json.loads((root / render_readme.NB06).read_text())
    if "base_by_path" in nb6["numbers"]:
        nb6["numbers"]["base_by_path"]["5-8"]["1"] = 0.876543
        (root / render_readme.NB06).write_text(json.dumps(nb6))
        assert "base 0.88 and" in render_readme.block_lesson6(render_readme.Sources(root))
        del nb6["numbers"]["base_by_path"]
        (root / render_readme.NB06).write_text(json.dumps(nb6))
        assert "Against lesson 3's base" not in render_readme.block_lesson6(render_readme.Sources(root))
    nb7 = json.loads((root / render_readme.NB07).read_text())
    if "answer_forms" in nb7["numbers"]:
        nb7["numbers"]["answer_forms"]["after RL (learned verifier)"]["sentence"] = 0.123456
        (root / render_readme.NB07).write_text(json.dumps(nb7))
        assert "→ 0.12 (plain" in render_readme.block_lesson7(render_readme.Sources(root))
