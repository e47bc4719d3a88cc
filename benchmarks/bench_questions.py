"""Questions mid-dialogue: accuracy on the merchants' corpus, per language, and time per question.

Run: .venv/bin/python benchmarks/bench_questions.py [corpus.jsonl] [--statements answers.jsonl]
Corpus: tests/corpus/questions.jsonl by default (lines {"id","text","lang","section",…}; a null
section means the article does not answer it and the bot must say it doesn't know).
--statements: a corpus of merchants' answers to the steps (lines with "text"), to count how
many `looks_like_question` would wrongly send to the question answerer.
Targets (issue 9): ≥ 90 % answered from the right section; median < 1 ms per question
(fold included) on the 2-core dev machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections import Counter
from pathlib import Path

from dialogs.knowledge import load_knowledge, looks_like_question
from dialogs.text import fold

DEFAULT_CORPUS = Path(__file__).parents[1] / "tests" / "corpus" / "questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--statements", type=Path, default=None)
    options = parser.parse_args()
    path: Path = options.corpus
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    kb = load_knowledge()
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    not_questions: list[str] = []
    for row in rows:
        folded = fold(row["text"])
        got = kb.answer(folded, row["lang"]).section
        asked[row["lang"]] += 1
        if got == row["section"]:
            right[row["lang"]] += 1
        else:
            misses.append(f"  {row.get('id', '?')} want {row['section']}, got {got}: "
                          f"{row['text']}")
        if not looks_like_question(folded):
            not_questions.append(f"  {row.get('id', '?')}: {row['text']}")

    print(f"corpus: {path} ({len(rows)} questions)")
    for lang in sorted(asked):
        print(f"  {lang:6} {right[lang]:3}/{asked[lang]:<3} "
              f"{100 * right[lang] / asked[lang]:5.1f} %")
    total = sum(right.values())
    print(f"  all    {total:3}/{len(rows):<3} {100 * total / len(rows):5.1f} %  (target ≥ 90 %)")
    print(f"misses ({len(misses)}):", *misses, sep="\n")
    print(f"not read as questions ({len(not_questions)}):", *not_questions, sep="\n")

    if options.statements is not None:
        answers = [json.loads(line)["text"] for line in
                   options.statements.read_text(encoding="utf-8").splitlines() if line.strip()]
        asking = [text for text in answers if looks_like_question(fold(text))]
        print(f"statements read as questions: {len(asking)}/{len(answers)} "
              f"({options.statements}; some of them do ask):", *(f"  {t}" for t in asking),
              sep="\n")

    texts = [row["text"] for row in rows]
    times: list[float] = []
    for _ in range(20):
        for text in texts:
            started = time.perf_counter()
            kb.answer(fold(text), "zh_CN")
            times.append(time.perf_counter() - started)
    times.sort()
    print(f"machine: {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}")
    print(f"fold + answer: median {statistics.median(times) * 1e3:.3f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1e3:.3f} ms, max {times[-1] * 1e3:.3f} ms "
          f"over {len(times):,} questions (target: median < 1 ms)")


if __name__ == "__main__":
    main()
