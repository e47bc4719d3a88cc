"""The v3 properties of ../shared/domain/pricing.md (rules 10–18), over generated inquiries.

Volumes run from 1 to 100,000 with the volumes where v2 changed service (99, 100, 499,
500, …) drawn often; every option combination is reachable. Each property was run against
the v2 core (the main branch before v3) and fails there; docs/pricing.md says how.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import replace
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pricing import (
    AiChoice,
    Billing,
    Inquiry,
    ProductKind,
    Quote,
    Range,
    Rates,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
    quote,
)
from pricing.model import RESPONSE_ORDER
from tests.strategies import inquiries

settings.register_profile("v3", max_examples=120, deadline=None)
settings.load_profile("v3")

# Where v2's 帮我推荐 changed service, and around, as often as anywhere else.
EDGES = [1, 2, 99, 100, 101, 149, 150, 199, 200, 449, 450, 499, 500, 501, 799, 800, 999,
         1000, 1001, 19_999, 20_000, 99_999]
volumes = st.one_of(st.integers(1, 100_000), st.sampled_from(EDGES))
goods = st.frozensets(st.sampled_from(list(ProductKind)))
v3_inquiries = st.builds(
    lambda inquiry, orders: replace(inquiry, daily_orders=orders), inquiries(), volumes)
outsourced = v3_inquiries.filter(lambda inquiry: inquiry.mode is ServiceMode.OUTSOURCED)


def billed(result: Quote) -> Range:
    """The plan the merchant is billed on: their choice, else the one recommended; staff
    hired in-house are paid monthly (rule 17)."""
    plan = (result.recommended_plan if result.inquiry.billing is Billing.COMPARE
            else result.inquiry.billing)
    if result.inquiry.mode is ServiceMode.FULL_TIME:
        plan = Billing.MONTHLY
    return {Billing.PER_ORDER: result.per_order,
            Billing.PER_HOUR: result.per_hour}.get(plan, result.monthly)


def allowance(before: Decimal) -> Decimal:
    return max(before * Decimal("0.05"), Decimal(50))


# --- rule 10: 帮我推荐 is continuous ----------------------------------------------------

@settings(max_examples=300)
@given(v3_inquiries.map(lambda inquiry: replace(inquiry, scope=Scope.AUTO)), goods)
@example(Inquiry(daily_orders=99, product_kinds=frozenset({ProductKind.PHONE_TOPUP,
                                                           ProductKind.VIDEO_MEMBERSHIPS}),
                 response=Response.FAST), frozenset({ProductKind.VIDEO_MEMBERSHIPS}))
@example(Inquiry(daily_orders=499), frozenset({ProductKind.PHONE_TOPUP}))
def test_one_more_order_on_the_recommended_path_never_jumps(
    rates: Rates, inquiry: Inquiry, kinds: frozenset[ProductKind]
) -> None:
    """v2: 99 → 100 orders went from 1,040–2,250 to 2,600–5,250 (话费+影视, 10 min)."""
    inquiry = replace(inquiry, product_kinds=kinds, daily_orders=min(inquiry.daily_orders,
                                                                    99_999))
    before = quote(inquiry, rates).monthly
    after = quote(replace(inquiry, daily_orders=inquiry.daily_orders + 1), rates).monthly
    assert after.low - before.low <= allowance(before.low)
    assert after.high - before.high <= allowance(before.high)


def test_the_mix_is_said_and_adds_up_to_the_whole(rates: Rates) -> None:
    for orders in (50, 120, 150, 199, 600, 900, 5000):
        result = quote(Inquiry(daily_orders=orders), rates)
        assert sum(share.share for share in result.mix) == 1
        assert result.scope in {share.scope for share in result.mix}


# --- rule 11: one basis for the three billing methods -----------------------------------

def order_rate(result: Quote) -> Range:
    assert result.per_order_rate is not None
    return result.per_order_rate.scale(1 / result.days_per_month)


@given(v3_inquiries)
def test_usage_rates_stay_inside_the_articles_bands(rates: Rates, inquiry: Inquiry) -> None:
    """0.5–2 元 an order and 20–50 元 an hour (v2 reached 3.60 元 an order); with emergency
    or expert service too, since the rate's place in the band carries their surcharge."""
    result = quote(inquiry, rates)
    rate = order_rate(result)
    assert Decimal("0.5") <= rate.low <= rate.high <= 2
    hourly = result.per_hour_rate
    assert hourly is not None and 20 <= hourly.low <= hourly.high <= 50


