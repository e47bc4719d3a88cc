"""Quote ⇄ plain data (JSON-ready): money as decimal strings, never floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pricing.model import (
    ROTATIONS,
    Billed,
    Billing,
    BudgetFit,
    Coverage,
    InHouse,
    Inquiry,
    LineItem,
    MixShare,
    Notice,
    Quote,
    Range,
    Response,
    Scope,
)
from pricing.money import round_money, whole_up

# Parameters of line items and notices that hold money or a count: rounded as people see
# them when `rounded` (rule 8: the JSON carries the figures of the text, never "1040.0000").
MONEY_PARAMS = frozenset({"floor", "threshold", "saving_low", "saving_high"})
COUNT_PARAMS = frozenset({"units_low", "units_high", "people"})
HUNDREDTH = Decimal("0.01")


def _money(amount: Decimal, rounded: bool) -> str:
    value = round_money(amount) if rounded else amount
    return f"{value.normalize():f}" if not rounded else f"{value:f}"


def _range(amount: Range, rounded: bool = True) -> dict[str, str]:
    return {"low": _money(amount.low, rounded), "high": _money(amount.high, rounded)}


def _decimal(amount: Decimal, rounded: bool) -> str:
    """A count: exact in a snapshot; at most two decimals for people ("1.25", "2.5")."""
    value = amount.quantize(HUNDREDTH) if rounded else amount
    return f"{value.normalize():f}" if value else "0"


def _count(amount: Range, rounded: bool = True) -> dict[str, str]:
    return {"low": _decimal(amount.low, rounded), "high": _decimal(amount.high, rounded)}


def _params(params: tuple[tuple[str, str], ...], rounded: bool) -> dict[str, str]:
    if not rounded:
        return dict(params)
    shown: dict[str, str] = {}
    for name, value in params:
        if name in MONEY_PARAMS:
            value = _money(Decimal(value), True)
        elif name in COUNT_PARAMS:
            value = _decimal(Decimal(value), True)
        shown[name] = value
    return shown


def _notice(notice: Notice, rounded: bool = True) -> dict[str, Any]:
    return {"code": notice.code, "params": _params(notice.params, rounded)}


def _line(item: LineItem, rounded: bool) -> dict[str, Any]:
    return {
        "code": item.code,
        **_range(item.amount, rounded),
        "source": item.provenance,
        "rates_keys": list(item.keys),
        "params": _params(item.params, rounded),
    }


def inquiry_to_dict(quote: Quote) -> dict[str, Any]:
    inquiry = quote.inquiry
    return {
        "daily_orders": inquiry.daily_orders,
        "categories": inquiry.categories,
        "product_kinds": sorted(kind.value for kind in inquiry.product_kinds),
        "multi_level": inquiry.multi_level,
        "cross_border": inquiry.cross_border,
        "response": inquiry.response.value,
        "scope": inquiry.scope.value,
        "tooling": inquiry.tooling.value,
        "ai": inquiry.ai.value,
        "mode": inquiry.mode.value,
        "volume": inquiry.volume.value,
        "billing": inquiry.billing.value,
        "budget": None if inquiry.budget is None else f"{inquiry.budget:f}",
        "discount": f"{inquiry.discount:f}",
        "hours": inquiry.hours,
    }


def _unit_price(amount: Range | None, rounded: bool) -> dict[str, str] | None:
    """元 per order or per hour: two decimals for people, exact in a snapshot."""
    return None if amount is None else _count(amount, rounded)


def quote_to_dict(quote: Quote, *, rounded: bool = True) -> dict[str, Any]:
    """The quote as JSON-ready data. `rounded` gives money to 10 yuan, as people see it."""
    fit = quote.budget_fit
    coverage, billed, in_house = quote.coverage, quote.billed, quote.in_house
    return {
        "inquiry": inquiry_to_dict(quote),
        "scope": quote.scope.value,
        "ai_applied": quote.ai_applied,
        "units": {**_count(quote.units, rounded), "unit": quote.unit},
        "billed": {
            "method": billed.method.value,
            "monthly": _range(billed.monthly, rounded),
            "unit": _unit_price(billed.unit, rounded),
        },
        "coverage": {
            "hours_per_day": coverage.hours_per_day,
            "headcount": _count(coverage.headcount, rounded),
            "rotation": coverage.rotation,
            "basis": coverage.basis,
        },
        "in_house": None if in_house is None else {
            "monthly": _range(in_house.monthly, rounded),
            "headcount": _count(in_house.headcount, rounded),
        },
        "mix": [{"scope": share.scope.value, "share": _decimal(share.share, rounded)}
                for share in quote.mix],
        "monthly": _range(quote.monthly, rounded),
        "line_items": [_line(item, rounded) for item in quote.line_items],
        "alternatives": {
            "per_order": _range(quote.per_order, rounded),
            "per_hour": _range(quote.per_hour, rounded),
            "hours_per_month": _count(quote.hours_per_month, rounded),
            **({} if quote.per_order_rate is None else {
                "per_order_rate": _count(quote.per_order_rate, rounded)}),
            **({} if quote.per_hour_rate is None else {
                "per_hour_rate": _count(quote.per_hour_rate, rounded)}),
        },
        "break_even_daily_orders": _count(quote.break_even_daily_orders, rounded),
        # The 临界单量 at the low end, then the high end (rule 12).
        "crossing": None if quote.crossing is None else [
            {"end": end, "code": code, "orders": orders}
            for end, (code, orders) in zip(("low", "high"), quote.crossing, strict=True)],
        "recommended_plan": quote.recommended_plan.value,
        "recommendations": [notice.code for notice in quote.recommendations],
        "warnings": [notice.code for notice in quote.warnings],
        "notices": {
            "recommendations": [_notice(n, rounded) for n in quote.recommendations],
            "warnings": [_notice(n, rounded) for n in quote.warnings],
            "kpi": [_notice(n, rounded) for n in quote.kpi],
        },
        "budget_fit": None if fit is None else {
            "budget": _decimal(fit.budget, rounded),
            "status": fit.status,
            "changes": list(fit.changes),
            "monthly": None if fit.monthly is None else _range(fit.monthly, rounded),
            "shortfall": _money(fit.shortfall, rounded),
            "plan": fit.plan.value,
            "price": None if fit.price is None else _range(fit.price, rounded),
            "notes": list(fit.notes),
        },
        "assumptions": list(quote.assumptions),
        "rates_version": quote.rates_version,
        "validity_days": quote.validity_days,
        "days_per_month": f"{quote.days_per_month:f}",
    }


# --- back from data: a stored snapshot is shown as it was, never re-priced ----------------

def _back_range(data: dict[str, str]) -> Range:
    return Range(Decimal(data["low"]), Decimal(data["high"]))


def _back_notice(data: dict[str, Any]) -> Notice:
    return Notice(str(data["code"]), tuple((str(k), str(v)) for k, v in data["params"].items()))


def inquiry_from_dict(data: dict[str, Any]) -> Inquiry:
    return Inquiry.from_codes(data)


def _back_coverage(data: dict[str, Any], inquiry: Inquiry, units: Range) -> Coverage:
    """A snapshot's coverage; one made before v3 had none: one shift (emergency: three)
    and the people its units were, as that quote assumed."""
    stored = data.get("coverage")
    if stored is not None:
        return Coverage(int(stored["hours_per_day"]), _back_range(stored["headcount"]),
                        str(stored["rotation"]), str(stored.get("basis", "asked")))
    hours = 24 if inquiry.response is Response.EMERGENCY else 8
    shifts = Decimal(hours // 8)
    people = Range(max(shifts, whole_up(units.low)), max(shifts, whole_up(units.high)))
    return Coverage(hours, people, ROTATIONS[hours], "default")


def _back_billed(data: dict[str, Any], inquiry: Inquiry, plan: Billing, monthly: Range,
                 per_order: Range, per_hour: Range) -> Billed:
    stored = data.get("billed")
    if stored is not None:
        unit = stored.get("unit")
        return Billed(Billing(stored["method"]), _back_range(stored["monthly"]),
                      None if unit is None else _back_range(unit))
    # Before v3: billed on the chosen billing, else the recommended plan.
    method = plan if inquiry.billing is Billing.COMPARE else inquiry.billing
    if method is Billing.PER_ORDER:
        return Billed(method, per_order)
    if method is Billing.PER_HOUR:
        return Billed(method, per_hour)
    return Billed(Billing.MONTHLY, monthly)


def quote_from_dict(data: dict[str, Any]) -> Quote:
    """The inverse of quote_to_dict(quote, rounded=False); a snapshot made before a field
    existed gets what that quote meant (one shift, billed on its plan, no in-house figure)."""
    fit = data.get("budget_fit")
    alternatives = data["alternatives"]
    inquiry = inquiry_from_dict(data["inquiry"])
    units = _back_range(data["units"])
    monthly = _back_range(data["monthly"])
    per_order = _back_range(alternatives["per_order"])
    per_hour = _back_range(alternatives["per_hour"])
    recommended = Billing(data["recommended_plan"])
    in_house = data.get("in_house")
    return Quote(
        inquiry=inquiry,
        scope=Scope(data["scope"]),
        ai_applied=bool(data["ai_applied"]),
        units=units,
        unit=str(data["units"]["unit"]),
        line_items=tuple(
            LineItem(str(item["code"]), _back_range(item), tuple(item["rates_keys"]),
                     str(item["source"]),
                     tuple((str(k), str(v)) for k, v in item["params"].items()))
            for item in data["line_items"]),
        monthly=monthly,
        per_order=per_order,
        per_hour=per_hour,
        hours_per_month=_back_range(alternatives["hours_per_month"]),
        break_even_daily_orders=_back_range(data["break_even_daily_orders"]),
        recommended_plan=recommended,
        recommendations=tuple(_back_notice(n) for n in data["notices"]["recommendations"]),
        warnings=tuple(_back_notice(n) for n in data["notices"]["warnings"]),
        kpi=tuple(_back_notice(n) for n in data["notices"]["kpi"]),
        budget_fit=None if fit is None else BudgetFit(
            budget=Decimal(fit["budget"]), status=str(fit["status"]),
            changes=tuple(fit["changes"]),
            monthly=None if fit["monthly"] is None else _back_range(fit["monthly"]),
            shortfall=Decimal(fit["shortfall"]),
            plan=Billing(fit.get("plan", "monthly")),
            price=None if fit.get("price") is None else _back_range(fit["price"]),
            notes=tuple(fit.get("notes", ()))),
        assumptions=tuple(data["assumptions"]),
        rates_version=str(data["rates_version"]),
        validity_days=int(data["validity_days"]),
        coverage=_back_coverage(data, inquiry, units),
        billed=_back_billed(data, inquiry, recommended, monthly, per_order, per_hour),
        mix=tuple(MixShare(Scope(share["scope"]), Decimal(share["share"]))
                  for share in data.get("mix", ())) or (MixShare(Scope(data["scope"]),
                                                                 Decimal(1)),),
        in_house=None if in_house is None else InHouse(_back_range(in_house["monthly"]),
                                                       _back_range(in_house["headcount"])),
        days_per_month=Decimal(data["days_per_month"]),
        per_order_rate=(_back_range(alternatives["per_order_rate"])
                        if "per_order_rate" in alternatives else None),
        per_hour_rate=(_back_range(alternatives["per_hour_rate"])
                       if "per_hour_rate" in alternatives else None),
        crossing=None if data.get("crossing") is None else tuple(  # type: ignore[arg-type]
            (str(end["code"]), int(end["orders"])) for end in data["crossing"]),
    )
