"""The interface every toy world implements (`World`), so the toolkit and the lessons ask a world for
problems, prompts and scores and never read its own types. The worlds themselves are in worlds/
(worlds.chain_rl.CHAIN, worlds.numbers.NUMBERS; `worlds.get(name)`).
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
    rows       rows(problems) -> RL dataset rows: the prompt and the columns `checker` reads
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
    rows: Callable
    truth: Callable
    checker: Callable
    score: Callable
    thoughts: Callable
