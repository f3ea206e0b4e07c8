"""The numbers game: the checker pays right expressions only (tricks earn nothing, nothing raises),
the split is disjoint, the difficulty knobs hold, the readers count what a thought holds, and the
corpus's knobs do what they say. The pretraining script is checked against the shipped base's log
(slow)."""
import dataclasses
import itertools
import json
import random

import pytest
from hypothesis import given, settings, strategies as st

from lessons_lib.worlds.numbers_corpus import CorpusKnobs, document, hypothesis, pages, search
from lessons_lib.worlds.numbers import (
    LEVELS, Level, Problem, chain_expression, check_expression, level_pool, make_problems, numbers_reward, parse_expression, question_notation, read_thought, split_of, thought_of, thought_stats, try_report,
)
from lessons_lib.paths import CHECKPOINTS

NUMS, TARGET = [3, 7, 9, 8], 47  # (7*8)-9 = 47
GOOD = "<think>7*8=56 56-9=47 47 vs 47 = yes</think><answer>(7*8)-9</answer>"
THREE = CorpusKnobs(levels=(("3", 1.0),))  # corpus tests on 3-number problems (a small pool: fast)


def reward(completion, nums=NUMS, target=TARGET):
    return numbers_reward([completion], numbers=[nums], target=[target])[0]


RIGHT = [
    GOOD,
    "<answer>(7*8)-9</answer>",  # no think block: the accuracy reward reads the answer only
    "<think>x</think>\n<answer> 7*8-9 </answer>\n",
    "<think>x</think><answer>7 * 8 - 9</answer>",
    "<think>x</think><answer>(7x8)-9</answer>",  # x and × are multiplication signs too
    "<think>x</think><answer>8×7-9</answer>",
    "<think>x</think><answer>((7)*(8))-(9)</answer>",
]


# (completion, why it earns nothing) for NUMS = [3, 7, 9, 8], TARGET = 47
TRICKS = [
    ("<think>x</think><answer>47</answer>", "the target itself: 47 is not given"),
    ("<answer>(7*8)-9</answer><answer>(7*8)-9</answer>", "two answer blocks"),
    ("<think>7*8=56 56-9=47</think> (7*8)-9", "the answer outside the tags"),
    ("<think>x</think><answer>(7*8)-9</answer> so 47", "text after the answer block"),
    ("<think>x</think><answer>(7*8)-9+0</answer>", "0 is not given"),
    ("<think>x</think><answer>(7*8)-9+3-3</answer>", "3 used twice"),
    ("<think>x</think><answer>(7*8)-9*1</answer>", "1 is not given"),
    ("<think>x</think><answer>78-31</answer>", "concatenated numbers"),
    ("<think>x</think><answer>7**2-2</answer>", "** is not an operation of the game"),
    ("<think>x</think><answer>(7*8)-(9/1)</answer>", "/ is not allowed"),
    ("<think>x</think><answer>(7*8)-9//1</answer>", "// is not allowed"),
    ("<think>x</think><answer>(07*8)-9</answer>", "a leading zero"),
    ("<think>x</think><answer>(٧*8)-9</answer>", "an Arabic-Indic digit"),
    ("<think>x</think><answer>(７*8)-9</answer>", "a full-width digit"),
    ("<think>x</think><answer>7²-2</answer>", "a superscript"),
    ("<think>x</think><answer>-9+7*8</answer>", "a unary minus"),
    ("<think>x</think><answer>+(7*8)-9</answer>", "a unary plus"),
    ("<think>x</think><answer>(7*8)-9=47</answer>", "an equation, not an expression"),
    ("<think>x</think><answer>47=(7*8)-9</answer>", "an equation the other way"),
    ("<think>x</think><answer></answer>", "empty"),
    ("<think>x</think><answer><answer>(7*8)-9</answer></answer>", "nested answer tags"),
    ("<think>x</think><answer>(7*8)-9, 47</answer>", "two answers in one block"),
    ("<think>x</think><answer>(7*8)-9\n47</answer>", "two answers on two lines"),
    ("<think>x</think><answer>" + "(" * 5000 + "7" + ")" * 5000 + "</answer>", "huge"),
    ("<think>x</think><answer>" + "(" * 60 + "7*8" + ")" * 60 + "-9</answer>", "nested too deep"),
    ("<think>x</think><answer>__import__('os')</answer>", "code"),
    ("<think>x</think><answer>(7*8)-9 or 1</answer>", "words"),
    ("<think>x</think><answer>7.0*8-9</answer>", "a decimal"),
    ("<think>x</think><answer>((7*8)-9</answer>", "an unclosed parenthesis"),
    ("<think>x</think><answer>(7*8)-9)</answer>", "a stray parenthesis"),
    ("<think>(7*8)-9<answer>(7*8)-9</answer>", "an unclosed think block"),
    ("<answer>(7*8)-9</answer><think>x</think>", "thinking after the answer"),
    ("<think>x</think><answer>0x2F</answer>", "hexadecimal"),
    ("<think>x</think><answer>7 8</answer>", "two numbers side by side"),
    ("<think>x</think><answer>(7*8)-9*(3-3+1)</answer>", "3 twice and 1"),
    ("<think>x</think><answer>(7*8)-8</answer>", "8 twice, and the wrong value"),
    ("<think>x</think><answer>(7*9)-8</answer>", "given numbers, the wrong value"),
    ("", "empty"),
    ("<think><answer>47</answer></think>", "the answer inside the thought"),
]