# (change, which way it moves the usage rates): every surcharge and reduction of the monthly
# fee moves them too (v2's per-order ignored categories, complexity, system and mode).
# Hours of cover are rule 13's: never cheaper (a full-chain team rotates at no extra cost).
MOVES = [
    ({"categories": 12}, {"categories": 1}, +1),
    ({"multi_level": True}, {"multi_level": False}, +1),
    ({"cross_border": True}, {"cross_border": False}, +1),
    ({"response": Response.FAST}, {"response": Response.STANDARD}, +1),
    ({"tooling": Tooling.OWN}, {"tooling": Tooling.NONE}, -1),
    ({"ai": AiChoice.YES}, {"ai": AiChoice.NO}, -1),
    ({"mode": ServiceMode.PART_TIME}, {"mode": ServiceMode.OUTSOURCED}, -1),
]


@given(v3_inquiries, st.sampled_from(MOVES))
def test_every_surcharge_and_reduction_moves_the_usage_rates(
    rates: Rates, inquiry: Inquiry, move: tuple[dict[str, object], dict[str, object], int]
) -> None:
    changed, base, direction = move
    inquiry = replace(inquiry, **{"response": Response.STANDARD, "hours": 8, **base})  # type: ignore[arg-type]
    before = quote(inquiry, rates)
    after = quote(replace(inquiry, **changed), rates)  # type: ignore[arg-type]
    for end in ("low", "high"):
        moved = getattr(order_rate(after), end) - getattr(order_rate(before), end)
        assert moved * direction > 0, (changed, end, moved)


@given(v3_inquiries.filter(lambda inquiry: inquiry.mode is not ServiceMode.FULL_TIME))
@example(Inquiry(daily_orders=60, scope=Scope.BASIC, volume=VolumePattern.SEASONAL))
def test_no_billing_method_is_cheaper_at_both_ends_than_the_recommended_one(
    rates: Rates, inquiry: Inquiry
) -> None:
    """Seasonal volumes included (v2 advised per-order for a seasonal R-small at 990–2,160
    while monthly was 880–1,800). In-house staff are paid monthly: their quotes are left
    out."""
    result = quote(replace(inquiry, billing=Billing.COMPARE), rates)
    chosen = billed(result)
    for other in (result.monthly, result.per_order, result.per_hour):
        assert not (other.low < chosen.low and other.high < chosen.high)


@given(v3_inquiries)
@example(Inquiry(daily_orders=1))
def test_a_one_order_shop_is_not_quoted_tens_of_yuan(rates: Rates, inquiry: Inquiry) -> None:
    result = quote(inquiry, rates)
    assert result.per_order.low >= rates.usage_minimum.single
    assert result.per_hour.low >= rates.usage_minimum.single


@given(v3_inquiries)
def test_hours_billed_agree_with_the_people_quoted(rates: Rates, inquiry: Inquiry) -> None:
    result = quote(inquiry, rates)
    shifts = result.coverage.headcount.high * 8 * result.days_per_month
    assert result.hours_per_month.high <= shifts


# --- rule 12: the 临界单量 is where the curves cross -----------------------------------

def gap(inquiry: Inquiry, orders: int, end: str, rates: Rates) -> Decimal:
    result = quote(replace(inquiry, daily_orders=orders), rates)
    return Decimal(getattr(result.per_order, end) - getattr(result.monthly, end))


@settings(max_examples=80)
@given(v3_inquiries.map(lambda inquiry: replace(inquiry, budget=None)))
@example(Inquiry(daily_orders=2000, scope=Scope.BASIC))  # v2: "1,250" where they cross ~53
def test_the_stated_crossing_is_a_true_crossing(rates: Rates, inquiry: Inquiry) -> None:
    """Re-quoting at the stated volume and one below: per-order turns from no dearer than
    monthly to dearer (or back) there, at each end; "cheaper/dearer throughout" holds at
    sampled volumes."""
    result = quote(inquiry, rates)
    assert result.crossing is not None
    for end, (code, orders) in zip(("low", "high"), result.crossing, strict=True):
        if code in ("at", "at_reverse"):
            assert 1 < orders <= 20_000
            below, at = gap(inquiry, orders - 1, end, rates), gap(inquiry, orders, end, rates)
            assert (below > 0) != (at > 0), (end, orders, below, at)
            assert (at > 0) == (code == "at")
        else:
            for orders in (1, 50, 300, 1000, 5000, 20_000):
                assert (gap(inquiry, orders, end, rates) > 0) == (code == "per_order_dearer")


