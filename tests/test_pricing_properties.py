"""The properties of ../shared/domain/pricing.md, checked over generated inquiries."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import (
    AiChoice,
    Billing,
    Inquiry,
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
from pricing.engine import monthly_total
from pricing.model import MAX_CATEGORIES, MAX_DAILY_ORDERS, RESPONSE_ORDER, SCOPE_ORDER
from tests.strategies import explicit_inquiries, fixed_ai_inquiries, inquiries

# Adjustment lines are (effect on the low total, effect on the high total), not a range:
# a discount is negative at both ends, a floor top-up positive at either.
# Floors top up each end on its own (the engine's own 800 line, v3 rule 15, is one of them).
ADJUSTMENT_LINES = {"own_system", "ai", "service_mode", "emergency_floor", "ai_floor",
                    "price_floor", "sales_discount"}
FLOOR_LINES = {"emergency_floor", "ai_floor", "price_floor"}

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
        elif item.code in ("own_system", "sales_discount", "ai"):
            assert item.amount.low <= 0 and item.amount.high <= 0
        elif item.code in FLOOR_LINES:
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


def midpoint(result: Quote) -> Decimal:
    return result.monthly.low + result.monthly.high


@given(inquiries())
def test_ai_never_costs_more_than_human_unless_the_floor_applies_and_is_advised_against(
    rates: Rates, inquiry: Inquiry
) -> None:
    human = quote(replace(inquiry, ai=AiChoice.NO), rates)
    with_ai = quote(replace(inquiry, ai=AiChoice.YES), rates)
    if not never_lower(with_ai, human):
        assert "ai_floor" in {item.code for item in with_ai.line_items}
    if midpoint(with_ai) > midpoint(human):
        assert "ai_not_worth_it" in {w.code for w in with_ai.warnings}
        assert "recommend_without_ai" in {r.code for r in with_ai.recommendations}


@given(inquiries())
def test_ai_auto_is_the_cheaper_of_with_and_without_ai_at_each_end(
    rates: Rates, inquiry: Inquiry
) -> None:
    auto = quote(replace(inquiry, ai=AiChoice.AUTO), rates).monthly
    human = quote(replace(inquiry, ai=AiChoice.NO), rates).monthly
    with_ai = quote(replace(inquiry, ai=AiChoice.YES), rates).monthly
    assert auto == Range(min(human.low, with_ai.low), min(human.high, with_ai.high))


@given(inquiries(ai=st.just(AiChoice.AUTO)).filter(lambda i: i.scope is not Scope.AUTO),
       st.integers(1, 2000))
def test_with_ai_auto_more_orders_a_faster_response_or_own_system_move_the_price_right(
    rates: Rates, inquiry: Inquiry, more: int
) -> None:
    """v1's 帮我推荐: 100 orders cheaper than 99, a faster response cheaper, own system dearer."""
    base = quote(inquiry, rates)
    bigger = replace(inquiry, daily_orders=min(inquiry.daily_orders + more, MAX_DAILY_ORDERS))
    assert never_lower(base, quote(bigger, rates))
    if inquiry.response is not Response.EMERGENCY:
        faster = RESPONSE_ORDER[RESPONSE_ORDER.index(inquiry.response) + 1]
        assert never_lower(base, quote(replace(inquiry, response=faster), rates))
    if inquiry.tooling is Tooling.NONE:
        assert never_lower(quote(replace(inquiry, tooling=Tooling.OWN), rates), base)


