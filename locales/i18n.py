"""Translations: gettext catalogs in locales/, read with Babel, keyed by message ids.

Message ids are keys ("line.staffing"), not English sentences: zh_CN is the primary language
and every catalog, English included, translates every key. Placeholders use str.format
(`{orders}`), and the catalogs test checks they match across languages.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

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


@cache
def translations(locale: str) -> Translations:
    """The compiled catalog for a locale (compiled in memory from the .po once)."""
    with catalog_path(locale).open("rb") as source:
        catalog = read_po(source, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class MissingMessageError(KeyError):
    """A message key has no translation in the catalog."""


@dataclass(frozen=True)
class Translator:
    """`t("line.staffing", units=3)`: look a key up and fill its placeholders."""

    locale: str

    def __call__(self, key: str, /, **params: object) -> str:
        text = translations(self.locale).gettext(key)
        if text == key:
            raise MissingMessageError(f"{self.locale}: no message for {key!r}")
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return translations(self.locale).gettext(key) != key

    def get(self, key: str, default: str, /, **params: object) -> str:
        return self(key, **params) if self.has(key) else default

    def options(self, prefix: str, values: Mapping[str, object] | list[str]) -> list[str]:
        return [self(f"{prefix}.{value}") for value in values]


@cache
def translator(locale: str | None = None) -> Translator:
    return Translator(resolve_locale(locale))
