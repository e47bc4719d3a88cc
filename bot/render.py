"""Quote → words: jinja2 templates over the quote's codes and figures.

Templates receive the quote, a translator and formatting filters; they do no arithmetic.
Output is Telegram-HTML (autoescaped: <b>, <i> and escaped text only); the terminal gets the
same text with the tags removed. Money, ranges and signed changes are formatted by
locales/formatting.py, which the dialogue's own lines share.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dialogs import whatif
from dialogs.state import Screen
from locales.formatting import format_change, format_money, format_money_range, format_number
from locales.i18n import Translator, ngettext, translator
from pricing import BudgetFit, LineItem, Notice, Quote, Range, VolumePattern, round_money

TEMPLATES_DIR = Path(__file__).with_name("templates")

# Parameters that hold money, and those that hold a code to translate (param → key prefix).
MONEY_PARAMS = frozenset({"floor", "threshold"})
CODE_PARAMS = {
    "scope": "scope", "requested": "scope", "recommended": "scope", "plan": "plan",
    "reason": "reason", "level": "response", "mode": "mode", "unit": "unit",
}
# Pairs X_low / X_high shown as one figure X: a saving (positive, sorted).
MONEY_PAIRS = frozenset({"saving"})
# Lines that are what is bought, shown as a plain range; every other line is a change to the
# total, shown with its sign: a surcharge as an addition, a discount as a reduction (rule 8).
BASE_LINES = frozenset({"staffing", "staffing_share", "tooling_bundle", "in_house_salary"})
TENTH = Decimal("0.1")
CENT = Decimal("0.01")

_TAGS = re.compile(r"</?(?:b|i|u|s|code|pre)>")


def format_span(low: Decimal | str, high: Decimal | str, t: Translator) -> str:
    """Whole counts (orders, seats, hours): one figure when low == high, else "low–high"."""
    low_n = Decimal(low).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    high_n = Decimal(high).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if low_n == high_n:
        return format_number(low_n, t.locale)
    return t("range", low=format_number(low_n, t.locale), high=format_number(high_n, t.locale))


def plural(key: str, count: Decimal | int, t: Translator) -> str:
    """A counted noun through Babel's ngettext: en "1 seat", "2 seats", "1.5 seats"."""
    number = Decimal(count)
    n = int(number) if number == number.to_integral_value() else 2
    return ngettext(t.locale, key, n).format(n=format_number(number, t.locale))


def format_units(units: Decimal | str, unit: str, t: Translator) -> str:
    """Staffing as people read it: "1 个席位"; a workload "约 1.7 个席位的工作量" (rule 1)."""
    exact = Decimal(units)
    if exact == exact.to_integral_value():
        return plural(f"units.{unit}", exact, t)
    shown = exact.quantize(TENTH, rounding=ROUND_HALF_UP).normalize()
    return t("units.workload", units=plural(f"units.{unit}", shown, t))


def format_saving(low: Decimal, high: Decimal, t: Translator) -> str:
    """A saving is positive and sorted; where one end saves nothing, "up to" the other."""
    first, second = sorted((round_money(low), round_money(high)))
    if first <= 0:
        return t("money_up_to", amount=format_number(max(second, Decimal(0)), t.locale))
    return format_money_range(Range(first, second), t)


def describe(prefix: str, code: str, params: Iterable[tuple[str, str]], t: Translator) -> str:
    """A code with parameters → a sentence: money formatted, nested codes translated."""
    raw = dict(params)
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name in MONEY_PARAMS:
            values[name] = format_money(Decimal(value), t)
        elif name in CODE_PARAMS:
            values[name] = t(f"{CODE_PARAMS[name]}.{value}")
        else:
            values[name] = value
    for pair in MONEY_PAIRS & {name[:-4] for name in raw if name.endswith("_low")}:
        values[pair] = format_saving(Decimal(raw[f"{pair}_low"]), Decimal(raw[f"{pair}_high"]), t)
    if "units_low" in raw and "unit" in raw:
        values["units"] = format_units(raw["units_low"], raw["unit"], t)
    if "rotation" in raw:
        values["rotation"] = t(f"rotation.{raw['rotation']}")
    if "people" in raw:
        values["people"] = format_number(
            Decimal(raw["people"]).quantize(TENTH, rounding=ROUND_HALF_UP).normalize(), t.locale)
    for index in (1, 2):
        if f"scope_{index}" in raw:
            values[f"scope_{index}"] = t(f"scope.{raw[f'scope_{index}']}")
            values[f"share_{index}"] = format_number(
                Decimal(raw[f"share_{index}"]).quantize(Decimal(1), rounding=ROUND_HALF_UP),
                t.locale)
    return t(f"{prefix}.{code}", **values)