@given(inquiries())
def test_a_discount_takes_its_share_off_both_ends(rates: Rates, inquiry: Inquiry) -> None:
    """To the fen: every line of a v3 quote is rounded to the fen so the lines add up. The
    share comes off the service fee; the minimum fees still hold after it (rules 4 and 15)
    and the tools bundle, the system's own price, is not discounted."""
    full = quote(replace(inquiry, discount=Decimal(0)), rates)
    cut = quote(replace(inquiry, discount=Decimal("0.1")), rates)
    assert cut.monthly.low <= full.monthly.low and cut.monthly.high <= full.monthly.high
    floors = {"price_floor", "emergency_floor", "ai_floor"}
    if inquiry.tooling is not Tooling.BUNDLE and not floors & {
            item.code for item in (*full.line_items, *cut.line_items)}:
        cent = Decimal("0.01")
        assert cut.monthly.low == full.monthly.low - (
            full.monthly.low * Decimal("0.1")).quantize(cent)
        assert cut.monthly.high == full.monthly.high - (
            full.monthly.high * Decimal("0.1")).quantize(cent)
    if inquiry.mode is not ServiceMode.PART_TIME:
        assert cut.monthly.low >= 800


@given(inquiries())
def test_the_same_inquiry_and_rates_always_give_the_same_quote(
    rates: Rates, inquiry: Inquiry
) -> None:
    assert quote(inquiry, rates) == quote(inquiry, rates)


@given(inquiries())
def test_floors_apply_last_after_every_discount(rates: Rates, inquiry: Inquiry) -> None:
    """Rule 4: the emergency minimum and the AI package minimum hold on the final CS fee,
    after own system, AI and part-time; only the salesperson's discount comes after."""
    result = quote(replace(inquiry, discount=Decimal(0)), rates)
    low, high = cs_fee(result)
    floor = Decimal(0)
    if inquiry.response is Response.EMERGENCY:
        floor = rates.responses[Response.EMERGENCY].floor.single  # type: ignore[union-attr]
    # AI may be used at one end only (帮我推荐): its line is zero where it is not.
    [ai] = [item.amount for item in result.line_items if item.code == "ai"] or [Range(
        Decimal(0), Decimal(0))]
    assert low >= (max(floor, rates.ai_floor.single) if ai.low else floor)
    assert high >= (max(floor, rates.ai_floor.single) if ai.high else floor)
    codes = [item.code for item in result.line_items]
    floors = [codes.index(code) for code in FLOOR_LINES if code in codes]
    for index in floors:
        assert set(codes[index + 1:]) <= {"tooling_bundle"}
    assert len(floors) <= 1


@given(inquiries())
def test_a_budget_answer_says_only_what_is_true(rates: Rates, inquiry: Inquiry) -> None:
    """Rules 6 and 16: about the plan billed — never "fits" with its high above budget; a
    shortfall only when nothing fits; never part-time with 24-hour cover."""
    result = quote(inquiry, rates)
    fit = result.budget_fit
    if inquiry.budget is None:
        assert fit is None
        return
    billed = result.billed.monthly
    assert fit is not None and fit.monthly is not None
    assert fit.plan is result.billed.method and fit.price == billed
    if fit.status == "fits":
        assert not fit.changes and billed.high <= inquiry.budget
    elif fit.status == "fits_with_changes":
        assert fit.changes and fit.monthly.high <= inquiry.budget < billed.high
    elif fit.status == "fits_low":
        assert not fit.changes and billed.low <= inquiry.budget < billed.high
    elif fit.status == "fits_low_with_changes":
        assert fit.changes and fit.monthly.low <= inquiry.budget < fit.monthly.high
    else:
        assert fit.status == "does_not_fit" and fit.shortfall > 0
        assert fit.shortfall == fit.monthly.low - inquiry.budget
    if result.coverage.hours_per_day == 24:
        assert "mode_part_time" not in fit.changes


# Rule 16: what a merchant gives up least comes first; combinations of the same size compare
# by their worst sacrifice, then the next.
GIVE_UP = ("billing", "tooling", "ai", "response", "scope", "mode_outsourced", "mode_part_time")


