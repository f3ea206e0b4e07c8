"""Lesson 7 over seeds: reward hacking against each judge, and the process reward's effect on
faithfulness, for seeds 0, 1 and 2 (notebook 07 runs seed 0 of part of it live and prints this file).

    .venv/bin/python bench/verifier_seeds.py                 # seeds 0 1 2 (about 30 min)
    .venv/bin/python bench/verifier_seeds.py --seeds 1

For each seed, from the fused model after its SFT round (`07_fused_sft`: models/ if notebook 07 has
trained it here, else the shipped copy), with lesson 7's budget (`lesson7_thinking.ThinkingBudget`):

- a learned verifier trained with that seed (lesson7_verifiers.train_verifier), and its precision and recall on
  held-out answers;
- RL on /no_think prompts against four judges, each from the same start for the same updates: the rule
  checker, the learned verifier, the gate (rules first), and the verifier hardened on what fooled it in
  the learned verifier's run. Per judge: the judge's reward and the true accuracy over the first and
  last 10% of the updates, the policy's most common answers, and each judge's pay for the wrong
  answers of the hacked policy;
- RL on both modes with the outcome-only reward and with the process reward added: held-out /think
  pass@1, the unfaithful share of right answers (lesson7_verifiers.faithfulness) and seconds per update.

Seeds already in bench/verifier_seeds.json are kept unless this call repeats them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
OUT = Path(__file__).resolve().parent / "verifier_seeds.json"


def one_seed(seed: int) -> dict:
    from lessons_lib import lesson7_thinking as T, lesson7_verifiers as V
    from lessons_lib.models import load, save
    from lessons_lib.paths import find_model
    from lessons_lib.rewards import accuracy_reward
    from lessons_lib.runtime import quiet

    quiet()
    B = T.ThinkingBudget()
    start = find_model("07_fused_sft")
    records = V.verifier_records(B.verifier_problems_per_step, seed=seed)
    held = V.verifier_records(B.eval_per_step, split="test", seed=seed)
    verifier, _ = V.train_verifier(records, B.verifier, seed=seed)
    folder = Path(tempfile.mkdtemp(prefix="verifier-"))
    save(verifier.model, verifier.tok, folder)
    out = dict(verifier=V.compare_checkers(verifier, held)["all"]["learned"], hacking={}, curves={})

    def run(name, judge):
        model, tok = load(start)
        t0 = time.time()
        tr = V.judge_rl(model, tok, judge, B.hack_updates, seed=seed)
        samples = V.policy_samples(model, tok, n_per_step=B.eval_per_step, seed=seed)
        out["hacking"][name] = dict(V.hack_summary(tr.state.log_history, samples), seconds=time.time() - t0)
        out["curves"][name] = [{k: r[k] for k in ("update", "judged", "true_accuracy")}
                               for r in V.judge_log(tr.state.log_history)]
        print(f"seed {seed} {name}: {out['hacking'][name]['first']} -> {out['hacking'][name]['last']}", flush=True)
        return samples

    run("rule", accuracy_reward)
    samples = run("learned", verifier)
    questions, truths = [s["question"] for s in samples], [s["answer"] for s in samples]
    completions = [s["completion"] for s in samples]
    adversarial = V.adversarial_records(completions, questions, truths, verifier)
    hardened = V.hardened_copy(folder, adversarial, records, B.hardening, seed=seed)
    pays = V.pays_for_wrong(samples, {"learned": verifier, "gate": V.gated(verifier), "hardened": hardened})
    out["hardening"] = dict(mined=len(adversarial), hardened_checkers=V.compare_checkers(hardened, held)["all"]["learned"],
                            pays_wrong=pays)
    run("gated", V.gated(verifier))
    run("hardened", hardened)

    out["process"] = {}
    for name, weight in (("outcome", 0.0), ("process", 0.5)):
        model, tok = load(start)
        t0 = time.time()
        V.judge_rl(model, tok, accuracy_reward, B.rl_updates, seed=seed, modes=T.MODES, process_weight=weight)
        seconds = time.time() - t0
        faith = V.faithfulness(model, tok, n_per_step=B.eval_per_step * 2, seed=seed)
        out["process"][name] = dict({k: faith[k] for k in ("accuracy", "unfaithful_rate", "unfaithful", "right", "process")},
                                    seconds_per_update=seconds / B.rl_updates)
        print(f"seed {seed} {name}: {out['process'][name]}", flush=True)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    from lessons_lib.lesson7_thinking import ThinkingBudget

    B = ThinkingBudget()
    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    if data.get("hack_updates") not in (None, B.hack_updates) or data.get("rl_updates") not in (None, B.rl_updates):
        data = {}  # another budget: start over rather than mix
    seeds = data.get("seeds", {})
    for seed in args.seeds:
        t0 = time.time()
        seeds[str(seed)] = dict(one_seed(seed), seconds=time.time() - t0)
        window = seeds[str(seed)]["hacking"]["learned"]["window"]
        data = dict(hack_updates=B.hack_updates, rl_updates=B.rl_updates, window=window, seeds=seeds,
                    machine=f"{platform.machine()}, {os.cpu_count()} cores",
                    written=time.strftime("%Y-%m-%d %H:%M:%S"))
        OUT.write_text(json.dumps(data, indent=1))
        print(f"seed {seed} done in {time.time() - t0:.0f} s; wrote {OUT}", flush=True)
    from lessons_lib.lesson7_verifiers import seeds_text

    print(seeds_text(data))


if __name__ == "__main__":
    main()
