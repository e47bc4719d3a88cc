"""A salesperson's firm price: one monthly figure, or a narrower range, inside the range the
quote priced. Pure: text → Range, and a Quote with the firm price applied as a line of its
own ("sales_firm", the change from the priced range), so the breakdown, the card's lines
and the stored snapshot all still add up, and every screen can say it is a firm price.

Only a monthly fee can be fixed: per-order and per-hour bills follow the volume."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from pricing import Billing, LineItem, Quote, Range, round_money

FIRM_CODE = "sales_firm"
_FIRM = re.compile(r"^\s*(\d{2,7})(?:\s*(?:-|–|~|～|到|至)\s*(\d{2,7}))?\s*(?:元|块|rmb|cny)?"
                   r"\s*(?:/?\s*(?:月|month))?\s*$", re.IGNORECASE)


def parse_firm(text: str) -> Range | None:
    """"3000" → 3000–3000, "3000-3500" → 3000–3500; None for anything else."""
    match = _FIRM.match(text.replace(",", ""))
    if match is None:
        return None
    low = Decimal(match.group(1))
    high = Decimal(match.group(2) or match.group(1))
    return Range(low, high) if low <= high else None


def firm_fits(q: Quote, firm: Range) -> str:
    """"" when `firm` can be applied to `q`; else why not: "monthly_only", "outside"."""
    if q.billed.method is not Billing.MONTHLY:
        return "monthly_only"
    # Against the range as shown (rounded to 10 元): "3000" fits a quote of 3,000–5,010.
    if not round_money(q.monthly.low) <= firm.low <= firm.high <= round_money(q.monthly.high):
        return "outside"
    return ""


def apply_firm(q: Quote, firm: Range) -> Quote:
    """`q` at the firm price: the monthly total and the billed plan become `firm`, and a
    line "sales_firm" carries the difference (so the lines still add up)."""
    change = Range(firm.low - q.monthly.low, firm.high - q.monthly.high)
    item = LineItem(FIRM_CODE, change, (), "sales", (("low", f"{firm.low:f}"),
                                                     ("high", f"{firm.high:f}")))
    return replace(q, monthly=firm, line_items=(*q.line_items, item),
                   billed=replace(q.billed, monthly=firm))


def is_firm(q: Quote) -> bool:
    return any(item.code == FIRM_CODE for item in q.line_items)
