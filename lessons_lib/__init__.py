"""lessons_lib: the helper library of the reasoning course. Two floors and a lesson shelf.

The toolkit (world-independent: it never imports a world or a lesson)

    runtime        smoke switch and `for_mode`, device, seeding, quiet logs, input checks, peak memory
    paths          where data, models and results live
    results        per-notebook results files, saved training logs, the summary table
    tokenizer      the toy worlds' tokenizer (`tokenizers`, wrapped for `transformers`)
    models         the tiny model factory, save/load (and a trained run), the hub loader
    lora           LoRA adapters through peft
    formats        the <think>/<answer> tags, the prompts (R1-Zero's template), the thinking-mode flags
    rewards        the rule-based answer checker and format validator, math-verify, GSM8K's final answer
    sft            supervised fine-tuning through trl's SFTTrainer; `SFTSettings`, one SFT run's settings
    pretrain       pretraining a base model on plain texts; `PretrainBudget`
    grpo           GRPO through trl's GRPOTrainer; `RLBudget`, one RL run's settings
    ppo            PPO's value model, GAE and clipped losses, by hand (trl 1.x has no PPO trainer)
    stages         an SFT stage from the base and an RL stage (what lessons 4, 5 and 7 chain)
    sampler        a KV-cache sampler for the course's models, plugged into trl's GRPO
    shared_prefix  GRPO's loss pass with the prompt prefix all rows share run once
    trl_internals  every part of trl the course relies on that trl does not promise to keep
    evaluation     greedy accuracy by steps, sampling, pass@k, maj@k
    sample_stats   pass@k and maj@k curves from sample counts, intervals, crossover, coverage
    curves         held-out accuracy against training budget (updates, tokens, seconds)
    plots          accuracy plots and the live training plot
    widgets        completion snapshots during RL (for any World) and their explorer; a streaming chat
    world          `World`, the interface every toy world implements (problems, split, prompt, checker, ...)

The worlds (worlds/: each implements `world.World`; they use the toolkit)

    worlds.chain, chain_thoughts, chain_corpus, chain_rl    the chain world (lessons 1-2, 4-7)
    worlds.numbers, numbers_corpus                          the numbers game (lesson 3)
    worlds.words                                            GSM8K-style word problems (lesson 8)
    worlds.general                                          general requests (lessons 4 and 7)

The lessons (one module per lesson; each uses the toolkit and a world, never another lesson)

    lesson1_2_sft       lessons 1-2: the SFT budget both share
    lesson3_r1_zero     lesson 3: R1-Zero on the numbers game (RL rows, rewards, measure, the curve)
    lesson4_recipe      lesson 4: the combined recipe's budget, data mixes, rewards and table
    lesson5_boundary    lesson 5: does RL add reasoning? claims from pass@k, distillation
    lesson6_algorithms  lesson 6: the RL algorithms and Kimi's data choices on one budget
    lesson7_thinking    lesson 7: thinking-mode fusion and a thinking budget
    lesson7_verifiers   lesson 7: a learned verifier against the rule checker, process reward
    lesson8_stand_in    lesson 8: the offline stand-in that reads words

    exercises/          the learner's `check_...` exercises, one module per lesson
"""
__version__ = "0.1.0"
