"""Typos by sound: a word typed with the pinyin input method's wrong homophone.

Merchants type pinyin and pick the first candidate: 话费 comes out 话废 or 花费, 外包 外宝,
分销 分消, 自带 资带, 类目 类木. A table per typo cannot keep up, so the lexicon's words are
indexed by how they sound — toneless pinyin with the usual fuzzy pairs merged (z/zh, c/ch,
s/sh, n/l; an/ang, en/eng, in/ing) — and a run of Chinese characters that no exact word
matched is looked up by its sound.

Rules (docs/dialogue.md, "Typos by sound"):
- only characters not already part of an exact lexicon word are looked at;
- the run must sound like the word and share at least one character with it in place
  (话废/话费 share 话), so two unrelated real words rarely collide; each character is
  heard by its common reading only (能 is neng, not its rare nai), numerals are never
  mended (三万 is not 三网); in a two-character run the character that differs is not a
  function word (的, 是, 上, 会, 自…: "只会复制" is not 回复) and the one shared is not a
  particle ("你问的" is not 稳的);
- lexicon phrases made mostly of function words (这样快, 特别忙) are not indexed: typos by
  sound are the content words (话费, 点卡, 外包, 分销, 类目);
- real words that happen to sound like a lexicon word are listed in
  `lexicon.SOUND_ALIKE_WORDS`: they are read as the lexicon word only where the context asks
  for it (花费 is 话费 at the goods question or beside other goods, never in "每月花费3000"),
  and even then asked back;
- a match is *certain* when it is three characters or longer, answers the step on screen,
  or sits in a list beside a word of the same slot ("话废和点卡"); otherwise its slot is
  asked back (是 / 不是) rather than taken silently.

Pure after construction: the index is built once from the lexicon (a few milliseconds).
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))
_CJK = re.compile(r"[\u4e00-\u9fff]{2,}")
LONGEST = 4
_NUMERALS = re.compile(r"[零一二两三四五六七八九十百千万亿]")
# Particles that attach to any word: a two-character match sharing only one is no match.
_PARTICLES = frozenset("的了是在有和就也都还吗呢吧啊么着过得地")


def fuzzy(syllable: str) -> str:
    """A toneless syllable with the fuzzy pairs merged: zhang → zan, ling → lin, neng → len."""
    for written, merged in _INITIALS:
        if syllable.startswith(written):
            syllable = merged + syllable[len(written):]
            break
    for written, merged in _FINALS:
        if syllable.endswith(written):
            return syllable[: -len(written)] + merged
    return syllable


def _toneless(reading: str) -> str:
    plain = unicodedata.normalize("NFD", reading)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).replace("ü", "v")


@lru_cache(maxsize=1)
def _readings() -> dict[str, str]:
    """pypinyin's table of readings by code point, read from its JSON file directly: importing
    the pypinyin package loads its phrase dictionary too (~0.7 s), which we do not use."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pypinyin")
    table = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    readings: dict[str, str] = json.loads(table.read_text(encoding="utf-8"))
    return readings


@lru_cache(maxsize=16384)
def sound_of(char: str) -> str:
    """The fuzzy toneless common reading of one character ("" for none): 話 → hua."""
    readings = _readings().get(str(ord(char)))
    if not readings:
        return ""
    return fuzzy(_toneless(readings.split(",")[0]))


def _word_sound(word: str) -> tuple[str, ...] | None:
    sound = tuple(sound_of(ch) for ch in word)
    return sound if all(sound) else None


@dataclass(frozen=True, slots=True)
class Mend:
    """One run of characters read as a lexicon word by its sound."""

    start: int
    written: str
    word: str
    slot: str
    real_word: bool = False  # the run is itself a word (花费): only taken where asked for


class SoundIndex:
    """Lexicon words by fuzzy sound; `mend` rewrites a message's sound-alike runs."""

    def __init__(self, words: Mapping[str, str], keep: Iterable[str] = (),
                 function_chars: Iterable[str] = ()) -> None:
        """`words`: Chinese word → the slot it informs; `keep`: real words left alone;
        `function_chars`: characters of grammar, never the typo in a two-character run."""
        self.slot_of = dict(words)
        self.keep = frozenset(keep)
        self.function_chars = frozenset(function_chars)
        by_sound: dict[tuple[str, ...], str | None] = {}
        for word in words:
            grammar = sum(char in self.function_chars for char in word)
            if (not 2 <= len(word) <= LONGEST or not _CJK.fullmatch(word)
                    or grammar * 2 > len(word)):
                continue
            sound = _word_sound(word)
            if sound is None:
                continue
            other = by_sound.get(sound, word)
            # Two words that sound alike and mean different things: neither is guessed.
            by_sound[sound] = word if other == word or (
                other is not None and self.slot_of[other] == self.slot_of[word]) else None
        self.by_sound = {sound: word for sound, word in by_sound.items() if word}
        self.first_sounds = {sound[0] for sound in self.by_sound}

    def mends(self, text: str, covered: list[tuple[int, int]]) -> list[Mend]:
        """The sound-alike runs in `text` outside the `covered` spans (exact matches)."""
        found: list[Mend] = []
        taken = [False] * len(text)
        for start, end in covered:
            for index in range(start, min(end, len(text))):
                taken[index] = True
        for run in _CJK.finditer(text):
            index = run.start()
            while index < run.end() - 1:
                mend = self._longest_at(text, index, run.end(), taken)
                if mend is None:
                    index += 1
                    continue
                found.append(mend)
                index += len(mend.word)
        return found

    def _longest_at(self, text: str, start: int, end: int, taken: list[bool]) -> Mend | None:
        if taken[start] or sound_of(text[start]) not in self.first_sounds:
            return None
        for length in range(min(LONGEST, end - start), 1, -1):
            written = text[start:start + length]
            if any(taken[start:start + length]) or _NUMERALS.search(written):
                continue
            word = self.by_sound.get(tuple(sound_of(ch) for ch in written))
            if not word or word == written:
                continue
            differ = [a for a, b in zip(written, word, strict=True) if a != b]
            same = [a for a, b in zip(written, word, strict=True) if a == b]
            if len(differ) == length or (length == 2 and (
                    self.function_chars & set(differ) or _PARTICLES & set(same))):
                continue  # "只会复制" is not 回复, "你问的" is not 稳的
            return Mend(start, written, word, self.slot_of[word], written in self.keep)
        return None
