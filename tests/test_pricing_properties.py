"""The properties of ../shared/domain/pricing.md, checked over generated inquiries."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import AiChoice, Inquiry, Quote, Rates, Response, Tooling, quote
from pricing.model import MAX_CATEGORIES, MAX_DAILY_ORDERS, RESPONSE_ORDER
from tests.strategies import fixed_ai_inquiries, inquiries

# Adjustment lines are (effect on the low total, effect on the high total), not a range:
# a discount is negative at both ends, a floor top-up positive at either.
ADJUSTMENT_LINES = {"own_system", "ai", "service_mode", "emergency_floor", "sales_discount"}

settings.register_profile("default", max_examples=150, deadline=None)
settings.load_profile("default")


def never_lower(cheaper: Quote, dearer: Quote) -> bool:
    return (dearer.monthly.low >= cheaper.monthly.low
            and dearer.monthly.high >= cheaper.monthly.high)


def cs_fee(result: Quote) -> tuple[Decimal, Decimal]:
    items = [item for item in result.line_items if item.code != "tooling_bundle"]
    return (sum((i.amount.low for i in items), Decimal(0)),
            sum((i.amount.high for i in items), Decimal(0)))


@given(inquiries())
def test_totals_are_ordered_non_negative_decimals_and_lines_add_up(
    rates: Rates, inquiry: Inquiry
) -> None:
    result = quote(inquiry, rates)
    assert 0 <= result.monthly.low <= result.monthly.high
    for item in result.line_items:
        assert isinstance(item.amount.low, Decimal) and isinstance(item.amount.high, Decimal)
        if item.code not in ADJUSTMENT_LINES:
            assert 0 <= item.amount.low <= item.amount.high, item
        elif item.code in ("own_system", "sales_discount"):
            assert item.amount.low <= 0 and item.amount.high <= 0
        elif item.code == "emergency_floor":
            assert item.amount.low >= 0 and item.amount.high >= 0
    assert sum((i.amount.low for i in result.line_items), Decimal(0)) == result.monthly.low
    assert sum((i.amount.high for i in result.line_items), Decimal(0)) == result.monthly.high
    for alternative in (result.per_order, result.per_hour, result.break_even_daily_orders):
        assert 0 <= alternative.low <= alternative.high
        assert isinstance(alternative.low, Decimal)


@given(fixed_ai_inquiries, st.integers(1, 2000))
def test_more_daily_orders_never_lower_the_price(
    rates: Rates, inquiry: Inquiry, more: int
) -> None:
    bigger = replace(inquiry, daily_orders=min(inquiry.daily_orders + more, MAX_DAILY_ORDERS))
    assert never_lower(quote(inquiry, rates), quote(bigger, rates))


@given(fixed_ai_inquiries)
def test_a_faster_response_never_lowers_the_price(rates: Rates, inquiry: Inquiry) -> None:
    quotes = [quote(replace(inquiry, response=level), rates) for level in RESPONSE_ORDER]
    for slower, faster in itertools.pairwise(quotes):
        assert never_lower(slower, faster)


@given(fixed_ai_inquiries, st.integers(1, 30))
def test_more_categories_never_lower_the_price(rates: Rates, inquiry: Inquiry, more: int) -> None:
    richer = replace(inquiry, categories=min(inquiry.categories + more, MAX_CATEGORIES))
    assert never_lower(quote(inquiry, rates), quote(richer, rates))


@given(fixed_ai_inquiries, st.sampled_from(["multi_level", "cross_border"]))
def test_a_complexity_flag_never_lowers_the_price(
    rates: Rates, inquiry: Inquiry, flag: str
) -> None:
    plain = replace(inquiry, **{flag: False})
    flagged = replace(inquiry, **{flag: True})
    assert never_lower(quote(plain, rates), quote(flagged, rates))


@given(fixed_ai_inquiries)
def test_own_system_never_raises_the_cs_fee(rates: Rates, inquiry: Inquiry) -> None:
    without = cs_fee(quote(replace(inquiry, tooling=Tooling.NONE), rates))
    own = cs_fee(quote(replace(inquiry, tooling=Tooling.OWN), rates))
    assert own[0] <= without[0] and own[1] <= without[1]


@given(inquiries())
def test_ai_never_costs_more_than_human_unless_the_floor_applies_and_is_advised_against(
    rates: Rates, inquiry: Inquiry
) -> None:
    human = quote(replace(inquiry, ai=AiChoice.NO), rates)
    with_ai = quote(replace(inquiry, ai=AiChoice.YES), rates)
    if not never_lower(with_ai, human):
        assert "ai_not_worth_it" in {w.code for w in with_ai.warnings}
        assert "recommend_without_ai" in {r.code for r in with_ai.recommendations}


@given(inquiries())
def test_ai_auto_never_costs_more_than_no_ai(rates: Rates, inquiry: Inquiry) -> None:
    auto = quote(replace(inquiry, ai=AiChoice.AUTO), rates)
    human = quote(replace(inquiry, ai=AiChoice.NO), rates)
    assert never_lower(auto, human)


@given(inquiries())
def test_a_discount_takes_its_share_off_both_ends(rates: Rates, inquiry: Inquiry) -> None:
    full = quote(replace(inquiry, discount=Decimal(0)), rates).monthly
    cut = quote(replace(inquiry, discount=Decimal("0.1")), rates).monthly
    assert cut.low == full.low * Decimal("0.9") and cut.high == full.high * Decimal("0.9")


@given(inquiries())
def test_the_same_inquiry_and_rates_always_give_the_same_quote(
    rates: Rates, inquiry: Inquiry
) -> None:
    assert quote(inquiry, rates) == quote(inquiry, rates)


@given(inquiries())
def test_emergency_response_always_costs_at_least_its_floor_before_ai_and_discounts(
    rates: Rates, inquiry: Inquiry
) -> None:
    result = quote(replace(inquiry, response=Response.EMERGENCY, ai=AiChoice.NO,
                           discount=Decimal(0)), rates)
    assert cs_fee(result)[0] >= 5000


@given(inquiries())
def test_a_budget_answer_is_consistent_with_the_quote(rates: Rates, inquiry: Inquiry) -> None:
    result = quote(inquiry, rates)
    fit = result.budget_fit
    if inquiry.budget is None:
        assert fit is None
        return
    assert fit is not None
    if fit.status == "fits":
        assert result.monthly.high <= inquiry.budget
    elif fit.status == "fits_low":
        assert result.monthly.low <= inquiry.budget < result.monthly.high
    elif fit.status == "fits_with_changes":
        assert fit.changes and fit.monthly is not None and fit.monthly.low <= inquiry.budget
        assert result.monthly.low > inquiry.budget
    else:
        assert fit.status == "does_not_fit" and fit.shortfall > 0


@given(inquiries())
def test_every_assumption_listed_is_marked_assumption_in_the_rates(
    rates: Rates, inquiry: Inquiry
) -> None:
    result = quote(inquiry, rates)
    assert result.assumptions
    for key in result.assumptions:
        assert rates.figures[key].is_assumption
    for item in result.line_items:
        if item.code == "sales_discount":  # the salesperson's, not the rates'
            assert item.keys == () and item.provenance == "sales"
            continue
        used = {rates.figures[key].provenance for key in item.keys}
        assert item.provenance == (used.pop() if len(used) == 1 else "mixed")


@given(inquiries())
def test_a_quote_survives_its_json_snapshot_exactly(rates: Rates, inquiry: Inquiry) -> None:
    import json

    from pricing.serialize import quote_from_dict, quote_to_dict

    result = quote(inquiry, rates)
    stored = json.loads(json.dumps(quote_to_dict(result, rounded=False)))
    assert quote_from_dict(stored) == result
