"""`quote(inquiry, rates)`: the pure pricing function (pricing model v3).

One cost basis for every billing method. For an inquiry the core finds the services
(帮我推荐 blends them over a band of volumes, rule 10) and the hours of cover (rule 13), then:

- monthly: staffing (units × central × spread, rule 14) → coverage (the fewest units the
  hours take) → response → complexity → part-time → own system → AI → the minimum fee
  (the engine's 800 floor, emergency, AI package: rules 4 and 15) → tools bundle → a
  salesperson's discount; full-time staff are priced as employment (rule 17);
- per order and per hour: a rate in the article's band whose place follows what one unit of
  the same configuration costs (rule 11), the same minimums;
- the 临界单量 where monthly and per-order cross, found on the curves (rule 12);
- the billed plan, and budget advice about it (rule 16).

Every line records the rates keys it used, so the quote lists which of its figures are
assumptions. Money is `Decimal`, each line rounded to the fen so the lines add up exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import chain, product
from operator import attrgetter

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
NOUGHT = Decimal(0)
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
SIXTY = Decimal(60)
# Where the 临界单量 is looked for (rule 12): daily orders 1 to this.
CROSSING_MAX = 20_000


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


_INQUIRY_FIELDS = tuple(Inquiry.__dataclass_fields__)
# Read every field in one call, write each through its slot (what a frozen dataclass's
# object.__setattr__ ends in anyway), by position.
_READ_INQUIRY = attrgetter(*_INQUIRY_FIELDS)
_INQUIRY_SLOTS = tuple([getattr(Inquiry, name).__set__ for name in _INQUIRY_FIELDS])
_INQUIRY_POSITION = {name: position for position, name in enumerate(_INQUIRY_FIELDS)}


def _variant(inquiry: Inquiry, **changes: object) -> Inquiry:
    """`replace` without re-validating: the core only swaps in values it knows are valid
    (enum members, a budget of None, 24 hours). Variants are priced by the thousand."""
    values = list(_READ_INQUIRY(inquiry))
    for name, value in changes.items():
        values[_INQUIRY_POSITION[name]] = value
    copy = object.__new__(Inquiry)
    for write, value in zip(_INQUIRY_SLOTS, values, strict=True):
        write(copy, value)
    return copy


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
    provenance = figures[0].provenance if figures else "article"
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


# --- what is bought: the services (帮我推荐 mix) and the hours -----------------------------

def recommended_scope(inquiry: Inquiry, rates: Rates) -> tuple[Scope, str]:
    """The service 帮我推荐 leans on for these answers (the largest share of its mix) and the
    rule that chose it (rule 7): blockchain/NFT goods → expert; a large volume → a
    full-chain team; technical goods → technical; standardised goods alone (phone top-up)
    → basic with AI; otherwise the article's merchant sizes."""
    mix = _auto_mix(inquiry.product_kinds, inquiry.daily_orders, rates)
    scope = _dominant(mix)
    return scope, _reason(inquiry.product_kinds, scope, rates)


def _reason(kinds: frozenset[ProductKind], scope: Scope, rates: Rates) -> str:
    if kinds & rates.expert_kinds:
        return "special_goods"
    if scope is Scope.FULL_CHAIN:
        return "volume_large"
    if kinds & rates.technical_kinds:
        return "technical_goods"
    if kinds and kinds <= rates.basic_ai_kinds:
        return "standard_goods"
    return "volume_medium" if scope is Scope.TECHNICAL else "volume_small"


def _share(orders: int, start: Figure, full: Figure) -> Decimal:
    """How far `orders` is through the band [start, full]: 0 below, 1 above, linear inside."""
    low, high = start.single, full.single
    if orders <= low:
        return NOUGHT
    if orders >= high:
        return ONE
    return (orders - low) / (high - low)


def _auto_mix(kinds: frozenset[ProductKind], orders: int,
              rates: Rates) -> tuple[tuple[Scope, Decimal], ...]:
    """帮我推荐 as a blend (rule 10): the goods choose the service; the volume moves the
    workload to technical seats between 100 and 200 orders and to a full-chain team
    between 500 and 1,000, a share at a time, so one more order never jumps the price."""
    if kinds & rates.expert_kinds:
        return ((Scope.EXPERT, ONE),)
    team = _share(orders, rates.full_chain_from, rates.full_chain_full)
    if kinds & rates.technical_kinds:
        technical = ONE
    elif kinds and kinds <= rates.basic_ai_kinds:
        technical = NOUGHT
    else:
        technical = _share(orders, rates.technical_from, rates.technical_full)
    shares = ((Scope.BASIC, (1 - technical) * (1 - team)),
              (Scope.TECHNICAL, technical * (1 - team)), (Scope.FULL_CHAIN, team))
    return tuple([(scope, share) for scope, share in shares if share])


def _dominant(mix: tuple[tuple[Scope, Decimal], ...]) -> Scope:
    """The service with the largest share; on a tie the broader one."""
    return max(mix, key=lambda pair: (pair[1], SCOPE_ORDER.index(pair[0])))[0]


def _mix(inquiry: Inquiry, rates: Rates) -> tuple[tuple[Scope, Decimal], ...]:
    if inquiry.scope is Scope.AUTO:
        return _auto_mix(inquiry.product_kinds, inquiry.daily_orders, rates)
    if inquiry.product_kinds & rates.expert_kinds:
        return ((Scope.EXPERT, ONE),)
    return ((inquiry.scope, ONE),)


def coverage_hours(inquiry: Inquiry, rates: Rates) -> tuple[int, str]:
    """Hours a day covered and why: emergency response means 24 (rule 13); else the hours
    the merchant gave, else the rates' default, which the quote states."""
    if inquiry.response is Response.EMERGENCY:
        return 24, "emergency"
    if inquiry.hours is not None:
        return inquiry.hours, "asked"
    return int(rates.default_hours.single), "default"


def staffing_units(orders: int, scope: Scope, rates: Rates) -> tuple[Range, tuple[Figure, ...]]:
    """The workload in seats (or teams): at least one, else daily orders ÷ one unit's capacity.

    Kept as a decimal so that one more order a day adds a sliver of a unit (rule 1):
    480 orders on basic seats of 240 → 2 seats; 60 orders → 1 seat.
    """
    capacity = rates.scopes[scope].capacity
    units = max(ONE, (Decimal(orders) / capacity.single).quantize(MICRO))
    return Range(units, units), (capacity,)


# --- the cost basis: one function for every figure a quote and its variants need ---------

