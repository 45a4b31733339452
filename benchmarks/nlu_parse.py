"""The NLU model's share of a turn: time to parse one message, for one or more trained models.

Loads each model as the Rasa server does (bot.trainers.heldout_nlu.parser_for_model) and parses the held-out
messages of tests/nlu/ in rounds, alternating the models round by round so that whatever else the machine is
doing weighs on each the same. Prints mean and p50/p95 per message. Issue 11 allows a new model at most 10 % more.

    .venv/bin/python benchmarks/nlu_parse.py MODEL [MODEL ...] [--rounds 3]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.trainers.heldout_nlu import (  # noqa: E402
    FAQ_FILE, HELDOUT_DIR, INTENTS_FILE, OOD_FILE, load_examples, parser_for_model,
)


def heldout_texts() -> List[str]:
    """Every held-out message: short replies, long rambling ones and out-of-domain ones, as followers write."""
    return [e.text for name in (INTENTS_FILE, FAQ_FILE, OOD_FILE) for e in load_examples(HELDOUT_DIR / name)]


async def timed_round(parse, texts: List[str]) -> List[float]:
    """Seconds per message for one pass over the texts."""
    seconds = []
    for text in texts:
        start = time.perf_counter()
        await parse(text)
        seconds.append(time.perf_counter() - start)
    return seconds


async def main(models: List[Path], rounds: int) -> None:
    texts = heldout_texts()
    parsers = {model: parser_for_model(model) for model in models}
    for parse in parsers.values():          # warm-up: TensorFlow builds its graph on the first calls
        await timed_round(parse, texts[:50])
    timings: Dict[Path, List[float]] = {model: [] for model in models}
    for _ in range(rounds):
        for model, parse in parsers.items():
            timings[model] += await timed_round(parse, texts)
    print(f"{len(texts)} messages x {rounds} rounds per model")
    print("| model | mean ms | p50 ms | p95 ms |\n|---|---|---|---|")
    for model, seconds in timings.items():
        ms = sorted(s * 1000 for s in seconds)
        print(f"| {model} | {statistics.mean(ms):.2f} | {ms[len(ms) // 2]:.2f} | {ms[int(len(ms) * 0.95)]:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.models, args.rounds))
