"""Values the pricing core takes and gives: an inquiry in, a quote out.

Everything is a frozen dataclass over `Decimal`; nothing here holds words for people. Line
items, recommendations and warnings are codes with parameters that templates turn into text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)


class Response(StrEnum):
    """Required first-response time (article: 30 / 10 / 5 minutes)."""

    STANDARD = "standard"
    FAST = "fast"
    EMERGENCY = "emergency"


class Scope(StrEnum):
    """Depth of the service; AUTO lets the core recommend one."""

    BASIC = "basic"
    TECHNICAL = "technical"
    FULL_CHAIN = "full_chain"
    EXPERT = "expert"
    AUTO = "auto"


class Tooling(StrEnum):
    NONE = "none"
    BUNDLE = "bundle"
    OWN = "own"


class AiChoice(StrEnum):
    YES = "yes"
    NO = "no"
    AUTO = "auto"


class ServiceMode(StrEnum):
    OUTSOURCED = "outsourced"
    FULL_TIME = "full_time"
    PART_TIME = "part_time"


class VolumePattern(StrEnum):
    STEADY = "steady"
    SEASONAL = "seasonal"


class Billing(StrEnum):
    MONTHLY = "monthly"
    PER_ORDER = "per_order"
    PER_HOUR = "per_hour"
    COMPARE = "compare"


class ProductKind(StrEnum):
    GAME_CARDS = "game_cards"
    PHONE_TOPUP = "phone_topup"
    SOFTWARE_KEYS = "software_keys"
    VIDEO_MEMBERSHIPS = "video_memberships"
    BLOCKCHAIN_NFT = "blockchain_nft"
    OTHER = "other"


# Response levels from slowest to fastest: a faster one never costs less.
RESPONSE_ORDER = (Response.STANDARD, Response.FAST, Response.EMERGENCY)
# Scopes from lightest to deepest (AUTO excluded).
SCOPE_ORDER = (Scope.BASIC, Scope.TECHNICAL, Scope.FULL_CHAIN, Scope.EXPERT)

MAX_DAILY_ORDERS = 1_000_000
MAX_CATEGORIES = 1_000
# Hours a day the service is staffed (rule 13): one, two or three 8-hour shifts.
COVERAGE_HOURS = (8, 16, 24)
# Rotation codes by shifts a day (words are in locales: "两班倒，每天 8:00–24:00").
ROTATIONS = {8: "one_shift", 16: "two_shifts", 24: "three_shifts"}


class InquiryError(ValueError):
    """An inquiry field is out of range; `field` names it, `code` says what is wrong."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class Range:
    """A money (or count) range: `low` is the cheapest combination of the bands."""

    low: Decimal
    high: Decimal

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Range) -> Range:
        return Range(self.low - other.low, self.high - other.high)

    def times(self, factor: Range) -> Range:
        """Low × low and high × high: how a band scales a band."""
        return Range(self.low * factor.low, self.high * factor.high)

    def scale(self, k: Decimal) -> Range:
        return Range(self.low * k, self.high * k)

    def at_least(self, floor: Decimal) -> Range:
        return Range(max(self.low, floor), max(self.high, floor))

    @property
    def mid(self) -> Decimal:
        return (self.low + self.high) / 2


ZERO = Range(Decimal(0), Decimal(0))