@dataclass(frozen=True, slots=True)
class _Basis:
    """Staffing, coverage and the factors of one configuration, before floors.

    `staffing` and `coverage` are low/high money; `factor` is the product of the central
    surcharges and reductions (response, complexity, part-time, own system); `unit_month`
    what one unit of this configuration costs a month at the centre (usage rates follow
    it); `spread` the blended low and high fractions (the bundle takes it too).
    """

    mix: tuple[tuple[Scope, Decimal], ...]
    hours: int
    staffing: tuple[tuple[Scope, Decimal, Decimal, Range], ...]  # scope, share, units, money
    coverage: Range
    spread: Range
    unit_month: Decimal
    staff_hours: Decimal  # consultation hours a month (per-hour billing)
    hours_billed: Decimal  # the same to the cent: what per-hour billing charges for
    month_orders: Decimal  # orders a month: what per-order billing charges for
    staffed: Range  # staffing + coverage: the vendor's fee before response and factors


def _basis(inquiry: Inquiry, rates: Rates) -> _Basis:
    mix = _mix(inquiry, rates)
    hours, _ = coverage_hours(inquiry, rates)
    share_extra = rates.extra_shift_share.single
    orders = Decimal(inquiry.daily_orders)
    staffing = []
    coverage_low = coverage_high = spread_low = spread_high = NOUGHT
    central_total = unit_month = NOUGHT
    for scope, share in mix:
        rate = rates.scopes[scope]
        workload = (orders / rate.capacity.single).quantize(MICRO)
        units = max(ONE, workload)
        presence = rate.presence(hours, share_extra)
        present = max(workload, presence)
        price = rate.unit_price
        money = Range(_cents(price.low * units * share), _cents(price.high * units * share))
        staffing.append((scope, share, units, money))
        if present > units:
            # The whole (staffing + coverage) is rounded once: it stays flat while the
            # workload is under the hours' minimum presence.
            coverage_low += _cents(price.low * present * share) - money.low
            coverage_high += _cents(price.high * present * share) - money.high
        central = rate.central.single * present * share
        central_total += central
        spread_low += central * rate.spread.value.low
        spread_high += central * rate.spread.value.high
        unit_month += rate.central.single * presence * share
    spread = Range(spread_low / central_total, spread_high / central_total)
    staffed_low = staffed_high = NOUGHT
    for _, _, _, money in staffing:
        staffed_low += money.low
        staffed_high += money.high
    if coverage_high:
        staffed_low += coverage_low
        staffed_high += coverage_high
    month_orders = orders * rates.days.single
    staff_hours = month_orders * rates.minutes_per_order.single / SIXTY
    return _Basis(mix, hours, tuple(staffing), Range(coverage_low, coverage_high), spread,
                  unit_month, staff_hours, staff_hours.quantize(CENT), month_orders,
                  Range(staffed_low, staffed_high))


def _factor_lines(inquiry: Inquiry, rates: Rates) -> tuple[tuple[str, Figure, bool], ...]:
    """The surcharges and reductions after staffing, in order, and whether each applies
    to the base (staffing + response) or to the fee so far."""
    complexity = (
        ("complexity_categories", rates.categories_surcharge,
         inquiry.categories >= rates.categories_from),
        ("complexity_multi_level", rates.multi_level_surcharge, inquiry.multi_level),
        ("complexity_cross_border", rates.cross_border_surcharge, inquiry.cross_border),
    )
    return tuple([(code, figure, True) for code, figure, applies in complexity if applies])


@dataclass(frozen=True, slots=True)
class _Fee:
    """The customer-service fee before AI and floors, with its lines (when asked for)."""

    fee: Range
    lines: tuple[LineItem, ...]
    multiplier: Decimal  # the central factor the lines applied (for usage rates)


def _vendor_fee(inquiry: Inquiry, basis: _Basis, rates: Rates, with_lines: bool) -> _Fee:
    lines: list[LineItem] = []
    low, high = basis.staffed.low, basis.staffed.high
    if with_lines:
        for scope, share, units, money in basis.staffing:
            rate = rates.scopes[scope]
            code = "staffing" if share == ONE else "staffing_share"
            lines.append(_line(code, money, rate.central, rate.spread, rate.capacity,
                               scope=scope, unit=rate.unit, units_low=units, units_high=units,
                               share=f"{(share * 100).quantize(ONE).normalize():f}"))
        if basis.coverage.high:
            lines.append(_line("coverage", basis.coverage, rates.extra_shift_share,
                               rates.default_hours, hours=basis.hours,
                               rotation=ROTATIONS[basis.hours]))
    multiplier = ONE
    response = rates.responses[inquiry.response].surcharge
    r_low, r_high = _cents(low * response.mid), _cents(high * response.mid)
    if with_lines:
        lines.append(_line("response", Range(r_low, r_high), response,
                           level=inquiry.response,
                           minutes=rates.responses[inquiry.response].minutes,
                           pct=response.mid_percent[0], pct_low=response.percent[0],
                           pct_high=response.percent[1]))
    base_low, base_high = low + r_low, high + r_high
    multiplier += response.mid
    low, high = base_low, base_high
    extra = NOUGHT
    for code, figure, _ in _factor_lines(inquiry, rates):
        c_low, c_high = _cents(base_low * figure.mid), _cents(base_high * figure.mid)
        low, high = low + c_low, high + c_high
        extra += figure.mid
        if with_lines:
            lines.append(_line(code, Range(c_low, c_high), figure,
                               categories=inquiry.categories, pct=figure.mid_percent[0],
                               pct_low=figure.percent[0], pct_high=figure.percent[1]))
    multiplier = multiplier * (1 + extra)
    if inquiry.mode is ServiceMode.PART_TIME:
        figure = rates.modes[ServiceMode.PART_TIME]
        uplift = rates.part_time_uplift
        m_low, m_high = _cents(low * uplift), _cents(high * uplift)
        low, high = low + m_low, high + m_high
        multiplier *= figure.mid
        if with_lines:
            lines.append(_line("service_mode", Range(m_low, m_high), figure,
                               mode=inquiry.mode, pct=figure.mid_percent[1]))
    if inquiry.tooling is Tooling.OWN:
        figure = rates.own_system_factor
        uplift = rates.own_system_uplift
        o_low, o_high = _cents(low * uplift), _cents(high * uplift)
        low, high = low + o_low, high + o_high
        multiplier *= figure.mid
        if with_lines:
            lines.append(_line("own_system", Range(o_low, o_high), figure,
                               pct=figure.mid_percent[1], pct_low=figure.reduction[0],
                               pct_high=figure.reduction[1]))
    return _Fee(Range(low, high), tuple(lines), multiplier)


def _pct(fraction: Decimal) -> str:
    """0.15 → "15", 0.125 → "12.5": a parameter for templates."""
    return f"{(fraction * 100).normalize():f}"


