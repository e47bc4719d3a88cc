"""Rounding, owned by one function: the core computes exactly, people see tens of yuan."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

TEN = Decimal(10)
ONE = Decimal(1)


def round_money(amount: Decimal) -> Decimal:
    """Round to the nearest 10 yuan, halves up (1245 → 1250, 1244.99 → 1240)."""
    return (amount / TEN).quantize(ONE, rounding=ROUND_HALF_UP) * TEN


def whole_up(count: Decimal) -> Decimal:
    """Counts such as orders or seats: the next whole number at or above."""
    return count.quantize(ONE, rounding=ROUND_CEILING)