def test_trick_table_earns_nothing():
    assert len(TRICKS) >= 25
    for completion, why in TRICKS:
        assert reward(completion) == 0.0, why


def test_right_expressions_pay():
    assert reward(GOOD) == 1.0
    for c in RIGHT:
        assert reward(c) == 1.0, c
    # not a chain, still an expression: (3+8)*(9-7) = 22
    assert reward("<think>x</think><answer>(3+8)*(9-7)</answer>", target=22) == 1.0


def test_check_expression_says_why():
    assert check_expression("(7*8)-9", NUMS, TARGET) == (True, "right")
    assert "not among the given numbers" in check_expression("(7*8)-9+3-3", NUMS, TARGET)[1]
    assert "leading zero" in check_expression("07*8-9", NUMS, TARGET)[1]
    assert "value is 54" in check_expression("(7*9)-9", [7, 9, 9], TARGET)[1]
    assert parse_expression("2+3*4") == (14, ["2", "3", "4"])  # precedence, as in arithmetic
    assert parse_expression("(2+3)*4")[0] == 20 and parse_expression("9-3-2")[0] == 4


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_checker_never_raises_on_any_text(text):
    assert reward(text) in (0.0, 1.0)
    assert reward(f"<think>x</think><answer>{text}</answer>") in (0.0, 1.0)
    assert check_expression(text, NUMS, TARGET)[0] in (True, False)
    read_thought(text)


@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.integers())))
def test_checker_never_raises_on_non_strings(thing):
    assert numbers_reward([thing], numbers=[NUMS], target=[TARGET]) == [0.0]
    assert numbers_reward([GOOD], numbers=[NUMS], target=[thing]) in ([0.0], [1.0])


@given(st.lists(st.integers(1, 9), min_size=2, max_size=5), st.data())
@settings(max_examples=200, deadline=None)
def test_any_expression_over_the_numbers_is_checked_by_its_value(nums, data):
    """A random expression over a subset of the numbers is paid exactly when its value (Python's
    own arithmetic) is the target."""
    chosen = data.draw(st.permutations(nums))[:data.draw(st.integers(1, len(nums)))]
    text = str(chosen[0])
    for n in chosen[1:]:
        op = data.draw(st.sampled_from("+-*"))
        text = data.draw(st.sampled_from([f"{text}{op}{n}", f"({text}){op}{n}", f"{n}{op}({text})"]))
    value = eval(text)  # the test may eval its own safe expression; the checker never does
    assert check_expression(text, nums, value) == (True, "right")
    assert check_expression(text, nums, value + 1)[0] is False


def test_reward_column_lengths_are_a_callers_bug():
    with pytest.raises(ValueError, match="one of each per completion"):
        numbers_reward([GOOD, GOOD], numbers=[NUMS], target=[TARGET])


def test_split_is_disjoint_and_order_free():
    pool = level_pool(LEVELS["3"])
    train = {p.key for p in pool if split_of(p) == "train"}
    test = {p.key for p in pool if split_of(p) == "test"}
    assert train and test and not train & test
    for p in make_problems(20, "3", "test", seed=1):
        for order in itertools.permutations(p.numbers):
            assert split_of(Problem(order, p.target)) == "test"
    a, b = make_problems(30, "3", "train", seed=0), make_problems(30, "3", "train", seed=0)
    assert a == b and len({p.key for p in a}) == 30


@pytest.mark.parametrize("level", [LEVELS["3"], Level(4, 1, 5, 3), Level(3, 2, 6, 1)])
def test_difficulty_knobs(level):
    problems = make_problems(25, level, "test")
    for p in problems:
        assert len(p.numbers) == level.count
        assert all(level.low <= n <= level.high for n in p.numbers)
        assert p.min_ops == level.ops and p.target not in p.numbers and 10 <= p.target <= 99


