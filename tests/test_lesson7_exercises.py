"""Lesson 7's exercise checks: each accepts a right answer and turns down wrong ones with a hint that
does not give the answer away."""
from lessons_lib import lesson7_thinking as T, lesson7_verifiers as V
from lessons_lib.exercises import check_budget_cap, check_fooling, check_hardened, check_process_reward
from conftest import verdict  # noqa: E402  (the shared ✅/❌ reader)


def test_budget_cap_check(tiny, capsys):
    model, tok = tiny
    assert check_budget_cap(lambda m, t, prompts, b: T.budget_generate(m, t, prompts, b), model, tok)
    verdict(capsys, True)
    assert not check_budget_cap(lambda m, t, prompts, b: [" <think></think><answer>00</answer>"] * len(prompts),
                                model, tok)
    assert not check_budget_cap(lambda m, t, prompts, b: ["x"], model, tok)  # not one per prompt
    assert not check_budget_cap(lambda m, t, prompts, b: 1 / 0, model, tok)
    out = capsys.readouterr().out
    assert "one completion (a string) per prompt" in out and "raised" in out


class Yes(V.LearnedVerifier):
    """A verifier that says yes to anything but 'no thanks'."""

    def __init__(self):
        pass

    def read(self, questions, references, answers):
        return ["-- 00: no" if a == "no thanks" else "00 00: 00= 00= yes" for a in answers]


def test_fooling_and_hardened_checks(capsys):
    assert check_fooling("37+8-5", "41", Yes())
    assert not check_fooling("37+8-5", "the answer is 40.", Yes())  # right, in another form
    assert not check_fooling("37+8-5", "no thanks", Yes())  # turned down
    assert not check_fooling("37 and 8", "41", Yes())  # not a toy-world question
    assert not check_fooling("37+8-5", "", Yes())
    out = capsys.readouterr().out
    assert "40" not in out.replace("37+8-5", "")  # the hints never state the true answer
    assert not check_hardened("37+8-5", "41", Yes())
    assert check_hardened("37+8-5", "no thanks", Yes())


def test_process_reward_check(capsys):
    assert check_process_reward(V.process_reward)
    assert not check_process_reward(lambda completions, question, **kw: [1.0] * len(completions))
    assert "paid too much" in capsys.readouterr().out

    def counts_steps(completions, question, **kw):  # pays for every step written, right or not
        from lessons_lib.worlds.chain_thoughts import steps_in
        from lessons_lib.rewards import parse_completion
        out = []
        for c in completions:
            p = parse_completion(c) if isinstance(c, str) else None
            out.append(min(1.0, len(steps_in(p[0])) / 2) if p else 0.0)
        return out

    assert not check_process_reward(counts_steps)
    assert not check_process_reward(lambda completions, question: [0.0] * len(completions))  # no **kwargs
