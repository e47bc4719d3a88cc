"""The pure dialogue engine: (state, event) → (state, screen).

No I/O and no chat framework: the terminal, aiogram and python-telegram-bot all call
`Engine.handle` and show the screen it returns. State is a small JSON-serialisable value
with a schema version, so a front-end can store it and resume later. Screens are
Telegram-HTML text (our words, escaped values) plus rows of buttons (id, label); a quote
screen also carries the Quote for the front-end to render with its template.

Button ids: "o:<value>" choose, "m:<value>" toggle, "m:done", "skip", "e:<field>" edit,
"ok" confirm, "adj" adjust, "nav:back", "nav:restart", "nav:human", "rs:go", "rs:new";
the quick path and what-if (docs/dialogue.md): "qq" 先看报价, "more" 细化报价,
"w:<field>:<value>" flip one choice under the quote, "cmp" 对比, "cv:<n>" pick version n.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, ClassVar

from dialogs import whatif
from dialogs.knowledge import KnowledgeBase, load_knowledge
from dialogs.steps import (
    BUTTON_WORDS,
    CUSTOMER_STEPS,
    DEFAULTS,
    QUICK_FACTS,
    STEP_BY_FIELD,
    STEP_BY_ID,
    STEPS,
    Kind,
    Step,
)
from dialogs.text import as_written, fold, normalize, written_locale
from dialogs.understanding import Reader, Reading, answers_of_facts, facts_of_answers
from locales.formatting import format_change, format_money_range, format_number
from locales.i18n import SUPPORTED, Translator, resolve_locale, translator
from pricing import (
    AiChoice,
    Billing,
    Inquiry,
    ProductKind,
    Quote,
    Range,
    Rates,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
    quote,
    round_money,
)
from pricing.model import SCOPE_ORDER

SCHEMA_VERSION = 1
PHASES = ("ask", "summary", "quote", "compare")
VERSIONS_KEPT = 3  # priced answer sets kept for "比刚才" and 对比
# Open answers a quick quote prices at their default and lists as 估算 (not the facts it
# needs, not the optional budget or a salesperson's steps).
ASSUMABLE = ("kinds", "categories", "flags", "scope", "tooling", "ai", "mode", "volume",
             "billing")
# Fields 对比 sets side by side when versions differ in them (billing is in the total's line).
COMPARED = ("orders", "kinds", "categories", "flags", "response", "scope", "tooling", "ai",
            "mode", "volume", "budget")


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


Event = Press | Say


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": SCHEMA_VERSION, "locale": self.locale, "phase": self.phase,
            "step": self.step, "answers": dict(self.answers), "draft": list(self.draft),
            "history": list(self.history), "editing": self.editing, "paused": self.paused,
            "seq": self.seq, "confirmed": self.confirmed, "dialog_id": self.dialog_id,
            "sales": self.sales, "parent_quote": self.parent_quote,
            "pending": dict(self.pending), "on_table": self.on_table, "revises": self.revises,
            "versions": [dict(answers) for answers in self.versions],
            "asked": dict(self.asked), "requote": self.requote,
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
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StateError(f"malformed dialogue state: {error}") from None
        if state.phase not in PHASES or state.step not in STEP_BY_ID:
            raise StateError(f"malformed dialogue state: phase {state.phase!r}, "
                             f"step {state.step!r}")
        if state.phase == "compare" and not state.versions:
            state = replace(state, phase="quote")  # nothing to compare: the quote itself
        return state


class _Invalid(Exception):
    """An answer that does not fit its step; `key` and `params` say why, in the catalog."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)


