"""Scoring the understanding corpus (tests/corpus/understanding.jsonl): facts right, per slot
and per tag, and invented facts. Used by tests/test_understanding_corpus.py (thresholds) and
benchmarks/bench_understanding.py (the figures)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialogs.understanding import Reader

CORPUS = Path(__file__).parent / "corpus" / "understanding.jsonl"


def load(path: Path = CORPUS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def same(slot: str, got: Any, want: Any) -> bool:
    if slot == "kinds":
        return set(got or ()) == set(want or ())
    return bool(got == want)


@dataclass
class Score:
    facts: Counter[str] = field(default_factory=Counter)  # stated, by slot
    right: Counter[str] = field(default_factory=Counter)
    tag_facts: Counter[str] = field(default_factory=Counter)
    tag_right: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    invented: int = 0  # messages that filled a slot they do not state
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(self.right.values()) / max(1, sum(self.facts.values()))

    @property
    def false_fill_rate(self) -> float:
        return self.invented / max(1, self.messages)

    def tag_accuracy(self, tag: str) -> float:
        return self.tag_right[tag] / max(1, self.tag_facts[tag])


def score(lines: Sequence[Mapping[str, Any]], reader: Reader | None = None) -> Score:
    reader = reader or Reader()
    result = Score()
    for line in lines:
        known = line.get("answers") or {}
        reading = reader.read(line["text"], step=line.get("step"), known=known)
        got = dict(reading.facts)
        want = line["facts"]
        tags = [*line.get("tags", ()), line.get("lang", "")]
        result.messages += 1
        wrong = []
        for slot, value in want.items():
            ok = same(slot, got.get(slot), value)
            result.facts[slot] += 1
            result.right[slot] += ok
            for tag in set(tags):
                result.tag_facts[tag] += 1
                result.tag_right[tag] += ok
            if not ok:
                wrong.append(f"{slot}={got.get(slot)!r} (want {value!r})")
        extra = [slot for slot in got if slot not in want
                 and not same(slot, got[slot], known.get(slot))]
        if extra:
            result.invented += 1
            wrong += [f"invented {slot}={got[slot]!r}" for slot in extra]
        if wrong:
            result.misses.append(f"{line['id']} [{line.get('step')}] {line['text']!r}: "
                                 + "; ".join(wrong))
    return result
