"""lessons_lib: the helper library of the reasoning course.

One module per concept, named after what it holds:

    runtime      smoke switch, device choice, seeding, quiet logs
    tasks        the toy world: multi-step arithmetic problems and their splits
    tokenizer    the toy-world tokenizer (`tokenizers`, wrapped for `transformers`)
    models       the tiny model factory, save/load, and the hub loader
    formats      the <think>/<answer> tags, the step notations, prompts and targets, R1-Zero's template
    sft          supervised fine-tuning through trl's SFTTrainer; the SFTBudget of lessons 1-2
    curves       held-out accuracy against training budget (updates, tokens, seconds)
    evaluation   greedy accuracy by steps, sampling, pass@k, maj@k
    rewards      answer checker and format validator of R1-Zero (lesson 3)
    corpus       the synthetic web corpus lesson 3's base model is pretrained on
    pretrain     pretraining that base model; its PretrainBudget
    r1           RL prompts and the before/after measurements of lesson 3
    grpo         GRPO through trl's GRPOTrainer; the RLBudget of lesson 3
    sampler      a KV-cache sampler for the course's models, plugged into trl's GRPO
    shared_prefix  GRPO's loss pass with the prompt prefix all rows share run once
    thoughts     repetition loops, mixed notations, readability
    general      lesson 4's general requests and their reward
    recipe       lesson 4's stages and the course-wide table
    boundary     lesson 5: pass@k and maj@k from sample counts, the crossover, distillation
    ppo          PPO's value model, GAE and clipped losses, by hand (trl 1.x has no PPO trainer)
    algorithms   lesson 6: the RL algorithms and Kimi's data choices on one budget, same prompts
    thinking     lesson 7: /think and /no_think in one model (fusion), a thinking budget
    verifiers    lesson 7: a learned verifier against the rule checker, RL against a judge, process reward
    widgets      completion snapshots during RL and their explorer; a streaming chat
    plots        accuracy plots and the live training plot
    results      per-notebook results files and the summary table
    exercises/   the learner's checks, `check_...`, one module per lesson (its docstring is the index)
    paths        where data, models and results live
"""
__version__ = "0.1.0"
