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

from bot.storage.store import Condition, Store

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


# The export's columns read straight from the quotes table (the rest come from its
# inquiry JSON), under the export's name where the table's differs.
TABLE_NAMES = {"user": "user_id"}
SELECT = ", ".join([
    f"{TABLE_NAMES[name]} AS {name}" if name in TABLE_NAMES else name
    for name in COLUMNS if name not in INQUIRY_FIELDS] + ["inquiry"])


@dataclass(frozen=True)
class Filters:
    since: str | None = None  # an ISO date or time: created_at >= since
    until: str | None = None  # created_at < until (a date means up to its start)
    status: str | None = None

    def conditions(self) -> list[Condition]:
        """The filters as Store conditions; an empty one applies no condition."""
        return [("created_at >= ?", self.since or None), ("created_at < ?", self.until or None),
                ("status = ?", self.status or None)]


def count_rows(store: Store, filters: Filters = Filters()) -> int:
    """How many quotes `rows` will give for the filters (the progress bar's 100 %)."""
    return store.count("quotes", filters.conditions())


def rows(store: Store, filters: Filters = Filters()) -> Iterator[dict[str, Any]]:
    """Quotes as flat dicts in COLUMNS order, oldest first, streamed from SQLite."""
    for row in store.rows("quotes", filters.conditions(), select=SELECT,
                          order_by="created_at, id"):
        inquiry = json.loads(row.pop("inquiry"))
        for name in INQUIRY_FIELDS:
            value = inquiry.get(name)
            row[name] = " ".join(value) if isinstance(value, list) else value
        row["version"] = row["version"] or 1
        row["views"] = row["views"] or 0
        yield {name: without_controls(row[name]) for name in COLUMNS}


def without_controls(value: Any) -> Any:
    """Text with control characters (other than tab, LF, CR) replaced by U+FFFD: XLSX
    cannot hold them at all, and NUL or ESC in a CSV trips readers and terminals. Done here,
    once, so every writer gets clean cells."""
    return CONTROL.sub("\ufffd", value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Totals:
    """Counts over every quote and hand-off (/stats, /metrics)."""

    quotes: int
    shared: int  # quotes with a share link made
    opened: int  # shared quotes opened at least once
    accepted: int
    views: int  # views of quote links, all quotes together
    handoffs: int


def totals(store: Store) -> Totals:
    [quotes] = store.query(
        "SELECT count(*) AS quotes, count(token) AS shared, count(opened_at) AS opened, "
        "count(accepted_at) AS accepted, coalesce(sum(views), 0) AS views FROM quotes")
    return Totals(**{name: int(value) for name, value in quotes.items()},
                  handoffs=store.count("handoffs"))


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
    per_day = [(str(row["day"]), int(row["quotes"])) for row in store.query(
        "SELECT substr(created_at, 1, 10) AS day, count(*) AS quotes FROM quotes "
        "GROUP BY day ORDER BY day DESC LIMIT ?", [days])]
    figures = totals(store)
    return Stats(per_day, figures.quotes, figures.shared, figures.opened, figures.accepted)
