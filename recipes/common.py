"""What recipes/sft.py and recipes/grpo.py share: the data arguments, and loading data and model
with the library's errors turned into one line (no traceback)."""
from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # lessons_lib without `pip install -e .`

# raised inside transformers when trl builds a trainer, not by anything a run can change
warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)


@dataclass
class DataArguments:
    """Which word problems to train on (trl's ScriptArguments, cut down to what the recipes read)."""

    dataset_name: str = field(default="openai/gsm8k", metadata={
        "help": "a hub dataset in GSM8K's format, a local JSON-lines file with 'question' and 'answer', "
                "or 'toy' for the course's offline word problems"})
    dataset_split: str = field(default="train", metadata={"help": "'train' or 'test'"})
    n_examples: int | None = field(default=None, metadata={
        "help": "train on this many problems, drawn at random with the run's seed (default: all)"})


def load_data_and_model(prog: str, data_args, training_args, model_args, to_row, check=None):
    """(dataset, where, model, tokenizer): word problems mapped through `to_row`, and the model.

    Loaded once, by the main process first (several GPUs download once). The library's errors (no
    hub, a wrong name, wrong columns, a missing file) end the run with their one-line message.
    `check(dataset)` may raise a ValueError too (e.g. the reward functions' columns).
    """
    from lessons_lib.models import load_hub_model
    from lessons_lib.worlds.words import load_word_problems

    try:
        with training_args.main_process_first(desc="data and model"):
            problems, where = load_word_problems(data_args.dataset_name, data_args.dataset_split,
                                                 n=data_args.n_examples, seed=training_args.seed,
                                                 verbose=False, fallback=False)
            dataset = problems.map(to_row, remove_columns=problems.column_names)
            if check:
                check(dataset)
            model, tokenizer = load_hub_model(model_args.model_name_or_path, dtype=model_args.dtype)
    except (RuntimeError, ValueError) as e:
        sys.exit(f"{prog}: {e}")
    return dataset, where, model, tokenizer
