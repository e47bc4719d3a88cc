"""/pipeline: a salesperson's morning view. Their quotes by status with counts, then the
ones to chase today (the follow-ups due by tonight and not answered), then their newest
quotes; each a button (pl:<id>) that opens the quote as staff see it, with the
follow-up buttons under it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from bot.services.followups import Followups, to_chase_today
from bot.services.links import parse_quote_id
from bot.services.replies import Action, Keyboard, Reply, Toast
from bot.storage import followups as storage
from bot.storage.status import QuoteStatus
from bot.storage.store import QuoteRecord
from locales.i18n import Translator

SHOWN = 8  # quotes listed (and buttons) per section: one screen on a phone


@dataclass
class Pipeline:
    followups: Followups

    def show(self, user_id: int, t: Translator, now: datetime) -> list[Action]:
        store, staff = self.followups.store, self.followups.staff
        if not staff.is_staff(user_id):
            return [Reply(t("staff.refused"))]
        owner = str(user_id)
        counts = storage.status_counts(store, owner)
        if not counts:
            return [Reply(t("pipeline.empty"))]
        lines = [f"<b>{t('pipeline.title')}</b>", " · ".join(
            t("pipeline.count", status=t(f"status.{status.value}"), count=counts[status])
            for status in QuoteStatus if counts.get(status))]
        rows: list[tuple[tuple[str, str], ...]] = []
        listed: set[int] = set()
        chase = to_chase_today(store, staff, self.followups.rules, user_id, now)
        if chase:
            lines += ["", f"<b>{t('pipeline.chase', count=len(chase))}</b>"]
            for followup in chase[:SHOWN]:
                lines.append(t("pipeline.chase_row", id=followup.quote_id or "-",
                               prospect=html.escape(followup.prospect or "-"),
                               why=t(f"pipeline.why.{followup.kind}")))
                if followup.kind == "handoff_waiting":
                    rows.append(((t("pipeline.handoff_button",
                                    prospect=(followup.prospect or "-")[:24]),
                                  f"fu:done:{followup.subject}"),))
                elif followup.quote_id is not None and followup.quote_id not in listed:
                    listed.add(followup.quote_id)
                    rows.append(((self._label(followup.quote_id, followup.prospect, t),
                                  f"pl:{followup.quote_id}"),))
        recent = [row for row in storage.recent_quotes(store, owner, SHOWN * 2)
                  if row["id"] not in listed][:SHOWN]
        if recent:
            lines += ["", f"<b>{t('pipeline.recent')}</b>"]
            for row in recent:
                lines.append(t("pipeline.recent_row", id=row["id"], version=row["version"],
                               prospect=html.escape(row["prospect"] or "-"),
                               status=t(f"status.{row['status']}")))
                rows.append(((self._label(row["id"], row["prospect"], t), f"pl:{row['id']}"),))
        keyboard: Keyboard = tuple(rows)
        return [Reply("\n".join(lines), keyboard or None)]

    @staticmethod
    def _label(quote_id: int, prospect: str | None, t: Translator) -> str:
        return t("pipeline.button", id=quote_id, prospect=(prospect or "-")[:24])

    def quote(self, user_id: int, data: str, t: Translator) -> list[Action]:
        """pl:<id>: the quote as its owner sees it, with the follow-up buttons."""
        followups = self.followups
        quote_id = parse_quote_id(data.removeprefix("pl:"))
        record = followups.store.record(quote_id) if quote_id else None
        if record is None:
            return [Toast(t("dlg.stale"))]
        if not followups.may_act(user_id, f"q{record.id}"):
            return [Toast(t("staff.refused"))]
        return [Toast(), Reply(self._card(record, t), (
            ((t("btn.followup_new"), f"fu:new:q{record.id}"),),
            ((t("btn.followup_done"), f"fu:done:q{record.id}"),
             (t("btn.followup_mute"), f"fu:mute:q{record.id}"))))]

    def _card(self, record: QuoteRecord, t: Translator) -> str:
        store, links = self.followups.store, self.followups.links
        state = store.link_state(record) if record.token else "none"
        lines = [t("pipeline.quote_title", id=record.id, version=record.version,
                   prospect=html.escape(record.prospect or "-")),
                 t("pipeline.quote_status", status=t(f"status.{record.status}"),
                   views=record.views, created=record.created_at[:10])]
        if record.opened_at:
            lines.append(t("pipeline.quote_opened", at=record.opened_at[:16].replace("T", " ")))
        if record.accepted_at:
            lines.append(t("pipeline.quote_accepted",
                           at=record.accepted_at[:16].replace("T", " ")))
        if state == "ok" and record.token:
            lines.append(t("pipeline.quote_link", date=(record.expires_at or "")[:10],
                           telegram=links.telegram(record.token),
                           web=links.web(record.token) or t("link.no_web")))
        elif state in ("expired", "revoked"):
            lines.append(t(f"pipeline.quote_{state}"))
        return "\n".join(lines)
