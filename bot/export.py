"""Quote history out of SQLite: CSV that Excel opens in Chinese, JSON, XLSX; and /stats.

One row per quote. CSV is UTF-8 with a BOM (Excel otherwise guesses a legacy code page
and garbles Chinese) and every cell that a spreadsheet would read as a formula (starting
with = + - @, tab, CR or NUL) gets a leading apostrophe (OWASP's CSV injection advice),
on top of ordinary quoting.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bot.store import Store

COLUMNS = (
    "id", "version", "parent_id", "created_at", "channel", "user", "prospect", "sales_owner",
    "daily_orders", "categories", "product_kinds", "multi_level", "cross_border", "response",
    "scope", "tooling", "ai", "mode", "volume", "billing", "budget", "discount",
    "monthly_low", "monthly_high", "per_order_low", "per_order_high", "recommended_plan",
    "status", "views", "opened_at", "accepted_at", "rates_version", "locale",
)
INQUIRY_FIELDS = ("categories", "product_kinds", "multi_level", "cross_border", "response",
                  "scope", "tooling", "ai", "mode", "volume", "billing", "budget")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
BOM = "\ufeff"
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


def neutralise(value: Any) -> str:
    """A cell as text, with a leading apostrophe where a spreadsheet would see a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Counted:
    """Records passed through, counted, with a progress call every 1,000 and at the end."""

    def __init__(self, records: Iterator[dict[str, Any]],
                 progress: Callable[[int], None] | None) -> None:
        self.records, self.progress, self.count = records, progress, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for record in self.records:
            yield record
            self.count += 1
            if self.progress is not None and self.count % 1000 == 0:
                self.progress(self.count)
        if self.progress is not None and self.count % 1000:
            self.progress(self.count)


def write_csv(records: Iterator[dict[str, Any]], out: io.TextIOBase | Any,
              progress: Callable[[int], None] | None = None) -> int:
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    counted = _Counted(records, progress)
    for record in counted:
        writer.writerow([neutralise(record[name]) for name in COLUMNS])
    return counted.count


def write_json(records: Iterator[dict[str, Any]], out: io.TextIOBase | Any,
               progress: Callable[[int], None] | None = None) -> int:
    """A JSON array of objects with the COLUMNS keys, streamed."""
    out.write("[")
    counted = _Counted(records, progress)
    for record in counted:
        out.write(",\n" if counted.count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
    out.write("\n]\n")
    return counted.count


def write_xlsx(records: Iterator[dict[str, Any]], path: Path | BinaryIO,
               progress: Callable[[int], None] | None = None) -> int:
    """XLSX through xlsxwriter in constant-memory mode: each row goes to disk as it is
    written, so memory stays flat however many quotes. Every cell is text (already
    neutralised), never read as a formula, number, URL or rich string. The header row is
    bold and frozen, with a filter."""
    import xlsxwriter  # only needed for xlsx

    target = str(path) if isinstance(path, Path) else path
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = book.add_worksheet("quotes")
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, COLUMNS, book.add_format({"bold": True}))
    counted = _Counted(records, progress)
    rows_out = _XlsxRows(sheet)
    for number, record in enumerate(counted, start=1):
        rows_out.write(number, [neutralise(record[name]) for name in COLUMNS])
    rows_out.finish(counted.count)
    sheet.autofilter(0, 0, counted.count, len(COLUMNS) - 1)
    book.close()
    return counted.count


XLSX_FAST = True  # rows straight into xlsxwriter's row file (False: its public API)
XLSX_CELL_LIMIT = 32_767  # Excel's longest cell, in UTF-16 code units
_XLSX_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_XLSX_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_XLSX_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_XLSX_COLUMNS = [("" if i < 26 else chr(64 + i // 26)) + chr(65 + i % 26)
                 for i in range(len(COLUMNS))]


def _xlsx_text(text: str) -> str:
    """A cell's text as xlsxwriter's constant-memory writer puts it in the sheet XML."""
    if len(text) > XLSX_CELL_LIMIT // 2 and len(text.encode("utf-16-le")) > 2 * XLSX_CELL_LIMIT:
        text = text.encode("utf-16-le")[:2 * XLSX_CELL_LIMIT].decode("utf-16-le", "ignore")
    if _XLSX_SPECIAL.search(text):
        text = _XLSX_ESCAPED.sub(r"_x005F\1", text)
        text = _XLSX_CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class _XlsxRows:
    """Data rows for an xlsxwriter sheet in constant-memory mode.

    xlsxwriter spends ~6 µs per cell on checks this export never needs (100k quotes: ~15 s
    of a 33-column sheet). Where its constant-memory row file is there, the rows are
    written into it as the very XML its own `write_string` writes (tests compare the two
    byte for byte), and the sheet's dimensions set once at the end; otherwise, through
    the public API."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.file = None
        internals = ("row_data_fh", "_write_single_row", "previous_row", "_check_dimensions")
        if (XLSX_FAST and getattr(sheet, "constant_memory", False)
                and all(hasattr(sheet, name) for name in internals)):
            sheet._write_single_row(1)  # the header row, written by xlsxwriter itself
            self.file = sheet.row_data_fh

    def write(self, row: int, cells: list[str]) -> None:
        if self.file is None:
            for column, text in enumerate(cells):
                if text:
                    self.sheet.write_string(row, column, text)
            return
        number = row + 1
        parts = [f'<row r="{number}">']
        special, half = _XLSX_SPECIAL.search, XLSX_CELL_LIMIT // 2
        for letter, text in zip(_XLSX_COLUMNS, cells, strict=True):
            if text:
                if len(text) > half or special(text):
                    text = _xlsx_text(text)
                space = ' xml:space="preserve"' if (text[0].isspace()
                                                    or text[-1].isspace()) else ""
                parts.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text}'
                             "</t></is></c>")
        if len(parts) > 1:
            parts.append("</row>")
            self.file.write("".join(parts))

    def finish(self, rows: int) -> None:
        if self.file is not None and rows:
            self.sheet._check_dimensions(rows, len(COLUMNS) - 1)
            self.sheet.previous_row = rows + 1


def export_csv(store: Store, filters: Filters = Filters()) -> bytes:
    buffer = io.StringIO()
    write_csv(rows(store, filters), buffer)
    return buffer.getvalue().encode("utf-8")


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
