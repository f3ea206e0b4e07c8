"""scripts/compare_runs.py tells a changed number from a changed time."""
import json

from conftest import script

compare_runs = script("compare_runs")


def tree(root, accuracy: float, seconds: float, weights: bytes):
    (root / "runs/results").mkdir(parents=True)
    (root / "runs/results/01_x.json").write_text(json.dumps(
        {"numbers": {"accuracy": accuracy, "train_seconds": seconds}, "written": str(seconds)}))
    (root / "models/01_x").mkdir(parents=True)
    (root / "models/01_x/model.safetensors").write_bytes(weights)
    (root / "models/06_runs").mkdir(parents=True)
    (root / "models/06_runs/00_a.json").write_text(json.dumps({"log": [{"loss": accuracy, "step_time": seconds}]}))
    return root


def test_times_differ_numbers_do_not(tmp_path):
    old, new = tree(tmp_path / "old", 0.5, 1.0, b"w"), tree(tmp_path / "new", 0.5, 2.0, b"w")
    r = compare_runs.compare(old, new)
    assert r["summary"]["same_numbers"] is True and r["summary"]["changed"] == []
    assert r["results"]["01_x.json"]["timing_only"] == [".numbers.train_seconds", ".written"]


def test_a_changed_number_or_model_is_named(tmp_path):
    old, new = tree(tmp_path / "old", 0.5, 1.0, b"w"), tree(tmp_path / "new", 0.6, 1.0, b"v")
    r = compare_runs.compare(old, new)
    assert r["summary"]["same_numbers"] is False
    assert set(r["summary"]["changed"]) == {"01_x.json", "06_runs/00_a.json", "01_x"}
    assert r["results"]["01_x.json"]["changed"] == [".numbers.accuracy"]
    assert compare_runs.main([str(old), str(new)]) == 1


def test_a_name_that_looks_like_a_time_does_not_hide_a_number(tmp_path):
    """Only keys that hold a time count as timing: a model named 'second SFT (4)' is not one."""
    for side, value in (("old", 0.5), ("new", 0.6)):
        (tmp_path / side / "runs/results").mkdir(parents=True)
        (tmp_path / side / "runs/results/05_x.json").write_text(json.dumps(
            {"numbers": {"pass1": {"second SFT (4)": value}, "samples_per_second": {"second SFT (4)": value}}}))
    r = compare_runs.compare(tmp_path / "old", tmp_path / "new")
    assert r["results"]["05_x.json"]["changed"] == [".numbers.pass1.second SFT (4)"]
    assert r["results"]["05_x.json"]["timing_only"] == [".numbers.samples_per_second.second SFT (4)"]
