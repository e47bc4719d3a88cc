"""SQLite storage through sqlite-utils: users, dialogue sessions, quotes, hand-offs.

One small module between the shell and the database. The file is plain SQLite (WAL mode);
`sqlite-utils tables kameng.db` and friends work on it. The schema's version is SQLite's
`PRAGMA user_version`; MIGRATIONS lists the steps to it in order, and each runs once, in
one transaction with the version it brings. A file whose version is above ours is refused
before anything is written to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.config import DEFAULT_DB
from bot.storage.status import (
    ACCEPT,
    FIRST_OPEN,
    REVOKE,
    SHARE,
    QuoteStatus,
    link_state,
)
from pricing import Quote
from pricing.serialize import inquiry_to_dict, quote_from_dict, quote_to_dict

Clock = Callable[[], datetime]


class StoreError(RuntimeError):
    """The database cannot be used (locked, read-only, full, corrupt)."""


class DatabaseFileError(StoreError):
    """The file itself is unusable: waiting will not help (`path` names it)."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path, self.detail = path, detail


class DamagedDatabaseError(DatabaseFileError):
    """The file is damaged or not an SQLite database (recover it or restore a backup)."""


class NewerDatabaseError(DatabaseFileError):
    """The file was written by a newer kameng (its schema version is above ours)."""

    def __init__(self, path: str, version: int) -> None:
        super().__init__(path, f"schema version {version}, this kameng knows up to "
                               f"{SCHEMA_VERSION}")
        self.version = version