@dataclass(frozen=True, slots=True)
class Inquiry:
    """A merchant's answers. Defaults are the cheapest, most common choice."""

    daily_orders: int
    categories: int = 1
    product_kinds: frozenset[ProductKind] = frozenset()
    multi_level: bool = False
    cross_border: bool = False
    response: Response = Response.STANDARD
    scope: Scope = Scope.AUTO
    tooling: Tooling = Tooling.NONE
    ai: AiChoice = AiChoice.NO
    mode: ServiceMode = ServiceMode.OUTSOURCED
    volume: VolumePattern = VolumePattern.STEADY
    billing: Billing = Billing.COMPARE
    budget: Decimal | None = None
    # A salesperson's discount on the monthly plan, as a fraction (0.05 = 5 %).
    discount: Decimal = Decimal(0)
    # Hours a day the service is staffed: 8, 16 or 24; None takes the rates' default, which
    # the quote states (rule 13). Emergency response always means 24.
    hours: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.daily_orders, bool) or not isinstance(self.daily_orders, int):
            raise InquiryError("daily_orders", "not_an_integer")
        if self.daily_orders < 1:
            raise InquiryError("daily_orders", "too_small")
        if self.daily_orders > MAX_DAILY_ORDERS:
            raise InquiryError("daily_orders", "too_large")
        if isinstance(self.categories, bool) or not isinstance(self.categories, int):
            raise InquiryError("categories", "not_an_integer")
        if not 1 <= self.categories <= MAX_CATEGORIES:
            raise InquiryError("categories", "out_of_range")
        if self.budget is not None:
            if isinstance(self.budget, float) or not isinstance(self.budget, Decimal):
                raise InquiryError("budget", "not_a_decimal")
            if not self.budget.is_finite() or self.budget <= 0:
                raise InquiryError("budget", "not_positive")
        if isinstance(self.discount, float) or not isinstance(self.discount, Decimal):
            raise InquiryError("discount", "not_a_decimal")
        if not self.discount.is_finite() or not 0 <= self.discount < 1:
            raise InquiryError("discount", "out_of_range")
        if self.hours is not None:
            if isinstance(self.hours, bool) or not isinstance(self.hours, int):
                raise InquiryError("hours", "not_an_integer")
            if self.hours not in COVERAGE_HOURS:
                raise InquiryError("hours", "out_of_range")

    @classmethod
    def from_codes(cls, values: Mapping[str, Any]) -> Inquiry:
        """An inquiry from plain values as the dialogue, the command line and stored JSON
        give them: choice codes ("fast", "full_chain"), whole numbers as int or text,
        money as Decimal or text; a missing or None field takes its default. The one place
        an Inquiry is built from outside values; anything out of range or unknown raises
        InquiryError naming the field."""
        fields: dict[str, Any] = {}
        for name, value in values.items():
            if value is None or name not in INQUIRY_FIELDS:
                continue
            if name in CHOICE_FIELDS:
                fields[name] = _choice(name, CHOICE_FIELDS[name], value)
            elif name == "product_kinds":
                fields[name] = frozenset(_choice(name, ProductKind, kind) for kind in value)
            elif name in ("daily_orders", "categories", "hours"):
                fields[name] = _whole(name, value)
            elif name in ("budget", "discount"):
                fields[name] = _decimal(name, value)
            else:  # multi_level, cross_border
                fields[name] = bool(value)
        if "daily_orders" not in fields:
            raise InquiryError("daily_orders", "missing")
        return cls(**fields)


CHOICE_FIELDS: dict[str, type[StrEnum]] = {
    "response": Response, "scope": Scope, "tooling": Tooling, "ai": AiChoice,
    "mode": ServiceMode, "volume": VolumePattern, "billing": Billing,
}
INQUIRY_FIELDS = frozenset(Inquiry.__dataclass_fields__)


def _choice(name: str, enum: type[E], value: object) -> E:
    try:
        return enum(str(value).strip().lower().replace("-", "_"))
    except ValueError:
        raise InquiryError(name, "unknown_code") from None