def _in_house_fee(basis: _Basis, orders: int, rates: Rates,
                  with_lines: bool) -> tuple[Range, tuple[LineItem, ...]]:
    """Employing the workload in-house (rule 17): at least one person on each covered shift,
    else daily orders ÷ what one employee handles; the service's salary × (1 + on-costs +
    training and management). People are a decimal (as seats are): the price stays
    continuous in volume, and a broader service's salary keeps it no cheaper (rule 2)."""
    people = _in_house_people(basis, orders, rates)
    low = high = NOUGHT
    keys: list[Figure] = [rates.in_house_capacity]
    for scope, share in basis.mix:
        salary = rates.scopes[scope].in_house_salary
        low += _cents(people * salary.value.low * share)
        high += _cents(people * salary.value.high * share)
        keys.append(salary)
    oncosts, management = rates.in_house_oncosts, rates.in_house_management
    on = Range(_cents(low * oncosts.mid), _cents(high * oncosts.mid))
    manage = Range(_cents(low * management.mid), _cents(high * management.mid))
    total = Range(low + on.low + manage.low, high + on.high + manage.high)
    if not with_lines:
        return total, ()
    return total, (
        _line("in_house_salary", Range(low, high), *keys, hours=basis.hours, people=people),
        _line("in_house_oncosts", on, oncosts, pct=oncosts.mid_percent[0]),
        _line("in_house_management", manage, management,
              pct=management.mid_percent[0]),
    )