# --- rule 14: ranges a salesperson can present ----------------------------------------

@given(v3_inquiries)
@example(Inquiry(daily_orders=1500, categories=12, multi_level=True, cross_border=True,
                 scope=Scope.EXPERT, tooling=Tooling.BUNDLE))
def test_high_is_never_more_than_two_and_a_half_times_low(
    rates: Rates, inquiry: Inquiry
) -> None:
    result = quote(inquiry, rates)
    for amount in (result.monthly, result.per_order, result.per_hour, billed(result)):
        assert amount.high <= amount.low * Decimal("2.5"), amount


def test_the_median_spread_is_at_most_twice(rates: Rates) -> None:
    """Over a grid of the option space (v2: 3.04×)."""
    spreads = []
    for orders, response, scope, tooling, ai, mode, complex_ in itertools.product(
            (5, 60, 150, 300, 700, 2000), list(Response), list(Scope), list(Tooling),
            list(AiChoice), list(ServiceMode), (False, True)):
        result = quote(Inquiry(daily_orders=orders, response=response, scope=scope,
                               tooling=tooling, ai=ai, mode=mode, multi_level=complex_,
                               categories=12 if complex_ else 1), rates)
        spreads.append(billed(result).high / billed(result).low)
    assert statistics.median(spreads) <= 2 and max(spreads) <= Decimal("2.5")


def test_the_reference_profiles_are_the_articles_prices(rates: Rates) -> None:
    small = quote(Inquiry(daily_orders=60, categories=3, scope=Scope.BASIC), rates).monthly
    medium_quote = quote(Inquiry(daily_orders=300, categories=5, scope=Scope.TECHNICAL,
                                 response=Response.FAST), rates)
    medium = medium_quote.monthly
    large = quote(Inquiry(daily_orders=800, categories=6, scope=Scope.FULL_CHAIN,
                          response=Response.EMERGENCY), rates).monthly
    near = [(small.low, 1000), (small.high, 2000), (medium.low, 3000), (medium.high, 5000)]
    for value, target in near:
        assert abs(value - target) <= target * Decimal("0.05"), (value, target)
    assert large.low >= 6000 and large.high <= 2 * large.low
    assert medium_quote.per_order.low >= 4500 and medium_quote.per_order.high <= 18_000


# --- rule 15: the engine keeps its own floor -----------------------------------------

@given(outsourced)
@example(Inquiry(daily_orders=5, tooling=Tooling.OWN))
def test_no_outsourced_quote_is_below_800_or_warns_of_its_own_low_price(
    rates: Rates, inquiry: Inquiry
) -> None:
    result = quote(inquiry, rates)
    for amount in (result.monthly, result.per_order, result.per_hour):
        assert amount.low >= 800
    assert "low_price_trap" not in {warning.code for warning in result.warnings}


# --- rule 16: budget advice about what the merchant will pay -------------------------

@given(v3_inquiries, st.integers(300, 30_000).map(Decimal))
@example(Inquiry(daily_orders=300, billing=Billing.PER_HOUR, response=Response.FAST,
                 categories=12), Decimal(10_000))
def test_a_budget_verdict_is_about_the_billed_plan(
    rates: Rates, inquiry: Inquiry, budget: Decimal
) -> None:
    """v2: "预算足以覆盖" while the per-hour plan chosen cost 13,200–64,800 on 10,000."""
    result = quote(replace(inquiry, budget=budget), rates)
    fit = result.budget_fit
    assert fit is not None
    plan = billed(result)
    if fit.status == "fits":
        assert plan.high <= budget
    if fit.status == "fits_low":
        assert plan.low <= budget < plan.high
    if fit.status in ("fits_with_changes", "fits_low_with_changes", "does_not_fit"):
        assert plan.high > budget


@given(v3_inquiries.map(lambda inquiry: replace(inquiry, response=Response.EMERGENCY)),
       st.integers(300, 30_000).map(Decimal))
