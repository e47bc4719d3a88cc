"""Backups of the SQLite file while the bot runs, and restoring one.

`backup()` copies through SQLite's online backup API in one step: one read transaction,
so the copy is a consistent snapshot however busy the bot is (WAL readers never block the
writer). The copy is switched to a single self-contained file (journal_mode=DELETE),
checked with `PRAGMA integrity_check`, and only then renamed into place, so a backup path
never holds half a file. `restore()` checks the backup the same way, keeps the current
database beside it, and copies the backup in through the same API.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class BackupError(RuntimeError):
    """A backup or restore could not be made or failed its check: `key` is the catalog
    message (backup.error.*), `params` its values; str() is English, for logs."""

    def __init__(self, key: str, english: str, **params: object) -> None:
        super().__init__(english.format(**params))
        self.key = key
        self.english = english
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


# The tables each schema version brings (bot/storage/store.py MIGRATIONS): a file that
# says it is at version N and lacks one of these is not a kameng database.
TABLES_SINCE = {1: ("users", "sessions", "quotes", "handoffs"),
                2: ("quote_views", "meta"),
                3: ("processed_updates",),
                4: ("inbox",)}
QUOTE_COLUMNS = ("id", "dialog_id", "confirmation", "channel", "user_id", "inquiry", "quote",
                 "status", "created_at")


def check(path: str | Path, *, restoring: bool = False) -> int:
    """`PRAGMA integrity_check` on a database file, and that it is a kameng database (its
    schema version, the tables that version has, the quotes table's columns); its number
    of quotes when it is ok. `restoring`: a file from a newer kameng is refused too."""
    from bot.storage.store import SCHEMA_VERSION

    try:
        connection = _connect(path, mode="ro")
        try:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise BackupError("backup.error.integrity", "{path}: integrity_check: {detail}",
                                  path=str(path), detail="; ".join(verdict[:3]))
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if restoring and version > SCHEMA_VERSION:
                raise BackupError("backup.error.newer",
                                  "{path}: schema version {version}, this kameng knows up to "
                                  "{known}", path=str(path), version=version,
                                  known=SCHEMA_VERSION)
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            expected = [table for since, names in TABLES_SINCE.items()
                        if since <= max(version, 1) for table in names]
            missing = [table for table in expected if table not in tables]
            if "quotes" in tables:
                columns = {row[1] for row in connection.execute(
                    "PRAGMA table_info(quotes)")}
                missing += [f"quotes.{name}" for name in QUOTE_COLUMNS if name not in columns]
            if version < 1 or missing:
                raise BackupError("backup.error.not_kameng",
                                  "{path}: not a kameng database (schema version {version}, "
                                  "missing: {missing})", path=str(path), version=version,
                                  missing=", ".join(missing) or "-")
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


def refuse_the_source(source: str | Path, target: str | Path, *,
                      key: str = "backup.error.is_source") -> None:
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
        raise BackupError(key, "{path} is the database {db} itself (or its -wal/-shm file): "
                          "a backup must go to another file", path=str(target), db=str(source))


def _detail(error: BaseException) -> str:
    """What went wrong, without the file name (the message names the file itself)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def create_private(path: str | Path) -> None:
    """Create an empty file readable by its owner only (0600), before SQLite opens it: a
    copy of the database holds link tokens, handles and prospects' names, and SQLite gives
    its -journal, -wal and -shm files the same mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_private_folder(folder: Path) -> None:
    """`folder` and any missing parent, each made 0700 (Path.mkdir(parents=True) would
    give the parents the umask's 0755); an existing folder is left as it is."""
    missing = []
    for level in (folder, *folder.parents):
        if level.exists():
            break
        missing.append(level)
    for level in reversed(missing):
        try:
            level.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else
        os.chmod(level, 0o700)  # whatever the umask


def special_file(path: str | Path) -> bool:
    """True for a device, FIFO or socket, or a symlink to one: what an output must never
    replace or write to (`--force` onto /dev/null as root would put a regular file in its
    place). A missing file or a dangling symlink is not special: a new file is made."""
    for look in (os.lstat, os.stat):
        try:
            mode = look(path).st_mode
        except OSError:
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
            return True
    return False


def refuse_a_special_file(target: str | Path) -> None:
    if special_file(target):
        raise BackupError("backup.error.not_regular",
                          "{path} is not a regular file (a device, pipe or socket)",
                          path=str(target))


def backup(source: str | Path, destination: str | Path, *, overwrite: bool = False) -> Backup:
    """Copy `source` to `destination` (a file, or a directory to put
    kameng-<UTC time>.db in: an existing one, or a path ending in "/"), consistently,
    then check the copy. A destination that is the source itself is refused first,
    whatever `overwrite` says."""
    target = Path(destination)
    refuse_the_source(source, target)
    if target.is_dir() or str(destination).endswith(("/", os.sep)):
        make_private_folder(target)  # "backups/": a folder, made if need be
        target = target / f"kameng-{_stamp()}.db"
    refuse_the_source(source, target)
    refuse_a_special_file(target)
    if os.path.lexists(target) and not overwrite:
        raise FileExistsError(str(target))
    partial = target.with_name(f".{target.name}.partial")
    # Each failure names the file it is about: the database for reading it, the
    # destination for writing (never the hidden .partial file), both for the copy itself.
    try:
        reader = _connect(source, mode="rw")  # rw: a WAL database needs its -shm file
    except sqlite3.Error as error:
        raise BackupError("backup.error.sqlite", "{path}: {detail}", path=str(source),
                          detail=str(error)) from error
    try:
        try:
            partial.unlink(missing_ok=True)
            create_private(partial)
            copy = sqlite3.connect(partial)
        except (OSError, sqlite3.Error) as error:
            raise BackupError("backup.error.write", "{path} cannot be written: {detail}",
                              path=str(destination), detail=_detail(error)) from error
        try:
            reader.backup(copy)  # pages=-1: every page in one step, one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        except sqlite3.Error as error:  # reading the database, or writing (a full disk)
            raise BackupError("backup.error.copy", "copying {source} to {path}: {detail}",
                              source=str(source), path=str(destination),
                              detail=str(error)) from error
        finally:
            copy.close()
        try:
            quotes = check(partial)
        except BackupError as error:  # the copy is the database as it is: name that
            raise BackupError(error.key, error.english,
                              **{**error.params, "path": str(source)}) from error
        try:
            with partial.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(partial, target)
        except OSError as error:
            raise BackupError("backup.error.write", "{path} cannot be written: {detail}",
                              path=str(destination), detail=_detail(error)) from error
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    finally:
        reader.close()
    return Backup(str(target), target.stat().st_size, quotes)


def restore(source: str | Path, target: str | Path) -> Restored:
    """Put a checked backup in place of `target`; the replaced database is first backed
    up beside it as <target>.before-restore-<UTC time>. Stop the bot first: it keeps
    some state (who chose which language) in memory."""
    check(source, restoring=True)
    refuse_a_special_file(target)
    previous = None
    if Path(target).is_file():
        refuse_the_source(target, source, key="backup.error.restore_self")
        previous = backup(target, f"{target}.before-restore-{_stamp()}").path
    try:
        reader = _connect(source, mode="ro")
        try:
            if not os.path.lexists(target):
                create_private(target)
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
