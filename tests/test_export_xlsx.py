"""The XLSX export: what Excel gets, byte for byte what xlsxwriter itself would write,
streamed with flat memory."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.storage import export
from bot.storage.export import write_xlsx
from bot.storage.views import COLUMNS

TRICKY = ["星辰卡盟", "a & b < c > d", " leading", "trailing ", "tab\tinside", "line\nbreak",
          "bell\x07 and CR\r", "_x0041_ looks escaped", "'=HYPERLINK(\"x\")", "\ufffe",
          "emoji 🎮 ok", "", None, 0, 12345, True, "x" * 40_000]


def records(count: int) -> list[dict[str, Any]]:
    rows = []
    for index in range(count):
        value = TRICKY[index % len(TRICKY)]
        rows.append({name: (value if column % 3 == 0 else f"{name}-{index}")
                     for column, name in enumerate(COLUMNS)})
    return rows


def read(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return list(book["quotes"].iter_rows(values_only=True))
    finally:
        book.close()


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_the_fast_rows_are_exactly_what_xlsxwriter_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = records(3 * len(TRICKY))
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    assert write_xlsx(iter(data), fast) == len(data)
    monkeypatch.setattr(export, "XLSX_FAST", False)
    assert write_xlsx(iter(data), slow) == len(data)
    assert sheet_xml(fast) == sheet_xml(slow)


def test_excel_readers_see_the_header_and_every_value_as_text(tmp_path: Path) -> None:
    data = records(len(TRICKY))
    path = tmp_path / "q.xlsx"
    write_xlsx(iter(data), path)
    got = read(path)
    assert got[0] == COLUMNS and len(got) == len(data) + 1
    assert got[1][0] == "星辰卡盟" and got[2][0] == "a & b < c > d"
    assert got[3][0] == " leading" and got[11][0] == "emoji 🎮 ok"
    assert got[9][0] == "'=HYPERLINK(\"x\")"  # neutralised, a string, not a formula
    assert got[15][0] == "12345" and got[16][0] == "true"
    assert len(got[17][0]) == 32_767  # Excel's limit per cell
    for row in got[1:]:
        assert all(isinstance(cell, str) or cell is None for cell in row)


def test_markup_in_a_cell_stays_text(tmp_path: Path) -> None:
    row = dict.fromkeys(COLUMNS, "<r><t>rich?</t></r>")
    path = tmp_path / "q.xlsx"
    write_xlsx(iter([row]), path)
    values = read(path)[1]
    assert values[0] == "<r><t>rich?</t></r>"


def test_the_header_is_frozen_and_filtered(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    write_xlsx(iter(records(5)), path)
    xml = sheet_xml(path)
    assert '<pane ySplit="1"' in xml and '<autoFilter ref="A1:AG6"/>' in xml
    assert '<dimension ref="A1:AG6"/>' in xml


def test_an_empty_export_is_a_valid_workbook_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    assert write_xlsx(iter([]), path) == 0
    assert read(path) == [COLUMNS]
