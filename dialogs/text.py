"""Folding a merchant's message into one canonical form before anything reads it.

`fold` is what every reader of free text (the understanding grammar, the question answerer)
sees: NFKC (full-width digits and letters → ASCII), no control, zero-width or bidi
characters, lower-case, trimmed, and traditional Chinese converted to simplified with
OpenCC's Taiwan-to-mainland phrase table (`tw2sp`: 軟體啟用碼 → 软件激活码, 回應 → 回应), so
the vocabulary is written once, in simplified Chinese.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Protocol

# Longest input we try to understand; longer messages are cut (nothing is stored from them).
MAX_TEXT = 500


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _traditional_to_simplified() -> _Converter:
    # Imported here: OpenCC loads its dictionaries (~10 ms), which commands that never read
    # free text (`kameng quote`, `history`) should not pay for.
    import opencc

    converter: _Converter = opencc.OpenCC("tw2sp")
    return converter


def normalize(text: str) -> str:
    """NFKC (full-width → ASCII), no control/zero-width/bidi characters, lower-case, trimmed."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT])
    kept = [ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
            or ch in "\n\t"]
    return "".join(kept).strip().lower()


# Characters that reorder or hide text: kept out of names that staff will read.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def as_written(text: str) -> str:
    """Free text kept as written (a prospect's name): NFC only, so case, width and script
    stay; control characters become spaces, bidi controls go; trimmed. Never cut."""
    text = unicodedata.normalize("NFC", text)
    kept = [" " if unicodedata.category(ch) == "Cc" else ch for ch in text
            if ch not in BIDI_CONTROLS]
    return "".join(kept).strip()


def fold(text: str) -> str:
    """`normalize`, then traditional → simplified Chinese (只做點卡 → 只做点卡)."""
    clean = normalize(text)
    if clean.isascii():
        return clean
    return _traditional_to_simplified().convert(clean)


def written_locale(text: str, fallback: str) -> str:
    """The language a message is written in, for answering in kind: traditional Chinese →
    zh_TW, Latin letters without Chinese → en, else `fallback` (the chat's locale)."""
    clean = normalize(text)
    if any("\u4e00" <= ch <= "\u9fff" for ch in clean):
        if _traditional_to_simplified().convert(clean) != clean:
            return "zh_TW"
        return fallback if fallback.startswith("zh") else "zh_CN"
    if any("a" <= ch <= "z" for ch in clean):
        return "en"
    return fallback
