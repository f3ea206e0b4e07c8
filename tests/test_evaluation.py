"""Tests of lessons_lib.evaluation: pass@k, maj@k, generation, accuracy by steps, token counts."""
import math
from itertools import combinations

import pytest
import torch

import lessons_lib.evaluation as evaluation
from lessons_lib.evaluation import accuracy, accuracy_by_steps, generate, maj_at_k, mean_tokens, pass_at_k
from lessons_lib.formats import sft_prompt
from lessons_lib.worlds.chain import sft_target, Problem, make_dataset

PROMPTS = ["Q: 1+2\nA: ", "Q: 37+8-5+9\nA: <think>3", "hello", "x"]


# --- pass@k ------------------------------------------------------------------------------------

def brute_pass_at_k(n, c, k):
    """The fraction of all k-subsets of n samples (c of them correct) holding a correct one."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(combinations(samples, k))
    return sum(any(s) for s in subsets) / len(subsets)


def test_pass_at_k_matches_brute_force():
    """pass_at_k equals the exhaustive count over k-subsets for every n <= 8, c <= n, 1 <= k <= n."""
    checked = 0
    for n in range(1, 9):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert math.isclose(pass_at_k(n, c, k), brute_pass_at_k(n, c, k), abs_tol=1e-12), (n, c, k)
                checked += 1
    assert checked == sum(n * (n + 1) for n in range(1, 9))


def test_pass_at_k_edge_cases():
    """pass@1 is c/n; no correct sample gives 0; k > n - c gives exactly 1."""
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(10, 0, 10) == 0.0
    assert pass_at_k(10, 10, 1) == 1.0
    assert pass_at_k(10, 3, 8) == 1.0
    assert pass_at_k(100, 1, 100) == 1.0
    assert pass_at_k(200, 20, 10) > pass_at_k(200, 20, 5) > pass_at_k(200, 20, 1)


@pytest.mark.parametrize("n, c, k, match", [
    (3, 1, 4, r"k=4 must be between 1 and the number of samples n=3"),
    (3, 1, 0, r"k=0 must be between 1"),
    (0, 0, 1, r"k=1 must be between 1 and the number of samples n=0"),
    (3, 4, 1, r"c=4 correct samples cannot exceed n=3"),
    (-1, 0, 1, r"n must be a non-negative int, got -1"),
    (3, -1, 1, r"c must be a non-negative int, got -1"),
    (3, 1, -2, r"k must be a non-negative int, got -2"),
    (3.0, 1, 1, r"n must be a non-negative int, got 3.0"),
    (3, True, 1, r"c must be a non-negative int, got True"),
])
def test_pass_at_k_bad_inputs(n, c, k, match):
    """Impossible (n, c, k) raise a ValueError that says what is wrong."""
    with pytest.raises(ValueError, match=match):
        pass_at_k(n, c, k)


# --- maj@k -------------------------------------------------------------------------------------

@pytest.mark.parametrize("answers, correct, k, want", [
    ([7, 7, 3], 7, 3, 1.0),
    ([7, 3, 3], 7, 3, 0.0),
    ([3, 7, 7, 3], 3, 4, 1.0),  # a tie: the answer seen first wins
    ([3, 7, 7, 3], 7, 4, 0.0),
    ([7, 3, 3, 7], 7, 4, 1.0),
    ([None, None, 5], 5, 3, 1.0),  # None (no answer) never votes
    ([None, None, 5, 6, 6], 5, 3, 1.0),  # only the first k count
    ([None, None, 5, 6, 6], 5, 5, 0.0),
    ([None, None, None], 5, 3, 0.0),
    ([None, None, None], None, 3, 0.0),  # all-None is wrong even if `correct` is None
    ([4], 4, 1, 1.0),
    ([4, 9], 9, 1, 0.0),
])
def test_maj_at_k_table(answers, correct, k, want):
    """maj@k on hand-made votes, including ties and missing answers."""
    assert maj_at_k(answers, correct, k) == want


@pytest.mark.parametrize("answers, k", [([1, 2], 3), ([1, 2], 0), ([], 1)])
def test_maj_at_k_bad_k(answers, k):
    """k outside 1..len(answers) raises a ValueError naming both."""
    with pytest.raises(ValueError, match=rf"k={k} must be between 1 and the number of answers \({len(answers)}\)"):
        maj_at_k(answers, 1, k)


# --- generation --------------------------------------------------------------------------------

def test_generate_one_completion_per_prompt(tiny):
    """generate returns one string per prompt: the text of at most max_new_tokens new tokens."""
    model, tok = tiny
    out = generate(model, tok, PROMPTS, max_new_tokens=6)
    assert len(out) == len(PROMPTS) and all(isinstance(s, str) for s in out)
    assert all(len(tok(s, add_special_tokens=False)["input_ids"]) <= 6 for s in out)
    for p, s in zip(PROMPTS, out):  # the completion is the decoded new tokens, prompt excluded
        enc = tok(p, return_tensors="pt")
        with torch.no_grad():
            ids = model.generate(**enc, max_new_tokens=6, do_sample=False, top_p=None, top_k=None,
                                 pad_token_id=tok.pad_token_id)
        assert s == tok.decode(ids[0, enc["input_ids"].shape[1]:], skip_special_tokens=True)


def test_generate_n_per_prompt(tiny):
    """num_return_sequences=n gives n completions per prompt, grouped prompt by prompt."""
    model, tok = tiny
    sampled = generate(model, tok, PROMPTS, max_new_tokens=5, do_sample=True, num_return_sequences=3,
                       seed=0)
    assert len(sampled) == 3 * len(PROMPTS)
    # near-zero temperature: every sample is the greedy completion, so the order can be checked
    cold = generate(model, tok, PROMPTS, max_new_tokens=5, do_sample=True, temperature=1e-5,
                    num_return_sequences=2, seed=0)
    greedy = generate(model, tok, PROMPTS, max_new_tokens=5)
    assert cold == [s for s in greedy for _ in range(2)]  # prompt 0 twice, then prompt 1 twice...


def test_greedy_is_deterministic_and_batch_independent(tiny):
    """Greedy output repeats exactly, and a left-padded batch gives what each prompt gives alone."""
    model, tok = tiny
    a = generate(model, tok, PROMPTS, max_new_tokens=8)
    b = generate(model, tok, PROMPTS, max_new_tokens=8, batch_size=3)
    alone = [generate(model, tok, [p], max_new_tokens=8)[0] for p in PROMPTS]
    assert a == b == alone
    assert len(set(a)) > 1  # the outputs do depend on the prompt, so the comparison means something


def test_the_sampler_and_model_generate_agree(tiny):
    """On a CPU generate samples with the course's sampler (fast=None picks it for a plain Llama);
    greedy text is model.generate's, and both paths sample n completions per prompt in order."""
    model, tok = tiny
    fast = generate(model, tok, PROMPTS, max_new_tokens=8, fast=True)
    assert fast == generate(model, tok, PROMPTS, max_new_tokens=8, fast=False)
    assert fast == generate(model, tok, PROMPTS, max_new_tokens=8)
    for path in (True, False):
        cold = generate(model, tok, PROMPTS, max_new_tokens=5, do_sample=True, temperature=1e-5,
                        num_return_sequences=2, seed=0, fast=path)
        assert cold == [s for s in generate(model, tok, PROMPTS, max_new_tokens=5) for _ in range(2)]


