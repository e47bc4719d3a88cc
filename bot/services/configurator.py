"""The Mini App configurator's answers, in the dialogue's terms: no web, no Telegram.

The page and its API speak `kameng quote`'s option names (`orders`, `kinds`, `multi_level`,
`response`, …, `hours` when pricing has coverage hours); the dialogue stores its own answers
(`orders`, `kinds`, `flags`, …). Here, once, the two are mapped both ways:

- `page_values`: a merchant's current dialogue answers → the page's controls, and which of
  them are estimates (估算: open answers priced at the dialogue's defaults);
- `resolve`: what the page sends → the inquiry to price. Fields the page lists as
  `estimated` take the dialogue's defaults (so the page prices exactly what the chat would
  save); every other field is as given, absent ones at `kameng quote`'s defaults (so a
  request without `estimated` prices exactly what `kameng quote --json` does);
- `confirm`: those answers → the next confirmation of the merchant's dialogue (a new
  version of the quote on the table), through the engine's own summary → 确认报价.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.inquiry_options import kind_code
from dialogs.answers import ASSUMABLE, default, effective
from dialogs.engine import Engine
from dialogs.state import DialogState, Press, Screen
from dialogs.steps import STEP_BY_FIELD
from pricing import Inquiry
from pricing.model import INQUIRY_FIELDS, InquiryError

# Coverage hours (pricing v3, rule 13) appear when the core has them: the control, the API
# field and the saved answer follow the Inquiry's own fields.
HAS_HOURS = "hours" in INQUIRY_FIELDS
try:
    from pricing.model import COVERAGE_HOURS as _HOURS
    HOUR_CHOICES: tuple[int, ...] = tuple(int(hours) for hours in _HOURS)
except ImportError:
    HOUR_CHOICES = ()

CHOICES = ("response", "scope", "tooling", "ai", "mode", "volume", "billing")
FLAGS = ("multi_level", "cross_border")
# The page's fields, in the order its controls appear.
FIELDS: tuple[str, ...] = ("orders", "kinds", "categories", *FLAGS, "response",
                           *(("hours",) if HAS_HOURS else ()), "scope", "tooling", "ai",
                           "mode", "volume", "billing", "budget")
# `kameng quote`'s defaults for an option not given.
CLI_DEFAULTS: dict[str, Any] = {
    "categories": 1, "kinds": [], "multi_level": False, "cross_border": False,
    "response": "standard", "scope": "auto", "tooling": "none", "ai": "no", "mode": "outsourced",
    "volume": "steady", "billing": "compare", "budget": None, "hours": None,
}
# The page's field → pricing's Inquiry field.
INQUIRY_NAMES = {"orders": "daily_orders", "kinds": "product_kinds"}
MAX_BUDGET = 10_000_000  # the dialogue's own limit (dialogs/steps.py BUDGET)
ORDERS_WHEN_UNKNOWN = 100  # a blank page starts here (marked 估算 until moved)
APP_PATH = "/app"


def app_url(public_url: str) -> str:
    """Where Telegram opens the Mini App: <PUBLIC_URL>/app. Telegram opens only https
    pages, so without an https PUBLIC_URL there is no way in (empty)."""
    return f"{public_url.rstrip('/')}{APP_PATH}" if public_url.startswith("https://") else ""


class OptionError(ValueError):
    """A field of the page's inquiry is invalid: `field` is the page's name for it, `code`
    what is wrong (pricing's InquiryError codes, plus "unknown_field", "not_a_list")."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Resolved:
    """What the page asked for: the inquiry to price, the page's values of every field
    (estimates filled in) and the dialogue answers a save stores."""

    inquiry: Inquiry
    values: dict[str, Any]
    answers: dict[str, Any]
    estimated: tuple[str, ...]  # dialogue fields priced at their default (估算)


def _codes(options: Mapping[str, Any]) -> dict[str, Any]:
    """The page's values as plain codes, checked: unknown fields and kinds refused."""
    values: dict[str, Any] = {}
    for name, value in options.items():
        if name not in FIELDS:
            raise OptionError(str(name)[:40], "unknown_field")
        if name == "kinds":
            if isinstance(value, str):
                value = [part for part in value.split(",") if part.strip()]
            if not isinstance(value, list) or len(value) > 20:
                raise OptionError(name, "not_a_list")
            kinds = []
            for item in value:
                code = kind_code(str(item)) if isinstance(item, str) else None
                if code is None:
                    raise OptionError(name, "unknown_code")
                kinds.append(code)
            values[name] = sorted(set(kinds))
        elif name in FLAGS:
            if not isinstance(value, bool):
                raise OptionError(name, "not_a_boolean")
            values[name] = value
        elif name in CHOICES:
            if not isinstance(value, str):
                raise OptionError(name, "unknown_code")
            values[name] = value.strip().lower().replace("-", "_")
        elif value is None or value == "":
            values[name] = None
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            raise OptionError(name, "not_an_integer")
        else:
            values[name] = value
    return values


def inquiry_of_values(values: Mapping[str, Any]) -> Inquiry:
    """Page values (codes) → pricing's Inquiry, checked by Inquiry.from_codes like every
    other way in; an InquiryError names the page's field."""
    fields = {INQUIRY_NAMES.get(name, name): value for name, value in values.items()
              if name != "hours" or HAS_HOURS}
    try:
        inquiry = Inquiry.from_codes(fields)
    except InquiryError as error:
        page_name = {inquiry: page for page, inquiry in INQUIRY_NAMES.items()}.get(
            error.field, error.field)
        raise OptionError(page_name, error.code) from None
    if inquiry.budget is not None and inquiry.budget > MAX_BUDGET:
        raise OptionError("budget", "too_large")
    return inquiry


def to_answers(values: Mapping[str, Any]) -> dict[str, Any]:
    """Page values → dialogue answers (as the dialogue stores them)."""
    answers: dict[str, Any] = {}
    for name, value in values.items():
        if name in FLAGS:
            continue
        if name == "budget":
            if value is not None:
                answers["budget"] = str(int(value))
        elif name == "hours":  # the dialogue's HOURS step (pricing v3) takes "8", "16", "24"
            if value is not None and "hours" in STEP_BY_FIELD:
                answers["hours"] = str(int(value))
        elif name in ("orders", "categories"):
            answers[name] = int(value)
        elif name == "kinds" or name in CHOICES:
            answers[name] = value
    if any(name in values for name in FLAGS):
        flags = [name for name in FLAGS if values.get(name)]
        answers["flags"] = flags or ["none"]
    return answers


def from_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Dialogue answers → page values (only those the answers hold)."""
    values: dict[str, Any] = {}
    for name, value in answers.items():
        if name == "flags":
            chosen = set(value or ())
            values.update({flag: flag in chosen for flag in FLAGS})
        elif name in ("orders", "categories", "hours"):
            if value is not None and (name != "hours" or HAS_HOURS):
                values[name] = int(value)
        elif name == "budget":
            values["budget"] = int(value) if value else None
        elif name == "kinds":
            values["kinds"] = sorted(value or ())
        elif name in CHOICES:
            values[name] = value
    return values


def _page_field(dialogue_field: str) -> tuple[str, ...]:
    return FLAGS if dialogue_field == "flags" else (dialogue_field,)


def resolve(engine: Engine, options: Mapping[str, Any],
            estimated: Iterable[str] = ()) -> Resolved:
    """The page's request → what to price and what a save stores (see the module's
    docstring). Raises OptionError for anything invalid."""
    given = _codes(options)
    if "orders" not in given or given["orders"] is None:
        raise OptionError("orders", "missing")
    open_fields = tuple(name for name in ASSUMABLE if name in set(estimated))
    page_open = {field for name in open_fields for field in _page_field(name)}
    values = {name: CLI_DEFAULTS.get(name) for name in FIELDS}
    values.update(given)
    inquiry = inquiry_of_values(values)  # every field checked, estimated ones too
    answers = to_answers({name: value for name, value in values.items()
                          if name not in page_open})
    if open_fields:  # the dialogue's defaults for the open answers
        known = effective(answers, engine.rates)
        for name in open_fields:
            value = known.get(name, default(name, known))
            values.update({field: from_answers({name: value}).get(field, values[field])
                           for field in _page_field(name)})
        # Open hours are priced as the dialogue prices them: not given, so the quote says
        # it used the rates' default (or 24 h for emergency response).
        inquiry = inquiry_of_values({**values, **({"hours": None}
                                                  if "hours" in open_fields else {})})
    return Resolved(inquiry, values, answers, open_fields)


def page_values(engine: Engine, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A merchant's dialogue answers → every control's value and the fields still open
    (estimates, shown as 估算; the page's names, flags as "flags")."""
    known = effective(answers, engine.rates)
    values = {name: CLI_DEFAULTS.get(name) for name in FIELDS}
    values.update(from_answers(known))
    # Implied answers (NFT goods: expert) are open too: they follow the others as they move.
    open_fields = [name for name in ("orders", "kinds", "categories", "flags", "response",
                                     *(("hours",) if HAS_HOURS else ()), "scope", "tooling",
                                     "ai", "mode", "volume", "billing")
                   if answers.get(name) in (None, [], ())]
    if "orders" in open_fields:
        values["orders"] = ORDERS_WHEN_UNKNOWN
    for name in open_fields:
        if name in ASSUMABLE:
            values.update({field: value for field, value in from_answers(
                {name: default(name, known)}).items() if field in values})
    return values, open_fields


