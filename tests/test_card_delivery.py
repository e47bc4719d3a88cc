"""A quote card never holds up anyone's reply (issue 21): cards are drawn in the card pool
(bot/cardworks.py) and sent after the reply, in a task of their own. While one merchant's
card takes seconds to draw, another merchant's text reply still comes at once — through
the real aiogram and python-telegram-bot front-ends, against the fake Bot API.

The bot runs in this process (a thread with its own event loop) so that its card drawer
can be a slow one; everything else is what `kameng bot` builds (bot/app.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.card import CardText
from bot.cardworks import CardFiles, CardWorks, draw_and_keep
from bot.storage.store import QuoteRecord, Store
from bot.tg.aiogram_front import AiogramFrontend
from bot.tg.conversation import Conversation
from bot.tg.ptb_front import PtbFrontend
from dialogs.engine import Engine
from pricing import Inquiry, load_rates, quote
from tests.fake_telegram import FakeTelegram
from tests.procs import TOKEN

SLOW = 4.0  # seconds one card takes to draw here
IN_TIME = 1.5  # a reply later than this would mean it waited for the card


def slow_draw(text: CardText, files: CardFiles | None, name: str) -> bytes:
    """In the pool's worker: a card that takes SLOW seconds."""
    time.sleep(SLOW)
    return draw_and_keep(text, files, name)


class InProcessBot:
    """A front-end and its conversation on an event loop in a thread of this process."""

    def __init__(self, framework: str, api: FakeTelegram, db: Path) -> None:
        self.framework, self.api, self.db = framework, api, db
        self.loop = asyncio.new_event_loop()
        self.stop: asyncio.Event | None = None
        self.conversation: Conversation | None = None
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as error:  # reported by the test, not lost in the thread
            self.failure = error
        finally:
            self.loop.close()

    async def _serve(self) -> None:
        self.stop = asyncio.Event()
        store = Store(self.db)
        conversation = Conversation(
            engine=Engine(load_rates()), store=store, flood_limit=1000,
            cards=CardWorks(self.db, draw=slow_draw))
        self.conversation = conversation
        frontend: Any
        if self.framework == "ptb":
            frontend = PtbFrontend(TOKEN, self.api.base_url, conversation, concurrency=64)
        else:
            frontend = AiogramFrontend(TOKEN, self.api.base_url, conversation,
                                       concurrency=64)
        conversation.transport = frontend.transport
        try:
            conversation.set_bot_username(await frontend.start())
            await frontend.run_polling(self.stop)
            await conversation.drain()
        finally:
            await frontend.close()
            store.close()

    def start(self) -> None:
        self.thread.start()
        self.api.polling.wait(30)

    def close(self) -> None:
        if self.stop is not None:
            self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(60)
        if self.failure is not None:
            raise self.failure


@pytest.fixture(params=["aiogram", "ptb"])
def bot(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[FakeTelegram,
                                                                         InProcessBot]]:
    api = FakeTelegram(TOKEN)
    api.start()
    running = InProcessBot(request.param, api, tmp_path / "kameng.db")
    running.start()
    try:
        yield api, running
    finally:
        api._run(api._end_long_polls())  # the bot's long poll returns now, not in 10 s
        running.close()
        api.stop()


@pytest.mark.e2e  # a card pool process and both front-ends
def test_a_reply_does_not_wait_for_another_users_card(
        bot: tuple[FakeTelegram, InProcessBot]) -> None:
    api, _ = bot
    merchant, other = 101, 202
    api.send_text(merchant, "/start")
    api.send_text(merchant, "日均300单，卖点卡和话费，要10分钟响应")
    api.tap(merchant, "qq")  # 先看报价: the quote
    api.tap(merchant, "card")  # 🖼 卡片: the card (SLOW seconds) after the reply
    assert api.photos(merchant) == []  # the card is being drawn

    began = time.monotonic()
    api.send_text(other, "/start")  # waits for the other merchant's reply
    waited = time.monotonic() - began
    assert api.texts(other), "no reply to the other merchant"
    assert waited < IN_TIME, f"the reply took {waited:.2f} s: it waited for a card"
    assert api.photos(merchant) == []  # … and it came while the card was still drawing

    api.wait_until(lambda: len(api.photos(merchant)) == 1,
                   lambda: "the merchant's card never came", timeout=SLOW + 30)
    assert api.photos(merchant)[0].startswith(b"\x89PNG")
    kinds = [event["do"] for event in api.transcript(merchant)]
    assert kinds[-1] == "send_photo"  # after the reply to 🖼 卡片


@pytest.mark.e2e  # a card pool process and both front-ends
def test_a_card_is_drawn_once_per_version(bot: tuple[FakeTelegram, InProcessBot],
                                          tmp_path: Path) -> None:
    api, running = bot
    merchant = 303
    api.send_text(merchant, "/start")
    api.send_text(merchant, "日均300单，卖点卡和话费，要10分钟响应")
    api.tap(merchant, "qq")
    api.tap(merchant, "card")
    api.wait_until(lambda: len(api.photos(merchant)) == 1,
                   lambda: "no card", timeout=SLOW + 30)
    api.tap(merchant, "card")  # again: the same version's card, from the file
    api.wait_until(lambda: len(api.photos(merchant)) == 2,
                   lambda: "no second card", timeout=30)
    assert api.photos(merchant)[1] == api.photos(merchant)[0]
    assert running.conversation is not None
    works = running.conversation.card_works
    assert works.stats.drawn == 1
    [kept] = (tmp_path / "kameng-cards" / "kameng.db").glob("quote-*-v1.png")
    assert kept.read_bytes() == api.photos(merchant)[0]
    assert kept.stat().st_mode & 0o777 == 0o600


# --- the fallbacks: no pool, a record the card cannot read, a planted file -----------------

def saved_record(db: Path) -> QuoteRecord:
    store = Store(db)
    quote_id = store.save_quote(channel="telegram", user_id="1", dialog_id="d", confirmation=1,
                                quote=quote(Inquiry(daily_orders=300), load_rates()),
                                locale="zh_CN")
    record = store.record(quote_id)
    store.close()
    assert record is not None
    return record


def test_without_a_process_pool_cards_are_drawn_in_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cardworks

    def no_pool(*_: object, **__: object) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(bot.cardworks, "ProcessPoolExecutor", no_pool)
    record = saved_record(tmp_path / "kameng.db")
    works = CardWorks(tmp_path / "kameng.db")
    card = asyncio.run(works.png(record))
    assert card.startswith(b"\x89PNG") and works.stats.drawn_in_process == 1
    assert asyncio.run(works.png(record)) == card and works.stats.drawn == 1  # kept


def test_a_record_the_card_cannot_read_gives_the_plain_card(tmp_path: Path) -> None:
    record = replace(saved_record(tmp_path / "kameng.db"), quote_json="{damaged")
    card = asyncio.run(CardWorks(tmp_path / "kameng.db", use_pool=False).png(record))
    assert card.startswith(b"\x89PNG")


def test_a_planted_file_in_the_card_folder_is_not_served(tmp_path: Path) -> None:
    record = saved_record(tmp_path / "kameng.db")
    folder = tmp_path / "kameng-cards" / "kameng.db"
    folder.mkdir(parents=True)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nnot yours")
    (folder / "quote-1-v1.png").symlink_to(secret)
    works = CardWorks(tmp_path / "kameng.db", use_pool=False)
    card = asyncio.run(works.png(record))
    assert card != secret.read_bytes() and works.stats.drawn == 1
    assert secret.read_bytes() == b"\x89PNG\r\n\x1a\nnot yours"  # not written through
