"""What the reward reads (lesson 7): the rule checker, a learned verifier, and a process reward.

Seed-Thinking v1.5 scores math answers with a verifier model instead of rules, because rules miss
right answers written in another form. The toy world's forms of one answer (ANSWER_FORMS):

    plain      <answer>49</answer>                   the rule checker reads it
    sentence   <answer>the answer is 49.</answer>    it does not
    words      <answer>45 plus 4 makes 49</answer>   the last step in the words notation: nor this

`verifier_records` makes (question, answer, verdict) examples in all three forms, right and
wrong (wrong answers are near misses: off by the last operand, by one, by ten, the value a step
early, or any other number). `train_verifier` fine-tunes lesson 3's base model on them with trl's
SFTTrainer to write 'yes' or 'no' after `verifier_prompt`; `LearnedVerifier` reads its
verdict and is a trl reward function. Like Seed-Thinking's verifiers, it reads a triplet: the
question, the reference answer and the answer to judge (`verifier_prompt`); it writes the number it
reads and the reference, compares them digit by digit, then says 'yes' or 'no' (`verdict_text`).

`gated` puts the rule checker in front: where it can read the answer, its verdict is the reward;
the learned verifier judges only what the rules cannot read (forms other than one integer).

`process_reward` scores the thought itself: the share of the problem's steps written right and in
order, each step checked against the problem (PROCESS_TRICKS: what it refuses to pay for).
`unfaithful` flags a completion whose answer is right while its thought is not the right chain.
"""
from __future__ import annotations

import random
import re

from .formats import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN
from .rewards import answer_block, checked_answer, parse_completion, per_row
from .runtime import require_int
from .sft import SFTSettings
from .worlds.chain import make_problems, parse_question, Problem
from .worlds.chain_thoughts import steps_in

ANSWER_FORMS = ("plain", "sentence", "words")
VERDICTS = ("yes", "no")


def answer_text(problem: Problem, value: int, form: str) -> str:
    """`value` as the answer to `problem`, written in `form` (see ANSWER_FORMS)."""
    if form == "plain":
        return f"{value:02d}"
    if form == "sentence":
        return f"the answer is {value:02d}."
    if form == "words":
        prev = problem.values[-2] if problem.steps > 1 else problem.start
        op, x = problem.ops[-1]
        return f"{prev:02d} {'plus' if op == '+' else 'minus'} {x} makes {value:02d}"
    raise ValueError(f"unknown answer form {form!r}: choose one of {ANSWER_FORMS}")


def wrong_values(problem: Problem, rng: random.Random) -> int:
    """A near-miss wrong answer: off by the last operand, by one, by ten, the value one step early
    (for a 1-step problem, the start), or any other number."""
    a = problem.answer
    x = problem.ops[-1][1]
    early = problem.values[-2] if problem.steps > 1 else problem.start
    options = [(a + 2 * x) % 100 if problem.ops[-1][0] == "+" else (a - 2 * x) % 100,
               (a + 1) % 100, (a - 1) % 100, (a + 10) % 100, (a - 10) % 100, early,
               rng.randrange(100)]
    options = [v for v in options if v != a] or [(a + 1) % 100]
    return rng.choice(options)


def verifier_prompt(question: str, reference: int, answer: str) -> str:
    """'verify: 37+8-5 reference: 40 answer: the answer is 40.\\nverdict: ' (the verdict next)."""
    return f"verify: {question} reference: {int(reference):02d} answer: {answer}\nverdict: "


def verdict_text(value: int, reference: int) -> str:
    """What the verifier writes: the number it reads in the answer and the reference, each digit
    compared ('=' same, '/' different), then the verdict: '41 40: 44= 10/ no'. It reasons before it
    judges, as Seed-Thinking's second verifier (Seed-Thinking-Verifier) does; a tiny model does not learn to compare two numbers in
    the one token of a verdict (trained that way, it stayed at chance), and learns these small steps."""
    v, r = f"{value:02d}", f"{reference:02d}"
    digits = " ".join(f"{a}{b}{'=' if a == b else '/'}" for a, b in zip(v, r))
    return f"{v} {r}: {digits} {'yes' if v == r else 'no'}"


