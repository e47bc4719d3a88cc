"""Read models over the quotes table: the export's rows, and the figures /stats shows.

One row per quote, as a flat dict in COLUMNS order (the inquiry's answers spread into
columns), streamed from SQLite; the writers in bot/storage/export.py turn rows into files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.storage.store import Store

COLUMNS = (
    "id", "version", "parent_id", "created_at", "channel", "user", "prospect", "sales_owner",
    "daily_orders", "categories", "product_kinds", "multi_level", "cross_border", "response",
    "scope", "tooling", "ai", "mode", "volume", "billing", "budget", "discount",
    "monthly_low", "monthly_high", "per_order_low", "per_order_high", "recommended_plan",
    "status", "views", "opened_at", "accepted_at", "rates_version", "locale",
)
INQUIRY_FIELDS = ("categories", "product_kinds", "multi_level", "cross_border", "response",
                  "scope", "tooling", "ai", "mode", "volume", "billing", "budget")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Filters:
    since: str | None = None  # an ISO date or time: created_at >= since
    until: str | None = None  # created_at < until (a date means up to its start)
    status: str | None = None


def _where(filters: Filters) -> tuple[str, list[str]]:
    """The WHERE clause (or "") and its parameters for the filters."""
    where, params = [], []
    if filters.since:
        where.append("created_at >= ?")
        params.append(filters.since)
    if filters.until:
        where.append("created_at < ?")
        params.append(filters.until)
    if filters.status:
        where.append("status = ?")
        params.append(filters.status)
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def count_rows(store: Store, filters: Filters = Filters()) -> int:
    """How many quotes `rows` will give for the filters (the progress bar's 100 %)."""
    where, params = _where(filters)
    return int(next(store.stream(f"SELECT count(*) FROM quotes{where}", params))[0])


def rows(store: Store, filters: Filters = Filters()) -> Iterator[dict[str, Any]]:
    """Quotes as flat dicts in COLUMNS order, oldest first, streamed from SQLite."""
    where, params = _where(filters)
    sql = ("SELECT id, version, parent_id, created_at, channel, user_id, prospect, sales_owner, "
           "daily_orders, inquiry, monthly_low, monthly_high, per_order_low, per_order_high, "
           "recommended_plan, status, views, opened_at, accepted_at, rates_version, locale, "
           "discount FROM quotes" + where + " ORDER BY created_at, id")
    for row in store.stream(sql, params):
        inquiry = json.loads(row[9])
        record: dict[str, Any] = {
            "id": row[0], "version": row[1] or 1, "parent_id": row[2], "created_at": row[3],
            "channel": row[4], "user": row[5], "prospect": row[6], "sales_owner": row[7],
            "daily_orders": row[8]}
        for name in INQUIRY_FIELDS:
            value = inquiry.get(name)
            record[name] = " ".join(value) if isinstance(value, list) else value
        record.update({
            "discount": row[21], "monthly_low": row[10], "monthly_high": row[11],
            "per_order_low": row[12], "per_order_high": row[13], "recommended_plan": row[14],
            "status": row[15], "views": row[16] or 0, "opened_at": row[17],
            "accepted_at": row[18], "rates_version": row[19], "locale": row[20]})
        yield {name: without_controls(value) for name, value in record.items()}


def without_controls(value: Any) -> Any:
    """Text with control characters (other than tab, LF, CR) replaced by U+FFFD: XLSX
    cannot hold them at all, and NUL or ESC in a CSV trips readers and terminals. Done here,
    once, so every writer gets clean cells."""
    return CONTROL.sub("\ufffd", value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Stats:
    per_day: list[tuple[str, int]]
    quotes: int
    shared: int
    opened: int
    accepted: int

    @property
    def conversion(self) -> str:
        """Accepted out of shared, as a percentage."""
        return f"{self.accepted * 100 / self.shared:.0f}%" if self.shared else "-"


def stats(store: Store, *, days: int = 7) -> Stats:
    per_day = [(str(day), int(count)) for day, count in store.stream(
        "SELECT substr(created_at, 1, 10) AS day, count(*) FROM quotes GROUP BY day "
        "ORDER BY day DESC LIMIT ?", [days])]
    quotes, shared, opened, accepted = next(store.stream(
        "SELECT count(*), count(token), count(opened_at), count(accepted_at) FROM quotes"))
    return Stats(per_day, int(quotes), int(shared), int(opened), int(accepted))
