"""The toy worlds, each behind one small interface (`World`), so a lesson or a toolkit piece asks
the world for problems, prompts and scores and never reads the world's own types.

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

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class World:
    """What the course asks of a toy world. Each field is a plain function of the world's problems:

    name       'chain' or 'numbers'
    problems   problems(n, difficulty, split='train', seed=0): n problems of one difficulty (a step
               count in the chain world, a level in the numbers game), deterministic in seed
    split      split(problem) -> 'train' or 'test', fixed by a hash of the problem
    ask        ask(problem) -> the question as a user types it, in the problem's own notation
    prompt     prompt(problem) -> the R1-Zero prompt RL and the measurements use
    truth      truth(problem) -> what a right answer is (the chain's result, the game's target)
    checker    the rule-based reward, trl's signature: checker(completions, **columns) -> [1.0 or 0.0]
    score      score(completions, problems) -> (correct, format) lists, one problem per completion
    thoughts   thoughts(completions, problems) -> the thought readers' statistics of the completions
    """

    name: str
    problems: Callable
    split: Callable
    ask: Callable
    prompt: Callable
    truth: Callable
    checker: Callable
    score: Callable
    thoughts: Callable


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
