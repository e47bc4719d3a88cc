"""Short answers under a quote, in words from the catalogs: the merchant's own figures
(price, per order, per hour, the cheapest plan, headcount, hours, what is included,
validity) and the next step of a sale from the company file (dialogs/company.py). One short
message each; the quote itself is not sent again.

Pure: a priced Quote, a Company and a Translator in, Telegram-HTML out (values escaped).
"""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal

from dialogs import whatif
from dialogs.company import Company
from dialogs.firm import is_firm
from locales.formatting import format_money_range, format_number
from locales.i18n import Translator, ngettext
from pricing import Billing, Quote, Range

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)


def _figure(low: Decimal, high: Decimal, t: Translator) -> str:
    low, high = sorted((low, high))
    if low == high:
        return format_number(low, t.locale)
    return t("range", low=format_number(low, t.locale), high=format_number(high, t.locale))


def per_order_rate(q: Quote) -> Range:
    """What one order costs on the per-order plan (元/单)."""
    if q.per_order_rate is not None:
        rate = q.per_order_rate.scale(1 / q.days_per_month)
    else:
        orders = Decimal(q.inquiry.daily_orders) * q.days_per_month
        rate = Range(q.per_order.low / orders, q.per_order.high / orders)
    return Range(rate.low.quantize(CENT), rate.high.quantize(CENT))


def per_hour_rate(q: Quote) -> Range | None:
    if q.hours_per_month.low <= 0 or q.hours_per_month.high <= 0:
        return None
    return Range((q.per_hour.low / q.hours_per_month.low).quantize(CENT),
                 (q.per_hour.high / q.hours_per_month.high).quantize(CENT))


def plan_total(q: Quote, plan: Billing) -> Range:
    return {Billing.PER_ORDER: q.per_order, Billing.PER_HOUR: q.per_hour}.get(plan, q.monthly)


def headline(q: Quote, t: Translator) -> str:
    """"💰 按单计费：约 0.52–1.05 元/单，一个月约 4,680–9,450 元" — the plan the merchant
    is billed on (quote.billed: their choice, else the recommended one), with its unit."""
    billed = q.billed
    plan = t(f"plan.{billed.method.value}")
    total = format_money_range(billed.monthly, t)
    if billed.unit is not None and billed.method is Billing.PER_ORDER:
        return t("talk.headline_per_order", plan=plan, total=total,
                 rate=_figure(billed.unit.low.quantize(CENT), billed.unit.high.quantize(CENT),
                              t))
    if billed.unit is not None and billed.method is Billing.PER_HOUR:
        return t("talk.headline_per_hour", plan=plan, total=total,
                 rate=_figure(billed.unit.low.quantize(CENT), billed.unit.high.quantize(CENT),
                              t))
    if is_firm(q):  # a salesperson's firm price, shown as such
        return t("talk.headline_firm", plan=plan, total=total)
    return t("talk.headline_monthly", plan=plan, total=total)


def unit_text(q: Quote, t: Translator) -> str:
    """"1.04–2.1" — the billed plan's unit price (元/单 or 元/时), "" for the monthly fee."""
    unit = q.billed.unit
    if unit is None:
        return ""
    return _figure(unit.low.quantize(CENT), unit.high.quantize(CENT), t)


def people(q: Quote, t: Translator) -> str:
    """"2–3 人" — the coverage's headcount."""
    count = q.coverage.headcount
    return t("talk.people", n=_figure(count.low.quantize(Decimal(1)),
                                      count.high.quantize(Decimal(1)), t))


def coverage(q: Quote, t: Translator, *, note_default: bool = True) -> str:
    """"2–3 人 · 两班倒（每天 16 小时）" — people, rotation and hours a day; a default number
    of hours says so (unless `note_default` is False)."""
    cover = q.coverage
    text = t("talk.coverage", people=people(q, t),
             rotation=t(f"talk.rotation.{cover.rotation}"), hours=cover.hours_per_day)
    if cover.basis == "default" and note_default:
        return t("talk.coverage_default", coverage=text)
    return text


def headcount(q: Quote, t: Translator) -> str:
    """"约 1.7 个席位的工作量" / "2 个团队" as the quote's own staffing."""
    exact = q.units.low
    if exact == exact.to_integral_value():
        n = int(exact)
        return ngettext(t.locale, f"units.{q.unit}", n).format(n=format_number(exact, t.locale))
    shown = exact.quantize(TENTH, rounding=ROUND_HALF_UP).normalize()
    units = ngettext(t.locale, f"units.{q.unit}", 2).format(n=format_number(shown, t.locale))
    return t("units.workload", units=units)


