"""Follow-ups and `kameng browse` over 100,000 quotes: one round of the bot's follow-up
loop (what is due now), `/pipeline`'s chase list, and each canned query of the browser
through Datasette's own client (the JSON API the dashboard reads).

Run: .venv/bin/python benchmarks/bench_followups.py [--quotes 100000]
The loop runs every minute in the bot's process: a round must stay far below a second.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_export import fill
from bot.browse import datasette
from bot.services.followups import Rules, pending, to_chase_today
from bot.services.staff import Staff
from bot.storage.store import Store

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def shape(store: Store, count: int) -> None:
    """A realistic mix: 60 % shared by 20 salespeople, half of those opened (with a view
    each), a fifth of the opened accepted, links expiring over the next 40 days, every
    tenth a revision of the one before; 2,000 hand-offs."""
    iso = NOW.isoformat(timespec="seconds")
    with store.db.conn:
        db = store.db.conn
        db.execute("UPDATE quotes SET sales_owner = 100 + id % 20, token = 't' || id, "
                   "expires_at = datetime(?, '+' || (id % 40) || ' days') "
                   "WHERE id % 10 < 6", [iso])
        db.execute("UPDATE quotes SET opened_at = datetime(?, '-' || (id % 9) || ' days'), "
                   "status = 'opened' WHERE token IS NOT NULL AND id % 2 = 0", [iso])
        db.execute("UPDATE quotes SET accepted_at = opened_at, status = 'accepted' "
                   "WHERE opened_at IS NOT NULL AND id % 5 = 0")
        db.execute("UPDATE quotes SET parent_id = id - 1, version = 2 WHERE id % 10 = 9")
        db.execute("INSERT INTO quote_views (quote_id, at, channel, agent_hash) "
                   "SELECT id, opened_at, 'web', 'h' FROM quotes WHERE opened_at IS NOT NULL")
        db.executemany("INSERT INTO handoffs (channel, user_id, handle, answers, created_at) "
                       "VALUES ('telegram', ?, ?, '{}', ?)",
                       [(str(9000 + i), f"@p{i}", (NOW - timedelta(hours=i % 200)).isoformat())
                        for i in range(2000)])


def timed(what: str, action: object, repeat: int = 5) -> None:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    size = len(result) if hasattr(result, "__len__") else ""  # type: ignore[arg-type]
    print(f"{what:<46} {best * 1000:8.1f} ms  {size}")


async def canned(path: str) -> None:
    ds = datasette(path)
    await ds.invoke_startup()
    for query in ("funnel", "funnel_stages", "quotes_by_day", "price_by_volume",
                  "waiting_handoffs"):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            response = await ds.client.get(f"/kameng/{query}.json?_shape=array")
            best = min(best, time.perf_counter() - start)
        assert response.status_code == 200, response.text
        print(f"{'browse /kameng/' + query + '.json':<46} {best * 1000:8.1f} ms  "
              f"{len(response.json())} rows")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=100_000)
    count = parser.parse_args().quotes
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{count:,} quotes")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "kameng.db")
        store = Store(path)
        fill(store, count)
        shape(store, count)
        staff = Staff(sales_ids=tuple(range(100, 120)), admin_ids=(1,))
        rules = Rules(quiet_days=(), hours=(0, 24 * 60))
        timed("follow-ups: one round (pending at a moment)",
              lambda: pending(store, staff, rules, NOW))
        timed("/pipeline: one salesperson's chase list",
              lambda: to_chase_today(store, staff, rules, 102, NOW))
        store.close()
        asyncio.run(canned(path))


if __name__ == "__main__":
    main()
