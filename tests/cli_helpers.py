"""Databases with quotes in them, made through the store as the bot makes them."""

from __future__ import annotations

import uuid
from pathlib import Path

from bot.storage.store import Store
from pricing import Inquiry, load_rates, quote


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
