"""Translations: gettext catalogs in locales/, read with Babel, keyed by message ids.

Message ids are keys ("line.staffing"), not English sentences: zh_CN is the primary language
and every catalog, English included, translates every key. Placeholders use str.format
(`{orders}`), and the catalogs test checks they match across languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent
DOMAIN = "messages"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED = ("zh_CN", "zh_TW", "en")

# What people and Telegram call a language → our catalog.
_ALIASES = {
    "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN", "zh_sg": "zh_CN", "cn": "zh_CN",
    "zh_tw": "zh_TW", "zh_hant": "zh_TW", "zh_hk": "zh_TW", "zh_mo": "zh_TW", "tw": "zh_TW",
    "en": "en",
}


@lru_cache(maxsize=256)  # every update asks (Telegram's language_code); bounded: users type it
def normalize_locale(code: str | None) -> str | None:
    """'zh-CN', 'zh-hant', 'en-US' → a supported locale, or None when unknown."""
    if not code:
        return None
    key = code.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    head = key.split("_")[0]
    return "en" if head == "en" else None


def resolve_locale(*preferences: str | None) -> str:
    """The first supported of the preferences (user's choice, then Telegram's), else zh_CN."""
    for preference in preferences:
        found = normalize_locale(preference)
        if found:
            return found
    return DEFAULT_LOCALE


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


@cache
def translations(locale: str) -> dict[str, str]:
    """A locale's catalog as {key: text}, read from its .po once (standard library only:
    every `kameng` command starts fast). Fuzzy and untranslated entries are left out, as
    gettext does; tests/test_catalogs.py checks this reads what Babel reads. A plural
    entry (msgid_plural, msgstr[N]) is kept under "key[N]"; `ngettext` picks the form."""
    found: dict[str, str] = {}
    parts: dict[str, list[str]] = {}
    current = ""
    fuzzy = False

    def close() -> None:
        key = "".join(parts.get("msgid", []))
        if not key or fuzzy:
            return
        value = "".join(parts.get("msgstr", []))
        if value:
            found[_unescape(key)] = _unescape(value)
        for name, pieces in parts.items():
            if name.startswith("msgstr[") and "".join(pieces):
                found[f"{_unescape(key)}{name[6:]}"] = _unescape("".join(pieces))

    for line in catalog_path(locale).read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            close()
            parts, current = {"msgid": []}, "msgid"
            line = line[6:]
        elif line.startswith("msgid_plural "):
            parts["msgid_plural"], current = [], "msgid_plural"
            line = line[13:]
        elif line.startswith("msgstr "):
            parts["msgstr"], current = [], "msgstr"
            line = line[7:]
        elif line.startswith("msgstr["):
            current = line[:line.index("]") + 1]
            parts[current] = []
            line = line[len(current):].strip()
        elif line.startswith("#"):
            if current == "msgstr":  # a comment starts the next entry
                close()
                parts, current, fuzzy = {}, "", False
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        if line.startswith('"') and current:
            parts[current].append(line.strip()[1:-1])
        elif not line.strip() and current.startswith("msgstr"):
            close()
            parts, current, fuzzy = {}, "", False
    close()
    return found


class MissingMessageError(KeyError):
    """A message key has no translation in the catalog."""


def plural_index(locale: str, n: int) -> int:
    """Which plural form a count takes: the catalogs' Plural-Forms (Chinese has one form;
    English "1 seat", "2 seats")."""
    return 0 if locale.startswith("zh") or n == 1 else 1


def ngettext(locale: str, key: str, n: int) -> str:
    """The plural form of `key` for `n` (Babel's ngettext over the same .po entries)."""
    text = translations(locale).get(f"{key}[{plural_index(locale, n)}]")
    if text is None:
        raise MissingMessageError(f"{locale}: no message for {key!r}")
    return text


@dataclass(frozen=True)
class Translator:
    """`t("line.staffing", units=3)`: look a key up and fill its placeholders."""

    locale: str

    def __call__(self, key: str, /, **params: object) -> str:
        text = translations(self.locale).get(key)
        if text is None:
            raise MissingMessageError(f"{self.locale}: no message for {key!r}")
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return key in translations(self.locale)

    def get(self, key: str, default: str, /, **params: object) -> str:
        return self(key, **params) if self.has(key) else default


@cache
def translator(locale: str | None = None) -> Translator:
    return Translator(resolve_locale(locale))
