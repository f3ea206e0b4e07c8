"""The toy worlds, each behind the course's small interface (`lessons_lib.world.World`), so a lesson
or a toolkit piece asks a world for problems, prompts and scores and never reads its own types.

    chain            a fixed procedure: chains of +d/-d modulo 100 (lessons 1-2, and 4-7 for now)
    chain_thoughts   the chain world's thought readers: steps, notation, loops, readability
    chain_corpus     the chain world's synthetic web corpus, and the base model pretrained on it
    chain_rl         the chain world under R1-Zero's template: RL rows, measurements, sample counts,
                     the rejection filter; `CHAIN`, its World
    numbers          the numbers game: reach a target from a few numbers by trying (lesson 3); `NUMBERS`
    numbers_corpus   the numbers game's corpus (searches that check, back up, give up) and its bases
    words            GSM8K-style word problems (lesson 8), offline toy ones and the hub's
    general          general requests: the non-reasoning data of lessons 4 and 7

`get("chain")` or `get("numbers")` returns a world by name.
"""
from __future__ import annotations

from ..world import World


WORLDS = ("chain", "numbers")


def get(name: str) -> World:
    """The world called `name` ('chain' or 'numbers')."""
    if name == "chain":
        from .chain_rl import CHAIN
        return CHAIN
    if name == "numbers":
        from .numbers import NUMBERS
        return NUMBERS
    raise ValueError(f"unknown world {name!r}: choose one of {WORLDS}")