def _in_house_people(basis: _Basis, orders: int, rates: Rates) -> Decimal:
    return max(Decimal(basis.hours // 8),
               (Decimal(orders) / rates.in_house_capacity.single).quantize(MICRO))


# Where AI is used: at the low end, at the high end. "帮我推荐" may use it at one end only.
_AiEnds = tuple[bool, bool]
AI_BOTH: _AiEnds = (True, True)
AI_NONE: _AiEnds = (False, False)


def _minimum(inquiry: Inquiry, uses_ai: bool, rates: Rates, *,
             usage: bool = False) -> Figure | None:
    """The highest minimum fee at one end: the engine's own 800 floor for an outsourced
    quote (rule 15), the usage minimum, emergency (5,000), the AI package (1,500)."""
    key = ("minimum", inquiry.mode is ServiceMode.PART_TIME, inquiry.response, uses_ai, usage)
    memo = rates.memo
    if key in memo:
        return memo[key]  # type: ignore[return-value]
    found = memo[key] = _minimum_of(inquiry, uses_ai, rates, usage)
    return found


def _floors(inquiry: Inquiry, ai: _AiEnds, rates: Rates, usage: bool
            ) -> tuple[Decimal | None, Decimal | None]:
    """The minimum fee at each end as an amount (None: no minimum), memoised per
    configuration: every plan of every quote and variant asks for it."""
    key = ("floors", inquiry.mode is ServiceMode.PART_TIME, inquiry.response, ai, usage)
    memo = rates.memo
    found = memo.get(key)
    if found is None:
        low_min = _minimum(inquiry, ai[0], rates, usage=usage)
        high_min = _minimum(inquiry, ai[1], rates, usage=usage)
        found = memo[key] = (None if low_min is None else low_min.single,
                             None if high_min is None else high_min.single)
    return found  # type: ignore[return-value]


def _minimum_of(inquiry: Inquiry, uses_ai: bool, rates: Rates, usage: bool) -> Figure | None:
    candidates: list[Figure] = []
    if inquiry.mode is not ServiceMode.PART_TIME:
        candidates.append(rates.low_price_trap)
    if usage:
        candidates.append(rates.usage_minimum)
    floor = rates.responses[inquiry.response].floor
    if floor is not None:
        candidates.append(floor)
    if uses_ai:
        candidates.append(rates.ai_floor)
    if not candidates:
        return None
    return max(candidates, key=lambda figure: figure.single)


@dataclass(frozen=True, slots=True)
class _Totals:
    """The three plans of one configuration, and what they were built from."""

    monthly: Range
    per_order: Range
    per_hour: Range
    order_rate: Range  # 元 per order
    hour_rate: Range  # 元 per hour
    hours: Decimal  # hours billed a month on per-hour billing
    ai: _AiEnds
    basis: _Basis
    fee: _Fee
    lines: tuple[LineItem, ...]
    compared: tuple[Range, Range] | None = None  # 帮我推荐: (with AI, without)


def _squash(band: tuple[Decimal, Decimal], spread: Figure, x: Decimal) -> Range:
    """A usage rate inside the article's band (rule 11): the centre moves from the band's
    bottom (÷ the low spread) to its top (÷ the high spread) as x / (1 + x)."""
    bottom, span = band
    centre = bottom + span * (x / (1 + x))
    return Range((centre * spread.value.low).quantize(MICRO),
                 (centre * spread.value.high).quantize(MICRO))


def _usage_rates(x: Decimal, rates: Rates) -> tuple[Range, Range]:
    """The per-order and per-hour rates for one unit cost x; memoised, since the same few
    configurations (hence x) recur across quotes and budget variants."""
    memo = rates.usage_memo
    found = memo.get(x)
    if found is None:
        if len(memo) > 4096:
            memo.clear()
        found = memo[x] = (_squash(rates.per_order_band, rates.usage_spread, x),
                           _squash(rates.per_hour_band, rates.usage_spread, x))
    return found


def _finish(fee: Range, ai: _AiEnds, inquiry: Inquiry, rates: Rates, spread: Range,
            lines: list[LineItem] | None) -> Range:
    """AI where used, the minimum fee (last: rule 4), the tools bundle, in that order."""
    low, high = fee.low, fee.high
    if ai != AI_NONE:
        uplift = rates.ai_uplift
        a_low = _cents(low * uplift) if ai[0] else NOUGHT
        a_high = _cents(high * uplift) if ai[1] else NOUGHT
        low, high = low + a_low, high + a_high
        if lines is not None:
            lines.append(_line("ai", Range(a_low, a_high), rates.ai_factor,
                               pct=rates.ai_factor.mid_percent[1],
                               pct_low=rates.ai_factor.reduction[0],
                               pct_high=rates.ai_factor.reduction[1]))
    if inquiry.discount:
        # A salesperson's discount is a discount like the others: the minimum fees apply
        # after it (rule 4), so a discounted outsourced quote never drops under the engine's
        # own 800 line (rule 15) nor an emergency one under 5,000. The tools bundle is the
        # system's price and is not discounted.
        d_low, d_high = _cents(low * -inquiry.discount), _cents(high * -inquiry.discount)
        low, high = low + d_low, high + d_high
        if lines is not None:
            lines.append(LineItem("sales_discount", Range(d_low, d_high), (), "sales",
                                  (("pct", f"{(inquiry.discount * 100).normalize():f}"),)))
    low_floor, high_floor = _floors(inquiry, ai, rates, False)
    f_low = max(NOUGHT, low_floor - low) if low_floor is not None else NOUGHT
    f_high = max(NOUGHT, high_floor - high) if high_floor is not None else NOUGHT
    if f_low or f_high:
        low, high = low + f_low, high + f_high
        if lines is not None:
            floor = _minimum(inquiry, ai[0] if f_low else ai[1], rates)
            assert floor is not None
            code = {rates.ai_floor.key: "ai_floor",
                    rates.low_price_trap.key: "price_floor"}.get(floor.key, "emergency_floor")
            lines.append(_line(code, Range(f_low, f_high), floor, floor=floor.single))
    if inquiry.tooling is Tooling.BUNDLE:
        b_low, b_high = rates.bundle_amount.low, rates.bundle_amount.high
        low, high = low + b_low, high + b_high
        if lines is not None:
            lines.append(_line("tooling_bundle", Range(b_low, b_high), rates.bundle_fee,
                               rates.bundle_spread))
    return Range(low, high)


def _totals(inquiry: Inquiry, rates: Rates, *, with_lines: bool = False,
            bases: dict[tuple[Scope, int], _Basis] | None = None) -> _Totals:
    """Every price of one configuration: THE cost basis of quote(), budget variants, the
    sweep and the 临界单量 curves (so they agree by construction). `bases` shares the
    staffing of variants with the same volume and goods (a budget search)."""
    if bases is None:
        basis = _basis(inquiry, rates)
    else:
        key = (inquiry.scope, coverage_hours(inquiry, rates)[0])
        found = bases.get(key)
        basis = bases[key] = found if found is not None else _basis(inquiry, rates)
    fee = _vendor_fee(inquiry, basis, rates, with_lines)
    ai, compared = _ai_ends(inquiry, fee, basis, rates)
    lines: list[LineItem] | None = list(fee.lines) if with_lines else None
    if inquiry.mode is ServiceMode.FULL_TIME:
        in_house, house_lines = _in_house_fee(basis, inquiry.daily_orders, rates, with_lines)
        lines = list(house_lines) if with_lines else None
        monthly = _finish(in_house, AI_NONE, inquiry, rates, basis.spread, lines)
        ai = AI_NONE
    elif compared is not None and lines is None:
        # 帮我推荐 without lines: each end is the cheaper of the two already priced.
        monthly = Range(min(compared[0].low, compared[1].low),
                        min(compared[0].high, compared[1].high))
    else:
        monthly = _finish(fee.fee, ai, inquiry, rates, basis.spread, lines)

    # Usage billing on the same basis (rule 11): the vendor's, whatever the mode.
    usage_inquiry = inquiry if inquiry.mode is not ServiceMode.FULL_TIME else _variant(
        inquiry, mode=ServiceMode.OUTSOURCED)
    # In-house → the vendor's: the vendor's fee does not depend on in-house vs outsourced
    # (only part-time changes it), so the fee already priced serves the usage rates.
    vendor = fee
    if usage_inquiry.ai is AiChoice.AUTO:
        # 帮我推荐: each plan takes AI at each end where it is cheaper, as the monthly does.
        human = _usage_plans(usage_inquiry, basis, vendor, AI_NONE, rates)
        with_ai = _usage_plans(usage_inquiry, basis, vendor, AI_BOTH, rates)
        plans = [_cheaper_ends(a, b) for a, b in zip(human, with_ai, strict=True)]
    else:
        plans = list(_usage_plans(usage_inquiry, basis, vendor,
                                  AI_BOTH if usage_inquiry.ai is AiChoice.YES else AI_NONE,
                                  rates))
    (per_order, order_rate), (per_hour, hour_rate) = plans
    hours = basis.hours_billed
    return _Totals(monthly, per_order, per_hour, order_rate, hour_rate, hours, ai, basis, fee,
                   tuple(lines) if lines is not None else (), compared)


def _cheaper_ends(a: tuple[Range, Range], b: tuple[Range, Range]) -> tuple[Range, Range]:
    """(cost, rate) at each end from whichever of the two costs less there."""
    low = a if a[0].low <= b[0].low else b
    high = a if a[0].high <= b[0].high else b
    return Range(low[0].low, high[0].high), Range(low[1].low, high[1].high)


def _usage_plans(inquiry: Inquiry, basis: _Basis, vendor: _Fee, ai: _AiEnds,
                 rates: Rates) -> tuple[tuple[Range, Range], tuple[Range, Range]]:
    """Per order and per hour: (cost a month, rate), each rate placed in the article's band
    by what one unit of this configuration costs a month."""
    ai_factor = rates.ai_factor.mid
    reference = rates.usage_rate_reference.single
    ends: list[tuple[Range, Range]] = []
    for uses_ai in ai:
        if ends and uses_ai == ai[0]:
            ends.append(ends[0])  # the same rate at both ends: priced once
            continue
        x = basis.unit_month * vendor.multiplier * (ai_factor if uses_ai else ONE) / reference
        ends.append(_usage_rates(x, rates))
    order_rate = Range(ends[0][0].low, ends[1][0].high)
    hour_rate = Range(ends[0][1].low, ends[1][1].high)
    return ((_usage(order_rate, basis.month_orders, ai, inquiry, rates), order_rate),
            (_usage(hour_rate, basis.hours_billed, ai, inquiry, rates), hour_rate))


def _usage(rate: Range, quantity: Decimal, ai: _AiEnds, inquiry: Inquiry, rates: Rates
           ) -> Range:
    """A usage plan a month: rate × quantity, then the minimums (with AI's package minimum
    where AI is used) and the tools bundle — the monthly plan's order."""
    low = (rate.low * quantity).quantize(CENT)
    high = (rate.high * quantity).quantize(CENT)
    low_min, high_min = _floors(inquiry, ai, rates, True)
    if low_min is not None:
        low = max(low, low_min)
    if high_min is not None:
        high = max(high, high_min)
    if inquiry.tooling is Tooling.BUNDLE:
        low = low + rates.bundle_amount.low
        high = high + rates.bundle_amount.high
    return Range(low, high)


def _ai_ends(inquiry: Inquiry, fee: _Fee, basis: _Basis,
             rates: Rates) -> tuple[_AiEnds, tuple[Range, Range] | None]:
    """AI yes: both ends; no: none; 帮我推荐: at each end where it is cheaper (the package
    minimum decides), so the price stays continuous and monotone. With 帮我推荐 also the
    two plans compared (with AI, without), after a salesperson's discount."""
    if inquiry.ai is AiChoice.YES:
        return AI_BOTH, None
    if inquiry.ai is AiChoice.NO or inquiry.mode is ServiceMode.FULL_TIME:
        return AI_NONE, None
    with_ai = _finish(fee.fee, AI_BOTH, inquiry, rates, basis.spread, None)
    without = _finish(fee.fee, AI_NONE, inquiry, rates, basis.spread, None)
    return (with_ai.low < without.low, with_ai.high < without.high), (with_ai, without)


def monthly_total(inquiry: Inquiry, rates: Rates) -> Range:
    """The monthly total of `quote(inquiry, rates)` alone, for sweeps over many volumes."""
    return _totals(inquiry, rates).monthly


@dataclass(frozen=True, slots=True)
class Plans:
    """The figures of `quote(inquiry, rates)` a sweep needs, without lines or words."""

    monthly: Range
    per_order: Range
    per_hour: Range
    order_rate: Range  # 元 an order
    hour_rate: Range  # 元 an hour
    billed: Billing
    billed_monthly: Range


def plans(inquiry: Inquiry, rates: Rates) -> Plans:
    """Every plan's price and the one billed, by the same arithmetic as quote()."""
    totals = _totals(inquiry, rates)
    method, cost = _billed_cost(inquiry, totals, rates)
    return Plans(totals.monthly, totals.per_order, totals.per_hour, totals.order_rate,
                 totals.hour_rate, method, cost)


# --- the billed plan --------------------------------------------------------------------

def _costs(totals: _Totals) -> dict[Billing, Range]:
    return {Billing.MONTHLY: totals.monthly, Billing.PER_ORDER: totals.per_order,
            Billing.PER_HOUR: totals.per_hour}


def _pick_plan(inquiry: Inquiry, totals: _Totals, rates: Rates) -> tuple[Billing, str]:
    """The plan recommended and why. In-house staff are paid monthly. Otherwise a plan is
    called cheapest only when it is no dearer at either end; the monthly fee (predictable)
    is the advice unless a usage plan costs no more at both ends, or per-order suits a
    seasonal volume within the tolerance; and no plan recommended is beaten at both ends
    by another (rule 11)."""
    if inquiry.mode is ServiceMode.FULL_TIME:
        return Billing.MONTHLY, "in_house"
    costs = _costs(totals)
    low = min(cost.low for cost in costs.values())
    high = min(cost.high for cost in costs.values())
    for plan, cost in costs.items():
        if cost.low == low and cost.high == high:
            return plan, ("cheapest" if plan is not Billing.MONTHLY else "steady_cost_control")
    monthly = totals.monthly
    plan, reason = Billing.MONTHLY, "steady_cost_control"
    cheaper = [(cost.low + cost.high, billed) for billed, cost in costs.items()
               if billed is not Billing.MONTHLY
               and cost.low <= monthly.low and cost.high <= monthly.high]
    if cheaper:
        plan, reason = min(cheaper)[1], "cheaper_than_monthly"
    elif inquiry.volume is VolumePattern.SEASONAL:
        tolerance = ONE + rates.seasonal_tolerance.single
        per_order = totals.per_order
        if per_order.low + per_order.high <= (monthly.low + monthly.high) * tolerance:
            plan, reason = Billing.PER_ORDER, "seasonal_flexibility"
    chosen = costs[plan]
    beaten = [(cost.low + cost.high, other) for other, cost in costs.items()
              if cost.low < chosen.low and cost.high < chosen.high]
    if beaten:
        plan, reason = min(beaten)[1], "cheaper_than_monthly"
    return plan, reason


def _billed_method(inquiry: Inquiry, recommended: Billing) -> Billing:
    if inquiry.mode is ServiceMode.FULL_TIME:
        return Billing.MONTHLY
    return recommended if inquiry.billing is Billing.COMPARE else inquiry.billing


def _billed_cost(inquiry: Inquiry, totals: _Totals, rates: Rates) -> tuple[Billing, Range]:
    method = _billed_method(inquiry, _pick_plan(inquiry, totals, rates)[0])
    return method, _costs(totals)[method]


# --- 临界单量 (rule 12) -------------------------------------------------------------------

def _curve_key(inquiry: Inquiry) -> tuple[object, ...]:
    """What moves the monthly and per-order curves: everything but the volume, the billing
    choice, the volume pattern and the budget."""
    return ("curves", inquiry.categories >= 10, inquiry.product_kinds, inquiry.multi_level,
            inquiry.cross_border, inquiry.response, inquiry.scope, inquiry.tooling, inquiry.ai,
            inquiry.mode, inquiry.discount, inquiry.hours)


def _gap(inquiry: Inquiry, orders: int, rates: Rates) -> tuple[Decimal, Decimal]:
    """Per-order minus monthly at each end, at `orders` a day."""
    totals = _totals(_variant(inquiry, daily_orders=orders), rates)
    return (totals.per_order.low - totals.monthly.low,
            totals.per_order.high - totals.monthly.high)


# Volumes where the curves are compared before bisecting (where floors, capacities and the
# 帮我推荐 bands bend them): a change of order between two of them is bisected.
_CROSSING_GRID = (1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 240, 300, 400, 450, 500, 600,
                  800, 1000, 1500, 2000, 3000, 5000, 8000, 12_000, CROSSING_MAX)


def _crossings(inquiry: Inquiry, rates: Rates) -> tuple[tuple[str, int], tuple[str, int]]:
    """For each end: ("at", n) — per-order costs no more than monthly below n orders a day
    and more from n — or ("at_reverse", n), the other way round; or "per_order_cheaper" /
    "per_order_dearer" (volume 0) when neither changes order between 1 and 20,000. Found
    on the curves themselves: compared on a grid, the first change of order bisected;
    memoised per configuration (the curves do not depend on the inquiry's own volume)."""
    memo = rates.memo
    key = _curve_key(inquiry)
    found = memo.get(key)
    if found is None:
        if len(memo) > 8192:
            memo.clear()
        grid = [(orders, _gap(inquiry, orders, rates)) for orders in _CROSSING_GRID]
        ends = []
        for end in (0, 1):
            dearer = grid[0][1][end] > 0
            change = next(((before, orders) for (before, gap_before), (orders, gap) in
                           itertools.pairwise(grid) if (gap[end] > 0) != (gap_before[end] > 0)),
                          None)
            if change is None:
                ends.append(("per_order_dearer" if dearer else "per_order_cheaper", 0))
                continue
            below, above = change  # the order at `below` is the first grid point's
            while above - below > 1:
                middle = (below + above) // 2
                if (_gap(inquiry, middle, rates)[end] > 0) == dearer:
                    below = middle
                else:
                    above = middle
            ends.append(("at_reverse" if dearer else "at", above))
        found = memo[key] = (ends[0], ends[1])
    return found  # type: ignore[return-value]


# --- the quote ----------------------------------------------------------------------------

def quote(inquiry: Inquiry, rates: Rates) -> Quote:
    """Price an inquiry. Pure: the same inquiry and rates always give the same quote."""
    ledger = _Ledger()
    recommendations: list[Notice] = []
    warnings: list[Notice] = []
    totals = _totals(inquiry, rates, with_lines=True)
    basis = totals.basis
    scope = _dominant(basis.mix)
    _scope_notices(inquiry, scope, basis, rates, ledger, recommendations, warnings)
    _ai_notices(inquiry, totals, rates, ledger, recommendations, warnings)

    recommended, reason = _pick_plan(inquiry, totals, rates)
    costs = _costs(totals)
    if inquiry.billing is not Billing.COMPARE and inquiry.mode is not ServiceMode.FULL_TIME:
        chosen = inquiry.billing
        recommendations.append(Notice("plan_recommended",
                                      (("plan", chosen.value), ("reason", "your_choice"))))
        if recommended is not chosen and _beats(costs[recommended], costs[chosen]):
            recommendations.append(Notice("cheaper_plan_available",
                                          (("plan", recommended.value),)))
        recommended = chosen
    else:
        recommendations.append(Notice("plan_recommended",
                                      (("plan", recommended.value), ("reason", reason))))
    if inquiry.volume is VolumePattern.SEASONAL:
        ledger.use(rates.seasonal_tolerance)

    ledger.use(rates.low_price_trap, rates.days, rates.per_order, rates.per_hour,
               rates.usage_rate_reference, rates.usage_spread, rates.usage_minimum)
    if totals.monthly.low < rates.low_price_trap.single:
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
    if inquiry.response is Response.EMERGENCY and inquiry.hours not in (None, 24):
        warnings.append(Notice("hours_raised_for_emergency", (("hours", str(inquiry.hours)),)))

    coverage = _coverage(inquiry, basis, rates, ledger)
    in_house, _ = _in_house_fee(basis, inquiry.daily_orders, rates, False)
    people = _in_house_people(basis, inquiry.daily_orders, rates)
    ledger.use(rates.in_house_capacity, rates.in_house_oncosts, rates.in_house_management,
               *[rates.scopes[s].in_house_salary for s, _ in basis.mix])
    billed = _billed(inquiry, recommended, totals, rates)
    crossing = _crossings(inquiry, rates)
    ledger.use(rates.validity_days)
    dominant_units = next(units for s, _, units, _ in basis.staffing if s is scope)
    return Quote(
        inquiry=inquiry,
        scope=scope,
        ai_applied=totals.ai != AI_NONE,
        units=Range(dominant_units, dominant_units),
        unit=rates.scopes[scope].unit,
        line_items=totals.lines,
        monthly=totals.monthly,
        per_order=totals.per_order,
        per_hour=totals.per_hour,
        hours_per_month=Range(totals.hours, totals.hours),
        break_even_daily_orders=_crossing_range(crossing),
        recommended_plan=recommended,
        recommendations=tuple(recommendations),
        warnings=tuple(warnings),
        kpi=_kpi(inquiry, rates, ledger),
        budget_fit=_fit_budget(inquiry, scope, totals, billed, rates),
        assumptions=ledger.assumptions(totals.lines, rates),
        rates_version=rates.version,
        validity_days=int(rates.validity_days.single),
        coverage=coverage,
        billed=billed,
        mix=tuple(MixShare(s, share) for s, share in basis.mix),
        in_house=InHouse(in_house, Range(whole_up(people), whole_up(people))),
        days_per_month=rates.days.single,
        per_order_rate=totals.order_rate.scale(rates.days.single),
        per_hour_rate=totals.hour_rate,
        crossing=crossing,
    )


def _crossing_range(crossing: tuple[tuple[str, int], tuple[str, int]]) -> Range:
    volumes = sorted(Decimal(orders) for code, orders in crossing if orders)
    if not volumes:
        return Range(NOUGHT, NOUGHT)
    return Range(volumes[0], volumes[-1])


def _beats(cheaper: Range, dearer: Range) -> bool:
    return cheaper.low <= dearer.low and cheaper.high <= dearer.high and cheaper != dearer


def _scope_notices(inquiry: Inquiry, scope: Scope, basis: _Basis, rates: Rates,
                   ledger: _Ledger, recommendations: list[Notice],
                   warnings: list[Notice]) -> None:
    if inquiry.scope is Scope.AUTO:
        reason = _reason(inquiry.product_kinds, scope, rates)
        recommendations.append(Notice("scope_recommended",
                                      (("scope", scope.value), ("reason", reason))))
        for name in _REASON_FIGURES[reason]:
            ledger.use(getattr(rates, name))
        if len(basis.mix) > 1:
            ledger.use(rates.technical_full, rates.full_chain_full)
            params: list[tuple[str, str]] = []
            for index, (mixed, share) in enumerate(basis.mix):
                params += [(f"scope_{index + 1}", mixed.value),
                           (f"share_{index + 1}", _pct(share.quantize(CENT)))]
            recommendations.append(Notice("scope_mix", tuple(params)))
        return
    suggested = _dominant(_auto_mix(inquiry.product_kinds, inquiry.daily_orders, rates))
    if suggested is Scope.EXPERT and inquiry.scope is not Scope.EXPERT:
        warnings.append(Notice("scope_raised_for_special_goods",
                               (("requested", inquiry.scope.value),)))
    elif SCOPE_ORDER.index(inquiry.scope) < SCOPE_ORDER.index(suggested):
        warnings.append(Notice("scope_below_volume",
                               (("requested", inquiry.scope.value),
                                ("recommended", suggested.value))))


_REASON_FIGURES = {
    "special_goods": ("expert_kinds_figure",),
    "volume_large": ("full_chain_from",),
    "technical_goods": ("technical_kinds_figure", "full_chain_from"),
    "standard_goods": ("basic_ai_kinds_figure", "full_chain_from"),
    "volume_medium": ("technical_from", "full_chain_from"),
    "volume_small": ("technical_from",),
}


def _ai_notices(inquiry: Inquiry, totals: _Totals, rates: Rates, ledger: _Ledger,
                recommendations: list[Notice], warnings: list[Notice]) -> None:
    """Whether AI pays at this volume (rule 18), for every AI choice."""
    if inquiry.mode is ServiceMode.FULL_TIME:
        return
    if totals.compared is not None:
        with_ai, human = totals.compared
    else:
        human = _finish(totals.fee.fee, AI_NONE, inquiry, rates, totals.basis.spread, None)
        with_ai = _finish(totals.fee.fee, AI_BOTH, inquiry, rates, totals.basis.spread, None)
    ends = (with_ai.low < human.low, with_ai.high < human.high)
    ledger.use(rates.ai_floor)
    if inquiry.ai is AiChoice.YES:
        if with_ai.low + with_ai.high > human.low + human.high:
            warnings.append(Notice("ai_not_worth_it", (("floor", str(rates.ai_floor.single)),)))
            recommendations.append(Notice("recommend_without_ai", ()))
        elif ends != AI_NONE:
            recommendations.append(Notice("ai_pays", _saving(human, with_ai, ends)))
    elif inquiry.ai is AiChoice.NO:
        if ends != AI_NONE:
            recommendations.append(Notice("consider_ai", _saving(human, with_ai, ends)))
    elif totals.ai != AI_NONE:
        recommendations.append(Notice("ai_recommended", _saving(human, with_ai, totals.ai)))
    else:
        recommendations.append(Notice("ai_not_recommended",
                                      (("floor", str(rates.ai_floor.single)),)))


def _coverage(inquiry: Inquiry, basis: _Basis, rates: Rates, ledger: _Ledger) -> Coverage:
    """People: the workload's people (units × people per unit), and at least one person on
    each covered 8-hour shift; whole people."""
    hours, reason = coverage_hours(inquiry, rates)
    ledger.use(rates.default_hours)
    shifts = Decimal(hours // 8)
    low = high = NOUGHT
    for scope, share, units, _ in basis.staffing:
        people = rates.scopes[scope].people
        low += units * people.value.low * share
        high += units * people.value.high * share
    headcount = Range(max(shifts, whole_up(low)), max(shifts, whole_up(high)))
    return Coverage(hours, headcount, ROTATIONS[hours], reason)


def _billed(inquiry: Inquiry, recommended: Billing, totals: _Totals, rates: Rates) -> Billed:
    """The plan the merchant is billed on (their choice, else the recommended one)."""
    method = _billed_method(inquiry, recommended)
    if method is Billing.PER_ORDER:
        return Billed(method, totals.per_order, totals.order_rate)
    if method is Billing.PER_HOUR:
        return Billed(method, totals.per_hour, totals.hour_rate)
    return Billed(Billing.MONTHLY, totals.monthly, None)


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


def _saving(human: Range, with_ai: Range, ends: _AiEnds) -> tuple[tuple[str, str], ...]:
    """What AI saves at each end where it is used (nothing where it is not)."""
    low = human.low - with_ai.low if ends[0] else NOUGHT
    high = human.high - with_ai.high if ends[1] else NOUGHT
    return (("saving_low", str(low)), ("saving_high", str(high)))


# --- budget advice (rules 6 and 16): a search over the allowed changes ------------------

# How much a merchant gives up with each kind of change, least first (rule 16).
GIVE_UP_ORDER = ("billing", "own_system", "ai", "response", "scope", "mode_outsourced",
                 "mode_part_time")


@lru_cache(maxsize=64)
def _kind(change: str) -> str:
    if change.startswith("billing_"):
        return "billing"
    if change in ("use_ai", "no_ai"):
        return "ai"
    if change.startswith("response_"):
        return "response"
    if change.startswith("scope_"):
        return "scope"
    return change


def budget_changes(inquiry: Inquiry, scope: Scope, rates: Rates) -> list[str]:
    """The allowed changes for this quote, each a code, in the order a merchant gives up
    least: billing method, own system, AI, a slower response (never below what the goods
    need), a narrower service, in-house → outsourced, part-time (never with 24-hour cover)."""
    changes = [f"billing_{plan.value}" for plan in (Billing.MONTHLY, Billing.PER_ORDER,
                                                    Billing.PER_HOUR)
               if plan is not inquiry.billing]
    if inquiry.tooling is not Tooling.OWN:
        changes.append("own_system")
    if inquiry.ai is not AiChoice.YES:
        changes.append("use_ai")
    if inquiry.ai is not AiChoice.NO:
        changes.append("no_ai")
    level = RESPONSE_ORDER.index(inquiry.response)
    needed = 1 if inquiry.product_kinds & rates.fast_kinds else 0
    if level > needed:
        changes.append(f"response_{RESPONSE_ORDER[level - 1].value}")
    position = SCOPE_ORDER.index(scope)
    if position and not inquiry.product_kinds & rates.expert_kinds:
        changes.append(f"scope_{SCOPE_ORDER[position - 1].value}")
    if inquiry.mode is ServiceMode.FULL_TIME:
        changes.append("mode_outsourced")
    if inquiry.mode is not ServiceMode.PART_TIME and coverage_hours(inquiry, rates)[0] < 24:
        changes.append("mode_part_time")
    return changes


def apply_changes(inquiry: Inquiry, changes: tuple[str, ...]) -> Inquiry:
    """The inquiry after budget changes. A slower response than emergency keeps the 24-hour
    cover the merchant asked for with it."""
    fields: dict[str, object] = {}
    emergency = inquiry.response is Response.EMERGENCY
    for change in changes:
        fields.update(_change_fields(change, emergency))
    return _variant(inquiry, budget=None, **fields)


@lru_cache(maxsize=128)
def _change_fields(change: str, from_emergency: bool) -> tuple[tuple[str, object], ...]:
    """The fields one change code sets; parsed once per code (variants are made by the
    thousand)."""
    if change.startswith("billing_"):
        return (("billing", Billing(change[len("billing_"):])),)
    if change == "own_system":
        return (("tooling", Tooling.OWN),)
    if change == "use_ai":
        return (("ai", AiChoice.YES),)
    if change == "no_ai":
        return (("ai", AiChoice.NO),)
    if change.startswith("response_"):
        response = (("response", Response(change[len("response_"):])),)
        return (*response, ("hours", 24)) if from_emergency else response
    if change.startswith("scope_"):
        return (("scope", Scope(change[len("scope_"):])),)
    if change == "mode_outsourced":
        return (("mode", ServiceMode.OUTSOURCED),)
    if change == "mode_part_time":
        return (("mode", ServiceMode.PART_TIME),)
    return ()


def give_up_rank(combination: tuple[str, ...]) -> tuple[int, ...]:
    """Combinations of the same size compare by what they give up, the worst first."""
    return tuple(sorted((GIVE_UP_ORDER.index(_kind(change)) for change in combination),
                        reverse=True))


def _fit_budget(inquiry: Inquiry, scope: Scope, totals: _Totals, billed: Billed,
                rates: Rates) -> BudgetFit | None:
    """The verdict about the billed plan (rule 16): it fits (high ≤ budget); else the
    fewest changes — ties: what is given up least, then the cheaper — after which the billed
    plan's high fits; else its low end fits as it is, or after the fewest changes; else
    the cheapest combination and what is still missing."""
    budget = inquiry.budget
    if budget is None:
        return None
    plan, price = billed.method, billed.monthly
    if price.high <= budget:
        return BudgetFit(budget, "fits", monthly=price, plan=plan, price=price)
    changes = budget_changes(inquiry, scope, rates)
    priced: dict[tuple[str, ...], Range] = {}
    # Billing-only combinations price the inquiry as it is: its totals are already known
    # (the budget never moves a price). Other combinations are priced once per inquiry
    # they lead to, since different changes can ask for the same one.
    totals_of: dict[tuple[str, ...], tuple[Inquiry, _Totals]] = {
        (): (apply_changes(inquiry, ()), totals)}
    totals_by_variant: dict[Inquiry, _Totals] = {}
    bases: dict[tuple[Scope, int], _Basis] = {}

    def cost(combination: tuple[str, ...]) -> Range:
        """The billed price after the changes; one pricing per combination of the changes
        other than billing, which only picks among its plans."""
        found = priced.get(combination)
        if found is None:
            rest = tuple([c for c in combination if _kind(c) != "billing"])
            pair = totals_of.get(rest)
            if pair is None:
                variant = apply_changes(inquiry, rest)
                variant_totals = totals_by_variant.get(variant)
                if variant_totals is None:
                    variant_totals = totals_by_variant[variant] = _totals(variant, rates,
                                                                          bases=bases)
                pair = totals_of[rest] = (variant, variant_totals)
            variant, variant_totals = pair
            if len(rest) < len(combination):
                method = Billing(combination[0][len("billing_"):])  # billing changes sort first
                found = _costs(variant_totals)[method]
            else:
                found = _billed_cost(variant, variant_totals, rates)[1]
            priced[combination] = found
        return found

    candidates = _candidates(tuple(changes), inquiry.mode is ServiceMode.FULL_TIME)

    # Every change but billing, AI and leaving in-house lowers every plan or leaves it
    # (own system, a slower response, a narrower service, part-time: rule 2 and the rates
    # checks). So the cheapest billed price any combination reaches is among a few: all
    # of those with each AI choice and mode, billed on each plan. They say at once whether
    # anything can fit at the high end, at the low end, or not at all.
    lowering = tuple([c for c in changes if _kind(c) in ("own_system", "response", "scope")
                      or c == "mode_part_time"])
    def first_fit(end: str, most: int = 99) -> tuple[tuple[str, ...], Range] | None:
        """The fewest changes after which the plan's `end` fits; ties: what is given up
        least, then the cheaper."""
        best: tuple[tuple[object, ...], tuple[str, ...], Range] | None = None
        for size, rank, combination in candidates:
            if size > most or (best is not None and size > best[0][0]):  # type: ignore[operator]
                break
            amount = cost(combination)
            if (amount.high if end == "high" else amount.low) <= budget:
                key = (size, rank, (amount.high, amount.low) if end == "high"
                       else (amount.low, amount.high))
                if best is None or key < best[0]:
                    best = (key, combination, amount)
        return None if best is None else (best[1], best[2])

    def verdict(status: str, found: tuple[tuple[str, ...], Range]) -> BudgetFit:
        combination, amount = found
        return BudgetFit(budget, status, combination, amount,
                         shortfall=amount.low - budget if status == "does_not_fit" else NOUGHT,
                         plan=plan, price=price, notes=_notes(combination, scope, inquiry,
                                                              rates))

    # Most budgets fit after one or two changes: look there first.
    found = first_fit("high", most=2)
    if found is not None:
        return verdict("fits_with_changes", found)
    # Every change but billing, AI and leaving in-house lowers every plan or leaves it
    # (own system, a slower response, a narrower service, part-time: rule 2 and the rates
    # checks). So the cheapest billed price any combination reaches is among a few: all
    # of those with each AI choice, mode and plan. They say whether anything fits at all.
    extremes = [price] + [cost(combination) for _, _, combination in candidates
                          if all(change in combination for change in lowering)
                          or (lowering and lowering[-1] == "mode_part_time"
                              and all(change in combination for change in lowering[:-1]))]
    if min(amount.high for amount in extremes) <= budget:
        found = first_fit("high")
        assert found is not None
        return verdict("fits_with_changes", found)
    if price.low <= budget:
        return BudgetFit(budget, "fits_low", monthly=price, plan=plan, price=price)
    if min(amount.low for amount in extremes) <= budget:
        found = first_fit("low")
        assert found is not None
        return verdict("fits_low_with_changes", found)
    cheapest = min(amount.low for amount in extremes)
    if price.low == cheapest:
        return BudgetFit(budget, "does_not_fit", (), price, shortfall=price.low - budget,
                         plan=plan, price=price)
    best: tuple[tuple[object, ...], tuple[str, ...], Range] | None = None
    for size, rank, combination in candidates:
        if best is not None and size > best[0][0]:  # type: ignore[operator]
            break
        amount = cost(combination)
        if amount.low == cheapest and (best is None or (size, rank, amount.high) < best[0]):
            best = ((size, rank, amount.high), combination, amount)
    assert best is not None, "the cheapest combination is always found"
    return verdict("does_not_fit", (best[1], best[2]))


@lru_cache(maxsize=512)
def _candidates(changes: tuple[str, ...], in_house: bool
                ) -> tuple[tuple[int, tuple[int, ...], tuple[str, ...]], ...]:
    """Every allowed combination of `changes` (one billing method, one AI choice, one
    mode; no usage billing for staff kept in-house), as (size, give-up rank, changes),
    in search order. The same few change lists recur: computed once each."""
    groups: dict[str, list[str]] = {}
    for change in changes:
        kind = _kind(change)
        groups.setdefault("mode" if kind.startswith("mode_") else kind, []).append(change)
    found = []
    for picked in product(*[[None, *options] for options in groups.values()]):
        combination = tuple([change for change in picked if change is not None])
        if not combination:
            continue
        if in_house and "billing" in groups and any(c in groups["billing"] for c in combination) \
                and not any(c.startswith("mode_") for c in combination):
            continue
        found.append((len(combination), give_up_rank(combination), combination))
    return tuple(sorted(found))


def _notes(combination: tuple[str, ...], scope: Scope, inquiry: Inquiry,
           rates: Rates) -> tuple[str, ...]:
    """Said with the advice: a narrower service than 帮我推荐 would choose."""
    for change in combination:
        if change.startswith("scope_"):
            suggested = _dominant(_auto_mix(inquiry.product_kinds, inquiry.daily_orders,
                                            rates))
            if SCOPE_ORDER.index(Scope(change[len("scope_"):])) < SCOPE_ORDER.index(
                    suggested):
                return ("scope_below_recommended",)
    return ()
