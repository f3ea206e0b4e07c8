"""Tests of lessons_lib.results and lessons_lib.paths: results files, the table, where results go
(runs/ by default, results/ only for the reference run, or $LESSONS_RESULTS), smoke folders."""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import script

import lessons_lib.paths as paths
from lessons_lib.paths import find_model, models_dir, results_dir
from lessons_lib.results import load_results, results_table, save_results

NUMBERS = {"acc": {"1": 0.5, "2": 0.25}, "steps": 10, "curve": [0.1, 0.2], "name": "cot"}


@pytest.fixture
def root(tmp_path, monkeypatch):
    """Point the library's ROOT (and the shipped checkpoints) at an empty temporary folder."""
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "CHECKPOINTS", tmp_path / "data" / "checkpoints")
    monkeypatch.delenv("LESSONS_REFERENCE", raising=False)
    monkeypatch.delenv("LESSONS_RESULTS", raising=False)
    return tmp_path


def test_save_then_load_round_trip(tmp_path):
    """load_results gives back exactly the numbers save_results wrote."""
    path = save_results("01_answer_only_sft", NUMBERS, folder=tmp_path)
    assert path == tmp_path / "01_answer_only_sft.json"
    assert load_results("01_answer_only_sft", folder=tmp_path) == NUMBERS


def test_saved_file_records_context(tmp_path, monkeypatch):
    """The file holds the notebook name, the smoke flag and numpy numbers converted to floats."""
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    path = save_results("02_cot", {"acc": np.float32(0.5), "n": 3}, folder=tmp_path)
    data = json.loads(path.read_text())
    assert data["notebook"] == "02_cot" and data["smoke"] is True
    assert data["numbers"] == {"acc": 0.5, "n": 3}
    assert isinstance(data["written"], str) and "machine" in data


@pytest.mark.parametrize("numbers, where", [
    ({"rl_seconds": float("nan")}, r"numbers\['rl_seconds'\] is nan"),
    ({"acc": {"before": 0.5, "after": float("inf")}}, r"numbers\['acc'\]\['after'\] is inf"),
    ({"curve": [0.1, -float("inf")]}, r"numbers\['curve'\]\[1\] is -inf"),
    ({"by_steps": {3: np.float32("nan")}}, r"numbers\['by_steps'\]\[3\] is nan"),
])
def test_save_results_refuses_nan_and_infinity(tmp_path, numbers, where):
    """JSON has no NaN: a ValueError names where it is and what to do, and no file is written."""
    with pytest.raises(ValueError, match=where + r": JSON has no NaN or infinity.*Store None"):
        save_results("03_r1_zero", numbers, folder=tmp_path)
    assert not (tmp_path / "03_r1_zero.json").exists()


def test_save_results_converts_numbers_and_read_only_mappings(tmp_path):
    """numpy and torch scalars become numbers, tuples lists, read-only mappings dicts."""
    from types import MappingProxyType

    import torch

    numbers = {"n": np.int64(3), "t": torch.tensor(0.25), "steps": (1, 2),
               "counts": MappingProxyType({1: 40}), "none": None}
    save_results("01_x", numbers, folder=tmp_path)
    assert load_results("01_x", folder=tmp_path) == {"n": 3, "t": 0.25, "steps": [1, 2],
                                                    "counts": {"1": 40}, "none": None}
    with pytest.raises(TypeError, match=r"numbers\['p'\] is of type object"):
        save_results("01_x", {"p": object()}, folder=tmp_path)


def test_load_missing_results_says_to_run_the_notebook(tmp_path):
    """Loading results that were never written raises FileNotFoundError telling to run the notebook."""
    with pytest.raises(FileNotFoundError, match="no results for 05_grpo.*run that notebook first"):
        load_results("05_grpo", folder=tmp_path)


def test_results_table_lists_notebooks_and_flattened_metrics(tmp_path):
    """The table has one row per metric, nested keys joined with dots, floats to 3 decimals."""
    save_results("02_cot", {"acc": {"3": 0.75}}, folder=tmp_path)
    save_results("01_answer_only_sft", NUMBERS, folder=tmp_path)
    table = results_table(tmp_path)
    lines = table.splitlines()
    assert lines[0].split() == ["notebook", "metric", "value"]
    rows = [line.split(None, 2) for line in lines[2:]]
    assert rows == [
        ["01_answer_only_sft", "acc.1", "0.500"],
        ["01_answer_only_sft", "acc.2", "0.250"],
        ["01_answer_only_sft", "steps", "10"],
        ["01_answer_only_sft", "curve", "0.100, 0.200"],
        ["01_answer_only_sft", "name", "cot"],
        ["02_cot", "acc.3", "0.750"],
    ]


def test_results_table_of_empty_folder(tmp_path):
    """With no results the table says so and names the folder."""
    assert results_table(tmp_path) == f"(no results in {tmp_path})"


def test_results_table_skips_other_json_files(tmp_path):
    """A JSON file that is not a notebook's results (e.g. timings.json) is left out of the table."""
    save_results("01_answer_only_sft", {"acc": 0.5}, folder=tmp_path)
    (tmp_path / "timings.json").write_text('{"01_answer_only_sft": 12.5}')
    rows = results_table(tmp_path).splitlines()[2:]
    assert [r.split() for r in rows] == [["01_answer_only_sft", "acc", "0.500"]]


