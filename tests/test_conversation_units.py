"""The framework-agnostic pieces of the Telegram conversation, one rule each."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.app import RedactingFilter
from bot.tg.base import RetryLater, Unreachable, command_menus, parse_command
from bot.tg.delivery import FloodGate, RetryPolicy, UserLocks, split_message, with_retries


def test_short_messages_are_not_split() -> None:
    assert split_message("你好\n世界") == ["你好\n世界"]


def test_long_messages_are_split_at_line_breaks_within_the_limit() -> None:
    text = "\n".join(f"<b>第 {i} 行</b> 内容" for i in range(1000))
    chunks = split_message(text, limit=4096)
    assert len(chunks) > 1 and all(len(chunk) <= 4096 for chunk in chunks)
    assert "\n".join(chunks) == text
    assert all(chunk.count("<b>") == chunk.count("</b>") for chunk in chunks)


def test_a_single_huge_line_is_cut_hard() -> None:
    chunks = split_message("x" * 10_000, limit=4096)
    assert [len(c) for c in chunks] == [4096, 4096, 1808]


async def test_a_429_is_waited_out_for_retry_after_seconds() -> None:
    slept: list[float] = []
    calls = 0

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RetryLater(7)
        return "sent"

    assert await with_retries(flaky, RetryPolicy(sleep=sleep)) == "sent"
    assert slept == [7, 7]


async def test_network_errors_back_off_and_give_up_after_the_last_attempt() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def down() -> None:
        raise Unreachable("no route")

    with pytest.raises(Unreachable):
        await with_retries(down, RetryPolicy(attempts=4, first_backoff=0.5, sleep=sleep))
    assert slept == [0.5, 1.0, 2.0]


def test_the_flood_gate_admits_20_in_10_seconds_and_warns_once() -> None:
    now = [0.0]
    gate = FloodGate(20, 10, lambda: now[0])
    verdicts = [gate.admit(1) for _ in range(25)]
    assert verdicts[:20] == ["ok"] * 20 and verdicts[20] == "warn"
    assert verdicts[21:] == ["drop"] * 4
    assert gate.admit(2) == "ok"  # other users are not affected
    now[0] = 11
    assert gate.admit(1) == "ok"


async def test_one_users_updates_run_one_at_a_time_in_arrival_order() -> None:
    locks = UserLocks()
    order: list[str] = []

    async def work(user: int, name: str, delay: float) -> None:
        async with locks(user):
            order.append(f"start {name}")
            await asyncio.sleep(delay)
            order.append(f"end {name}")

    await asyncio.gather(work(1, "a", 0.02), work(1, "b", 0), work(2, "c", 0))
    assert order.index("end a") < order.index("start b")
    assert order.index("start c") < order.index("end a")  # another user is not held up
    assert locks.locks == {}  # no lock left behind


@pytest.mark.parametrize(
    ("text", "expected"),
    [("/start", ("start", "")), ("/start q_abc", ("start", "q_abc")),
     ("/START@kameng_test_bot", ("start", "")), ("/start@other_bot", (None, "")),
     ("你好", (None, "")), ("/lang en", ("lang", "en"))],
)
def test_commands_are_parsed_with_their_argument(text: str, expected: tuple[str | None, str]
                                                 ) -> None:
    assert parse_command(text, "kameng_test_bot") == expected


def test_the_redacting_filter_removes_the_token_from_messages_and_tracebacks() -> None:
    token = "123:SECRETSECRETSECRETSECRETSECRET"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1,
                               "POST https://api.telegram.org/bot%s/getMe", (token,), None)
    assert RedactingFilter([token]).filter(record)
    assert token not in record.getMessage() and "<redacted>" in record.getMessage()


def test_command_menus_cover_every_command_in_chinese_and_english() -> None:
    menus = dict(command_menus())
    assert set(menus) == {None, "zh", "en"}
    assert [name for name, _ in menus["zh"]] == [name for name, _ in menus["en"]]


def test_the_flood_gate_forgets_users_who_went_quiet() -> None:
    now = [0.0]
    gate = FloodGate(20, 10, lambda: now[0])
    for user in range(999):
        gate.admit(user)
    now[0] = 100
    gate.admit(5000)  # the 1000th call sweeps
    assert set(gate.recent) == {5000}


async def test_updates_kept_by_aiogram_are_telegram_json_either_front_end_reads() -> None:
    from aiogram.methods import GetUpdates
    from aiogram.types import Update as AiogramUpdate
    from telegram import Update as PtbUpdate

    from bot.tg.aiogram_front import KeepReceived

    raw = {"update_id": 41, "message": {
        "message_id": 9, "date": 1764200000, "chat": {"id": 7, "type": "private"},
        "from": {"id": 7, "is_bot": False, "first_name": "店主"}, "text": "日均300单"}}
    kept: list[tuple[int, str]] = []

    class Conversation:
        def keep_received(self, updates: list[tuple[int, str]]) -> None:
            kept.extend(updates)

    async def make_request(bot: object, method: object) -> list[AiogramUpdate]:
        return [AiogramUpdate.model_validate(raw)]

    middleware = KeepReceived(Conversation())  # type: ignore[arg-type]
    await middleware(make_request, None, GetUpdates())  # type: ignore[arg-type]
    [(update_id, payload)] = kept
    assert update_id == 41 and json.loads(payload) == raw
    assert PtbUpdate.de_json(json.loads(payload), None).message.from_user.id == 7


def test_the_mini_app_button_joins_a_quote_only_within_its_eight_buttons() -> None:
    from bot.tg.conversation import with_miniapp_button

    url = "https://quotes.example/app"
    seven = (tuple((f"b{i}", f"1:b{i}") for i in range(4)),
             tuple((f"c{i}", f"1:c{i}") for i in range(3)))
    assert with_miniapp_button(seven, "🎚", url) == (*seven, (("🎚", url),))
    eight = (*seven, (("d", "1:d"),))
    assert with_miniapp_button(eight, "🎚", url) == eight