def test_levels_are_checked():
    with pytest.raises(ValueError, match="at most 2 operations"):
        Level(3, 1, 9, 3)
    with pytest.raises(ValueError, match="unknown level"):
        make_problems(3, "7")
    with pytest.raises(ValueError, match="numbers must be"):
        Problem((0, 3), 5)


def test_readers_on_hand_written_thoughts():
    th = read_thought("9*3=27 27-8=19 19 vs 47 != no, back. 7*8=56 56-9=47 47 vs 47 = yes")
    assert (len(th.tries), len(th.checks), th.backtracks, th.gave_up, th.repeats) == (2, 2, 1, False, 0)
    assert th.notation == "symbols" and th.succeeded and th.tries[1].expression == "(7*8)-9"
    th = read_thought("7 times 9 is 63, 63 minus 8 is 55, 55 vs 47 differ no, back. 7 times 9 is 63, "
                      "63 minus 8 is 55, 55 vs 47 differ no, give up")
    assert th.notation == "words" and th.gave_up and th.repeats == 1 and not th.succeeded
    th = read_thought("7*8=56 56-9=47 47 vs 47 = yes, 9 times 3 is 27")
    assert th.notation == "mixed" and len(th.tries) == 2
    # a wrong step, a wrong copy and a wrong verdict are each seen
    r = try_report(read_thought("7*8=54 54-9=45 45 vs 47 != no").tries[0], 47)
    assert (r["steps_right"], r["copy_right"], r["verdict_right"]) == (1, True, False)
    r = try_report(read_thought("7*9=63 63-8=47 47 vs 47 = yes").tries[0], 47)  # a false success
    assert (r["steps_right"], r["copy_right"], r["verdict_right"]) == (1, True, False)
    r = try_report(read_thought("7*8=56 56-9=47 45 vs 47 = yes").tries[0], 47)  # a miscopied check
    assert (r["steps_right"], r["copy_right"], r["verdict_right"]) == (2, False, True)
    r = try_report(read_thought("7*8=56 56-9=47 47 vs 47 != no").tries[0], 47)
    assert (r["steps_right"], r["copy_right"], r["verdict_right"]) == (2, False, False)
    assert read_thought("no working at all").tries == []


def test_thought_stats_on_completions():
    p = Problem((3, 7, 9, 8), 47)
    comps = [GOOD, "<think>7*9=63 63-8=55 55 vs 47 != no, give up</think><answer>(7*9)-8</answer>"]
    s = thought_stats(comps, [p, p])
    assert s["tries"] == 1 and s["give_up_rate"] == 0.5 and s["arithmetic"] == 1.0
    assert s["verdicts"] == 1.0 and s["checks"] == 1.0
    assert s["off_language"] == (question_notation(p) != "symbols")


def test_corpus_searches_are_right_and_give_ups_never_hit():
    """Every step, copy and verdict the corpus writes is right; a give-up's guess earns nothing."""
    rng = random.Random(0)
    problems = make_problems(60, "3", "train") + make_problems(20, "4", "train")
    outcomes = []
    for p in problems:
        for notation in ("symbols", "words"):
            thought, expr, outcome = search(p, rng, THREE, notation)
            outcomes.append(outcome)
            th = read_thought(thought)
            assert th.notation == notation and th.gave_up == (outcome == "gave_up")
            for t in th.tries:
                r = try_report(t, p.target)
                assert r["steps_right"] == r["steps"] and r["copy_right"] and r["verdict_right"]
            assert check_expression(expr, p.numbers, p.target)[0] == (outcome == "found")
    assert 0.2 < outcomes.count("gave_up") / len(outcomes) < 0.9


def test_corpus_knobs():
    rng = random.Random(1)
    problems = make_problems(40, "3", "train")
    never = dataclasses.replace(THREE, give_up=0.0, max_tries=50)
    assert all(search(p, rng, never, "symbols")[2] == "found" for p in problems)
    plain = dataclasses.replace(THREE, backtrack=False)
    for p in problems:
        th = read_thought(search(p, rng, plain, "words")[0])
        assert len(th.tries) == 1 and not th.checks and th.backtracks == 0 and not th.gave_up
    # a hunch lands nearer the target: more tries hit

    def hits(h):
        return sum(check_expression(chain_expression(*hypothesis(p, rng, h)), p.numbers, p.target)[0]
                   for p in problems for _ in range(10))

    assert hits(1.0) > hits(0.0) + 20