def test_sampling_is_reproducible_with_a_seed(tiny):
    """Sampling with the same seed gives the same completions; another seed gives others."""
    model, tok = tiny
    kw = dict(max_new_tokens=8, do_sample=True, temperature=1.0)
    a = generate(model, tok, PROMPTS, seed=123, **kw)
    b = generate(model, tok, PROMPTS, seed=123, **kw)
    c = generate(model, tok, PROMPTS, seed=124, **kw)
    assert a == b
    assert a != c


def test_generate_restores_padding_side(tiny):
    """generate pads on the left while it runs and puts the tokenizer's setting back afterwards."""
    model, tok = tiny
    tok.padding_side = "right"
    try:
        generate(model, tok, PROMPTS[:2], max_new_tokens=2)
        assert tok.padding_side == "right"
    finally:
        tok.padding_side = "left"


def test_generate_with_no_prompts_returns_nothing():
    """No prompts give no completions, without touching the model or tokenizer (None here)."""
    assert generate(None, None, []) == []
    assert generate(None, None, [], do_sample=True, num_return_sequences=4, seed=0) == []


@pytest.mark.parametrize("prompts, kwargs, exc, match", [
    ("Q: 1+2\nA: ", {}, TypeError, r"prompts must be a list of strings; for one prompt, wrap it"),
    (["ok", None], {}, TypeError, r"prompt 1 is NoneType"),
    (["ok"], dict(batch_size=0), ValueError, r"batch_size must be a positive int, got 0"),
    (["ok"], dict(num_return_sequences=0), ValueError, r"num_return_sequences must be a positive int"),
    (["ok"], dict(max_new_tokens=0), ValueError, r"max_new_tokens must be a positive int"),
    (["ok"], dict(do_sample=True, temperature=0), ValueError, r"temperature must be a number above 0"),
])
def test_generate_rejects_bad_arguments(tiny, prompts, kwargs, exc, match):
    model, tok = tiny
    with pytest.raises(exc, match=match):
        generate(model, tok, prompts, **kwargs)


