"""Issue 24, backups and restores under a hostile probe: `kameng backup` and `kameng restore`
run as real processes against real database files, while the bot (a Store) holds them open."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from bot.storage.store import Store
from tests.cli_helpers import make_quotes
from tests.procs import KAMENG

pytestmark = pytest.mark.e2e


def kameng(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command, in zh_CN, with the usual umask 022 (what makes files 0644)."""
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith(("KAMENG_", "LC_", "LANG"))}
    return subprocess.run([KAMENG, *args], capture_output=True, text=True, env=environ,
                          cwd=cwd, timeout=60, check=False,
                          preexec_fn=lambda: os.umask(0o022))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


# --- item 1: a backup onto the live database is refused, whatever the flags -------------

def _spell(tmp_path: Path, how: str) -> str:
    """The live database k.db (or a file of its), named another way."""
    if how == "symlink":
        (tmp_path / "link.db").symlink_to(tmp_path / "k.db")
        return "link.db"
    if how == "hard link":
        os.link(tmp_path / "k.db", tmp_path / "hard.db")
        return "hard.db"
    if how == "hard link to -wal":
        os.link(tmp_path / "k.db-wal", tmp_path / "wal-copy.db")
        return "wal-copy.db"
    if how == "symlinked folder":
        (tmp_path / "here").symlink_to(tmp_path)
        return "here/k.db"
    if how == "dotted":
        (tmp_path / "sub").mkdir()
        return "./sub/../k.db"
    if how == "absolute":
        return str(tmp_path / "k.db")
    return how  # "k.db", "k.db-wal", "k.db-shm", "k.db/" as typed


@pytest.mark.parametrize("force", [True, False], ids=["--force", "no-force"])
@pytest.mark.parametrize("how", ["k.db", "absolute", "dotted", "k.db/", "symlink", "hard link",
                                 "symlinked folder", "k.db-wal", "k.db-shm",
                                 "hard link to -wal"])
def test_a_backup_onto_the_live_database_is_refused_and_loses_nothing(
    tmp_path: Path, how: str, force: bool,
) -> None:
    db = tmp_path / "k.db"
    make_quotes(db, 3)
    bot = Store(db)  # the bot is running: WAL mode, -wal and -shm beside the file
    try:
        destination = _spell(tmp_path, how)
        inode = db.stat().st_ino
        result = kameng("backup", destination, "--db", "k.db", *(["--force"] * force),
                        cwd=tmp_path)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.startswith("kameng: 备份/恢复失败")
        assert "本身" in result.stderr and "--force" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stdout == ""
        assert db.stat().st_ino == inode  # not renamed over
        make_quotes(db, 1)  # a write after the attempt is kept
        bot.set_meta("after", "kept")
    finally:
        bot.close()
    reopened = Store(db)
    try:
        assert reopened.count_quotes() == 4 and reopened.get_meta("after") == "kept"
    finally:
        reopened.close()
    assert not list(tmp_path.glob(".*partial"))


def test_the_refusal_speaks_the_chosen_language(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 1)
    english = kameng("backup", "k.db", "--db", "k.db", "--force", "--lang", "en", cwd=tmp_path)
    assert english.returncode == 2
    assert "is the database k.db itself" in english.stderr
    assert "even with --force" in english.stderr
    taiwan = kameng("backup", "k.db", "--db", "k.db", "--lang", "zh-TW", cwd=tmp_path)
    assert taiwan.returncode == 2 and "資料庫" in taiwan.stderr