def test_no_backtrack_corpus_has_the_same_tokens_and_no_checks():
    from lessons_lib.tokenizer import build_tokenizer

    tok = build_tokenizer()
    with_bt = pages(60, tokenizer=tok, knobs=THREE)
    without = pages(60, tokenizer=tok, knobs=dataclasses.replace(THREE, backtrack=False))
    n = [sum(map(len, tok(x, add_special_tokens=False).input_ids)) for x in (with_bt, without)]
    assert abs(n[0] - n[1]) / n[0] < 0.03
    text = "<eos>".join(without)
    th = read_thought(text)
    assert not th.checks and th.backtracks == 0 and not th.gave_up and th.tries
    th = read_thought("<eos>".join(with_bt))
    assert th.checks and th.backtracks and th.gave_up
    for x in with_bt + without:  # the tokenizer covers every character the corpus writes
        assert tok.unk_token_id not in tok(x).input_ids


def test_documents_of_every_kind():
    rng = random.Random(2)
    for kind in ("worked", "dialogue", "bare", "other", "tagged"):
        assert document(rng, THREE, kind)
    with pytest.raises(ValueError, match="unknown document kind"):
        document(rng, THREE, "poem")
    with pytest.raises(ValueError, match="chance from 0 to 1"):
        CorpusKnobs(give_up=1.5)
    assert thought_of(GOOD) == "7*8=56 56-9=47 47 vs 47 = yes"


BASE = CHECKPOINTS / "03_numbers_base"
NO_BACKTRACK = CHECKPOINTS / "03_numbers_base_no_backtrack"


@pytest.mark.slow
@pytest.mark.skipif(not (BASE / "log_history.json").exists(), reason="no numbers base shipped yet")
def test_pretraining_reproduces_the_shipped_first_losses(tmp_path):
    """Same seed, same corpus, same schedule: the first logged losses match the shipped run's."""
    from lessons_lib.worlds.numbers_corpus import budget, pretrain_numbers_base

    card = json.loads((BASE / "card.json").read_text())
    shipped = {r["step"]: r["loss"] for r in json.loads((BASE / "log_history.json").read_text())
               if "loss" in r}
    first = sorted(shipped)[:2]
    _, _, trainer = pretrain_numbers_base(budget(updates=card["updates"]), CorpusKnobs(),
                                          seed=card["seed"], stop_after=first[-1],
                                          output_dir=str(tmp_path))
    again = {r["step"]: r["loss"] for r in trainer.state.log_history if "loss" in r}
    for step in first:
        assert again[step] == pytest.approx(shipped[step], rel=0.02), step


@pytest.mark.skipif(not (BASE / "card.json").exists(), reason="no numbers base shipped yet")
def test_shipped_base_card_searching_pays():
    """What RL needs of the base (the issue's first probe failed on it): at level 3, where RL trains,
    a completion that keeps searching earns clearly more than one that gives up, and a try's steps
    and checks are mostly right. (The stricter bar of 0.98 / 0.99 is reported in the README as
    measured, missed or met; this guards the shipped card against a regression.)"""
    card = json.loads((BASE / "card.json").read_text())
    for key in [k for k, v in card.items() if k.startswith("diagnostic") and k != "diagnostic_256" and isinstance(v, dict)]:
        d = card[key]
        assert d["3"]["reward_searching"] >= d["3"]["reward_gave_up"] + 0.3, key
        for level in d.values():
            assert level["arithmetic"] >= 0.95 and level["verdicts"] >= 0.95, key


@pytest.mark.skipif(not (NO_BACKTRACK / "card.json").exists(), reason="no base without backtracking shipped yet")
def test_shipped_base_without_backtracking_never_checks():
    card = json.loads((NO_BACKTRACK / "card.json").read_text())
    assert card["knobs"]["backtrack"] is False
    for level in card["diagnostic"].values():
        assert level["checks"] < 0.05 and level["backtracks"] < 0.05
    made = json.loads((BASE / "card.json").read_text())
    assert (card["updates"], card["batch_size"], card["tokens_per_page"]) == (
        made["updates"], made["batch_size"], made["tokens_per_page"])


def test_format_reward_of_the_numbers_game():
    from lessons_lib.worlds.numbers import numbers_format_reward

    got = numbers_format_reward([GOOD, "<think>x</think><answer>(7*9)-8</answer>",
                                 "<think>x</think><answer>47 or so</answer>", "<answer>47</answer>",
                                 "<think>x</think>\nanswer: (7*8)-9"])
    assert got == [1.0, 1.0, 0.0, 0.0, 0.0]
