"""The course's sampler (lessons_lib.sampler) against model.generate: the same greedy tokens, the same
sampling distribution, and clear refusals for what it does not run."""
import pytest
import torch
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

from lessons_lib.sampler import require_supported, grpo_rollout, sample, unsupported

PROMPTS = ["01+2", "13-4+5", "7", "02+3-1+8"]


def _ids(tok, texts):
    return [tok(t)["input_ids"] for t in texts]


def _generate(model, tok, prompt_ids, max_new_tokens, **kw):
    """model.generate on left-padded prompts; completions cut after the first end token."""
    P = max(map(len, prompt_ids))
    ids = torch.tensor([[tok.pad_token_id] * (P - len(p)) + p for p in prompt_ids])
    mask = torch.tensor([[0] * (P - len(p)) + [1] * len(p) for p in prompt_ids])
    cfg = GenerationConfig(max_new_tokens=max_new_tokens, pad_token_id=tok.pad_token_id,
                           eos_token_id=tok.eos_token_id, top_k=0, top_p=1.0, **kw)
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=mask, generation_config=cfg)[:, P:].tolist()
    return [s[:s.index(tok.eos_token_id) + 1] if tok.eos_token_id in s else s for s in out]


def _small(kind, tok, **kw):
    """A random 2-layer model of `kind`, with grouped keys (4 query heads, 2 key/value heads)."""
    base = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=tok.bos_token_id)
    base.update(kw)
    torch.manual_seed(0)
    if kind == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**base))
        for layer in model.model.layers:  # Qwen2's q/k/v biases start at zero: make them count
            for lin in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                torch.nn.init.normal_(lin.bias, std=0.5)
    elif kind == "qwen3":
        from transformers import Qwen3Config, Qwen3ForCausalLM
        model = Qwen3ForCausalLM(Qwen3Config(head_dim=8, **base))
        for layer in model.model.layers:  # q/k norms start at one: make them count
            torch.nn.init.normal_(layer.self_attn.q_norm.weight, 1.0, 0.3)
            torch.nn.init.normal_(layer.self_attn.k_norm.weight, 1.0, 0.3)
    else:
        model = LlamaForCausalLM(LlamaConfig(**base))
    return model.eval()


@pytest.mark.parametrize("kind", ["llama", "qwen2", "qwen3"])
def test_greedy_tokens_are_model_generates(kind, tokenizer):
    model = _small(kind, tokenizer)
    prompts = _ids(tokenizer, PROMPTS)
    assert sample(model, prompts, 24, tokenizer.eos_token_id, tokenizer.pad_token_id, greedy=True) \
        == _generate(model, tokenizer, prompts, 24, do_sample=False)


def test_greedy_on_the_trained_base_with_rows_ending_at_different_lengths(tokenizer):
    """The lesson-3 base writes thoughts of different lengths, so finished rows are dropped from
    the batch along the way (the sampler's compaction) before the last ones end."""
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.worlds.chain_rl import rl_dataset

    model, tok = load(CHECKPOINTS / "03_base")
    ds = rl_dataset(6, seed=3)
    prompts = _ids(tok, [ds[i]["prompt"] for i in range(12)])
    mine = sample(model, prompts, 96, tok.eos_token_id, tok.pad_token_id, greedy=True)
    assert len({len(c) for c in mine}) > 3  # the rows did end at different lengths
    assert mine == _generate(model, tok, prompts, 96, do_sample=False)


def _first_two(rows):
    return torch.tensor([r[:2] + [-1] * (2 - len(r[:2])) for r in rows])


def _joint(model, prompt, temperature):
    """The model's exact probabilities of every pair of first two tokens after `prompt`."""
    with torch.no_grad():
        first = (model(torch.tensor(prompt)).logits[0, -1] / temperature).softmax(-1)
        rows = torch.tensor([prompt[0] + [t] for t in range(len(first))])
        return first[:, None] * (model(rows).logits[:, -1] / temperature).softmax(-1)


def _tv(pairs, joint):
    """Total variation distance between the frequencies of `pairs` and the distribution `joint`."""
    freq = torch.zeros_like(joint)
    for a, b in pairs.tolist():
        freq[a, b] += 1 / len(pairs)
    return 0.5 * (freq - joint).abs().sum().item()


@pytest.fixture(scope="module")
def base_prompt():
    from lessons_lib.formats import r1_zero_prompt
    from lessons_lib.models import load
    from lessons_lib.paths import CHECKPOINTS

    model, tok = load(CHECKPOINTS / "03_base")
    return model, tok, _ids(tok, [r1_zero_prompt("07-9-9")])


def test_model_generates_samples_set_the_yardstick(base_prompt):
    """800 draws from model.generate land within 0.08 (total variation) of the model's exact
    distribution of the first two tokens (about 0.03 measured): the scale of sampling error."""
    model, tok, prompt = base_prompt
    torch.manual_seed(1)
    ref = _generate(model, tok, prompt * 800, 2, do_sample=True, temperature=1.0)
    assert _tv(_first_two(ref), _joint(model, prompt, 1.0)) < 0.08


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_sampled_tokens_follow_the_models_distribution(base_prompt, temperature):
    """4000 draws of the first two tokens after a lesson-3 prompt: within 0.03 of the exact
    joint probabilities (about 0.01 measured; model.generate's 4000 draws gave about the same)."""
    model, tok, prompt = base_prompt
    torch.manual_seed(0)
    mine = sample(model, prompt * 4000, 2, tok.eos_token_id, tok.pad_token_id, temperature=temperature)
    assert _tv(_first_two(mine), _joint(model, prompt, temperature)) < 0.03


