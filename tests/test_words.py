"""GSM8K-format word problems: the offline set, the '####' reader, the loader's fallback."""
import json

import pytest

from lessons_lib.formats import r1_zero_prompt
from lessons_lib.rewards import format_reward, math_verify_reward
from lessons_lib.worlds.chain import Problem, parse_question, split_of
from lessons_lib.worlds.words import (
    final_answer, load_word_problems, r1_rl_row, r1_sft_record, stays_in_range, story, toy_word_problems, without_calculator_notes,
)
from lessons_lib.rewards import gsm8k_final

GSM8K_ROW = {"question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many "
                         "clips in May. How many clips did Natalia sell altogether in April and May?",
             "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 "
                       "clips altogether in April and May.\n#### 72"}


def test_gsm8k_final_reads_the_last_hash_line():
    assert gsm8k_final(GSM8K_ROW["answer"]) == "72"
    assert gsm8k_final("a\n#### 1,234") == "1234"
    assert gsm8k_final("no final line") is None
    assert gsm8k_final(None) is None


def test_calculator_notes_are_removed():
    text = without_calculator_notes(GSM8K_ROW["answer"])
    assert "<<" not in text and "48/2 = 24 clips" in text


def test_stories_tell_the_toy_problem_and_its_answer():
    p = Problem(37, (("+", 8), ("-", 5)))
    import random
    row = story(p, random.Random(0))
    assert "37" in row["question"] and row["question"].endswith("have now?")
    assert gsm8k_final(row["answer"]) == "40"
    assert "<<37+8=45>>45" in row["answer"] and "<<45-5=40>>40" in row["answer"]
    with pytest.raises(ValueError, match="wraps around"):
        story(Problem(95, (("+", 8),)), random.Random(0))


def test_toy_word_problems_are_deterministic_split_and_in_range():
    a = toy_word_problems(40, steps=(1, 2, 3), split="test", seed=1)
    assert a == toy_word_problems(40, steps=(1, 2, 3), split="test", seed=1)
    assert [r["steps"] for r in a[:6]] == [1, 2, 3, 1, 2, 3]
    train = {r["question"] for r in toy_word_problems(200, split="train")}
    assert not train & {r["question"] for r in toy_word_problems(200, split="test")}
    for r in a:
        assert int(gsm8k_final(r["answer"])) in range(100)
    with pytest.raises(ValueError, match="split"):
        toy_word_problems(3, split="dev")
    with pytest.raises(ValueError, match="positive int"):
        toy_word_problems(0)


def test_r1_records_are_well_formed_and_rewarded():
    for row in toy_word_problems(10) + [GSM8K_ROW]:
        rec = r1_sft_record(row)
        assert rec["prompt"] == r1_zero_prompt(row["question"])
        assert "####" not in rec["completion"] and "<<" not in rec["completion"]
        assert format_reward([rec["completion"]]) == [1.0]
        assert math_verify_reward([rec["completion"]], [row["answer"]]) == [1.0]
        assert r1_rl_row(row) == {"prompt": rec["prompt"], "answer": final_answer(row)}
    with pytest.raises(ValueError, match="####"):
        final_answer({"question": "q", "answer": "no final line"})


def test_loader_falls_back_offline_and_says_so(monkeypatch, capsys):
    import lessons_lib.models as models
    monkeypatch.setattr(models, "_hub_unreachable", lambda timeout=3.0: "no network (test)")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    ds, where = load_word_problems("openai/gsm8k", "test", n=5)
    assert len(ds) == 5 and {"question", "answer"} <= set(ds.column_names)
    assert "could not be loaded" in where and "toy" in where
    assert "no network (test)" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="could not load the dataset"):
        load_word_problems("openai/gsm8k", "test", n=5, fallback=False)


def test_loader_reads_a_local_jsonl_and_checks_columns(tmp_path):
    path = tmp_path / "wp.jsonl"
    path.write_text("\n".join(json.dumps(GSM8K_ROW) for _ in range(3)) + "\n")
    ds, where = load_word_problems(str(path), n=2)
    assert len(ds) == 2 and "local file" in where
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"q": 1, "a": 2}) + "\n")
    with pytest.raises(ValueError, match="'question' and 'answer'"):
        load_word_problems(str(bad))
    with pytest.raises(ValueError, match="split"):
        load_word_problems("toy", split="validation")
    with pytest.raises(ValueError, match="positive int"):
        load_word_problems("toy", n=0)


def test_stays_in_range_matches_the_toy_split():
    p = parse_question("37+8-5")
    assert stays_in_range(p) and not stays_in_range(parse_question("04-6+3"))
    assert split_of(p) in ("train", "test")


def test_a_missing_local_file_is_named_not_sent_to_the_hub(tmp_path):
    with pytest.raises(ValueError, match="no file"):
        load_word_problems(str(tmp_path / "typo.jsonl"))
