"""Geometry of the quote page's chart: monthly cost against daily orders, monthly billing
(a flat band: this plan) against per-order billing (a widening band), break-even marked.

The per-order band grows with the scope's per-order rate, starting flat at a minimum fee
where there is one (emergency response). The axes fit the data: the y-axis reaches the
top of the per-order band at the right edge, so nothing is clipped (a clipped band reads
as a cap that does not exist). The
drawing is 400 units wide with 14-unit labels, so on a 360 px phone (a 328 px chart) a
label is still 11.5 px. Tick labels are compact numbers in the quote's language (1.5万,
15K). Computed here so the template only draws (no arithmetic in templates).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from babel.numbers import format_compact_decimal

from pricing import Quote

WIDTH = 400
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 26, 44
PLOT_HEIGHT = 190
HEIGHT = TOP + PLOT_HEIGHT + BOTTOM
LABEL_SIZE = 14  # user units; the template's CSS says the same
X_INTERVALS, Y_INTERVALS = 4, 4
STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
X_ROOM = Decimal("1.2")  # the x-axis runs 20 % past the merchant's volume or break-even
Y_ROOM = Decimal("1.05")  # and the y-axis a little above the highest figure drawn


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot: tuple[int, int, int, int]  # x, y, width, height of the plotting area
    monthly: tuple[float, float, float, float]  # the monthly band: x, y, width, height
    per_order: str  # polygon points of the per-order band
    break_even: tuple[float, float]  # x of the low and high break-even volumes
    you: float  # x of the merchant's volume
    you_label_x: float  # where its label goes (kept inside the plot)
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    y_max: Decimal  # the top of the y-axis, yuan per month

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
        return self.bottom + LABEL_SIZE + 4

    @property
    def tick_x(self) -> int:
        return self.plot[0] - 6

    @property
    def you_label_y(self) -> int:
        return self.plot[1] - 8

    @property
    def axis_label_y(self) -> int:
        return self.height - 4


def axis(needed: Decimal, intervals: int) -> tuple[Decimal, Decimal]:
    """(maximum, step) of an axis that reaches `needed` in at most `intervals` round whole
    steps (1, 2, 2.5 or 5 × a power of ten): 21,000 in 4 → (30,000, 10,000)."""
    raw = max(needed, Decimal(1)) / intervals
    power = Decimal(10) ** (len(str(int(raw))) - 1)
    step = next(power * m for m in STEPS
                if power * m >= raw and power * m == (power * m).to_integral_value())
    count = (max(needed, Decimal(1)) / step).to_integral_value(ROUND_CEILING)
    return step * count, step


def _edge(rate: Decimal, floor: Decimal, x_max: Decimal) -> list[tuple[Decimal, Decimal]]:
    """One edge of the per-order band, left to right: flat at a minimum fee, then rate × x
    (never cut: the y-axis reaches its end)."""
    points = [(Decimal(0), floor)]
    if 0 < floor < rate * x_max:
        points.append((floor / rate, floor))
    points.append((x_max, max(rate * x_max, floor)))
    return points


def quote_chart(quote: Quote, locale: str = "zh_CN") -> Chart:
    orders = Decimal(quote.inquiry.daily_orders)
    # Per daily order, per month; a minimum fee (emergency response) lifts the band's start.
    if quote.per_order_rate is not None:
        rate_low, rate_high = quote.per_order_rate.low, quote.per_order_rate.high
    else:  # a snapshot made before the rate was kept
        rate_low, rate_high = quote.per_order.low / orders, quote.per_order.high / orders
    floor_low = quote.per_order.low if quote.per_order.low > rate_low * orders else Decimal(0)
    floor_high = quote.per_order.high if quote.per_order.high > rate_high * orders else Decimal(0)
    x_max, x_step = axis(max(orders, quote.break_even_daily_orders.high) * X_ROOM,
                         X_INTERVALS)
    y_max, y_step = axis(max(quote.monthly.high, rate_high * x_max, floor_high) * Y_ROOM,
                         Y_INTERVALS)
    px, py = LEFT, TOP
    pw, ph = WIDTH - LEFT - RIGHT, PLOT_HEIGHT

    def x(value: Decimal) -> float:
        return round(float(px + pw * value / x_max), 1)

    def y(value: Decimal) -> float:
        return round(float(py + ph - ph * value / y_max), 1)

    def label(value: Decimal) -> str:
        return format_compact_decimal(value, locale=locale, fraction_digits=2)

    band_top, band_bottom = y(quote.monthly.high), y(quote.monthly.low)
    lower = _edge(rate_low, floor_low, x_max)
    upper = _edge(rate_high, floor_high, x_max)
    points = [(x(a), y(b)) for a, b in lower] + [(x(a), y(b)) for a, b in reversed(upper)]
    you = x(orders)
    margin = 40  # half a label's width, in user units
    return Chart(
        width=WIDTH, height=HEIGHT, plot=(px, py, pw, ph),
        monthly=(float(px), band_top, float(pw), max(band_bottom - band_top, 1.0)),
        per_order=" ".join(f"{a},{b}" for a, b in points),
        break_even=(x(quote.break_even_daily_orders.low), x(quote.break_even_daily_orders.high)),
        you=you,
        you_label_x=min(max(you, px + margin), px + pw - margin),
        x_ticks=[(x(x_step * i), label(x_step * i))
                 for i in range(int(x_max / x_step) + 1)],
        y_ticks=[(y(y_step * i), label(y_step * i))
                 for i in range(int(y_max / y_step) + 1)],
        y_max=y_max,
    )