# --- accuracy_by_steps and mean_tokens ---------------------------------------------------------

def test_accuracy_by_steps_on_a_real_model(tiny):
    """accuracy_by_steps is a dict keyed by step count, sorted, with fractions in [0, 1]."""
    model, tok = tiny
    problems = make_dataset(3, [3, 1, 2], "test")
    acc = accuracy_by_steps(model, tok, problems, sft_prompt, max_new_tokens=6)
    assert list(acc) == [1, 2, 3]
    assert all(0.0 <= v <= 1.0 for v in acc.values())


def test_accuracy_by_steps_counts_exact_matches(monkeypatch):
    """With known completions, accuracy_by_steps gives the exact fraction right per step count."""
    p1a, p1b = Problem(10, (("+", 1),)), Problem(20, (("-", 1),))
    p2a, p2b = Problem(30, (("+", 1), ("+", 2))), Problem(40, (("-", 1), ("-", 2)))
    p3 = Problem(50, (("+", 1), ("+", 2), ("+", 3)))
    completions = {
        sft_prompt(p1a): sft_target(p1a, "cot"),
        sft_prompt(p1b): sft_target(p1b, "answer_only"),
        sft_prompt(p2a): sft_target(p2a, "cot"),
        sft_prompt(p2b): "<answer>0</answer>",  # wrong
        sft_prompt(p3): str(p3.answer),  # right number, but untagged
    }
    seen = []

    def fake_generate(model, tokenizer, prompts, *args, **kwargs):
        seen.extend(prompts)
        return [completions[p] for p in prompts]

    monkeypatch.setattr(evaluation, "generate", fake_generate)
    problems = [p3, p2b, p1a, p2a, p1b]
    acc = accuracy_by_steps(None, None, problems, sft_prompt)
    assert acc == {1: 1.0, 2: 0.5, 3: 0.0}
    assert seen == [sft_prompt(p) for p in problems]


def test_accuracy_by_steps_of_no_problems_is_empty(monkeypatch):
    """No problems: an empty dict, and the model is never asked to generate."""
    def fail(*a, **k):
        raise AssertionError("generate was called for no problems")

    monkeypatch.setattr(evaluation, "generate", fail)
    assert accuracy_by_steps(None, None, [], sft_prompt) == {}


def test_accuracy_counts_exact_matches(monkeypatch):
    """accuracy is the overall fraction of problems whose tagged answer is right."""
    ps = make_dataset(2, [1, 2], "test")
    outputs = [sft_target(ps[0], "cot"), "<answer>x</answer>", sft_target(ps[2], "answer_only"), ""]
    monkeypatch.setattr(evaluation, "generate", lambda m, t, prompts, *a, **k: outputs[:len(prompts)])

    class Model:
        training = False

    assert accuracy(Model(), None, ps, sft_prompt) == 0.5
    assert accuracy(Model(), None, [], sft_prompt) == 0.0


def test_accuracy_restores_training_mode(fresh_tiny):
    """accuracy on a model in training mode generates in eval mode and then switches training back on."""
    model, tok = fresh_tiny
    ps = make_dataset(2, [1], "test")
    model.train()
    acc = accuracy(model, tok, ps, sft_prompt, max_new_tokens=4)
    assert model.training
    assert 0.0 <= acc <= 1.0
    model.eval()
    accuracy(model, tok, ps, sft_prompt, max_new_tokens=4)
    assert not model.training


def test_mean_tokens(tokenizer):
    """mean_tokens averages token counts without <bos>: '12' is 2, a tagged 7 is 3, 'the' is 1."""
    assert mean_tokens(tokenizer, ["12", "<answer>7</answer>", "the"]) == pytest.approx(2.0)
    assert mean_tokens(tokenizer, ["<think>37+8=45 45-5=40 40+9=49</think><answer>49</answer>"]) == 29
    assert mean_tokens(tokenizer, [""]) == 0.0
    assert mean_tokens(tokenizer, []) == 0.0