# --- saving: the next confirmation of the merchant's dialogue ---------------------------

@dataclass(frozen=True)
class SaveRequest:
    """Save these answers for this Telegram user (checked by the caller: signed init data)."""

    user_id: int
    handle: str  # @username, else the name
    full_name: str
    answers: dict[str, Any]
    locale: str


@dataclass(frozen=True)
class Saved:
    quote_id: int
    version: int


# Who saves: the bot's conversation (bot/tg/miniapp.py), which also sends the quote.
Saver = Callable[[SaveRequest], Awaitable[Saved]]


PAGE_ANSWERS = frozenset({"orders", "kinds", "categories", "flags", "response", "scope",
                          "tooling", "ai", "mode", "volume", "billing", "budget", "hours"})


def confirm(engine: Engine, state: DialogState | None, answers: Mapping[str, Any], *,
            locale: str, parent_quote: int | None = None) -> tuple[DialogState, Screen]:
    """The page's answers confirmed in the merchant's dialogue, as if they had changed them
    on the summary and pressed 确认报价: the screen carries the quote and the usual
    "save_quote" effect. With a quote on the table it becomes that quote's next version;
    without a dialogue, `parent_quote` (their latest saved quote) is the one revised.
    Answers the page does not manage (a prospect, a discount) are kept."""
    if state is None:
        state, _ = engine.start(locale, dialog_id=uuid.uuid4().hex, parent_quote=parent_quote)
    kept = {name: value for name, value in state.answers.items() if name not in PAGE_ANSWERS}
    summary = replace(state, phase="summary", answers={**kept, **answers}, paused=False,
                      pending={}, editing=False, requote=False, draft=())
    new_state, screen = engine.handle(summary, Press("ok"))
    if "save_quote" not in screen.effects:  # pragma: no cover - the summary always has 确认
        raise RuntimeError("the summary offered no confirmation")
    return new_state, screen

