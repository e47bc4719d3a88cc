"""The article's reference profiles, as the issue states them, on the default rates."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from pricing import (
    AiChoice,
    Inquiry,
    ProductKind,
    Quote,
    Rates,
    Response,
    Scope,
    Tooling,
    quote,
)

R_SMALL = Inquiry(daily_orders=60, categories=3, scope=Scope.BASIC, response=Response.STANDARD)
R_MEDIUM = Inquiry(daily_orders=300, categories=5, scope=Scope.TECHNICAL, response=Response.FAST)
R_LARGE = Inquiry(daily_orders=800, categories=6, scope=Scope.FULL_CHAIN,
                  response=Response.EMERGENCY)


def line(result: Quote, code: str) -> tuple[Decimal, Decimal]:
    [item] = [item for item in result.line_items if item.code == code]
    return item.amount.low, item.amount.high


def cs_fee(result: Quote) -> tuple[Decimal, Decimal]:
    """Everything but the tools bundle: the customer-service fee."""
    items = [item for item in result.line_items if item.code != "tooling_bundle"]
    return sum(i.amount.low for i in items), sum(i.amount.high for i in items)  # type: ignore[return-value]


def test_r_small_costs_800_to_1200_low_and_1500_to_2200_high(rates: Rates) -> None:
    result = quote(R_SMALL, rates)
    assert Decimal(800) <= result.monthly.low <= Decimal(1200)
    assert Decimal(1500) <= result.monthly.high <= Decimal(2200)


def test_r_medium_costs_2500_to_3500_low_and_4500_to_5500_high(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    assert Decimal(2500) <= result.monthly.low <= Decimal(3500)
    assert Decimal(4500) <= result.monthly.high <= Decimal(5500)


def test_r_large_costs_at_least_6000(rates: Rates) -> None:
    assert quote(R_LARGE, rates).monthly.low >= 6000


def test_emergency_response_costs_at_least_5000_even_for_a_small_shop(rates: Rates) -> None:
    result = quote(replace(R_SMALL, response=Response.EMERGENCY), rates)
    assert result.monthly.low >= 5000
    assert any(item.code == "coverage_24h" for item in result.line_items)


def test_twelve_categories_raise_r_medium_by_20_to_30_percent(rates: Rates) -> None:
    base = quote(R_MEDIUM, rates).monthly
    many = quote(replace(R_MEDIUM, categories=12), rates).monthly
    assert many.low / base.low == pytest.approx(Decimal("1.20"), rel=Decimal("0.01"))
    assert many.high / base.high == pytest.approx(Decimal("1.30"), rel=Decimal("0.01"))


def test_own_system_lowers_the_cs_fee_to_75_and_85_percent(rates: Rates) -> None:
    base_low, base_high = cs_fee(quote(R_MEDIUM, rates))
    own_low, own_high = cs_fee(quote(replace(R_MEDIUM, tooling=Tooling.OWN), rates))
    assert own_low == base_low * Decimal("0.75")
    assert own_high == base_high * Decimal("0.85")


def test_the_bundle_adds_a_tools_line_of_500_to_2000(rates: Rates) -> None:
    base = quote(R_MEDIUM, rates)
    bundled = quote(replace(R_MEDIUM, tooling=Tooling.BUNDLE), rates)
    assert line(bundled, "tooling_bundle") == (Decimal(500), Decimal(2000))
    assert bundled.monthly.low == base.monthly.low + 500
    assert bundled.monthly.high == base.monthly.high + 2000


def test_ai_on_r_medium_is_30_to_40_percent_below_pure_human(rates: Rates) -> None:
    human = quote(R_MEDIUM, rates).monthly
    with_ai = quote(replace(R_MEDIUM, ai=AiChoice.YES), rates)
    assert with_ai.monthly.low == human.low * Decimal("0.60")
    assert with_ai.monthly.high == human.high * Decimal("0.70")
    assert not any(w.code == "ai_not_worth_it" for w in with_ai.warnings)


def test_ai_on_r_small_hits_the_1500_floor_and_is_advised_against(rates: Rates) -> None:
    result = quote(replace(R_SMALL, ai=AiChoice.YES), rates)
    assert result.monthly.low == 1500
    assert {w.code for w in result.warnings} >= {"ai_not_worth_it"}
    assert "recommend_without_ai" in {r.code for r in result.recommendations}


def test_ai_auto_on_r_small_stays_human_and_says_why(rates: Rates) -> None:
    result = quote(replace(R_SMALL, ai=AiChoice.AUTO), rates)
    assert not result.ai_applied
    assert "ai_not_recommended" in {r.code for r in result.recommendations}


def test_ai_auto_on_r_medium_applies_ai(rates: Rates) -> None:
    result = quote(replace(R_MEDIUM, ai=AiChoice.AUTO), rates)
    assert result.ai_applied
    assert "ai_recommended" in {r.code for r in result.recommendations}


@pytest.mark.parametrize("scope", [Scope.AUTO, Scope.BASIC, Scope.TECHNICAL])
def test_blockchain_goods_need_an_expert_seat_of_at_least_5000(
    rates: Rates, scope: Scope
) -> None:
    inquiry = Inquiry(daily_orders=60, scope=scope,
                      product_kinds=frozenset({ProductKind.BLOCKCHAIN_NFT}))
    result = quote(inquiry, rates)
    assert result.scope is Scope.EXPERT
    assert line(result, "staffing")[0] >= 5000
    if scope is not Scope.AUTO:
        assert "scope_raised_for_special_goods" in {w.code for w in result.warnings}


def test_per_order_alternative_at_300_a_day_is_4500_to_18000(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    assert (result.per_order.low, result.per_order.high) == (Decimal(4500), Decimal(18000))


def test_per_hour_alternative_uses_20_to_50_yuan_an_hour(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    assert result.per_hour.low == result.hours_per_month.low * 20
    assert result.per_hour.high == result.hours_per_month.high * 50


def test_break_even_lies_where_per_order_meets_the_monthly_fee(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    # 2600 / (0.5 × 30) = 173.3 → 174;  5250 / (2 × 30) = 87.5 → 88
    assert (result.break_even_daily_orders.low, result.break_even_daily_orders.high) == (
        Decimal(88), Decimal(174))


@pytest.mark.parametrize(
    ("orders", "expected"),
    [(60, Scope.BASIC), (99, Scope.BASIC), (100, Scope.TECHNICAL), (300, Scope.TECHNICAL),
     (500, Scope.FULL_CHAIN), (800, Scope.FULL_CHAIN)],
)
def test_auto_scope_follows_the_articles_merchant_sizes(
    rates: Rates, orders: int, expected: Scope
) -> None:
    assert quote(Inquiry(daily_orders=orders), rates).scope is expected
