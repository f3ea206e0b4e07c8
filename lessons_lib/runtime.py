"""Run-time switches shared by every notebook: the smoke switch, the device, seeding, quiet logs.

One environment variable, LESSONS_SMOKE=1, shrinks every notebook (model, data, optimizer updates)
so CI can run them all in minutes; notebooks read it through `smoke()` in their `parameters` cell.
LESSONS_DEVICE=cpu|cuda|mps overrides the device choice. `require_updates`, `require_int` and
`require_lr` are the input checks the trainers and budgets share; `for_mode` picks a budget's smoke
variant; `lifetime_peak_mb` and `PeakMemory` are the two ways the course reads peak memory (a whole
process, one block of code).
"""
from __future__ import annotations

import os
import random

SMOKE_ENV = "LESSONS_SMOKE"
DEVICE_ENV = "LESSONS_DEVICE"


def smoke() -> bool:
    """True when LESSONS_SMOKE is set to 1/true/yes (CI sets it)."""
    return os.environ.get(SMOKE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def pick(full, smoke_value):
    """`smoke_value` in smoke mode, else `full`: keeps config cells one line per setting."""
    return smoke_value if smoke() else full


def for_mode(budget):
    """`budget`, or its smoke variant `budget.smoke()` in smoke mode: the one place a lesson's budget
    (SFTBudget, RLBudget, RecipeBudget, ...) is shrunk for CI; each budget declares its variant once."""
    return budget.smoke() if smoke() else budget


def get_device(override: str | None = None, verbose: bool = True) -> str:
    """CUDA, then Apple MPS, then CPU; `override` or LESSONS_DEVICE forces one. Prints the choice."""
    import torch

    choice = override or os.environ.get(DEVICE_ENV) or None
    if choice is not None:
        choice = choice.lower()
        if choice not in ("cpu", "cuda", "mps"):
            raise ValueError(f"unknown device {choice!r}: use 'cpu', 'cuda' or 'mps'")
        if choice == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' was asked for, but torch sees no CUDA GPU; use 'cpu'")
        if choice == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError("device 'mps' was asked for, but this torch has no MPS; use 'cpu'")
        why = "asked for"
    elif torch.cuda.is_available():
        choice, why = "cuda", torch.cuda.get_device_name(0)
    elif torch.backends.mps.is_available():
        choice, why = "mps", "Apple silicon"
    else:
        choice, why = "cpu", f"{torch.get_num_threads()} threads"
    if verbose:
        print(f"device: {choice} ({why})")
    return choice


def require_updates(updates, most: int, name: str = "updates") -> None:
    """Raise a clear error unless `updates` (a trainer's optimizer updates) is an int in 1..most.

    The course calls optimizer steps "updates": "steps" is the number of operations of a problem.
    """
    if not isinstance(updates, int) or isinstance(updates, bool) or not 1 <= updates <= most:
        raise ValueError(f"{name} (optimizer updates) must be an int between 1 and {most}, "
                         f"got {updates!r}")


def require_int(value, name: str, least: int = 1, why: str = "") -> None:
    """Raise a clear ValueError unless `value` is an int (not a bool) of at least `least`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        kind = "a positive int" if least == 1 else f"an int of at least {least}"
        raise ValueError(f"{name} must be {kind}{why}, got {value!r}")


def require_lr(lr, example: str) -> None:
    """Raise a clear error unless `lr` is a number in (0, 1); `example` shows a sensible value."""
    if not (isinstance(lr, (int, float)) and not isinstance(lr, bool) and 0 < lr < 1):
        raise ValueError(f"lr must be a number between 0 and 1 (e.g. {example}), got {lr!r}")


def trainer_settings(device: str = "cpu", logging_steps: int = 25) -> dict:
    """The TrainingArguments every trl trainer of the course shares: safe on a CPU, quiet, no saving.

    trl 1.x defaults to bf16 and to activation (gradient) checkpointing; a CPU wants neither, and a
    tiny model gains nothing from checkpointing. Set both names: trl still reads the older one.
    """
    return dict(
        bf16=False, fp16=False,
        activation_checkpointing=False, gradient_checkpointing=False,
        use_cpu=(device == "cpu"), dataloader_num_workers=0,
        logging_steps=logging_steps, save_strategy="no", report_to="none", disable_tqdm=True,
    )


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (call right before each stochastic cell)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def quiet() -> None:
    """Silence progress bars and chatty warnings so notebook outputs hold only what we print.

    The environment variables reach only what is imported after this call (tqdm, huggingface_hub
    and transformers read them once, at import); a JupyterLab kernel has usually imported
    transformers and trl already. So the bars of transformers ("Loading weights", "Writing model
    shards"), huggingface_hub and datasets are also switched off through their own functions, which
    act at once.
    """
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import warnings

    import datasets
    import huggingface_hub.utils
    import transformers

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    huggingface_hub.utils.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()
    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore", message=".*use_cpu.*")
    # raised inside transformers when trl builds a trainer (not in the course's code); its text
    # carries the absolute path of the virtual environment into the notebook's output
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
    import logging

    logging.getLogger("trl").setLevel(logging.ERROR)


def lifetime_peak_mb(children: bool = False) -> float:
    """The peak resident memory (RSS) in MB of this process since it started, or with
    `children=True` of its largest finished child (a notebook's kernel): the operating system's own
    record (ru_maxrss, KB on Linux and bytes on macOS). PeakMemory measures one block instead."""
    import resource
    import sys

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class PeakMemory:
    """The peak resident memory (RSS) of this process while a `with` block runs.

        with PeakMemory() as mem:
            train(...)
        mem.peak_mb, mem.added_mb   # the peak, and how far it rose above the start

    A thread samples /proc/self/statm every `every` seconds (Linux; elsewhere it reads the
    process's lifetime peak, which only says something for the first block). Sampling can miss a
    spike shorter than `every`; for a training loop that repeats the same work it does not.
    """

    def __init__(self, every: float = 0.02):
        self.every, self.peak_mb, self.start_mb = every, 0.0, 0.0

    @staticmethod
    def rss_mb() -> float:
        try:
            with open("/proc/self/statm") as f:
                pages = int(f.read().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            return lifetime_peak_mb()

    def _sample(self):
        while not self._stop.wait(self.every):
            self.peak_mb = max(self.peak_mb, self.rss_mb())

    def __enter__(self):
        import threading

        self.start_mb = self.peak_mb = self.rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.rss_mb())
        return False

    @property
    def added_mb(self) -> float:
        return self.peak_mb - self.start_mb
