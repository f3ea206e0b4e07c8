"""What the per-seed bench scripts share: how a run starts, how its JSON is written after every seed
(so a run cut short keeps the seeds it finished), and how an effect over seeds is printed.

    import seed_bench                     # bench/ is on sys.path when a bench script runs
    t0 = seed_bench.start()
    ...
    out = seed_bench.write(path, t0, seeds=rows, effect=...)
    seed_bench.print_effect("pass@1 at 5-6", lesson4_recipe.seed_effect(treated, control))
"""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path


def start() -> float:
    """Quiet logs, the CPU's threads (at most 2: the course's machine), and the clock."""
    import torch

    from lessons_lib.runtime import quiet

    quiet()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    return time.perf_counter()


def write(path: Path, t0: float, **fields) -> dict:
    """`fields` plus the seconds since `t0` and the machine, written to `path` as indented JSON."""
    out = dict(fields, seconds=time.perf_counter() - t0, machine=f"{platform.machine()}, {os.cpu_count()} cores")
    Path(path).write_text(json.dumps(out, indent=1) + "\n")
    return out


def print_effect(name: str, effect: dict, digits: int = 3) -> None:
    """One line: the per-seed differences of `lesson4_recipe.seed_effect`, their mean and whether they beat
    the seed-to-seed spread."""
    print(f"{name}: per seed {[round(d, digits) for d in effect['diffs']]}, mean {effect['mean']:+.{digits}f}, "
          f"seed spread {effect['spread']:.{digits}f}: "
          f"{'exceeds' if effect['exceeds'] else 'does not exceed'} the spread")
