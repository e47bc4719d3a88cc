"""Follow-ups: reminders computed from the quote history, sent once each to the quote's
owner (else the admins), within business hours.

Kinds (the names `kameng followups --json` prints):

    opened_quiet          a shared quote opened, then silent (no view) for N days
    expiring              a live link expires within N days and the quote is not accepted
    accepted_uncontacted  accepted, and nobody pressed ✅ 已联系 within a working day
    handoff_waiting       a 转人工 from Telegram not marked ✅ 已联系 after N hours

`due()` is what the bot sends at a moment, and nothing else: `kameng followups` prints it
and the bot's loop (`Followups.send_due`) sends it. A reminder is claimed in SQLite before
its message goes out and marked sent after (bot/storage/followups.py), so a restart never
repeats one; a claim a crash left unmarked is sent again at the next start rather than
lost. A quote revised since (it has a newer version) is followed up through the newest.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.services.links import LinkSettings, parse_quote_id
from bot.services.quotes import QuoteDesk
from bot.services.renewals import new_version
from bot.services.replies import Action, Keyboard, Reply, Toast
from bot.services.staff import Staff, translator_for
from bot.storage import followups as storage
from bot.storage.store import Store
from dialogs.engine import Engine
from locales.i18n import Translator

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

KINDS = ("opened_quiet", "expiring", "accepted_uncontacted", "handoff_waiting")
CHASE = ("opened_quiet", "accepted_uncontacted", "handoff_waiting")  # ✅ 已联系 ends these
STALE = timedelta(days=7)  # older reminders are history, not news (a first start on an old file)
Send = Callable[[int, str, Keyboard | None], Awaitable[object]]


@dataclass(frozen=True)
class Rules:
    """The settings follow-ups obey (FOLLOWUP_*, BUSINESS_HOURS, QUIET_DAYS, …)."""

    silent_days: int = 3
    expiring_days: int = 3
    handoff_hours: int = 2
    hours: tuple[int, int] = (9 * 60, 18 * 60)  # minutes after midnight
    quiet_days: Sequence[int] = (5, 6)  # Monday is 0
    timezone: str = "Asia/Shanghai"

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        return cls(settings.followup_silent_days, settings.followup_expiring_days,
                   settings.followup_handoff_hours, settings.business_hours,
                   tuple(settings.quiet_days), settings.business_timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def working_day(self, moment: datetime) -> bool:
        return moment.astimezone(self.zone).weekday() not in self.quiet_days

    def open_at(self, moment: datetime) -> bool:
        """Within business hours on a working day (in the business's time zone)?"""
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return self.working_day(local) and self.hours[0] <= minute < self.hours[1]

    def next_open(self, moment: datetime) -> datetime:
        """The first business moment at or after `moment`."""
        local = moment.astimezone(self.zone)
        for _ in range(15):  # at most a week of quiet days, and then some
            start = self._at(local, self.hours[0])
            end = self._at(local, self.hours[1])
            if self.working_day(local) and local < end:
                return max(local, start).astimezone(UTC)
            local = self._at(local + timedelta(days=1), 0)
        return moment  # every day is quiet: the setting says so; never hold forever

    def after_working_day(self, moment: datetime) -> datetime:
        """One working day of business hours after `moment` (accepted on Friday at 15:00
        with 9–18: due on Monday at 15:00)."""
        left = timedelta(minutes=self.hours[1] - self.hours[0])
        current = self.next_open(moment)
        for _ in range(15):
            end = self._at(current.astimezone(self.zone), self.hours[1])
            if current + left <= end:
                return (current + left).astimezone(UTC)
            left -= end - current
            current = self.next_open(end + timedelta(seconds=1))
        return current

    @staticmethod
    def _at(local: datetime, minutes: int) -> datetime:
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + timedelta(minutes=minutes)  # wall-clock time in the zone


@dataclass(frozen=True)
class Followup:
    kind: str
    due_at: datetime
    to: tuple[int, ...]
    quote_id: int | None = None
    handoff_id: int | None = None
    prospect: str | None = None
    owner: str | None = None
    detail: str = ""  # what the message quotes: the last view, the expiry, the handle

    @property
    def subject(self) -> str:
        """What the buttons act on: "q12" (a quote) or "h3" (a hand-off)."""
        kind, number = (("h", self.handoff_id) if self.kind == "handoff_waiting"
                        else ("q", self.quote_id))
        return f"{kind}{number}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"

    def as_json(self) -> dict[str, Any]:
        return {"quote_id": self.quote_id, "kind": self.kind,
                "due_at": self.due_at.isoformat(timespec="seconds"), "to": list(self.to),
                "handoff_id": self.handoff_id, "prospect": self.prospect,
                "owner": self.owner}


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recipients(owner: str | None, staff: Staff) -> tuple[int, ...]:
    """The owner while still staff (a salesperson who left gets nothing), else the admins."""
    if owner and owner.isdigit() and staff.is_staff(int(owner)):
        return (int(owner),)
    return tuple(staff.admin_ids)


def pending(store: Store, staff: Staff, rules: Rules, now: datetime, *,
            until: datetime | None = None, include_sent: bool = False) -> list[Followup]:
    """Every reminder due by `now` (or `until`), whatever the hour, not sent (unless
    `include_sent`), muted or answered yet, oldest first. ✅ 已联系 answers a reminder
    when pressed after what it is about (the last view, the acceptance, the request): a
    prospect contacted before accepting is still to be contacted after. Reminders due more
    than a week ago are left alone (STALE)."""
    done = storage.marks(store)
    sent = set() if include_sent else storage.sent_keys(store)
    until = until or now
    found = []
    for followup in _candidates(store, staff, rules, now, until):
        contacted = done.get((followup.subject, "contacted"))
        if (followup.due_at > until or followup.due_at < now - STALE or not followup.to
                or followup.key in sent or (followup.subject, "muted") in done
                or (followup.kind in CHASE and contacted is not None
                    and _moment(contacted) >= _moment(followup.detail))):
            continue
        found.append(followup)
    return sorted(found, key=lambda item: (item.due_at, item.key))


def to_chase_today(store: Store, staff: Staff, rules: Rules, user_id: int,
                   now: datetime) -> list[Followup]:
    """A salesperson's reminders due by the end of today (sent already or not) and not
    yet answered with ✅ 已联系 or 🔕: /pipeline lists these first."""
    local = now.astimezone(rules.zone)
    end_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return [followup for followup in pending(store, staff, rules, now, until=end_of_day,
                                             include_sent=True) if user_id in followup.to]


def due(store: Store, staff: Staff, rules: Rules, now: datetime) -> list[Followup]:
    """What the bot sends at `now`: the pending reminders, and only within business hours."""
    return pending(store, staff, rules, now) if rules.open_at(now) else []


def _candidates(store: Store, staff: Staff, rules: Rules, now: datetime,
                until: datetime) -> Iterator[Followup]:
    """Every reminder due between `now` - STALE and `until`; SQLite narrows each kind to
    that window (from its indexes), Python works out the exact moment."""
    since = now - STALE
    silent = timedelta(days=rules.silent_days)
    for row in storage.opened_quotes(store, now, seen_from=since - silent,
                                     seen_until=until - silent):
        yield Followup("opened_quiet", _moment(row["last_seen"]) + silent,
                       recipients(row["sales_owner"], staff), quote_id=row["id"],
                       prospect=row["prospect"], owner=row["sales_owner"],
                       detail=row["last_seen"])
    ahead = timedelta(days=rules.expiring_days)
    for row in storage.live_quotes(store, now, expiring_by=until + ahead):
        yield Followup("expiring", _moment(row["expires_at"]) - ahead,
                       recipients(row["sales_owner"], staff), quote_id=row["id"],
                       prospect=row["prospect"], owner=row["sales_owner"],
                       detail=row["expires_at"])
    # A working day is at least the business hours of one day after the acceptance.
    shortest = timedelta(minutes=rules.hours[1] - rules.hours[0])
    for row in storage.accepted_quotes(store, since - timedelta(days=15), until - shortest):
        yield Followup("accepted_uncontacted",
                       rules.after_working_day(_moment(row["accepted_at"])),
                       recipients(row["sales_owner"], staff), quote_id=row["id"],
                       prospect=row["prospect"], owner=row["sales_owner"],
                       detail=row["accepted_at"])
    wait = timedelta(hours=rules.handoff_hours)
    for row in storage.telegram_handoffs(store, since - wait):
        yield Followup("handoff_waiting", _moment(row["created_at"]) + wait,
                       recipients(row["sales_owner"], staff), quote_id=row["quote_id"],
                       handoff_id=row["id"], prospect=row["handle"] or row["user_id"],
                       owner=row["sales_owner"], detail=row["created_at"])


def message(followup: Followup, rules: Rules, t: Translator) -> tuple[str, Keyboard]:
    """The reminder in the recipient's language, with its buttons."""
    local = _moment(followup.detail).astimezone(rules.zone).strftime("%Y-%m-%d %H:%M")
    text = t(f"followup.{followup.kind}", id=followup.quote_id or "-",
             prospect=html.escape(followup.prospect or "-"), at=local,
             days=rules.silent_days, hours=rules.handoff_hours)
    subject = followup.subject
    done = (t("btn.followup_done"), f"fu:done:{subject}")
    mute = (t("btn.followup_mute"), f"fu:mute:{subject}")
    if followup.kind == "handoff_waiting":
        return text, ((done, mute),)
    return text, (((t("btn.followup_new"), f"fu:new:{subject}"),), (done, mute))


@dataclass
class Followups:
    """The bot's side: send what is due, and the buttons under a reminder."""

    store: Store
    engine: Engine
    staff: Staff
    links: LinkSettings
    desk: QuoteDesk
    rules: Rules

    def release_unsent(self) -> None:
        released = storage.release_unsent(self.store)
        if released:
            log.info("%d follow-ups claimed before a stop were not marked sent: "
                     "sending them again", released)

    async def send_due(self, now: datetime, send: Send) -> int:
        """Send every reminder due at `now`, each recipient once; how many went out."""
        count = 0
        for followup in due(self.store, self.staff, self.rules, now):
            for chat in followup.to:
                if not storage.claim(self.store, followup.key, chat, kind=followup.kind,
                                     quote_id=followup.quote_id,
                                     handoff_id=followup.handoff_id,
                                     due_at=followup.due_at, now=now):
                    continue
                text, keyboard = message(followup, self.rules,
                                         translator_for(self.store, chat))
                try:
                    await send(chat, text, keyboard)
                except Exception as error:  # unreachable, blocked: tried again next time
                    log.warning("follow-up %s to %s not sent: %s", followup.key, chat,
                                type(error).__name__)
                    storage.release(self.store, followup.key, chat)
                    continue
                storage.mark_sent(self.store, followup.key, chat, now)
                count += 1
        return count

    def may_act(self, user_id: int, subject: str) -> bool:
        """Only the subject's owner (while staff) or an admin presses its buttons."""
        if self.staff.is_admin(user_id):
            return True
        if not self.staff.is_staff(user_id):
            return False
        kind, number = subject[:1], subject[1:]
        if kind == "q":
            quote_id = parse_quote_id(number)
            record = self.store.record(quote_id) if quote_id else None
            return record is not None and record.sales_owner == str(user_id)
        return True  # a hand-off belongs to every salesperson it was sent to

    def button(self, user_id: int, data: str, t: Translator, now: datetime
               ) -> list[Action]:
        """fu:new|done|mute:<q12|h3> under a reminder (or a /pipeline line)."""
        action, _, subject = data.removeprefix("fu:").partition(":")
        kind, number = subject[:1], subject[1:]
        if action not in ("new", "done", "mute") or kind not in ("q", "h") or (
                parse_quote_id(number) is None):
            return [Toast(t("dlg.stale"))]
        if not self.may_act(user_id, subject):
            return [Toast(t("staff.refused"))]
        label = f"#{number}" if kind == "q" else t("followup.handoff_label", id=number)
        if action == "done":
            storage.set_mark(self.store, subject, "contacted", by_user=str(user_id), now=now)
            return [Toast(), Reply(t("followup.marked_done", subject=label))]
        if action == "mute":
            storage.set_mark(self.store, subject, "muted", by_user=str(user_id), now=now)
            return [Toast(), Reply(t("followup.marked_mute", subject=label))]
        record = self.store.record(int(number)) if kind == "q" else None
        newer = storage.newer_version(self.store, record.id) if record else None
        if newer is not None:  # pressed twice, or revised since: never a second copy
            return [Toast(), Reply(t("followup.newer_exists", id=newer, parent=number)
                                   + "\n\n" + self.desk.links_text(newer, t))]
        new_id = new_version(self.store, self.engine, record) if record else None
        if new_id is None:
            return [Toast(t("dlg.stale"))]
        new = self.store.record(new_id)
        return [Toast(), Reply(t("followup.new_version", id=new_id, parent=number,
                                 version=new.version if new else 1)
                               + "\n\n" + self.desk.links_text(new_id, t))]
