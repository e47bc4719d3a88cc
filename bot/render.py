"""Quote → words: jinja2 templates over the quote's codes and figures.

Templates receive the quote, a translator and formatting filters; they do no arithmetic.
Output is Telegram-HTML (autoescaped: <b>, <i> and escaped text only); the terminal gets the
same text with the tags removed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from locales.i18n import Translator, translator
from pricing import BudgetFit, LineItem, Quote, Range, round_money

TEMPLATES_DIR = Path(__file__).with_name("templates")

# Parameters that hold money, and those that hold a code to translate (param → key prefix).
MONEY_PARAMS = frozenset({"floor", "threshold"})
CODE_PARAMS = {
    "scope": "scope", "requested": "scope", "recommended": "scope", "plan": "plan",
    "reason": "reason", "level": "response", "mode": "mode", "unit": "unit",
}
# Pairs X_low / X_high shown as one range X: money or a whole count.
MONEY_PAIRS = frozenset({"saving"})
COUNT_PAIRS = frozenset({"units"})

_TAGS = re.compile(r"</?(?:b|i|u|s|code|pre)>")


@lru_cache(maxsize=16)
def _babel_locale(locale: str) -> Locale:
    # Babel parses a locale name on every call given a string: half the cost of a figure.
    return Locale.parse(locale)


def format_number(amount: Decimal | int, locale: str) -> str:
    return format_decimal(amount, format="#,##0.##", locale=_babel_locale(locale))


def format_money(amount: Decimal, t: Translator) -> str:
    return t("money", amount=format_number(round_money(amount), t.locale))


def format_span(low: Decimal | str, high: Decimal | str, t: Translator) -> str:
    """Whole counts (orders, seats, hours): one figure when low == high, else "low–high"."""
    low_n = Decimal(low).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    high_n = Decimal(high).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if low_n == high_n:
        return format_number(low_n, t.locale)
    return t("range", low=format_number(low_n, t.locale), high=format_number(high_n, t.locale))


def format_money_range(amount: Range, t: Translator) -> str:
    low, high = round_money(amount.low), round_money(amount.high)
    if low == high:
        return format_money(low, t)
    return t("money_range", low=format_number(low, t.locale), high=format_number(high, t.locale))


def describe(prefix: str, code: str, params: Iterable[tuple[str, str]], t: Translator) -> str:
    """A code with parameters → a sentence: money formatted, nested codes translated."""
    raw = dict(params)
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name in MONEY_PARAMS:
            values[name] = format_money(Decimal(value), t)
        elif name in CODE_PARAMS:
            values[name] = t(f"{CODE_PARAMS[name]}.{value}")
        else:
            values[name] = value
    for pair in MONEY_PAIRS & {name[:-4] for name in raw if name.endswith("_low")}:
        amount = Range(Decimal(raw[f"{pair}_low"]), Decimal(raw[f"{pair}_high"]))
        values[pair] = format_money_range(amount, t)
    for pair in COUNT_PAIRS & {name[:-4] for name in raw if name.endswith("_low")}:
        values[pair] = format_span(raw[f"{pair}_low"], raw[f"{pair}_high"], t)
    return t(f"{prefix}.{code}", **values)


def describe_budget(fit: BudgetFit, t: Translator) -> str:
    changes = t("list_separator").join(t(f"change.{change}") for change in fit.changes)
    return t(
        f"budget.{fit.status}",
        budget=format_money(fit.budget, t),
        changes=changes,
        monthly=format_money_range(fit.monthly, t) if fit.monthly else "",
        shortfall=format_money(fit.shortfall, t),
    )


def describe_assumption(key: str, t: Translator) -> str:
    return t.get(f"assumption.{key}", key)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env


def quote_context(quote: Quote, t: Translator) -> dict[str, Any]:
    """What every quote template gets: the quote, the translator, formatting helpers."""
    return {
        "q": quote,
        "t": t,
        "money": lambda amount: format_money_range(amount, t),
        "one_money": lambda amount: format_money(amount, t),
        "span": lambda low, high: format_span(low, high, t),
        "line": lambda item: describe("line", item.code, item.params, t),
        "notice": lambda prefix, item: describe(prefix, item.code, item.params, t),
        "budget": lambda fit: describe_budget(fit, t),
        "assumption": lambda key: describe_assumption(key, t),
        "signed": lambda item: _signed_amount(item, t),
    }


def render_quote_html(quote: Quote, locale: str | None = None) -> str:
    """The quote as a Telegram-HTML message (autoescaped)."""
    t = translator(locale)
    template = environment().get_template("quote.html.j2")
    return template.render(quote_context(quote, t)).strip()


def _signed_amount(item: LineItem, t: Translator) -> str:
    """A line's effect on the low and high totals; discounts shown with a minus sign."""
    low, high = round_money(item.amount.low), round_money(item.amount.high)
    if low >= 0 and high >= 0:
        return format_money_range(item.amount, t)
    if low <= 0 and high <= 0:
        return "−" + format_money_range(Range(-low, -high), t)

    def signed(amount: Decimal) -> str:
        return ("+" if amount > 0 else "−") + format_number(abs(amount), t.locale)

    return t("money_range", low=signed(low), high=signed(high))


def html_to_text(message: str) -> str:
    """Telegram-HTML → plain text for the terminal."""
    return html.unescape(_TAGS.sub("", message))


def render_quote_text(quote: Quote, locale: str | None = None) -> str:
    return html_to_text(render_quote_html(quote, locale))


__all__ = [
    "describe",
    "format_money",
    "format_money_range",
    "html_to_text",
    "render_quote_html",
    "render_quote_text",
]
