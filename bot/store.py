"""SQLite storage through sqlite-utils: users, dialogue sessions, quotes, hand-offs.

One small module between the shell and the database. The file is plain SQLite (WAL mode);
`sqlite-utils tables kameng.db` and friends work on it. The schema has a version and
migrations; each migration runs once, in a transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pricing import Quote
from pricing.serialize import inquiry_to_dict, quote_to_dict

DEFAULT_DB = "kameng.db"
Clock = Callable[[], datetime]


class StoreError(RuntimeError):
    """The database cannot be used (locked, read-only, full, corrupt)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _migration_1(db: sqlite_utils.Database) -> None:
    db["users"].create(  # type: ignore[union-attr]
        {"channel": str, "user_id": str, "handle": str, "locale": str,
         "created_at": str, "updated_at": str},
        pk=("channel", "user_id"), not_null={"channel", "user_id"},
    )
    db["sessions"].create(  # type: ignore[union-attr]
        {"channel": str, "user_id": str, "state": str, "updated_at": str},
        pk=("channel", "user_id"), not_null={"channel", "user_id", "state"},
    )
    db["quotes"].create(  # type: ignore[union-attr]
        {"id": int, "dialog_id": str, "confirmation": int, "channel": str, "user_id": str,
         "locale": str, "daily_orders": int, "monthly_low": str, "monthly_high": str,
         "inquiry": str, "quote": str, "rates_version": str, "status": str,
         "created_at": str},
        pk="id", not_null={"channel", "user_id", "inquiry", "quote", "status", "created_at"},
        defaults={"status": "new"},
    )
    # A confirmation is saved once, even if the confirm button arrives twice.
    db["quotes"].create_index(["dialog_id", "confirmation"], unique=True)  # type: ignore[union-attr]
    db["quotes"].create_index(["channel", "user_id", "created_at"])  # type: ignore[union-attr]
    db["handoffs"].create(  # type: ignore[union-attr]
        {"id": int, "channel": str, "user_id": str, "handle": str, "answers": str,
         "created_at": str},
        pk="id",
    )


# Append only: the schema version is the number of migrations applied.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_migration_1,)


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


class Store:
    def __init__(self, path: str | Path = DEFAULT_DB, *, clock: Clock = utc_now) -> None:
        self.path = str(path)
        self.clock = clock
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 5000")
            if self.path != ":memory:":
                self.db.enable_wal()
                # WAL + NORMAL: no fsync per commit, still never corrupt; a power cut may
                # lose the last commits, a crash of the bot loses nothing.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: {error}") from error

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.db.conn:
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()

    def _write(self, action: Callable[[], Any]) -> Any:
        """One transaction; SQLite errors become StoreError (the shell says 稍后再试)."""
        try:
            with self.db.conn:
                return action()
        except sqlite3.Error as error:
            raise StoreError(str(error)) from error

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
        row = self.db.execute("SELECT locale FROM users WHERE channel = ? AND user_id = ?",
                              [channel, user_id]).fetchone()
        return row[0] if row and row[0] else None

    def load_session(self, channel: str, user_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT state FROM sessions WHERE channel = ? AND user_id = ?",
                              [channel, user_id]).fetchone()
        if row is None:
            return None
        try:
            state = json.loads(row[0])
        except json.JSONDecodeError:
            return None
        return state if isinstance(state, dict) else None

    def save_session(self, channel: str, user_id: str, state: dict[str, Any]) -> None:
        payload = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
        now = _iso(self.clock())
        self._write(lambda: self.db.execute(
            "INSERT INTO sessions (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at", [channel, user_id, payload, now]))

    def delete_session(self, channel: str, user_id: str) -> None:
        self._write(lambda: self.db.execute(
            "DELETE FROM sessions WHERE channel = ? AND user_id = ?", [channel, user_id]))

    # --- quotes -------------------------------------------------------------------------

    def save_quote(self, *, channel: str, user_id: str, dialog_id: str, confirmation: int,
                   quote: Quote, locale: str) -> int:
        """Store a confirmed quote once; a repeat of the same confirmation returns its id."""
        now = _iso(self.clock())
        payload = quote_to_dict(quote, rounded=False)  # exact figures in the JSON
        shown = quote_to_dict(quote)["monthly"]  # the columns hold what the merchant saw

        def write() -> int:
            self.db.execute(
                "INSERT INTO quotes (dialog_id, confirmation, channel, user_id, locale, "
                "daily_orders, monthly_low, monthly_high, inquiry, quote, rates_version, "
                "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?) "
                "ON CONFLICT (dialog_id, confirmation) DO NOTHING",
                [dialog_id, confirmation, channel, user_id, locale, quote.inquiry.daily_orders,
                 shown["low"], shown["high"],
                 json.dumps(inquiry_to_dict(quote), ensure_ascii=False),
                 json.dumps(payload, ensure_ascii=False), quote.rates_version, now])
            row = self.db.execute(
                "SELECT id FROM quotes WHERE dialog_id = ? AND confirmation = ?",
                [dialog_id, confirmation]).fetchone()
            return int(row[0])

        return int(self._write(write))

    def quotes(self, *, channel: str | None = None, user_id: str | None = None,
               limit: int | None = None) -> list[SavedQuote]:
        """Saved quotes, newest first."""
        where, params = [], []
        if channel is not None:
            where.append("channel = ?")
            params.append(channel)
        if user_id is not None:
            where.append("user_id = ?")
            params.append(user_id)
        sql = ("SELECT id, created_at, channel, user_id, daily_orders, monthly_low, "
               "monthly_high, status, locale FROM quotes"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY created_at DESC, id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [SavedQuote(*row) for row in self.db.execute(sql, params).fetchall()]

    def quote_json(self, quote_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT quote FROM quotes WHERE id = ?", [quote_id]).fetchone()
        return json.loads(row[0]) if row else None

    def count_quotes(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM quotes").fetchone()[0])

    # --- hand-offs ----------------------------------------------------------------------

    def record_handoff(self, *, channel: str, user_id: str, handle: str,
                       answers: dict[str, Any]) -> int:
        now = _iso(self.clock())

        def write() -> int:
            cursor = self.db.execute(
                "INSERT INTO handoffs (channel, user_id, handle, answers, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [channel, user_id, handle, json.dumps(answers, ensure_ascii=False), now])
            return int(cursor.lastrowid or 0)

        return int(self._write(write))

    def handoffs(self) -> Iterator[dict[str, Any]]:
        yield from self.db["handoffs"].rows
