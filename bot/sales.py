"""The sales side of the Telegram conversation: quotes for prospects, share links, the
prospect's view of a link (accept, adjust, contact), approvals, and staff commands.

A quote is an immutable snapshot: adjusting makes a new version linked to the old one; an
accepted quote is locked. Links carry a secret token (bot/store.py), never an id.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from bot.conversation import Keyboard, handle_of
from bot.render import render_quote_html
from bot.storage.export import export_csv
from bot.storage.store import QuoteRecord
from bot.storage.views import stats
from dialogs.engine import DialogState
from locales.i18n import Translator, resolve_locale, translator
from pricing import Quote

if TYPE_CHECKING:
    from bot.conversation import Conversation, Incoming, _Out

CHANNEL = "telegram"


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start=q_{token}"


def web_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/q/{token}" if public_url else ""


MAX_QUOTE_ID = 10**12  # far beyond any real count, far below SQLite's 64-bit integers


def parse_quote_id(text: str) -> int | None:
    """"12" → 12; anything else (empty, signs, non-ASCII digits, 20 digits) → None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 13:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_QUOTE_ID else None


def quote_header(record: QuoteRecord, t: Translator) -> str:
    """"报价 Q-3F9A2C1B · 第 2 版 · 客户：星辰卡盟 · 有效期至 2026-12-27" (values escaped;
    the prospect sees the opaque reference, never the sequential number)."""
    parts = [t("link.header", ref=record.reference, version=record.version)]
    if record.prospect:
        parts.append(t("link.for", prospect=html.escape(record.prospect)))
    if record.expires_at:
        parts.append(t("link.valid_until", date=record.expires_at[:10]))
    return " · ".join(parts)