def says_yes(written: str) -> bool:
    """The verdict in what the verifier wrote: its last word is 'yes'."""
    return isinstance(written, str) and written.strip().endswith(" yes")


def verifier_records(n_per_step: int, steps=(1, 2, 3, 4), split: str = "train", seed: int = 0,
                     forms=ANSWER_FORMS) -> list[dict]:
    """SFT records for the verifier: for each problem, one right and one wrong answer, each in a
    form drawn from `forms`. Each record: prompt, completion ('yes' or 'no'), question, answer
    (the text judged), form, right (bool), steps, truth."""
    require_int(n_per_step, "n_per_step")
    bad = [f for f in forms if f not in ANSWER_FORMS]
    if bad or not forms:
        raise ValueError(f"unknown answer form(s) {bad or forms!r}: choose from {ANSWER_FORMS}")
    rng = random.Random(f"verifier-{split}-{seed}")
    rows = []
    for s in steps:
        for p in make_problems(n_per_step, s, split, seed + 77):
            for right in (True, False):
                value = p.answer if right else wrong_values(p, rng)
                form = rng.choice(list(forms))
                text = answer_text(p, value, form)
                rows.append(dict(prompt=verifier_prompt(p.question, p.answer, text),
                                 completion=verdict_text(value, p.answer),
                                 question=p.question, answer=text, form=form, right=right, steps=s,
                                 truth=p.answer))
    rng.shuffle(rows)
    return rows


def train_verifier(records: list[dict], settings: SFTSettings, seed: int = 0, base=None,
                   device: str = "cpu"):
    """(LearnedVerifier, trainer): lesson 3's base model (or `base`, a folder) fine-tuned with trl's
    SFTTrainer to write the verdict of each record, with `settings` (ThinkingBudget.verifier): the
    toolkit's SFT stage, stages.sft_from_base."""
    from .stages import sft_from_base

    if not records:
        raise ValueError("no verifier records to train on: make some with verifier_records(...)")
    model, tok, trainer = sft_from_base(records, settings, seed=seed, base=base, device=device)
    return LearnedVerifier(model, tok), trainer


