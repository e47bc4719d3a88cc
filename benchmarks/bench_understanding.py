"""Understanding merchant messages: accuracy on the corpus, per slot and per phenomenon, the
false-fill rate, questions answered from the right section, and the time to read a message.

Run: .venv/bin/python benchmarks/bench_understanding.py [CORPUS.jsonl]
Targets (issue 9): ≥ 97 % of facts right, ≥ 90 % on every tag, false fills < 1 % of messages,
≥ 90 % of questions from the right section, < 1 ms median per message.
A second corpus (for example one written by someone else, kept outside the repository) can be
passed as an argument to see how the reader does on sentences it was not tuned on.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialogs.knowledge import load_knowledge  # noqa: E402
from dialogs.understanding import Reader  # noqa: E402
from tests.understanding_score import CORPUS, load, score  # noqa: E402

QUESTIONS = ROOT / "tests" / "corpus" / "questions.jsonl"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    lines = load(corpus)
    reader = Reader()
    result = score(lines, reader)
    print(f"understanding: {corpus.name}, {len(lines)} messages, "
          f"python {platform.python_version()}")
    print(f"  facts right        {result.accuracy:7.1%}  ({sum(result.right.values())}/"
          f"{sum(result.facts.values())})")
    print(f"  false fills        {result.false_fill_rate:7.1%}  ({result.invented} messages "
          "filled a slot they do not state)")
    print("  per slot:")
    for slot in sorted(result.facts):
        print(f"    {slot:18} {result.right[slot] / result.facts[slot]:7.1%}"
              f"  ({result.facts[slot]})")
    print("  per tag:")
    for tag in sorted(result.tag_facts):
        print(f"    {tag:18} {result.tag_accuracy(tag):7.1%}  ({result.tag_facts[tag]})")
    for miss in result.misses:
        print(f"  miss: {miss}")

    knowledge = load_knowledge()
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    right = 0
    for line in questions:
        reading = reader.read(line["text"], step=line["step"])
        sections = {knowledge.answer(question, "zh_CN").section for question in reading.questions}
        right += bool(reading.questions) and line["section"] in sections
    print(f"  questions from the right section {right / len(questions):7.1%} "
          f"({right}/{len(questions)})")

    texts = [line["text"] for line in lines]
    times = []
    for _ in range(5):
        for line in lines:
            started = time.perf_counter()
            reader.read(line["text"], step=line.get("step"), known=line.get("answers"))
            times.append(time.perf_counter() - started)
    times.sort()
    print(f"  read one message   median {statistics.median(times) * 1e3:.3f} ms, "
          f"p99 {times[int(len(times) * 0.99)] * 1e3:.3f} ms "
          f"({len(times)} reads of {len(texts)} messages)")


if __name__ == "__main__":
    main()
