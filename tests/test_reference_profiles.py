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
    ServiceMode,
    Tooling,
    quote,
)
from tests.profiles import R_LARGE, R_MEDIUM, R_SMALL


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


def test_r_large_costs_6000_and_up_within_6000_to_15000(rates: Rates) -> None:
    """The article: 6000 and up (4000 × 1.5); v1 tripled staffing for three shifts."""
    result = quote(R_LARGE, rates)
    assert result.monthly.low == 6000
    assert Decimal(6000) <= result.monthly.high <= Decimal(15000)


@pytest.mark.parametrize("scope", [Scope.BASIC, Scope.TECHNICAL, Scope.FULL_CHAIN])
def test_emergency_response_is_a_surcharge_and_the_5000_minimum_for_every_scope(
    rates: Rates, scope: Scope
) -> None:
    result = quote(replace(R_SMALL, scope=scope, response=Response.EMERGENCY), rates)
    staffing = line(result, "staffing")
    surcharge = line(result, "response")
    assert surcharge == (staffing[0] * Decimal("0.5"), staffing[1] * Decimal("0.8"))
    assert result.monthly.low >= 5000 and result.monthly.high >= 5000
    assert "coverage_24h" not in {item.code for item in result.line_items}


def test_emergency_with_ai_still_costs_the_5000_minimum(rates: Rates) -> None:
    """Floors apply last: v1 let AI take an emergency quote to 3,000."""
    result = quote(Inquiry(daily_orders=50, response=Response.EMERGENCY, ai=AiChoice.YES),
                   rates)
    assert (result.monthly.low, result.monthly.high) == (Decimal(5000), Decimal(5000))
    assert [item.code for item in result.line_items][-1] == "emergency_floor"


@pytest.mark.parametrize(("orders", "seats"), [(60, "1"), (400, "1"), (500, "1.25"),
                                               (800, "2"), (1001, "2.5025")])
def test_technical_staffing_is_a_workload_of_400_orders_a_seat(
    rates: Rates, orders: int, seats: str
) -> None:
    result = quote(Inquiry(daily_orders=orders, scope=Scope.TECHNICAL), rates)
    assert result.units.low == result.units.high == Decimal(seats)
    assert line(result, "staffing") == (2000 * Decimal(seats), 3500 * Decimal(seats))


def test_at_500_orders_full_chain_is_not_cheaper_than_technical(rates: Rates) -> None:
    technical = quote(Inquiry(daily_orders=500, scope=Scope.TECHNICAL), rates).monthly
    full_chain = quote(Inquiry(daily_orders=500, scope=Scope.FULL_CHAIN), rates).monthly
    assert technical.low <= full_chain.low and technical.high <= full_chain.high


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


def test_ai_auto_on_r_small_uses_ai_only_where_it_is_cheaper(rates: Rates) -> None:
    """A plain seat at the cheap end (880), the 1500 AI package at the dear end (not 1800)."""
    result = quote(replace(R_SMALL, ai=AiChoice.AUTO), rates)
    assert (result.monthly.low, result.monthly.high) == (Decimal(880), Decimal(1500))
    [ai] = [n for n in result.recommendations if n.code == "ai_recommended"]
    assert ai.args == {"saving_low": "0", "saving_high": "300.00"}


def test_ai_auto_on_a_tiny_shop_stays_human_and_says_why(rates: Rates) -> None:
    result = quote(Inquiry(daily_orders=5, scope=Scope.BASIC, ai=AiChoice.AUTO,
                           tooling=Tooling.OWN, mode=ServiceMode.PART_TIME), rates)
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


def test_per_order_at_300_a_day_is_the_technical_rate_with_the_fast_surcharge(
    rates: Rates
) -> None:
    # 300 × 30 orders × 0.8–1.4 元 × 1.3–1.5 (fast response)
    result = quote(R_MEDIUM, rates)
    assert (result.per_order.low, result.per_order.high) == (Decimal(9360), Decimal(18900))