class Engine:
    """The dialogue over a rates table. Immutable; every method is a pure function.

    Free text goes through one `Reader` (dialogs/understanding.py); questions are answered
    from the knowledge file (dialogs/knowledge.toml) unless another `knowledge` is given."""

    def __init__(self, rates: Rates, *, knowledge: KnowledgeBase | None = None) -> None:
        self.rates = rates
        self.knowledge = knowledge if knowledge is not None else load_knowledge()
        self._priced: dict[str, Quote] = {}  # the last quotes priced (see `priced`)
        # Option labels in every language also count as whole answers ("快速响应", "Fast").
        labels: dict[str, dict[str, object]] = {}
        for step in STEPS:
            words: dict[str, object] = {}
            for locale in SUPPORTED:
                t = translator(locale)
                for option in step.options:
                    words[fold(t(f"opt.{step.field}.{option.value}"))] = option.value
            for option in step.options:
                words.update({fold(reply): option.value for reply in option.replies})
            labels[step.field] = words
        self.reader = Reader(labels=labels)

    # --- entry points -------------------------------------------------------------------

    def start(self, locale: str | None = None, *, dialog_id: str = "",
              answers: Mapping[str, Any] | None = None, sales: bool = False,
              parent_quote: int | None = None) -> tuple[DialogState, Screen]:
        """A new dialogue. `dialog_id` is the front-end's name for it (quotes are saved once
        per dialog_id and confirmation); `answers` pre-fill it and open the summary;
        `sales` adds the prospect and discount steps and a share button on the quote."""
        state = DialogState(locale=resolve_locale(locale), dialog_id=dialog_id, sales=sales,
                            parent_quote=parent_quote)
        state = replace(state, step=self._steps(state)[0].id)
        if answers:
            state = replace(state, phase="summary", answers=dict(answers))
        return state, self.show(state)

    def _steps(self, state: DialogState) -> tuple[Step, ...]:
        """The steps of this kind of dialogue (a salesperson's has two more)."""
        return STEPS if state.sales else CUSTOMER_STEPS

    def resume(self, state: DialogState) -> tuple[DialogState, Screen]:
        """Returning after an interruption: offer 继续上次 / 重新开始 if there is progress."""
        if not state.answers and state.phase == "ask":
            return state, self.show(state)
        paused = replace(state, paused=True, seq=state.seq + 1)
        return paused, self.show(paused)

    def set_locale(self, state: DialogState, locale: str) -> tuple[DialogState, Screen]:
        changed = replace(state, locale=resolve_locale(locale), seq=state.seq + 1)
        return changed, self.show(changed)

    def handle(self, state: DialogState, event: Event) -> tuple[DialogState, Screen]:
        current = self.button_ids(state)
        if isinstance(event, Press):
            if event.id not in current:
                t = translator(state.locale)
                return state, self.show(state, notice=t("dlg.stale"), effects=("stale",))
            return self._press(replace(state, seq=state.seq + 1), event.id)
        word = fold(event.text)
        for button, words in BUTTON_WORDS.items():
            if word in words and button in current:
                return self._press(replace(state, seq=state.seq + 1), button)
        return self._say(replace(state, seq=state.seq + 1), event.text)

    # --- buttons ------------------------------------------------------------------------

    def _press(self, state: DialogState, button: str) -> tuple[DialogState, Screen]:
        t = translator(state.locale)
        if button == "nav:restart" or button == "rs:new":
            fresh = DialogState(locale=state.locale, seq=state.seq, confirmed=state.confirmed,
                                dialog_id=state.dialog_id, sales=state.sales)
            fresh = replace(fresh, step=self._steps(fresh)[0].id)
            return fresh, self.show(fresh)
        if button == "rs:go":
            resumed = replace(state, paused=False)
            return resumed, self.show(resumed)
        if button == "cf:yes":
            return self._take(replace(state, pending={}), dict(state.pending), notices=[])
        if button == "cf:no":
            declined = replace(state, pending={})
            return declined, self.show(declined, notice=t("dlg.confirm_no"))
        if button == "nav:human":
            return state, self.show(state, notice=t("dlg.handoff_sent"), effects=("handoff",))
        if button == "nav:back":
            return self._back(state)
        if button in ("ok", "qq"):  # 先看报价: the open answers at their defaults (估算)
            confirmed = self._confirm(state, state.answers)
            return confirmed, self.show(confirmed, effects=("save_quote",))
        if button == "adj":
            summary = replace(state, phase="summary")
            return summary, self.show(summary)
        if button == "share":
            return state, self.show(state, effects=("share_link",))
        if button == "more":  # 细化报价: on through the steps still open, answers kept
            walking = self._next(replace(state, phase="ask", editing=False, requote=False))
            return walking, self.show(walking)
        if button == "cmp":
            comparing = replace(state, phase="compare")
            return comparing, self.show(comparing)
        if button.startswith(("w:", "cv:")):
            return self._what_if(state, button, t)
        if button.startswith("e:"):
            step = STEP_BY_FIELD[button[2:]]
            draft = tuple(state.answers.get(step.field, ())) if step.kind is Kind.MULTI else ()
            editing = replace(state, phase="ask", step=step.id, editing=True, draft=draft,
                              requote=state.phase == "quote")
            return editing, self.show(editing)
        step = STEP_BY_ID[state.step]
        if button.startswith("m:"):
            return self._toggle(state, step, button[2:])
        if button == "skip":
            return self._advance(state, step, {step.field: None}, notice="")
        value = button[2:]  # "o:<value>"
        try:
            answer = self._validate(step, value if step.kind is Kind.CHOICE else Decimal(value), t)
        except _Invalid as invalid:
            return state, self.show(state, notice=t(invalid.key, **invalid.params))
        return self._advance(state, step, {step.field: answer}, notice="")

    def _what_if(self, state: DialogState, button: str,
                 t: Translator) -> tuple[DialogState, Screen]:
        """A flip under the quote ("w:response:fast") or a version picked in 对比 ("cv:2"):
        a new confirmation (a new version of the quote) through the usual save_quote."""
        if button.startswith("cv:"):
            number = int(button[3:])
            answers = dict(state.versions[number - 1])
            notice = t("whatif.picked", n=number)
        else:
            _, name, value = button.split(":", 2)
            answers = {**state.answers, name: value}
            shown = (t("compare.with_ai") if (name, value) == ("ai", "yes")
                     else self._value_text(STEP_BY_FIELD[name], value, t))
            notice = t("whatif.changed", field=t(f"field.{name}"), value=_e(shown))
        flipped = self._confirm(state, answers, what_if=True)
        return flipped, self.show(flipped, notice=notice, effects=("save_quote",))

    def _toggle(self, state: DialogState, step: Step, value: str) -> tuple[DialogState, Screen]:
        t = translator(state.locale)
        if value == "done":
            if not state.draft:
                return state, self.show(state, notice=t("dlg.pick_one"))
            return self._advance(state, step, {step.field: list(state.draft)}, notice="")
        option = step.option(value)
        if option is None:  # not reachable through show(), kept for stored states
            return state, self.show(state, notice=t("dlg.stale"), effects=("stale",))
        if value in state.draft:
            draft = tuple(item for item in state.draft if item != value)
        elif option.exclusive:
            draft = (value,)
        else:
            exclusive = {o.value for o in step.options if o.exclusive}
            draft = (*[item for item in state.draft if item not in exclusive], value)
        ordered = tuple(o.value for o in step.options if o.value in draft)
        toggled = replace(state, draft=ordered)
        return toggled, self.show(toggled)

    def _back(self, state: DialogState) -> tuple[DialogState, Screen]:
        t = translator(state.locale)
        if state.phase == "compare" or (state.phase == "ask" and state.requote):
            unchanged = replace(state, phase="quote", editing=False, requote=False, draft=())
            return unchanged, self.show(unchanged)
        if state.phase == "quote":
            summary = replace(state, phase="summary")
            return summary, self.show(summary)
        if state.phase == "ask" and state.editing:
            summary = replace(state, phase="summary", editing=False, draft=())
            return summary, self.show(summary)
        history = list(state.history)
        if state.phase == "ask":
            while history and history[-1] == state.step:
                history.pop()
        if not history:
            return state, self.show(state, notice=t("dlg.first_step"))
        previous = STEP_BY_ID[history.pop()]
        draft = (tuple(state.answers.get(previous.field, ()))
                 if previous.kind is Kind.MULTI else ())
        back = replace(state, phase="ask", step=previous.id, history=tuple(history), draft=draft)
        return back, self.show(back)

    # --- text ---------------------------------------------------------------------------

    def _say(self, state: DialogState, text: str) -> tuple[DialogState, Screen]:
        t = translator(state.locale)
        clean = normalize(text)
        state = replace(state, paused=False, pending={})
        if not clean:
            return state, self.show(state, notice=t("dlg.not_understood",
                                                    hint=self._hint(state, t)))
        step = STEP_BY_ID[state.step] if state.phase == "ask" else None
        if step is not None and step.kind is Kind.TEXT:
            # Kept as written (escaped wherever shown), never parsed for other answers;
            # too long is refused with a message, never cut silently.
            written = as_written(text)
            if len(written) > step.maximum:
                return state, self.show(state, notice=t("dlg.too_long", length=len(written),
                                                        maximum=step.maximum))
            return self._advance(state, step, {step.field: written}, notice="")
        reading = self.reader.read(text, step=self._where(state),
                                   known=facts_of_answers(state.answers))
        found, errors = self._answers(reading, state, t)
        notices = [self._answer_question(question, written_locale(text, state.locale))
                   for question in reading.questions]
        if not found:
            if errors:
                notices.append(t(errors[0].key, **errors[0].params))
            elif not notices:
                notices.append(t("dlg.not_understood", hint=self._hint(state, t)))
            return state, self.show(state, notice="\n\n".join(notices))
        unsure = {name: value for name, value in found.items()
                  if name in reading.unsure}
        sure = {name: value for name, value in found.items() if name not in unsure}
        if unsure and not sure:
            asking = replace(state, pending=unsure)
            return asking, self.show(asking, notice="\n\n".join(notices))
        moved, screen = self._take(state, sure, notices=notices)
        if unsure:
            moved = replace(moved, pending=unsure)
            screen = self.show(moved, notice=screen.text.split("\n\n")[0], effects=screen.effects)
        return moved, screen

    def _where(self, state: DialogState) -> str:
        """The step the merchant is answering, or SUMMARY / QUOTE (对比 is the quote's)."""
        if state.phase == "ask":
            return state.step
        return "QUOTE" if state.phase == "compare" else state.phase.upper()

    def _take(self, state: DialogState, found: Mapping[str, Any], *,
              notices: list[str]) -> tuple[DialogState, Screen]:
        """Apply answers read from text (or confirmed): say what was understood or changed,
        then go where the merchant would expect — the next open step, back to the summary,
        or, after a quote, a new version of it."""
        t = translator(state.locale)
        # An answer that replaces another is always said as a change (已更正：a → b), whether
        # or not the merchant said 不对: nothing given earlier changes silently.
        changed = {name: value for name, value in found.items()
                   if name in state.answers and state.answers[name] != value}
        if changed:
            notices.append(self._describe_changes(state.answers, changed, t))
            rest = {name: value for name, value in found.items() if name not in changed}
            if rest:
                notices.append(self._describe(rest, t))
        else:
            notices.append(self._describe(found, t))
        notice = "\n".join(notices)
        step = STEP_BY_ID[state.step] if state.phase == "ask" else None
        if step is not None and (step.field in found or state.editing):
            return self._advance(state, step, found, notice=notice)
        answers = {**state.answers, **found}
        if state.phase == "ask":
            moved = self._next(replace(state, answers=answers))
            return moved, self.show(moved, notice=notice)
        if state.phase in ("quote", "compare"):
            # A correction after the quote (or at 对比) is a new version of it.
            requoted = self._confirm(state, answers)
            return requoted, self.show(requoted, notice=notice, effects=("save_quote",))
        summary = replace(state, phase="summary", answers=answers)
        return summary, self.show(summary, notice=notice)

    @staticmethod
    def _confirm(state: DialogState, answers: Mapping[str, Any], *,
                 what_if: bool = False) -> DialogState:
        """A new confirmation (one saved quote); a revision of the one on the table, if any.

        Its answers join the versions kept for "比刚才" and 对比. Answers the merchant gave
        (not a what-if flip) are also what they asked for: 对比 marks versions that meet it."""
        confirmed = state.confirmed + 1
        kept = state.versions if state.on_table else ()
        return replace(state, phase="quote", answers=dict(answers), confirmed=confirmed,
                       revises=state.on_table, on_table=confirmed, editing=False,
                       requote=False, draft=(),
                       versions=(*kept, dict(answers))[-VERSIONS_KEPT:],
                       asked=state.asked if what_if and state.asked else dict(answers))

    def _answer_question(self, question: str, locale: str) -> str:
        """The knowledge file's answer in the language the question was written in."""
        answer = self.knowledge.answer(question, locale)
        if answer.section is None:
            return translator(locale)("kb.unknown")
        return f"💡 {_e(answer.text)}"

    def understand(self, text: str, *, step: str | None = None,
                   locale: str | None = None) -> dict[str, Any]:
        """The answers a message gives, as the dialogue would store them (at `step`)."""
        state = DialogState(locale=resolve_locale(locale), step=step or "ORDERS",
                            phase="ask" if step else "summary")
        found, _ = self._answers(self.reader.read(text, step=step), state, translator(locale))
        return found

    def _answers(self, reading: Reading, state: DialogState,
                 t: Translator) -> tuple[dict[str, Any], list[_Invalid]]:
        """A reading's facts as validated answers for the dialogue's steps."""
        found: dict[str, Any] = {}
        errors: list[_Invalid] = []
        steps = {step.field for step in self._steps(state)}
        for name, raw in answers_of_facts(reading.facts, state.answers).items():
            target = STEP_BY_FIELD.get(name)
            if target is None or name not in steps:
                continue
            try:
                found[name] = self._validate(
                    target, Decimal(raw) if target.kind in (Kind.NUMBER, Kind.OPTIONAL_NUMBER)
                    else raw, t)
            except _Invalid as invalid:
                errors.append(invalid)
        return found, errors

    def _validate(self, step: Step, raw: Any, t: Translator) -> Any:
        """A raw answer → the stored value, or _Invalid with a localized reason."""
        if step.kind in (Kind.NUMBER, Kind.OPTIONAL_NUMBER):
            if not isinstance(raw, Decimal) or not raw.is_finite():
                raise _Invalid("dlg.need_number", hint=t(f"hint.{step.field}"))
            value = raw
            if value != value.to_integral_value():
                raise _Invalid("dlg.need_whole", value=_e(f"{value.normalize():f}"))
            if not step.minimum <= value <= step.maximum:
                raise _Invalid("dlg.out_of_range", minimum=step.minimum,
                               maximum=f"{step.maximum:,}")
            return int(value) if step.kind is Kind.NUMBER else str(int(value))
        if step.kind is Kind.MULTI:
            # "None of these" only counts alone: with real choices it is dropped.
            exclusive = {option.value for option in step.options if option.exclusive}
            values = [value for value in raw if step.option(value) is not None]
            chosen = [value for value in values if value not in exclusive]
            return chosen or values[:1]
        if step.option(raw) is None:
            raise _Invalid("dlg.not_understood", hint=t(f"hint.{step.field}"))
        return raw

    # --- moving on ----------------------------------------------------------------------

    def _advance(
        self, state: DialogState, step: Step, answers: Mapping[str, Any], *, notice: str
    ) -> tuple[DialogState, Screen]:
        merged = {**state.answers, **answers}
        history = (*state.history, step.id) if not state.editing else state.history
        updated = replace(state, answers=merged, draft=(), history=history)
        if state.requote:  # an answer changed from under the quote: its next version at once
            requoted = self._confirm(updated, merged)
            return requoted, self.show(requoted, notice=notice, effects=("save_quote",))
        if state.editing:
            summary = replace(updated, phase="summary", editing=False)
            return summary, self.show(summary, notice=notice)
        moved = self._next(updated)
        return moved, self.show(moved, notice=notice)

    def _next(self, state: DialogState) -> DialogState:
        """The first step still to ask (in order, skipping implied ones), else the summary."""
        for step in self._steps(state):
            if step.field in state.answers or self._implied(step, state.answers) is not None:
                continue
            staying = state.phase == "ask" and step.id == state.step
            return replace(state, phase="ask", step=step.id,
                           draft=state.draft if staying else ())
        return replace(state, phase="summary")

    def _implied(self, step: Step, answers: Mapping[str, Any]) -> Any:
        return step.implied(answers, self.rates) if step.implied is not None else None

    def effective_answers(self, state: DialogState) -> dict[str, Any]:
        """Answers given, plus those implied by them."""
        return self._effective(state.answers)

    def _effective(self, given: Mapping[str, Any]) -> dict[str, Any]:
        answers = dict(given)
        for step in STEPS:
            if step.field not in answers:
                implied = self._implied(step, answers)
                if implied is not None:
                    answers[step.field] = implied
        return answers

    @staticmethod
    def default(name: str, answers: Mapping[str, Any]) -> Any:
        """What an open answer is priced as: dialogs.steps.DEFAULTS; categories one per kind
        sold (at least one)."""
        if name == "categories":
            return max(1, len(answers.get("kinds") or ()))
        return DEFAULTS.get(name)

    def quick_ready(self, state: DialogState) -> bool:
        """Are the facts a first price needs known (orders, kinds or categories, response)?"""
        return all(any(state.answers.get(name) not in (None, [], ()) for name in group)
                   for group in QUICK_FACTS)

    def assumed(self, state: DialogState) -> list[str]:
        """The open answers a quote prices at their default (shown as 估算), in step order."""
        answers = self.effective_answers(state)
        return [step.field for step in self._steps(state)
                if step.field in ASSUMABLE and step.field not in answers]

    def inquiry(self, state: DialogState) -> Inquiry:
        """The answers as a pricing inquiry (defaults for what was not asked)."""
        return self.inquiry_of(state.answers)

    def inquiry_of(self, given: Mapping[str, Any]) -> Inquiry:
        """Answers (given ones; implied and default ones are added) as a pricing inquiry."""
        answers = self._effective(given)
        flags = set(answers.get("flags", ()))
        budget = answers.get("budget")
        return Inquiry(
            daily_orders=int(answers.get("orders", 1)),
            categories=int(answers.get("categories") or self.default("categories", answers)),
            product_kinds=frozenset(ProductKind(kind) for kind in answers.get("kinds", ())),
            multi_level="multi_level" in flags,
            cross_border="cross_border" in flags,
            response=Response(answers.get("response", Response.STANDARD)),
            scope=Scope(answers.get("scope", DEFAULTS["scope"])),
            tooling=Tooling(answers.get("tooling", DEFAULTS["tooling"])),
            ai=AiChoice(answers.get("ai", DEFAULTS["ai"])),
            mode=ServiceMode(answers.get("mode", DEFAULTS["mode"])),
            volume=VolumePattern(answers.get("volume", DEFAULTS["volume"])),
            billing=Billing(answers.get("billing", DEFAULTS["billing"])),
            budget=Decimal(budget) if budget else None,
            discount=Decimal(answers.get("discount") or 0) / 100,
        )

    # --- screens ------------------------------------------------------------------------

    def show(self, state: DialogState, *, notice: str = "",
             effects: tuple[str, ...] = ()) -> Screen:
        """The screen for a state; `notice` (already localized) goes on top."""
        t = translator(state.locale)
        if state.paused:
            screen = self._resume_screen(state, t)
        elif state.pending:
            screen = self._confirm_screen(state, t)
        elif state.phase == "summary":
            screen = self._summary_screen(state, t)
        elif state.phase == "quote":
            screen = self._quote_screen(state, t)
        elif state.phase == "compare":
            screen = self._compare_screen(state, t)
        else:
            screen = self._question_screen(state, t)
        if notice:
            screen = replace(screen, text=f"{notice}\n\n{screen.text}")
        return replace(screen, effects=effects) if effects else screen

    def layout(self, state: DialogState) -> tuple[tuple[str, ...], ...]:
        """The button ids of the state's screen, in rows: no words, so it is cheap to check
        a pressed button against it."""
        nav = ("nav:back", "nav:restart", "nav:human")
        if state.paused:
            return (("rs:go", "rs:new"),)
        if state.pending:
            return (("cf:yes", "cf:no"), nav)
        if state.phase == "compare":
            picks = tuple(f"cv:{number}" for number in range(1, len(state.versions)))
            return (*((picks,) if picks else ()), ("nav:back",), nav[1:])
        if state.phase == "quote":
            return self._quote_layout(state)
        if state.phase == "summary":
            edits = [f"e:{step.field}" for step in self._answered_steps(state)]
            return (("ok",), *(tuple(edits[i:i + 3]) for i in range(0, len(edits), 3)), nav)
        step = STEP_BY_ID[state.step]
        prefix = "m" if step.kind is Kind.MULTI else "o"
        ids = [f"{prefix}:{option.value}" for option in step.options]
        rows: list[tuple[str, ...]] = [tuple(ids[i:i + step.columns])
                                       for i in range(0, len(ids), step.columns)]
        if step.kind is Kind.MULTI:
            rows.append(("m:done",))
        if step.kind in (Kind.OPTIONAL_NUMBER, Kind.TEXT):
            rows.append(("skip",))
        if self._offers_quick_quote(state):
            rows.append(("qq",))
        rows.append(nav if state.history or state.editing else nav[1:])
        return tuple(rows)

    def _offers_quick_quote(self, state: DialogState) -> bool:
        return state.phase == "ask" and not state.editing and self.quick_ready(state)

    def _quote_layout(self, state: DialogState) -> tuple[tuple[str, ...], ...]:
        """Under the quote: the what-if flips (one row per topic), 对比 and 细化报价, a
        修改 button per 估算 answer, then the usual way on."""
        flips: dict[str, list[str]] = {}
        for name, value in whatif.flips(self.priced(state.answers)):
            flips.setdefault(name, []).append(f"w:{name}:{value}")
        rows: list[tuple[str, ...]] = [tuple(flips["response"]),
                                       (*flips["ai"], *flips["tooling"]),
                                       tuple(flips["billing"]), tuple(flips["scope"])]
        more = (("cmp",) if len(state.versions) > 1 else ()) + (
            ("more",) if self._next(replace(state, phase="ask")).phase == "ask" else ())
        if more:
            rows.append(more)
        edits = [f"e:{name}" for name in self.assumed(state)]
        rows += [tuple(edits[i:i + 3]) for i in range(0, len(edits), 3)]
        after = [("adj", "nav:restart"), ("nav:back", "nav:human")]
        return tuple([("share",), *rows, *after] if state.sales else [*rows, *after])

    def priced(self, answers: Mapping[str, Any]) -> Quote:
        """The quote of a set of answers; the last few are remembered (a screen and its
        buttons price the same answers two or three times)."""
        key = repr(sorted(answers.items()))
        found = self._priced.get(key)
        if found is None:
            found = quote(self.inquiry_of(answers), self.rates)
            self._priced[key] = found
            if len(self._priced) > 64:
                self._priced.pop(next(iter(self._priced)))
        return found

    def button_ids(self, state: DialogState) -> frozenset[str]:
        return frozenset(button for row in self.layout(state) for button in row)

    _FIXED_LABELS: ClassVar[dict[str, str]] = {
        "nav:back": "btn.back", "nav:restart": "btn.restart", "nav:human": "btn.human",
        "m:done": "btn.done", "skip": "btn.skip", "ok": "btn.confirm", "adj": "btn.adjust",
        "rs:go": "btn.resume", "rs:new": "btn.restart", "share": "btn.share",
        "cf:yes": "btn.confirm_yes", "cf:no": "btn.confirm_no", "qq": "btn.quick",
        "more": "btn.more", "cmp": "btn.compare"}

    def _label(self, button: str, state: DialogState, t: Translator) -> str:
        if button in self._FIXED_LABELS:
            return t(self._FIXED_LABELS[button])
        kind, _, value = button.partition(":")
        if kind == "e":
            key = "btn.edit_assumed" if state.phase == "quote" else "btn.edit"
            return t(key, field=t(f"field.{value}"))
        if kind == "cv":
            return t("btn.pick_version", n=value)
        if kind == "w":
            name, _, choice = value.partition(":")
            if name == "scope":
                wider = SCOPE_ORDER.index(Scope(choice)) > SCOPE_ORDER.index(
                    self.priced(state.answers).scope)
                return t("whatif.scope_up" if wider else "whatif.scope_down",
                         scope=t(f"scope.{choice}"))
            return t(f"whatif.{name}.{choice}")
        label = t(f"opt.{STEP_BY_ID[state.step].field}.{value}")
        return f"✅ {label}" if kind == "m" and value in state.draft else label

    def _buttons(self, state: DialogState, t: Translator) -> tuple[tuple[Button, ...], ...]:
        return tuple(tuple(Button(button, self._label(button, state, t)) for button in row)
                     for row in self.layout(state))

    def visible_steps(self, state: DialogState) -> list[Step]:
        """Steps this merchant is asked (the implied ones are skipped)."""
        return [step for step in self._steps(state)
                if step.field in state.answers or self._implied(step, state.answers) is None]

    def _question_screen(self, state: DialogState, t: Translator) -> Screen:
        step = STEP_BY_ID[state.step]
        visible = self.visible_steps(state)
        position = visible.index(step) + 1 if step in visible else len(visible)
        parts = [t("dlg.progress", current=position, total=len(visible)),
                 f"<b>{t(f'ask.{step.field}')}</b>", t(f"hint.{step.field}")]
        if step.field in state.answers and step.kind is not Kind.MULTI:
            parts.append(t("dlg.current_answer",
                           value=_e(self._value_text(step, state.answers[step.field], t))))
        if self._offers_quick_quote(state):
            parts.append(t("quick.offer"))
        return Screen("question", "\n".join(parts), self._buttons(state, t), step=step.id)

    def _value_text(self, step: Step, value: Any, t: Translator) -> str:
        if value is None:
            return t("dlg.skipped")
        if step.kind is Kind.MULTI:
            if not value:
                return t("dlg.skipped")
            return t("list_separator").join(t(f"opt.{step.field}.{item}") for item in value)
        if step.kind is Kind.TEXT:
            return str(value)
        if step.kind in (Kind.NUMBER, Kind.OPTIONAL_NUMBER):
            return t(f"value.{step.field}", n=f"{int(value):,}")
        return t(f"opt.{step.field}.{value}")

    def _answered_steps(self, state: DialogState) -> list[Step]:
        answers = self.effective_answers(state)
        return [step for step in self._steps(state) if step.field in answers]

    def _summary_lines(self, state: DialogState, t: Translator) -> list[tuple[Step, str]]:
        """(step, "3. 商品类目数：12 类") for every answer given or implied."""
        answers = self.effective_answers(state)
        lines = []
        steps = self._steps(state)
        for step in self._answered_steps(state):
            number = steps.index(step) + 1
            value = _e(self._value_text(step, answers[step.field], t))
            if step.field not in state.answers:
                value = t("dlg.implied", value=value)
            lines.append((step, t("dlg.summary_line", number=number,
                                  field=t(f"field.{step.field}"), value=value)))
        return lines

    def summary_text(self, state: DialogState) -> str:
        """The answers so far, one per line (for a hand-off to sales staff)."""
        t = translator(state.locale)
        return "\n".join(line for _, line in self._summary_lines(state, t))

    def _summary_screen(self, state: DialogState, t: Translator) -> Screen:
        lines = [line for _, line in self._summary_lines(state, t)]
        text = "\n".join([f"<b>{t('dlg.summary_title')}</b>", *lines])
        return Screen("summary", text, self._buttons(state, t))

    def _quote_screen(self, state: DialogState, t: Translator) -> Screen:
        """The quote (the front-end renders it) over: what changed since the version before
        ("比刚才 +1,200–2,000 元/月"), the 估算 answers, and how to flip one choice."""
        result = self.priced(state.answers)
        parts = []
        if len(state.versions) > 1 and state.versions[-1] == state.answers:
            parts.append(self._delta_line(self.priced(state.versions[-2]), result, t))
        assumed = self.assumed(state)
        if assumed:
            answers = self.effective_answers(state)
            lines = [t("quick.assumed_line", field=t(f"field.{name}"), value=_e(
                self._value_text(STEP_BY_FIELD[name], self.default(name, answers), t)))
                for name in assumed]
            parts.append("\n".join([f"<b>{t('quick.assumed_title')}</b>", *lines]))
        parts += [t("whatif.hint"), t("dlg.quote_ready")]
        return Screen("quote", "\n\n".join(parts), self._buttons(state, t), quote=result)

    @staticmethod
    def _delta_line(before: Quote, after: Quote, t: Translator) -> str:
        """"按月固定 3,000–5,000 元/月，比刚才 +1,200–2,000 元/月" (rule 8's signs)."""
        change = whatif.delta(before, after)
        total = format_money_range(whatif.billed(after), t)
        plan = t(f"plan.{after.recommended_plan.value}")
        if round_money(change.low) == 0 and round_money(change.high) == 0:
            return t("whatif.same", plan=plan, total=total)
        return t("whatif.delta", plan=plan, total=total, change=format_change(change, t))

    def _compare_screen(self, state: DialogState, t: Translator) -> Screen:
        """对比: up to three versions, each with its billed total and the choices that differ;
        the cheapest that meets what the merchant asked for is marked ✅."""
        quotes = [self.priced(answers) for answers in state.versions]
        asked = self.priced(state.asked or state.versions[0])
        best = whatif.cheapest(quotes, asked)
        values = [self._compared_values(answers, q, t)
                  for answers, q in zip(state.versions, quotes, strict=True)]
        differ = [name for name in COMPARED if len({shown[name] for shown in values}) > 1]
        lines = [f"<b>{t('compare.title', n=len(quotes))}</b>"]
        for index, q in enumerate(quotes):
            name = t("compare.version", n=index + 1)
            if index == len(quotes) - 1:
                name = t("compare.current", name=name)
            lines.append("")
            lines.append(f"<b>{name}</b>{' ✅' if index == best else ''}　" + t(
                "compare.total", total=format_money_range(whatif.billed(q), t),
                plan=t(f"plan.{q.recommended_plan.value}")))
            unit = self._unit_price(q, t)
            if unit:
                lines.append(f"　{unit}")
            if differ:
                lines.append("　" + " · ".join(
                    t("dlg.understood_item", field=t(f"field.{field}"), value=_e(
                        values[index][field])) for field in differ))
        needs = t("compare.needs", response=t(f"response.{asked.inquiry.response.value}"),
                  scope=t(f"scope.{asked.scope.value}"))
        lines.append("")
        lines.append(t("compare.best", n=best + 1, needs=needs) if best is not None
                     else t("compare.none_meets", needs=needs))
        return Screen("compare", "\n".join(lines), self._buttons(state, t))

    def _compared_values(self, given: Mapping[str, Any], q: Quote,
                         t: Translator) -> dict[str, str]:
        """Each compared field of a version as words, as priced (帮我推荐 resolved)."""
        answers = self._effective(given)
        values = {}
        for name in COMPARED:
            step = STEP_BY_FIELD[name]
            if name == "scope":
                values[name] = t(f"scope.{q.scope.value}")
            elif name == "ai":
                values[name] = t("compare.with_ai" if q.ai_applied else "opt.ai.no")
            elif name == "categories":
                values[name] = self._value_text(step, q.inquiry.categories, t)
            else:
                value = answers.get(name, self.default(name, answers))
                values[name] = self._value_text(step, value, t)
        return values

    @staticmethod
    def _unit_price(q: Quote, t: Translator) -> str:
        """"约 0.8–1.2 元/单" when a version is billed per order, per hour likewise."""
        cent = Decimal("0.01")
        if q.recommended_plan is Billing.PER_ORDER and q.per_order_rate is not None:
            rate = q.per_order_rate.scale(1 / q.days_per_month)
            key = "compare.per_order"
        elif q.recommended_plan is Billing.PER_HOUR and q.hours_per_month.low > 0:
            rate = Range(q.per_hour.low / q.hours_per_month.low,
                         q.per_hour.high / q.hours_per_month.high)
            key = "compare.per_hour"
        else:
            return ""
        low, high = sorted((rate.low.quantize(cent), rate.high.quantize(cent)))
        figure = (format_number(low, t.locale) if low == high else
                  t("range", low=format_number(low, t.locale),
                    high=format_number(high, t.locale)))
        return t(key, rate=figure)

    def _confirm_screen(self, state: DialogState, t: Translator) -> Screen:
        """"您是说日均约 800 单吗？": a reading we are not sure of, asked back."""
        lines = [t("dlg.confirm_value", field=t(f"field.{name}"),
                   value=_e(self._value_text(STEP_BY_FIELD[name], value, t)))
                 for name, value in state.pending.items()]
        return Screen("question", "\n".join(lines), self._buttons(state, t), step=state.step)

    def _resume_screen(self, state: DialogState, t: Translator) -> Screen:
        message = "dlg.resume_quote" if state.phase in ("quote", "compare") else "dlg.resume"
        return Screen("resume", t(message), self._buttons(state, t))

    def _hint(self, state: DialogState, t: Translator) -> str:
        if state.phase == "ask":
            return t(f"hint.{STEP_BY_ID[state.step].field}")
        return t(f"hint.{'quote' if state.phase == 'compare' else state.phase}")

    def _describe(self, found: Mapping[str, Any], t: Translator) -> str:
        """"我理解为：日均 300 单、12 类商品" for what the text answered."""
        parts = []
        for step in STEPS:
            if step.field in found:
                value = self._value_text(step, found[step.field], t)
                parts.append(t("dlg.understood_item", field=t(f"field.{step.field}"),
                               value=_e(value)))
        return t("dlg.understood", items=t("list_separator").join(parts))

    def _describe_changes(self, before: Mapping[str, Any], changed: Mapping[str, Any],
                          t: Translator) -> str:
        """"已更正：日均单量 300 单/天 → 500 单/天" for answers a message changed."""
        parts = []
        for step in STEPS:
            if step.field in changed:
                parts.append(t("dlg.changed_item", field=t(f"field.{step.field}"),
                               old=_e(self._value_text(step, before[step.field], t)),
                               new=_e(self._value_text(step, changed[step.field], t))))
        return t("dlg.corrected", items=t("list_separator").join(parts))