def honest_params(quote: Quote, item: Notice) -> tuple[tuple[str, str], ...]:
    """A notice's parameters, with a reason that contradicts the merchant's own answers
    replaced by the true one: monthly billing for a seasonal volume is never "业务量平稳"
    but "cheaper even counting the quiet months"."""
    params = dict(item.params)
    if (params.get("reason") == "steady_cost_control"
            and quote.inquiry.volume is VolumePattern.SEASONAL):
        params["reason"] = "seasonal_monthly_cheaper"
    return tuple(params.items())


def format_rate(rate: Range, unit: str, t: Translator) -> str:
    """元 per order or per hour: two decimals ("每单 0.85–1.42 元")."""
    low, high = (amount.quantize(CENT, rounding=ROUND_HALF_UP) for amount in (rate.low,
                                                                              rate.high))
    return t(f"quote.rate_{unit}", low=format_number(low, t.locale),
             high=format_number(high, t.locale))


def format_people(people: Range, t: Translator) -> str:
    """"约 3–5 人", en "3–5 people": the plural follows the larger count."""
    high = int(people.high)
    return ngettext(t.locale, "count.people", high).format(
        n=format_span(people.low, people.high, t))


def headline(quote: Quote, t: Translator) -> str:
    """THE figure of a quote: the plan the merchant is billed on, with its unit rate."""
    billed = quote.billed
    plan = t(f"plan.{billed.method.value}")
    amount = format_money_range(billed.monthly, t)
    if billed.unit is None:
        return t("quote.headline", plan=plan, amount=amount)
    unit = "per_order" if billed.method.value == "per_order" else "per_hour"
    return t("quote.headline_usage", plan=plan, amount=amount,
             rate=format_rate(billed.unit, unit, t))


def coverage_line(quote: Quote, t: Translator) -> str:
    """"值守：每天 8 小时，单班 9:00–17:00，约 1 人（默认，可改为 16 或 24 小时）"."""
    coverage = quote.coverage
    text = t("quote.coverage", hours=coverage.hours_per_day,
             rotation=t(f"rotation.{coverage.rotation}"),
             people=format_people(coverage.headcount, t))
    if coverage.basis == "default":
        text += t("quote.coverage_default")
    elif coverage.basis == "emergency":
        text += t("quote.coverage_emergency")
    return text


def mix_line(quote: Quote, t: Translator) -> str | None:
    """帮我推荐's blend, when it blends ("按单量混合：基础客服 40% + 技术客服 60%")."""
    if len(quote.mix) < 2:
        return None
    parts = [t("quote.mix_part", scope=t(f"scope.{share.scope.value}"),
               share=format_number((share.share * 100).quantize(Decimal(1),
                                                                rounding=ROUND_HALF_UP),
                                   t.locale))
             for share in quote.mix]
    return t("quote.mix", parts=t("quote.mix_separator").join(parts))


def in_house_line(quote: Quote, t: Translator) -> str | None:
    """外包 vs 自招 (rule 17); a full-time quote is itself the in-house price."""
    if quote.in_house is None or quote.inquiry.mode.value == "full_time":
        return None
    return t("quote.in_house", people=format_people(quote.in_house.headcount, t),
             amount=format_money_range(quote.in_house.monthly, t))


