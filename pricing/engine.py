"""`quote(inquiry, rates)`: the pure pricing function.

The monthly plan is built as line items in the order of pricing.md:
staffing → 24 h coverage → response surcharge → complexity → service mode → own system →
emergency floor → AI → tools bundle. Each line records the rates keys it used, so the quote
can list which of its figures are assumptions rather than article figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from itertools import chain

from pricing.model import (
    RESPONSE_ORDER,
    SCOPE_ORDER,
    AiChoice,
    Billing,
    BudgetFit,
    Inquiry,
    LineItem,
    Notice,
    Quote,
    Range,
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
    """The customer-service fee of pure human staffing, before AI and the tools bundle."""

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
    """Seats (or teams, for team-priced scopes) the daily volume needs, and the figures used."""
    scope_rate = rates.scopes[scope]
    if scope_rate.orders_per_team is not None:
        per_team = scope_rate.orders_per_team.single
        teams = max(ONE, whole_up(Decimal(orders) / per_team))
        return Range(teams, teams), (scope_rate.orders_per_team,)
    tier = rates.seat_tiers[0]
    for candidate in rates.seat_tiers:
        if orders >= candidate.from_orders:
            tier = candidate
    seats = tier.seats.value
    if tier is rates.seat_tiers[-1] and orders > tier.from_orders:
        extra = Decimal((orders - tier.from_orders) // int(rates.orders_per_extra_seat.single))
        if extra:
            return Range(seats.low + extra, seats.high + extra), (
                tier.seats, rates.orders_per_extra_seat)
    return seats, (tier.seats,)


def _human_fee(inquiry: Inquiry, scope: Scope, rates: Rates) -> _HumanFee:
    lines: list[LineItem] = []
    scope_rate = rates.scopes[scope]
    units, unit_figures = staffing_units(inquiry.daily_orders, scope, rates)
    staffing = scope_rate.band.value.times(units)
    lines.append(_line("staffing", staffing, scope_rate.band, *unit_figures,
                       scope=scope, unit=scope_rate.unit,
                       units_low=units.low, units_high=units.high))

    response = rates.responses[inquiry.response]
    staffed = staffing
    if response.shifts is not None and response.shifts.single > ONE:
        extra_shifts = response.shifts.single - ONE
        coverage = staffing.scale(extra_shifts)
        lines.append(_line("coverage_24h", coverage, response.shifts,
                           shifts=response.shifts.single))
        staffed = staffed + coverage
    surcharge = staffed.times(response.surcharge.value)
    lines.append(_line("response", surcharge, response.surcharge,
                       level=inquiry.response, minutes=response.minutes,
                       pct_low=response.surcharge.percent[0],
                       pct_high=response.surcharge.percent[1]))
    base = staffed + surcharge

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
        lines.append(_line("service_mode", adjusted - fee, factor,
                           mode=inquiry.mode))
        fee = adjusted

    if inquiry.tooling is Tooling.OWN:
        factor = rates.own_system_factor
        adjusted = fee.times(factor.value)
        lines.append(_line("own_system", adjusted - fee, factor,
                           pct_low=factor.reduction[0], pct_high=factor.reduction[1]))
        fee = adjusted

    if response.floor is not None:
        floored = fee.at_least(response.floor.single)
        if floored != fee:
            lines.append(_line("emergency_floor", floored - fee, response.floor,
                               floor=response.floor.single))
            fee = floored
    return _HumanFee(tuple(lines), fee, units, scope_rate.unit)


def _finish(human: _HumanFee, use_ai: bool, inquiry: Inquiry, rates: Rates) -> _Plan:
    """The monthly plan: the human fee, AI if asked for, then the tools bundle."""
    lines = list(human.line_items)
    fee = human.fee
    ai_raises_price = False
    if use_ai:
        discounted = fee.times(rates.ai_factor.value)
        with_ai = discounted.at_least(rates.ai_floor.single)
        # The package floor can make AI dearer than the human fee at either end.
        ai_raises_price = with_ai.low > fee.low or with_ai.high > fee.high
        lines.append(_line("ai", with_ai - fee, rates.ai_factor, rates.ai_floor,
                           pct_low=rates.ai_factor.reduction[0],
                           pct_high=rates.ai_factor.reduction[1],
                           floor=rates.ai_floor.single))
        fee = with_ai

    if inquiry.tooling is Tooling.BUNDLE:
        lines.append(_line("tooling_bundle", rates.bundle_fee.value, rates.bundle_fee))
        fee = fee + rates.bundle_fee.value

    if inquiry.discount:
        # A salesperson's discount: on the whole monthly plan, outside the rates.
        off = fee.scale(-inquiry.discount)
        lines.append(LineItem("sales_discount", off, (), "sales",
                              (("pct", f"{(inquiry.discount * 100).normalize():f}"),)))
        fee = fee + off

    return _Plan(tuple(lines), fee, human.units, human.unit, ai_raises_price, use_ai)


def _plan(inquiry: Inquiry, scope: Scope, use_ai: bool, rates: Rates) -> _Plan:
    return _finish(_human_fee(inquiry, scope, rates), use_ai, inquiry, rates)


def recommended_scope(inquiry: Inquiry, rates: Rates) -> tuple[Scope, str]:
    """The scope the article suggests for these answers, and why (a reason code)."""
    if inquiry.product_kinds & rates.expert_kinds:
        return Scope.EXPERT, "special_goods"
    if inquiry.daily_orders >= rates.full_chain_from.single:
        return Scope.FULL_CHAIN, "volume_large"
    if inquiry.daily_orders >= rates.technical_from.single:
        return Scope.TECHNICAL, "volume_medium"
    return Scope.BASIC, "volume_small"


def _resolve_scope(
    inquiry: Inquiry, rates: Rates, ledger: _Ledger,
    recommendations: list[Notice], warnings: list[Notice],
) -> Scope:
    suggested, reason = recommended_scope(inquiry, rates)
    if reason == "special_goods":
        ledger.use(rates.expert_kinds_figure)
    else:
        ledger.use(rates.technical_from, rates.full_chain_from)
    if inquiry.scope is Scope.AUTO:
        recommendations.append(Notice("scope_recommended",
                                      (("scope", suggested.value), ("reason", reason))))
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


def _alternatives(inquiry: Inquiry, rates: Rates, ledger: _Ledger) -> tuple[Range, Range, Range]:
    days = rates.days.single
    orders_per_month = Decimal(inquiry.daily_orders) * days
    per_order = rates.per_order.value.scale(orders_per_month)
    hours = rates.minutes_per_order.value.scale(orders_per_month / SIXTY)
    per_hour = hours.times(rates.per_hour.value)
    ledger.use(rates.days, rates.per_order, rates.minutes_per_order, rates.per_hour)
    return per_order, per_hour, hours


def _break_even(monthly: Range, rates: Rates) -> Range:
    """Daily orders at which per-order billing costs what this monthly plan costs.

    Like with like: the cheap monthly figure against the cheap per-order rate, the dear
    against the dear; the break-even lies between the two.
    """
    days = rates.days.single
    cheap = monthly.low / (rates.per_order.value.low * days)
    dear = monthly.high / (rates.per_order.value.high * days)
    first, second = sorted((whole_up(cheap), whole_up(dear)))
    return Range(first, second)


def _recommend_plan(
    inquiry: Inquiry, monthly: Range, per_order: Range, per_hour: Range, rates: Rates,
    ledger: _Ledger, recommendations: list[Notice],
) -> Billing:
    # Compared by midpoint; low + high orders the plans the same way without dividing.
    costs: dict[Billing, Decimal] = {Billing.MONTHLY: monthly.low + monthly.high,
                                     Billing.PER_ORDER: per_order.low + per_order.high,
                                     Billing.PER_HOUR: per_hour.low + per_hour.high}
    cheapest: Billing = min(costs, key=lambda plan: costs[plan])
    if inquiry.billing is not Billing.COMPARE:
        chosen = inquiry.billing
        recommendations.append(Notice("plan_recommended",
                                      (("plan", chosen.value), ("reason", "your_choice"))))
        if cheapest is not chosen:
            recommendations.append(Notice("cheaper_plan_available",
                                          (("plan", cheapest.value),)))
        return chosen
    plan, reason = cheapest, "cheapest"
    if inquiry.volume is VolumePattern.SEASONAL:
        tolerance = ONE + rates.seasonal_tolerance.single
        ledger.use(rates.seasonal_tolerance)
        if costs[Billing.PER_ORDER] <= costs[Billing.MONTHLY] * tolerance:
            plan, reason = Billing.PER_ORDER, "seasonal_flexibility"
    elif plan is Billing.MONTHLY:
        reason = "steady_cost_control"
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


@dataclass(frozen=True, slots=True)
class _Choice:
    """What a budget concession may change: the answers, the scope, AI on or off."""

    inquiry: Inquiry
    scope: Scope
    use_ai: bool


def _use_ai(choice: _Choice, rates: Rates) -> tuple[str, _Choice] | None:
    return None if choice.use_ai else ("use_ai", replace(choice, use_ai=True))


def _own_system(choice: _Choice, rates: Rates) -> tuple[str, _Choice] | None:
    if choice.inquiry.tooling is Tooling.OWN:
        return None
    return "own_system", replace(choice, inquiry=replace(choice.inquiry, tooling=Tooling.OWN))


def _slower_response(choice: _Choice, rates: Rates) -> tuple[str, _Choice] | None:
    level = RESPONSE_ORDER.index(choice.inquiry.response)
    if level == 0:
        return None
    slower = RESPONSE_ORDER[level - 1]
    return (f"response_{slower.value}",
            replace(choice, inquiry=replace(choice.inquiry, response=slower)))


def _lighter_scope(choice: _Choice, rates: Rates) -> tuple[str, _Choice] | None:
    position = SCOPE_ORDER.index(choice.scope)
    needs_expert = bool(choice.inquiry.product_kinds & rates.expert_kinds)
    if position == 0 or needs_expert:
        return None
    lighter = SCOPE_ORDER[position - 1]
    return f"scope_{lighter.value}", replace(choice, scope=lighter)


# Cheapest loss of service first; the last two repeat one level at a time.
_CONCESSIONS = (_use_ai, _own_system, _slower_response, _lighter_scope)


def _fit_budget(inquiry: Inquiry, scope: Scope, human: _HumanFee, plan: _Plan,
                per_order: Range, rates: Rates) -> BudgetFit | None:
    """The plan closest to the merchant's answers that fits the budget, or what is missing.

    Concessions are applied cumulatively; one is kept only when it lowers the low figure.
    Per-order billing is the last resort.
    """
    budget = inquiry.budget
    if budget is None:
        return None
    if plan.monthly.high <= budget:
        return BudgetFit(budget, "fits", monthly=plan.monthly)
    if plan.monthly.low <= budget:
        return BudgetFit(budget, "fits_low", monthly=plan.monthly)

    choice = _Choice(inquiry, scope, plan.uses_ai)
    best, changes = plan.monthly, []
    for concession in _CONCESSIONS:
        while (proposal := concession(choice, rates)) is not None:
            change, candidate = proposal
            candidate_human = human  # only AI changes: the human fee stays the same
            if candidate.inquiry is not choice.inquiry or candidate.scope is not choice.scope:
                candidate_human = _human_fee(candidate.inquiry, candidate.scope, rates)
            priced = _finish(candidate_human, candidate.use_ai, candidate.inquiry, rates)
            if priced.monthly.low >= best.low:
                break
            choice, human, best = candidate, candidate_human, priced.monthly
            changes.append(change)
            if best.low <= budget:
                return BudgetFit(budget, "fits_with_changes", tuple(changes), best)
    if per_order.low <= budget:
        return BudgetFit(budget, "fits_with_changes", (*changes, "billing_per_order"),
                         per_order)
    return BudgetFit(budget, "does_not_fit", tuple(changes), best,
                     shortfall=min(best.low, per_order.low) - budget)


def quote(inquiry: Inquiry, rates: Rates) -> Quote:
    """Price an inquiry. Pure: the same inquiry and rates always give the same quote."""
    ledger = _Ledger()
    recommendations: list[Notice] = []
    warnings: list[Notice] = []
    scope = _resolve_scope(inquiry, rates, ledger, recommendations, warnings)

    human = _human_fee(inquiry, scope, rates)
    # Price only the variants this quote shows or compares against.
    volume_for_ai = inquiry.daily_orders >= rates.ai_recommend_from.single
    if inquiry.ai is AiChoice.NO and not volume_for_ai:
        without_ai = with_ai = _finish(human, False, inquiry, rates)
        ai_pays_off = False
    else:
        with_ai = _finish(human, True, inquiry, rates)
        ai_pays_off = volume_for_ai and not with_ai.ai_raises_price
        without_ai = with_ai
        if inquiry.ai is not AiChoice.YES:
            without_ai = _finish(human, False, inquiry, rates)
    if inquiry.ai is AiChoice.NO:
        plan = without_ai
        if ai_pays_off:
            ledger.use(rates.ai_recommend_from)
            recommendations.append(Notice("consider_ai",
                                          _saving(without_ai.monthly, with_ai.monthly)))
    elif inquiry.ai is AiChoice.YES:
        plan = with_ai
        if plan.ai_raises_price:
            warnings.append(Notice("ai_not_worth_it",
                                   (("floor", str(rates.ai_floor.single)),)))
            recommendations.append(Notice("recommend_without_ai", ()))
    else:
        ledger.use(rates.ai_recommend_from)
        plan = with_ai if ai_pays_off else without_ai
        if ai_pays_off:
            recommendations.append(Notice("ai_recommended",
                                          _saving(without_ai.monthly, with_ai.monthly)))
        else:
            ledger.use(rates.ai_floor)
            recommendations.append(Notice("ai_not_recommended",
                                          (("floor", str(rates.ai_floor.single)),)))

    per_order, per_hour, hours = _alternatives(inquiry, rates, ledger)
    recommended = _recommend_plan(inquiry, plan.monthly, per_order, per_hour, rates, ledger,
                                  recommendations)

    if scope is not Scope.FULL_CHAIN and plan.unit == "seat" and plan.units.low > 1:
        team = _plan(inquiry, Scope.FULL_CHAIN, plan.uses_ai, rates)
        if team.monthly.high < plan.monthly.high:
            recommendations.append(Notice("consider_full_chain_team", ()))

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
        break_even_daily_orders=_break_even(plan.monthly, rates),
        recommended_plan=recommended,
        recommendations=tuple(recommendations),
        warnings=tuple(warnings),
        kpi=_kpi(inquiry, rates, ledger),
        budget_fit=_fit_budget(inquiry, scope, human, plan, per_order, rates),
        assumptions=ledger.assumptions(plan.line_items, rates),
        rates_version=rates.version,
        validity_days=int(rates.validity_days.single),
        days_per_month=rates.days.single,
    )


def _saving(human: Range, with_ai: Range) -> tuple[tuple[str, str], ...]:
    return (("saving_low", str(human.low - with_ai.low)),
            ("saving_high", str(human.high - with_ai.high)))

