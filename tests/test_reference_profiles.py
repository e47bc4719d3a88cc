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
    Range,
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


def within_5_percent(value: Decimal, target: int) -> bool:
    return abs(value - target) <= target * Decimal("0.05")


def test_r_small_is_the_articles_1000_to_2000_within_5_percent(rates: Rates) -> None:
    """v3 rule 14 (v2 gave 880–1,800)."""
    result = quote(R_SMALL, rates)
    assert within_5_percent(result.monthly.low, 1000)
    assert within_5_percent(result.monthly.high, 2000)


def test_r_medium_is_the_articles_3000_to_5000_within_5_percent(rates: Rates) -> None:
    """v3 rule 14 (v2 gave 2,600–5,250)."""
    result = quote(R_MEDIUM, rates)
    assert within_5_percent(result.monthly.low, 3000)
    assert within_5_percent(result.monthly.high, 5000)


def test_r_large_costs_6000_and_up_with_its_high_within_twice_its_low(rates: Rates) -> None:
    """The article: 6000 and up; v1 tripled staffing for three shifts, v2 gave 6,000–14,400."""
    result = quote(R_LARGE, rates)
    assert result.monthly.low >= 6000
    assert result.monthly.high <= 2 * result.monthly.low
    assert result.coverage.hours_per_day == 24 and result.coverage.rotation == "three_shifts"


def test_r_medium_per_order_lies_in_the_articles_band_of_4500_to_18000(rates: Rates) -> None:
    """0.5–2 元 an order × 300 orders × 30 days (v3 rule 11)."""
    result = quote(R_MEDIUM, rates)
    assert result.per_order.low >= 4500 and result.per_order.high <= 18000


@pytest.mark.parametrize("scope", [Scope.BASIC, Scope.TECHNICAL, Scope.FULL_CHAIN])
def test_emergency_response_is_a_surcharge_and_the_5000_minimum_for_every_scope(
    rates: Rates, scope: Scope
) -> None:
    result = quote(replace(R_SMALL, scope=scope, response=Response.EMERGENCY), rates)
    staffing = line(result, "staffing")
    cover = line(result, "coverage") if scope is not Scope.FULL_CHAIN else (0, 0)
    surcharge = line(result, "response")
    cent = Decimal("0.01")
    # 24-hour cover, then the central emergency surcharge (50–80 % → 65 %) on both ends.
    assert surcharge == ((Decimal(staffing[0] + cover[0]) * Decimal("0.65")).quantize(cent),
                         (Decimal(staffing[1] + cover[1]) * Decimal("0.65")).quantize(cent))
    assert result.monthly.low >= 5000 and result.monthly.high >= 5000
    assert "coverage_24h" not in {item.code for item in result.line_items}


def test_emergency_with_ai_still_costs_the_5000_minimum(rates: Rates) -> None:
    """Floors apply last: v1 let AI take an emergency quote to 3,000."""
    result = quote(Inquiry(daily_orders=50, response=Response.EMERGENCY, ai=AiChoice.YES),
                   rates)
    assert (result.monthly.low, result.monthly.high) == (Decimal(5000), Decimal(5000))
    assert [item.code for item in result.line_items][-1] == "emergency_floor"


@pytest.mark.parametrize(("orders", "seats"), [(60, "1"), (450, "1"), (500, "1.111111"),
                                               (900, "2"), (1001, "2.224444")])
def test_technical_staffing_is_a_workload_of_450_orders_a_seat(
    rates: Rates, orders: int, seats: str
) -> None:
    result = quote(Inquiry(daily_orders=orders, scope=Scope.TECHNICAL), rates)
    assert result.units.low == result.units.high == Decimal(seats)
    # central 2,860 × spread 3/4 and 5/4, to the fen
    cent = Decimal("0.01")
    assert line(result, "staffing") == ((2145 * Decimal(seats)).quantize(cent),
                                        (3575 * Decimal(seats)).quantize(cent))


def test_at_500_orders_full_chain_is_not_cheaper_than_technical(rates: Rates) -> None:
    technical = quote(Inquiry(daily_orders=500, scope=Scope.TECHNICAL), rates).monthly
    full_chain = quote(Inquiry(daily_orders=500, scope=Scope.FULL_CHAIN), rates).monthly
    assert technical.low <= full_chain.low and technical.high <= full_chain.high


def test_twelve_categories_raise_r_medium_by_25_percent_the_middle_of_20_to_30(
    rates: Rates
) -> None:
    base = quote(R_MEDIUM, rates).monthly
    many = quote(replace(R_MEDIUM, categories=12), rates).monthly
    assert many.low / base.low == pytest.approx(Decimal("1.25"), rel=Decimal("0.001"))
    assert many.high / base.high == pytest.approx(Decimal("1.25"), rel=Decimal("0.001"))


def test_own_system_lowers_the_cs_fee_by_20_percent_the_middle_of_15_to_25(
    rates: Rates
) -> None:
    base_low, base_high = cs_fee(quote(R_MEDIUM, rates))
    own_low, own_high = cs_fee(quote(replace(R_MEDIUM, tooling=Tooling.OWN), rates))
    cent = Decimal("0.01")
    assert own_low == base_low - (base_low * Decimal("0.2")).quantize(cent)
    assert own_high == base_high - (base_high * Decimal("0.2")).quantize(cent)


def test_the_bundle_adds_a_tools_line_around_the_middle_of_500_to_2000(rates: Rates) -> None:
    """1,250 × 3/4 and 5/4 (v3 rule 14: a range from a central figure)."""
    base = quote(R_MEDIUM, rates)
    bundled = quote(replace(R_MEDIUM, tooling=Tooling.BUNDLE), rates)
    assert line(bundled, "tooling_bundle") == (Decimal("937.50"), Decimal("1562.50"))
    assert bundled.monthly.low == base.monthly.low + Decimal("937.50")
    assert bundled.monthly.high == base.monthly.high + Decimal("1562.50")


