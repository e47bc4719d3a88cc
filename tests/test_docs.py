"""Every command a person can run is documented (as sqlite-utils tests its docs)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.tg.base import COMMANDS, STAFF_COMMANDS

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(path.read_text(encoding="utf-8")
                        for path in sorted((ROOT / "docs").glob("*.md")))


def cli_commands() -> list[str]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(sub.choices)


@pytest.mark.parametrize("command", cli_commands())
def test_every_cli_command_is_in_the_readme(command: str) -> None:
    assert f"kameng {command}" in README


@pytest.mark.parametrize("command", COMMANDS + STAFF_COMMANDS)
def test_every_bot_command_is_documented(command: str) -> None:
    assert f"/{command}" in DOCS


def test_the_readme_starts_with_the_two_set_up_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make chat" in first_block and "make test" in first_block


def test_every_environment_key_is_in_env_example() -> None:
    from bot.config import env_keys

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for key in env_keys():
        assert f"\n{key}=" in example or f"\n# {key}=" in example, key