def crossing_line(quote: Quote, t: Translator) -> str:
    """The 临界单量 as found on the curves (rule 12), or which is cheaper throughout."""
    crossing = quote.crossing
    if crossing is None:  # a snapshot from before v3
        return t("quote.break_even", orders=format_span(quote.break_even_daily_orders.low,
                                                        quote.break_even_daily_orders.high, t))
    codes = {code for code, _ in crossing}
    if codes == {"at"}:
        return t("quote.break_even", orders=format_span(quote.break_even_daily_orders.low,
                                                        quote.break_even_daily_orders.high, t))
    if codes == {"per_order_cheaper"}:
        return t("quote.crossing_always_cheaper")
    if codes == {"per_order_dearer"}:
        return t("quote.crossing_always_dearer")
    low, high = (t(f"crossing.{code}", orders=format_number(Decimal(orders), t.locale))
                 for code, orders in crossing)
    return t("quote.crossing_ends", low=low, high=high)


def describe_budget(fit: BudgetFit, t: Translator) -> str:
    """The verdict, naming the billed plan it judges and its price (rule 16)."""
    changes = t("list_separator").join(t(f"change.{change}") for change in fit.changes)
    judged = "" if fit.price is None else t("budget.judged", plan=t(f"plan.{fit.plan.value}"),
                                            price=format_money_range(fit.price, t))
    notes = "".join(t(f"budget.note.{note}") for note in fit.notes)
    return judged + t(
        f"budget.{fit.status}",
        budget=format_money(fit.budget, t),
        changes=changes,
        monthly=format_money_range(fit.monthly, t) if fit.monthly else "",
        shortfall=format_money(fit.shortfall, t),
    ) + notes


def describe_assumption(key: str, t: Translator) -> str:
    return t.get(f"assumption.{key}", key)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env


def quote_context(quote: Quote, t: Translator) -> dict[str, Any]:
    """What every quote template gets: the quote, the translator, formatting helpers."""
    return {
        "q": quote,
        "t": t,
        "money": lambda amount: format_money_range(amount, t),
        "one_money": lambda amount: format_money(amount, t),
        "span": lambda low, high: format_span(low, high, t),
        "line": lambda item: describe("line", item.code, item.params, t),
        "notice": lambda prefix, item: describe(prefix, item.code, honest_params(quote, item),
                                                t),
        "budget": lambda fit: describe_budget(fit, t),
        "assumption": lambda key: describe_assumption(key, t),
        "signed": lambda item: _signed_amount(item, t),
        "units": lambda amount, unit: format_units(amount, unit, t),
        "headline": headline(quote, t),
        "coverage": coverage_line(quote, t),
        "mix": mix_line(quote, t),
        "in_house": in_house_line(quote, t),
        "crossing": crossing_line(quote, t),
        "count": lambda key, n: plural(key, n, t),
        # The rates version people read: the operator's release, not the file's hash.
        "release": quote.rates_version.split("+")[0],
    }


