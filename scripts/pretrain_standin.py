"""Make lesson 8's offline stand-in: a BPE tokenizer and a small Qwen2, pretrained on word problems.

    .venv/bin/python scripts/pretrain_standin.py                    # -> data/checkpoints/08_standin
    .venv/bin/python scripts/pretrain_standin.py --out models/my_standin --seed 1

It trains the tokenizer, pretrains the model (lessons_lib.lesson8_stand_in.StandInRecipe) and writes the
model, the tokenizer, `log_history.json` (the loss curve) and `card.json`: the recipe, the seconds
it took, the losses, and what the model does on held-out stories before any fine-tuning (greedy,
prompted the way it was pretrained, 'Question: ...\\nAnswer:', its '#### N' line read by
math-verify; and under lesson 8's R1-Zero template, which it has never seen). Deterministic in the
seed: the same command makes the same model.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
COMMAND = ".venv/bin/python scripts/pretrain_standin.py"


def held_out_card(model, tok, n: int = 90) -> dict:
    """Greedy accuracy on `n` held-out stories: prompted as in pretraining, and under R1-Zero's template."""
    from lessons_lib.evaluation import generate
    from lessons_lib.rewards import math_verify_correct, math_verify_reward, gsm8k_final
    from lessons_lib.lesson8_stand_in import pretraining_text
    from lessons_lib.worlds.words import r1_rl_row, toy_word_problems

    rows = toy_word_problems(n, split="test")
    truth = [gsm8k_final(r["answer"]) for r in rows]
    prompts = [pretraining_text(r).split("\nAnswer:")[0] + "\nAnswer:" for r in rows]
    outs = generate(model, tok, prompts, max_new_tokens=48)
    read = [gsm8k_final(o.split("Question:")[0]) for o in outs]
    r1 = generate(model, tok, [r1_rl_row(r)["prompt"] for r in rows], max_new_tokens=48)
    return {"held_out_stories": n,
            "gsm8k_prompt_accuracy": sum(math_verify_correct(a or "", t) for a, t in zip(read, truth)) / n,
            "r1_template_accuracy": sum(math_verify_reward(r1, truth)) / n,
            "example_gsm8k_prompt": prompts[0] + outs[0], "example_r1_completion": r1[0]}


def main(argv=None) -> int:
    import dataclasses

    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.runtime import quiet
    from lessons_lib.lesson8_stand_in import ARCH, STANDIN, StandInRecipe, pretrain_stand_in

    default = StandInRecipe()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(CHECKPOINTS / STANDIN), help="where to save the model")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--updates", type=int, default=default.updates,
                    help=f"optimizer updates (default {default.updates})")
    ap.add_argument("--smoke", action="store_true", help="a few tiny updates (tests)")
    args = ap.parse_args(argv)
    quiet()
    import torch
    import transformers

    from lessons_lib.models import n_params, save

    recipe = dataclasses.replace(default.smoke() if args.smoke else default,
                                 **({} if args.smoke else {"updates": args.updates}))
    torch.set_num_threads(min(2, torch.get_num_threads()))  # the card's seconds are for 2 cores
    t0 = time.time()
    model, tok, trainer = pretrain_stand_in(recipe, seed=args.seed)
    seconds = time.time() - t0
    losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
    out = save(model, tok, args.out)
    (out / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    card = {"command": COMMAND + (f" --seed {args.seed}" if args.seed else "")
            + (f" --updates {args.updates}" if args.updates != default.updates else ""),
            "architecture_of": ARCH, "class": type(model).__name__, "parameters": n_params(model),
            "vocabulary": len(tok), "seed": args.seed, "recipe": dataclasses.asdict(recipe),
            "seconds": round(seconds, 1), "threads": torch.get_num_threads(),
            "first_loss": round(losses[0], 4), "final_loss": round(losses[-1], 4),
            "torch": torch.__version__, "transformers": transformers.__version__}
    card.update(held_out_card(model, tok, n=8 if args.smoke else 90))
    (out / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    print(json.dumps(card, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
