"""The command line with a careless operator, through the real `kameng` process: damaged
and newer databases, exports that never lose an existing file, closed pipes, folders that
do not exist, and database files only their owner can read."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.store import Store
from pricing import Inquiry, Rates, quote
from tests.cli_helpers import damage
from tests.procs import KAMENG, run_kameng

pytestmark = pytest.mark.e2e


def kameng(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_kameng(*args, cwd=cwd, stdin=stdin, drop=("KAMENG_DB", "TELEGRAM_BOT_TOKEN"))


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kameng: "), result.stderr
    return lines[0]


@pytest.fixture
def db(tmp_path: Path, rates: Rates) -> Path:
    path = tmp_path / "kameng.db"
    store = Store(path)
    for index in range(30):
        store.save_quote(channel="telegram", user_id="555", dialog_id=f"d{index}",
                         confirmation=1, quote=quote(Inquiry(daily_orders=100 + index), rates),
                         locale="zh_CN", prospect=f"客户{index}", sales_owner="555")
    store.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def damaged(db: Path) -> Path:
    return damage(db)


DB_COMMANDS = [("history",), ("history", "--json"), ("export",), ("export", "--format", "json"),
               ("link", "1"), ("chat", "--user", "wu")]


@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_a_damaged_database_is_one_line_naming_the_file_and_the_way_out(
        damaged: Path, command: tuple[str, ...]) -> None:
    line = one_line(kameng(*command, "--db", str(damaged), cwd=damaged.parent,
                           stdin="300\n"))
    assert str(damaged) in line and ".recover" in line and "备份" in line


def test_a_damaged_database_never_costs_the_previous_export(damaged: Path) -> None:
    for fmt in ("csv", "json", "xlsx"):  # nothing half-written is left behind
        one_line(kameng("export", "--format", fmt, "--out", f"new.{fmt}", "--db",
                        str(damaged), cwd=damaged.parent))
    assert sorted(p.name for p in damaged.parent.iterdir()) == ["kameng.db"]
    out = damaged.parent / "quotes.csv"
    out.write_text("the export of last week\n")
    for fmt in ("csv", "json", "xlsx"):
        one_line(kameng("export", "--format", fmt, "--out", str(out), "--force", "--db",
                        str(damaged), cwd=damaged.parent))
        assert out.read_text() == "the export of last week\n"
    assert sorted(p.name for p in damaged.parent.iterdir()) == ["kameng.db", "quotes.csv"]


@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_a_database_from_a_newer_kameng_is_refused_and_left_unchanged(
        db: Path, command: tuple[str, ...]) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()
    before = digest(db)
    line = one_line(kameng(*command, "--db", str(db), "--lang", "en", cwd=db.parent,
                           stdin="300\n"))
    assert "newer kameng" in line and "Upgrade kameng" in line and str(db) in line
    assert digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["kameng.db"]  # no -wal, no -shm


def test_export_refuses_to_overwrite_a_file_without_force(db: Path) -> None:
    out = db.parent / "quotes.csv"
    out.write_text("keep me\n")
    line = one_line(kameng("export", "--out", str(out), "--db", str(db), cwd=db.parent))
    assert "--force" in line and out.read_text() == "keep me\n"
    result = kameng("export", "--out", str(out), "--force", "--db", str(db), cwd=db.parent)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8-sig").startswith("id,version")
    assert sorted(p.name for p in db.parent.iterdir()) == ["kameng.db", "quotes.csv"]


def test_export_replaces_a_symlink_instead_of_writing_through_it(db: Path) -> None:
    victim = db.parent / "victim.txt"
    victim.write_text("not yours\n")
    link = db.parent / "quotes.csv"
    link.symlink_to(victim)
    one_line(kameng("export", "--out", str(link), "--db", str(db), cwd=db.parent))
    result = kameng("export", "--out", str(link), "--force", "--db", str(db), cwd=db.parent)
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "not yours\n"
    assert not link.is_symlink() and link.read_text(encoding="utf-8-sig").startswith("id,")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_into_a_missing_folder_is_one_line(db: Path, fmt: str) -> None:
    line = one_line(kameng("export", "--format", fmt, "--out", "/nonexistent/dir/x." + fmt,
                           "--db", str(db), cwd=db.parent))
    assert "/nonexistent/dir/x." + fmt in line


@pytest.mark.parametrize("command", [("quote", "--orders", "300", "--json"),
                                     ("quote", "--orders", "300"), ("history",),
                                     ("history", "--json"), ("export",)], ids=" ".join)
def test_a_closed_pipe_ends_the_command_silently(db: Path, command: tuple[str, ...]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head` that has already gone
    try:
        env = {key: value for key, value in os.environ.items() if key != "KAMENG_DB"}
        result = subprocess.run([KAMENG, *command, *(("--db", str(db)) if command[0] != "quote"
                                                     else ())],
                                stdout=write_end, stderr=subprocess.PIPE, text=True,
                                cwd=db.parent, env=env, timeout=60)
    finally:
        os.close(write_end)
    assert result.stderr == "" and result.returncode == 141


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_read_only_in_part_ends_silently(db: Path, fmt: str) -> None:
    # `kameng export | head -c 300`: rows were already flowing when the reader went away.
    env = {key: value for key, value in os.environ.items() if key != "KAMENG_DB"}
    with subprocess.Popen([KAMENG, "export", "--format", fmt, "--db", str(db)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=db.parent,
                          env=env) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(300)
        process.stdout.close()
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=60)
    assert stderr == "" and code in (0, 141)


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_database_and_its_wal_files_are_created_for_the_owner_only(
        tmp_path: Path, umask_022: None) -> None:
    result = kameng("chat", "--db", "new.db", "--user", "wu", cwd=tmp_path, stdin="300\n")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "new.db").stat().st_mode) == 0o600
    store = Store(tmp_path / "other.db")  # open: the -wal and -shm files exist meanwhile
    try:
        store.touch_user("telegram", "1", handle="@wu")
        for name in ("other.db", "other.db-wal", "other.db-shm"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    finally:
        store.close()


def link_token(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.split("start=q_")[1].split()[0]


def test_kameng_link_never_prints_a_dead_link_and_the_status_follows_the_link(
        db: Path) -> None:
    first = link_token(kameng("link", "1", "--db", str(db), cwd=db.parent))
    assert link_token(kameng("link", "1", "--db", str(db), cwd=db.parent)) == first
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE quotes SET expires_at = '2026-01-02T00:00:00+00:00' "
                           "WHERE id = 1")
    connection.close()
    result = kameng("link", "1", "--db", str(db), cwd=db.parent)
    renewed = link_token(result)
    assert renewed != first and "已于 2026-01-02 过期" in result.stderr
    assert kameng("link", "1", "--revoke", "--db", str(db), cwd=db.parent).returncode == 0
    result = kameng("link", "1", "--db", str(db), cwd=db.parent)
    assert link_token(result) != renewed and "已撤回" in result.stderr
    with sqlite3.connect(db) as connection:
        [(status, revoked_at, expires_at)] = connection.execute(
            "SELECT status, revoked_at, expires_at FROM quotes WHERE id = 1").fetchall()
    connection.close()
    assert status == "sent" and revoked_at is None and expires_at > "2026-11"


def test_control_characters_in_any_cell_never_abort_an_export(tmp_path: Path,
                                                              rates: Rates) -> None:
    db = tmp_path / "kameng.db"
    store = Store(db)
    store.save_quote(channel="telegram", user_id="5\x1b[2J55", dialog_id="d", confirmation=1,
                     quote=quote(Inquiry(daily_orders=300), rates), locale="zh_CN",
                     prospect="星辰\x00卡盟\x07\x0b\x1b[31m", sales_owner="555")
    store.close()
    for fmt in ("xlsx", "csv", "json"):
        result = kameng("export", "--format", fmt, "--out", f"q.{fmt}", "--db", str(db),
                        cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "q.xlsx").active
    assert sheet is not None
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert "星辰\ufffd卡盟\ufffd\ufffd\ufffd[31m" in cells
    for name in ("q.csv", "q.json"):
        text = (tmp_path / name).read_text(encoding="utf-8-sig")
        assert not any(ch < " " and ch not in "\r\n" for ch in text), name
        assert "星辰\ufffd卡盟" in text or "星辰\\ufffd卡盟" in text