def test_ai_on_r_medium_is_35_percent_below_pure_human(rates: Rates) -> None:
    human = quote(R_MEDIUM, rates).monthly
    with_ai = quote(replace(R_MEDIUM, ai=AiChoice.YES), rates)
    cent = Decimal("0.01")
    assert with_ai.monthly.low == human.low - (human.low * Decimal("0.35")).quantize(cent)
    assert with_ai.monthly.high == human.high - (human.high * Decimal("0.35")).quantize(cent)
    assert not any(w.code == "ai_not_worth_it" for w in with_ai.warnings)
    assert "ai_pays" in {r.code for r in with_ai.recommendations}  # rule 18


def test_ai_on_r_small_hits_the_1500_floor_and_is_advised_against(rates: Rates) -> None:
    result = quote(replace(R_SMALL, ai=AiChoice.YES), rates)
    assert result.monthly.low == 1500
    assert {w.code for w in result.warnings} >= {"ai_not_worth_it"}
    assert "recommend_without_ai" in {r.code for r in result.recommendations}


def test_ai_auto_on_r_small_uses_ai_only_where_it_is_cheaper(rates: Rates) -> None:
    """A plain seat at the cheap end, the 1500 AI package at the dear end (not 1,993)."""
    result = quote(replace(R_SMALL, ai=AiChoice.AUTO), rates)
    assert (result.monthly.low, result.monthly.high) == (Decimal("996.72"), Decimal(1500))
    [ai] = [n for n in result.recommendations if n.code == "ai_recommended"]
    assert ai.args == {"saving_low": "0", "saving_high": "493.28"}


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


def test_per_order_at_300_a_day_is_the_rate_times_9000_orders(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    rate = result.per_order_rate.scale(1 / Decimal(30))  # type: ignore[union-attr]
    assert abs(result.per_order.low - rate.low * 9000) < 1
    assert abs(result.per_order.high - rate.high * 9000) < 1
    assert Decimal("0.5") <= rate.low <= rate.high <= 2


def test_per_hour_bills_a_minute_an_order_at_a_rate_in_20_to_50_yuan(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    assert result.hours_per_month == Range(Decimal(150), Decimal(150))  # 9,000 minutes
    rate = result.per_hour_rate
    assert rate is not None and 20 <= rate.low <= rate.high <= 50
    cent = Decimal("0.01")
    assert result.per_hour == Range((rate.low * 150).quantize(cent),
                                    (rate.high * 150).quantize(cent))


def test_per_order_is_not_called_cheapest_for_a_large_emergency_team(rates: Rates) -> None:
    result = quote(replace(R_LARGE, scope=Scope.FULL_CHAIN), rates)
    assert result.recommended_plan.value == "monthly"
    assert result.per_order.low > result.monthly.high


def test_break_even_lies_where_per_order_meets_the_monthly_fee(rates: Rates) -> None:
    result = quote(R_MEDIUM, rates)
    assert result.crossing == (("at", 118), ("at", 118))
    below = quote(replace(R_MEDIUM, daily_orders=117), rates)
    at = quote(replace(R_MEDIUM, daily_orders=118), rates)
    assert below.per_order.low <= below.monthly.low and at.per_order.low > at.monthly.low
    assert below.per_order.high <= below.monthly.high and at.per_order.high > at.monthly.high


@pytest.mark.parametrize(
    ("kinds", "orders", "scope", "reason"),
    [({ProductKind.PHONE_TOPUP}, 300, Scope.BASIC, "standard_goods"),
     ({ProductKind.GAME_CARDS}, 50, Scope.TECHNICAL, "technical_goods"),
     ({ProductKind.SOFTWARE_KEYS, ProductKind.PHONE_TOPUP}, 50, Scope.TECHNICAL,
      "technical_goods"),
     ({ProductKind.BLOCKCHAIN_NFT}, 900, Scope.EXPERT, "special_goods"),
     ({ProductKind.PHONE_TOPUP}, 800, Scope.FULL_CHAIN, "volume_large"),
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
    # v3 rule 10: the technical share rises over 100–200, the full-chain share over
    # 500–1,000; the larger share names the service (the broader on a tie).
    [(60, Scope.BASIC), (99, Scope.BASIC), (149, Scope.BASIC), (150, Scope.TECHNICAL),
     (300, Scope.TECHNICAL), (749, Scope.TECHNICAL), (750, Scope.FULL_CHAIN),
     (800, Scope.FULL_CHAIN)],
)
def test_auto_scope_follows_the_articles_merchant_sizes(
    rates: Rates, orders: int, expected: Scope
) -> None:
    assert quote(Inquiry(daily_orders=orders), rates).scope is expected


@pytest.mark.parametrize(("orders", "mix"), [
    (99, [("basic", "1")]), (150, [("basic", "0.5"), ("technical", "0.5")]),
    (300, [("technical", "1")]), (600, [("technical", "0.8"), ("full_chain", "0.2")]),
    (1000, [("full_chain", "1")])])
def test_the_quote_says_the_mix_it_used(
    rates: Rates, orders: int, mix: list[tuple[str, str]]
) -> None:
    """Rule 10: 帮我推荐 blends the services over a band of volumes, and says so."""
    result = quote(Inquiry(daily_orders=orders), rates)
    assert [(share.scope.value, str(share.share.normalize())) for share in result.mix] == mix
    codes = {n.code for n in result.recommendations}
    assert ("scope_mix" in codes) == (len(mix) > 1)
