"""The SQL of follow-ups and renewals: which quotes and hand-offs may need a reminder, which
reminders went out (claimed before sending, marked sent after), the marks staff put on a
quote or a hand-off (✅ 已联系, 🔕 不再提醒), a salesperson's pipeline, and the requests
for a new quote on an expired link. The rules themselves are in bot/services/followups.py.

Tables (migration 5 in bot/storage/store.py): followup_sends, followup_marks, renewals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bot.storage.store import Store

# Quotes whose link is live and not yet accepted, with no newer version (a revised quote is
# followed up through its newest version). The first three terms are idx_quotes_live's.
_LIVE = (
    "q.token IS NOT NULL AND q.revoked_at IS NULL AND q.accepted_at IS NULL "
    "AND q.expires_at > ? "
    "AND NOT EXISTS (SELECT 1 FROM quotes AS child WHERE child.parent_id = q.id)")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def opened_quotes(store: Store, now: datetime, *, seen_from: datetime, seen_until: datetime
                  ) -> Iterator[dict[str, Any]]:
    """Live quotes the prospect opened and last saw between the two moments: id,
    sales_owner, prospect, opened_at, last_seen."""
    return store.query(
        "SELECT * FROM (SELECT q.id, q.sales_owner, q.prospect, q.opened_at, "
        "coalesce((SELECT max(v.at) FROM quote_views AS v WHERE v.quote_id = q.id), "
        "q.opened_at) AS last_seen FROM quotes AS q "
        f"WHERE q.opened_at IS NOT NULL AND {_LIVE}) "
        "WHERE last_seen >= ? AND last_seen <= ?",
        [iso(now), iso(seen_from), iso(seen_until)])


def live_quotes(store: Store, now: datetime, *, expiring_by: datetime
                ) -> Iterator[dict[str, Any]]:
    """Live quotes whose link expires after `now` and by `expiring_by`: id, sales_owner,
    prospect, expires_at."""
    return store.query(
        "SELECT q.id, q.sales_owner, q.prospect, q.expires_at FROM quotes AS q "
        f"WHERE {_LIVE} AND q.expires_at <= ?", [iso(now), iso(expiring_by)])


def accepted_quotes(store: Store, since: datetime, until: datetime
                    ) -> Iterator[dict[str, Any]]:
    """Quotes accepted between the two moments: id, sales_owner, prospect, accepted_at."""
    return store.query(
        "SELECT id, sales_owner, prospect, accepted_at FROM quotes "
        "WHERE accepted_at IS NOT NULL AND accepted_at >= ? AND accepted_at <= ?",
        [iso(since), iso(until)])


def telegram_handoffs(store: Store, since: datetime) -> Iterator[dict[str, Any]]:
    """转人工 requests from Telegram since `since`, each with its quote (the one it was
    asked under, else the person's newest) and that quote's owner, else the owner of the
    person's newest owned quote (a prospect who adjusted a salesperson's quote)."""
    return store.query(
        "SELECT h.id, h.user_id, h.handle, h.created_at, "
        "coalesce((SELECT q.sales_owner FROM quotes AS q WHERE q.id = h.quote_id), "
        " (SELECT q.sales_owner FROM quotes AS q WHERE q.channel = h.channel "
        "  AND q.user_id = h.user_id AND q.sales_owner IS NOT NULL "
        "  ORDER BY q.id DESC LIMIT 1)) AS sales_owner, "
        "coalesce(h.quote_id, (SELECT q.id FROM quotes AS q WHERE q.channel = h.channel "
        " AND q.user_id = h.user_id ORDER BY q.id DESC LIMIT 1)) AS quote_id "
        "FROM handoffs AS h WHERE h.channel = 'telegram' AND h.created_at >= ?",
        [iso(since)])


def marks(store: Store) -> dict[tuple[str, str], str]:
    """(subject, mark) → when, for every ✅ 已联系 ("contacted") and 🔕 ("muted")."""
    return {(row["subject"], row["mark"]): row["at"] for row in store.query(
        "SELECT subject, mark, at FROM followup_marks")}


def set_mark(store: Store, subject: str, mark: str, *, by_user: str, now: datetime) -> bool:
    """Mark a subject ("q12", "h3"); True the first time."""
    cursor = store._write(lambda: store.db.execute(
        "INSERT OR IGNORE INTO followup_marks (subject, mark, at, by_user) VALUES (?, ?, ?, ?)",
        [subject, mark, iso(now), by_user]))
    return bool(cursor.rowcount)


def sent_keys(store: Store) -> set[str]:
    """The keys of reminders already claimed or sent (to anyone)."""
    return {row["key"] for row in store.query("SELECT DISTINCT key FROM followup_sends")}


def claim(store: Store, key: str, chat_id: int, *, kind: str, quote_id: int | None,
          handoff_id: int | None, due_at: datetime, now: datetime) -> bool:
    """Take a reminder for one recipient before sending it: True when nobody had."""
    cursor = store._write(lambda: store.db.execute(
        "INSERT OR IGNORE INTO followup_sends (key, chat_id, kind, quote_id, handoff_id, "
        "due_at, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [key, chat_id, kind, quote_id, handoff_id, iso(due_at), iso(now)]))
    return bool(cursor.rowcount)


def mark_sent(store: Store, key: str, chat_id: int, now: datetime) -> None:
    store._write(lambda: store.db.execute(
        "UPDATE followup_sends SET sent_at = ? WHERE key = ? AND chat_id = ?",
        [iso(now), key, chat_id]))


def release(store: Store, key: str, chat_id: int) -> None:
    """Give a claim back (the message could not be sent): it is tried again later."""
    store._write(lambda: store.db.execute(
        "DELETE FROM followup_sends WHERE key = ? AND chat_id = ? AND sent_at IS NULL",
        [key, chat_id]))


def release_unsent(store: Store) -> int:
    """Claims a stopped or crashed bot left without a sent mark: sent again rather than
    lost (the window is the Bot API call itself)."""
    cursor = store._write(lambda: store.db.execute(
        "DELETE FROM followup_sends WHERE sent_at IS NULL"))
    return int(cursor.rowcount)


def newer_version(store: Store, quote_id: int) -> int | None:
    """The newest version made from this quote, if any."""
    row = next(store.query("SELECT max(id) AS id FROM quotes WHERE parent_id = ?",
                           [quote_id]), None)
    return int(row["id"]) if row and row["id"] is not None else None


# --- a salesperson's pipeline -----------------------------------------------------------

def status_counts(store: Store, owner: str) -> dict[str, int]:
    return {row["status"]: int(row["n"]) for row in store.query(
        "SELECT status, count(*) AS n FROM quotes WHERE sales_owner = ? GROUP BY status",
        [owner])}


def recent_quotes(store: Store, owner: str, limit: int) -> list[dict[str, Any]]:
    """The owner's newest versions (no newer version of their own), newest first."""
    return list(store.query(
        "SELECT id, version, prospect, status, expires_at, accepted_at FROM quotes AS q "
        "WHERE sales_owner = ? AND NOT EXISTS "
        "(SELECT 1 FROM quotes AS child WHERE child.parent_id = q.id) "
        "ORDER BY id DESC LIMIT ?", [owner, limit]))


