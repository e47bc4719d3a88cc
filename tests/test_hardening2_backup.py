"""Issue 24, backups and restores under a hostile probe: `kameng backup` and `kameng restore`
run as real processes against real database files, while the bot (a Store) holds them open."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.storage.store import Store
from tests.cli_helpers import make_quotes
from tests.procs import run_kameng

pytestmark = pytest.mark.e2e


def kameng(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_kameng(*args, cwd=cwd, drop=("KAMENG_", "LC_", "LANG"))


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
