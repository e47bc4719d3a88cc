"""Faults inside the conversation: a locked, read-only or full database; bursts and
duplicate deliveries; a restart. The conversation runs in process with a recording
transport (tests/inprocess.py), so each fault is exact and fast."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from pathlib import Path

import pytest

from bot.services.replies import Keyboard
from bot.tg.base import Incoming
from pricing import Rates
from tests.inprocess import USER, InProcessBot


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "kameng.db"


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as check:
        return str(check.execute("PRAGMA integrity_check").fetchone()[0])


async def test_a_locked_database_says_try_later_and_recovers(
    db: Path, rates: Rates, caplog: pytest.LogCaptureFixture
) -> None:
    bot = InProcessBot(db, rates, store_options={"busy_timeout_ms": 100})
    await bot.say("/start")
    await bot.say("300")
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # a second writer holding the lock
    with caplog.at_level(logging.ERROR):
        await bot.say("游戏点卡")
    reference = re.search(r"参考编号 ([0-9a-f]{8})", bot.last())
    assert "稍后再试" in bot.last() and reference
    assert reference.group(1) in caplog.text
    blocker.execute("ROLLBACK")
    blocker.close()
    await bot.say("游戏点卡")  # the fault is over: the same answer goes through
    assert "第 3/12 步" in bot.last()
    assert integrity(db) == "ok"


async def test_a_read_only_database_loses_nothing_already_stored(db: Path, rates: Rates) -> None:
    bot = InProcessBot(db, rates)
    for text in ("/start", "300", "游戏点卡", "快速"):
        await bot.say(text)
    bot.store.db.execute("PRAGMA query_only = 1")  # as if the file became read-only
    await bot.say("12")
    assert "稍后再试" in bot.last()
    bot.store.db.execute("PRAGMA query_only = 0")
    await bot.say("12")
    assert "第 5/12 步" in bot.last()
    stored = bot.store.load_session("telegram", str(USER))
    assert stored is not None and stored["answers"]["categories"] == 12
    assert integrity(db) == "ok"


async def test_a_full_disk_says_try_later_and_recovers(db: Path, rates: Rates) -> None:
    bot = InProcessBot(db, rates)
    await bot.say("/start")
    pages = bot.store.db.execute("PRAGMA page_count").fetchone()[0]
    bot.store.db.execute(f"PRAGMA max_page_count = {pages}")  # no room to grow
    long_answers = "日均300单，12类商品，要10分钟响应" + "。" * 400
    for _ in range(30):  # until the file would have to grow
        await bot.say(long_answers, user=USER + _ + 1)
        if "稍后再试" in bot.last():
            break
    assert "稍后再试" in bot.last()
    bot.store.db.execute("PRAGMA max_page_count = 1073741823")
    await bot.say("300")
    assert "第 2/12 步" in bot.last()
    assert integrity(db) == "ok"


async def test_a_burst_of_messages_and_presses_is_taken_in_order_once(
    db: Path, rates: Rates
) -> None:
    bot = InProcessBot(db, rates)
    await bot.say("/start")
    answers = ["300", "游戏点卡", "快速", "12", "都没有", "技术", "不需要系统", "纯人工",
               "外包", "平稳", "比较", "跳过"]
    await asyncio.gather(*(bot.say(text) for text in answers))  # all within one moment
    assert "请确认您的需求" in bot.last()
    stored = bot.store.load_session("telegram", str(USER))
    assert stored is not None and stored["answers"]["categories"] == 12
    message_id, data = bot.transport.button("ok")
    presses = [Incoming(update_id=1000 + n, chat_id=USER, chat_type="private", user_id=USER,
                        callback_id=str(n), callback_data=data, message_id=message_id)
               for n in range(10)]
    await asyncio.gather(*(bot.conversation.handle(p, bot.transport) for p in presses))
    assert bot.store.count_quotes() == 1  # ten presses of 确认报价, one quote
    assert bot.transport.answers.count("此按钮已过期，请看当前这一步：") == 9
    assert not any("not modified" in text for text in bot.transport.sent)


async def test_the_same_update_twice_is_handled_once_even_across_a_restart(
    db: Path, rates: Rates
) -> None:
    bot = InProcessBot(db, rates)
    await bot.say("/start", update_id=1)
    await bot.say("300", update_id=2)
    await bot.say("300", update_id=2)  # redelivered
    assert len(bot.transport.sent) == 3  # welcome, question 1, question 2
    restarted = InProcessBot(db, rates)  # a new process on the same database
    await restarted.say("300", update_id=2)  # redelivered after the restart
    assert restarted.transport.sent == []
    await restarted.say("游戏点卡", update_id=3)
    assert "第 3/12 步" in restarted.last()  # resumed at the same step with its answers


async def test_a_flood_is_counted_on_arrival_however_slowly_replies_go_out(
    db: Path, rates: Rates
) -> None:
    """Thirty messages arrive at once; each reply then takes a whole second of the
    clock. The burst is still a burst: refused past the limit, and told once."""
    now = [0.0]
    bot = InProcessBot(db, rates, flood_limit=20, flood_window=10.0, clock=lambda: now[0])
    send = bot.transport.send

    async def slow_send(chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        await asyncio.sleep(0)  # a network call: the other updates arrive meanwhile
        now[0] += 1.0  # the queue drains over 30 s of clock, far past the 10 s window
        return await send(chat_id, text, keyboard)

    bot.transport.send = slow_send  # type: ignore[method-assign]
    await asyncio.gather(*(bot.say(str(100 + n)) for n in range(30)))
    assert bot.transport.sent.count("操作太频繁了，请稍等几秒再试 🙏") == 1
    assert len(bot.transport.sent) == 21  # twenty answered, one told to slow down
