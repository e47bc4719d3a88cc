"""The dialogue's values: the events a front-end sends (Press, Say), the Screen it gets back,
and the DialogState it keeps between them — a small JSON-serialisable value with a schema
version, so a front-end can store it and resume later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dialogs.steps import STEP_BY_ID
from locales.i18n import resolve_locale
from pricing import Quote

SCHEMA_VERSION = 1
# Under a quote: "quote" (the short screen), "detail" (📄 明细), "whatif" (the flips),
# "compare" (对比), "note" (a short answer about the quote, or the next step of a sale) and
# "contact" (asking for a phone number or WeChat id to pass to sales).
PHASES = ("ask", "summary", "quote", "compare", "detail", "whatif", "note", "contact")
QUOTE_PHASES = ("quote", "compare", "detail", "whatif", "note", "contact")
VERSIONS_KEPT = 3  # priced answer sets kept for "比刚才" and 对比


class StateError(ValueError):
    """A stored dialogue state cannot be read (unknown schema version or malformed)."""


@dataclass(frozen=True, slots=True)
class Press:
    """A button was pressed."""

    id: str


@dataclass(frozen=True, slots=True)
class Say:
    """The merchant typed something."""

    text: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number shared with Telegram's contact button; `own`: the sender's own."""

    phone: str
    own: bool


Event = Press | Say | Contact


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Screen:
    """What to show. kind: "question", "summary", "quote" or "resume".

    effects tell the front-end what else to do: "save_quote" (once per confirmation),
    "handoff" (forward to sales staff), "stale" (a button that no longer applies was pressed).
    """

    kind: str
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    step: str | None = None
    quote: Quote | None = None
    effects: tuple[str, ...] = ()

    @property
    def button_ids(self) -> frozenset[str]:
        return frozenset(button.id for row in self.buttons for button in row)


@dataclass(frozen=True, slots=True)
class DialogState:
    locale: str
    phase: str = "ask"
    step: str = "ORDERS"
    answers: Mapping[str, Any] = field(default_factory=dict)
    draft: tuple[str, ...] = ()  # a multi-choice being ticked
    history: tuple[str, ...] = ()  # steps answered, for "back"
    editing: bool = False  # answering from the summary: return there
    paused: bool = False  # offer 继续上次 / 重新开始
    seq: int = 0  # counts handled events; front-ends tie buttons to it
    confirmed: int = 0  # confirmations so far: one saved quote each
    dialog_id: str = ""  # given by the front-end; with `confirmed`, names a saved quote
    sales: bool = False  # a salesperson's quote for a prospect: more steps, a share button
    parent_quote: int | None = None  # adjusting this saved quote makes its next version
    pending: Mapping[str, Any] = field(default_factory=dict)  # a reading asked back (是的/不是)
    on_table: int = 0  # the confirmation whose quote the merchant has seen (0: none yet)
    revises: int = 0  # the confirmation the latest one changes: it is that quote's new version
    # The answers of the latest confirmations of the quote on the table (oldest first, at most
    # VERSIONS_KEPT): "比刚才" and 对比 re-price them. Empty in states stored before.
    versions: tuple[Mapping[str, Any], ...] = ()
    asked: Mapping[str, Any] = field(default_factory=dict)  # the merchant's own answers
    requote: bool = False  # editing an answer from the quote: answering makes a new version
    note: str = ""  # phase "note": what it answers ("ask:price", "close:trial", "thanks"…)
    signal: str = ""  # the merchant's words that asked to buy (passed to sales)
    lead: Mapping[str, Any] = field(default_factory=dict)  # a contact just given (effect "lead")
    misses: int = 0  # messages not understood in a row at this screen
    estimated: tuple[str, ...] = ()  # answered 不确定 / 你看着办: the default, shown as 估算
    question: str = ""  # the last question we could not answer (passed on with 转人工)
    viewing: str = ""  # a prospect reading a shared quote (its link token): text goes there

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": SCHEMA_VERSION, "locale": self.locale, "phase": self.phase,
            "step": self.step, "answers": dict(self.answers), "draft": list(self.draft),
            "history": list(self.history), "editing": self.editing, "paused": self.paused,
            "seq": self.seq, "confirmed": self.confirmed, "dialog_id": self.dialog_id,
            "sales": self.sales, "parent_quote": self.parent_quote,
            "pending": dict(self.pending), "on_table": self.on_table, "revises": self.revises,
            "versions": [dict(answers) for answers in self.versions],
            "asked": dict(self.asked), "requote": self.requote, "note": self.note,
            "signal": self.signal, "lead": dict(self.lead), "misses": self.misses,
            "estimated": list(self.estimated), "question": self.question,
            "viewing": self.viewing,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DialogState:
        if not isinstance(data, Mapping) or data.get("v") != SCHEMA_VERSION:
            raise StateError(f"unsupported dialogue state version: {data.get('v')!r}"
                             if isinstance(data, Mapping) else "dialogue state is not an object")
        try:
            state = cls(
                locale=resolve_locale(str(data["locale"])),
                phase=str(data["phase"]),
                step=str(data["step"]),
                answers=dict(data["answers"]),
                draft=tuple(str(value) for value in data["draft"]),
                history=tuple(str(value) for value in data["history"]),
                editing=bool(data["editing"]),
                paused=bool(data["paused"]),
                seq=int(data["seq"]),
                confirmed=int(data["confirmed"]),
                dialog_id=str(data.get("dialog_id", "")),
                sales=bool(data.get("sales", False)),
                parent_quote=(int(data["parent_quote"]) if data.get("parent_quote") is not None
                              else None),
                pending=dict(data.get("pending") or {}),
                on_table=int(data.get("on_table") or 0),
                revises=int(data.get("revises") or 0),
                versions=tuple(dict(answers) for answers in data.get("versions") or ()),
                asked=dict(data.get("asked") or {}),
                requote=bool(data.get("requote", False)),
                note=str(data.get("note") or ""),
                signal=str(data.get("signal") or ""),
                lead=dict(data.get("lead") or {}),
                misses=int(data.get("misses") or 0),
                estimated=tuple(str(name) for name in data.get("estimated") or ()),
                question=str(data.get("question") or ""),
                viewing=str(data.get("viewing") or ""),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StateError(f"malformed dialogue state: {error}") from None
        if state.phase not in PHASES or state.step not in STEP_BY_ID:
            raise StateError(f"malformed dialogue state: phase {state.phase!r}, "
                             f"step {state.step!r}")
        if state.phase == "compare" and not state.versions:
            state = replace(state, phase="quote")  # nothing to compare: the quote itself
        return state
