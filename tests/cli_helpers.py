"""Databases for the tests: with quotes in them (made through the store as the bot makes
them), or damaged."""

from __future__ import annotations

import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

from bot.storage.store import Store
from pricing import Inquiry, Rates, load_rates, quote


def make_quotes(db: Path, count: int, *, orders: int = 300) -> None:
    """Add `count` saved quotes to the database at `db` (created if missing)."""
    rates = load_rates()
    saved = quote(Inquiry(daily_orders=orders), rates)
    store = Store(db)
    try:
        for _ in range(count):
            store.save_quote(channel="telegram", user_id="42", dialog_id=uuid.uuid4().hex,
                             confirmation=1, quote=saved, locale="zh_CN")
    finally:
        store.close()


PAGE = 4096  # SQLite's page size here


def damage(db: Path) -> Path:
    """A valid header and schema (the first page and any other the schema spills into),
    every other page overwritten: the data is damaged, the file still opens."""
    size = db.stat().st_size
    assert size > 10 * PAGE and not Path(f"{db}-wal").exists()
    with sqlite3.connect(db) as connection:  # dbstat: which pages hold sqlite_schema
        schema = {int(page) for (page,) in connection.execute(
            "SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'")}
    connection.close()
    with db.open("r+b") as file:
        for page in range(2, size // PAGE + 1):
            if page not in schema:
                file.seek((page - 1) * PAGE)
                file.write(b"\x5a" * PAGE)
    return db


def shared_quote(store: Store, rates: Rates, *, prospect: str = "星辰卡盟",
                 owner: str | None = "555") -> str:
    """A medium quote (5% off) for `prospect`, saved and shared: its link token."""
    result = quote(Inquiry(daily_orders=300, categories=5, discount=Decimal("0.05")), rates)
    quote_id = store.save_quote(channel="telegram", user_id="555", dialog_id=prospect,
                                confirmation=1, quote=result, locale="zh_CN",
                                prospect=prospect, sales_owner=owner)
    return store.share(quote_id, days=30)
