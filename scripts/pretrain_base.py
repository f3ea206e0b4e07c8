"""Pretrain lesson 3's base model on the synthetic web corpus and save it (16-33 minutes on 2 cores).

    .venv/bin/python scripts/pretrain_base.py                 # -> data/checkpoints/03_base
    .venv/bin/python scripts/pretrain_base.py --out models/my_base --seed 1

It writes the model, the tokenizer, `log_history.json` (the loss curve) and `base_card.json` (what
the base does with the R1-Zero template before any RL: format rate and accuracy, measured on
held-out problems). The run is deterministic in the seed: the same command gives the same model.
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


def main(argv=None) -> int:
    import dataclasses

    from lessons_lib.paths import CHECKPOINTS
    from lessons_lib.pretrain import PretrainBudget
    from lessons_lib.worlds.chain_corpus import base_card, pretrain_base
    from lessons_lib.runtime import quiet

    default = PretrainBudget()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(CHECKPOINTS / "03_base"), help="where to save the model")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--updates", type=int, default=default.updates,
                    help=f"optimizer updates (default {default.updates})")
    ap.add_argument("--card-problems", type=int, default=50,
                    help="held-out problems per step count for base_card.json (0 skips it)")
    args = ap.parse_args(argv)
    quiet()

    from lessons_lib.models import save

    budget = dataclasses.replace(default, updates=args.updates)
    t0 = time.time()
    model, tok, trainer = pretrain_base(budget, seed=args.seed)
    seconds = time.time() - t0
    out = save(model, tok, args.out)
    (out / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    print(f"pretrained {args.updates} updates in {seconds:.0f} s; final loss "
          f"{[r['loss'] for r in trainer.state.log_history if 'loss' in r][-1]:.3f}; saved to {out}")
    if args.card_problems:
        card = base_card(model, tok, n_per_step=args.card_problems)
        card["pretrain_seconds"] = round(seconds, 1)
        card["seed"], card["updates"] = args.seed, args.updates
        (out / "base_card.json").write_text(json.dumps(card, indent=1))
        print(json.dumps(card, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
