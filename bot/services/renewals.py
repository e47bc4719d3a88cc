"""A way back for a prospect whose link expired: 请求新报价 makes the quote's next version
at today's rates, for its owner to approve (RENEWAL_APPROVAL=owner, the default) or sent
at once (=direct); the owner is told either way. Also the 🔁 新版本 of a follow-up.

The Telegram deep link and the web page of an expired link both offer the button; the
request is recorded in `renewals` (bot/storage/followups.py), so pressing twice asks once.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.services.links import LinkSettings, parse_quote_id
from bot.services.quotes import QuoteDesk
from bot.services.replies import Action, Keyboard, Notice, Reply, Toast
from bot.services.staff import Staff, translator_for
from bot.storage import followups as storage
from bot.storage.store import ClosedQuote, QuoteRecord, Store
from dialogs.engine import Engine
from locales.i18n import Translator

OWNER, DIRECT = "owner", "direct"


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_version(store: Store, engine: Engine, record: QuoteRecord) -> int | None:
    """The quote's next version with the same answers at the engine's (today's) rates,
    same prospect and owner; None when the quote kept no answers to price again."""
    answers = record.answers()
    if not answers:
        return None
    try:  # a renewal is the owner's own new version: the expired link is why, not a bar
        return store.save_quote(
            channel=record.channel, user_id=record.user_id, dialog_id=uuid.uuid4().hex,
            confirmation=1, quote=engine.priced(answers), locale=record.locale,
            answers=answers, prospect=record.prospect, sales_owner=record.sales_owner,
            parent_id=record.id, check_link=False)
    except ClosedQuote:  # another version was accepted meanwhile: the family is locked
        return None


@dataclass
class Renewals:
    store: Store
    engine: Engine
    staff: Staff
    links: LinkSettings
    desk: QuoteDesk
    mode: str = OWNER
    clock: Callable[[], datetime] = now_utc

    def approvers(self, record: QuoteRecord) -> list[int]:
        """Who approves a renewal: the owner while still staff, else the admins."""
        owner = record.sales_owner
        if owner and owner.isdigit() and self.staff.is_staff(int(owner)):
            return [int(owner)]
        return list(self.staff.admin_ids)

    def request(self, channel: str, user_id: str, who: str, token: str
                ) -> tuple[str, QuoteRecord | None, list[Notice]]:
        """请求新报价 for the expired link `token`: ("made", the new version, notices) when
        sent at once, ("asked", new version, notices) when waiting for the owner,
        ("waiting", None, []) when asked before, ("live", record, []) when the link still
        works, ("gone", None, []) when it is revoked or unknown or cannot be priced."""
        record, state = self.store.link(token)
        if record is None or state in ("unknown", "revoked"):
            return "gone", None, []
        if state == "ok":
            return "live", record, []
        if storage.open_renewal(self.store, record.id) is not None:
            return "waiting", None, []
        newer_id = storage.newer_version(self.store, record.id)
        newer = self.store.record(newer_id) if newer_id else None
        if newer is not None and newer.token and self.store.link_state(newer) == "ok":
            return "live", newer, []  # already renewed (or revised): that one, not another
        new_id = new_version(self.store, self.engine, record)
        if new_id is None:
            return "gone", None, []
        approvers = self.approvers(record)
        direct = self.mode == DIRECT or not approvers
        now = self.clock()
        storage.add_renewal(self.store, quote_id=record.id, new_quote_id=new_id,
                            channel=channel, user_id=user_id,
                            decision=DIRECT if direct else None, now=now)
        if direct:
            self.store.share(new_id, days=self.links.days)
        new = self.store.record(new_id)
        assert new is not None
        notices = []
        for chat in approvers:
            t = translator_for(self.store, chat)
            params = dict(id=record.id, new=new_id, version=new.version,
                          prospect=html.escape(record.prospect or "-"), who=html.escape(who))
            if direct:
                notices.append(Notice(chat, t("renew.made_owner", **params) + "\n\n"
                                      + self.desk.links_text(new_id, t), best_effort=True))
            else:
                keyboard: Keyboard = (((t("btn.renew_send"), f"rn:y:{new_id}"),
                                       (t("btn.renew_drop"), f"rn:n:{new_id}")),)
                notices.append(Notice(chat, t("renew.asked_owner", **params), keyboard,
                                      best_effort=True))
        return ("made" if direct else "asked"), new, notices

    def button(self, person_channel: str, user_id: str, who: str, data: str,
               t: Translator) -> list[Action]:
        """rq:<token> under an expired link's message, in Telegram."""
        token = data.removeprefix("rq:")
        outcome, record, notices = self.request(person_channel, user_id, who, token)
        if outcome == "gone":
            return [Toast(t("dlg.stale"))]
        if outcome == "live" and record is not None:
            return [Toast(), self.desk.quote_reply(record, t)]
        if outcome == "waiting":
            return [Toast(t("renew.waiting"))]
        actions: list[Action] = [Toast()]
        if outcome == "made" and record is not None:
            actions.append(Reply(t("renew.made")))
            actions.append(self.desk.quote_reply(record, t))
        else:
            actions.append(Reply(t("renew.asked")))
        return [*actions, *notices]

    def decide(self, user_id: int, data: str, t: Translator) -> list[Action]:
        """rn:y|n:<new quote id>, pressed by the owner (or an admin) under a request."""
        verdict, _, number = data.removeprefix("rn:").partition(":")
        new_id = parse_quote_id(number)
        request = storage.renewal_of(self.store, new_id) if new_id else None
        record = self.store.record(new_id) if new_id else None
        if request is None or record is None or verdict not in ("y", "n"):
            return [Toast(t("dlg.stale"))]
        if user_id not in self.approvers(record) and not self.staff.is_admin(user_id):
            return [Toast(t("staff.refused"))]
        if not storage.decide_renewal(self.store, record.id, "sent" if verdict == "y"
                                      else "dropped", self.clock()):
            return [Toast(t("dlg.stale"))]
        prospect_chat = (int(request["user_id"]) if request["channel"] == "telegram"
                         and str(request["user_id"]).isdigit() else None)
        if verdict == "n":
            actions: list[Action] = [Toast(), Reply(t("renew.dropped", id=record.id))]
            if prospect_chat is not None:
                pt = translator_for(self.store, prospect_chat)
                actions.append(Notice(prospect_chat, pt("renew.dropped_prospect"),
                                      best_effort=True))
            return actions
        links = self.desk.links_text(record.id, t)
        fresh = self.store.record(record.id)
        assert fresh is not None
        if prospect_chat is None:  # asked on the web: the owner sends the link
            return [Toast(), Reply(t("renew.sent_web", id=record.id) + "\n\n" + links)]
        pt = translator_for(self.store, prospect_chat)
        shown = self.desk.quote_reply(fresh, pt)
        return [Toast(), Reply(t("renew.sent", id=record.id) + "\n\n" + links),
                Notice(prospect_chat, pt("renew.ready") + "\n\n" + shown.text, shown.keyboard,
                       best_effort=True)]