def brute_force_budget(inquiry: Inquiry, rates: Rates) -> tuple[str, int, Range]:
    """Every combination of the allowed changes, priced by `quote` itself: the plan billed
    after the changes (their billing, or the one recommended)."""
    assert inquiry.budget is not None
    base = quote(inquiry, rates)
    level = RESPONSE_ORDER.index(inquiry.response)
    needed = 1 if inquiry.product_kinds & rates.fast_kinds else 0
    responses = [inquiry.response] + ([RESPONSE_ORDER[level - 1]] if level > needed else [])
    position = SCOPE_ORDER.index(base.scope)
    expert_goods = bool(inquiry.product_kinds & rates.expert_kinds)
    scopes = [inquiry.scope] + ([SCOPE_ORDER[position - 1]] if position and not expert_goods
                                else [])
    billings = [inquiry.billing] + [plan for plan in (Billing.MONTHLY, Billing.PER_ORDER,
                                                      Billing.PER_HOUR)
                                    if plan is not inquiry.billing]
    toolings = [inquiry.tooling] + ([Tooling.OWN] if inquiry.tooling is not Tooling.OWN else [])
    ais = [inquiry.ai, *[ai for ai in (AiChoice.YES, AiChoice.NO) if ai is not inquiry.ai]]
    modes = [inquiry.mode]
    if inquiry.mode is ServiceMode.FULL_TIME:
        modes.append(ServiceMode.OUTSOURCED)
    if inquiry.mode is not ServiceMode.PART_TIME and base.coverage.hours_per_day < 24:
        modes.append(ServiceMode.PART_TIME)
    found: list[tuple[int, tuple[int, ...], Range]] = []
    for billing, tooling, ai, response, scope, mode in itertools.product(
            billings, toolings, ais, responses, scopes, modes):
        if mode is ServiceMode.FULL_TIME and billing is not inquiry.billing:
            continue  # in-house staff are paid monthly: no usage billing
        hours = 24 if (inquiry.response is Response.EMERGENCY
                       and response is not inquiry.response) else inquiry.hours
        variant = quote(replace(inquiry, billing=billing, tooling=tooling, ai=ai,
                                response=response, scope=scope, mode=mode, hours=hours,
                                budget=None), rates)
        given_up = [GIVE_UP.index(kind) for kind, changed in (
            ("billing", billing is not inquiry.billing),
            ("tooling", tooling is not inquiry.tooling),
            ("ai", ai is not inquiry.ai), ("response", response is not inquiry.response),
            ("scope", scope is not inquiry.scope),
            ("mode_outsourced", mode is ServiceMode.OUTSOURCED and mode is not inquiry.mode),
            ("mode_part_time", mode is ServiceMode.PART_TIME and mode is not inquiry.mode))
            if changed]
        found.append((len(given_up), tuple(sorted(given_up, reverse=True)),
                      variant.billed.monthly))
    budget = inquiry.budget
    billed = base.billed.monthly
    if billed.high <= budget:
        return "fits", 0, billed
    high_fits = [(n, rank, cost.high, cost.low) for n, rank, cost in found
                 if n and cost.high <= budget]
    if high_fits:
        n, _, high, low = min(high_fits)
        return "fits_with_changes", n, Range(low, high)
    if billed.low <= budget:
        return "fits_low", 0, billed
    low_fits = [(n, rank, cost.low, cost.high) for n, rank, cost in found
                if n and cost.low <= budget]
    if low_fits:
        n, _, low, high = min(low_fits)
        return "fits_low_with_changes", n, Range(low, high)
    low, n, _, high = min((cost.low, n, rank, cost.high) for n, rank, cost in found)
    return "does_not_fit", n, Range(low, high)


@settings(max_examples=60)
@given(inquiries(), st.integers(300, 30_000).map(Decimal))
def test_budget_advice_equals_a_brute_force_search(
    rates: Rates, inquiry: Inquiry, budget: Decimal
) -> None:
    inquiry = replace(inquiry, daily_orders=min(inquiry.daily_orders, 100_000), budget=budget)
    fit = quote(inquiry, rates).budget_fit
    assert fit is not None
    assert (fit.status, len(fit.changes), fit.monthly) == brute_force_budget(inquiry, rates)


