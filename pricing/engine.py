"""`quote(inquiry, rates)`: the pure pricing function.

The monthly plan is built as line items in the order of pricing.md (model v2):
staffing (a workload) → response surcharge → complexity → service mode → own system → AI →
the minimum fee (emergency or AI package, last) → tools bundle → a salesperson's discount.
Each line records the rates keys it used, so the quote
can list which of its figures are assumptions rather than article figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from itertools import chain, combinations

from pricing.model import (
    RESPONSE_ORDER,
    ROTATIONS,
    SCOPE_ORDER,
    AiChoice,
    Billed,
    Billing,
    BudgetFit,
    Coverage,
    InHouse,
    Inquiry,
    LineItem,
    MixShare,
    Notice,
    ProductKind,
    Quote,
    Range,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
)
from pricing.money import whole_up
from pricing.rates import Figure, Rates

ONE = Decimal(1)
SIXTY = Decimal(60)


class _Ledger:
    """The figures a quote used outside its line items, in order of first use."""

    __slots__ = ("used",)

    def __init__(self) -> None:
        self.used: dict[str, Figure] = {}

    def use(self, *figures: Figure) -> None:
        for figure in figures:
            self.used.setdefault(figure.key, figure)

    def assumptions(self, line_items: tuple[LineItem, ...], rates: Rates) -> tuple[str, ...]:
        """Assumption keys: those of the line items first, then the rest, each once."""
        keys = dict.fromkeys(chain.from_iterable([item.keys for item in line_items]))
        keys.update(self.used)
        assumed = rates.assumption_keys
        return tuple([key for key in keys if key in assumed])


def _line(code: str, amount: Range, *figures: Figure, **params: object) -> LineItem:
    # The hottest function of a quote (seven calls each): plain loops, no generators.
    provenance = figures[0].provenance
    for figure in figures:
        if figure.provenance != provenance:
            provenance = "mixed"
            break
    return LineItem(
        code,
        amount,
        tuple([figure.key for figure in figures]),
        provenance,
        tuple([(name, value if type(value) is str else str(value))
               for name, value in params.items()]),
    )


@dataclass(frozen=True, slots=True)
class _HumanFee:
    """The customer-service fee of pure human staffing, before AI, floors and the bundle."""

    line_items: tuple[LineItem, ...]
    fee: Range
    units: Range
    unit: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """A priced monthly plan for one scope, with or without AI."""

    line_items: tuple[LineItem, ...]
    monthly: Range
    units: Range
    unit: str
    ai_raises_price: bool
    uses_ai: bool


def staffing_units(orders: int, scope: Scope, rates: Rates) -> tuple[Range, tuple[Figure, ...]]:
    """The workload in seats (or teams): at least one, else daily orders ÷ one unit's capacity.

    Kept as a decimal so that one more order a day adds a sliver of a unit (rule 1):
    300 orders on basic seats of 200 → 1.5 seats; 60 orders → 1 seat.
    """
    capacity = rates.scopes[scope].capacity
    units = max(ONE, Decimal(orders) / capacity.single)
    return Range(units, units), (capacity,)


def _human_fee(inquiry: Inquiry, scope: Scope, rates: Rates) -> _HumanFee:
    lines: list[LineItem] = []
    scope_rate = rates.scopes[scope]
    units, unit_figures = staffing_units(inquiry.daily_orders, scope, rates)
    staffing = scope_rate.band.value.times(units)
    lines.append(_line("staffing", staffing, scope_rate.band, *unit_figures,
                       scope=scope, unit=scope_rate.unit,
                       units_low=units.low, units_high=units.high))

    response = rates.responses[inquiry.response]
    surcharge = staffing.times(response.surcharge.value)
    lines.append(_line("response", surcharge, response.surcharge,
                       level=inquiry.response, minutes=response.minutes,
                       pct_low=response.surcharge.percent[0],
                       pct_high=response.surcharge.percent[1]))
    base = staffing + surcharge

    fee = base
    complexity = (
        ("complexity_categories", rates.categories_surcharge,
         inquiry.categories >= rates.categories_from),
        ("complexity_multi_level", rates.multi_level_surcharge, inquiry.multi_level),
        ("complexity_cross_border", rates.cross_border_surcharge, inquiry.cross_border),
    )
    for code, figure, applies in complexity:
        if applies:
            amount = base.times(figure.value)
            lines.append(_line(code, amount, figure,
                               categories=inquiry.categories,
                               pct_low=figure.percent[0], pct_high=figure.percent[1]))
            fee = fee + amount

    if inquiry.mode is not ServiceMode.OUTSOURCED:
        factor = rates.modes[inquiry.mode]
        adjusted = fee.times(factor.value)
        lines.append(_line("service_mode", adjusted - fee, factor, mode=inquiry.mode))
        fee = adjusted

    if inquiry.tooling is Tooling.OWN:
        factor = rates.own_system_factor
        adjusted = fee.times(factor.value)
        lines.append(_line("own_system", adjusted - fee, factor,
                           pct_low=factor.reduction[0], pct_high=factor.reduction[1]))
        fee = adjusted
    return _HumanFee(tuple(lines), fee, units, scope_rate.unit)


# Where AI is used: at the low end, at the high end. "帮我推荐" may use it at one end only.
_AiEnds = tuple[bool, bool]
AI_BOTH: _AiEnds = (True, True)
AI_NONE: _AiEnds = (False, False)


def _minimums(inquiry: Inquiry, ai: _AiEnds, rates: Rates) -> tuple[Figure | None, ...]:
    """The minimum fee at the low and the high end: emergency, or the AI package if higher."""
    floor = rates.responses[inquiry.response].floor
    ends: list[Figure | None] = []
    for uses_ai in ai:
        if uses_ai and (floor is None or floor.single < rates.ai_floor.single):
            ends.append(rates.ai_floor)
        else:
            ends.append(floor)
    return tuple(ends)


def _floored(fee: Range, minimums: tuple[Figure | None, ...]) -> Range:
    low_floor, high_floor = minimums
    return Range(fee.low if low_floor is None else max(fee.low, low_floor.single),
                 fee.high if high_floor is None else max(fee.high, high_floor.single))


def _finish(human: _HumanFee, ai: _AiEnds, inquiry: Inquiry, rates: Rates) -> _Plan:
    """The monthly plan: the human fee, AI where used, the minimum fee, the tools bundle.

    Floors apply last (rule 4): the emergency minimum and the AI package minimum hold on the
    customer-service fee after every discount (service mode, own system, AI). Only the higher
    of the two applies; the tools bundle is a separate fee on top. AI may be used at one end
    only ("帮我推荐": the cheaper of with and without AI at each end).
    """
    lines = list(human.line_items)
    fee = human.fee
    if ai != AI_NONE:
        factor = rates.ai_factor.value
        discounted = Range(fee.low * factor.low if ai[0] else fee.low,
                           fee.high * factor.high if ai[1] else fee.high)
        lines.append(_line("ai", discounted - fee, rates.ai_factor,
                           pct_low=rates.ai_factor.reduction[0],
                           pct_high=rates.ai_factor.reduction[1]))
        fee = discounted

    minimums = _minimums(inquiry, ai, rates)
    floored = _floored(fee, minimums)
    if floored != fee:
        floor = rates.ai_floor if rates.ai_floor in minimums else next(
            m for m in minimums if m is not None)
        code = "ai_floor" if floor is rates.ai_floor else "emergency_floor"
        lines.append(_line(code, floored - fee, floor, floor=floor.single))
        fee = floored
    # The package floor can make AI dearer than pure human staffing: on average (the
    # midpoint), AI is then not worth it. An emergency floor applies with or without AI.
    ai_raises_price = (rates.ai_floor in minimums
                       and fee.low + fee.high > human.fee.low + human.fee.high)

    if inquiry.tooling is Tooling.BUNDLE:
        lines.append(_line("tooling_bundle", rates.bundle_fee.value, rates.bundle_fee))
        fee = fee + rates.bundle_fee.value

    if inquiry.discount:
        # A salesperson's discount: on the whole monthly plan, outside the rates.
        off = fee.scale(-inquiry.discount)
        lines.append(LineItem("sales_discount", off, (), "sales",
                              (("pct", f"{(inquiry.discount * 100).normalize():f}"),)))
        fee = fee + off

    return _Plan(tuple(lines), fee, human.units, human.unit, ai_raises_price, ai != AI_NONE)


def _total(human: _HumanFee, ai: _AiEnds, inquiry: Inquiry, rates: Rates) -> Range:
    """`_finish(...).monthly` without its line items: the same operations in the same order."""
    low, high = human.fee.low, human.fee.high
    factor = rates.ai_factor.value
    if ai[0]:
        low = low * factor.low
    if ai[1]:
        high = high * factor.high
    floor = rates.responses[inquiry.response].floor
    emergency = None if floor is None else floor.single
    ai_floor = rates.ai_floor.single
    low_min = ai_floor if ai[0] and (emergency is None or emergency < ai_floor) else emergency
    high_min = ai_floor if ai[1] and (emergency is None or emergency < ai_floor) else emergency
    if low_min is not None:
        low = max(low, low_min)
    if high_min is not None:
        high = max(high, high_min)
    if inquiry.tooling is Tooling.BUNDLE:
        low, high = low + rates.bundle_fee.value.low, high + rates.bundle_fee.value.high
    if inquiry.discount:
        low, high = low + low * -inquiry.discount, high + high * -inquiry.discount
    return Range(low, high)


def _auto_ai(with_ai: Range, without_ai: Range) -> _AiEnds:
    """"帮我推荐": AI at each end where it is cheaper (the package minimum decides)."""
    return with_ai.low < without_ai.low, with_ai.high < without_ai.high


def recommended_scope(inquiry: Inquiry, rates: Rates) -> tuple[Scope, str]:
    """The scope the article suggests for these answers, and which of its rules applied.

    Product kinds first (rule 7): blockchain/NFT goods need expert CS; a large volume needs a
    full-chain team; technical goods (game-card batch activation, software keys) need
    technical CS; standardised goods alone (phone top-up) are served by basic CS with AI.
    Otherwise the article's merchant sizes: < 100 orders a day basic, 100–499 technical.
    """
    return _scope_for(inquiry.product_kinds, inquiry.daily_orders, rates)


def _scope_for(kinds: frozenset[ProductKind], orders: int, rates: Rates) -> tuple[Scope, str]:
    if kinds & rates.expert_kinds:
        return Scope.EXPERT, "special_goods"
    if orders >= rates.full_chain_from.single:
        return Scope.FULL_CHAIN, "volume_large"
    if kinds & rates.technical_kinds:
        return Scope.TECHNICAL, "technical_goods"
    if kinds and kinds <= rates.basic_ai_kinds:
        return Scope.BASIC, "standard_goods"
    if orders >= rates.technical_from.single:
        return Scope.TECHNICAL, "volume_medium"
    return Scope.BASIC, "volume_small"


_REASON_FIGURES = {
    "special_goods": ("expert_kinds_figure",),
    "volume_large": ("full_chain_from",),
    "technical_goods": ("technical_kinds_figure", "full_chain_from"),
    "standard_goods": ("basic_ai_kinds_figure", "full_chain_from"),
    "volume_medium": ("technical_from", "full_chain_from"),
    "volume_small": ("technical_from",),
}


def _announce_next_scope(inquiry: Inquiry, suggested: Scope, rates: Rates, ledger: _Ledger,
                         recommendations: list[Notice]) -> None:
    """Close below a volume where 帮我推荐 recommends a broader service, say so in advance:
    the price changes there with the service, not with the one more order."""
    orders = inquiry.daily_orders
    for threshold in (rates.technical_from, rates.full_chain_from):
        at = int(threshold.single)
        if orders >= at:
            continue
        upcoming, _ = _scope_for(inquiry.product_kinds, at, rates)
        if upcoming is suggested:
            continue
        ledger.use(rates.scope_notice_within)
        if orders >= at * (1 - rates.scope_notice_within.single):
            recommendations.append(Notice("scope_changes_at", (
                ("orders", str(at)), ("scope", upcoming.value))))
        return


def _resolve_scope(
    inquiry: Inquiry, rates: Rates, ledger: _Ledger,
    recommendations: list[Notice], warnings: list[Notice],
) -> Scope:
    suggested, reason = recommended_scope(inquiry, rates)
    ledger.use(*[getattr(rates, name) for name in _REASON_FIGURES[reason]])
    if inquiry.scope is Scope.AUTO:
        recommendations.append(Notice("scope_recommended",
                                      (("scope", suggested.value), ("reason", reason))))
        _announce_next_scope(inquiry, suggested, rates, ledger, recommendations)
        return suggested
    if suggested is Scope.EXPERT and inquiry.scope is not Scope.EXPERT:
        warnings.append(Notice("scope_raised_for_special_goods",
                               (("requested", inquiry.scope.value),)))
        return Scope.EXPERT
    if SCOPE_ORDER.index(inquiry.scope) < SCOPE_ORDER.index(suggested):
        warnings.append(Notice("scope_below_volume",
                               (("requested", inquiry.scope.value),
                                ("recommended", suggested.value))))
    return inquiry.scope


def _usage(inquiry: Inquiry, scope: Scope, rates: Rates,
           level: Response | None = None) -> tuple[Range, Range, Range, Range]:
    """Per-order and per-hour billing for what is bought (rule 5), hours, and the order rate.

    The scope's own per-order and per-hour bands, with the response surcharge of the monthly
    fee; with emergency response the same minimum as the monthly fee (24-hour staff cost the
    provider the same however they are billed).
    """
    scope_rate = rates.scopes[scope]
    response = rates.responses[inquiry.response if level is None else level]
    surcharge = response.surcharge.value
    up_low, up_high = ONE + surcharge.low, ONE + surcharge.high
    orders_per_month = Decimal(inquiry.daily_orders) * rates.days.single
    order_band, hour_band = scope_rate.per_order.value, scope_rate.per_hour.value
    order_rate = Range(order_band.low * up_low, order_band.high * up_high)
    minutes = rates.minutes_per_order.value
    hours_low = minutes.low * (orders_per_month / SIXTY)
    hours_high = minutes.high * (orders_per_month / SIXTY)
    order_low, order_high = order_rate.low * orders_per_month, order_rate.high * orders_per_month
    hour_low = hours_low * (hour_band.low * up_low)
    hour_high = hours_high * (hour_band.high * up_high)
    if response.floor is not None:
        floor = response.floor.single
        order_low, order_high = max(order_low, floor), max(order_high, floor)
        hour_low, hour_high = max(hour_low, floor), max(hour_high, floor)
    return (Range(order_low, order_high), Range(hour_low, hour_high),
            Range(hours_low, hours_high), order_rate)


def _alternatives(inquiry: Inquiry, scope: Scope, rates: Rates,
                  ledger: _Ledger) -> tuple[Range, Range, Range, Range]:
    scope_rate = rates.scopes[scope]
    response = rates.responses[inquiry.response]
    ledger.use(rates.days, scope_rate.per_order, rates.minutes_per_order, scope_rate.per_hour,
               response.surcharge)
    if response.floor is not None:
        ledger.use(response.floor)
    return _usage(inquiry, scope, rates)


def _break_even(monthly: Range, order_rate: Range, rates: Rates) -> Range:
    """临界单量: daily orders at which per-order billing costs what this monthly plan costs.

    Like with like: the cheap monthly figure against the cheap per-order rate, the dear
    against the dear; the volume lies between the two.
    """
    days = rates.days.single
    cheap = monthly.low / (order_rate.low * days)
    dear = monthly.high / (order_rate.high * days)
    first, second = sorted((whole_up(cheap), whole_up(dear)))
    return Range(first, second)


def _recommend_plan(
    inquiry: Inquiry, monthly: Range, per_order: Range, per_hour: Range, rates: Rates,
    ledger: _Ledger, recommendations: list[Notice],
) -> Billing:
    """A plan is called cheapest only when it is: no dearer than the others at either end."""
    low = min(monthly.low, per_order.low, per_hour.low)
    high = min(monthly.high, per_order.high, per_hour.high)
    cheapest: Billing | None = None
    for plan, cost in ((Billing.MONTHLY, monthly), (Billing.PER_ORDER, per_order),
                       (Billing.PER_HOUR, per_hour)):
        if cost.low == low and cost.high == high:
            cheapest = plan
            break
    if inquiry.billing is not Billing.COMPARE:
        chosen = inquiry.billing
        recommendations.append(Notice("plan_recommended",
                                      (("plan", chosen.value), ("reason", "your_choice"))))
        if cheapest is not None and cheapest is not chosen:
            recommendations.append(Notice("cheaper_plan_available",
                                          (("plan", cheapest.value),)))
        return chosen
    plan, reason = Billing.MONTHLY, "steady_cost_control"
    if cheapest is not None and cheapest is not Billing.MONTHLY:
        plan, reason = cheapest, "cheapest"
    elif cheapest is None:
        # No plan is cheapest at both ends. The monthly fee (predictable) stays the advice
        # unless a usage plan costs less at both ends: then the one of those with the lower
        # midpoint, "cheaper than monthly" (not "cheapest").
        cheaper = [(cost.low + cost.high, billed) for billed, cost in (
            (Billing.PER_ORDER, per_order), (Billing.PER_HOUR, per_hour))
            if cost.low <= monthly.low and cost.high <= monthly.high]
        if cheaper:
            plan, reason = min(cheaper)[1], "cheaper_than_monthly"
    if inquiry.volume is VolumePattern.SEASONAL and plan is Billing.MONTHLY:
        # Compared by midpoint; low + high orders the plans the same way without dividing.
        tolerance = ONE + rates.seasonal_tolerance.single
        ledger.use(rates.seasonal_tolerance)
        if per_order.low + per_order.high <= (monthly.low + monthly.high) * tolerance:
            plan, reason = Billing.PER_ORDER, "seasonal_flexibility"
    recommendations.append(Notice("plan_recommended",
                                  (("plan", plan.value), ("reason", reason))))
    return plan


def _kpi(inquiry: Inquiry, rates: Rates, ledger: _Ledger) -> tuple[Notice, ...]:
    ledger.use(rates.resolution_rate_min, rates.satisfaction_min, rates.kpi_deduction)
    return _kpi_clauses(rates.responses[inquiry.response].minutes,
                        rates.resolution_rate_min.percent[0], rates.satisfaction_min.percent[0],
                        rates.kpi_deduction.percent)


@lru_cache(maxsize=64)
def _kpi_clauses(minutes: int, resolution: str, satisfaction: str,
                 deduction: tuple[str, str]) -> tuple[Notice, ...]:
    """The contract clause: the same for every quote with the same rates and response."""
    return (
        Notice("response_time", (("minutes", str(minutes)),)),
        Notice("resolution_rate", (("min", resolution),)),
        Notice("satisfaction", (("min", satisfaction), ("deduction_low", deduction[0]),
                                ("deduction_high", deduction[1]))),
    )


# --- budget advice (rule 6): an exhaustive search over the allowed changes ----------------

# Billing changes: ai, own system and service mode do not change what per-order or per-hour
# billing costs, so they are not combined with them.
_BILLING_CHANGES = ("billing_per_order", "billing_per_hour")
_MONTHLY_ONLY = ("own_system", "use_ai", "no_ai", "mode_part_time")


def budget_changes(inquiry: Inquiry, scope: Scope, rates: Rates) -> list[str]:
    """The allowed changes for this quote, each a code (one change each).

    AI: the other choice; with "帮我推荐" either firm choice (AI at both ends or none).
    """
    changes: list[str] = []
    level = RESPONSE_ORDER.index(inquiry.response)
    if level:
        changes.append(f"response_{RESPONSE_ORDER[level - 1].value}")
    position = SCOPE_ORDER.index(scope)
    if position and not inquiry.product_kinds & rates.expert_kinds:
        changes.append(f"scope_{SCOPE_ORDER[position - 1].value}")
    if inquiry.tooling is not Tooling.OWN:
        changes.append("own_system")
    if inquiry.ai is not AiChoice.YES:
        changes.append("use_ai")
    if inquiry.ai is not AiChoice.NO:
        changes.append("no_ai")
    if inquiry.mode is not ServiceMode.PART_TIME:
        changes.append("mode_part_time")
    changes += _BILLING_CHANGES
    return changes


# What each change code does to the inquiry: (which answer, its new value).
_EFFECTS: dict[str, tuple[str, object]] = {
    **{f"response_{level.value}": ("response", level) for level in RESPONSE_ORDER},
    **{f"scope_{scope.value}": ("scope", scope) for scope in SCOPE_ORDER},
    "own_system": ("tooling", Tooling.OWN),
    "mode_part_time": ("mode", ServiceMode.PART_TIME),
    "use_ai": ("ai", AiChoice.YES),
    "no_ai": ("ai", AiChoice.NO),
    **{change: ("billing", change) for change in _BILLING_CHANGES},
}


def _allowed(combination: tuple[str, ...]) -> bool:
    if "use_ai" in combination and "no_ai" in combination:
        return False
    billed = [change for change in combination if change in _BILLING_CHANGES]
    return not billed or (len(billed) == 1
                          and not any(change in _MONTHLY_ONLY for change in combination))


def _complex_base(inquiry: Inquiry, response: Response, scope: Scope,
                  rates: Rates) -> tuple[Decimal, Decimal]:
    """Staffing + response + complexity, low and high: `_human_fee` before any factor."""
    scope_rate = rates.scopes[scope]
    units = max(ONE, Decimal(inquiry.daily_orders) / scope_rate.capacity.single)
    band = scope_rate.band.value
    low, high = band.low * units, band.high * units
    surcharge = rates.responses[response].surcharge.value
    base_low, base_high = low + low * surcharge.low, high + high * surcharge.high
    low, high = base_low, base_high
    for figure, applies in (
        (rates.categories_surcharge, inquiry.categories >= rates.categories_from),
        (rates.multi_level_surcharge, inquiry.multi_level),
        (rates.cross_border_surcharge, inquiry.cross_border),
    ):
        if applies:
            low, high = low + base_low * figure.value.low, high + base_high * figure.value.high
    return low, high


class _Variants:
    """Prices a combination of budget changes; shared pieces are computed once.

    Monthly costs are those of `_finish(_human_fee(...))`, with the same Decimal operations
    in the same order (so the figures are identical), without building line items.
    """

    def __init__(self, inquiry: Inquiry, scope: Scope, rates: Rates) -> None:
        self.inquiry, self.scope, self.rates = inquiry, scope, rates
        self.bases: dict[tuple[Response, Scope], tuple[Decimal, Decimal]] = {}
        self.usage: dict[tuple[Response, Scope], tuple[Range, Range]] = {}
        self.costs: dict[tuple[str, ...], Range] = {}

    def cost(self, combination: tuple[str, ...]) -> Range:
        cost = self.costs.get(combination)
        if cost is None:
            cost = self.costs[combination] = self._cost(combination)
        return cost

    def _cost(self, combination: tuple[str, ...]) -> Range:
        inquiry, rates = self.inquiry, self.rates
        response, scope, ai = inquiry.response, self.scope, inquiry.ai
        tooling, mode, billing = inquiry.tooling, inquiry.mode, ""
        for change in combination:
            kind, value = _EFFECTS[change]
            if kind == "response":
                response = value  # type: ignore[assignment]
            elif kind == "scope":
                scope = value  # type: ignore[assignment]
            elif kind == "tooling":
                tooling = value  # type: ignore[assignment]
            elif kind == "mode":
                mode = value  # type: ignore[assignment]
            elif kind == "billing":
                billing = change
            else:
                ai = value  # type: ignore[assignment]
        key = (response, scope)
        if billing:
            usage = self.usage.get(key)
            if usage is None:
                per_order, per_hour, _, _ = _usage(inquiry, scope, rates, response)
                usage = self.usage[key] = (per_order, per_hour)
            return usage[0] if billing == "billing_per_order" else usage[1]
        base = self.bases.get(key)
        if base is None:
            base = self.bases[key] = _complex_base(inquiry, response, scope, rates)
        low, high = base
        if mode is not ServiceMode.OUTSOURCED:
            factor = rates.modes[mode].value
            low, high = low * factor.low, high * factor.high
        if tooling is Tooling.OWN:
            factor = rates.own_system_factor.value
            low, high = low * factor.low, high * factor.high
        if ai is AiChoice.AUTO:
            human = self._finish(response, tooling, low, high, AI_NONE)
            with_ai = self._finish(response, tooling, low, high, AI_BOTH)
            return Range(min(human.low, with_ai.low), min(human.high, with_ai.high))
        return self._finish(response, tooling, low, high,
                            AI_BOTH if ai is AiChoice.YES else AI_NONE)

    def _finish(self, response: Response, tooling: Tooling, low: Decimal, high: Decimal,
                ai: _AiEnds) -> Range:
        rates, inquiry = self.rates, self.inquiry
        if ai[0]:
            low = low * rates.ai_factor.value.low
        if ai[1]:
            high = high * rates.ai_factor.value.high
        floor = rates.responses[response].floor
        emergency = None if floor is None else floor.single
        ai_floor = rates.ai_floor.single
        minimums = [ai_floor if uses_ai and (emergency is None or emergency < ai_floor)
                    else emergency for uses_ai in ai]
        if minimums[0] is not None:
            low = max(low, minimums[0])
        if minimums[1] is not None:
            high = max(high, minimums[1])
        if tooling is Tooling.BUNDLE:
            low, high = low + rates.bundle_fee.value.low, high + rates.bundle_fee.value.high
        if inquiry.discount:
            low, high = low + low * -inquiry.discount, high + high * -inquiry.discount
        return Range(low, high)


def _fit_budget(inquiry: Inquiry, scope: Scope, plan: _Plan, rates: Rates) -> BudgetFit | None:
    """The fewest changes whose high figure fits the budget, else whose low figure fits,
    else the cheapest combination and what is still missing. Ties: the cheaper one.

    Every change lowers the price or leaves it (load_rates checks the orders that make it
    so) except AI, which the package minimum can make dearer. So the cheapest of all
    combinations is among a few: every lowering change with each AI choice, and per-order
    or per-hour billing after both the response and the scope changes. They tell at once
    whether anything fits; then the search goes one more change at a time and stops at
    the first number of changes where something fits.
    """
    budget = inquiry.budget
    if budget is None:
        return None
    if plan.monthly.high <= budget:
        return BudgetFit(budget, "fits", monthly=plan.monthly)
    variants = _Variants(inquiry, scope, rates)
    changes = budget_changes(inquiry, scope, rates)
    lowering = tuple([c for c in changes if c not in _BILLING_CHANGES and c[-3:] != "_ai"])
    moving = tuple([c for c in lowering if c.startswith(("response_", "scope_"))])
    ai_choices = [(), *[(c,) for c in changes if c[-3:] == "_ai"]]
    extremes = [variants.cost(combination) for combination in (
        *[(*lowering, *ai) for ai in ai_choices], (*moving, "billing_per_order"),
        (*moving, "billing_per_hour"))]
    if min(cost.high for cost in extremes) <= budget:
        status, end = "fits_with_changes", "high"
    elif min(cost.low for cost in extremes) <= budget:
        if plan.monthly.low <= budget:
            return BudgetFit(budget, "fits_low", monthly=plan.monthly)
        status, end = "fits_low_with_changes", "low"
    else:
        cheapest = min(cost.low for cost in extremes)
        for size in range(len(changes) + 1):
            found = [(cost.high, index, combination, cost)
                     for index, combination in enumerate(combinations(changes, size))
                     if _allowed(combination)
                     and (cost := variants.cost(combination)).low == cheapest]
            if found:
                _, _, combination, cost = min(found)
                return BudgetFit(budget, "does_not_fit", combination, cost,
                                 shortfall=cost.low - budget)
        raise AssertionError("the cheapest combination is always found")  # pragma: no cover
    for size in range(1, len(changes) + 1):
        fitting = []
        for index, combination in enumerate(combinations(changes, size)):
            if _allowed(combination):
                cost = variants.cost(combination)
                first, second = ((cost.high, cost.low) if end == "high"
                                 else (cost.low, cost.high))
                if first <= budget:
                    fitting.append((first, second, index, combination, cost))
        if fitting:
            _, _, _, combination, cost = min(fitting)
            return BudgetFit(budget, status, combination, cost)
    raise AssertionError("a fitting combination is always found")  # pragma: no cover


def monthly_total(inquiry: Inquiry, rates: Rates) -> Range:
    """The monthly total of `quote(inquiry, rates)` alone, for sweeps over many volumes.

    Same scope and AI decisions, same arithmetic; no line items, notices or alternatives.
    """
    scope = inquiry.scope
    suggested, _ = recommended_scope(inquiry, rates)
    if scope is Scope.AUTO or suggested is Scope.EXPERT:
        scope = suggested
    human = _human_fee(inquiry, scope, rates)
    if inquiry.ai is not AiChoice.AUTO:
        return _total(human, AI_BOTH if inquiry.ai is AiChoice.YES else AI_NONE, inquiry, rates)
    with_ai = _total(human, AI_BOTH, inquiry, rates)
    without_ai = _total(human, AI_NONE, inquiry, rates)
    return _total(human, _auto_ai(with_ai, without_ai), inquiry, rates)


def quote(inquiry: Inquiry, rates: Rates) -> Quote:
    """Price an inquiry. Pure: the same inquiry and rates always give the same quote."""
    ledger = _Ledger()
    recommendations: list[Notice] = []
    warnings: list[Notice] = []
    scope = _resolve_scope(inquiry, rates, ledger, recommendations, warnings)

    human = _human_fee(inquiry, scope, rates)
    if inquiry.ai is AiChoice.YES:
        plan = _finish(human, AI_BOTH, inquiry, rates)
        if plan.ai_raises_price:
            warnings.append(Notice("ai_not_worth_it",
                                   (("floor", str(rates.ai_floor.single)),)))
            recommendations.append(Notice("recommend_without_ai", ()))
        with_ai = without_ai = plan.monthly
        auto = AI_BOTH
    else:
        # Both totals are compared; only the plan shown gets its line items.
        with_ai = _total(human, AI_BOTH, inquiry, rates)
        without_ai = _total(human, AI_NONE, inquiry, rates)
        # "帮我推荐" uses AI at each end where it is cheaper: below the AI package minimum a
        # plain seat is the cheap end, above it AI. Chosen end by end, the price stays
        # continuous and never rises with fewer orders, a slower response or own system.
        auto = _auto_ai(with_ai, without_ai)
    if inquiry.ai is AiChoice.NO:
        plan = _finish(human, AI_NONE, inquiry, rates)
        if auto != AI_NONE:
            recommendations.append(Notice("consider_ai", _saving(without_ai, with_ai, auto)))
    elif inquiry.ai is AiChoice.AUTO:
        plan = _finish(human, auto, inquiry, rates)
        if auto != AI_NONE:
            recommendations.append(Notice("ai_recommended", _saving(without_ai, with_ai, auto)))
        else:
            ledger.use(rates.ai_floor)
            recommendations.append(Notice("ai_not_recommended",
                                          (("floor", str(rates.ai_floor.single)),)))

    per_order, per_hour, hours, order_rate = _alternatives(inquiry, scope, rates, ledger)
    recommended = _recommend_plan(inquiry, plan.monthly, per_order, per_hour, rates, ledger,
                                  recommendations)

    ledger.use(rates.low_price_trap)
    if plan.monthly.low < rates.low_price_trap.single:
        warnings.append(Notice("low_price_trap",
                               (("threshold", str(rates.low_price_trap.single)),)))
    if inquiry.mode is ServiceMode.PART_TIME:
        warnings.append(Notice("part_time_instability", ()))
    elif inquiry.mode is ServiceMode.FULL_TIME:
        warnings.append(Notice("full_time_hidden_costs", ()))
    if recommended is Billing.PER_ORDER:
        warnings.append(Notice("per_order_surge_risk", ()))
    elif recommended is Billing.MONTHLY and inquiry.volume is VolumePattern.SEASONAL:
        warnings.append(Notice("monthly_idle_risk", ()))
    if inquiry.tooling is Tooling.OWN:
        warnings.append(Notice("own_system_maintenance", ()))

    ledger.use(rates.validity_days)
    coverage = _coverage(inquiry, scope, plan.units, rates, ledger)
    billed = _billed(inquiry, recommended, plan.monthly, per_order, per_hour, hours,
                     rates.days.single)
    fit = _fit_budget(inquiry, scope, plan, rates)
    if fit is not None:
        fit = replace(fit, plan=billed.method, price=billed.monthly)
    return Quote(
        inquiry=inquiry,
        scope=scope,
        ai_applied=plan.uses_ai,
        units=plan.units,
        unit=plan.unit,
        line_items=plan.line_items,
        monthly=plan.monthly,
        per_order=per_order,
        per_hour=per_hour,
        hours_per_month=hours,
        break_even_daily_orders=_break_even(plan.monthly, order_rate, rates),
        recommended_plan=recommended,
        recommendations=tuple(recommendations),
        warnings=tuple(warnings),
        kpi=_kpi(inquiry, rates, ledger),
        budget_fit=fit,
        assumptions=ledger.assumptions(plan.line_items, rates),
        rates_version=rates.version,
        validity_days=int(rates.validity_days.single),
        coverage=coverage,
        billed=billed,
        mix=(MixShare(scope, ONE),),
        in_house=_in_house(coverage.headcount, scope, rates, ledger),
        days_per_month=rates.days.single,
        per_order_rate=order_rate.scale(rates.days.single),
    )


def coverage_hours(inquiry: Inquiry, rates: Rates) -> tuple[int, str]:
    """Hours a day covered and why: emergency response means 24 (rule 13); else the hours
    the merchant gave, else the rates' default, which the quote states."""
    if inquiry.response is Response.EMERGENCY:
        return 24, "emergency"
    if inquiry.hours is not None:
        return inquiry.hours, "asked"
    return int(rates.default_hours.single), "default"