def test_smoke_mode_uses_smoke_subfolders(root, monkeypatch):
    """With LESSONS_SMOKE=1 results and models go under smoke/, so a test run never overwrites a full one."""
    assert results_dir() == root / "runs" / "results"
    assert models_dir() == root / "models"
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert results_dir() == root / "runs" / "results" / "smoke"
    assert models_dir() == root / "models" / "smoke"
    assert results_dir().name == models_dir().name == "smoke"


def test_a_learners_run_never_writes_the_committed_results(root, monkeypatch):
    """By default (Jupyter, scripts/course.sh) results go to the untracked runs/results/, never to
    the committed results/."""
    assert results_dir() == root / "runs" / "results"
    for value in ("", "0", "no", "false"):
        monkeypatch.setenv("LESSONS_REFERENCE", value)
        assert results_dir() == root / "runs" / "results"
        assert not paths.reference()


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_the_reference_run_writes_results(root, monkeypatch, value):
    """LESSONS_REFERENCE=1 (set by `run_notebooks.py --reference`) writes the committed results/;
    in smoke mode its smoke/ subfolder (ignored by git)."""
    monkeypatch.setenv("LESSONS_REFERENCE", value)
    assert paths.reference()
    assert results_dir() == root / "results" == paths.reference_results_dir()
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert results_dir() == root / "results" / "smoke"


def test_lessons_results_overrides_the_folder(root, monkeypatch, tmp_path_factory):
    """LESSONS_RESULTS (the benchmark's temporary folder) wins over the others, smoke or not;
    a relative path is taken from the repository root."""
    elsewhere = tmp_path_factory.mktemp("bench")
    monkeypatch.setenv("LESSONS_RESULTS", str(elsewhere))
    assert results_dir() == elsewhere
    monkeypatch.setenv("LESSONS_REFERENCE", "1")
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert results_dir() == elsewhere
    monkeypatch.setenv("LESSONS_RESULTS", "runs/other")
    assert results_dir() == root / "runs" / "other"
    monkeypatch.setenv("LESSONS_RESULTS", "  ")  # blank: as if unset
    assert results_dir() == root / "results" / "smoke"


def test_save_results_default_folder_follows_smoke(root, monkeypatch):
    """Without a folder, save_results writes to runs/results/ normally and runs/results/smoke/ in
    smoke mode; load_results reads from the same place."""
    assert save_results("01_x", {"a": 1}) == root / "runs" / "results" / "01_x.json"
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert save_results("01_x", {"a": 2}) == root / "runs" / "results" / "smoke" / "01_x.json"
    assert load_results("01_x") == {"a": 2}
    monkeypatch.delenv("LESSONS_SMOKE")
    assert load_results("01_x") == {"a": 1}
    assert not (root / "results").exists()


def test_find_model_unknown_name(root):
    """An unknown model raises FileNotFoundError naming it, where it looked, and what to run."""
    with pytest.raises(FileNotFoundError,
                       match=r"no model 'nope-123': looked in .*models.*checkpoints.*Run the notebook"):
        find_model("nope-123")


def test_find_model_prefers_a_fresh_model_over_the_shipped_one(root):
    """find_model returns the checkpoint copy when alone, and this checkout's model when both exist."""
    shipped = root / "data" / "checkpoints" / "sft_cot"
    shipped.mkdir(parents=True)
    (shipped / "config.json").write_text("{}")
    assert find_model("sft_cot") == shipped
    fresh = root / "models" / "sft_cot"
    fresh.mkdir(parents=True)
    assert find_model("sft_cot") == shipped  # a folder without config.json does not count
    (fresh / "config.json").write_text("{}")
    assert find_model("sft_cot") == fresh


# --- scripts/run_notebooks.py: where a run writes ----------------------------------------------

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "run_notebooks.py"


def _run_notebooks_module():
    return script("run_notebooks")


@pytest.mark.parametrize("reference, out, smoke, want", [
    (False, None, False, "runs/notebooks"),
    (False, None, True, "runs/notebooks/smoke"),
    (True, None, False, None),  # in place
])
def test_executed_copies_go_to_runs_unless_reference(reference, out, smoke, want):
    module = _run_notebooks_module()
    args = argparse.Namespace(reference=reference, out=out)
    got = module.out_folder(args, smoke)
    assert got == (None if want is None else module.ROOT / want)


def test_executed_copies_go_where_asked(tmp_path):
    module = _run_notebooks_module()
    assert module.out_folder(argparse.Namespace(reference=False, out=str(tmp_path)), False) == tmp_path


@pytest.mark.parametrize("args, env, message", [
    (["--reference", "--out", "elsewhere"], {}, "in place"),
    (["--reference"], {"LESSONS_SMOKE": "1"}, "unset LESSONS_SMOKE"),
    (["--reference"], {"LESSONS_RESULTS": "/tmp/x"}, "unset LESSONS_RESULTS"),
])
def test_reference_run_refuses_what_would_not_be_the_reference(args, env, message):
    """A reference run is full mode, in place, into results/: anything else stops before running."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LESSONS_")}
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], env={**clean, **env},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr and "running" not in proc.stdout
