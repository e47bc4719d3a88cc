"""Figures as people read them: money, ranges and signed changes in each locale.

One home for the rounding and the signs of rule 8 (../shared/domain/pricing.md), shared by
the quote templates (bot/render.py) and the dialogue's own lines (dialogs/, e.g. "比刚才
+1,200–2,000 元/月" under a what-if quote). Babel formats the numbers; the words are catalog
keys ("money", "money_plus_range", …).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale

from locales.i18n import Translator
from pricing import Range, round_money


@lru_cache(maxsize=16)
def _babel_locale(locale: str) -> Locale:
    # Babel parses a locale name on every call given a string: half the cost of a figure.
    return Locale.parse(locale)


GROUPED = "#,##0.##"  # the one number pattern: at most two decimals, grouped
HUNDREDTH = Decimal("0.01")


@lru_cache(maxsize=16)
def _symbols(locale: str) -> tuple[str, str, str]:
    """The locale's group separator, decimal point and minus sign, from Babel's CLDR data."""
    symbols = _babel_locale(locale).number_symbols["latn"]
    return str(symbols["group"]), str(symbols["decimal"]), str(symbols["minusSign"])


def format_number(amount: Decimal | int, locale: str) -> str:
    """1234.5 → "1,234.5": Babel's "#,##0.##" with the locale's symbols (rounded half to
    even, as Babel does), written out here because Babel's general formatter was most of a
    quote's rendering time; tests/test_formatting_fast.py checks it against Babel. Also
    remembered: a quote says the same figures again and again (equal amounts read alike,
    but -0 and 0 are equal Decimals that Babel writes differently, so the sign is part of
    what is remembered)."""
    signed = amount.is_signed() if isinstance(amount, Decimal) else amount < 0
    return _format_number(amount, locale, signed)


@lru_cache(maxsize=8192)
def _format_number(amount: Decimal | int, locale: str, signed: bool) -> str:
    group, point, minus = _symbols(locale)
    rounded = Decimal(amount).quantize(HUNDREDTH, rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{abs(rounded):,f}".partition(".")
    fraction = fraction.rstrip("0")
    text = whole.replace(",", group) + (point + fraction if fraction else "")
    return minus + text if rounded.is_signed() else text


def format_money(amount: Decimal, t: Translator) -> str:
    """One figure, rounded to 10 元: 1245 → "1,250 元" (en "CNY 1,250")."""
    return t("money", amount=format_number(round_money(amount), t.locale))


def format_money_range(amount: Range, t: Translator) -> str:
    """A range low–high, rounded; one figure when both ends round alike."""
    low, high = round_money(amount.low), round_money(amount.high)
    if low == high:
        return format_money(low, t)
    return t("money_range", low=format_number(low, t.locale), high=format_number(high, t.locale))


def _one_change(amount: Decimal, t: Translator) -> str:
    figure = format_number(abs(amount), t.locale)
    return t("money_plus" if amount > 0 else "money_minus", amount=figure)


def format_change(amount: Range, t: Translator) -> str:
    """What a change does to the low and the high total, rounded, with its sign (rule 8).

    Both ends the same way: one addition or reduction, sorted ("减 1,440–1,620 元"). Ends that
    differ in sign, or one end untouched, never make a range across zero: each end is said
    on its own ("低价端 +2,840 元").
    """
    low, high = round_money(amount.low), round_money(amount.high)
    if low == high:
        return _one_change(low, t) if low else format_money(low, t)
    if low > 0 and high > 0:
        first, second = sorted((low, high))
        return t("money_plus_range", low=format_number(first, t.locale),
                 high=format_number(second, t.locale))
    if low < 0 and high < 0:
        first, second = sorted((-low, -high))
        return t("money_minus_range", low=format_number(first, t.locale),
                 high=format_number(second, t.locale))
    if not high:
        return t("money_at_low", amount=_one_change(low, t))
    if not low:
        return t("money_at_high", amount=_one_change(high, t))
    return t("money_at_ends", low=_one_change(low, t), high=_one_change(high, t))
