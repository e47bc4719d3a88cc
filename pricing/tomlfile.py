"""Reading a TOML data file (rates, knowledge) with one kind of error for every way it can
be unreadable, each naming the file."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

MAX_BYTES = 1024 * 1024  # the packaged rates are ~10 KB: anything past 1 MB is a mistake


def read_bytes(path: Path | str | None, default: Path, error: type[Exception]
               ) -> tuple[bytes, str]:
    """The file's bytes and its name for messages (`default` when `path` is None)."""
    file = Path(path) if path is not None else default
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it is refused.
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as failure:
        raise error(f"{file}: cannot read: {failure.strerror or failure}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # /dev/zero would never end
        os.close(descriptor)
        raise error(f"{file}: not a regular file")
    with os.fdopen(descriptor, "rb") as opened:
        try:
            raw = opened.read(MAX_BYTES + 1)
        except OSError as failure:
            raise error(f"{file}: cannot read: {failure.strerror or failure}") from None
    if len(raw) > MAX_BYTES:
        raise error(f"{file}: larger than {MAX_BYTES // 1024} KB; a rates file is a few KB")
    return raw, str(file)


def decode(raw: bytes, origin: str, error: type[Exception]) -> dict[str, Any]:
    """UTF-8 TOML → a dict; anything else is `error` naming `origin`."""
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{origin}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as failure:
        raise error(f"{origin}: not valid TOML: {failure}") from None
