"""Dependencies point one way: bot → dialogs → pricing; pricing uses the standard library."""

from __future__ import annotations

import ast
import re
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


# --- inside the project: modules by role, no cycles -------------------------------------

PACKAGES = ("pricing", "dialogs", "locales", "bot")


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = {module_name(path): path for package in PACKAGES
           for path in (ROOT / package).rglob("*.py")}


def our_imports(module: str) -> set[str]:
    """The project's modules `module` imports, anywhere in it (function-level imports and
    `if TYPE_CHECKING:` blocks count: a cycle held apart by them is still a cycle)."""
    found: set[str] = set()
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                found.add(target)
    return found


def test_no_import_cycles_among_our_modules() -> None:
    graph = {module: our_imports(module) for module in MODULES}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), list(graph[start])
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(graph[current])
        return False

    cycles = sorted(module for module in graph if reaches(module, module))
    assert cycles == []


@pytest.mark.parametrize("forbidden", ["aiogram", "telegram", "aiohttp"])
def test_services_use_no_telegram_or_web_framework(forbidden: str) -> None:
    assert forbidden not in imported_roots("bot/services")


def test_services_and_tg_do_not_reach_back_into_the_front_ends() -> None:
    for module in MODULES:
        if module.startswith(("bot.services", "bot.tg.base", "bot.tg.delivery",
                              "bot.tg.conversation", "bot.tg.commands")):
            assert not {"bot.tg.aiogram_front", "bot.tg.ptb_front", "bot.app",
                        "bot.cli"} & our_imports(module), module


def test_every_effect_the_engine_names_has_one_handler() -> None:
    from bot.services.effects import EFFECTS

    source = (ROOT / "dialogs" / "engine.py").read_text(encoding="utf-8")
    named = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "effects" and isinstance(
                node.value, ast.Tuple):
            named |= {item.value for item in node.value.elts
                      if isinstance(item, ast.Constant)}
    assert named - {"stale"} == set(EFFECTS)  # "stale" is answered before any effect


def callback_prefixes_made_in(paths: list[Path]) -> set[str]:
    """The prefixes of the callback data our keyboards make: f"ap:{id}:y" → "ap"."""
    prefixes = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.JoinedStr) and node.values
                    and isinstance(node.values[0], ast.Constant)):
                head = str(node.values[0].value)
                if re.fullmatch(r"[a-z]+:[a-z:]*", head):
                    prefixes.add(head.partition(":")[0])
    return prefixes


def test_one_routing_table_routes_every_command_and_every_button_we_make(tmp_path: Path
                                                                        ) -> None:
    from bot.storage.store import Store
    from bot.tg.base import COMMANDS, STAFF_COMMANDS
    from bot.tg.conversation import Conversation
    from dialogs.engine import Engine
    from pricing import load_rates

    conversation = Conversation(engine=Engine(load_rates()), store=Store(tmp_path / "k.db"))
    assert set(conversation.command_routes) == {*COMMANDS, *STAFF_COMMANDS}
    made = callback_prefixes_made_in([*(ROOT / "bot").rglob("*.py")])
    assert made and made == set(conversation.button_routes)
