"""Lesson 7's thinking modes: the switch in the prompt, obeying it, the fusion data, the budget cap,
and the chat widget driven without a browser."""
import pytest
from hypothesis import given, strategies as st

from lessons_lib import lesson7_thinking as T, formats as F
from lessons_lib.worlds import chain_thoughts as CT, chain_rl as C
from lessons_lib.worlds.chain import ask, make_problems
from lessons_lib.widgets import chat, chat_html, stream_reply

THOUGHT = " <think>37+8=45 45-5=40</think><answer>40</answer>"
EMPTY = " <think></think><answer>40</answer>"


def test_mode_prompt_puts_the_flag_after_the_question():
    assert F.mode_prompt("37+8", "no_think").endswith("User: 37+8 /no_think\nAssistant:")
    assert F.mode_prompt("37+8").endswith("User: 37+8 /think\nAssistant:")
    with pytest.raises(ValueError, match="think' or 'no_think"):
        F.mode_prompt("37+8", "fast")


@pytest.mark.parametrize("completion, think, no_think", [
    (THOUGHT, True, False),
    (EMPTY, False, True),
    (" <think>hmm</think><answer>40</answer>", False, False),  # a thought with no step is not thinking
    (" <think>37+8=45</think>", False, False),  # no answer: out of format
    (" <think></think><answer>40</answer><answer>41</answer>", False, False),
    (None, False, False),
])
def test_obeys(completion, think, no_think):
    assert CT.obeys(completion, "think") is think
    assert CT.obeys(completion, "no_think") is no_think


def test_mode_reward_and_obeying_gate():
    assert CT.mode_reward([THOUGHT, EMPTY, EMPTY], mode=["think", "think", None]) == [1.0, 0.0, None]
    paid = CT.obeying(lambda completions, **kw: [1.0] * len(completions))
    assert paid([THOUGHT, EMPTY, THOUGHT], mode=["think", "no_think", "no_think"]) == [1.0, 1.0, 0.0]
    assert paid.__name__ == "<lambda>"


def test_fusion_records_mix_both_modes_and_forms():
    problems = make_problems(10, 2, "train", 0)
    thinking = [dict(prompt=f"<think> x </think>\nUser: {ask(p)}\nAssistant:", completion=THOUGHT,
                     answer=p.answer, steps=2) for p in problems[:4]]
    from lessons_lib.worlds.general import requests

    rows = T.fusion_records(thinking, problems, sentence_share=0.5, general=requests(6))
    modes = [r["mode"] for r in rows]
    assert modes.count("think") == 4 + 3 and modes.count("no_think") == 10 + 3
    general = [r for r in rows if r["answer"] is None]
    assert len(general) == 6 and all(r["completion"].startswith(" <think></think><answer>") for r in general)
    for r in rows:
        assert r["prompt"].endswith(("/think\nAssistant:", "/no_think\nAssistant:"))
        if r["answer"] is not None:  # a general request is answered briefly under either flag
            assert CT.obeys(r["completion"], r["mode"])
    sentences = [r for r in rows if "the answer is" in r["completion"]]
    assert len(sentences) == 5
    assert T.ask_of(thinking[0]) == ask(problems[0])


def test_fusion_dataset_has_every_problem_in_each_mode():
    ds = C.fusion_dataset(3, steps=(1, 2))
    assert len(ds) == 12 and set(ds["mode"]) == set(F.MODES)
    assert {"prompt", "answer", "question", "mode", "language"} <= set(ds.column_names)
    assert len(C.fusion_dataset(3, steps=(1,), modes=("no_think",))) == 3
    with pytest.raises(ValueError):
        C.fusion_dataset(3, modes=("fast",))


def test_budget_generate_caps_the_thought(tiny):
    model, tok = tiny
    prompts = [F.mode_prompt("37+8", "think"), F.mode_prompt("12-3+4", "think")]
    for budget in (0, 3, 10):
        outs = T.budget_generate(model, tok, prompts, budget, max_new_tokens=20)
        assert len(outs) == 2
        for o in outs:
            assert o.startswith(" <think>")
            assert T.thought_tokens(tok, o) <= budget + 1  # the cap, give or take the re-tokenised tag
    zero = T.budget_generate(model, tok, prompts, 0)
    assert all(o.startswith(" <think></think><answer>") for o in zero)
    with pytest.raises(ValueError, match="budget"):
        T.budget_generate(model, tok, prompts, -1)


