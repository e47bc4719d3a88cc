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


def _edge(rate: Decimal, floor: Decimal, x_max: Decimal,
          y_max: Decimal) -> list[tuple[Decimal, Decimal]]:
    """One edge of the per-order band, left to right: flat at a minimum fee, then rate × x,
    cut where it leaves the top of the plot."""
    points = [(Decimal(0), min(floor, y_max))]
    if 0 < floor < rate * x_max:
        points.append((floor / rate, floor))
    end = max(rate * x_max, floor)
    if end > y_max and rate > 0 and floor < y_max:
        points.append((y_max / rate, y_max))
        end = y_max
    points.append((x_max, min(end, y_max)))
    return points


def quote_chart(quote: Quote) -> Chart:
    orders = Decimal(quote.inquiry.daily_orders)
    # Per daily order, per month; a minimum fee (emergency response) lifts the band's start.
    if quote.per_order_rate is not None:
        rate_low, rate_high = quote.per_order_rate.low, quote.per_order_rate.high
    else:  # a snapshot made before the rate was kept
        rate_low, rate_high = quote.per_order.low / orders, quote.per_order.high / orders
    floor_low = quote.per_order.low if quote.per_order.low > rate_low * orders else Decimal(0)
    floor_high = quote.per_order.high if quote.per_order.high > rate_high * orders else Decimal(0)
    x_max = _nice(max(orders, quote.break_even_daily_orders.high) * Decimal("1.5"))
    y_max = _nice(max(quote.monthly.high, rate_low * x_max, floor_high) * Decimal("1.2"))
    px, py = LEFT, TOP
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: Decimal) -> float:
        return round(float(px + pw * min(value, x_max) / x_max), 1)

    def y(value: Decimal) -> float:
        return round(float(py + ph - ph * min(value, y_max) / y_max), 1)

    band_top, band_bottom = y(quote.monthly.high), y(quote.monthly.low)
    lower = _edge(rate_low, floor_low, x_max, y_max)
    upper = _edge(rate_high, floor_high, x_max, y_max)
    points = [(x(a), y(b)) for a, b in lower] + [(x(a), y(b)) for a, b in reversed(upper)]
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
