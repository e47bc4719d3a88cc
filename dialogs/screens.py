"""The dialogue's screens: for a state, which answers it has and which step comes next, and
the words (from the catalogs, values escaped) and buttons the merchant sees — questions,
the summary, the quote with its 估算 list and what-if buttons, 对比, the resume offer. The
transitions are in dialogs/engine.py, whose Engine builds on this class."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from dialogs import answers as answers_module
from dialogs import quote_talk, whatif
from dialogs.answers import ASSUMABLE, COMPARED
from dialogs.company import Company
from dialogs.firm import apply_firm, firm_fits, parse_firm
from dialogs.state import Button, DialogState, Screen
from dialogs.steps import (
    CUSTOMER_STEPS,
    STEP_BY_FIELD,
    STEP_BY_ID,
    STEPS,
    Kind,
    Step,
)
from locales.formatting import format_change, format_money_range, format_number
from locales.i18n import Translator, translator
from pricing import Billing, Inquiry, Quote, Range, Rates, Scope, quote, round_money
from pricing.model import SCOPE_ORDER

# A quote on a phone (issue 19): its buttons never exceed this, whatever is added under it.
QUOTE_BUTTONS_AT_MOST = 8


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)


class Screens:
    """Screens of a state; the Engine (dialogs/engine.py) is one of these."""

    rates: Rates
    company: Company
    _priced: dict[str, Quote]

    # --- the answers a state has, and where it goes next -------------------------------

    def _steps(self, state: DialogState) -> tuple[Step, ...]:
        """The steps of this kind of dialogue (a salesperson's has two more)."""
        return STEPS if state.sales else CUSTOMER_STEPS

    def _implied(self, step: Step, answers: Mapping[str, Any]) -> Any:
        return answers_module.implied(step, answers, self.rates)

    def effective_answers(self, state: DialogState) -> dict[str, Any]:
        """Answers given, plus those implied by them."""
        return self._effective(state.answers)

    def _effective(self, given: Mapping[str, Any]) -> dict[str, Any]:
        return answers_module.effective(given, self.rates)

    @staticmethod
    def default(name: str, answers: Mapping[str, Any]) -> Any:
        """What an open answer is priced as (dialogs/answers.py)."""
        return answers_module.default(name, answers)

    def quick_ready(self, state: DialogState) -> bool:
        """Are the facts a first price needs known (orders, kinds or categories, response)?"""
        return answers_module.quick_ready(state.answers)

    def assumed(self, state: DialogState) -> list[str]:
        """The open answers a quote prices at their default (shown as 估算), in step order."""
        answers = self.effective_answers(state)
        return [step.field for step in self._steps(state)
                if (step.field in ASSUMABLE and step.field not in answers)
                or step.field in state.estimated]

    def inquiry(self, state: DialogState) -> Inquiry:
        """The answers as a pricing inquiry (defaults for what was not asked)."""
        return self.inquiry_of(state.answers)

    def inquiry_of(self, given: Mapping[str, Any]) -> Inquiry:
        """Answers (given ones; implied and default ones are added) as a pricing inquiry."""
        return answers_module.inquiry_of(given, self.rates)

    def _next(self, state: DialogState) -> DialogState:
        """The first step still to ask (in order, skipping implied ones), else the summary."""
        for step in self._steps(state):
            if step.field in state.answers or self._implied(step, state.answers) is not None:
                continue
            if not step.asked:  # a stated default, offered on the summary and the quote
                continue
            staying = state.phase == "ask" and step.id == state.step
            return replace(state, phase="ask", step=step.id,
                           draft=state.draft if staying else ())
        return replace(state, phase="summary")

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
        elif state.phase in ("quote", "whatif"):
            screen = self._quote_screen(state, t)
        elif state.phase == "detail":
            screen = self._detail_screen(state, t)
        elif state.phase == "note":
            screen = self._note_screen(state, t)
        elif state.phase == "contact":
            screen = self._contact_screen(state, t)
        elif state.phase == "compare":
            screen = self._compare_screen(state, t)
        elif state.misses >= 2:
            screen = self._shrunk_screen(state, t)
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
        if state.phase == "whatif":
            return self._whatif_layout(state)
        if state.phase == "detail":
            edits = [f"e:{name}" for name in self.assumed(state)]
            return (*(tuple(edits[i:i + 3]) for i in range(0, len(edits), 3)),
                    ("adj", "nav:restart"), ("q:back", "nav:human"))
        if state.phase == "note":
            closing = () if state.sales else (("close:yes", "close:contact"),)
            return (*closing, ("q:back", "nav:human"))
        if state.phase == "contact":
            return (("q:back",),)
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
        if state.misses >= 2:  # two misses in a row: the step's buttons and 转人工 (and,
            return (*rows, ("nav:restart", "nav:human"))  # as everywhere, 重新开始)
        if self._offers_quick_quote(state):
            rows.append(("qq",))
        rows.append(nav if state.history or state.editing else nav[1:])
        return tuple(rows)

    def _offers_quick_quote(self, state: DialogState) -> bool:
        return state.phase == "ask" and not state.editing and self.quick_ready(state)

    def _quote_layout(self, state: DialogState) -> tuple[tuple[str, ...], ...]:
        """The short quote's buttons (at most 8): the next step of the sale (✅ 我要这个方案,
        or 🔗 分享 for a salesperson), 📄 明细, 🔀 the what-if flips, 🖼 卡片, 对比 and 细化报价
        when they apply, 💰 按预算调整 when the budget advice changes something, 转人工."""
        first: tuple[str, ...] = ("share", "e:firm") if state.sales else ("close:yes",)
        if not state.sales and self._budget_changes(state):
            first = (*first, "budget")
        extra = (("cmp",) if len(state.versions) > 1 else ()) + (
            ("more",) if self._next(replace(state, phase="ask")).phase == "ask" else ())
        return (first, ("detail", "flips"), ("card", *extra), ("nav:human",))

    def _whatif_layout(self, state: DialogState) -> tuple[tuple[str, ...], ...]:
        """🔀: the what-if flips (one row per topic), 对比 once there are two versions, and
        the way back to the short quote."""
        flips: dict[str, list[str]] = {}
        for name, value in whatif.flips(self.priced(state.answers)):
            flips.setdefault(name, []).append(f"w:{name}:{value}")
        rows: list[tuple[str, ...]] = [tuple(flips["response"]),
                                       (*flips["ai"], *flips["tooling"]),
                                       tuple(flips["billing"]), tuple(flips["scope"])]
        last = (("cmp",) if len(state.versions) > 1 else ()) + ("q:back",)
        return (*rows, last)

    def _budget_changes(self, state: DialogState) -> dict[str, Any]:
        """The answers 按预算调整 would change: the budget advice's changes that the
        merchant did not state otherwise (never what they excluded)."""
        fit = self.priced(state.answers).budget_fit
        if fit is None or fit.status != "fits_with_changes":
            return {}
        return whatif.budget_answers(fit.changes, state.answers, state.asked)

    def priced(self, answers: Mapping[str, Any]) -> Quote:
        """The quote of a set of answers; the last few are remembered (a screen and its
        buttons price the same answers two or three times)."""
        key = repr(sorted(answers.items()))
        found = self._priced.get(key)
        if found is None:
            found = quote(self.inquiry_of(answers), self.rates)
            firm = parse_firm(str(answers.get("firm") or ""))
            if firm is not None and not firm_fits(found, firm):
                found = apply_firm(found, firm)
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
        "more": "btn.more", "cmp": "btn.compare", "detail": "btn.detail",
        "flips": "btn.flips", "card": "btn.card", "q:back": "btn.back_quote",
        "close:yes": "btn.close_yes", "close:contact": "btn.close_contact",
        "budget": "btn.budget"}

    def _label(self, button: str, state: DialogState, t: Translator) -> str:
        if button in self._FIXED_LABELS:
            return t(self._FIXED_LABELS[button])
        kind, _, value = button.partition(":")
        if button == "e:firm":
            return t("btn.firm")
        if kind == "e":
            key = "btn.edit_assumed" if state.phase == "detail" else "btn.edit"
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
                if step.field in state.answers
                or (step.asked and self._implied(step, state.answers) is None)]

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
        """Steps with an answer (given or implied), and the stated defaults not asked."""
        answers = self.effective_answers(state)
        return [step for step in self._steps(state)
                if step.field in answers or not step.asked]

    def _summary_lines(self, state: DialogState, t: Translator) -> list[tuple[Step, str]]:
        """(step, "3. 商品类目数：12 类") for every answer given or implied."""
        answers = self.effective_answers(state)
        lines = []
        steps = self._steps(state)
        for step in self._answered_steps(state):
            if answers.get(step.field) == "":  # a step skipped unless set (the firm price)
                continue
            number = steps.index(step) + 1
            if step.field not in answers:  # a stated default (HOURS): said, and changeable
                value = t("dlg.stated_default", value=_e(self._value_text(
                    step, self.default(step.field, answers), t)))
                lines.append((step, t("dlg.summary_line", number=number,
                                      field=t(f"field.{step.field}"), value=value)))
                continue
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
        """The short quote: the front-end renders the quote's own lines (headline, coverage,
        what is included, one recommendation) over these: what changed since the version
        before ("比刚才 +1,200–2,000 元/月") and how many answers are 估算."""
        result = self.priced(state.answers)
        parts = []
        if len(state.versions) > 1 and state.versions[-1] == state.answers:
            parts.append(self._delta_line(self.priced(state.versions[-2]), result, t))
        assumed = self.assumed(state)
        if assumed:
            parts.append(t("quick.assumed_short", n=len(assumed)))
        if state.phase == "whatif":
            parts.append(t("whatif.hint"))
        return Screen("quote", "\n".join(parts), self._buttons(state, t), quote=result)

    def _detail_screen(self, state: DialogState, t: Translator) -> Screen:
        """📄 明细: the front-end renders the whole breakdown over the 估算 list, each with
        its ✏️ button."""
        result = self.priced(state.answers)
        parts = []
        assumed = self.assumed(state)
        if assumed:
            answers = self.effective_answers(state)
            lines = [t("quick.assumed_line", field=t(f"field.{name}"), value=_e(
                self._value_text(STEP_BY_FIELD[name],
                                 answers.get(name, self.default(name, answers)), t)))
                for name in assumed]
            parts.append("\n".join([f"<b>{t('quick.assumed_title')}</b>", *lines]))
        parts.append(t("dlg.quote_ready"))
        return Screen("detail", "\n\n".join(parts), self._buttons(state, t), quote=result)

    def _note_screen(self, state: DialogState, t: Translator) -> Screen:
        """A short answer under the quote, without the quote again: its own figures
        ("ask:<kind>"), the next step of a sale ("close:<topic>"), a friendly word
        ("social:<kind>"), the article ("kb:<question>") or "没看懂"."""
        kind, _, detail = state.note.partition(":")
        if kind == "ask":
            text = quote_talk.answer(detail, self.priced(state.answers), t)
        elif kind == "close":
            text = quote_talk.close_text(detail, self.company, t)
        elif kind == "social":
            text = t(f"social.{detail}")
        elif kind == "kb":
            text = self._answer_question(detail, t.locale)
        elif kind == "done":
            text = t("contact.saved", contact=_e(detail))
        else:
            text = t("note.not_understood")
        return Screen("note", text, self._buttons(state, t))

    def _contact_screen(self, state: DialogState, t: Translator) -> Screen:
        """✅ / 📞: a phone number or WeChat id for the sales desk (Telegram adds its
        "share my number" button)."""
        name = _e(self.company.name.of(t.locale) or t("card.company"))
        return Screen("contact", t("contact.ask", company=name), self._buttons(state, t))

    def _shrunk_screen(self, state: DialogState, t: Translator) -> Screen:
        """After two misses in a row: the question alone with its buttons and 转人工, not
        the same long block again."""
        step = STEP_BY_ID[state.step]
        text = "\n".join([t("dlg.still_not_understood"), f"<b>{t(f'ask.{step.field}')}</b>"])
        return Screen("question", text, self._buttons(state, t), step=step.id)

    def _answer_question(self, question: str, locale: str) -> str:
        raise NotImplementedError  # the Engine answers from its knowledge file

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
        stated = state.asked or state.versions[0]
        budget = Decimal(str(stated["budget"])) if stated.get("budget") else None
        best = whatif.cheapest_stated(quotes, stated, budget)
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
        needs = self._needs(stated, budget, t)
        lines.append("")
        if best is None:
            lines.append(t("compare.none_meets", needs=needs))
        elif needs:
            lines.append(t("compare.best", n=best + 1, needs=needs))
        else:
            lines.append(t("compare.best_any", n=best + 1))
        return Screen("compare", "\n".join(lines), self._buttons(state, t))

    def _needs(self, stated: Mapping[str, Any], budget: Decimal | None, t: Translator) -> str:
        """What the merchant stated, as 对比 checks it ("快速响应或更快、预算 3,000 元以内")."""
        parts = []
        response = stated.get("response")
        if isinstance(response, str):
            parts.append(t("compare.need_response", response=t(f"response.{response}")))
        scope = stated.get("scope")
        if isinstance(scope, str) and scope != "auto":
            parts.append(t("compare.need_scope", scope=t(f"scope.{scope}")))
        for name in ("tooling", "ai", "billing"):
            given = stated.get(name)
            if isinstance(given, str) and given not in ("auto", "compare"):
                parts.append(t("dlg.understood_item", field=t(f"field.{name}"),
                               value=t(f"opt.{name}.{given}")))
        if budget is not None:
            parts.append(t("compare.need_budget", budget=format_money_range(
                Range(budget, budget), t)))
        return t("list_separator").join(parts)

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
        # A number read from a vague word is "约 800"; a choice read with doubt is itself.
        lines = [t("dlg.confirm_value" if STEP_BY_FIELD[name].kind in (
                       Kind.NUMBER, Kind.OPTIONAL_NUMBER) else "dlg.confirm_choice",
                   field=t(f"field.{name}"),
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
