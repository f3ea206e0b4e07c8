"""Shared fixtures for the lessons_lib tests: tiny models, the tokenizer, a known problem.

Everything here is small on purpose (the suite must stay fast on a 2-core CPU): the tiny model has
one layer of width 16, and the test session runs offline so no test ever waits on the network.
"""
import importlib.util
import os
import sys
from pathlib import Path

# Offline before anything imports huggingface_hub (it reads these variables once, at import).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
# One thread: the models are tiny, and with the CPU shared, idle OpenMP threads spinning for a busy
# core made a 30-step SFT run 8x slower.
os.environ["OMP_NUM_THREADS"] = "1"

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so that plain `pytest` works as well as `python -m pytest`
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from lessons_lib.models import new_tiny, save  # noqa: E402
from lessons_lib.worlds.chain import Problem  # noqa: E402
from lessons_lib.tokenizer import build_tokenizer  # noqa: E402

torch.set_num_threads(1)


def script(name: str):
    """scripts/NAME.py imported as a module (the scripts are not a package), registered in
    sys.modules so that dataclasses defined there can look their module up."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module

# No deadline: another process shares the CPU, so timings vary a lot.
settings.register_profile("lessons", deadline=None, max_examples=100,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("lessons")

# The smallest model that is still a real LlamaForCausalLM with the course's tokenizer.
TINY_KW = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2)


OPT_IN_MARKERS = ("slow", "binder")  # registered in pyproject.toml


def pytest_collection_modifyitems(config, items):
    """Skip `slow` and `binder` tests unless the -m expression names them (`-m slow`,
    `-m "slow or binder"`), so a plain `pytest` stays quick; `-m "not slow"` deselects them. Put
    `long` tests first."""
    expr = config.getoption("markexpr") or ""
    for name in OPT_IN_MARKERS:
        if name in expr:
            continue
        skip = pytest.mark.skip(reason=f"marked {name}: run with -m {name}")
        for item in items:
            if item.get_closest_marker(name) is not None:
                item.add_marker(skip)
    # `long` tests first: under pytest-xdist (scripts/test.sh) one worker starts on each while the
    # others share the rest, instead of a long test starting last and running alone.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Each test starts outside smoke mode with no device override, whatever the shell has set."""
    monkeypatch.delenv("LESSONS_SMOKE", raising=False)
    monkeypatch.delenv("LESSONS_DEVICE", raising=False)


@pytest.fixture(scope="session")
def tokenizer():
    """The toy-world tokenizer (shared: tests must not change it)."""
    return build_tokenizer()


@pytest.fixture(scope="session")
def tiny():
    """(model, tokenizer): one tiny model for read-only use (generation, logits)."""
    model, tok = new_tiny(seed=0, **TINY_KW)
    model.eval()
    return model, tok


@pytest.fixture
def fresh_tiny():
    """(model, tokenizer): a new tiny model that a test may train or modify."""
    return new_tiny(seed=0, **TINY_KW)


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory):
    """A tiny model saved to a folder (never changed): trl loads GRPO's reference model (beta > 0)
    from the policy's folder, so tests of such losses and runs load the policy from here."""
    path = tmp_path_factory.mktemp("tiny") / "m"
    save(*new_tiny(seed=0, **TINY_KW), path)
    return path


@pytest.fixture
def known_problem():
    """37+8-5+9 -> 37+8=45, 45-5=40, 40+9=49: the example of the docstrings."""
    return Problem(37, (("+", 8), ("-", 5), ("+", 9)))


def verdict(capsys, ok: bool, *says: str) -> str:
    """The printed output, after asserting its ✅/❌ mark and that it holds each of `says`."""
    out = capsys.readouterr().out
    assert ("✅" if ok else "❌") in out, out
    for s in says:
        assert s in out, f"{s!r} not in {out!r}"
    return out