def test_budget_generate_lets_a_short_thought_finish(monkeypatch):
    """A model that closes its thought inside the budget answers as it would without one; one that
    does not is cut at the budget and handed '</think><answer>'."""
    import lessons_lib.evaluation as ev

    def scripted(model, tok, prompts, n, **kw):  # thinks '1+1=2</think>', 3 characters a token
        return ["<answer>02</answer>" if p.endswith("</think>") or p.endswith("<answer>")
                else "1+1=2</think>"[: 3 * n] for p in prompts]

    monkeypatch.setattr(ev, "generate", scripted)
    assert T.budget_generate(None, None, ["p"], 20) == [" <think>1+1=2</think><answer>02</answer>"]
    assert T.budget_generate(None, None, ["p"], 1) == [" <think>1+1</think><answer><answer>02</answer>"]


def test_paying_budget():
    curve = {0: {"accuracy": {3: 0.1}}, 8: {"accuracy": {3: 0.7}}, 16: {"accuracy": {3: 0.89}},
             32: {"accuracy": {3: 0.9}}}
    assert T.paying_budget(curve, 3) == 16
    assert T.paying_budget({"0": {"accuracy": {"3": 0.5}}}, 3) == 0  # reloaded from JSON


@given(st.text(max_size=40))
def test_chat_html_never_raises_and_escapes(text):
    out = chat_html(text)
    assert "<script" not in out.lower().replace("&lt;script", "")


def test_chat_html_folds_the_thought():
    assert "thinking..." in chat_html(" <think>37+8=45")
    done = chat_html(THOUGHT, done=True, stats=dict(thought_tokens=9, answer_s=0.5))
    assert "Thought for 9 tokens" in done and "<b>40</b>" in done and "thinking..." not in done
    assert "Answered without thinking" in chat_html(EMPTY, done=True, stats=dict(thought_tokens=0, answer_s=0.1))


def test_stream_reply_counts_and_times(tiny):
    model, tok = tiny
    seen = []
    out = stream_reply(model, tok, F.mode_prompt("37+8"), on_text=seen.append, max_new_tokens=8)
    assert 1 <= len(seen) <= 8 and seen[-1] == out["reply"]
    assert out["tokens_before_answer"] + out["answer_tokens"] == len(seen)
    assert 0 <= out["thought_tokens"] <= out["tokens_before_answer"]
    assert 0 <= out["first_token_s"] <= out["answer_s"] <= out["total_s"]


def test_chat_widget_driven_without_a_browser(tiny):
    model, tok = tiny
    box = chat(model, tok, F.mode_prompt, max_new_tokens=6)
    box.question.value = "12+3"
    box.mode.value = "no_think"
    box.send.click()
    assert len(box.history) == 1
    h = box.history[0]
    assert h["question"] == "12+3" and h["mode"] == "no_think"
    assert "answer after" in box.stats.value and box.reply.value
    assert not box.send.disabled
    box.question.value = "  "
    box.send.click()
    assert "type a question" in box.reply.value and len(box.history) == 1


def test_an_empty_thought_counts_no_thinking_tokens(tokenizer):
    """The chat said 'Answered without thinking' and then '3 thinking tokens' (the empty tags
    counted): an empty <think></think> is no thinking, whatever the tokenizer makes of the tags."""
    from lessons_lib.widgets import thought_token_count

    ids = tokenizer(" <think></think><answer>99</answer>", add_special_tokens=False).input_ids
    tokens = [tokenizer.decode([i]) for i in ids]
    count = thought_token_count(tokens)
    assert count["thought"] == 0
    assert "".join(tokens[:count["until_answer"]]).strip() == "<think></think>"
    assert thought_token_count(["<", "think", ">", "</", "think", ">", "7"]) == dict(thought=0, until_answer=6)
    assert thought_token_count([" <think>", " ", "\n", "</think>"])["thought"] == 0


def test_a_thought_counts_its_own_tokens_not_the_tags():
    from lessons_lib.widgets import thought_token_count

    assert thought_token_count([" <think>", "3", "+", "4", "=", "7", "</think>", "<answer>", "7"]) == dict(
        thought=5, until_answer=7)
    assert thought_token_count(["<", "think", ">", "1", "</", "think", ">"]) == dict(thought=1, until_answer=7)
    assert thought_token_count([" <think>", "3", "+"]) == dict(thought=2, until_answer=3)  # never closed
    assert thought_token_count([]) == dict(thought=0, until_answer=0)


def test_chat_says_no_thinking_tokens_for_an_empty_thought(tiny, monkeypatch):
    """The chat's two lines agree: a reply with an empty thought reports 0 thinking tokens."""
    from lessons_lib import widgets

    model, tok = tiny
    fake = dict(reply=" <think></think><answer>15</answer>", thought_tokens=0, tokens_before_answer=3,
                answer_tokens=4, first_token_s=0.01, answer_s=0.02, total_s=0.03)
    monkeypatch.setattr(widgets, "stream_reply", lambda *a, **k: dict(fake))
    box = chat(model, tok, F.mode_prompt)
    box.send.click()
    assert "Answered without thinking" in box.reply.value
    assert "0 thinking tokens" in box.stats.value or "no thinking" in box.stats.value
