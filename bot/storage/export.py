"""Quote history out of SQLite as files: CSV that Excel opens in Chinese, JSON, XLSX.

The rows come from bot/storage/views.py, one per quote. CSV is UTF-8 with a BOM (Excel
otherwise guesses a legacy code page and garbles Chinese) and every cell that a
spreadsheet would read as a formula (starting with = + - @, tab, CR or NUL) gets a
leading apostrophe (OWASP's CSV injection advice), on top of ordinary quoting.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from bot.storage.store import Store
from bot.storage.views import COLUMNS, Filters, rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
BOM = "\ufeff"


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


def export_csv(store: Store, filters: Filters | None = None) -> bytes:
    """Every quote (or those the filters keep) as the bytes of a CSV file (/export)."""
    buffer = io.StringIO()
    write_csv(rows(store, filters or Filters()), buffer)
    return buffer.getvalue().encode("utf-8")