def test_per_hour_uses_the_technical_25_to_40_yuan_with_the_fast_surcharge(
    rates: Rates
) -> None:
    result = quote(R_MEDIUM, rates)
    assert result.per_hour.low == result.hours_per_month.low * 25 * Decimal("1.3")
    assert result.per_hour.high == result.hours_per_month.high * 40 * Decimal("1.5")


def test_per_order_is_not_called_cheapest_for_a_large_emergency_team(rates: Rates) -> None:
    result = quote(replace(R_LARGE, scope=Scope.FULL_CHAIN), rates)
    assert result.recommended_plan.value == "monthly"
    assert result.per_order.low > result.monthly.high


def test_break_even_lies_where_per_order_meets_the_monthly_fee(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    # 2600 / (0.8 × 1.3 × 30) = 83.3 → 84;  5250 / (1.4 × 1.5 × 30) = 83.3 → 84
    assert (result.break_even_daily_orders.low, result.break_even_daily_orders.high) == (
        Decimal(84), Decimal(84))


@pytest.mark.parametrize(
    ("kinds", "orders", "scope", "reason"),
    [({ProductKind.PHONE_TOPUP}, 300, Scope.BASIC, "standard_goods"),
     ({ProductKind.GAME_CARDS}, 50, Scope.TECHNICAL, "technical_goods"),
     ({ProductKind.SOFTWARE_KEYS, ProductKind.PHONE_TOPUP}, 50, Scope.TECHNICAL,
      "technical_goods"),
     ({ProductKind.BLOCKCHAIN_NFT}, 900, Scope.EXPERT, "special_goods"),
     ({ProductKind.PHONE_TOPUP}, 600, Scope.FULL_CHAIN, "volume_large"),
     ({ProductKind.VIDEO_MEMBERSHIPS}, 150, Scope.TECHNICAL, "volume_medium")],
)
def test_product_kinds_drive_the_recommendation_and_say_which_rule_applied(
    rates: Rates, kinds: set[ProductKind], orders: int, scope: Scope, reason: str
) -> None:
    result = quote(Inquiry(daily_orders=orders, product_kinds=frozenset(kinds)), rates)
    assert result.scope is scope
    [notice] = [n for n in result.recommendations if n.code == "scope_recommended"]
    assert notice.args == {"scope": scope.value, "reason": reason}


def test_phone_top_up_gets_basic_with_ai_when_ai_is_left_to_us(rates: Rates) -> None:
    result = quote(Inquiry(daily_orders=300, product_kinds=frozenset({ProductKind.PHONE_TOPUP}),
                           ai=AiChoice.AUTO), rates)
    assert result.scope is Scope.BASIC and result.ai_applied


@pytest.mark.parametrize(
    ("orders", "expected"),
    [(60, Scope.BASIC), (99, Scope.BASIC), (100, Scope.TECHNICAL), (300, Scope.TECHNICAL),
     (500, Scope.FULL_CHAIN), (800, Scope.FULL_CHAIN)],
)
def test_auto_scope_follows_the_articles_merchant_sizes(
    rates: Rates, orders: int, expected: Scope
) -> None:
    assert quote(Inquiry(daily_orders=orders), rates).scope is expected


@pytest.mark.parametrize(("orders", "announced"), [(79, None), (80, ("100", "technical")),
                                                   (99, ("100", "technical")), (100, None),
                                                   (400, ("500", "full_chain")), (500, None)])
def test_close_below_a_change_of_recommended_service_the_quote_says_so(
    rates: Rates, orders: int, announced: tuple[str, str] | None
) -> None:
    result = quote(Inquiry(daily_orders=orders), rates)
    notices = [n.args for n in result.recommendations if n.code == "scope_changes_at"]
    assert notices == ([] if announced is None
                       else [{"orders": announced[0], "scope": announced[1]}])