class SalesDesk:
    def __init__(self, conversation: Conversation) -> None:
        self.conv = conversation

    # --- who may do what ----------------------------------------------------------------

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.conv.admin_ids

    def is_staff(self, user_id: int) -> bool:
        return user_id in self.conv.sales_ids or self.is_admin(user_id)

    # --- staff commands -----------------------------------------------------------------

    async def command(self, name: str, incoming: Incoming, out: _Out, t: Translator,
                      argument: str) -> None:
        admin_only = name in ("export", "stats")
        allowed = self.is_admin(incoming.user_id) if admin_only else self.is_staff(
            incoming.user_id)
        if not allowed:
            await out.reply(t("staff.refused"))
            return
        await getattr(self, f"_cmd_{name}")(incoming, out, t, argument)

    async def _cmd_newquote(self, incoming: Incoming, out: _Out, t: Translator,
                            argument: str) -> None:
        store = self.conv.store
        store.touch_user(CHANNEL, str(incoming.user_id), handle=handle_of(incoming))
        state, screen = self.conv.engine.start(t.locale, dialog_id=uuid.uuid4().hex,
                                               sales=True)
        await self.conv.show_screen(incoming, out, state, screen, edit=False)

    async def _cmd_revoke(self, incoming: Incoming, out: _Out, t: Translator,
                          argument: str) -> None:
        record = self._record_from(argument)
        if record is None:
            await out.reply(t("staff.no_such_quote", value=html.escape(argument[:20])))
            return
        if not self.is_admin(incoming.user_id) and record.sales_owner != str(incoming.user_id):
            await out.reply(t("staff.not_yours", id=record.id))
            return
        revoked = self.conv.store.revoke(record.id)
        await out.reply(t("staff.revoked" if revoked else "staff.nothing_to_revoke",
                          id=record.id))

    async def _cmd_export(self, incoming: Incoming, out: _Out, t: Translator,
                          argument: str) -> None:
        data = export_csv(self.conv.store)
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        await out.document(f"kameng-quotes-{stamp}.csv", data,
                           t("staff.export_caption", count=self.conv.store.count_quotes()))

    async def _cmd_stats(self, incoming: Incoming, out: _Out, t: Translator,
                         argument: str) -> None:
        figures = stats(self.conv.store, days=7)
        lines = [f"<b>{t('stats.title')}</b>"]
        lines += [t("stats.day", day=day, count=count) for day, count in figures.per_day]
        lines.append(t("stats.totals", quotes=figures.quotes, shared=figures.shared,
                       opened=figures.opened, accepted=figures.accepted,
                       conversion=figures.conversion))
        await out.reply("\n".join(lines))

    def _record_from(self, argument: str) -> QuoteRecord | None:
        quote_id = parse_quote_id(argument.strip().lstrip("#"))
        return self.conv.store.record(quote_id) if quote_id is not None else None

    # --- saving and sharing -------------------------------------------------------------

    async def save(self, incoming: Incoming, out: _Out, state: DialogState,
                   quote: Quote) -> int:
        """Store the confirmed quote: a salesperson's with prospect and owner, an adjusted
        one as the next version of its parent (owned by the parent's salesperson)."""
        store = self.conv.store
        owner: str | None = str(incoming.user_id) if state.sales else None
        parent = store.record(state.parent_quote) if state.parent_quote else None
        if parent is not None:
            owner = parent.sales_owner
        prospect = state.answers.get("prospect") or (parent.prospect if parent else None)
        quote_id = store.save_quote(
            channel=CHANNEL, user_id=str(incoming.user_id), dialog_id=state.dialog_id,
            confirmation=state.confirmed, quote=quote, locale=state.locale,
            answers=dict(state.answers), prospect=prospect, sales_owner=owner,
            parent_id=parent.id if parent else None, revises=state.revises or None)
        if parent is not None and owner:
            token = store.share(quote_id, days=self.conv.link_days)
            record = store.record(quote_id)
            assert record is not None
            await self.notify(int(owner), "notify.new_version", id=quote_id,
                              parent=parent.id, version=record.version,
                              prospect=html.escape(record.prospect or "-"),
                              link=deep_link(self.conv.bot_username, token))
        return quote_id

    async def share(self, incoming: Incoming, out: _Out, state: DialogState) -> None:
        """生成分享链接: the links, or a request for an admin's approval of the discount."""
        t = translator(state.locale)
        store = self.conv.store
        quote_id = store.quote_id_for(state.dialog_id, state.confirmed)
        record = store.record(quote_id) if quote_id else None
        if record is None:
            await out.reply(t("staff.confirm_first"))
            return
        discount = int(state.answers.get("discount") or 0)
        if discount > self.conv.discount_limit and record.status != "approved":
            store.set_status(record.id, "pending_approval")
            for admin in self.conv.admin_ids:
                at = self._t_for(admin)
                await out.send_to(admin, at("approval.request", id=record.id,
                                            discount=discount, limit=self.conv.discount_limit,
                                            owner=html.escape(handle_of(incoming)),
                                            prospect=html.escape(record.prospect or "-")),
                                  ((( at("btn.approve"), f"ap:{record.id}:y"),
                                    (at("btn.reject"), f"ap:{record.id}:n")),))
            await out.reply(t("approval.waiting", id=record.id, limit=self.conv.discount_limit))
            return
        await out.reply(self.links_text(record.id, t))

    def approval_requested(self, state: DialogState) -> bool:
        """True when this quote version already went to the admins (waiting, or refused):
        its share button has expired, so admins get one request per version."""
        store = self.conv.store
        quote_id = store.quote_id_for(state.dialog_id, state.confirmed)
        record = store.record(quote_id) if quote_id else None
        return record is not None and record.status in ("pending_approval", "rejected")

    def links_text(self, quote_id: int, t: Translator) -> str:
        token = self.conv.store.share(quote_id, days=self.conv.link_days)
        record = self.conv.store.record(quote_id)
        assert record is not None
        web = web_link(self.conv.public_url, token)
        return t("link.made", id=quote_id, days=self.conv.link_days,
                 telegram=deep_link(self.conv.bot_username, token),
                 web=web or t("link.no_web"))

    # --- the prospect's side ------------------------------------------------------------

    async def open_link(self, incoming: Incoming, out: _Out, t: Translator,
                        token: str) -> None:
        store = self.conv.store
        record, state = store.link(token)
        if record is None or state != "ok":
            await out.reply(t(f"link.{state}"))
            return
        first = store.record_view(record.id, channel=CHANNEL, agent="telegram")
        if first and record.sales_owner:
            await self.notify(int(record.sales_owner), "notify.opened", id=record.id,
                              prospect=html.escape(record.prospect or "-"),
                              who=html.escape(handle_of(incoming)), where="Telegram")
        await self.conv.send_card(out, record.id, t.locale)  # the prospect forwards it
        await self.show_quote(out, record, t)

    async def show_quote(self, out: _Out, record: QuoteRecord, t: Translator) -> None:
        quote = record.quote()
        text = f"{quote_header(record, t)}\n\n{render_quote_html(quote, t.locale)}"
        token = record.token or ""
        keyboard: Keyboard
        if record.locked:
            text += "\n\n" + t("link.accepted_note", date=(record.accepted_at or "")[:10])
            keyboard = (((t("btn.contact_sales"), f"lk:ask:{token}"),),)
        else:
            keyboard = (((t("btn.accept"), f"lk:acc:{token}"),),
                        ((t("btn.adjust"), f"lk:adj:{token}"),
                         (t("btn.contact_sales"), f"lk:ask:{token}")))
        await out.reply(text, keyboard)

    async def callback(self, incoming: Incoming, out: _Out, t: Translator, data: str) -> None:
        if data.startswith("ap:"):
            await self._approval(incoming, out, t, data)
            return
        action, _, token = data.removeprefix("lk:").partition(":")
        if action not in ("acc", "ask", "adj") or not token:  # forged or cut short
            await out.answer(t("dlg.stale"))
            return
        store = self.conv.store
        record, state = store.link(token)
        if record is None or state != "ok":
            await out.answer(t(f"link.{state}"))
            return
        owner = int(record.sales_owner) if record.sales_owner else None
        who = html.escape(handle_of(incoming))
        if action == "acc":
            if store.accept(record.id):
                await out.answer(None)
                await out.reply(t("link.accepted"))
                if owner:
                    await self.notify(owner, "notify.accepted", id=record.id, who=who,
                                      prospect=html.escape(record.prospect or "-"))
            else:
                await out.answer(t("link.already_accepted"))
        elif action == "ask":
            await out.answer(None)
            await out.reply(t("link.sales_notified"))
            if owner:
                await self.notify(owner, "notify.contact", id=record.id, who=who,
                                  prospect=html.escape(record.prospect or "-"),
                                  user_id=incoming.user_id)
        elif action == "adj":
            if record.locked:
                await out.answer(t("link.locked"))
                return
            await out.answer(None)
            state_, screen = self.conv.engine.start(
                t.locale, dialog_id=uuid.uuid4().hex, answers=record.answers(),
                parent_quote=record.id)
            await self.conv.show_screen(incoming, out, state_, screen, edit=False)
        else:
            await out.answer(t("dlg.stale"))

    async def _approval(self, incoming: Incoming, out: _Out, t: Translator,
                        data: str) -> None:
        if not self.is_admin(incoming.user_id):
            await out.answer(t("staff.refused"))
            return
        number, _, verdict = data.removeprefix("ap:").partition(":")
        quote_id = parse_quote_id(number)
        record = self.conv.store.record(quote_id) if quote_id is not None else None
        if record is None or record.status != "pending_approval" or verdict not in ("y", "n"):
            await out.answer(t("dlg.stale"))
            return
        await out.answer(None)
        owner = int(record.sales_owner) if record.sales_owner else None
        if verdict == "y":
            self.conv.store.set_status(record.id, "approved")
            await out.reply(t("approval.done", id=record.id))
            if owner:
                ot = self._t_for(owner)
                await out.send_to(owner, ot("approval.approved", id=record.id) + "\n\n"
                                  + self.links_text(record.id, ot))
        else:
            self.conv.store.set_status(record.id, "rejected")
            await out.reply(t("approval.rejected_done", id=record.id))
            if owner:
                await self.notify(owner, "approval.rejected", id=record.id)

    # --- notifications ------------------------------------------------------------------

    def _t_for(self, user_id: int) -> Translator:
        return translator(resolve_locale(self.conv.store.user_locale(CHANNEL, str(user_id))))

    async def notify(self, recipient: int, key: str, /, **params: object) -> None:
        """Tell a salesperson (in their language); a failure is logged, never raised."""
        await self.conv.notify(recipient, self._t_for(recipient)(key, **params))
