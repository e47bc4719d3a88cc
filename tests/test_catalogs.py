"""Every message exists in every catalog, with the same placeholders; all codes have words."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings

from bot.render import render_quote_html
from locales.i18n import SUPPORTED, catalog_path, translator
from pricing import Inquiry, Rates, quote
from tests.strategies import inquiries

ENGINE = Path(__file__).parents[1] / "pricing" / "engine.py"


def messages(locale: str) -> dict[str, str]:
    with catalog_path(locale).open("rb") as source:
        catalog = read_po(source, locale=locale)
    return {str(m.id): str(m.string) for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGS = {locale: messages(locale) for locale in SUPPORTED}
ALL_KEYS = sorted(set().union(*CATALOGS.values()))


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_key_is_translated_in_every_catalog(locale: str) -> None:
    catalog = CATALOGS[locale]
    missing = [key for key in ALL_KEYS if not catalog.get(key, "").strip()]
    assert missing == []


@pytest.mark.parametrize("key", ALL_KEYS)
def test_translations_use_the_same_placeholders_in_every_language(key: str) -> None:
    found = {locale: placeholders(CATALOGS[locale][key]) for locale in SUPPORTED}
    assert len({frozenset(names) for names in found.values()}) == 1, found


def test_every_code_the_core_emits_has_a_message() -> None:
    source = ENGINE.read_text(encoding="utf-8")
    notices = set(re.findall(r'Notice\(\s*"(\w+)"', source))
    lines = set(re.findall(r'_line\(\s*ledger,\s*(?:code|"(\w+)")', source)) - {""}
    t = translator("zh_CN")
    prefixes = ("rec", "warn", "kpi")
    for code in notices:
        assert any(t.has(f"{prefix}.{code}") for prefix in prefixes), code
    for code in lines | {"complexity_categories", "complexity_multi_level",
                         "complexity_cross_border", "sales_discount"}:
        assert t.has(f"line.{code}"), code


@settings(max_examples=60, deadline=None)
@given(inquiries())
def test_any_quote_renders_in_every_language(rates: Rates, inquiry: Inquiry) -> None:
    result = quote(inquiry, rates)
    for locale in SUPPORTED:
        text = render_quote_html(result, locale)
        assert text and "{" not in text


@pytest.mark.parametrize("locale", SUPPORTED)
def test_the_fast_catalog_reader_reads_what_babel_reads(locale: str) -> None:
    from locales.i18n import translations

    with catalog_path(locale).open("rb") as source:
        catalog = read_po(source, locale=locale)
    expected: dict[str, str] = {}
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        if message.pluralizable:  # ("units.seat", "units.seat.plural") → "units.seat[N]"
            for index, form in enumerate(message.string):
                expected[f"{message.id[0]}[{index}]"] = str(form)
        else:
            expected[str(message.id)] = str(message.string)
    assert translations(locale) == expected


@pytest.mark.parametrize(("locale", "count", "form"), [
    ("en", 1, "1 seat"), ("en", 2, "2 seats"), ("zh_CN", 2, "2 个席位"), ("zh_TW", 1, "1 個席位"),
])
def test_plurals_are_read_as_babel_would_choose_them(locale: str, count: int, form: str) -> None:
    from locales.i18n import ngettext

    assert ngettext(locale, "units.seat", count).format(n=count) == form


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_assumption_in_the_rates_file_is_worded_in_every_catalog(rates: Rates,
                                                                      locale: str) -> None:
    # A quote lists the estimates it used; a key without words would show as a raw key.
    t = translator(locale)
    missing = [key for key, figure in rates.figures.items()
               if figure.provenance == "assumption" and not t.has(f"assumption.{key}")]
    assert missing == []
