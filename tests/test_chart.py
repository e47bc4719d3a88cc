"""The quote page's chart tells the truth: the axes fit every band, nothing is clipped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings

from bot.chart import axis, quote_chart
from pricing import Inquiry, Rates, Response, quote
from tests.strategies import inquiries


def points(polygon: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in (pair.split(",") for pair in polygon.split())]


@pytest.mark.parametrize(("needed", "expected"), [
    (Decimal(21000), (Decimal(30000), Decimal(10000))),
    (Decimal(360), (Decimal(400), Decimal(100))),
    (Decimal("70.8"), (Decimal(80), Decimal(20))),
    (Decimal(3), (Decimal(3), Decimal(1))),  # whole steps only, even for tiny volumes
    (Decimal(9000), (Decimal(10000), Decimal(2500))),
])
def test_an_axis_reaches_the_figure_in_round_whole_steps(
    needed: Decimal, expected: tuple[Decimal, Decimal]
) -> None:
    assert axis(needed, 4) == expected


def test_at_300_orders_the_per_order_band_passes_10000_and_is_drawn_whole(
    rates: Rates,
) -> None:
    result = quote(Inquiry(daily_orders=300, categories=12, response=Response.FAST), rates)
    assert result.per_order.high > 10000  # the old chart cut the band at 10,000 here
    chart = quote_chart(result)
    assert chart.y_max >= result.per_order.high
    assert chart.y_ticks[-1][1] == "2万" and chart.y_ticks[-1][0] == chart.top
    top_of_band = min(y for _, y in points(chart.per_order))
    assert chart.top <= top_of_band < chart.bottom


@settings(max_examples=150, deadline=None)
@given(inquiry=inquiries())
def test_every_band_and_mark_lies_inside_the_plot(rates: Rates, inquiry: Inquiry) -> None:
    result = quote(inquiry, rates)
    chart = quote_chart(result, "en")
    per_daily_order_high = result.per_order.high / inquiry.daily_orders
    assert chart.y_max >= max(result.monthly.high, per_daily_order_high)
    for x, y in points(chart.per_order):
        assert chart.left <= x <= chart.right and chart.top <= y <= chart.bottom
    _, band_y, _, band_height = chart.monthly
    assert chart.top <= band_y and band_y + band_height <= chart.bottom + 1
    for x in (*chart.break_even, chart.you):
        assert chart.left <= x <= chart.right
    assert chart.left <= chart.you_label_x <= chart.right


def test_tick_labels_are_compact_numbers_in_the_quotes_language(rates: Rates) -> None:
    result = quote(Inquiry(daily_orders=800, categories=6, response=Response.EMERGENCY), rates)
    assert [label for _, label in quote_chart(result, "zh_CN").y_ticks][-1].endswith("万")
    assert [label for _, label in quote_chart(result, "zh_TW").y_ticks][-1].endswith("萬")
    assert [label for _, label in quote_chart(result, "en").y_ticks][-1].endswith("K")


def test_an_emergency_minimum_lifts_the_band_and_it_still_fits(rates: Rates) -> None:
    result = quote(Inquiry(daily_orders=60, categories=3, response=Response.EMERGENCY), rates)
    chart = quote_chart(result)
    drawn = points(chart.per_order)
    assert drawn[0][1] < chart.bottom  # starts at the minimum fee, not at zero
    assert all(chart.top <= y <= chart.bottom for _, y in drawn)
    assert chart.y_max >= result.per_order.high
