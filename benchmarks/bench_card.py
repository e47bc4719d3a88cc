"""Time to draw the quote card (bot/card.py) and encode it as PNG, per reference profile;
then the card works (bot/cardworks.py): the pool's throughput and the cache.

Run: .venv/bin/python benchmarks/bench_card.py [--cards N] [--quotes M]
Target (issue 13): a card renders in < 30 ms median. The first card also opens the font
(printed apart: it is paid once per process, at start-up).
Issue 21: M saved quotes' cards requested at once through `CardWorks.png` (the process
pool, started first and warmed), then the same cards again (memory), then through a fresh
CardWorks on the same database (the files kept on disk), and ten requests at once for one
new version (drawn once, shared); printed: cards/s, time per hit, the hit counts.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bot.card import font, render_card
from bot.cardworks import CardWorks
from bot.storage.store import QuoteRecord, Store
from pricing import Inquiry, Response, Scope, load_rates, quote

PROFILES = {
    "r_small": Inquiry(daily_orders=60, categories=3, scope=Scope.BASIC,
                       response=Response.STANDARD),
    "r_medium": Inquiry(daily_orders=300, categories=5, scope=Scope.TECHNICAL,
                        response=Response.FAST),
    "r_large": Inquiry(daily_orders=800, categories=6, scope=Scope.FULL_CHAIN,
                       response=Response.EMERGENCY),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100, help="cards per profile and locale")
    parser.add_argument("--quotes", type=int, default=60, help="saved quotes for the pool")
    args = parser.parse_args()
    rates = load_rates()
    issued = date.today()
    started = time.perf_counter()
    font(26)
    print(f"font opened in {(time.perf_counter() - started) * 1000:.1f} ms (once per process)")
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{args.cards} cards per row")
    everything: list[float] = []
    for locale in ("zh_CN", "en"):
        for name, inquiry in PROFILES.items():
            result = quote(inquiry, rates)
            render_card(result, locale, company="星辰客服外包", issued=issued)  # warm sizes
            times = []
            size = 0
            for _ in range(args.cards):
                begin = time.perf_counter()
                size = len(render_card(result, locale, company="星辰客服外包", issued=issued))
                times.append((time.perf_counter() - begin) * 1000)
            everything += times
            times.sort()
            print(f"{locale:5} {name:8}  median {statistics.median(times):5.1f} ms  "
                  f"p95 {times[int(len(times) * 0.95) - 1]:5.1f} ms  {size / 1024:.0f} KiB")
    print(f"all cards: median {statistics.median(everything):.1f} ms (target < 30 ms)")
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(pool_and_cache(Path(directory) / "kameng.db", args.quotes))


def saved_quotes(db: Path, count: int) -> list[QuoteRecord]:
    rates = load_rates()
    store = Store(db)
    records = []
    for index in range(count):
        inquiry = list(PROFILES.values())[index % len(PROFILES)]
        quote_id = store.save_quote(channel="telegram", user_id=str(index),
                                    dialog_id=uuid.uuid4().hex, confirmation=1,
                                    quote=quote(inquiry, rates),
                                    locale=("zh_CN", "en")[index % 2])
        record = store.record(quote_id)
        assert record is not None
        records.append(record)
    store.close()
    return records


async def pool_and_cache(db: Path, count: int) -> None:
    records = saved_quotes(db, count + 1)
    fresh = records.pop()
    works = CardWorks(db, "星辰客服外包")
    began = time.perf_counter()
    await works.png(records[0])  # starts the pool (spawn, imports, fonts): paid once
    print(f"pool started and first card drawn in {(time.perf_counter() - began) * 1000:.0f} ms")
    began = time.perf_counter()
    await asyncio.gather(*(works.png(record) for record in records[1:]))
    seconds = time.perf_counter() - began
    print(f"pool: {count - 1} cards at once in {seconds:.2f} s = {(count - 1) / seconds:.1f} "
          f"cards/s ({works.stats.drawn_in_pool} in the pool, "
          f"{works.stats.drawn_in_process} in-process)")

    began = time.perf_counter()
    for _ in range(10):
        for record in records:
            await works.png(record)
    hit = (time.perf_counter() - began) / (10 * count) * 1000
    memory_hits = works.stats.from_memory
    print(f"again, {10 * count} requests: {hit:.3f} ms per card; from memory "
          f"{memory_hits}, from disk {works.stats.from_disk} (the memory keeps the "
          f"{len(works.memory)} most recent)")

    again = CardWorks(db, "星辰客服外包", use_pool=False)  # a restarted bot, the page server
    began = time.perf_counter()
    for record in records:
        await again.png(record)
    disk = (time.perf_counter() - began) / count * 1000
    print(f"a fresh CardWorks on the same database: {count} cards in {disk:.3f} ms each; "
          f"from disk {again.stats.from_disk}, drawn {again.stats.drawn}")

    began = time.perf_counter()
    shared = await asyncio.gather(*(works.png(fresh) for _ in range(10)))
    print(f"ten requests at once for a new version: {len(set(shared))} card, drawn "
          f"{works.stats.drawn - count} time(s), {works.stats.shared} waited for it, "
          f"{(time.perf_counter() - began) * 1000:.0f} ms")
    works.close()


if __name__ == "__main__":
    main()