@example(Inquiry(daily_orders=50, response=Response.EMERGENCY), Decimal(2000))
def test_no_part_time_advice_with_24_hour_cover(
    rates: Rates, inquiry: Inquiry, budget: Decimal
) -> None:
    fit = quote(replace(inquiry, budget=budget), rates).budget_fit
    assert fit is not None and "mode_part_time" not in fit.changes


# --- rule 13: coverage hours and headcount ----------------------------------------------

@given(v3_inquiries)
def test_more_hours_never_cost_less(rates: Rates, inquiry: Inquiry) -> None:
    quotes = [quote(replace(inquiry, hours=hours), rates) for hours in (8, 16, 24)]
    for fewer, more in itertools.pairwise(quotes):
        for plan in ("monthly", "per_order", "per_hour"):
            cheap, dear = getattr(fewer, plan), getattr(more, plan)
            assert cheap.low <= dear.low and cheap.high <= dear.high, plan


@given(v3_inquiries)
def test_coverage_is_stated_with_people_and_emergency_means_24_hours(
    rates: Rates, inquiry: Inquiry
) -> None:
    result = quote(inquiry, rates)
    coverage = result.coverage
    if inquiry.response is Response.EMERGENCY:
        assert coverage.hours_per_day == 24
    elif inquiry.hours is not None:
        assert coverage.hours_per_day == inquiry.hours
    assert 1 <= coverage.hours_per_day // 8 <= coverage.headcount.low <= coverage.headcount.high
    assert coverage.rotation == {8: "one_shift", 16: "two_shifts",
                                 24: "three_shifts"}[coverage.hours_per_day]


@given(v3_inquiries.filter(lambda inquiry: inquiry.mode is not ServiceMode.FULL_TIME))
def test_own_system_and_ai_still_lower_an_emergency_quote_above_its_minimum(
    rates: Rates, inquiry: Inquiry
) -> None:
    inquiry = replace(inquiry, response=Response.EMERGENCY, tooling=Tooling.NONE,
                      ai=AiChoice.NO, discount=Decimal(0))
    plain = quote(inquiry, rates).monthly
    for cheaper in (quote(replace(inquiry, tooling=Tooling.OWN), rates).monthly,
                    quote(replace(inquiry, ai=AiChoice.YES), rates).monthly):
        for end in ("low", "high"):
            if getattr(plain, end) > 5000:
                assert getattr(cheaper, end) < getattr(plain, end)


# --- rule 17: hiring in-house is a comparison -----------------------------------------

@given(v3_inquiries)
def test_every_quote_compares_hiring_in_house(rates: Rates, inquiry: Inquiry) -> None:
    result = quote(inquiry, rates)
    assert result.in_house is not None
    assert 0 < result.in_house.monthly.low <= result.in_house.monthly.high
    assert result.in_house.headcount.low >= 1
    codes = {item.code for item in result.line_items}
    assert "service_mode" not in codes or inquiry.mode is ServiceMode.PART_TIME
    if inquiry.mode is ServiceMode.FULL_TIME:
        assert {"in_house_salary", "in_house_oncosts", "in_house_management"} <= codes
        assert result.recommended_plan is Billing.MONTHLY


# --- rule 18: AI's price is honest -------------------------------------------------------

@given(v3_inquiries.filter(lambda inquiry: inquiry.mode is not ServiceMode.FULL_TIME))
def test_ai_never_raises_the_low_end_without_saying_why_and_says_whether_it_pays(
    rates: Rates, inquiry: Inquiry
) -> None:
    human = quote(replace(inquiry, ai=AiChoice.NO), rates)
    with_ai = quote(replace(inquiry, ai=AiChoice.YES), rates)
    if with_ai.monthly.low > human.monthly.low:
        assert "ai_floor" in {item.code for item in with_ai.line_items}
    said = {notice.code for notice in with_ai.recommendations}
    assert said & {"ai_pays", "recommend_without_ai"} or with_ai.monthly == human.monthly


# --- guards: v2 properties that must keep holding for every plan with coverage hours ----

@given(v3_inquiries)
def test_a_faster_response_never_lowers_any_plan(rates: Rates, inquiry: Inquiry) -> None:
    quotes = [quote(replace(inquiry, response=level), rates) for level in RESPONSE_ORDER]
    for slower, faster in itertools.pairwise(quotes):
        for plan in ("monthly", "per_order", "per_hour"):
            cheap, dear = getattr(slower, plan), getattr(faster, plan)
            assert cheap.low <= dear.low and cheap.high <= dear.high, plan
