"""Export 100,000 quotes to CSV, JSON and XLSX from SQLite.

Run: .venv/bin/python benchmarks/bench_export.py [--quotes 100000] [--openpyxl]
Targets: the CSV export of 100,000 quotes under 5 s on the 2-core dev machine (issue 5);
XLSX of 100,000 quotes in at most 8 s with memory flat (issue 14): each XLSX export runs
in a fresh process, at 20 % and at 100 % of the quotes, and its peak RSS is printed, so a
writer that holds the sheet in memory shows as growth. `--openpyxl` adds the previous
writer (openpyxl write-only) for comparison.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.storage.export import write_csv, write_json
from bot.storage.store import Store
from bot.storage.views import Filters, rows
from pricing import Inquiry, Response, Scope, load_rates, quote
from pricing.serialize import inquiry_to_dict, quote_to_dict


def fill(store: Store, count: int) -> None:
    """`count` quotes made from 50 distinct real quotes, inserted in one transaction."""
    rates = load_rates()
    rng = random.Random(5)
    samples = []
    for _ in range(50):
        result = quote(Inquiry(daily_orders=rng.randint(10, 3000),
                               categories=rng.randint(1, 20),
                               response=rng.choice(list(Response)),
                               scope=rng.choice(list(Scope))), rates)
        shown = quote_to_dict(result)
        samples.append((result.inquiry.daily_orders, shown["monthly"]["low"],
                        shown["monthly"]["high"], shown["alternatives"]["per_order"]["low"],
                        shown["alternatives"]["per_order"]["high"],
                        result.recommended_plan.value,
                        json.dumps(inquiry_to_dict(result), ensure_ascii=False),
                        json.dumps(quote_to_dict(result, rounded=False), ensure_ascii=False)))
    with store.db.conn:
        store.db.conn.executemany(
            "INSERT INTO quotes (dialog_id, confirmation, channel, user_id, locale, "
            "daily_orders, monthly_low, monthly_high, per_order_low, per_order_high, "
            "recommended_plan, inquiry, quote, rates_version, status, created_at, version, "
            "prospect, views) VALUES (?, 1, 'telegram', ?, 'zh_CN', ?, ?, ?, ?, ?, ?, ?, ?, "
            "'r', 'new', ?, 1, ?, 0)",
            ((f"d{i}", str(1000 + i % 5000), *samples[i % 50][:7], samples[i % 50][7],
              f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T08:00:00+00:00", f"客户{i}")
             for i in range(count)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--openpyxl", action="store_true",
                        help="also time the previous XLSX writer (openpyxl, ~25 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "kameng.db")
        started = time.perf_counter()
        fill(store, args.quotes)
        print(f"machine: {platform.machine()} {platform.python_implementation()} "
              f"{platform.python_version()}")
        print(f"filled {args.quotes:,} quotes in {time.perf_counter() - started:.1f} s")
        for name, writer in (("csv", write_csv), ("json", write_json)):
            out = Path(tmp) / f"quotes.{name}"
            started = time.perf_counter()
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = writer(rows(store, Filters()), handle, None)
            seconds = time.perf_counter() - started
            print(f"export {name}: {count:,} quotes in {seconds:.2f} s "
                  f"({count / seconds:,.0f} quotes/s, {out.stat().st_size / 1e6:.1f} MB)"
                  + ("  (target: csv under 5 s)" if name == "csv" else ""))
        store.close()
        for limit in (args.quotes // 5, args.quotes):
            xlsx(Path(tmp) / "kameng.db", limit, "xlsxwriter")
        if args.openpyxl:
            xlsx(Path(tmp) / "kameng.db", args.quotes, "openpyxl")


XLSX_CHILD = """
import resource, sys, time
from itertools import islice
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.storage.export import neutralise, write_xlsx
from bot.storage.store import Store
from bot.storage.views import COLUMNS, Filters, rows
store = Store({db!r})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
cpu = time.process_time()
records = islice(rows(store, Filters()), {limit})
if {writer!r} == "openpyxl":
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("quotes")
    sheet.append(list(COLUMNS))
    count = 0
    for record in records:
        sheet.append([neutralise(record[name]) for name in COLUMNS])
        count += 1
    book.save({out!r})
else:
    count = write_xlsx(records, Path({out!r}))
seconds = time.perf_counter() - started
cpu = time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
size = Path({out!r}).stat().st_size
print(f"{{count}} {{seconds}} {{cpu}} {{base / 1024}} {{peak / 1024}} {{size}}")
"""


def xlsx(db: Path, limit: int, writer: str) -> None:
    """One XLSX export of the first `limit` quotes in a fresh process: time and peak RSS."""
    out = db.with_name(f"quotes-{writer}-{limit}.xlsx")
    code = XLSX_CHILD.format(root=str(Path(__file__).resolve().parents[1]), db=str(db),
                             limit=limit, writer=writer, out=str(out))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    count, seconds, cpu, base, peak, size = result.stdout.split()
    print(f"export xlsx ({writer}): {int(count):,} quotes in {float(seconds):.2f} s "
          f"(CPU {float(cpu):.2f} s, "
          f"{int(count) / float(seconds):,.0f} quotes/s, {int(size) / 1e6:.1f} MB), "
          f"peak RSS {float(peak):.0f} MB (at start {float(base):.0f} MB)"
          + ("  (target: 100k in ≤ 8 s, memory flat)" if writer == "xlsxwriter" else ""))


if __name__ == "__main__":
    main()