def test_a_seed_gives_the_same_completions(tiny):
    model, tok = tiny
    prompts = _ids(tok, PROMPTS) * 3
    torch.manual_seed(5)
    a = sample(model, prompts, 12, tok.eos_token_id, tok.pad_token_id)
    torch.manual_seed(5)
    assert sample(model, prompts, 12, tok.eos_token_id, tok.pad_token_id) == a


def test_completions_stop_at_the_first_end_token_or_the_budget(tiny):
    model, tok = tiny
    torch.manual_seed(0)
    out = sample(model, _ids(tok, PROMPTS) * 8, 10, tok.eos_token_id, tok.pad_token_id)
    for c in out:
        assert 1 <= len(c) <= 10
        assert tok.eos_token_id not in c[:-1]
        assert len(c) == 10 or c[-1] == tok.eos_token_id
    # a list of end tokens: the first of any of them ends a completion
    other = tok.convert_tokens_to_ids("+")
    torch.manual_seed(0)
    for c in sample(model, _ids(tok, PROMPTS) * 8, 10, [tok.eos_token_id, other], tok.pad_token_id):
        assert not {tok.eos_token_id, other} & set(c[:-1])


def test_bad_arguments_are_named(tiny):
    model, tok = tiny
    p = _ids(tok, ["01+2"])
    with pytest.raises(ValueError, match="at least one prompt"):
        sample(model, [], 4, tok.eos_token_id)
    with pytest.raises(ValueError, match="every prompt needs at least one token"):
        sample(model, [[]], 4, tok.eos_token_id)
    with pytest.raises(ValueError, match="max_new_tokens must be a positive int, got 0"):
        sample(model, p, 0, tok.eos_token_id)
    with pytest.raises(ValueError, match="temperature must be a number above 0"):
        sample(model, p, 4, tok.eos_token_id, temperature=0)


def test_models_it_does_not_run_are_refused_with_the_reason(tiny, tokenizer):
    from lessons_lib.lora import add_lora, lora_config

    model, _ = tiny
    assert unsupported(model) is None
    from transformers import GPT2Config, GPT2LMHeadModel
    other = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=len(tokenizer)))
    with pytest.raises(ValueError, match=r"cannot run this model: it runs \('llama', 'qwen2', 'qwen3'\) "
                                         r"models, not 'gpt2'.*fast_sampler=False"):
        require_supported(other)
    lora = add_lora(_small("llama", tokenizer), lora_config(r=2))
    assert "no model.layers" in unsupported(lora) or "LoRA" in unsupported(lora)
    assert "LoRA" in unsupported(lora.get_base_model())  # the adapters live in the layers


def test_grpo_picks_the_sampler_only_where_it_runs(tiny, tokenizer):
    from lessons_lib.grpo import rollout_for
    from lessons_lib.lora import add_lora, lora_config

    model, _ = tiny
    assert rollout_for(model) is grpo_rollout
    assert rollout_for(model, device="cuda") is None  # model.generate is fast there
    assert rollout_for(model, fast_sampler=False) is None
    lora = add_lora(_small("llama", tokenizer), lora_config(r=2))
    assert rollout_for(lora) is None
    with pytest.raises(ValueError, match="cannot run this model"):
        rollout_for(lora, fast_sampler=True)


class _Args:
    temperature, max_completion_length, generation_kwargs = 1.0, 6, None
    top_k, top_p, min_p, repetition_penalty = 0, 1.0, None, 1.0


class _Trainer:
    def __init__(self, model, tok, **args):
        self.model, self.processing_class, self.eos_token_ids = model, tok, [tok.eos_token_id]
        self.args = _Args()
        for k, v in args.items():
            setattr(self.args, k, v)
        self.accelerator = type("A", (), {"unwrap_model": staticmethod(lambda m: m)})()


def test_the_rollout_returns_what_trl_asks_for(tiny):
    model, tok = tiny
    prompts = ["01+2"] * 3 + ["13-4"] * 3
    out = grpo_rollout(prompts, _Trainer(model, tok))
    assert set(out) == {"prompt_ids", "completion_ids", "logprobs"} and out["logprobs"] is None
    assert out["prompt_ids"] == _ids(tok, prompts)
    assert len(out["completion_ids"]) == 6 and all(1 <= len(c) <= 6 for c in out["completion_ids"])


@pytest.mark.parametrize("setting", [dict(top_k=5), dict(top_p=0.9), dict(repetition_penalty=1.2),
                                     dict(generation_kwargs={"num_beams": 2})])
def test_the_rollout_refuses_settings_it_does_not_implement(tiny, setting):
    model, tok = tiny
    with pytest.raises(ValueError, match="fast_sampler=False"):
        grpo_rollout(["01+2"] * 2, _Trainer(model, tok, **setting))
