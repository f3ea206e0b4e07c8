"""Pretrain a numbers-game base model and measure it (lesson 3; 30 minutes at most on 2 cores).

    .venv/bin/python scripts/pretrain_numbers_base.py                  # -> data/checkpoints/03_numbers_base
    .venv/bin/python scripts/pretrain_numbers_base.py --no-backtrack   # -> .../03_numbers_base_no_backtrack
    .venv/bin/python scripts/pretrain_numbers_base.py --updates 60 --out /tmp/probe --diagnose 10

One script makes both bases: `--no-backtrack` writes the corpus without verification and
backtracking (lessons_lib.worlds.numbers_corpus.CorpusKnobs, backtrack=False), the same number of tokens
otherwise. It saves the model, the tokenizer, `log_history.json` (the loss curve) and `card.json`
(the command, seed, updates, seconds, final loss, parameter count, and numbers_corpus.diagnose on
held-out problems of each level). Deterministic in the seed: the same command gives the same model.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv=None) -> int:
    from lessons_lib.worlds.numbers_corpus import CorpusKnobs, budget

    default = budget()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-backtrack", action="store_true",
                    help="pretrain on the corpus without verification and backtracking")
    ap.add_argument("--out", default=None, help="where to save the model (default: data/checkpoints/"
                    "03_numbers_base or 03_numbers_base_no_backtrack)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--updates", type=int, default=default.updates,
                    help=f"optimizer updates (default {default.updates})")
    ap.add_argument("--diagnose", type=int, default=50,
                    help="held-out problems per level for the card's diagnostic (0 skips it)")
    ap.add_argument("--samples", type=int, default=32, help="completions per problem (diagnostic)")
    ap.add_argument("--wide", type=int, default=20,
                    help="held-out problems of the hardest level sampled 256 times each, for "
                         "pass@k up to k = 256 (0 skips it)")
    ap.add_argument("--max-new-tokens", type=int, default=384, help="the diagnostic's length cap")
    ap.add_argument("--temperatures", type=float, nargs="+", default=[1.0, 0.7],
                    help="sampling temperatures of the diagnostic (the first also for pass@256)")
    args = ap.parse_args(argv)

    from lessons_lib.models import n_params, save
    from lessons_lib.worlds.numbers_corpus import diagnose, pretrain_numbers_base
    from lessons_lib.worlds.numbers import LEVELS, make_problems
    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.runtime import quiet

    quiet()
    name = "03_numbers_base_no_backtrack" if args.no_backtrack else "03_numbers_base"
    knobs = CorpusKnobs(backtrack=not args.no_backtrack)
    b = budget(updates=args.updates)
    given = sys.argv[1:] if argv is None else argv
    t0 = time.time()
    model, tok, trainer = pretrain_numbers_base(b, knobs, seed=args.seed)
    seconds = time.time() - t0
    out = save(model, tok, args.out or CHECKPOINTS / name)
    log = trainer.state.log_history
    (out / "log_history.json").write_text(json.dumps(log, indent=1))
    losses = [r["loss"] for r in log if "loss" in r]
    card = dict(command=" ".join([".venv/bin/python scripts/pretrain_numbers_base.py", *given]),
                seed=args.seed, updates=args.updates, batch_size=b.batch_size,
                tokens_per_page=b.tokens_per_page, lr=b.lr, knobs=dataclasses.asdict(knobs),
                pretrain_seconds=round(seconds, 1), final_loss=losses[-1], parameters=n_params(model))
    print(f"pretrained {args.updates} updates in {seconds:.0f} s; final loss {losses[-1]:.3f}; "
          f"{card['parameters']} parameters; saved to {out}", flush=True)
    if args.diagnose:
        t1 = time.time()
        problems = {lv: make_problems(args.diagnose, lv, "test", seed=args.seed) for lv in LEVELS}
        for i, temp in enumerate(args.temperatures):
            key = "diagnostic" if i == 0 else f"diagnostic_t{temp:g}"
            card[key] = diagnose(model, tok, problems, samples=args.samples, seed=args.seed,
                                 max_new_tokens=args.max_new_tokens, temperature=temp)
        card["temperatures"] = args.temperatures
        card["diagnostic_seconds"] = round(time.time() - t1, 1)
    if args.wide:
        t1 = time.time()  # other problems than the diagnostic's (seed + 1), 256 samples each
        hardest = list(LEVELS)[-1]
        problems = {hardest: make_problems(args.wide, hardest, "test", seed=args.seed + 1)}
        card["diagnostic_256"] = diagnose(model, tok, problems, samples=256, seed=args.seed,
                                          max_new_tokens=args.max_new_tokens,
                                          temperature=args.temperatures[0])
        card["diagnostic_256_seconds"] = round(time.time() - t1, 1)
    (out / "card.json").write_text(json.dumps(card, indent=1))
    print(json.dumps(card, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
