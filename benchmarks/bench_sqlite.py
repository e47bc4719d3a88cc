"""SQLite under concurrent dialogues: several processes saving dialogue states and quotes
into one WAL database at once, as several bot workers (or the bot plus `kameng serve`)
would.

Run: .venv/bin/python benchmarks/bench_sqlite.py [--workers 4] [--saves 2000]
Prints commits/s, p50/p99 save latency, and how many saves failed with SQLITE_BUSY
(target: 0 surfaced — the busy timeout absorbs lock waits).
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.storage.store import Store, StoreError
from dialogs.engine import Engine
from dialogs.state import Press
from pricing import Inquiry, load_rates, quote


def worker(path: str, index: int, saves: int, results: multiprocessing.Queue) -> None:
    store = Store(path)
    engine = Engine(load_rates())
    state, _ = engine.start("zh_CN", dialog_id=f"w{index}")
    state, _ = engine.handle(state, Press("o:300"))
    payload = state.to_dict()
    result = quote(Inquiry(daily_orders=300), load_rates())
    latencies, busy = [], 0
    for n in range(saves):
        started = time.perf_counter()
        try:
            if n % 20 == 19:  # now and then a confirmed quote, a bigger transaction
                store.save_quote(channel="bench", user_id=str(index), dialog_id=f"w{index}",
                                 confirmation=n, quote=result, locale="zh_CN")
            else:
                store.save_session("bench", f"{index}-{n % 50}", payload,
                                   update_id=index * 10_000_000 + n)
        except StoreError:
            busy += 1
        latencies.append(time.perf_counter() - started)
    results.put((latencies, busy))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--saves", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "kameng.db")
        Store(path).close()  # migrate once
        results: multiprocessing.Queue = multiprocessing.Queue()
        processes = [multiprocessing.Process(target=worker,
                                             args=(path, i, args.saves, results))
                     for i in range(args.workers)]
        started = time.perf_counter()
        for process in processes:
            process.start()
        gathered = [results.get() for _ in processes]
        for process in processes:
            process.join()
        seconds = time.perf_counter() - started
    latencies = sorted(latency for part, _ in gathered for latency in part)
    busy = sum(count for _, count in gathered)
    commits = len(latencies) - busy
    print(f"machine: {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}")
    print(f"sqlite: {args.workers} processes x {args.saves} saves (1 in 20 a quote): "
          f"{commits:,} commits in {seconds:.2f} s = {commits / seconds:,.0f} commits/s; "
          f"save p50 {latencies[len(latencies) // 2] * 1000:.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.2f} ms; "
          f"SQLITE_BUSY surfaced: {busy}")


if __name__ == "__main__":
    main()
