"""Tests of lessons_lib.results and lessons_lib.paths: results files, the table, smoke folders."""
import json

import numpy as np
import pytest

import lessons_lib.paths as paths
from lessons_lib.paths import find_model, models_dir, results_dir
from lessons_lib.results import load_results, results_table, save_results

NUMBERS = {"acc": {"1": 0.5, "2": 0.25}, "steps": 10, "curve": [0.1, 0.2], "name": "cot"}


@pytest.fixture
def root(tmp_path, monkeypatch):
    """Point the library's ROOT (and the shipped checkpoints) at an empty temporary folder."""
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "CHECKPOINTS", tmp_path / "data" / "checkpoints")
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
    assert results_dir() == root / "results"
    assert models_dir() == root / "models"
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert results_dir() == root / "results" / "smoke"
    assert models_dir() == root / "models" / "smoke"
    assert results_dir().name == models_dir().name == "smoke"


def test_save_results_default_folder_follows_smoke(root, monkeypatch):
    """Without a folder, save_results writes to results/ normally and results/smoke/ in smoke mode."""
    assert save_results("01_x", {"a": 1}) == root / "results" / "01_x.json"
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert save_results("01_x", {"a": 2}) == root / "results" / "smoke" / "01_x.json"
    assert load_results("01_x") == {"a": 2}
    monkeypatch.delenv("LESSONS_SMOKE")
    assert load_results("01_x") == {"a": 1}


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