def jump_allowed(before: Decimal) -> Decimal:
    return max(before * Decimal("0.05"), Decimal(50))


@settings(max_examples=200)
@given(explicit_inquiries, st.integers(1, 100_000))
def test_one_more_order_a_day_never_raises_low_or_high_by_more_than_5_percent_or_50(
    rates: Rates, inquiry: Inquiry, orders: int
) -> None:
    """Rule 1: staffing is a workload, so the price is continuous in daily orders."""
    before = quote(replace(inquiry, daily_orders=orders), rates).monthly
    after = quote(replace(inquiry, daily_orders=orders + 1), rates).monthly
    assert after.low - before.low <= jump_allowed(before.low)
    assert after.high - before.high <= jump_allowed(before.high)


@given(explicit_inquiries.map(lambda inquiry: replace(inquiry, scope=Scope.AUTO)))
def test_broader_service_is_never_cheaper(rates: Rates, inquiry: Inquiry) -> None:
    """Rule 2: basic ≤ technical ≤ full-chain ≤ expert, low and high, at every volume."""
    quotes = [quote(replace(inquiry, scope=scope), rates) for scope in SCOPE_ORDER]
    for lighter, broader in itertools.pairwise(quotes):
        assert never_lower(lighter, broader)


@given(explicit_inquiries)
def test_per_order_and_per_hour_follow_scope_and_response(
    rates: Rates, inquiry: Inquiry
) -> None:
    """Rule 5: what is bought sets the per-order and per-hour price, emergency its minimum."""
    by_scope = [quote(replace(inquiry, scope=scope), rates) for scope in SCOPE_ORDER]
    by_response = [quote(replace(inquiry, response=level), rates) for level in RESPONSE_ORDER]
    for series in (by_scope, by_response):
        for lighter, broader in itertools.pairwise(series):
            for billed in ("per_order", "per_hour"):
                cheap, dear = getattr(lighter, billed), getattr(broader, billed)
                assert cheap.low <= dear.low and cheap.high <= dear.high
    for billed in (by_response[-1].per_order, by_response[-1].per_hour):
        assert billed.low >= 5000


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


@given(inquiries())
def test_the_sweeps_monthly_total_is_the_quotes(rates: Rates, inquiry: Inquiry) -> None:
    """benchmarks/bench_sweep.py measures jumps with monthly_total and plans(): they must be
    the quote's figures."""
    from pricing.engine import plans

    result = quote(inquiry, rates)
    assert monthly_total(inquiry, rates) == result.monthly
    found = plans(inquiry, rates)
    assert (found.monthly, found.per_order, found.per_hour) == (
        result.monthly, result.per_order, result.per_hour)
    assert (found.billed, found.billed_monthly) == (result.billed.method, result.billed.monthly)
    assert found.hour_rate == result.per_hour_rate


@given(inquiries())
def test_the_recommended_billing_is_never_dearer_at_both_ends_than_another(
    rates: Rates, inquiry: Inquiry
) -> None:
    """Rule 5: a plan is called cheapest only when it is, and a dearer one is not advised."""
    if inquiry.mode is ServiceMode.FULL_TIME:
        return  # in-house staff are paid monthly; the usage prices are a vendor's (rule 17)
    result = quote(replace(inquiry, billing=Billing.COMPARE, volume=VolumePattern.STEADY),
                   rates)
    costs = {Billing.MONTHLY: result.monthly, Billing.PER_ORDER: result.per_order,
             Billing.PER_HOUR: result.per_hour}
    chosen = costs[result.recommended_plan]
    for other in costs.values():
        assert not (other.low < chosen.low and other.high < chosen.high)
    [notice] = [n for n in result.recommendations if n.code == "plan_recommended"]
    if notice.args["reason"] == "cheapest":
        assert all(chosen.low <= c.low and chosen.high <= c.high for c in costs.values())
