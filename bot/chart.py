"""Geometry of the quote page's chart: monthly cost against daily orders, monthly billing
(a flat band: this plan) against per-order billing (a widening band), break-even marked.

Computed here so the template only draws (no arithmetic in templates).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from pricing import Quote

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot: tuple[int, int, int, int]  # x, y, width, height of the plotting area
    monthly: tuple[float, float, float, float]  # the monthly band: x, y, width, height
    per_order: str  # polygon points of the per-order band
    break_even: tuple[float, float]  # x of the low and high break-even volumes
    you: float  # x of the merchant's volume
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]

    # Positions the template needs, so that it does no arithmetic.
    @property
    def top(self) -> int:
        return self.plot[1]

    @property
    def bottom(self) -> int:
        return self.plot[1] + self.plot[3]

    @property
    def left(self) -> int:
        return self.plot[0]

    @property
    def right(self) -> int:
        return self.plot[0] + self.plot[2]

    @property
    def middle(self) -> float:
        return self.plot[0] + self.plot[2] / 2

    @property
    def tick_y(self) -> int:
        return self.height - 22

    @property
    def tick_x(self) -> int:
        return self.plot[0] - 6

    @property
    def you_label_y(self) -> int:
        return self.plot[1] + 10

    @property
    def axis_label_y(self) -> int:
        return self.height - 4


def _nice(value: Decimal) -> Decimal:
    """A round axis maximum at or above `value`: 1, 2 or 5 × a power of ten."""
    if value <= 0:
        return Decimal(1)
    exponent = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= exponent * step:
            return exponent * step
    return exponent * 10  # pragma: no cover


def quote_chart(quote: Quote) -> Chart:
    orders = Decimal(quote.inquiry.daily_orders)
    rate_low = quote.per_order.low / orders  # per daily order, per month
    rate_high = quote.per_order.high / orders
    x_max = _nice(max(orders, quote.break_even_daily_orders.high) * Decimal("1.5"))
    y_max = _nice(max(quote.monthly.high, rate_low * x_max) * Decimal("1.2"))
    px, py = LEFT, TOP
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: Decimal) -> float:
        return round(float(px + pw * min(value, x_max) / x_max), 1)

    def y(value: Decimal) -> float:
        return round(float(py + ph - ph * min(value, y_max) / y_max), 1)

    band_top, band_bottom = y(quote.monthly.high), y(quote.monthly.low)
    # The per-order band from the origin to the right edge (clipped at the top).
    high_end = min(rate_high * x_max, y_max)
    high_x = x_max if rate_high * x_max <= y_max else y_max / rate_high
    points = [(x(Decimal(0)), y(Decimal(0))), (x(x_max), y(rate_low * x_max)),
              (x(x_max), y(high_end if high_x == x_max else y_max)), (x(high_x), y(high_end))]
    step_x, step_y = x_max / 5, y_max / 4
    return Chart(
        width=WIDTH, height=HEIGHT, plot=(px, py, pw, ph),
        monthly=(float(px), band_top, float(pw), max(band_bottom - band_top, 1.0)),
        per_order=" ".join(f"{a},{b}" for a, b in points),
        break_even=(x(quote.break_even_daily_orders.low), x(quote.break_even_daily_orders.high)),
        you=x(orders),
        x_ticks=[(x(step_x * i), f"{(step_x * i).to_integral_value(ROUND_CEILING):,}")
                 for i in range(6)],
        y_ticks=[(y(step_y * i), f"{(step_y * i).to_integral_value(ROUND_CEILING):,}")
                 for i in range(5)],
    )
