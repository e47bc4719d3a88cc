"""The pure dialogue engine: (state, event) → (state, screen).

No I/O and no chat framework: the terminal, aiogram and python-telegram-bot all call
`Engine.handle` and show the screen it returns. State is a small JSON-serialisable value
with a schema version, so a front-end can store it and resume later. Screens are
Telegram-HTML text (our words, escaped values) plus rows of buttons (id, label); a quote
screen also carries the Quote for the front-end to render with its template.

The values it works on are in dialogs/state.py, its screens in dialogs/screens.py (which
`Engine` builds on), the answers → Inquiry mapping in dialogs/answers.py.

Button ids: "o:<value>" choose, "m:<value>" toggle, "m:done", "skip", "e:<field>" edit,
"ok" confirm, "adj" adjust, "nav:back", "nav:restart", "nav:human", "rs:go", "rs:new";
the quick path and what-if (docs/dialogue.md): "qq" 先看报价, "more" 细化报价,
"w:<field>:<value>" flip one choice under the quote, "cmp" 对比, "cv:<n>" pick version n;
the short quote and the close (issue 19): "detail" 📄 明细, "flips" 🔀 the what-if buttons,
"card" 🖼 卡片, "q:back" back to the quote, "budget" 按预算调整, "close:yes" ✅ 我要这个方案,
"close:contact" 📞 留下联系方式.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from dialogs import intents
from dialogs.company import DEFAULT_COMPANY, Company
from dialogs.firm import firm_fits, parse_firm
from dialogs.knowledge import KnowledgeBase, load_knowledge, looks_like_question
from dialogs.screens import Screens, _e
from dialogs.state import (
    QUOTE_PHASES,
    VERSIONS_KEPT,
    Contact,
    DialogState,
    Event,
    Press,
    Screen,
)
from dialogs.steps import (
    BUTTON_WORDS,
    STEP_BY_FIELD,
    STEP_BY_ID,
    STEPS,
    Kind,
    Step,
)
from dialogs.text import as_written, fold, normalize, written_locale
from dialogs.understanding import Reader, Reading, answers_of_facts, facts_of_answers
from locales.formatting import format_money_range, format_number
from locales.i18n import SUPPORTED, Translator, resolve_locale, translator
from pricing import (
    Quote,
    Rates,
)


class _Invalid(Exception):
    """An answer that does not fit its step; `key` and `params` say why, in the catalog."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Engine(Screens):
    """The dialogue over a rates table. Immutable; every method is a pure function.

    Free text goes through one `Reader` (dialogs/understanding.py); questions are answered
    from the knowledge file (dialogs/knowledge.toml) unless another `knowledge` is given."""

    def __init__(self, rates: Rates, *, knowledge: KnowledgeBase | None = None,
                 company: Company | None = None) -> None:
        self.rates = rates
        self.knowledge = knowledge if knowledge is not None else load_knowledge()
        self.company = company if company is not None else DEFAULT_COMPANY
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
        if isinstance(event, Contact):
            return self._shared_contact(replace(state, seq=state.seq + 1), event)
        current = self.button_ids(state)
        if isinstance(event, Press):
            if event.id not in current:
                t = translator(state.locale)
                return state, self.show(state, notice=t("dlg.stale"), effects=("stale",))
            return self._press(replace(state, seq=state.seq + 1), event.id)
        word = fold(event.text)
        for button, words in BUTTON_WORDS.items():
            # 重新开始 / 转人工 typed anywhere under a quote work even where the short
            # screen has no room for their button.
            anywhere = button in ("nav:restart", "nav:human") and state.phase in QUOTE_PHASES
            if word in words and (button in current or anywhere):
                return self._press(replace(state, seq=state.seq + 1), button)
        if state.phase in ("contact", "note"):  # a reply-keyboard button sends its label
            t = translator(state.locale)
            for button in current:
                if word == fold(self._label(button, state, t)):
                    return self._press(replace(state, seq=state.seq + 1), button)
        return self._say(replace(state, seq=state.seq + 1), event.text)

    # --- buttons ------------------------------------------------------------------------

    def _press(self, state: DialogState, button: str) -> tuple[DialogState, Screen]:
        t = translator(state.locale)
        state = replace(state, misses=0)
        if button in self._UNDER_QUOTE:  # 📄 明细, 🔀, ↩️: another view of the same quote
            moved = replace(state, phase=self._UNDER_QUOTE[button], note="")
            return moved, self.show(moved)
        if button == "card":
            return state, self.show(state, effects=("card",))
        if button in ("close:yes", "close:contact"):
            asking = replace(state, phase="contact", note="",
                             signal=state.signal or (t("close.pressed") if button == "close:yes"
                                                     else ""))
            return asking, self.show(asking)
        if button == "budget":
            changes = self._budget_changes(state)
            notice = t("budget.applied", changes=t("list_separator").join(
                self._describe_item(name, value, t) for name, value in changes.items()))
            adjusted = self._confirm(state, {**state.answers, **changes}, what_if=True)
            return adjusted, self.show(adjusted, notice=notice, effects=("save_quote",))
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
                              requote=state.phase in QUOTE_PHASES)
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

    _UNDER_QUOTE: ClassVar[dict[str, str]] = {"detail": "detail", "flips": "whatif",
                                               "q:back": "quote"}

    def _describe_item(self, name: str, value: Any, t: Translator) -> str:
        return t("dlg.understood_item", field=t(f"field.{name}"),
                 value=_e(self._value_text(STEP_BY_FIELD[name], value, t)))

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
        if state.phase == "whatif":  # on exploring: the flips stay under the new version
            flipped = replace(flipped, phase="whatif")
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
        if state.phase in ("compare", "detail", "whatif", "note", "contact") or (
                state.phase == "ask" and state.requote):
            unchanged = replace(state, phase="quote", editing=False, requote=False, draft=(),
                                note="")
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
            return self._missed(state, t)
        if state.phase == "contact":
            return self._typed_contact(state, text, t)
        step = STEP_BY_ID[state.step] if state.phase == "ask" else None
        if step is not None and step.kind is Kind.TEXT:
            # Kept as written (escaped wherever shown), never parsed for other answers;
            # too long is refused with a message, never cut silently.
            written = as_written(text)
            if len(written) > step.maximum:
                return state, self.show(state, notice=t("dlg.too_long", length=len(written),
                                                        maximum=step.maximum))
            if step.field == "firm":
                return self._firm(state, step, written, t)
            return self._advance(state, step, {step.field: written}, notice="")
        folded = fold(text)
        reading = self.reader.read(text, step=self._where(state),
                                   known=facts_of_answers(state.answers))
        found, errors = self._answers(reading, state, t)
        under_quote = state.phase in QUOTE_PHASES
        if not found and not errors and step is not None and intents.unsure(folded):
            # Read first: where the step has a recommend option the reader takes it
            # (AI: 你看着办 → 帮我推荐); elsewhere the step's default, marked 估算.
            return self._unsure(state, step, t)
        if not found and not errors:
            talked = self._talk(state, as_written(text), folded, bool(reading.questions), t)
            if talked is not None:
                return talked
        if under_quote and not found and reading.questions:
            # A question not about the quote: the article's answer, the quote not resent.
            unknown = self.knowledge.answer(reading.questions[0], state.locale).section is None
            noted = replace(state, phase="note", note=f"kb:{reading.questions[0]}", misses=0,
                            question=as_written(text)[:300] if unknown else state.question)
            return noted, self.show(noted)
        notices = [self._answer_question(question, written_locale(text, state.locale))
                   for question in reading.questions]
        if reading.questions and any(self.knowledge.answer(question, state.locale).section
                                     is None for question in reading.questions):
            state = replace(state, question=as_written(text)[:300])  # for 转人工
        converted = self._foreign_money(found, folded, notices, t)
        if not found:
            if errors:
                notices.append(t(errors[0].key, **errors[0].params))
            elif not notices:
                return self._missed(state, t)
            return state, self.show(replace(state, misses=0), notice="\n\n".join(notices))
        state = replace(state, misses=0)
        unsure = {name: value for name, value in found.items()
                  if name in reading.unsure or name in converted}
        sure = {name: value for name, value in found.items() if name not in unsure}
        if unsure and not sure:
            asking = replace(state, pending=unsure)
            return asking, self.show(asking, notice="\n\n".join(notices))
        # "五百单，不对，六百": what the message itself took back is echoed as a change too.
        took_back = {name: value for name, value in
                     answers_of_facts(reading.revised, state.answers).items()
                     if name in reading.revised or name == "flags"}
        moved, screen = self._take(state, sure, notices=notices, took_back=took_back)
        if unsure:
            moved = replace(moved, pending=unsure)
            screen = self.show(moved, notice=screen.text.split("\n\n")[0], effects=screen.effects)
        return moved, screen

    def _firm(self, state: DialogState, step: Step, written: str,
              t: Translator) -> tuple[DialogState, Screen]:
        """💲 定价: a firm monthly price or a narrower range, inside what was priced."""
        firm = parse_firm(normalize(written))
        base = self.priced({name: value for name, value in state.answers.items()
                            if name != "firm"})
        priced = format_money_range(base.monthly, t)
        if firm is None:
            return state, self.show(state, notice=t("firm.invalid", range=priced))
        why = firm_fits(base, firm)
        if why:
            return state, self.show(state, notice=t(f"firm.{why}", range=priced))
        value = f"{firm.low:f}" if firm.low == firm.high else f"{firm.low:f}-{firm.high:f}"
        return self._advance(state, step, {step.field: value},
                             notice=t("firm.set", price=format_money_range(firm, t)))

    def _foreign_money(self, found: dict[str, Any], folded: str, notices: list[str],
                       t: Translator) -> set[str]:
        """A budget in 台币 / 港币 / 美元: converted to RMB at the company file's rate and
        asked back ("新台币 10,000 元约合人民币 2,250 元"), or, without a rate, not taken and
        asked for in RMB. Returns the answers to ask back."""
        currency = intents.foreign_currency(folded) if "budget" in found else None
        if currency is None:
            return set()
        amount = Decimal(str(found["budget"]))
        shown = format_number(amount, t.locale)
        name = t(f"currency.{currency}")
        rate = self.company.cny_per.get(currency)
        if rate is None:
            del found["budget"]
            notices.append(t("money.ask_rmb", currency=name, amount=shown))
            return set()
        cny = max(Decimal(10), (amount * rate / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10)
        found["budget"] = str(int(cny))
        notices.append(t("money.converted", currency=name, amount=shown,
                         cny=format_number(cny, t.locale)))
        return {"budget"}

    def _talk(self, state: DialogState, written: str, folded: str, asks: bool,
              t: Translator) -> tuple[DialogState, Screen] | None:
        """A message with no answer in it: a buying signal, a question about the quote on
        the table, thanks or small talk — or None (read as before)."""
        under_quote = state.phase in QUOTE_PHASES and state.on_table > 0
        topic = intents.buying_signal(folded)
        if topic is not None:
            words = written[:300]  # as typed: passed to sales with the contact
            if under_quote and not state.sales:
                noted = replace(state, phase="note", note=f"close:{topic}", signal=words,
                                misses=0)
                return noted, self.show(noted)
            from dialogs import quote_talk

            notice = quote_talk.close_text(topic, self.company, t)
            kept = replace(state, signal=words, misses=0)
            return kept, self.show(kept, notice=notice)
        if under_quote and (asks or looks_like_question(folded) or "说个数" in folded):
            kind = intents.quote_question(folded)
            if kind is not None:
                noted = replace(state, phase="note", note=f"ask:{kind}", misses=0)
                return noted, self.show(noted)
        kind = intents.social(folded)
        if kind is not None:
            if under_quote:
                noted = replace(state, phase="note", note=f"social:{kind}", misses=0)
                return noted, self.show(noted)
            kept = replace(state, misses=0)
            return kept, self.show(kept, notice=t(f"social.{kind}"))
        return None

    def _missed(self, state: DialogState, t: Translator) -> tuple[DialogState, Screen]:
        """Not understood: say so once; a second miss in a row shrinks the screen to the
        step's buttons and 转人工; under the quote a short note, not the quote again."""
        missed = replace(state, misses=state.misses + 1)
        if state.phase in QUOTE_PHASES:
            noted = replace(missed, phase="note", note="unknown")
            return noted, self.show(noted)
        if missed.misses >= 2 and missed.phase == "ask":
            return missed, self.show(missed)
        return missed, self.show(missed, notice=t("dlg.not_understood",
                                                  hint=self._hint(state, t)))

    def _unsure(self, state: DialogState, step: Step,
                t: Translator) -> tuple[DialogState, Screen]:
        """不确定 / 你看着办: the step's stated default, marked 估算 (left open, so the quote
        lists it), and on to the next step."""
        if step.kind is Kind.OPTIONAL_NUMBER or step.field in ("orders", "response"):
            if step.kind is Kind.OPTIONAL_NUMBER:
                return self._advance(state, step, {step.field: None},
                                     notice=t("dlg.unsure_skipped"))
            # The facts a price needs have no default: ask with the buttons only.
            return replace(state, misses=0), self.show(state, notice=t("dlg.unsure_needed"))
        value = self.default(step.field, self.effective_answers(state))
        shown = _e(self._value_text(step, value, t))
        notice = t("dlg.unsure_default", field=t(f"field.{step.field}"), value=shown)
        moved, screen = self._advance(replace(state, misses=0), step, {step.field: value},
                                      notice=notice)
        moved = replace(moved, estimated=(*moved.estimated, step.field))
        return moved, self.show(moved, notice=notice, effects=screen.effects)

    # --- the close: a contact for the sales desk ----------------------------------------

    def _typed_contact(self, state: DialogState, text: str,
                       t: Translator) -> tuple[DialogState, Screen]:
        """At 留下联系方式: a phone number, WeChat id or @username typed — checked; anything
        else is read as usual (a question, a correction), after saying what we need."""
        found = intents.parse_contact(normalize(text))
        if found is None:
            return state, self.show(state, notice=t("contact.invalid"))
        kind, value = found
        return self._lead(state, kind, value, t)

    def _shared_contact(self, state: DialogState, event: Contact
                        ) -> tuple[DialogState, Screen]:
        """Telegram's "share my number": only the sender's own, only once a quote exists."""
        t = translator(state.locale)
        if state.on_table == 0:
            return state, self.show(state, notice=t("contact.no_quote"))
        if not event.own:
            return state, self.show(state, notice=t("contact.not_own"))
        if not intents.is_phone(event.phone):
            return state, self.show(state, notice=t("contact.invalid"))
        phone = event.phone.strip()
        return self._lead(state, "phone", phone if phone.startswith("+") else f"+{phone}", t)

    def _lead(self, state: DialogState, kind: str, value: str,
              t: Translator) -> tuple[DialogState, Screen]:
        """A contact given: kept with the merchant's words for the "lead" effect (recorded
        with the quote version on the table, sales notified once per version)."""
        lead = {"kind": kind, "value": value, "words": state.signal}
        done = replace(state, phase="note", note=f"done:{value}", lead=lead, misses=0)
        return done, self.show(done, effects=("lead",))

    def _where(self, state: DialogState) -> str:
        """The step the merchant is answering, or SUMMARY / QUOTE (对比 is the quote's)."""
        if state.phase == "ask":
            return state.step
        return "QUOTE" if state.phase in QUOTE_PHASES else state.phase.upper()

    def _take(self, state: DialogState, found: Mapping[str, Any], *,
              notices: list[str], took_back: Mapping[str, Any] | None = None,
              ) -> tuple[DialogState, Screen]:
        """Apply answers read from text (or confirmed): say what was understood or changed,
        then go where the merchant would expect — the next open step, back to the summary,
        or, after a quote, a new version of it."""
        t = translator(state.locale)
        # An answer that replaces another is always said as a change (已更正：a → b), whether
        # or not the merchant said 不对: nothing given earlier changes silently.
        changed = {name: value for name, value in found.items()
                   if name in state.answers and state.answers[name] != value}
        before = dict(state.answers)
        for name, value in (took_back or {}).items():
            if name in found and name not in changed and found[name] != value:
                before[name] = value
                changed[name] = found[name]
        if changed:
            notices.append(self._describe_changes(before, changed, t))
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
        state = replace(state, estimated=tuple(name for name in state.estimated
                                               if name not in found))
        if state.phase == "ask":
            moved = self._next(replace(state, answers=answers))
            return moved, self.show(moved, notice=notice)
        if state.phase in QUOTE_PHASES:
            # A correction after the quote (or at 对比, 明细…) is a new version of it.
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
        estimated = tuple(name for name in state.estimated if name not in answers)
        updated = replace(state, answers=merged, draft=(), history=history, estimated=estimated)
        if state.requote:  # an answer changed from under the quote: its next version at once
            requoted = self._confirm(updated, merged)
            return requoted, self.show(requoted, notice=notice, effects=("save_quote",))
        if state.editing:
            summary = replace(updated, phase="summary", editing=False)
            return summary, self.show(summary, notice=notice)
        moved = self._next(updated)
        return moved, self.show(moved, notice=notice)
