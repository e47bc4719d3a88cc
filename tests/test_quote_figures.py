"""Rule 8 of the pricing model: figures read right in every language and format.

No rendered quote (zh_CN, zh_TW, en; text, Telegram HTML, the web page, JSON) contains a
backwards range, a range across zero, or an unrounded figure.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import html_to_text, render_quote_html
from bot.web import render_page
from locales.i18n import SUPPORTED, translator
from pricing import AiChoice, Inquiry, Quote, Rates, Response, Scope, ServiceMode, Tooling, quote
from pricing.serialize import quote_to_dict
from tests.strategies import inquiries

NUMBER = r"\d[\d,]*(?:\.\d+)?"
# "800–1,500 元", "+CNY 400 to +CNY 1,200", "减 480–540 元", "−CNY 480 to −CNY 540", "50%–80%"
RANGE = re.compile(rf"(减 |減 |[+−-])?(?:CNY )?({NUMBER})%?\s*(?:–| to )\s*(减 |減 |[+−-])?"
                   rf"(?:CNY )?({NUMBER})")
ZH_MONEY = re.compile(rf"(?<![\d.])({NUMBER}) 元")
EN_MONEY = re.compile(rf"CNY ({NUMBER})")
LONG_DECIMAL = re.compile(r"\d\.\d{3,}")
# Usage rates are prices per order or hour, to the fen (v3 rule 11): "每单 0.85–1.42 元",
# "CNY 0.85–1.42 an order". Not monthly money: exempt from rounding to 10 yuan, still ranges.
UNIT_RATE = re.compile(rf"每(?:单|單|小时|小時) {NUMBER}–{NUMBER} 元|"
                       rf"CNY {NUMBER}–{NUMBER} an (?:order|hour)")


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def figures_problems(text: str) -> list[str]:
    problems = []
    for match in RANGE.finditer(text):
        sign_low, low, sign_high, high = match.groups()
        if sign_high is not None and (sign_low or "") != sign_high:
            problems.append(f"range across zero: {match.group(0)}")
        elif number(low) > number(high):
            problems.append(f"backwards range: {match.group(0)}")
        elif number(low) == 0 < number(high):
            problems.append(f"range from zero: {match.group(0)}")
    monthly_money = UNIT_RATE.sub("", text)
    for pattern in (ZH_MONEY, EN_MONEY):
        for match in pattern.finditer(monthly_money):
            if number(match.group(1)) % 10:
                problems.append(f"unrounded money: {match.group(0)}")
    problems += [f"long decimal: {m.group(0)}" for m in LONG_DECIMAL.finditer(text)]
    return problems


def without_assumptions(text: str, locale: str) -> str:
    """The estimates list quotes rates ("按单0.5–1元", "CNY 0.5–1 an order"): not money figures."""
    head = translator(locale)("quote.assumptions")
    start = text.find(head)
    end = text.rfind(translator(locale)("quote.footer", days=0, version="")[:4])
    return text if start < 0 else text[:start] + text[max(end, start):]


def page(result: Quote, locale: str) -> str:
    record = SimpleNamespace(
        id=7, reference="Q-3F9A2C1B", version=1, prospect="", created_at="2026-11-27T00:00:00",
        expires_at="2026-12-27T00:00:00", accepted_at=None, locale=locale,
        quote=lambda: result)
    # The chart's geometry (SVG coordinates) is drawing, not figures people read.
    return re.sub(r"<svg.*?</svg>", "", render_page(record), flags=re.S)  # type: ignore[arg-type]


def json_problems(data: Any, path: str = "") -> list[str]:
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            problems += json_problems(value, f"{path}.{key}")
        if set(data) >= {"low", "high"} and ".line_items" not in path:
            low, high = Decimal(data["low"]), Decimal(data["high"])
            if low > high:
                problems.append(f"{path}: backwards range {low}–{high}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += json_problems(value, f"{path}[{index}]")
    elif isinstance(data, str) and re.fullmatch(r"-?\d+\.\d{3,}", data):
        problems.append(f"{path}: {data}")
    return problems


def check(result: Quote) -> None:
    for locale in SUPPORTED:
        html = render_quote_html(result, locale)
        for text in (html_to_text(html), html, page(result, locale)):
            problems = figures_problems(without_assumptions(text, locale))
            assert problems == [], (locale, problems, text)
    data = quote_to_dict(result)
    assert json_problems(json.loads(json.dumps(data))) == []
    money = [data["monthly"], data["alternatives"]["per_order"],
             data["alternatives"]["per_hour"], *data["line_items"]]
    for item in money:
        assert Decimal(item["low"]) % 10 == 0 and Decimal(item["high"]) % 10 == 0
    for notice in data["notices"]["recommendations"]:
        for name in ("saving_low", "saving_high"):
            if name in notice["params"]:
                assert Decimal(notice["params"][name]) % 10 == 0


@settings(max_examples=40, deadline=None)
@given(inquiries())
def test_no_rendered_quote_has_a_backwards_range_a_range_across_zero_or_an_unrounded_figure(
    rates: Rates, inquiry: Inquiry
) -> None:
    check(quote(replace(inquiry, daily_orders=min(inquiry.daily_orders, 100_000)), rates))


@pytest.mark.parametrize("inquiry", [
    # The issue's examples: "每月约省 2,000–1,940 元", "2,840–0 元", "+620–−300 元".
    Inquiry(daily_orders=100, scope=Scope.BASIC, response=Response.EMERGENCY,
            mode=ServiceMode.PART_TIME),
    Inquiry(daily_orders=50, ai=AiChoice.YES),
    Inquiry(daily_orders=300, tooling=Tooling.OWN, ai=AiChoice.YES, mode=ServiceMode.FULL_TIME),
    Inquiry(daily_orders=300, response=Response.FAST, budget=Decimal(2000)),
    Inquiry(daily_orders=1001, scope=Scope.TECHNICAL, categories=12, ai=AiChoice.AUTO),
])
def test_the_issues_examples_read_right(rates: Rates, inquiry: Inquiry) -> None:
    check(quote(inquiry, rates))


@given(st.integers(1, 100_000))
@settings(max_examples=20, deadline=None)
def test_english_counts_are_real_plurals(rates: Rates, orders: int) -> None:
    text = html_to_text(render_quote_html(quote(Inquiry(daily_orders=orders), rates), "en"))
    assert " CS" not in text and "(s)" not in text
    assert ("1 order a day" in text) == (orders == 1)
    assert "1 product category ·" in text
