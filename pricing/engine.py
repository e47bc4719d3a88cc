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
from itertools import chain, product

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


def _finish(human: _HumanFee, use_ai: bool, inquiry: Inquiry, rates: Rates) -> _Plan:
    """The monthly plan: the human fee, AI if asked for, the minimum fee, the tools bundle.

    Floors apply last (rule 4): the emergency minimum and the AI package minimum hold on the
    customer-service fee after every discount (service mode, own system, AI). Only the higher
    of the two applies; the tools bundle is a separate fee on top.
    """
    lines = list(human.line_items)
    fee = human.fee
    if use_ai:
        discounted = fee.times(rates.ai_factor.value)
        lines.append(_line("ai", discounted - fee, rates.ai_factor,
                           pct_low=rates.ai_factor.reduction[0],
                           pct_high=rates.ai_factor.reduction[1]))
        fee = discounted

    floor = rates.responses[inquiry.response].floor
    if use_ai and (floor is None or floor.single < rates.ai_floor.single):
        floor = rates.ai_floor
    if floor is not None:
        floored = fee.at_least(floor.single)
        if floored != fee:
            code = "ai_floor" if floor is rates.ai_floor else "emergency_floor"
            lines.append(_line(code, floored - fee, floor, floor=floor.single))
            fee = floored
    # The package floor can make AI dearer than pure human staffing: on average (the
    # midpoint), AI is then not worth it. An emergency floor applies with or without AI.
    ai_raises_price = (use_ai and floor is rates.ai_floor
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

    return _Plan(tuple(lines), fee, human.units, human.unit, ai_raises_price, use_ai)


def _plan(inquiry: Inquiry, scope: Scope, use_ai: bool, rates: Rates) -> _Plan:
    return _finish(_human_fee(inquiry, scope, rates), use_ai, inquiry, rates)


def recommended_scope(inquiry: Inquiry, rates: Rates) -> tuple[Scope, str]:
    """The scope the article suggests for these answers, and which of its rules applied.

    Product kinds first (rule 7): blockchain/NFT goods need expert CS; a large volume needs a
    full-chain team; technical goods (game-card batch activation, software keys) need
    technical CS; standardised goods alone (phone top-up) are served by basic CS with AI.
    Otherwise the article's merchant sizes: < 100 orders a day basic, 100–499 technical.
    """
    kinds = inquiry.product_kinds
    if kinds & rates.expert_kinds:
        return Scope.EXPERT, "special_goods"
    if inquiry.daily_orders >= rates.full_chain_from.single:
        return Scope.FULL_CHAIN, "volume_large"
    if kinds & rates.technical_kinds:
        return Scope.TECHNICAL, "technical_goods"
    if kinds and kinds <= rates.basic_ai_kinds:
        return Scope.BASIC, "standard_goods"
    if inquiry.daily_orders >= rates.technical_from.single:
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


def _resolve_scope(
    inquiry: Inquiry, rates: Rates, ledger: _Ledger,
    recommendations: list[Notice], warnings: list[Notice],
) -> Scope:
    suggested, reason = recommended_scope(inquiry, rates)
    ledger.use(*[getattr(rates, name) for name in _REASON_FIGURES[reason]])
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


def _usage(inquiry: Inquiry, scope: Scope, rates: Rates) -> tuple[Range, Range, Range, Range]:
    """Per-order and per-hour billing for what is bought (rule 5), hours, and the order rate.

    The scope's own per-order and per-hour bands, with the response surcharge of the monthly
    fee; with emergency response the same minimum as the monthly fee (24-hour staff cost the
    provider the same however they are billed).
    """
    scope_rate = rates.scopes[scope]
    response = rates.responses[inquiry.response]
    uplift = Range(ONE + response.surcharge.value.low, ONE + response.surcharge.value.high)
    orders_per_month = Decimal(inquiry.daily_orders) * rates.days.single
    order_rate = scope_rate.per_order.value.times(uplift)
    per_order = order_rate.scale(orders_per_month)
    hours = rates.minutes_per_order.value.scale(orders_per_month / SIXTY)
    per_hour = hours.times(scope_rate.per_hour.value.times(uplift))
    if response.floor is not None:
        per_order = per_order.at_least(response.floor.single)
        per_hour = per_hour.at_least(response.floor.single)
    return per_order, per_hour, hours, order_rate


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
    costs: dict[Billing, Range] = {Billing.MONTHLY: monthly, Billing.PER_ORDER: per_order,
                                   Billing.PER_HOUR: per_hour}
    cheapest: Billing | None = None
    for plan, cost in costs.items():
        if all(cost.low <= other.low and cost.high <= other.high for other in costs.values()):
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

# Billing alternatives a budget may switch to; ai, own system and service mode do not change
# what per-order or per-hour billing costs, so they are not combined with them.
_BILLINGS = ("monthly", "billing_per_order", "billing_per_hour")


def _budget_options(inquiry: Inquiry, scope: Scope, uses_ai: bool,
                    rates: Rates) -> list[tuple[str, tuple[str, ...]]]:
    """The allowed changes, each as its code and the alternatives it offers ("" = keep)."""
    options: list[tuple[str, tuple[str, ...]]] = []
    level = RESPONSE_ORDER.index(inquiry.response)
    if level:
        options.append(("response", ("", f"response_{RESPONSE_ORDER[level - 1].value}")))
    position = SCOPE_ORDER.index(scope)
    if position and not inquiry.product_kinds & rates.expert_kinds:
        options.append(("scope", ("", f"scope_{SCOPE_ORDER[position - 1].value}")))
    if inquiry.tooling is not Tooling.OWN:
        options.append(("tooling", ("", "own_system")))
    options.append(("ai", ("", "no_ai" if uses_ai else "use_ai")))
    if inquiry.mode is not ServiceMode.PART_TIME:
        options.append(("mode", ("", "mode_part_time")))
    return options


def budget_candidates(inquiry: Inquiry, scope: Scope, uses_ai: bool,
                      rates: Rates) -> list[tuple[tuple[str, ...], Range]]:
    """Every combination of the allowed changes and the monthly cost it gives.

    The first candidate is the quote's own plan (no change).
    """
    options = _budget_options(inquiry, scope, uses_ai, rates)
    humans: dict[tuple[object, ...], _HumanFee] = {}
    candidates: list[tuple[tuple[str, ...], Range]] = []
    for billing in _BILLINGS:
        monthly = billing == "monthly"
        usable = [option for option in options
                  if monthly or option[0] in ("response", "scope")]
        for picks in product(*[choices for _, choices in usable]):
            changes = tuple([pick for pick in picks if pick])
            variant, variant_scope, variant_ai = inquiry, scope, uses_ai
            for change in changes:
                if change.startswith("response_"):
                    variant = replace(variant, response=Response(change[9:]))
                elif change.startswith("scope_"):
                    variant_scope = Scope(change[6:])
                elif change == "own_system":
                    variant = replace(variant, tooling=Tooling.OWN)
                elif change == "mode_part_time":
                    variant = replace(variant, mode=ServiceMode.PART_TIME)
                else:
                    variant_ai = change == "use_ai"
            if monthly:
                key = (variant.response, variant_scope, variant.tooling, variant.mode)
                human = humans.get(key)
                if human is None:
                    human = humans[key] = _human_fee(variant, variant_scope, rates)
                cost = _finish(human, variant_ai, variant, rates).monthly
            else:
                per_order, per_hour, _, _ = _usage(variant, variant_scope, rates)
                cost = per_order if billing == "billing_per_order" else per_hour
                changes = (*changes, billing)
            candidates.append((changes, cost))
    return candidates


def _fit_budget(inquiry: Inquiry, scope: Scope, plan: _Plan, rates: Rates) -> BudgetFit | None:
    """The fewest changes whose high figure fits the budget, else whose low figure fits,
    else the cheapest combination and what is still missing. Ties: the cheaper one."""
    budget = inquiry.budget
    if budget is None:
        return None
    if plan.monthly.high <= budget:
        return BudgetFit(budget, "fits", monthly=plan.monthly)
    candidates = budget_candidates(inquiry, scope, plan.uses_ai, rates)
    fits_high = [(len(c), cost.high, cost.low, i) for i, (c, cost) in enumerate(candidates)
                 if cost.high <= budget]
    if fits_high:
        changes, cost = candidates[min(fits_high)[3]]
        return BudgetFit(budget, "fits_with_changes", changes, cost)
    fits_low = [(len(c), cost.low, cost.high, i) for i, (c, cost) in enumerate(candidates)
                if cost.low <= budget]
    if fits_low:
        changes, cost = candidates[min(fits_low)[3]]
        return BudgetFit(budget, "fits_low_with_changes" if changes else "fits_low",
                         changes, cost)
    _, _, _, best = min((cost.low, len(c), cost.high, i)
                        for i, (c, cost) in enumerate(candidates))
    changes, cost = candidates[best]
    return BudgetFit(budget, "does_not_fit", changes, cost, shortfall=cost.low - budget)


def quote(inquiry: Inquiry, rates: Rates) -> Quote:
    """Price an inquiry. Pure: the same inquiry and rates always give the same quote."""
    ledger = _Ledger()
    recommendations: list[Notice] = []
    warnings: list[Notice] = []
    scope = _resolve_scope(inquiry, rates, ledger, recommendations, warnings)

    human = _human_fee(inquiry, scope, rates)
    with_ai = _finish(human, True, inquiry, rates)
    without_ai = _finish(human, False, inquiry, rates)
    # AI pays off when it lowers the bill on average (the midpoint), whatever the volume: the
    # package minimum already says when a shop is too small for it, and may still raise the
    # low end (the quote's ai_floor line says so). Deciding on price alone keeps "帮我推荐"
    # from making 100 orders cheaper than 99, or own system dearer.
    ai_pays_off = (with_ai.monthly.low + with_ai.monthly.high
                   < without_ai.monthly.low + without_ai.monthly.high)
    if inquiry.ai is AiChoice.NO:
        plan = without_ai
        if ai_pays_off:
            recommendations.append(Notice("consider_ai",
                                          _saving(without_ai.monthly, with_ai.monthly)))
    elif inquiry.ai is AiChoice.YES:
        plan = with_ai
        if plan.ai_raises_price:
            warnings.append(Notice("ai_not_worth_it",
                                   (("floor", str(rates.ai_floor.single)),)))
            recommendations.append(Notice("recommend_without_ai", ()))
    else:
        plan = with_ai if ai_pays_off else without_ai
        if ai_pays_off:
            recommendations.append(Notice("ai_recommended",
                                          _saving(without_ai.monthly, with_ai.monthly)))
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
        budget_fit=_fit_budget(inquiry, scope, plan, rates),
        assumptions=ledger.assumptions(plan.line_items, rates),
        rates_version=rates.version,
        validity_days=int(rates.validity_days.single),
        days_per_month=rates.days.single,
    )


def _saving(human: Range, with_ai: Range) -> tuple[tuple[str, str], ...]:
    return (("saving_low", str(human.low - with_ai.low)),
            ("saving_high", str(human.high - with_ai.high)))
