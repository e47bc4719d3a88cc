"""The SQLite store: schema and migrations, sessions, quotes saved exactly once."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from bot.storage import store as store_module
from bot.storage.status import ACCEPT, FIRST_OPEN, REVOKE, SHARE, QuoteStatus, link_state
from bot.storage.store import MIGRATIONS, SCHEMA_VERSION, Migration, Store, StoreError
from dialogs.engine import Engine
from dialogs.state import DialogState, Press
from pricing import Inquiry, Rates, quote


@pytest.fixture
def store(tmp_path: Path) -> Store:
    fixed = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    return Store(tmp_path / "kameng.db", clock=lambda: fixed)


def test_a_new_database_is_migrated_to_the_latest_schema_in_wal_mode(store: Store) -> None:
    assert store.schema_version == len(MIGRATIONS)
    assert set(store.db.table_names()) >= {"users", "sessions", "quotes", "handoffs"}
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_numbered_one_after_another_up_to_the_schema_version() -> None:
    assert [step.version for step in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def test_a_migration_that_fails_leaves_nothing_of_itself_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kameng.db"
    Store(path).close()

    def half_done(db: sqlite_utils.Database) -> None:
        db.table("quotes").add_column("half", str)
        db.table("half_made").create({"id": int}, pk="id")
        db.execute("UPDATE quotes SET half = 'x'")
        db.execute("SELECT no_such_column FROM quotes")

    monkeypatch.setattr(store_module, "MIGRATIONS",
                        (*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "fails", half_done)))
    with pytest.raises(StoreError, match="no_such_column"):
        Store(path)
    with sqlite3.connect(path) as plain:
        assert plain.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        tables = {row[0] for row in plain.execute("SELECT name FROM sqlite_master")}
        columns = {row[1] for row in plain.execute("PRAGMA table_info(quotes)")}
    plain.close()
    assert "half_made" not in tables and "half" not in columns


def test_reopening_does_not_migrate_again(store: Store) -> None:
    store.touch_user("terminal", "me", handle="me", locale="zh_CN")
    store.close()
    again = Store(store.path)
    assert again.schema_version == len(MIGRATIONS)
    assert again.user_locale("terminal", "me") == "zh_CN"


def test_a_quote_is_stored_once_per_confirmation(store: Store, rates: Rates) -> None:
    result = quote(Inquiry(daily_orders=300), rates)
    first = store.save_quote(channel="terminal", user_id="me", dialog_id="d1", confirmation=1,
                             quote=result, locale="zh_CN")
    repeat = store.save_quote(channel="terminal", user_id="me", dialog_id="d1",
                              confirmation=1, quote=result, locale="zh_CN")
    other = store.save_quote(channel="terminal", user_id="me", dialog_id="d1", confirmation=2,
                             quote=result, locale="zh_CN")
    assert first == repeat != other
    assert store.count_quotes() == 2
    [newest, _] = store.quotes()
    assert newest.id == other and newest.daily_orders == 300
    assert newest.created_at == "2026-11-27T08:00:00+00:00"


def test_a_revision_in_the_same_dialogue_is_the_next_version(store: Store,
                                                             rates: Rates) -> None:
    first = store.save_quote(channel="t", user_id="u", dialog_id="d", confirmation=1,
                             quote=quote(Inquiry(daily_orders=300), rates), locale="zh_CN")
    second = store.save_quote(channel="t", user_id="u", dialog_id="d", confirmation=2,
                              quote=quote(Inquiry(daily_orders=500), rates), locale="zh_CN",
                              revises=1)
    record = store.record(second)
    assert record is not None and record.version == 2 and record.parent_id == first


def test_the_quote_row_keeps_the_shown_figures_and_the_exact_json(
    store: Store, rates: Rates
) -> None:
    result = quote(Inquiry(daily_orders=300, categories=12), rates)
    quote_id = store.save_quote(channel="terminal", user_id="me", dialog_id="d", confirmation=1,
                                quote=result, locale="zh_CN")
    [row] = store.quotes()
    assert (row.monthly_low, row.monthly_high) == ("3080", "5140")  # rounded to 10 yuan
    record = store.record(quote_id)
    assert record is not None
    saved = json.loads(record.quote_json)
    assert saved["rates_version"] == rates.version
    assert saved["monthly"]["low"] == f"{result.monthly.low.normalize():f}"


def test_sessions_are_saved_and_replaced_per_channel_and_user(
    store: Store, rates: Rates
) -> None:
    engine = Engine(rates)
    state, _ = engine.start("zh_CN", dialog_id="x")
    state, _ = engine.handle(state, Press("o:300"))
    store.save_session("telegram", "42", state.to_dict())
    store.save_session("telegram", "42", state.to_dict())
    loaded = store.load_session("telegram", "42")
    assert loaded is not None and DialogState.from_dict(loaded) == state
    assert store.load_session("terminal", "42") is None
    store.delete_session("telegram", "42")
    assert store.load_session("telegram", "42") is None


def test_a_handoff_is_recorded(store: Store) -> None:
    store.record_handoff(channel="terminal", user_id="me", handle="@me", answers={"orders": 1})
    [row] = list(store.handoffs())
    assert row["handle"] == "@me" and '"orders": 1' in row["answers"]


def test_handoffs_are_listed_newest_first_up_to_the_limit(store: Store) -> None:
    for handle in ("@a", "@b", "@c"):
        store.record_handoff(channel="terminal", user_id="me", handle=handle, answers={})
    assert [row["handle"] for row in store.handoffs(limit=2)] == ["@c", "@b"]


def test_the_database_is_plain_sqlite(store: Store, rates: Rates) -> None:
    store.save_quote(channel="terminal", user_id="me", dialog_id="d", confirmation=1,
                     quote=quote(Inquiry(daily_orders=60), rates), locale="zh_CN")
    with sqlite3.connect(store.path) as plain:
        assert plain.execute("SELECT daily_orders FROM quotes").fetchone() == (60,)


# --- quote status: one set of rules for SQL and Python (bot/storage/status.py) ----------

EVERY_STATUS = [status.value for status in QuoteStatus]


def _quote_in(store: Store, rates: Rates, status: str, *, shared: bool = False) -> int:
    quote_id = store.save_quote(channel="telegram", user_id="1", dialog_id="d",
                                confirmation=1, quote=quote(Inquiry(daily_orders=300), rates),
                                locale="zh_CN")
    if shared:
        store.share(quote_id, days=7)
    store.set_status(quote_id, status)
    return quote_id


def _status(store: Store, quote_id: int) -> str:
    record = store.record(quote_id)
    assert record is not None
    return record.status


@pytest.mark.parametrize("before", EVERY_STATUS)
def test_sharing_makes_new_pending_or_revoked_quotes_sent_and_keeps_any_other_status(
    store: Store, rates: Rates, before: str
) -> None:
    quote_id = _quote_in(store, rates, before)
    store.share(quote_id, days=7)
    expected = "sent" if before in ("new", "pending_approval", "revoked") else before
    assert _status(store, quote_id) == expected == SHARE.after(before)


@pytest.mark.parametrize("before", EVERY_STATUS)
def test_the_first_open_makes_only_a_sent_quote_opened(
    store: Store, rates: Rates, before: str
) -> None:
    quote_id = _quote_in(store, rates, before, shared=True)
    assert store.record_view(quote_id, channel="web", agent="browser")
    expected = "opened" if before == "sent" else before
    assert _status(store, quote_id) == expected == FIRST_OPEN.after(before)


@pytest.mark.parametrize("before", EVERY_STATUS)
def test_revoking_and_accepting_set_their_status_from_any_other(
    store: Store, rates: Rates, before: str
) -> None:
    accepted = _quote_in(store, rates, before, shared=True)
    assert store.accept(accepted)
    assert _status(store, accepted) == "accepted" == ACCEPT.after(before)
    store.close()
    other = Store(store.path)
    revoked = other.save_quote(channel="telegram", user_id="1", dialog_id="e",
                               confirmation=1, quote=quote(Inquiry(daily_orders=300), rates),
                               locale="zh_CN")
    other.share(revoked, days=7)
    other.set_status(revoked, before)
    assert other.revoke(revoked)
    assert _status(other, revoked) == "revoked" == REVOKE.after(before)


def test_a_link_is_revoked_before_it_is_expired_and_expires_at_its_time() -> None:
    at = "2026-11-27T08:00:00+00:00"
    assert link_state(found=False, revoked_at=None, expires_at=None, now=at) == "unknown"
    assert link_state(found=True, revoked_at=at, expires_at=at, now=at) == "revoked"
    assert link_state(found=True, revoked_at=None, expires_at=at, now=at) == "expired"
    assert link_state(found=True, revoked_at=None, expires_at=at,
                      now="2026-11-27T07:59:59+00:00") == "ok"


def test_received_updates_are_kept_until_handled_then_forgotten(store: Store) -> None:
    store.keep_updates([(7, json.dumps({"update_id": 7, "message": {"text": "300"}})),
                        (8, json.dumps({"update_id": 8})), (9, "not json")])
    assert [u["update_id"] for u in store.unhandled_updates()] == [7, 8]  # broken one skipped
    store.mark_update(7)
    store.save_session("telegram", "1", {"seq": 1}, update_id=8)
    assert store.unhandled_updates() == []
    assert store.db.execute("SELECT update_id FROM inbox").fetchall() == [(9,)]
    store.keep_updates([(7, json.dumps({"update_id": 7}))])  # fetched again after handling
    assert store.unhandled_updates() == []