def _coverage(inquiry: Inquiry, scope: Scope, units: Range, rates: Rates,
              ledger: _Ledger) -> Coverage:
    """People: the workload's people (units × people per unit), and at least one person on
    each covered 8-hour shift; whole people."""
    hours, basis = coverage_hours(inquiry, rates)
    people = rates.scopes[scope].people
    ledger.use(rates.default_hours, people)
    shifts = Decimal(hours // 8)
    headcount = Range(max(shifts, whole_up(units.low * people.value.low)),
                      max(shifts, whole_up(units.high * people.value.high)))
    return Coverage(hours, headcount, ROTATIONS[hours], basis)


def _in_house(headcount: Range, scope: Scope, rates: Rates, ledger: _Ledger) -> InHouse:
    """Employing the same people: salary plus employer on-costs, training and management."""
    salary = rates.scopes[scope].in_house_salary
    ledger.use(salary, rates.in_house_oncosts, rates.in_house_management)
    on_top = rates.in_house_oncosts.value + rates.in_house_management.value
    per_person = Range(salary.value.low * (ONE + on_top.low),
                       salary.value.high * (ONE + on_top.high))
    return InHouse(per_person.times(headcount), headcount)


def _billed(inquiry: Inquiry, recommended: Billing, monthly: Range, per_order: Range,
            per_hour: Range, hours: Range, days: Decimal) -> Billed:
    """The plan the merchant is billed on (their choice, else the recommended one)."""
    method = recommended if inquiry.billing is Billing.COMPARE else inquiry.billing
    if method is Billing.PER_ORDER:
        orders = Decimal(inquiry.daily_orders) * days
        return Billed(method, per_order, per_order.scale(1 / orders))
    if method is Billing.PER_HOUR:
        unit = (Range(per_hour.low / hours.low, per_hour.high / hours.high)
                if hours.low > 0 else None)
        return Billed(method, per_hour, unit)
    return Billed(Billing.MONTHLY, monthly, None)


def _saving(human: Range, with_ai: Range, ends: _AiEnds) -> tuple[tuple[str, str], ...]:
    """What AI saves at each end where it is used (nothing where it is not)."""
    low = human.low - with_ai.low if ends[0] else Decimal(0)
    high = human.high - with_ai.high if ends[1] else Decimal(0)
    return (("saving_low", str(low)), ("saving_high", str(high)))