class ClosedQuote(Exception):
    """A new version of a quote that can no longer change: `reason` is "accepted" (a
    version of the family was accepted: it is locked), "revoked" or "expired" (the link
    the prospect adjusted from is dead). Not a StoreError: nothing is wrong with the
    database, and the person is told why."""

    def __init__(self, reason: str, version: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.version = reason, version


# A quote's family: every version descending from the same first one (parent_id links).
FAMILY_SQL = (
    "WITH RECURSIVE up(id, parent_id) AS ("
    " SELECT id, parent_id FROM quotes WHERE id = ?"
    " UNION SELECT q.id, q.parent_id FROM quotes q JOIN up ON q.id = up.parent_id),"
    " family(id) AS ("
    " SELECT id FROM up WHERE parent_id IS NULL"
    " UNION SELECT q.id FROM quotes q JOIN family ON q.parent_id = family.id) ")

DAMAGED = ("malformed", "not a database", "corrupt")  # how SQLite words a damaged file


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _create_tables(db: sqlite_utils.Database) -> None:
    db.table("users").create(
        {"channel": str, "user_id": str, "handle": str, "locale": str,
         "created_at": str, "updated_at": str},
        pk=("channel", "user_id"), not_null={"channel", "user_id"},
    )
    db.table("sessions").create(
        {"channel": str, "user_id": str, "state": str, "updated_at": str},
        pk=("channel", "user_id"), not_null={"channel", "user_id", "state"},
    )
    quotes = db.table("quotes")
    quotes.create(
        {"id": int, "dialog_id": str, "confirmation": int, "channel": str, "user_id": str,
         "locale": str, "daily_orders": int, "monthly_low": str, "monthly_high": str,
         "inquiry": str, "quote": str, "rates_version": str, "status": str,
         "created_at": str},
        pk="id", not_null={"channel", "user_id", "inquiry", "quote", "status", "created_at"},
        defaults={"status": "new"},  # a migration is history: literal, never a constant
    )
    # A confirmation is saved once, even if the confirm button arrives twice.
    quotes.create_index(["dialog_id", "confirmation"], unique=True)
    quotes.create_index(["channel", "user_id", "created_at"])
    db.table("handoffs").create(
        {"id": int, "channel": str, "user_id": str, "handle": str, "answers": str,
         "created_at": str},
        pk="id",
    )


def _add_prospect_quotes(db: sqlite_utils.Database) -> None:
    quotes = db.table("quotes")
    for column, kind in (("version", int), ("parent_id", int), ("prospect", str),
                         ("sales_owner", str), ("discount", str), ("answers", str),
                         ("per_order_low", str), ("per_order_high", str),
                         ("recommended_plan", str), ("token", str), ("expires_at", str),
                         ("revoked_at", str), ("opened_at", str), ("accepted_at", str),
                         ("views", int)):
        quotes.add_column(column, kind)
    db.execute("UPDATE quotes SET version = 1 WHERE version IS NULL")
    db.execute("UPDATE quotes SET views = 0 WHERE views IS NULL")
    quotes.create_index(["token"], unique=True)
    quotes.create_index(["created_at"])
    db.table("quote_views").create(
        {"id": int, "quote_id": int, "at": str, "channel": str, "agent_hash": str},
        pk="id", foreign_keys=[("quote_id", "quotes", "id")])
    db.table("quote_views").create_index(["quote_id"])
    db.table("meta").create({"key": str, "value": str}, pk="key")


def _add_processed_updates(db: sqlite_utils.Database) -> None:
    db.table("processed_updates").create(
        {"update_id": int, "at": str}, pk="update_id")


def _add_inbox(db: sqlite_utils.Database) -> None:
    db.table("inbox").create(
        {"update_id": int, "payload": str, "received_at": str}, pk="update_id")


def _add_leads(db: sqlite_utils.Database) -> None:
    db.table("leads").create(
        {"id": int, "quote_id": int, "channel": str, "user_id": str, "handle": str,
         "contact_kind": str, "contact": str, "words": str, "created_at": str,
         "updated_at": str},
        pk="id", not_null={"quote_id", "channel", "user_id", "contact", "created_at"},
        foreign_keys=[("quote_id", "quotes", "id")])
    # One lead per quote version: sales are told once, a second contact only updates it.
    db.table("leads").create_index(["quote_id"], unique=True)
    handoffs = db.table("handoffs")
    handoffs.add_column("quote_id", int)
    handoffs.add_column("question", str)


def _add_followups(db: sqlite_utils.Database) -> None:
    # One row per reminder and recipient, written before the message goes out (claimed)
    # and after (sent): a restart never sends one twice (bot/services/followups.py).
    db.table("followup_sends").create(
        {"key": str, "chat_id": int, "kind": str, "quote_id": int, "handoff_id": int,
         "due_at": str, "claimed_at": str, "sent_at": str},
        pk=("key", "chat_id"), not_null={"key", "chat_id", "kind", "due_at", "claimed_at"})
    # ✅ 已联系 / 🔕 不再提醒 on a quote ("q12") or a hand-off ("h3").
    db.table("followup_marks").create(
        {"subject": str, "mark": str, "at": str, "by_user": str},
        pk=("subject", "mark"), not_null={"subject", "mark", "at"})
    # 请求新报价 on an expired link: the new version, who asked, and the owner's answer.
    db.table("renewals").create(
        {"id": int, "quote_id": int, "new_quote_id": int, "channel": str, "user_id": str,
         "requested_at": str, "decision": str, "decided_at": str},
        pk="id", not_null={"quote_id", "new_quote_id", "channel", "requested_at"})
    db.table("renewals").create_index(["quote_id"])
    db.table("renewals").create_index(["new_quote_id"], unique=True)
    # The follow-up loop's questions, each minute, answered from indexes alone: "has a
    # newer version?", the live links by expiry, the acceptances by date, the last view.
    db.table("quotes").create_index(["parent_id"])
    db.execute("CREATE INDEX idx_quotes_live ON quotes (expires_at, opened_at, sales_owner, "
               "prospect, token, revoked_at, accepted_at) WHERE token IS NOT NULL "
               "AND revoked_at IS NULL AND accepted_at IS NULL")
    db.execute("CREATE INDEX idx_quotes_accepted ON quotes (accepted_at, sales_owner, "
               "prospect) WHERE accepted_at IS NOT NULL")
    db.table("quote_views").create_index(["quote_id", "at"])
    # What `kameng browse` shows of a quote: no link token, no JSON blobs.
    db.execute(
        "CREATE VIEW quote_history AS SELECT id, version, parent_id, created_at, channel, "
        "user_id, prospect, sales_owner, daily_orders, monthly_low, monthly_high, "
        "per_order_low, per_order_high, recommended_plan, discount, status, views, "
        "expires_at, revoked_at, opened_at, accepted_at, rates_version, locale FROM quotes")


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: `apply` runs once, and user_version becomes `version`."""

    version: int
    purpose: str
    apply: Callable[[sqlite_utils.Database], None]


# Append only, never edit one that has shipped: databases out there have run it.
MIGRATIONS = (
    Migration(1, "users, dialogue sessions, quotes, hand-offs", _create_tables),
    Migration(2, "quotes for prospects: versions, the sales owner, share links, views, "
                 "acceptance", _add_prospect_quotes),
    Migration(3, "Telegram update ids already handled: delivery is at least once, "
                 "handling once", _add_processed_updates),
    Migration(4, "Telegram updates received but not yet handled: a crash between "
                 "confirming an update to Telegram and handling it loses nothing", _add_inbox),
    Migration(5, "leads: a merchant's contact left under a quote version (sales told once "
                 "per version); hand-offs name the quote and the question", _add_leads),
    Migration(6, "follow-ups sent and marked, renewals of expired links, and the "
                 "quote_history view `kameng browse` shows", _add_followups),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
KEEP_UPDATES = 100_000  # how many handled update ids are remembered


TOKEN_BYTES = 16  # 128 bits → 22 URL-safe characters, well within Telegram's 64

RECORD_COLUMNS = ("id, version, parent_id, channel, user_id, locale, prospect, sales_owner, "
                  "discount, status, token, expires_at, revoked_at, opened_at, accepted_at, "
                  "views, created_at, quote, answers, dialog_id")


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    id: int
    version: int
    parent_id: int | None
    channel: str
    user_id: str
    locale: str
    prospect: str | None
    sales_owner: str | None
    discount: str | None
    status: str
    token: str | None
    expires_at: str | None
    revoked_at: str | None
    opened_at: str | None
    accepted_at: str | None
    views: int
    created_at: str
    quote_json: str
    answers_json: str | None
    dialog_id: str | None = None

    @property
    def reference(self) -> str:
        """What the prospect sees instead of the sequential number (which would tell a
        competitor how many quotes the company makes): 8 hex digits from the dialogue's
        random id, e.g. "Q-3F9A2C1B"; the same for the quote's whole life."""
        seed = f"{self.dialog_id or self.quote_json}/{self.id}"
        return "Q-" + hashlib.sha256(seed.encode()).hexdigest()[:8].upper()

    @property
    def locked(self) -> bool:
        return self.accepted_at is not None

    def quote(self) -> Quote:
        return quote_from_dict(json.loads(self.quote_json))

    def answers(self) -> dict[str, Any]:
        loaded = json.loads(self.answers_json or "{}")
        return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True, slots=True)
