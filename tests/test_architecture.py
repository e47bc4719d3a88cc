"""Dependencies point one way: bot → dialogs → pricing; pricing uses the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def imported_roots(package: str) -> set[str]:
    roots: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
    return roots


def test_pricing_uses_only_the_standard_library() -> None:
    foreign = {name for name in imported_roots("pricing")
               if name not in sys.stdlib_module_names and name != "pricing"}
    assert foreign == set()


@pytest.mark.parametrize("forbidden", ["bot", "aiogram", "telegram", "sqlite_utils", "jinja2",
                                       "sqlite3", "aiohttp"])
def test_dialogs_import_no_shell_or_framework(forbidden: str) -> None:
    assert forbidden not in imported_roots("dialogs")


def test_pricing_imports_neither_dialogs_nor_bot() -> None:
    assert not {"dialogs", "bot"} & imported_roots("pricing")