def _whole(name: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()  # ３００ is 300
    if not (text.isascii() and text.lstrip("+-").isdigit()) or len(text) > 20:
        raise InquiryError(name, "not_an_integer")
    return int(text)


def _decimal(name: str, value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        raise InquiryError(name, "not_a_decimal") from None


@dataclass(frozen=True, slots=True)
class Notice:
    """A recommendation or warning: a code and its parameters, no words."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def args(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class LineItem:
    """One line of the monthly plan: what it adds to the low and to the high total.

    Most lines are ranges (0 ≤ low ≤ high). Adjustment lines (own system, service mode, AI,
    the emergency and AI floors) are the change they make to the low and the high total: a
    discount is negative at both ends, a floor tops up either end, so low may exceed high.
    The line items always add up to the monthly total.
    """

    code: str
    amount: Range
    keys: tuple[str, ...]  # the rates keys it was computed from
    provenance: str  # "article", "assumption" or "mixed"
    params: tuple[tuple[str, str], ...] = ()

    @property
    def args(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class BudgetFit:
    """How a monthly budget meets the plan the merchant is billed on (rule 16).

    status: "fits" (high ≤ budget), "fits_with_changes" (the high of the plan after the
    fewest `changes` fits), "fits_low" (only the low end fits), "fits_low_with_changes" (the
    low end fits after the fewest `changes`), "does_not_fit" (the cheapest combination of
    changes still misses `shortfall`). `monthly` is what a month costs after the changes;
    `plan` and `price` are the billed plan the verdict judges and what it costs as quoted.
    """

    budget: Decimal
    status: str
    changes: tuple[str, ...] = ()
    monthly: Range | None = None
    shortfall: Decimal = Decimal(0)
    plan: Billing = Billing.MONTHLY
    price: Range | None = None
    # Said with the advice, e.g. "scope_below_recommended" (a narrower service than
    # 帮我推荐 would choose).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Coverage:
    """Hours a day covered and the people it takes (rule 13).

    `basis`: "asked" (the merchant said), "default" (the rates' default, stated on the quote
    so the merchant can change it) or "emergency" (emergency response means 24 hours).
    `rotation`: "one_shift", "two_shifts" or "three_shifts".
    """

    hours_per_day: int
    headcount: Range
    rotation: str
    basis: str = "asked"


@dataclass(frozen=True, slots=True)
class InHouse:
    """What employing the same headcount would cost a month (rule 17): a comparison."""

    monthly: Range
    headcount: Range


@dataclass(frozen=True, slots=True)
class Billed:
    """The plan the merchant is billed on: the chosen billing, else the recommended one.

    `monthly` is what a month costs on it; `unit` the rate for usage billing (元 per order
    for per_order, 元 per hour for per_hour), None for the monthly fee. The headline figure.
    """

    method: Billing
    monthly: Range
    unit: Range | None = None


@dataclass(frozen=True, slots=True)
class MixShare:
    """One service of the 帮我推荐 mix and its share of the workload (rule 10)."""

    scope: Scope
    share: Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    inquiry: Inquiry
    scope: Scope  # the scope priced (AUTO resolved)
    ai_applied: bool
    units: Range  # seats or teams
    unit: str  # "seat" or "team"
    line_items: tuple[LineItem, ...]
    monthly: Range
    per_order: Range
    per_hour: Range
    hours_per_month: Range
    break_even_daily_orders: Range
    recommended_plan: Billing
    recommendations: tuple[Notice, ...]
    warnings: tuple[Notice, ...]
    kpi: tuple[Notice, ...]
    budget_fit: BudgetFit | None
    assumptions: tuple[str, ...]
    rates_version: str
    validity_days: int
    coverage: Coverage
    billed: Billed
    # The services blended (帮我推荐, rule 10); one share of 1 for an explicit scope.
    mix: tuple[MixShare, ...]
    # Employing the same headcount (rule 17); None in snapshots made before it existed.
    in_house: InHouse | None = None
    days_per_month: Decimal = field(default=Decimal(30))
    # Per-order billing per daily order and month before any minimum fee (order rate × days):
    # what the page's chart draws. None in snapshots made before it existed.
    per_order_rate: Range | None = None
    # Per-hour billing's rate (元 an hour); None in snapshots made before v3.
    per_hour_rate: Range | None = None
    # The 临界单量 at the low and the high end (rule 12), each (code, daily orders): "at" —
    # per-order is cheaper below that volume and not from it; "at_reverse" — dearer below
    # it; "per_order_cheaper" / "per_order_dearer" (volume 0) — the curves do not cross
    # between 1 and 20,000 orders a day. break_even_daily_orders holds the volumes that
    # cross, sorted. None in snapshots made before v3 (their break-even was an estimate).
    crossing: tuple[tuple[str, int], tuple[str, int]] | None = None
