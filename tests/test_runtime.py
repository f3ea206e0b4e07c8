"""Tests of lessons_lib.runtime: the smoke switch, pick, device choice, seeding, quiet."""
import os
import random

import numpy as np
import pytest
import torch

from lessons_lib.runtime import (
    require_int, require_lr, require_updates, get_device, pick, quiet, seed_everything, smoke,
)


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("true", True), ("True", True), (" yes ", True), ("on", True),
    ("0", False), ("", False), ("false", False), ("no", False), ("2", False),
])
def test_smoke_reads_the_environment(monkeypatch, value, expected):
    """LESSONS_SMOKE=1/true/yes/on (any case, spaces ignored) turns smoke mode on; other values do not."""
    monkeypatch.setenv("LESSONS_SMOKE", value)
    assert smoke() is expected


def test_smoke_is_off_when_unset():
    """Without LESSONS_SMOKE, smoke mode is off."""
    assert "LESSONS_SMOKE" not in os.environ
    assert smoke() is False


def test_pick(monkeypatch):
    """pick returns the full value normally and the smoke value in smoke mode."""
    assert pick(1000, 10) == 1000
    monkeypatch.setenv("LESSONS_SMOKE", "1")
    assert pick(1000, 10) == 10
    assert pick("Qwen/Qwen2.5-0.5B", "tiny") == "tiny"


def test_get_device_cpu(capsys):
    """Asking for the CPU (any case) gives 'cpu' and prints the choice."""
    assert get_device("cpu") == "cpu"
    assert get_device("CPU", verbose=False) == "cpu"
    assert capsys.readouterr().out == "device: cpu (asked for)\n"


def test_get_device_from_environment(monkeypatch):
    """LESSONS_DEVICE forces the device; an explicit override wins over it."""
    monkeypatch.setenv("LESSONS_DEVICE", "cpu")
    assert get_device(verbose=False) == "cpu"
    monkeypatch.setenv("LESSONS_DEVICE", "tpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        get_device(verbose=False)
    assert get_device("cpu", verbose=False) == "cpu"


def test_get_device_unknown():
    """An unknown device raises a ValueError listing the valid ones."""
    with pytest.raises(ValueError, match="unknown device 'tpu': use 'cpu', 'cuda' or 'mps'"):
        get_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_get_device_cuda_without_gpu():
    """Asking for CUDA without a GPU raises a RuntimeError suggesting the CPU."""
    with pytest.raises(RuntimeError, match="torch sees no CUDA GPU; use 'cpu'"):
        get_device("cuda")


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="this machine has Apple MPS")
def test_get_device_mps_without_mps():
    """Asking for MPS where there is none raises a RuntimeError suggesting the CPU."""
    with pytest.raises(RuntimeError, match="no MPS; use 'cpu'"):
        get_device("mps")


def test_get_device_auto_is_a_valid_choice():
    """Without an override the choice is one of cpu/cuda/mps and matches what torch can see."""
    choice = get_device(verbose=False)
    assert choice in ("cpu", "cuda", "mps")
    assert (choice == "cuda") == torch.cuda.is_available()


def test_seed_everything_makes_draws_reproducible():
    """After seed_everything(s), torch, NumPy and random draws repeat; another seed changes them."""
    def draws():
        return torch.rand(5), np.random.rand(5), random.random()

    seed_everything(42)
    a = draws()
    seed_everything(42)
    b = draws()
    seed_everything(43)
    c = draws()
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
    assert not torch.equal(a[0], c[0]) and not np.array_equal(a[1], c[1]) and a[2] != c[2]


def test_quiet_sets_environment_defaults(monkeypatch):
    """quiet() turns progress bars and tokenizer parallelism off without overriding user settings."""
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")
    quiet()
    assert os.environ["TQDM_DISABLE"] == "1"
    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    assert os.environ["TOKENIZERS_PARALLELISM"] == "true"


