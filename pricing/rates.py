"""The rates file: every number the core prices with, validated into frozen values.

`load_rates(path)` is the core's only I/O. Each figure carries its provenance ("article" with
the section it comes from, or "assumption" with the rule chosen), so a quote can say which
of its numbers the article does not give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any

from pricing.model import COVERAGE_HOURS, ProductKind, Range, Response, Scope, ServiceMode
from pricing.tomlfile import decode, read_bytes

DEFAULT_RATES_PATH = Path(__file__).with_name("rates.toml")
PROVENANCES = ("article", "assumption")


class RatesError(ValueError):
    """The rates file is malformed; the message names the key and what is wrong."""


def _percent(fraction: Decimal) -> str:
    """0.90 → "90": a parameter for templates."""
    return f"{(fraction * 100).normalize():f}"


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    value: Range  # a single value has low == high
    provenance: str
    note: str  # the article section, or why the assumption was chosen
    # Computed once at load, since quotes show them on every line: the band as percentages
    # ("10", "20"), and for factors below 1 the reduction they give ("25", "15" → "15", "25").
    percent: tuple[str, str] = ("", "")
    reduction: tuple[str, str] = ("", "")
    # The middle of the band: the central figure a v3 quote applies at both ends (rule 14),
    # and as percentages for the lines: the surcharge ("15") and the reduction ("20").
    mid: Decimal = Decimal(0)
    mid_percent: tuple[str, str] = ("", "")

    @classmethod
    def of(cls, key: str, value: Range, provenance: str, note: str) -> Figure:
        mid = (value.low + value.high) / 2
        return cls(key, value, provenance, note,
                   (_percent(value.low), _percent(value.high)),
                   (_percent(1 - value.high), _percent(1 - value.low)),
                   mid, (_percent(mid), _percent(1 - mid)))

    @property
    def is_assumption(self) -> bool:
        return self.provenance == "assumption"

    @property
    def single(self) -> Decimal:
        return self.value.low


@dataclass(frozen=True, slots=True)
class ScopeRate:
    unit: str  # "seat" or "team"
    band: Figure  # the article's band for one unit, one 8-hour shift, per month
    central: Figure  # the central figure of one unit (inside the band)
    spread: Figure  # low and high end as fractions of the central figure
    capacity: Figure  # daily orders one unit carries (staffing = orders / capacity, at least 1)
    people: Figure  # people in one unit (a seat is one; a full-chain team 3-5)
    in_house_salary: Figure  # monthly salary of one such person employed in-house
    # central × spread: what one unit costs at the low and the high end.
    unit_price: Range = field(default_factory=lambda: Range(Decimal(0), Decimal(0)))

    def presence(self, hours: int, extra_shift_share: Decimal) -> Decimal:
        """The fewest units `hours` a day of cover take: a team rotates itself; a seat's
        extra shifts are shared seats at `extra_shift_share` of a seat (rule 13)."""
        if self.unit == "team":
            return Decimal(1)
        return 1 + (hours // 8 - 1) * extra_shift_share


@dataclass(frozen=True, slots=True)
class ResponseRate:
    minutes: int
    surcharge: Figure
    floor: Figure | None


@dataclass(frozen=True, slots=True, repr=False)
class Rates:
    """Every figure of a rates file. Its repr is its version: a test failing on a quote
    prints the inquiry, not the whole file."""

    version: str  # meta.version + "+" + the first 12 hex digits of the file's sha256
    figures: Mapping[str, Figure]
    days: Figure
    scopes: Mapping[Scope, ScopeRate]
    responses: Mapping[Response, ResponseRate]
    categories_from: int
    categories_surcharge: Figure
    multi_level_surcharge: Figure
    cross_border_surcharge: Figure
    modes: Mapping[ServiceMode, Figure]
    bundle_fee: Figure
    bundle_spread: Figure
    own_system_factor: Figure
    ai_factor: Figure
    ai_floor: Figure
    ai_recommend_from: Figure
    per_order: Figure
    per_hour: Figure
    minutes_per_order: Figure
    usage_rate_reference: Figure
    usage_spread: Figure
    usage_minimum: Figure
    seasonal_tolerance: Figure
    technical_from: Figure
    technical_full: Figure
    basic_ai_kinds: frozenset[ProductKind]
    basic_ai_kinds_figure: Figure
    technical_kinds: frozenset[ProductKind]
    technical_kinds_figure: Figure
    full_chain_from: Figure
    full_chain_full: Figure
    fast_kinds: frozenset[ProductKind]
    fast_kinds_figure: Figure
    low_price_trap: Figure
    satisfaction_min: Figure
    resolution_rate_min: Figure
    kpi_deduction: Figure
    validity_days: Figure
    expert_kinds: frozenset[ProductKind]
    expert_kinds_figure: Figure
    default_hours: Figure
    extra_shift_share: Figure
    in_house_capacity: Figure
    in_house_oncosts: Figure
    in_house_management: Figure
    assumption_keys: frozenset[str]
    # Results that depend only on the rates and an inquiry's options (the 临界单量 curves):
    # computed once per configuration. Not part of the rates' value.
    memo: dict[object, object] = field(default_factory=dict, compare=False, hash=False,
                                       repr=False)
    # Constants of these rates that every quote would otherwise recompute, derived once at
    # load (pricing speed): the tools bundle at each end (to the cent), the central AI,
    # part-time and own-system factors as an uplift (factor − 1), and where the usage
    # bands start and how far they reach, before the spread (rule 11).
    bundle_amount: Range = field(init=False, compare=False, repr=False)
    ai_uplift: Decimal = field(init=False, compare=False, repr=False)
    part_time_uplift: Decimal = field(init=False, compare=False, repr=False)
    own_system_uplift: Decimal = field(init=False, compare=False, repr=False)
    per_order_band: tuple[Decimal, Decimal] = field(init=False, compare=False, repr=False)
    per_hour_band: tuple[Decimal, Decimal] = field(init=False, compare=False, repr=False)
    # The usage rates of one unit cost (x of rule 11), by x: few distinct values recur.
    usage_memo: dict[Decimal, tuple[Range, Range]] = field(
        init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        cent = Decimal("0.01")
        bundle = self.bundle_fee.mid
        spread = self.bundle_spread.value
        derived = {
            "bundle_amount": Range((bundle * spread.low).quantize(cent),
                                   (bundle * spread.high).quantize(cent)),
            "ai_uplift": self.ai_factor.mid - 1,
            "part_time_uplift": self.modes[ServiceMode.PART_TIME].mid - 1,
            "own_system_uplift": self.own_system_factor.mid - 1,
            "per_order_band": self._band(self.per_order),
            "per_hour_band": self._band(self.per_hour),
            "usage_memo": {},
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def _band(self, band: Figure) -> tuple[Decimal, Decimal]:
        """Where a usage rate's centre starts (the band's bottom ÷ the low spread) and how
        far it can move (to the band's top ÷ the high spread)."""
        bottom = band.value.low / self.usage_spread.value.low
        return bottom, band.value.high / self.usage_spread.value.high - bottom

    def __repr__(self) -> str:
        return f"Rates(version={self.version!r})"


def load_rates(path: Path | str | None = None) -> Rates:
    """Read and validate a rates file (the packaged default when `path` is None)."""
    raw, origin = read_bytes(path, DEFAULT_RATES_PATH, RatesError)
    return parse_rates(raw, origin=origin)


def parse_rates(raw: bytes, *, origin: str = "rates.toml") -> Rates:
    data = decode(raw, origin, RatesError)
    digest = hashlib.sha256(raw).hexdigest()[:12]
    return _Reader(data, origin).rates(digest)


class _Reader:
    """Walks the parsed TOML, turning each expected key into a validated value."""

    def __init__(self, data: dict[str, Any], origin: str) -> None:
        self.data = data
        self.origin = origin
        self.figures: dict[str, Figure] = {}

    def fail(self, key: str, problem: str) -> RatesError:
        return RatesError(f"{self.origin}: {key}: {problem}")

    def node(self, key: str) -> Any:
        current: Any = self.data
        for part in key.split("."):
            if not isinstance(current, dict) or part not in current:
                raise self.fail(key, "missing")
            current = current[part]
        return current

    def table(self, key: str) -> dict[str, Any]:
        value = self.node(key)
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table")
        return value

    def integer(self, key: str, *, minimum: int = 0, value: Any = None) -> int:
        value = self.node(key) if value is None else value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def amount(self, key: str, text: Any) -> Decimal:
        if not isinstance(text, str):
            raise self.fail(key, f"amounts are written as strings, got {text!r}")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.fail(key, f"not a number: {text!r}") from None
        if not value.is_finite():
            raise self.fail(key, f"not a finite number: {text!r}")
        if value < 0:
            raise self.fail(key, f"must not be negative, got {text}")
        return value

    def provenance(self, key: str, spec: dict[str, Any]) -> tuple[str, str]:
        source = spec.get("source")
        if source not in PROVENANCES:
            raise self.fail(key, f"source must be 'article' or 'assumption', got {source!r}")
        note_key = "ref" if source == "article" else "why"
        note = spec.get(note_key)
        if not isinstance(note, str) or not note.strip():
            raise self.fail(key, f"a figure from the {source} needs a non-empty '{note_key}'")
        return source, note

    def figure(
        self, key: str, *, band: bool = False, maximum: Decimal | None = None,
        integer: bool = False, positive: bool = False, spec: Any = None,
    ) -> Figure:
        spec = self.node(key) if spec is None else spec
        if not isinstance(spec, dict):
            raise self.fail(key, "expected a table with value or band, and source")
        if band:
            pair = spec.get("band")
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(key, 'expected band = ["LOW", "HIGH"]')
            low, high = (self.amount(f"{key}.band", text) for text in pair)
            if low > high:
                raise self.fail(key, f"band low {low} is above high {high}")
        else:
            if "value" not in spec:
                raise self.fail(key, 'expected value = "N"')
            low = high = self.amount(f"{key}.value", spec["value"])
        for bound in (low, high):
            if maximum is not None and bound > maximum:
                raise self.fail(key, f"must be at most {maximum}, got {bound}")
            if integer and bound != bound.to_integral_value():
                raise self.fail(key, f"must be a whole number, got {bound}")
            if positive and bound <= 0:
                raise self.fail(key, f"must be above zero, got {bound}")
        source, note = self.provenance(key, spec)
        made = Figure.of(key, Range(low, high), source, note)
        self.figures[key] = made
        return made

    def scopes(self, extra_shift_share: Decimal) -> dict[Scope, ScopeRate]:
        scopes: dict[Scope, ScopeRate] = {}
        for scope in (Scope.BASIC, Scope.TECHNICAL, Scope.FULL_CHAIN, Scope.EXPERT):
            key = f"scope.{scope.value}"
            unit = self.node(f"{key}.unit")
            if unit not in ("seat", "team"):
                raise self.fail(f"{key}.unit", f"expected 'seat' or 'team', got {unit!r}")
            band = self.figure(f"{key}.band", band=True)
            central = self.figure(f"{key}.central", positive=True)
            spread = self.figure(f"{key}.spread", band=True, positive=True)
            if not band.value.low <= central.single <= band.value.high:
                raise self.fail(f"{key}.central", "must lie inside the band")
            if not spread.value.low <= 1 <= spread.value.high:
                raise self.fail(f"{key}.spread", "must hold 1 (the central figure)")
            scopes[scope] = ScopeRate(
                unit=unit, band=band, central=central, spread=spread,
                capacity=self.figure(f"{key}.orders_per_unit", positive=True),
                people=self.figure(f"{key}.people", band=True, positive=True),
                in_house_salary=self.figure(f"{key}.in_house_salary", band=True),
                unit_price=spread.value.scale(central.single),
            )
        # Broader service is never cheaper (pricing model v2, rule 2): staffing is
        # max(presence, orders / capacity) × the unit price, so it holds at every volume and
        # for every coverage when the broader scope costs no less at its minimum presence
        # and per order past it, at both ends.
        for (_, lighter), (scope, broader) in pairwise(scopes.items()):
            key = f"scope.{scope.value}"
            checks = [("orders_per_unit", lighter.unit_price.scale(1 / lighter.capacity.single),
                       broader.unit_price.scale(1 / broader.capacity.single))]
            checks += [(f"central (at {hours} h of cover)",
                        lighter.unit_price.scale(lighter.presence(hours, extra_shift_share)),
                        broader.unit_price.scale(broader.presence(hours, extra_shift_share)))
                       for hours in COVERAGE_HOURS]
            for name, light, broad in checks:
                if broad.low < light.low or broad.high < light.high:
                    raise self.fail(f"{key}.{name}",
                                    "a broader scope must not cost less than a lighter one")
        return scopes

    def responses(self) -> dict[Response, ResponseRate]:
        responses: dict[Response, ResponseRate] = {}
        for response in (Response.STANDARD, Response.FAST, Response.EMERGENCY):
            key = f"response.{response.value}"
            table = self.table(key)
            floor = None
            if "floor" in table:
                floor = self.figure(f"{key}.floor")
            responses[response] = ResponseRate(
                minutes=self.integer(f"{key}.minutes", minimum=1),
                surcharge=self.figure(f"{key}.surcharge", band=True),
                floor=floor,
            )
        # A faster response must never cost less: each level at least the slower one's.
        ordered = list(responses.values())
        for slower, faster, level in zip(ordered, ordered[1:], list(responses)[1:], strict=False):
            if (faster.surcharge.value.low < slower.surcharge.value.low
                    or faster.surcharge.value.high < slower.surcharge.value.high):
                raise self.fail(f"response.{level.value}.surcharge",
                                "must not be below the slower response's surcharge")
        return responses

    def modes(self) -> dict[ServiceMode, Figure]:
        """Vendor factors: outsourced (the baseline) and part-time. Full-time staff are
        priced as employment ([in_house])."""
        modes = {mode: self.figure(f"mode.{mode.value}.factor", band=True)
                 for mode in (ServiceMode.OUTSOURCED, ServiceMode.PART_TIME)}
        # Part-time is what a budget may fall back to: it must not cost more.
        part_time, outsourced = modes[ServiceMode.PART_TIME], modes[ServiceMode.OUTSOURCED]
        if part_time.mid > outsourced.mid:
            raise self.fail("mode.part_time.factor", "must not be above the outsourced factor")
        return modes

    def kinds(self, key: str) -> tuple[frozenset[ProductKind], Figure]:
        spec = self.node(key)
        kinds = spec.get("kinds") if isinstance(spec, dict) else None
        if not isinstance(kinds, list):
            raise self.fail(key, 'expected kinds = ["blockchain_nft", ...]')
        known = {kind.value for kind in ProductKind}
        for kind in kinds:
            if kind not in known:
                raise self.fail(key, f"unknown product kind {kind!r} (known: {sorted(known)})")
        source, note = self.provenance(key, spec)
        figure = Figure.of(key, Range(Decimal(len(kinds)), Decimal(len(kinds))), source, note)
        self.figures[key] = figure
        return frozenset(ProductKind(kind) for kind in kinds), figure

    def hours(self, key: str) -> Figure:
        figure = self.figure(key, integer=True)
        if int(figure.single) not in COVERAGE_HOURS:
            raise self.fail(key, f"must be one of {COVERAGE_HOURS}, got {figure.single}")
        return figure

    def rates(self, digest: str) -> Rates:
        version = self.node("meta.version")
        if not isinstance(version, str) or not version.strip():
            raise self.fail("meta.version", "expected a non-empty string")
        one = Decimal(1)
        expert_kinds, expert_figure = self.kinds("products.expert_kinds")
        basic_ai_kinds, basic_ai_figure = self.kinds("auto_scope.basic_with_ai_kinds")
        technical_kinds, technical_figure = self.kinds("auto_scope.technical_kinds")
        fast_kinds, fast_figure = self.kinds("budget.fast_kinds")
        extra_shift_share = self.figure("coverage.extra_shift_share", maximum=one)
        rates = Rates(
            version=f"{version}+{digest}",
            days=self.figure("month.days", integer=True, positive=True),
            scopes=self.scopes(extra_shift_share.single),
            responses=self.responses(),
            categories_from=self.integer("complexity.categories.from_categories", minimum=1),
            categories_surcharge=self.figure("complexity.categories.surcharge", band=True),
            multi_level_surcharge=self.figure("complexity.multi_level.surcharge", band=True),
            cross_border_surcharge=self.figure("complexity.cross_border.surcharge", band=True),
            modes=self.modes(),
            bundle_fee=self.figure("tooling.bundle_fee", band=True),
            bundle_spread=self.figure("tooling.bundle_spread", band=True, positive=True),
            own_system_factor=self.figure("tooling.own_system_factor", band=True, maximum=one),
            ai_factor=self.figure("ai.factor", band=True, maximum=one),
            ai_floor=self.figure("ai.floor"),
            ai_recommend_from=self.figure("ai.recommend_from_orders", integer=True),
            per_order=self.figure("usage.per_order", band=True),
            per_hour=self.figure("usage.per_hour", band=True),
            minutes_per_order=self.figure("usage.minutes_per_order", positive=True),
            usage_rate_reference=self.figure("usage.rate_reference", positive=True),
            usage_spread=self.figure("usage.spread", band=True, positive=True),
            usage_minimum=self.figure("usage.minimum"),
            seasonal_tolerance=self.figure("usage.seasonal_tolerance"),
            technical_from=self.figure("auto_scope.technical_from_orders", integer=True),
            technical_full=self.figure("auto_scope.technical_full_orders", integer=True),
            basic_ai_kinds=basic_ai_kinds,
            basic_ai_kinds_figure=basic_ai_figure,
            technical_kinds=technical_kinds,
            technical_kinds_figure=technical_figure,
            full_chain_from=self.figure("auto_scope.full_chain_from_orders", integer=True),
            full_chain_full=self.figure("auto_scope.full_chain_full_orders", integer=True),
            fast_kinds=fast_kinds,
            fast_kinds_figure=fast_figure,
            low_price_trap=self.figure("warnings.low_price_trap"),
            satisfaction_min=self.figure("kpi.satisfaction_min", maximum=one),
            resolution_rate_min=self.figure("kpi.resolution_rate_min", maximum=one),
            kpi_deduction=self.figure("kpi.deduction", band=True, maximum=one),
            validity_days=self.figure("quote.validity_days", integer=True, positive=True),
            expert_kinds=expert_kinds,
            expert_kinds_figure=expert_figure,
            default_hours=self.hours("coverage.default_hours"),
            extra_shift_share=extra_shift_share,
            in_house_capacity=self.figure("in_house.orders_per_person", positive=True),
            in_house_oncosts=self.figure("in_house.oncosts", band=True, maximum=one),
            in_house_management=self.figure("in_house.management", band=True, maximum=one),
            figures=dict(self.figures),
            assumption_keys=frozenset(),
        )
        for start, full in (("technical_from", "technical_full"),
                            ("full_chain_from", "full_chain_full")):
            if getattr(rates, full).single <= getattr(rates, start).single:
                raise self.fail(f"auto_scope.{full}_orders",
                                f"must be above auto_scope.{start}_orders")
        for (_, lighter), (scope, broader) in pairwise(rates.scopes.items()):
            light, broad = lighter.in_house_salary.value, broader.in_house_salary.value
            if broad.low < light.low or broad.high < light.high:
                raise self.fail(f"scope.{scope.value}.in_house_salary",
                                "a broader scope must not cost less than a lighter one")
        # Hours billed agree with the people quoted: one unit's orders fit in its shifts.
        for scope, rate in rates.scopes.items():
            if rate.capacity.single * rates.minutes_per_order.single > (
                    480 * rate.people.value.low):
                raise self.fail("usage.minutes_per_order",
                                f"more minutes a day than a {scope.value} unit works")
        usage = rates.usage_spread.value
        if not usage.low <= 1 <= usage.high:
            raise self.fail("usage.spread", "must hold 1 (the central figure)")
        assumed = frozenset(key for key, figure in self.figures.items() if figure.is_assumption)
        return replace(rates, assumption_keys=assumed)
