"""Quotes as a service: save a confirmed quote (the next version of its parent when
adjusted), share it, the prospect's view of a link (accept, adjust, contact), approvals,
hand-offs, and the staff commands. Every method takes plain values and returns the
actions to deliver (bot/services/replies.py); nothing here knows Telegram or the web.

A quote is an immutable snapshot: adjusting makes a new version linked to the old one; an
accepted quote is locked. Links carry a secret token (bot/storage/store.py), never an id. The flows
are drawn in bot/services/quotes.mmd.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from bot.render import render_quote_html, render_quote_short
from bot.services.links import LinkSettings, parse_quote_id, quote_header
from bot.services.replies import (
    REMOVE_KEYBOARD,
    Action,
    Card,
    Document,
    Keyboard,
    Notice,
    Reply,
    Show,
    Toast,
)
from bot.services.staff import Staff, translator_for
from bot.storage.export import export_csv
from bot.storage.store import ClosedQuote, QuoteRecord, Store
from bot.storage.views import stats
from dialogs import intents, quote_talk
from dialogs.engine import Engine
from dialogs.state import DialogState
from dialogs.text import as_written, fold
from locales.i18n import Translator, translator
from pricing import Quote

# A view counts once per viewer (a Telegram user, a web client's address) per hour:
# `/start q_…` five times, or a page reloaded, is one view.
VIEW_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Person:
    """Who is asking, as staff will be told about them."""

    channel: str
    user_id: str
    handle: str
    full_name: str = ""


@dataclass
class QuoteDesk:
    store: Store
    engine: Engine
    staff: Staff
    links: LinkSettings
    discount_limit: int = 10
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    # --- saving and hand-off (the effects of a dialogue screen) -------------------------

    def save(self, person: Person, state: DialogState, quote: Quote
             ) -> tuple[int | None, list[Action]]:
        """Store the confirmed quote: a salesperson's with prospect and owner, an adjusted
        one as the next version of its parent (owned by the parent's salesperson, who is
        told, with a live link to the new version). None and a message instead when the
        family can no longer change: a version was accepted, or the link adjusted from
        was revoked or expired meanwhile (checked again as the version is written)."""
        store = self.store
        owner: str | None = person.user_id if state.sales else None
        parent = store.record(state.parent_quote) if state.parent_quote else None
        if parent is not None:
            owner = parent.sales_owner
        prospect = state.answers.get("prospect") or (parent.prospect if parent else None)
        # Someone else's quote adjusted (its author: the salesperson who owns it, else who
        # made it): that came through a link, whose life is checked. The author revising
        # their own (the Mini App) is not; after an acceptance locked the family, their
        # new quote starts a family of its own.
        via_link = (parent is not None
                    and person.user_id != (parent.sales_owner or parent.user_id))
        save = partial(store.save_quote, channel=person.channel, user_id=person.user_id,
                       dialog_id=state.dialog_id, confirmation=state.confirmed, quote=quote,
                       locale=state.locale, answers=dict(state.answers), prospect=prospect,
                       sales_owner=owner, check_link=via_link)
        try:
            quote_id = save(parent_id=parent.id if parent else None,
                            revises=state.revises or None)
        except ClosedQuote as closed:
            if via_link or closed.reason != "accepted":
                t = translator(state.locale)
                return None, [Reply(t(f"link.closed_{closed.reason}", version=closed.version))]
            quote_id, parent = save(parent_id=None, revises=None), None
        actions: list[Action] = []
        if parent is not None and owner:
            token = store.share(quote_id, days=self.links.days)
            record = store.record(quote_id)
            assert record is not None
            actions.append(self._notice(owner, "notify.new_version", id=quote_id,
                                        parent=parent.id, version=record.version,
                                        prospect=html.escape(record.prospect or "-"),
                                        link=self.links.telegram(token)))
        return quote_id, actions

    def handoff(self, person: Person, state: DialogState | None) -> tuple[int, list[Action]]:
        """Record a request for a person, and forward to every salesperson (in their
        language) the answers so far in words, the price of the quote on the table and the
        question or words that led here."""
        answers = dict(state.answers) if state else {}
        record = self._record_on_table(state) if state and state.on_table else None
        question = (state.question or state.signal) if state else ""
        handoff_id = self.store.record_handoff(channel=person.channel, user_id=person.user_id,
                                               handle=person.handle, answers=answers,
                                               quote_id=record.id if record else None,
                                               question=question)
        summary = self.engine.summary_text(state) if state else ""
        actions: list[Action] = []
        for sales_id in self.staff.sales_ids:
            t = translator_for(self.store, sales_id)
            text = t("tg.handoff_to_sales", handle=html.escape(person.handle),
                     user_id=person.user_id, name=html.escape(person.full_name),
                     summary=summary or t("tg.handoff_no_answers"))
            context = handoff_context(record, question, t)
            actions.append(Notice(sales_id, f"{text}\n{context}" if context else text))
        if self.staff.sales_ids and state is not None:  # someone was told: by when
            actions.append(Reply(self.reply_by_text(translator(state.locale))))
        return handoff_id, actions

    # --- the close: a contact for sales ------------------------------------------------

    def lead(self, person: Person, state: DialogState) -> tuple[int | None, bool, list[Action]]:
        """A contact the merchant left under the quote on the table: recorded with that
        quote version; every salesperson told once per version (the quote, its price, the
        merchant's words, the contact); the merchant told who replies and by when.
        Returns (lead id, first for this version, actions)."""
        t = translator(state.locale)
        record = self._record_on_table(state)
        lead = dict(state.lead)
        if record is None or not lead.get("value"):
            return None, False, [Reply(t("contact.no_quote"), REMOVE_KEYBOARD)]
        contact, words = str(lead["value"]), str(lead.get("words") or "")
        lead_id, first = self.store.record_lead(
            quote_id=record.id, channel=person.channel, user_id=person.user_id,
            handle=person.handle, kind=str(lead.get("kind") or ""), contact=contact,
            words=words)
        # Who replies and by when — promised only when someone was told.
        actions: list[Action] = [Reply(self.reply_by_text(t) if self.staff.sales_ids
                                       else t("lead.recorded"), REMOVE_KEYBOARD)]
        if not first:
            actions.insert(0, Reply(t("lead.already")))
            return lead_id, False, actions
        for sales_id in self.staff.sales_ids:
            st = translator_for(self.store, sales_id)
            actions.append(Notice(sales_id, st(
                "lead.to_sales", handle=html.escape(person.handle),
                name=html.escape(person.full_name or "-"), contact=html.escape(contact),
                ref=record.reference, version=record.version,
                price=quote_talk.headline(record.quote(), st),
                words=html.escape(words or st("lead.no_words")),
                summary=self.engine.summary_text(state)), best_effort=True))
        return lead_id, True, actions

    def reply_by_text(self, t: Translator) -> str:
        """"销售同事会在 30 分钟内（工作时间 …）联系您" — or, out of hours, by when."""
        company = self.engine.company
        now = self.clock()
        when = company.reply_by(now)
        name = html.escape(company.name.of(t.locale) or t("card.company"))
        hours = quote_talk.hours(company, t)
        if company.is_open(now):
            return t("lead.reply_open", company=name, minutes=company.reply_minutes,
                     hours=hours)
        return t("lead.reply_closed", company=name, when=f"{when:%Y-%m-%d %H:%M}",
                 hours=hours)

    def _record_on_table(self, state: DialogState) -> QuoteRecord | None:
        confirmation = state.on_table or state.confirmed
        quote_id = self.store.quote_id_for(state.dialog_id, confirmation)
        return self.store.record(quote_id) if quote_id else None

    def card_of(self, state: DialogState) -> list[Action]:
        """🖼 卡片: the card of the quote on the table."""
        record = self._record_on_table(state)
        return [Card(record.id, state.locale)] if record is not None else []

    # --- sharing ------------------------------------------------------------------------

    def _confirmed_record(self, state: DialogState) -> QuoteRecord | None:
        quote_id = self.store.quote_id_for(state.dialog_id, state.confirmed)
        return self.store.record(quote_id) if quote_id else None

    def share(self, person: Person, state: DialogState, t: Translator) -> list[Action]:
        """生成分享链接: the links, or a request for an admin's approval of the discount."""
        record = self._confirmed_record(state)
        if record is None:
            return [Reply(t("staff.confirm_first"))]
        discount = int(state.answers.get("discount") or 0)
        estimated = self.estimated_note(state, t)
        if discount <= self.discount_limit or record.status == "approved":
            # The links, and the card to forward with them.
            return [*estimated, Reply(self.links_text(record.id, t)),
                    Card(record.id, state.locale)]
        self.store.set_status(record.id, "pending_approval")
        actions: list[Action] = []
        for admin in self.staff.admin_ids:
            at = translator_for(self.store, admin)
            keyboard: Keyboard = (((at("btn.approve"), f"ap:{record.id}:y"),
                                   (at("btn.reject"), f"ap:{record.id}:n")),)
            actions.append(Notice(admin, at(
                "approval.request", id=record.id, discount=discount, limit=self.discount_limit,
                owner=html.escape(person.handle),
                prospect=html.escape(record.prospect or "-")), keyboard))
        actions.append(Reply(t("approval.waiting", id=record.id, limit=self.discount_limit)))
        return [*estimated, *actions]

    def estimated_note(self, state: DialogState, t: Translator) -> list[Action]:
        """Sharing a quote built on 估算 answers: the salesperson is told which, before the
        prospect sees a price that rests on them."""
        assumed = self.engine.assumed(state)
        if not assumed:
            return []
        fields = t("list_separator").join(t(f"field.{name}") for name in assumed)
        return [Reply(t("share.estimated", n=len(assumed), fields=fields))]

    def approval_requested(self, state: DialogState) -> bool:
        """True when this quote version already went to the admins (waiting, or refused):
        its share button has expired, so admins get one request per version."""
        record = self._confirmed_record(state)
        return record is not None and record.status in ("pending_approval", "rejected")

    def links_text(self, quote_id: int, t: Translator) -> str:
        token = self.store.share(quote_id, days=self.links.days)
        return t("link.made", id=quote_id, days=self.links.days,
                 telegram=self.links.telegram(token),
                 web=self.links.web(token) or t("link.no_web"))

    # --- the prospect's side ------------------------------------------------------------

    def open_link(self, person: Person, token: str, t: Translator) -> list[Action]:
        """/start q_<token>: the quote card, then the quote with accept / adjust / contact."""
        record, state = self.store.link(token)
        if record is None or state != "ok":
            return [Reply(t(f"link.{state}"), renew_keyboard(token, t)
                          if state == "expired" else None)]
        actions: list[Action] = []
        if self._insider(person, record):  # a preview: not the prospect's first open
            actions.append(Reply(t("link.staff_preview")))
        elif self.store.record_view(record.id, channel=person.channel, agent=person.channel,
                                    client=person.user_id, window=VIEW_WINDOW):
            actions += opened_notices(self.store, record, who=person.handle)
        actions.append(Card(record.id, t.locale))  # the prospect forwards it
        actions.append(self.quote_reply(record, t))
        return actions

    def _insider(self, person: Person, record: QuoteRecord) -> bool:
        """The quote's owner or any staff member: checking a link before sending it."""
        if person.user_id == record.sales_owner:
            return True
        return person.user_id.isdigit() and self.staff.is_staff(int(person.user_id))

    def quote_reply(self, record: QuoteRecord, t: Translator, *, detail: bool = False) -> Reply:
        """The prospect's view: the short quote under its header (📄 明细: the breakdown)."""
        body = (render_quote_html(record.quote(), t.locale) if detail
                else render_quote_short(record.quote(), t.locale))
        text = f"{quote_header(record, t)}\n\n{body}"
        if record.locked:
            text += "\n\n" + t("link.accepted_note", date=(record.accepted_at or "")[:10])
        return Reply(text, self._link_keyboard(record, t, detail=not detail))

    @staticmethod
    def _link_keyboard(record: QuoteRecord, t: Translator, *, detail: bool = True) -> Keyboard:
        token = record.token or ""
        more: Keyboard = (((t("btn.detail"), f"lk:det:{token}"),),) if detail else ()
        if record.locked:
            return (((t("btn.contact_sales"), f"lk:ask:{token}"),), *more)
        return (((t("btn.accept"), f"lk:acc:{token}"),),
                ((t("btn.adjust"), f"lk:adj:{token}"),
                 (t("btn.contact_sales"), f"lk:ask:{token}")), *more)

    def prospect_said(self, person: Person, token: str, text: str,
                      t: Translator) -> list[Action]:
        """A prospect types under a shared quote: answered from that quote (its figures,
        the article, or the next step), the words forwarded to the link's owner, and the
        prospect stays on the quote (its buttons again) rather than starting a dialogue."""
        record, link_state = self.store.link(token)
        if record is None or link_state != "ok":
            return [Reply(t(f"link.{link_state}"))]
        folded = fold(text)
        kind = intents.quote_question(folded)
        if intents.buying_signal(folded) is not None:
            answer = t("link.prospect_buy")
        elif kind is not None:
            answer = quote_talk.answer(kind, record.quote(), t)
        else:
            found = self.engine.knowledge.answer(folded, t.locale)
            answer = f"💡 {html.escape(found.text)}" if found.section else ""
        owner = record.sales_owner
        forwarded = t("link.prospect_forwarded") if owner else ""
        reply = "\n\n".join(part for part in (answer, forwarded) if part) or \
            t("link.prospect_unknown")
        actions: list[Action] = [Reply(reply, self._link_keyboard(record, t))]
        if owner:
            ot = translator_for(self.store, owner)
            actions.append(self._notice(
                owner, "notify.prospect_said", id=record.id, ref=record.reference,
                version=record.version, prospect=html.escape(record.prospect or "-"),
                who=html.escape(person.handle), words=html.escape(as_written(text)[:500]),
                price=quote_talk.headline(record.quote(), ot)))
        return actions

    def link_button(self, person: Person, data: str, t: Translator) -> list[Action]:
        """lk:acc / lk:ask / lk:adj / lk:det :<token>, pressed under a quote opened from a
        link."""
        action, _, token = data.removeprefix("lk:").partition(":")
        if action not in ("acc", "ask", "adj", "det") or not token:  # forged or cut short
            return [Toast(t("dlg.stale"))]
        record, state = self.store.link(token)
        if record is None or state != "ok":
            return [Toast(t(f"link.{state}"))]
        if action == "det":  # 📄 明细: the whole breakdown, with the same buttons
            return [Toast(), self.quote_reply(record, t, detail=True)]
        owner = record.sales_owner
        who = html.escape(person.handle)
        prospect = html.escape(record.prospect or "-")
        if action == "acc":
            if not self.store.accept(record.id):
                accepted = self.store.accepted_version(record.id)
                if accepted is not None and accepted.id != record.id:
                    return [Toast(t("link.other_version_accepted", version=accepted.version))]
                return [Toast(t("link.already_accepted"))]
            actions: list[Action] = [Toast(), Reply(t("link.accepted"))]
            if owner:
                actions.append(self._notice(owner, "notify.accepted", id=record.id, who=who,
                                            prospect=prospect))
            return actions
        if action == "ask":
            actions = [Toast(), Reply(t("link.sales_notified"))]
            if owner:
                actions.append(self._notice(owner, "notify.contact", id=record.id, who=who,
                                            prospect=prospect, user_id=person.user_id))
            return actions
        if record.locked or self.store.accepted_version(record.id) is not None:  # adj
            return [Toast(t("link.locked"))]
        state_, screen = self.engine.start(t.locale, dialog_id=uuid.uuid4().hex,
                                           answers=record.answers(), parent_quote=record.id)
        return [Toast(), Show(state_, screen)]

    # --- approvals ----------------------------------------------------------------------

    def approval_button(self, user_id: int, data: str, t: Translator) -> list[Action]:
        """ap:<quote id>:y|n, pressed by an admin under an approval request."""
        if not self.staff.is_admin(user_id):
            return [Toast(t("staff.refused"))]
        number, _, verdict = data.removeprefix("ap:").partition(":")
        quote_id = parse_quote_id(number)
        record = self.store.record(quote_id) if quote_id is not None else None
        if record is None or record.status != "pending_approval" or verdict not in ("y", "n"):
            return [Toast(t("dlg.stale"))]
        owner = record.sales_owner
        if verdict == "y":
            self.store.set_status(record.id, "approved")
            actions: list[Action] = [Toast(), Reply(t("approval.done", id=record.id))]
            if owner:
                ot = translator_for(self.store, owner)
                actions.append(Notice(int(owner), ot("approval.approved", id=record.id)
                                      + "\n\n" + self.links_text(record.id, ot)))
            return actions
        self.store.set_status(record.id, "rejected")
        actions = [Toast(), Reply(t("approval.rejected_done", id=record.id))]
        if owner:
            actions.append(self._notice(owner, "approval.rejected", id=record.id))
        return actions

    # --- staff commands -----------------------------------------------------------------

    def staff_command(self, name: str, person: Person, user_id: int, argument: str,
                      t: Translator) -> list[Action]:
        if not self.staff.may(user_id, name):
            return [Reply(t("staff.refused"))]
        if name == "newquote":
            self.store.touch_user(person.channel, person.user_id, handle=person.handle)
            state, screen = self.engine.start(t.locale, dialog_id=uuid.uuid4().hex, sales=True)
            return [Show(state, screen)]
        if name == "revoke":
            return [self._revoke(user_id, argument, t)]
        if name == "export":
            stamp = datetime.now().strftime("%Y%m%d-%H%M")
            return [Document(f"kameng-quotes-{stamp}.csv", export_csv(self.store),
                             t("staff.export_caption", count=self.store.count_quotes()))]
        figures = stats(self.store, days=7)  # "stats"
        lines = [f"<b>{t('stats.title')}</b>"]
        lines += [t("stats.day", day=day, count=count) for day, count in figures.per_day]
        lines.append(t("stats.totals", quotes=figures.quotes, shared=figures.shared,
                       opened=figures.opened, accepted=figures.accepted,
                       conversion=figures.conversion))
        return [Reply("\n".join(lines))]

    def _revoke(self, user_id: int, argument: str, t: Translator) -> Reply:
        quote_id = parse_quote_id(argument.strip().lstrip("#"))
        record = self.store.record(quote_id) if quote_id is not None else None
        if record is None:
            return Reply(t("staff.no_such_quote", value=html.escape(argument[:20])))
        if not self.staff.is_admin(user_id) and record.sales_owner != str(user_id):
            return Reply(t("staff.not_yours", id=record.id))
        revoked = self.store.revoke(record.id)
        return Reply(t("staff.revoked" if revoked else "staff.nothing_to_revoke", id=record.id))

    def _notice(self, recipient: str | int, key: str, /, **params: object) -> Notice:
        """A salesperson's notification, in their language; best effort."""
        t = translator_for(self.store, recipient)
        return Notice(int(recipient), t(key, **params), best_effort=True)


def handoff_context(record: QuoteRecord | None, question: str, t: Translator) -> str:
    """"报价 Q-… · 第 2 版：💰 按月固定：…" and "客户的问题：「…」" for a hand-off."""
    lines = []
    if record is not None:
        lines.append(t("handoff.quote", ref=record.reference, version=record.version,
                       price=quote_talk.headline(record.quote(), t)))
    if question:
        lines.append(t("handoff.question", question=html.escape(question)))
    return "\n".join(lines)


def renew_keyboard(token: str, t: Translator) -> Keyboard:
    """请求新报价 under an expired link's message (bot/services/renewals.py answers it)."""
    return (((t("btn.renew"), f"rq:{token}"),),)


def opened_notices(store: Store, record: QuoteRecord, *, who: str | None = None,
                   web: bool = False) -> list[Notice]:
    """The salesperson's "your quote was opened" (first view only, decided by the caller),
    from Telegram (`who` is the prospect's handle) or the web page (nobody known)."""
    if not record.sales_owner:
        return []
    t = translator_for(store, record.sales_owner)
    return [Notice(int(record.sales_owner), t(
        "notify.opened", id=record.id, prospect=html.escape(record.prospect or "-"),
        who=html.escape(who) if who is not None else t("page.someone"),
        where=t("page.web") if web else "Telegram"), best_effort=True)]
