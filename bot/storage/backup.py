"""Backups of the SQLite file while the bot runs, and restoring one.

`backup()` copies through SQLite's online backup API in one step: one read transaction,
so the copy is a consistent snapshot however busy the bot is (WAL readers never block the
writer). The copy is switched to a single self-contained file (journal_mode=DELETE),
checked with `PRAGMA integrity_check`, and only then renamed into place, so a backup path
never holds half a file. `restore()` checks the backup the same way, keeps the current
database beside it, and copies the backup in through the same API.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class BackupError(RuntimeError):
    """A backup or restore could not be made or failed its check: `key` is the catalog
    message (backup.error.*), `params` its values; str() is English, for logs."""

    def __init__(self, key: str, english: str, **params: object) -> None:
        super().__init__(english.format(**params))
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Backup:
    path: str
    bytes: int
    quotes: int


@dataclass(frozen=True)
class Restored:
    quotes: int
    previous: str | None  # where the database that was replaced was kept


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _connect(path: str | Path, *, mode: str) -> sqlite3.Connection:
    """An existing file only (mode "ro" or "rw"): never create one by accident."""
    uri = f"{Path(path).resolve().as_uri()}?mode={mode}"
    return sqlite3.connect(uri, uri=True, timeout=30)


def check(path: str | Path) -> int:
    """`PRAGMA integrity_check` on a database file; its number of quotes when it is ok."""
    try:
        connection = _connect(path, mode="ro")
        try:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise BackupError("backup.error.integrity", "{path}: integrity_check: {detail}",
                                  path=str(path), detail="; ".join(verdict[:3]))
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "quotes" not in tables:
                raise BackupError("backup.error.not_kameng",
                                  "{path}: not a kameng database (no quotes table)",
                                  path=str(path))
            return int(connection.execute("SELECT count(*) FROM quotes").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError("backup.error.sqlite", "{path}: {detail}", path=str(path),
                          detail=str(error)) from error


# The files SQLite keeps beside a database: writing a backup over one of them is writing
# over the database itself.
COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _same_file(first: os.stat_result, second: os.stat_result) -> bool:
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def refuse_the_source(source: str | Path, target: str | Path) -> None:
    """Raise when `target` is the database `source` or one of its -wal/-shm/-journal
    files, however it is spelt: another relative path, a symlink (followed to its end,
    even a dangling one), or a hard link (the same inode). No flag overrides this: the
    copy would be renamed over the live file, and the bot's later writes would go to
    the replaced, unlinked inode, lost."""
    live = Path(os.path.realpath(source))
    chosen = Path(os.path.realpath(target))
    names = {live.with_name(live.name + suffix) for suffix in COMPANION_SUFFIXES}
    same = chosen in names
    if not same:
        try:
            written = os.stat(target)  # follows a symlink; a hard link shares the inode
        except OSError:
            written = None
        if written is not None:
            for name in names:
                try:
                    if _same_file(written, os.stat(name)):
                        same = True
                        break
                except OSError:
                    continue
    if same:
        raise BackupError("backup.error.is_source",
                          "{path} is the database {db} itself (or its -wal/-shm file): "
                          "a backup must go to another file", path=str(target), db=str(source))


def backup(source: str | Path, destination: str | Path, *, overwrite: bool = False) -> Backup:
    """Copy `source` to `destination` (a file, or a directory to put
    kameng-<UTC time>.db in: an existing one, or a path ending in "/"), consistently,
    then check the copy. A destination that is the source itself is refused first,
    whatever `overwrite` says."""
    target = Path(destination)
    refuse_the_source(source, target)
    if target.is_dir() or str(destination).endswith(("/", os.sep)):
        target.mkdir(parents=True, exist_ok=True)  # "backups/": a folder, made if need be
        target = target / f"kameng-{_stamp()}.db"
    refuse_the_source(source, target)
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        reader = _connect(source, mode="rw")  # rw: a WAL database needs its -shm file
        try:
            copy = sqlite3.connect(partial)
            try:
                reader.backup(copy)  # pages=-1: every page in one step, one snapshot
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            reader.close()
        quotes = check(partial)
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError("backup.error.sqlite", "{path}: {detail}", path=str(source),
                          detail=str(error)) from error
    except (BackupError, OSError):
        partial.unlink(missing_ok=True)
        raise
    return Backup(str(target), target.stat().st_size, quotes)


def restore(source: str | Path, target: str | Path) -> Restored:
    """Put a checked backup in place of `target`; the replaced database is first backed
    up beside it as <target>.before-restore-<UTC time>. Stop the bot first: it keeps
    some state (who chose which language) in memory."""
    check(source)
    previous = None
    if Path(target).is_file():
        previous = backup(target, f"{target}.before-restore-{_stamp()}").path
    try:
        reader = _connect(source, mode="ro")
        try:
            writer = sqlite3.connect(target, timeout=30)
            try:
                reader.backup(writer)
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise BackupError("backup.error.sqlite", "{path}: {detail}", path=str(target),
                          detail=str(error)) from error
    return Restored(check(target), previous)