def test_a_backup_beside_the_database_with_a_similar_name_still_works(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 2)
    for name in ("k.db.bak", "k.db-wal.db", "k2.db"):
        made = kameng("backup", name, "--db", "k.db", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        assert Store(tmp_path / name).count_quotes() == 2


# --- item 2: backups, kept copies and restored databases are the owner's only -----------

def test_backups_and_their_folders_are_made_owner_only(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 2)
    assert kameng("backup", "one.db", "--db", "k.db", cwd=tmp_path).returncode == 0
    assert mode(tmp_path / "one.db") == 0o600
    made = kameng("backup", "nightly/2026/", "--db", "k.db", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert mode(tmp_path / "nightly") == mode(tmp_path / "nightly" / "2026") == 0o700
    [copy] = (tmp_path / "nightly" / "2026").glob("kameng-*.db")
    assert mode(copy) == 0o600


def test_restored_databases_and_the_kept_copy_are_owner_only(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 2)
    assert kameng("backup", "b.db", "--db", "k.db", cwd=tmp_path).returncode == 0
    done = kameng("restore", "b.db", "--db", "new.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert mode(tmp_path / "new.db") == 0o600
    bot = Store(tmp_path / "new.db")  # the bot starts on it: WAL files appear
    try:
        assert mode(tmp_path / "new.db-wal") == mode(tmp_path / "new.db-shm") == 0o600
    finally:
        bot.close()
    again = kameng("restore", "b.db", "--db", "new.db", "--force", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    [kept] = tmp_path.glob("new.db.before-restore-*")
    assert mode(kept) == 0o600


# --- item 3: --force never replaces a device or a FIFO ------------------------------------

def _device(tmp_path: Path) -> str:
    """A character device of our own (the same as /dev/null), never the system's: a test
    run against code without the check, as root, would replace the real /dev/null."""
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device file needs root (CI runs as root)")
    return str(tmp_path / "null")


@pytest.mark.parametrize("command", [("export", "--format", "csv", "--out"), ("backup",)],
                         ids=["export", "backup"])
@pytest.mark.parametrize("target", ["fifo", "symlink to fifo", "device"])
def test_force_onto_a_device_or_a_fifo_is_refused(tmp_path: Path, command: tuple[str, ...],
                                                   target: str) -> None:
    make_quotes(tmp_path / "k.db", 1)
    os.mkfifo(tmp_path / "pipe")
    if target == "symlink to fifo":
        (tmp_path / "link").symlink_to(tmp_path / "pipe")
    path = {"fifo": "pipe", "symlink to fifo": "link"}.get(target) or _device(tmp_path)
    result = kameng(*command, path, "--force", "--db", "k.db", cwd=tmp_path)
    assert "不是普通文件" in one_line(result) and path in result.stderr
    assert stat.S_ISFIFO((tmp_path / "pipe").stat().st_mode)
    assert os.path.islink(tmp_path / "link") or target != "symlink to fifo"
    if target == "device":
        assert stat.S_ISCHR(os.stat(path).st_mode)


# --- item 22: restore checks the schema version and the tables first --------------------

def test_restore_refuses_a_backup_from_a_newer_kameng(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 1)
    assert kameng("backup", "b.db", "--db", "k.db", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "b.db") as newer:
        newer.execute("PRAGMA user_version = 99")
    result = kameng("restore", "b.db", "--db", "new.db", cwd=tmp_path)
    assert "更新版本" in one_line(result) and "99" in result.stderr
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize("version", [0, 4])
def test_restore_refuses_an_sqlite_file_that_only_looks_like_kameng(
    tmp_path: Path, version: int,
) -> None:
    with sqlite3.connect(tmp_path / "other.db") as other:
        other.execute("CREATE TABLE quotes (id INTEGER PRIMARY KEY, title TEXT)")
        other.execute("INSERT INTO quotes (title) VALUES ('not ours')")
        other.execute(f"PRAGMA user_version = {version}")
    result = kameng("restore", "other.db", "--db", "new.db", cwd=tmp_path)
    assert "不是 kameng 的数据库" in one_line(result)
    assert not (tmp_path / "new.db").exists()


# --- item 23: each error names the right file and suggests --force only where it helps ---

def test_a_folder_that_is_a_file_is_named_and_force_is_not_suggested(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 1)
    (tmp_path / "old.bak").write_text("x", encoding="utf-8")
    for force in ([], ["--force"]):
        result = kameng("backup", "old.bak/", "--db", "k.db", *force, cwd=tmp_path)
        assert "old.bak/" in one_line(result) and "--force" not in result.stderr
        assert ".partial" not in result.stderr


def test_an_unwritable_destination_is_named_not_the_database(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 1)
    # /proc takes no new files, even from root (the tests may run as root in CI).
    result = kameng("backup", "/proc/kameng-copy.db", "--db", "k.db", cwd=tmp_path)
    line = one_line(result)
    assert "无法写入 /proc/kameng-copy.db" in line and "k.db：" not in line
    assert ".partial" not in line


def test_restoring_a_database_onto_itself_does_not_suggest_force(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 1)
    for force in ([], ["--force"]):
        result = kameng("restore", "k.db", "--db", "k.db", *force, cwd=tmp_path)
        assert "就是要恢复的备份" in one_line(result) and "--force" not in result.stderr
    assert not list(tmp_path.glob("k.db.before-restore-*"))
