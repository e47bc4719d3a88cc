"""Reading a TOML data file (rates, knowledge) with one kind of error for every way it can
be unreadable, each naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_bytes(path: Path | str | None, default: Path, error: type[Exception]
               ) -> tuple[bytes, str]:
    """The file's bytes and its name for messages (`default` when `path` is None)."""
    file = Path(path) if path is not None else default
    try:
        return file.read_bytes(), str(file)
    except OSError as failure:
        raise error(f"{file}: cannot read: {failure.strerror or failure}") from None


def decode(raw: bytes, origin: str, error: type[Exception]) -> dict[str, Any]:
    """UTF-8 TOML → a dict; anything else is `error` naming `origin`."""
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{origin}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as failure:
        raise error(f"{origin}: not valid TOML: {failure}") from None