@dataclass(frozen=True, slots=True)
class VersionColumns:
    """对比 on the web page: one column per version, rows of words (no arithmetic left)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (label, one cell per version)
    best: int | None  # the column marked ✅
    note: str


def version_columns(versions: Sequence[tuple[int, Quote]], t: Translator) -> VersionColumns:
    """Versions (number, quote), oldest first, as columns: the total each is billed at, its
    plan, the per-order and per-hour prices, and the choices a what-if flips. ✅ marks the
    cheapest that meets what the oldest shown asked for (response no slower, scope no
    narrower), as 对比 does in the chat."""
    quotes = [q for _, q in versions]
    asked = quotes[0]
    best = whatif.cheapest(quotes, asked)
    rows = (
        (t("page.versions_total"),
         tuple(format_money_range(whatif.billed(q), t) for q in quotes)),
        (t("field.billing"), tuple(t(f"plan.{q.recommended_plan.value}") for q in quotes)),
        (t("field.response"), tuple(t(f"response.{q.inquiry.response.value}") for q in quotes)),
        (t("field.scope"), tuple(t(f"scope.{q.scope.value}") for q in quotes)),
        (t("field.ai"), tuple(t("compare.with_ai" if q.ai_applied else "opt.ai.no")
                              for q in quotes)),
        (t("field.tooling"), tuple(t(f"opt.tooling.{q.inquiry.tooling.value}") for q in quotes)),
        (t("plan.per_order"), tuple(format_money_range(q.per_order, t) for q in quotes)),
        (t("plan.per_hour"), tuple(format_money_range(q.per_hour, t) for q in quotes)),
    )
    needs = t("compare.needs", response=t(f"response.{asked.inquiry.response.value}"),
              scope=t(f"scope.{asked.scope.value}"))
    note = (t("page.versions_best", version=versions[best][0], needs=needs)
            if best is not None else t("compare.none_meets", needs=needs))
    return VersionColumns(
        headers=tuple(t("page.version", version=number) for number, _ in versions),
        rows=rows, best=best, note=note)


def render_quote_html(quote: Quote, locale: str | None = None) -> str:
    """The quote as a Telegram-HTML message (autoescaped)."""
    t = translator(locale)
    template = environment().get_template("quote.html.j2")
    return template.render(quote_context(quote, t)).strip()


# The one recommendation the short quote shows, most useful first (the rest are in 明细).
ADVICE_ORDER = ("cheaper_plan_available", "ai_recommended", "consider_ai",
                "consider_full_chain_team", "plan_recommended", "scope_recommended")


def short_advice(quote: Quote, t: Translator) -> str:
    """The budget's verdict when a budget was given and it does not simply fit, else the
    most useful recommendation."""
    if (quote.budget_fit is not None and quote.budget_fit.status != "fits"
            and not excluded_changes(quote)):
        return describe_budget(quote.budget_fit, t)
    by_code = {item.code: item for item in quote.recommendations}
    for code in ADVICE_ORDER:
        if code in by_code:
            return describe("rec", code, honest_params(quote, by_code[code]), t)
    return ""


def excluded_changes(quote: Quote) -> list[str]:
    """Budget changes that go against what the merchant said: their own system when they
    asked for ours (only a merchant picks 打包), no AI when they asked for it (AI is off by
    default). The short screen then shows other advice rather than contradict them."""
    fit = quote.budget_fit
    if fit is None:
        return []
    inquiry = quote.inquiry
    return [change for change in fit.changes
            if (change == "own_system" and inquiry.tooling.value == "bundle")
            or (change == "no_ai" and inquiry.ai.value == "yes")]


def render_quote_short(quote: Quote, locale: str | None = None) -> str:
    """The short quote (Telegram-HTML): the billed plan's price with its unit, the shop,
    the staffing, what is included, one piece of advice."""
    from dialogs import quote_talk

    t = translator(locale)
    template = environment().get_template("quote_short.html.j2")
    context = quote_context(quote, t)
    included = t("list_separator").join([
        t(f"scope.{quote.scope.value}"),
        t("talk.included_ai") if quote.ai_applied else t("talk.included_human"),
        t(f"talk.included_tooling.{quote.inquiry.tooling.value}")])
    context.update(headline=quote_talk.headline(quote, t),
                   coverage=quote_talk.coverage(quote, t), included=included,
                   advice=short_advice(quote, t))
    return template.render(context).strip()


def screen_html(screen: Screen, locale: str) -> str:
    """A dialogue screen as the merchant reads it: the short quote over a quote screen,
    the whole breakdown over 明细 (📄), the screen's own text otherwise."""
    if screen.quote is None:
        return screen.text
    body = (render_quote_html(screen.quote, locale) if screen.kind == "detail"
            else render_quote_short(screen.quote, locale))
    return f"{body}\n\n{screen.text}" if screen.text else body


def _signed_amount(item: LineItem, t: Translator) -> str:
    """What is bought as a range; every other line as the change it makes, with its sign."""
    if item.code in BASE_LINES:
        return format_money_range(item.amount, t)
    return format_change(item.amount, t)


def html_to_text(message: str) -> str:
    """Telegram-HTML → plain text for the terminal."""
    return html.unescape(_TAGS.sub("", message))


def render_quote_text(quote: Quote, locale: str | None = None) -> str:
    return html_to_text(render_quote_html(quote, locale))


__all__ = [
    "describe",
    "format_change",
    "format_money",
    "format_money_range",
    "html_to_text",
    "render_quote_html",
    "render_quote_text",
]
