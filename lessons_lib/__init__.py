"""lessons_lib: the helper library of the reasoning course.

One module per concept, named after what it holds:

    runtime      smoke switch, device choice, seeding, quiet logs
    tasks        the toy world: multi-step arithmetic problems and their splits
    tokenizer    the toy-world tokenizer (`tokenizers`, wrapped for `transformers`)
    models       the tiny model factory, save/load, and the hub loader
    formats      prompt and target formats (answer-only, chain of thought)
    sft          supervised fine-tuning through trl's SFTTrainer
    evaluation   greedy accuracy by steps, sampling, pass@k, maj@k
    rewards      R1-Zero template, answer checker and format validator (lesson 3)
    plots        accuracy plots and the live training plot
    results      per-notebook results files and the summary table
    exercises    `check_...` helpers for the exercises
    paths        where data, models and results live
"""
__version__ = "0.1.0"