# --- renewals: 请求新报价 on an expired link --------------------------------------------

def add_renewal(store: Store, *, quote_id: int, new_quote_id: int, channel: str,
                user_id: str, decision: str | None, now: datetime) -> None:
    store._write(lambda: store.db.execute(
        "INSERT OR IGNORE INTO renewals (quote_id, new_quote_id, channel, user_id, "
        "requested_at, decision, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [quote_id, new_quote_id, channel, user_id, iso(now), decision,
         iso(now) if decision else None]))


def open_renewal(store: Store, quote_id: int) -> dict[str, Any] | None:
    """The request for a new version of `quote_id` still waiting for its owner, if any."""
    return next(store.query(
        "SELECT * FROM renewals WHERE quote_id = ? AND decision IS NULL ORDER BY id DESC",
        [quote_id]), None)


def renewal_of(store: Store, new_quote_id: int) -> dict[str, Any] | None:
    return next(store.query("SELECT * FROM renewals WHERE new_quote_id = ?",
                            [new_quote_id]), None)


def decide_renewal(store: Store, new_quote_id: int, decision: str, now: datetime) -> bool:
    """Record the owner's answer once; True when this call decided it."""
    cursor = store._write(lambda: store.db.execute(
        "UPDATE renewals SET decision = ?, decided_at = ? WHERE new_quote_id = ? "
        "AND decision IS NULL", [decision, iso(now), new_quote_id]))
    return bool(cursor.rowcount)