class SavedQuote:
    id: int
    created_at: str
    channel: str
    user_id: str
    daily_orders: int
    monthly_low: str
    monthly_high: str
    status: str
    locale: str


Condition = tuple[str, Any]  # ("created_at >= ?", value): applies unless value is None


def where(conditions: Iterable[Condition]) -> tuple[str | None, list[Any]]:
    """The conditions whose value is not None, joined by AND, with their parameters, as
    sqlite-utils' rows_where and count_where take them; (None, []) when none applies.

    >>> where([("channel = ?", "telegram"), ("user_id = ?", None)])
    ('channel = ?', ['telegram'])
    """
    kept = [(sql, value) for sql, value in conditions if value is not None]
    return (" AND ".join(sql for sql, _ in kept) or None), [value for _, value in kept]


def _session(payload: str | None) -> dict[str, Any] | None:
    """A stored dialogue state, or None when absent or unreadable."""
    if payload is None:
        return None
    try:
        state = json.loads(payload)
    except json.JSONDecodeError:
        return None
    return state if isinstance(state, dict) else None


def _create_private(path: str) -> None:
    """Create a new database file readable by its owner only (0600): it holds link tokens,
    Telegram handles and prospects' names. SQLite gives the -wal and -shm files the mode of
    the database file. An existing file is left as it is."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Store:
    def __init__(self, path: str | Path = DEFAULT_DB, *, clock: Clock = utc_now,
                 busy_timeout_ms: int = 5000) -> None:
        self.path = str(path)
        self.clock = clock
        try:
            if self.path != ":memory:":
                _create_private(self.path)
            self.db = sqlite_utils.Database(self.path)
            # Wait this long for another writer's lock before giving up (稍后再试).
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            found = self.schema_version  # before anything is written: a newer file stays as is
            if found > SCHEMA_VERSION:
                self.db.close()
                raise NewerDatabaseError(self.path, found)
            if self.path != ":memory:":
                self.db.enable_wal()
                # WAL + NORMAL: no fsync per commit, still never corrupt; a power cut may
                # lose the last commits, a crash of the bot loses nothing.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except OSError as error:
            raise StoreError(f"{self.path}: {error.strerror or error}") from error
        except sqlite3.Error as error:
            raise self._error(error) from error

    def _error(self, error: sqlite3.Error) -> StoreError:
        """SQLite's error as ours: a damaged file named as such, anything else StoreError."""
        if any(word in str(error).lower() for word in DAMAGED):
            return DamagedDatabaseError(self.path, str(error))
        return StoreError(f"{self.path}: {error}")

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Run the migrations this file has not had, each in one transaction (BEGIN, not
        the sqlite3 module's implicit one, which leaves CREATE and ALTER outside it)."""
        for migration in MIGRATIONS[self.schema_version:]:
            with self.db.atomic():
                migration.apply(self.db)
                self.db.execute(f"PRAGMA user_version = {migration.version}")

    def set_meta(self, key: str, value: str) -> None:
        self._write(lambda: self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = excluded.value", [key, value]))

    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return str(row[0]) if row else None

    def close(self) -> None:
        self.db.close()

    def _one(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        """The first row of a read, or None; SQLite errors become StoreError."""
        try:
            return self.db.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise self._error(error) from error

    def rows(self, table: str, conditions: Iterable[Condition] = (), *, select: str = "*",
             order_by: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """The rows of `table` that meet the conditions (see `where`), as dicts by column
        name, one at a time (exports); SQLite errors become StoreError."""
        clause, args = where(conditions)
        return self._stream(lambda: self.db.table(table).rows_where(
            clause, args, select=select, order_by=order_by, limit=limit))

    def count(self, table: str, conditions: Iterable[Condition] = ()) -> int:
        """How many rows of `table` meet the conditions; SQLite errors become StoreError."""
        clause, args = where(conditions)
        try:
            return self.db.table(table).count_where(clause, args)
        except sqlite3.Error as error:
            raise self._error(error) from error

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()
              ) -> Iterator[dict[str, Any]]:
        """The rows of a read that `rows` cannot say (GROUP BY, aggregates), as dicts by
        column name, one at a time; SQLite errors become StoreError."""
        return self._stream(lambda: self.db.query(sql, params))

    def _stream(self, read: Callable[[], Iterator[dict[str, Any]]]
                ) -> Iterator[dict[str, Any]]:
        """A plain loop, not `yield from`: a reader that stops early (`kameng export |
        head`) closes this generator after the store, and `yield from` would then close
        the read on a closed database and print an ignored traceback."""
        try:
            for row in read():  # noqa: UP028 (see the docstring)
                yield row
        except sqlite3.Error as error:
            raise self._error(error) from error

    def _write(self, action: Callable[[], Any], *, immediate: bool = False) -> Any:
        """One transaction; SQLite errors become StoreError (the shell says 稍后再试).
        `immediate`: take the write lock before the first read (BEGIN IMMEDIATE), for a
        write that decides on what it reads and must not race another process (a
        re-share: eight at once must hand out one link, not eight)."""
        try:
            with self.db.conn:
                if immediate and not self.db.conn.in_transaction:
                    self.db.execute("BEGIN IMMEDIATE")
                return action()
        except sqlite3.Error as error:
            raise self._error(error) from error

    # --- users and sessions -------------------------------------------------------------

    def touch_user(self, channel: str, user_id: str, *, handle: str = "",
                   locale: str = "") -> None:
        now = _iso(self.clock())

        def write() -> None:
            self.db.execute(
                "INSERT INTO users (channel, user_id, handle, locale, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO UPDATE SET "
                "handle = excluded.handle, locale = COALESCE(NULLIF(excluded.locale, ''), "
                "users.locale), updated_at = excluded.updated_at",
                [channel, user_id, handle, locale, now, now])

        self._write(write)

    def user_locale(self, channel: str, user_id: str) -> str | None:
        row = self._one("SELECT locale FROM users WHERE channel = ? AND user_id = ?",
                              [channel, user_id])
        return row[0] if row and row[0] else None

    def load_session(self, channel: str, user_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT state FROM sessions WHERE channel = ? AND user_id = ?",
                              [channel, user_id])
        return _session(row[0] if row else None)

    def update_and_session(self, update_id: int, channel: str, user_id: str
                           ) -> tuple[bool, dict[str, Any] | None]:
        """Whether an update was handled before, and the user's dialogue state, in one
        read (the two things every update needs first; the save and the mark are one
        write after it, `save_session`)."""
        try:
            row = self.db.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = ?), "
                "(SELECT state FROM sessions WHERE channel = ? AND user_id = ?)",
                [update_id, channel, user_id]).fetchone()
        except sqlite3.Error as error:
            raise self._error(error) from error
        return bool(row[0]), _session(row[1])

    def save_session(self, channel: str, user_id: str, state: dict[str, Any], *,
                     update_id: int | None = None) -> None:
        """Save a dialogue state; with `update_id`, mark that update handled in the same
        transaction, so a crash can never leave one without the other."""
        payload = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
        now = _iso(self.clock())

        def write() -> None:
            self.db.conn.execute(  # the raw connection: once per update, no wrapper
                "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, "
                "updated_at = excluded.updated_at", [channel, user_id, payload, now])
            if update_id is not None:
                self._mark(update_id, now)

        self._write(write)

    def _mark(self, update_id: int, now: str) -> None:
        execute = self.db.conn.execute
        execute("INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
                [update_id, now])
        execute("DELETE FROM inbox WHERE update_id = ?", [update_id])
        if update_id % 1000 == 0:  # now and then, forget the oldest
            self.db.execute("DELETE FROM processed_updates WHERE update_id < ?",
                            [update_id - KEEP_UPDATES])

    def mark_update(self, update_id: int) -> None:
        now = _iso(self.clock())
        self._write(lambda: self._mark(update_id, now))

    def keep_updates(self, updates: Sequence[tuple[int, str]]) -> None:
        """Keep updates as received (id, JSON) before Telegram is told they arrived (the
        next getUpdates confirms them; a webhook's 200 does at once): until handled —
        `_mark` removes them — a restart finds them here (`unhandled_updates`)."""
        if not updates:
            return
        now = _iso(self.clock())

        def write() -> None:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) "
                "SELECT ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM processed_updates WHERE update_id = ?)",
                [(update_id, payload, now, update_id) for update_id, payload in updates])

        self._write(write)

    def unhandled_updates(self) -> list[dict[str, Any]]:
        """Updates received before a stop or a crash and never handled, oldest first."""
        rows = list(self.query("SELECT payload FROM inbox WHERE update_id NOT IN "
                               "(SELECT update_id FROM processed_updates) ORDER BY update_id"))
        updates = []
        for row in rows:
            payload = row["payload"]
            try:
                update = json.loads(payload)
            except ValueError:
                continue
            if isinstance(update, dict) and isinstance(update.get("update_id"), int):
                updates.append(update)
        return updates

    def update_seen(self, update_id: int) -> bool:
        return self._one("SELECT 1 FROM processed_updates WHERE update_id = ?",
                         [update_id]) is not None

    def delete_session(self, channel: str, user_id: str) -> None:
        self._write(lambda: self.db.execute(
            "DELETE FROM sessions WHERE channel = ? AND user_id = ?", [channel, user_id]))

    # --- quotes -------------------------------------------------------------------------

    def save_quote(self, *, channel: str, user_id: str, dialog_id: str, confirmation: int,
                   quote: Quote, locale: str, answers: dict[str, Any] | None = None,
                   prospect: str | None = None, sales_owner: str | None = None,
                   parent_id: int | None = None, revises: int | None = None,
                   status: str = QuoteStatus.NEW, check_link: bool | None = None) -> int:
        """Store a confirmed quote once; a repeat of the same confirmation returns its id.

        A quote is an immutable snapshot. `parent_id` makes it the next version of another
        (a prospect adjusting a link); `revises` names an earlier confirmation of the same
        dialogue that this one changes (a correction after the quote), which makes it that
        quote's next version. Versions are numbered across the whole family (two prospects
        adjusting version 1 make versions 2 and 3). Raises ClosedQuote when a version of
        the family was accepted (the family is locked), or, with `check_link` (by default
        for `parent_id`: a prospect adjusting a link), when the link adjusted from was
        revoked or has expired — checked in the same write transaction.
        """
        now = _iso(self.clock())
        payload = quote_to_dict(quote, rounded=False)  # exact figures in the JSON
        shown = quote_to_dict(quote)  # the columns hold what people saw

        def write() -> int:
            row = self.db.execute(
                "SELECT id FROM quotes WHERE dialog_id = ? AND confirmation = ?",
                [dialog_id, confirmation]).fetchone()
            if row is not None:  # the same confirmation again: already saved
                return int(row[0])
            version, parent = 1, parent_id
            if parent is None and revises:
                row = self.db.execute(
                    "SELECT id FROM quotes WHERE dialog_id = ? AND confirmation = ?",
                    [dialog_id, revises]).fetchone()
                parent = int(row[0]) if row else None
            if parent is not None:
                self._refuse_closed(parent, now=now, link_checked=(
                    parent_id is not None if check_link is None else check_link))
                row = self.db.execute(FAMILY_SQL + "SELECT max(version) FROM quotes "
                                      "WHERE id IN (SELECT id FROM family)",
                                      [parent]).fetchone()
                version = int(row[0] or 1) + 1 if row and row[0] is not None else 1
            self.db.execute(
                "INSERT INTO quotes (dialog_id, confirmation, channel, user_id, locale, "
                "daily_orders, monthly_low, monthly_high, per_order_low, per_order_high, "
                "recommended_plan, inquiry, quote, answers, rates_version, status, created_at, "
                "version, parent_id, prospect, sales_owner, discount, views) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (dialog_id, confirmation) DO NOTHING",
                [dialog_id, confirmation, channel, user_id, locale, quote.inquiry.daily_orders,
                 shown["monthly"]["low"], shown["monthly"]["high"],
                 shown["alternatives"]["per_order"]["low"],
                 shown["alternatives"]["per_order"]["high"], quote.recommended_plan.value,
                 json.dumps(inquiry_to_dict(quote), ensure_ascii=False),
                 json.dumps(payload, ensure_ascii=False),
                 json.dumps(answers or {}, ensure_ascii=False), quote.rates_version, status,
                 now, version, parent, prospect, sales_owner,
                 f"{quote.inquiry.discount:f}"])
            row = self.db.execute(
                "SELECT id FROM quotes WHERE dialog_id = ? AND confirmation = ?",
                [dialog_id, confirmation]).fetchone()
            return int(row[0])

        return int(self._write(write, immediate=True))

    def _refuse_closed(self, parent: int, *, link_checked: bool, now: str) -> None:
        """Inside a write: raise ClosedQuote when `parent`'s family is locked, or (with
        `link_checked`) when its link is revoked or expired."""
        accepted = self.db.execute(
            FAMILY_SQL + "SELECT version FROM quotes WHERE id IN (SELECT id FROM family) "
            "AND accepted_at IS NOT NULL ORDER BY accepted_at LIMIT 1", [parent]).fetchone()
        if accepted is not None:
            raise ClosedQuote("accepted", int(accepted[0] or 1))
        if link_checked:
            row = self.db.execute("SELECT revoked_at, expires_at FROM quotes WHERE id = ?",
                                  [parent]).fetchone()
            if row is not None and row[0]:
                raise ClosedQuote("revoked")
            if row is not None and row[1] and row[1] <= now:
                raise ClosedQuote("expired")

    def accepted_version(self, quote_id: int) -> QuoteRecord | None:
        """The accepted version of `quote_id`'s family, if one was accepted (then the
        whole family is locked)."""
        row = self._one(FAMILY_SQL + f"SELECT {RECORD_COLUMNS} FROM quotes WHERE id IN "
                        "(SELECT id FROM family) AND accepted_at IS NOT NULL "
                        "ORDER BY accepted_at LIMIT 1", [quote_id])
        return QuoteRecord(*row) if row else None

    def quote_id_for(self, dialog_id: str, confirmation: int) -> int | None:
        row = self._one("SELECT id FROM quotes WHERE dialog_id = ? AND confirmation = ?",
                              [dialog_id, confirmation])
        return int(row[0]) if row else None

    def record(self, quote_id: int) -> QuoteRecord | None:
        row = self._one(f"SELECT {RECORD_COLUMNS} FROM quotes WHERE id = ?",
                              [quote_id])
        return QuoteRecord(*row) if row else None

    def record_by_token(self, token: str) -> QuoteRecord | None:
        row = self._one(f"SELECT {RECORD_COLUMNS} FROM quotes WHERE token = ?",
                              [token])
        return QuoteRecord(*row) if row else None

    def set_status(self, quote_id: int, status: str) -> None:
        self._write(lambda: self.db.execute("UPDATE quotes SET status = ? WHERE id = ?",
                                            [status, quote_id]))

    def share(self, quote_id: int, *, days: int) -> str:
        """The quote's live link token (at least 128 bits from `secrets`, URL-safe), valid
        for `days` from now. A live token is kept; a revoked or expired one is replaced, and
        the status says "sent" again, so status and link always agree."""
        now = self.clock()

        def write() -> str:
            row = self.db.execute("SELECT token, revoked_at, expires_at FROM quotes "
                                  "WHERE id = ?", [quote_id]).fetchone()
            if row is None:
                raise KeyError(quote_id)
            if row[0] and not row[1] and not (row[2] and row[2] <= _iso(now)):
                return str(row[0])
            token = secrets.token_urlsafe(TOKEN_BYTES)
            status, status_params = SHARE.sql()
            self.db.execute(
                f"UPDATE quotes SET token = ?, expires_at = ?, revoked_at = NULL, {status} "
                "WHERE id = ?",
                [token, _iso(now + timedelta(days=days)), *status_params, quote_id])
            return token

        return str(self._write(write, immediate=True))

    def revoke(self, quote_id: int) -> bool:
        now = _iso(self.clock())
        status, status_params = REVOKE.sql()
        cursor = self._write(lambda: self.db.execute(
            f"UPDATE quotes SET revoked_at = ?, {status} "
            "WHERE id = ? AND token IS NOT NULL AND revoked_at IS NULL",
            [now, *status_params, quote_id]))
        return bool(cursor.rowcount)

    def link(self, token: str) -> tuple[QuoteRecord | None, str]:
        """The quote behind a link token and the link's state ("ok", "unknown",
        "revoked", "expired"). Tokens longer than any we make are not looked up."""
        record = self.record_by_token(token) if len(token) <= 64 else None
        return record, self.link_state(record)

    def link_state(self, record: QuoteRecord | None) -> str:
        """"ok", "unknown", "revoked" or "expired" for a record found by token, now."""
        return link_state(found=record is not None,
                          revoked_at=record.revoked_at if record else None,
                          expires_at=record.expires_at if record else None,
                          now=_iso(self.clock())).value

    def record_view(self, quote_id: int, *, channel: str, agent: str, client: str = "",
                    window: timedelta | None = None) -> bool:
        """Count a view (time, a hash of client and user agent); True on the first open.
        With `window`, the same client is counted once per window (a page reloaded, a
        browser that fetches twice), not once per request."""
        moment = self.clock()
        now = _iso(moment)
        seen = f"{client}\n{agent}" if client else agent
        agent_hash = hashlib.sha256(seen.encode("utf-8", "replace")).hexdigest()[:16]
        status, status_params = FIRST_OPEN.sql()

        def write() -> bool:
            if window is not None and self.db.execute(
                    "SELECT 1 FROM quote_views WHERE quote_id = ? AND agent_hash = ? "
                    "AND at > ?", [quote_id, agent_hash, _iso(moment - window)]).fetchone():
                return False
            self.db.execute("INSERT INTO quote_views (quote_id, at, channel, agent_hash) "
                            "VALUES (?, ?, ?, ?)", [quote_id, now, channel, agent_hash])
            cursor = self.db.execute(
                f"UPDATE quotes SET opened_at = ?, {status} WHERE id = ? AND opened_at IS NULL",
                [now, *status_params, quote_id])
            self.db.execute("UPDATE quotes SET views = views + 1 WHERE id = ?", [quote_id])
            return bool(cursor.rowcount)

        return bool(self._write(write))

    def accept(self, quote_id: int) -> bool:
        """Accept a quote: it and every other version of its family are locked from then
        on. True the first time; False when this or another version was accepted before
        (or the link was revoked)."""
        now = _iso(self.clock())
        status, status_params = ACCEPT.sql()
        cursor = self._write(lambda: self.db.execute(
            f"UPDATE quotes SET accepted_at = ?, {status} "
            "WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND NOT EXISTS ("
            + FAMILY_SQL + "SELECT 1 FROM quotes WHERE id IN (SELECT id FROM family) "
            "AND accepted_at IS NOT NULL)",
            [now, *status_params, quote_id, quote_id]), immediate=True)
        return bool(cursor.rowcount)

    def quotes(self, *, channel: str | None = None, user_id: str | None = None,
               limit: int | None = None) -> list[SavedQuote]:
        """Saved quotes, newest first."""
        return [SavedQuote(**row) for row in self.rows(
            "quotes", [("channel = ?", channel), ("user_id = ?", user_id)],
            select="id, created_at, channel, user_id, daily_orders, monthly_low, monthly_high, "
                   "status, locale",
            order_by="created_at DESC, id DESC",
            limit=None if limit is None else int(limit))]

    def count_quotes(self) -> int:
        return self.count("quotes")

    # --- hand-offs ----------------------------------------------------------------------

    def record_handoff(self, *, channel: str, user_id: str, handle: str,
                       answers: dict[str, Any], quote_id: int | None = None,
                       question: str = "") -> int:
        now = _iso(self.clock())

        def write() -> int:
            cursor = self.db.execute(
                "INSERT INTO handoffs (channel, user_id, handle, answers, created_at, "
                "quote_id, question) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [channel, user_id, handle, json.dumps(answers, ensure_ascii=False), now,
                 quote_id, question or None])
            return int(cursor.lastrowid or 0)

        return int(self._write(write))

    def record_lead(self, *, quote_id: int, channel: str, user_id: str, handle: str,
                    kind: str, contact: str, words: str) -> tuple[int, bool]:
        """A contact left under a quote version: (lead id, True) the first time for that
        version, (id, False) when it only updates the one recorded before."""
        now = _iso(self.clock())

        def write() -> tuple[int, bool]:
            row = self.db.execute("SELECT id FROM leads WHERE quote_id = ?",
                                  [quote_id]).fetchone()
            if row is not None:
                self.db.execute(
                    "UPDATE leads SET contact_kind = ?, contact = ?, updated_at = ?, "
                    "words = COALESCE(NULLIF(?, ''), words) WHERE id = ?",
                    [kind, contact, now, words, row[0]])
                return int(row[0]), False
            cursor = self.db.execute(
                "INSERT INTO leads (quote_id, channel, user_id, handle, contact_kind, "
                "contact, words, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [quote_id, channel, user_id, handle, kind, contact, words, now, now])
            return int(cursor.lastrowid or 0), True

        found: tuple[int, bool] = self._write(write)
        return found

    def leads(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Contacts left under quotes, newest first."""
        return list(self.rows("leads", order_by="id DESC",
                              limit=None if limit is None else int(limit)))

    def handoffs(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Requests for a person (转人工), newest first; `answers` is still JSON text."""
        return list(self.rows("handoffs", order_by="id DESC",
                              limit=None if limit is None else int(limit)))