@pytest.mark.parametrize("value", [0, -1, 11, 2.0, True, "3", None])
def test_check_updates_rejects_what_is_not_an_update_count(value):
    """Optimizer updates are an int in 1..most; the message names them updates (steps are a
    problem's operations in this course)."""
    with pytest.raises(ValueError, match=rf"updates \(optimizer updates\) must be an int between 1 and "
                                         rf"10, got {value!r}"):
        require_updates(value, 10)


def test_check_updates_accepts_the_range_and_names_the_field():
    require_updates(1, 10)
    require_updates(10, 10)
    with pytest.raises(ValueError, match=r"^SFTBudget.updates\['cot'\] \(optimizer updates\)"):
        require_updates(0, 10, name="SFTBudget.updates['cot']")


@pytest.mark.parametrize("value", [0, True, False, 1.0, "2", None])
def test_check_int(value):
    require_int(1, "batch_size")
    with pytest.raises(ValueError, match=rf"batch_size must be a positive int, got {value!r}"):
        require_int(value, "batch_size")
    with pytest.raises(ValueError, match=r"num_generations must be an int of at least 2 \(why\), got 1"):
        require_int(1, "num_generations", least=2, why=" (why)")


@pytest.mark.parametrize("lr", [0, 1, -1e-3, True, "1e-3", None])
def test_check_lr(lr):
    require_lr(1e-3, example="1e-3")
    with pytest.raises(ValueError, match=r"lr must be a number between 0 and 1 \(e.g. 1e-3\)"):
        require_lr(lr, example="1e-3")


def test_quiet_hides_the_deprecation_warning_trl_triggers():
    """Building a GRPOTrainer makes transformers warn about is_gradient_checkpointing, with the
    venv's path in the text; quiet() keeps it out of the notebooks' outputs, and only it."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet()
        warnings.warn("`is_gradient_checkpointing` is deprecated and will be removed in v6.", FutureWarning)
        warnings.warn("something else is deprecated", FutureWarning)
    assert [str(w.message) for w in caught] == ["something else is deprecated"]


def test_peak_memory_sees_a_short_allocation():
    import numpy as np

    from lessons_lib.runtime import PeakMemory

    import mmap
    import time

    with PeakMemory(every=0.005) as mem:
        # 191 MB of fresh pages, touched: an anonymous map, so that memory an earlier test freed
        # (and the allocator kept, still resident) cannot be handed back and leave the RSS flat
        buf = mmap.mmap(-1, 200_000_000)
        a = np.frombuffer(buf, dtype=np.uint8)
        a[:] = 1
        time.sleep(0.05)
        del a
        buf.close()
    assert 150 < mem.added_mb < 400
    assert mem.peak_mb >= mem.start_mb


_LOAD_AFTER_QUIET = r"""
import sys
import transformers, trl  # imported first, as in a JupyterLab kernel that has run a cell or two
from lessons_lib.models import load, new_tiny, save
from lessons_lib.runtime import quiet
folder = sys.argv[1]
if sys.argv[2] == "save-first":
    save(*new_tiny(seed=0, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                   num_attention_heads=2), folder)
else:
    quiet()
    save(*new_tiny(seed=0, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                   num_attention_heads=2), folder)
    load(folder)
"""


def _run_without_quiet_env(tmp_path, mode):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS")}
    env["HF_HUB_OFFLINE"] = "1"
    return subprocess.run([sys.executable, "-c", _LOAD_AFTER_QUIET, str(tmp_path / "m"), mode],
                          capture_output=True, text=True, env=env, timeout=300)


def test_quiet_silences_bars_of_libraries_already_imported(tmp_path):
    """Without the environment variables, and with transformers and trl imported before quiet()
    (a JupyterLab kernel): saving and loading a model after quiet() prints no progress bar."""
    proc = _run_without_quiet_env(tmp_path, "quiet")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "it/s" not in proc.stderr and "Loading weights" not in proc.stderr \
        and "Writing model shards" not in proc.stderr, proc.stderr[-3000:]


def test_without_quiet_the_bars_show(tmp_path):
    """The control: the same run without quiet() does print a bar (so the test above can fail)."""
    proc = _run_without_quiet_env(tmp_path, "save-first")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "it/s" in proc.stderr, proc.stderr[-3000:]
