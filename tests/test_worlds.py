"""The house: both toy worlds implement the World interface, and the import rule holds (the toolkit
never imports a world or a lesson; a lesson module never imports another lesson module)."""
import re
from pathlib import Path

import pytest
from conftest import script

from lessons_lib import worlds
from lessons_lib.world import World
from lessons_lib.worlds.numbers import shortest_solution

LIB = Path(__file__).resolve().parent.parent / "lessons_lib"


def right_completion(world, problem) -> str:
    """A completion a correct solver would write, in the world's own answer form."""
    if world.name == "chain":
        return f" <think> {' '.join(problem.worked_steps())} </think> <answer>{problem.answer:02d}</answer>"
    return f" <think> try </think> <answer>{shortest_solution(problem.numbers, problem.target)[1]}</answer>"


@pytest.mark.parametrize("name, difficulty", [("chain", 3), ("numbers", "3")])
def test_each_world_implements_the_interface(name, difficulty):
    world = worlds.get(name)
    assert isinstance(world, World) and world.name == name
    problems = world.problems(4, difficulty, "test", 0)
    assert len(problems) == 4 and all(world.split(p) == "test" for p in problems)
    assert problems == world.problems(4, difficulty, "test", 0)  # deterministic in the seed
    for p in problems:
        assert world.ask(p) in world.prompt(p) and world.prompt(p).rstrip().endswith("Assistant:")
    good = [right_completion(world, p) for p in problems]
    bad = [" <think> </think> <answer>nonsense</answer>"] * len(problems)
    correct, formatted = world.score(good + bad, problems + problems)
    assert correct == [1.0] * 4 + [0.0] * 4 and formatted[:4] == [1.0] * 4
    rows = world.rows(problems)  # what an RL dataset holds: the checker reads its columns
    assert [r["prompt"] for r in rows] == [world.prompt(p) for p in problems]
    columns = {k: [r[k] for r in rows] for k in rows[0] if k != "prompt"}
    assert world.checker(good, **columns) == [1.0] * 4 and world.checker(bad[:4], **columns) == [0.0] * 4
    stats = world.thoughts(good, problems)
    assert isinstance(stats, dict) and stats


def test_an_unknown_world_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"unknown world 'chains': choose one of \('chain', 'numbers'\)"):
        worlds.get("chains")


house = script("house_metrics")  # the same reading of the floors and imports as its counts
EDGES = house.edges(house.read_tree())
MODULES = sorted(p for p in LIB.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIB)))
def test_the_import_rule(path):
    me = house.module(path.relative_to(LIB.parent).as_posix())
    mine = house.kind(me)
    for target in (t for m, t in EDGES if m == me):
        other = house.kind(target)
        if mine == "toolkit":
            assert other == "toolkit", f"{path.name} (toolkit) imports {target} ({other})"
        if mine == "lesson":
            assert other != "lesson", f"{path.name} imports {target}"
        if mine == "world":
            assert other in ("toolkit", "world"), f"{path.name} (a world) imports {target} ({other})"


def test_the_package_index_names_every_module():
    """lessons_lib's docstring is the map a newcomer reads first: no module is left off it."""
    import lessons_lib

    for path in MODULES:
        rel = path.relative_to(LIB)
        if rel.name.startswith("_") or rel.parts[0] == "exercises":
            continue  # private modules; the exercises package has an index of its own
        assert re.search(rf"\b{re.escape(rel.stem)}\b", lessons_lib.__doc__), f"{rel} is not in lessons_lib's index"
