"""Quote history export: CSV for Excel in Chinese (BOM, formula cells neutralised), JSON,
XLSX; filters; the CLI's exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.storage.export import export_csv
from bot.storage.store import Store
from bot.storage.views import COLUMNS, Filters, rows, stats
from pricing import Inquiry, Rates, quote
from tests.fake_telegram import FakeTelegram
from tests.procs import KAMENG, TOKEN


@pytest.fixture
def db(tmp_path: Path, rates: Rates) -> Path:
    path = tmp_path / "kameng.db"
    today = ["2026-11-01"]
    store = Store(path, clock=lambda: datetime.fromisoformat(f"{today[0]}T08:00:00+00:00"))
    for index, (day, prospect, orders) in enumerate([
            ("2026-11-01", "=HYPERLINK(\"evil\")", 60), ("2026-11-15", "星辰卡盟", 300),
            ("2026-11-20", "+cmd|' /C calc'!A0", 800)]):
        today[0] = day
        store.save_quote(channel="telegram", user_id="555", dialog_id=f"d{index}",
                         confirmation=1, quote=quote(Inquiry(daily_orders=orders), rates),
                         locale="zh_CN", prospect=prospect, sales_owner="555")
    store.accept(2)
    store.close()
    return path


def test_csv_opens_in_excel_with_chinese_and_no_live_formulas(db: Path) -> None:
    data = export_csv(Store(db))
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS and len(table) == 4
    prospects = [row[COLUMNS.index("prospect")] for row in table[1:]]
    assert prospects == ["'=HYPERLINK(\"evil\")", "星辰卡盟", "'+cmd|' /C calc'!A0"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table[1:] for cell in row)
    second = dict(zip(COLUMNS, table[2], strict=True))
    assert second["daily_orders"] == "300" and second["status"] == "accepted"
    assert second["monthly_low"] == "2470" and second["recommended_plan"] == "monthly"


def test_filters_by_date_and_status(db: Path) -> None:
    store = Store(db)
    assert [r["id"] for r in rows(store, Filters(since="2026-11-10"))] == [2, 3]
    assert [r["id"] for r in rows(store, Filters(until="2026-11-16"))] == [1, 2]
    assert [r["id"] for r in rows(store, Filters(status="accepted"))] == [2]


@pytest.mark.e2e
def test_the_cli_exports_json_with_every_column(db: Path) -> None:
    result = subprocess.run([KAMENG, "export", "--format", "json", "--db", str(db)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data) == 3 and all(tuple(item) == COLUMNS for item in data)
    assert data[1]["prospect"] == "星辰卡盟" and data[1]["daily_orders"] == 300


@pytest.mark.e2e
def test_the_cli_exports_csv_and_xlsx_files(db: Path, tmp_path: Path) -> None:
    csv_path, xlsx_path = tmp_path / "q.csv", tmp_path / "q.xlsx"
    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        result = subprocess.run([KAMENG, "export", "--format", fmt, "--out", str(path),
                                 "--db", str(db), "--status", "accepted"],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0 and "已导出 1 条报价" in result.stderr
    assert csv_path.read_bytes().startswith("\ufeff".encode())
    book = load_workbook(xlsx_path, read_only=True)  # read-only keeps the file open: close it
    try:
        values = list(book["quotes"].iter_rows(values_only=True))
    finally:
        book.close()
    assert tuple(values[0]) == COLUMNS and values[1][COLUMNS.index("prospect")] == "星辰卡盟"


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "pdf"], "--format 的取值无效：pdf"),
    (["--since", "yesterday"], "--since 须为日期"),
    (["--format", "xlsx"], "xlsx 格式需要 --out"),
])
@pytest.mark.e2e
def test_bad_export_options_are_one_line_and_exit_2(db: Path, args: list[str],
                                                     message: str) -> None:
    result = subprocess.run([KAMENG, "export", *args, "--db", str(db)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_stats_count_shares_opens_and_acceptances(db: Path) -> None:
    store = Store(db)
    store.share(1, days=30)
    store.share(2, days=30)
    store.record_view(1, channel="web", agent="x")
    figures = stats(store)
    assert (figures.quotes, figures.shared, figures.opened, figures.accepted) == (3, 2, 1, 1)
    assert figures.conversion == "50%"


@pytest.mark.e2e
def test_kameng_link_prints_both_links_and_revokes(db: Path, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PUBLIC_URL": "https://quotes.example"}
    result = subprocess.run([KAMENG, "link", "2", "--db", str(db)], capture_output=True,
                            text=True, timeout=60, check=False, env=env, cwd=tmp_path)
    telegram, web = result.stdout.split()
    assert result.returncode == 0 and telegram.startswith("https://t.me/<bot_username>?start=q_")
    assert "<bot_username> 换成机器人的用户名" in result.stderr  # no token: say what to do
    assert web.startswith("https://quotes.example/q/") and telegram.endswith(web[-22:])
    again = subprocess.run([KAMENG, "link", "2", "--db", str(db)], capture_output=True,
                           text=True, timeout=60, check=False, env=env, cwd=tmp_path)
    assert again.stdout == result.stdout  # the same token, not a new one each time
    revoked = subprocess.run([KAMENG, "link", "2", "--revoke", "--db", str(db)],
                             capture_output=True, text=True, timeout=60, check=False,
                             env=env, cwd=tmp_path)
    assert "已撤回报价 #2" in revoked.stdout
    missing = subprocess.run([KAMENG, "link", "99", "--db", str(db)], capture_output=True,
                             text=True, timeout=60, check=False, env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "没有这个报价编号" in missing.stderr


@pytest.mark.e2e
def test_kameng_link_asks_telegram_for_the_bots_username_before_the_bot_ever_ran(
    db: Path, tmp_path: Path
) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    try:
        env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN,
               "TELEGRAM_API_BASE": api.base_url}
        result = subprocess.run([KAMENG, "link", "2", "--db", str(db)], capture_output=True,
                                text=True, timeout=60, check=False, env=env, cwd=tmp_path)
    finally:
        api.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("https://t.me/kameng_test_bot?start=q_")
    assert TOKEN not in result.stdout + result.stderr
    # Remembered: the next call needs no token and no network.
    offline = subprocess.run([KAMENG, "link", "2", "--db", str(db)], capture_output=True,
                             text=True, timeout=60, check=False, env={"PATH": "/usr/bin:/bin"},
                             cwd=tmp_path)
    assert offline.stdout.split()[0] == result.stdout.split()[0] and not offline.stderr


@pytest.mark.e2e
def test_a_terminal_sees_a_progress_bar_that_ends_at_the_filtered_total(
    db: Path, tmp_path: Path
) -> None:
    """stderr on a pseudo-terminal, as when an operator runs the export by hand."""
    leader, follower = pty.openpty()
    out = tmp_path / "export.csv"
    try:
        result = subprocess.run(
            [KAMENG, "export", "--since", "2026-11-10", "--out", str(out), "--db", str(db)],
            stderr=follower, stdout=subprocess.DEVNULL, timeout=60, check=False)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    text = shown.decode()
    assert result.returncode == 0
    assert "导出中 [" in text and "2/2" in text  # two quotes since 11-10, bar full
    assert "█" * 30 in text
    assert "已导出 2" in text


@pytest.mark.e2e
def test_no_progress_bar_when_stderr_is_not_a_terminal(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = subprocess.run([KAMENG, "export", "--out", str(out), "--db", str(db)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "导出中" not in result.stderr