def answer(kind: str, q: Quote, t: Translator) -> str:
    """The quote's own answer to a question of `kind` (dialogs.intents.quote_question)."""
    billed = t("talk.billed", headline=headline(q, t))
    if kind == "price":
        return "\n".join([billed, t("talk.price_note")])
    if kind == "per_order":
        rate = per_order_rate(q)
        text = t("talk.per_order", rate=_figure(rate.low, rate.high, t),
                 orders=format_number(q.inquiry.daily_orders, t.locale),
                 total=format_money_range(q.per_order, t))
        return text if q.recommended_plan is Billing.PER_ORDER else f"{text}\n{billed}"
    if kind == "per_hour":
        hourly = per_hour_rate(q)
        text = t("talk.per_hour", total=format_money_range(q.per_hour, t),
                 hours=_figure(q.hours_per_month.low.quantize(Decimal(1)),
                               q.hours_per_month.high.quantize(Decimal(1)), t),
                 rate=_figure(hourly.low, hourly.high, t) if hourly else "-")
        return text if q.recommended_plan is Billing.PER_HOUR else f"{text}\n{billed}"
    if kind == "cheapest":
        plans = sorted(whatif.PLANS, key=lambda plan: (plan_total(q, plan).low
                                                       + plan_total(q, plan).high))
        cheapest = plans[0]
        lines = [t("talk.cheapest", plan=t(f"plan.{cheapest.value}"),
                   total=format_money_range(plan_total(q, cheapest), t))]
        if cheapest is not q.recommended_plan:
            lines.append(billed)
        lines.append(t("talk.cheaper_how"))
        return "\n".join(lines)
    if kind == "headcount":
        return t("talk.headcount", coverage=coverage(q, t), staff=headcount(q, t),
                 response=t(f"response.{q.inquiry.response.value}"))
    if kind == "hours":
        key = "talk.hours_round_clock" if q.coverage.hours_per_day == 24 else "talk.hours_day"
        return t(key, hours=q.coverage.hours_per_day, coverage=coverage(q, t),
                 response=t(f"response.{q.inquiry.response.value}"))
    if kind == "included":
        parts = [t(f"talk.included.{q.scope.value}")]
        parts.append(t("talk.included_ai") if q.ai_applied else t("talk.included_human"))
        parts.append(t(f"talk.included_tooling.{q.inquiry.tooling.value}"))
        return t("talk.included", scope=t(f"scope.{q.scope.value}"),
                 items=t("list_separator").join(parts))
    if kind == "validity":
        return t("talk.validity", days=q.validity_days)
    raise ValueError(kind)


# --- the company: contacts, hours, next steps -------------------------------------------

def hours(company: Company, t: Translator) -> str:
    """"周一至周六 09:00–21:00（北京时间）"."""
    days = sorted(company.days)
    if not days:
        spoken = ""
    elif len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        spoken = t("company.day_range", first=t(f"weekday.{days[0]}"),
                   last=t(f"weekday.{days[-1]}"))
    else:
        spoken = t("list_separator").join(t(f"weekday.{day}") for day in days)
    zone = t(f"company.zone.{company.timezone}") if t.has(
        f"company.zone.{company.timezone}") else company.timezone
    return t("company.hours", days=spoken, opens=f"{company.opens:%H:%M}",
             closes=f"{company.closes:%H:%M}", zone=zone)


def contacts(company: Company, t: Translator) -> str:
    """"Telegram @x · 微信 y · 电话 z" (only those the company gave)."""
    found = [t(f"company.contact.{name}", value=_e(value))
             for name, value in (("telegram", company.telegram), ("wechat", company.wechat),
                                 ("phone", company.phone)) if value]
    return " · ".join(found)


def close_text(topic: str, company: Company, t: Translator) -> str:
    """The next step for a buying signal of `topic`, from the company's own terms."""
    name = _e(company.name.of(t.locale) or t("card.company"))
    term = company.term("order" if topic == "accept" else topic, t.locale)
    lines = [t(f"close.title.{topic}", company=name)]
    if term:
        lines.append(_e(term))
    found = contacts(company, t)
    lines.append(t("close.contacts", contacts=found, hours=hours(company, t)) if found
                 else t("close.hours", hours=hours(company, t)))
    lines.append(t("close.cta_contact" if topic == "contact" else "close.cta"))
    return "\n".join(lines)