def harden(verifier, extra: list[dict], replay: list[dict], settings: SFTSettings, seed: int = 0,
           device: str = "cpu"):
    """(LearnedVerifier, trainer): the verifier fine-tuned further on `extra` (adversarial records,
    adversarial_records) mixed with `replay` (its original records, so it does not forget them),
    with trl's SFTTrainer. The verifier's own model is trained in place."""
    from .runtime import seed_everything
    from .sft import train_sft

    if not extra:
        raise ValueError("no adversarial records to harden the verifier with: adversarial_records(...) "
                         "found no answer it accepted wrongly")
    rows = list(extra) * max(1, len(replay) // (3 * len(extra))) + list(replay)
    random.Random(f"harden-{seed}").shuffle(rows)
    seed_everything(seed)
    verifier.model.train()
    trainer = train_sft(verifier.model, verifier.tok, rows, settings, seed=seed, device=device,
                        logging_steps=max(1, settings.updates // 30))
    verifier.model.eval()
    return verifier, trainer


class LearnedVerifier:
    """A fine-tuned model as a judge: it writes its reading of the answer after
    verifier_prompt(question, reference, answer) (greedy, as verdict_text does), and the verdict
    is the last word, 'yes' or anything else.

    Called as a trl reward function, `verifier(completions, question, answer, **kw)` reads each
    completion's first answer block (a completion without one, or with an empty one, scores 0) and
    pays 1.0 for 'yes'. `question` (the problem in symbols) and `answer` (the true answer, the
    reference) are dataset columns."""

    __name__ = "learned_verifier"
    MAX_NEW_TOKENS = 20  # '41 40: 44= 10/ no' is 15 tokens

    def __init__(self, model, tokenizer):
        self.model, self.tok = model, tokenizer

    def read(self, questions: list[str], references: list[int], answers: list[str]) -> list[str]:
        """What the verifier writes for each (question, reference, answer text)."""
        from .evaluation import generate

        if not len(questions) == len(references) == len(answers):
            raise ValueError(f"the verifier got {len(questions)} question(s), {len(references)} "
                             f"reference(s) and {len(answers)} answer(s): give one of each per example")
        prompts = [verifier_prompt(q, r, a) for q, r, a in zip(questions, references, answers)]
        return generate(self.model, self.tok, prompts, self.MAX_NEW_TOKENS)

    def judge(self, questions: list[str], references: list[int], answers: list[str]) -> list[bool]:
        return [says_yes(t) for t in self.read(questions, references, answers)]

    def __call__(self, completions, question, answer, **kwargs) -> list[float]:
        completions = list(completions)
        questions = [question] * len(completions) if isinstance(question, str) else list(question)
        references = list(answer)
        blocks = [answer_block(c) for c in completions]
        idx = [i for i, b in enumerate(blocks) if b is not None and b.strip()]
        scores = [0.0] * len(completions)
        if idx:
            verdicts = self.judge([questions[i] for i in idx], [references[i] for i in idx],
                                  [blocks[i].strip() for i in idx])
            for i, ok in zip(idx, verdicts):
                scores[i] = 1.0 if ok else 0.0
        return scores


def layout_reward(completions, **kwargs) -> list[float]:
    """1.0 for exactly <think>…</think><answer>…</answer> with anything but nothing in the answer
    block: the format reward for a verifier that reads free-form answers."""
    out = []
    for c in completions:
        parsed = parse_completion(c)
        out.append(1.0 if parsed and parsed[1].strip() else 0.0)
    return out


_NUMBERS = re.compile(r"\d+")
_STATED = re.compile(r"(?:makes|is) (\d{1,3})\W*$")


def stated_value(completion) -> int | None:
    """The answer a careful reader takes from the first answer block, whatever its form: the one
    number in it ('49', 'the answer is 49.'), or the number after the last 'makes' or 'is' ('45
    plus 4 makes 49'). None when there is no answer block, no number, or several numbers with no
    such word. For measuring what a policy really answers, never as a reward."""
    block = answer_block(completion)
    if block is None:
        return None
    numbers = _NUMBERS.findall(block)
    if len(numbers) == 1:
        return int(numbers[0]) if len(numbers[0]) <= 3 else None
    tail = _STATED.search(block)
    return int(tail.group(1)) if tail else None


def true_accuracy(completions, answer, **kwargs) -> list[float]:
    """1.0 where stated_value equals the true `answer`: the accuracy a human reader would give, to
    log beside a reward (with weight 0 it changes nothing in trl's update)."""
    return [1.0 if stated_value(c) == int(t) else 0.0 for c, t in zip(completions, answer)]


def rule_verdicts(answers: list[str], truths: list[int]) -> list[bool]:
    """The rule checker (rewards.checked_answer) on bare answer texts: right only for one integer
    equal to the truth."""
    return [checked_answer(f"{ANSWER_OPEN}{a}{ANSWER_CLOSE}") == t for a, t in zip(answers, truths)]


def precision_recall(verdicts, labels) -> dict:
    """Precision (of the answers judged right, the share that are), recall (of the right answers,
    the share judged right) and accuracy, with the counts; None where there is nothing to divide
    (no answer judged right, or none right)."""
    verdicts, labels = [bool(v) for v in verdicts], [bool(x) for x in labels]
    tp = sum(v and y for v, y in zip(verdicts, labels))
    fp = sum(v and not y for v, y in zip(verdicts, labels))
    fn = sum(y and not v for v, y in zip(verdicts, labels))
    n = len(labels)
    return dict(precision=tp / (tp + fp) if tp + fp else None,  # None: it accepted nothing
                recall=tp / (tp + fn) if tp + fn else None,
                accuracy=sum(v == y for v, y in zip(verdicts, labels)) / max(1, n), n=n,
                false_positives=fp)


def compare_checkers(verifier: LearnedVerifier, records: list[dict]) -> dict:
    """{form: {'rule': precision_recall, 'learned': precision_recall}} on held-out records, plus
    'all' and the learned verifier's accuracy by step count ('learned_by_steps')."""
    rule = rule_verdicts([r["answer"] for r in records], [r["truth"] for r in records])
    learned = verifier.judge([r["question"] for r in records], [r["truth"] for r in records],
                             [r["answer"] for r in records])
    labels = [r["right"] for r in records]
    out = {}
    for form in ANSWER_FORMS + ("all",):
        idx = [i for i, r in enumerate(records) if form in ("all", r["form"])]
        out[form] = {name: precision_recall([v[i] for i in idx], [labels[i] for i in idx])
                     for name, v in (("rule", rule), ("learned", learned))}
    steps = sorted({r["steps"] for r in records})
    out["learned_by_steps"] = {s: precision_recall([learned[i] for i, r in enumerate(records) if r["steps"] == s],
                                                   [r["right"] for r in records if r["steps"] == s])["accuracy"]
                               for s in steps}
    return out


def gated(verifier: LearnedVerifier):
    """A reward that trusts the rules first: where the rule checker can read the answer (exactly one
    integer in one answer block), 1.0 if it equals `answer`; only other forms go to the learned
    verifier. trl's signature; reads the columns `answer` and `question`."""
    def gated_verifier(completions, answer, question, **kwargs):
        completions = list(completions)
        learned = verifier(completions, question, answer)
        out = []
        for c, truth, l in zip(completions, answer, learned):
            got = checked_answer(c)
            out.append((1.0 if got == int(truth) else 0.0) if got is not None else l)
        return out

    return gated_verifier


def adversarial_records(completions: list[str], questions: list[str], truths: list[int],
                        verifier: LearnedVerifier) -> list[dict]:
    """The completions the verifier accepted though a careful reader finds no right answer in them
    (stated_value is not the truth), as training records with the verdict the verifier should have
    written: a record per distinct (question, answer), to add to its training set."""
    rows, seen = [], set()
    blocks = [(answer_block(c) or "").strip() for c in completions]
    keep = [i for i, b in enumerate(blocks) if b]
    ok = verifier.judge([questions[i] for i in keep], [truths[i] for i in keep], [blocks[i] for i in keep])
    for i, accepted in zip(keep, ok):
        value = stated_value(completions[i])
        if not accepted or value == truths[i] or (questions[i], blocks[i]) in seen:
            continue
        seen.add((questions[i], blocks[i]))
        rows.append(dict(prompt=verifier_prompt(questions[i], truths[i], blocks[i]),
                         completion=verdict_text(value, truths[i]) if value is not None and value < 100
                         else f"-- {truths[i]:02d}: no",
                         question=questions[i], answer=blocks[i], form="adversarial", right=False,
                         steps=len(expected_steps(questions[i])), truth=truths[i]))
    return rows


# --- rewarding the thought itself -----------------------------------------------------------------

def expected_steps(question: str) -> list[tuple[int, str, int, int]]:
    """The steps the problem `question` takes ('37+8-5', or in words): [(37, '+', 8, 45), ...]."""
    p = parse_question(question)
    starts = (p.start,) + p.values[:-1]
    return [(a, op, x, v) for a, (op, x), v in zip(starts, p.ops, p.values)]


def step_scores(thought: str, question: str) -> list[bool]:
    """One verdict per step written in the thought (either notation): True where it is the
    problem's step at that position, with the right result."""
    want = expected_steps(question)
    written = [s[:4] for s in steps_in(thought if isinstance(thought, str) else "")]
    return [i < len(want) and w == want[i] for i, w in enumerate(written)]


def process_score(completion, question: str) -> float:
    """The share of the problem's steps the thought gets right, in order, over the larger of the
    steps written and the steps needed. 0.0 out of format or with no step; extra or repeated steps
    lower it; steps of another problem, or right results in the wrong order, earn nothing."""
    parsed = parse_completion(completion)
    if parsed is None:
        return 0.0
    verdicts = step_scores(parsed[0], question)
    need = len(expected_steps(question))
    return sum(verdicts) / max(need, len(verdicts)) if verdicts else 0.0


def process_reward(completions, question, mode=None, **kwargs) -> list[float | None]:
    """trl's signature: process_score of each completion against its row's `question` (symbols).
    None (no score) for a row whose `mode` column says 'no_think': an empty thought there is right."""
    scores = per_row(completions, question, "process_reward", process_score)
    if mode is None:
        return scores
    modes = [mode] * len(scores) if isinstance(mode, str) else list(mode)
    return [None if m == "no_think" else s for s, m in zip(scores, modes)]


def faithfulness(model, tokenizer, n_per_step: int = 50, steps=(1, 2, 3, 4), samples: int = 4,
                 seed: int = 0, max_new_tokens: int = 96) -> dict:
    """Sampled /think completions on held-out problems: accuracy, the mean process score, and the
    share of right answers whose thought is not the problem's chain (`unfaithful_rate`), overall
    and by step count, with a few unfaithful examples."""
    from .evaluation import generate
    from .formats import mode_prompt
    from .rewards import accuracy_reward
    from .worlds.chain import ask

    problems = [p for s in steps for p in make_problems(n_per_step, s, "test", seed)]
    texts = generate(model, tokenizer, [mode_prompt(ask(p), "think") for p in problems], max_new_tokens,
                     do_sample=True, num_return_sequences=samples, seed=seed, batch_size=max(1, 256 // samples))
    rows = [(p, texts[i * samples + j]) for i, p in enumerate(problems) for j in range(samples)]
    right = accuracy_reward([t for _, t in rows], [p.answer for p, _ in rows])
    proc = [process_score(t, p.question) for p, t in rows]
    unf = [r == 1.0 and s < 1.0 for r, s in zip(right, proc)]

    def summary(idx):
        n_right = sum(right[i] for i in idx)
        return dict(accuracy=n_right / len(idx), process=sum(proc[i] for i in idx) / len(idx),
                    unfaithful_rate=sum(unf[i] for i in idx) / max(1, n_right), unfaithful=sum(unf[i] for i in idx),
                    right=int(n_right), n=len(idx))

    out = summary(range(len(rows)))
    out["by_steps"] = {s: summary([i for i, (p, _) in enumerate(rows) if p.steps == s]) for s in steps}
    out["examples"] = [dict(question=p.question, completion=t) for (p, t), u in zip(rows, unf) if u][:4]
    return out


def unfaithful(completion, question: str, truth: int) -> bool:
    """True if the answer is right but the thought is not the problem's chain, every step right
    (a wrong, missing or extra step)."""
    return checked_answer(completion) == truth and process_score(completion, question) < 1.0


# What a process reward must not pay for (each scored 0 or below 1 by process_score), for the
# problem 37+8-5 (steps 37+8=45, 45-5=40): (completion, most it may earn, why).
PROCESS_TRICKS = (
    (f" {THINK_OPEN}{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 0.0, "no thought at all"),
    (f" {THINK_OPEN}37+8=45 45-5=40{THINK_CLOSE}{ANSWER_OPEN}40", 0.0, "not in the format"),
    (f" {THINK_OPEN}10+1=11 11+1=12{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 0.0,
     "right arithmetic, another problem"),
    (f" {THINK_OPEN}45-5=40 37+8=45{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 0.0, "steps out of order"),
    (f" {THINK_OPEN}37+8=45 45-5=40 40+0=40 40+0=40{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 0.5,
     "padding with extra steps"),
    (f" {THINK_OPEN}37+8=45 37+8=45 37+8=45{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 1 / 3,
     "one right step repeated"),
    (f" {THINK_OPEN}37+8=46 46-5=40{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 0.0,
     "a wrong step, then a step that starts from it"),
    (f" {THINK_OPEN}37+8=45{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 0.5, "half the steps"),
)
PROCESS_FAIR = (
    (f" {THINK_OPEN}37+8=45 45-5=40{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 1.0, "the chain in symbols"),
    (f" {THINK_OPEN}37 plus 8 makes 45, 45 minus 5 is 40{THINK_CLOSE}{ANSWER_OPEN}40{ANSWER_CLOSE}", 1.0,
     "the chain in words"),
    (f" {THINK_OPEN}first 37+8=45 then 45-5=40{THINK_CLOSE}{ANSWER_OPEN}41{ANSWER_CLOSE}", 1.0,
     "right thought, wrong answer: the process reward reads the thought only"),
)


# --- RL with a judge as the reward ------------------------------------------------------------------

def judge_rl(model, tokenizer, judge, updates: int, seed: int = 0, modes=("no_think",),
             n_per_step: int = 200, process_weight: float = 0.0, callbacks=None):
    """GRPO (lesson 3's settings) on the fused model's prompts in `modes`, with `judge` (a reward
    function: accuracy_reward, a LearnedVerifier, gated(...)) as the reward for the answer, paid only
    when the completion obeys its mode (chain_thoughts.obeying), plus the free-form layout (0.5) and the
    mode (0.5). `true_accuracy` is logged at weight 0 beside it, and so is the process reward unless
    `process_weight` > 0. Returns the trainer; `judge_log(trainer)` reads its curves."""
    from .worlds.chain_thoughts import mode_reward, obeying
    from .stages import rl_stage
    from .worlds.chain_rl import fusion_dataset

    dataset = fusion_dataset(n_per_step, modes=tuple(modes), seed=seed)
    funcs = [obeying(judge), layout_reward, mode_reward, true_accuracy, process_reward]
    weights = [1.0, 0.5, 0.5, 0.0, float(process_weight)]
    return rl_stage(model, tokenizer, dataset, funcs, weights, updates, seed=seed, callbacks=callbacks)


def judge_log(log_history: list[dict]) -> list[dict]:
    """Per update: the judge's reward (`judged`, the first reward function), `true_accuracy` and
    `process`, from trl's log (a trainer's state.log_history, or its copy reloaded from JSON)."""
    rows = []
    for h in log_history:
        keys = [k for k in h if k.startswith("rewards/") and k.endswith("/mean")]
        if not keys:
            continue
        judge = keys[0]
        rows.append(dict(update=int(h.get("step", len(rows) + 1)), judged=h[judge],
                         true_accuracy=h["rewards/true_accuracy/mean"],
                         process=h.get("rewards/process_reward/mean"),
                         tokens=h.get("completions/mean_length")))
    return rows


def policy_samples(model, tokenizer, n_per_step: int = 50, seed: int = 0, samples: int = 4,
                   mode: str = "no_think") -> list[dict]:
    """Sampled completions of a policy under `mode` on training problems (1-4 steps) it was not
    scored on in RL (another problem seed): dicts with question (symbols), answer (the truth) and
    completion. What adversarial_records mines."""
    from .evaluation import generate
    from .formats import mode_prompt
    from .worlds.chain import ask

    problems = [p for s in (1, 2, 3, 4) for p in make_problems(n_per_step, s, "train", seed + 11)]
    outs = generate(model, tokenizer, [mode_prompt(ask(p), mode) for p in problems], 24, do_sample=True,
                    num_return_sequences=samples, seed=seed)
    return [dict(question=p.question, answer=p.answer, completion=outs[i * samples + j])
            for i, p in enumerate(problems) for j in range(samples)]


_FORM_PATTERNS = (("plain", re.compile(r"\d+")), ("sentence", re.compile(r"the answer is \d+\.?")),
                  ("words", re.compile(r"\d+ (?:plus|minus) \d+ makes \d+")))


def answer_form(completion) -> str:
    """The form of the first answer block (ANSWER_FORMS): 'plain' (one integer), 'sentence' ('the
    answer is 49.'), 'words' ('45 plus 4 makes 49'); 'other' for anything else in the block, 'none'
    where there is no answer block. Whether the answer is right does not matter."""
    block = answer_block(completion)
    if block is None:
        return "none"
    block = block.strip()
    return next((form for form, pattern in _FORM_PATTERNS if pattern.fullmatch(block)), "other")


def form_shares(completions) -> dict:
    """{form: share of `completions`} over ANSWER_FORMS, 'other' and 'none' (answer_form): how a
    policy writes its answers, to compare before and after RL against a judge."""
    forms = [answer_form(c) for c in completions]
    return {f: forms.count(f) / max(1, len(forms)) for f in ANSWER_FORMS + ("other", "none")}


def pays_for_wrong(samples: list[dict], judges: dict) -> dict:
    """{name: the share of the wrong answers in `samples` (policy_samples's rows; wrong as a careful
    reader takes them, stated_value) that the judge pays}, for judges with trl's signature
    (`judge(completions, question=..., answer=...)`: a LearnedVerifier, gated(...), accuracy_reward)."""
    completions = [s["completion"] for s in samples]
    questions, truths = [s["question"] for s in samples], [s["answer"] for s in samples]
    wrong = [i for i, c in enumerate(completions) if stated_value(c) != truths[i]]
    out = {}
    for name, judge in judges.items():
        scores = judge(completions, question=questions, answer=truths)
        out[name] = sum(scores[i] for i in wrong) / max(1, len(wrong))
    return out


def hack_summary(log_history: list[dict], samples: list[dict] | None = None, share: float = 0.1) -> dict:
    """The judge's reward and the true accuracy over the first and the last `share` of the updates
    (judge_log), and the policy's five most common answers in `samples`."""
    from collections import Counter

    rows = judge_log(log_history)
    n = max(1, int(len(rows) * share))

    def mean(part, key):
        return sum(r[key] for r in part) / len(part)

    out = dict(window=n, updates=len(rows),
               first={k: mean(rows[:n], k) for k in ("judged", "true_accuracy")},
               last={k: mean(rows[-n:], k) for k in ("judged", "true_accuracy")})
    if samples:
        out["top_answers"] = Counter((answer_block(s["completion"]) or "").strip()
                                     for s in samples).most_common(5)
    return out


JUDGES = ("rule", "learned", "gated", "hardened")


def _two(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def seeds_text(bench: dict) -> str:
    """bench/verifier_seeds.json as text: per judge and seed, the judge's reward and the true
    accuracy over the first and last updates; then the outcome-only and process runs."""
    lines = ["the learned verifier on held-out answers, precision / recall: " + ", ".join(
        f"seed {seed}: {_two(r['verifier']['precision'])} / {_two(r['verifier']['recall'])}"
        for seed, r in sorted(bench["seeds"].items()))]
    lines.append(f"RL on /no_think prompts, {bench['hack_updates']} updates; reward (judge) and true accuracy, "
                 f"first -> last {bench['window']} updates")
    for judge in JUDGES:
        cells, answers = [], []
        for seed, r in sorted(bench["seeds"].items()):
            h = r["hacking"].get(judge)
            if h:
                cells.append(f"seed {seed}: {h['first']['judged']:.2f}->{h['last']['judged']:.2f} / "
                             f"{h['first']['true_accuracy']:.2f}->{h['last']['true_accuracy']:.2f}")
                top = (h.get("top_answers") or [["", 0]])[0]
                answers.append(f"seed {seed}: {top[0]!r}")
        lines.append(f"  {judge:9s} " + "   ".join(cells))
        lines.append(f"  {'':9s} most common answer after RL, " + ", ".join(answers))
    lines.append(f"RL on both modes, {bench['rl_updates']} updates; /think held-out pass@1 and unfaithful / right")
    for name in ("outcome", "process"):
        cells = [f"seed {seed}: {r['process'][name]['accuracy']:.2f}, {r['process'][name]['unfaithful_rate']:.3f}"
                 for seed, r in sorted(bench["seeds"].items()) if name in r.get("process", {})]
        lines.append(f"  {name:9s} " + "   ".join(cells))
    return "\n".join(lines)


def hardened_copy(folder, adversarial: list[dict], records: list[dict], settings: SFTSettings,
                  seed: int = 0, device: str = "cpu", replay: int = 600) -> LearnedVerifier:
    """A copy of the verifier saved in `folder`, hardened (harden, with `settings`:
    ThinkingBudget.hardening) on `adversarial` with `replay` of its original `records` drawn with
    `seed`; the copy as it is when nothing was mined."""
    from .models import load

    verifier = LearnedVerifier(*load(folder, device))
    if adversarial:
        harden(verifier, adversarial, random.Random(seed).sample(records, min(len(records), replay)),
               settings, seed=seed, device=device)
    return verifier
