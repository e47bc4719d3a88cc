"""Issues 13 and 19: from the last needed answer to the quote, a what-if, and the card on
request, at 200 users.

Run: .venv/bin/python benchmarks/bench_quick_quote.py [--users 200] [--think 1-3]
     [--read 5-15] [--arrive 10]

N simulated merchants in parallel, each through the real Conversation (bot/tg/conversation.py:
engine, SQLite store in a temporary directory, the quote card drawn with Pillow on the
event loop) over an in-process transport that records what the bot says. Half state the three
facts in one message, half tap buttons. Each starts at a random moment of the first
`--arrive` seconds and pauses `--think` seconds before every update (1–3 s, as in
bench_telegram.py's conversation scenario) and `--read` seconds before the what-if (the
quote is thirty lines to read first): all N dialogues are in progress at once.
Timed, per merchant: the 先看报价 press until the short quote is shown (that update's whole
handling), one what-if press (🔀, then AI+人工) until the new version is shown in place, and
🖼 卡片 until the card photo is sent (issue 19: the card goes out on request, not with every
version); also every update, and each card drawn.
Target (issues 13, 19): p99 < 50 ms at 200 users for the quote and the what-if; a card in
< 30 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

import bot.tg.conversation as conversation_module
from bot.card import font
from bot.services.replies import Keyboard
from bot.storage.store import Store
from bot.tg.base import Incoming
from bot.tg.conversation import Conversation
from dialogs.engine import Engine
from pricing import load_rates

SENTENCE = "日均300单，卖点卡和话费，要10分钟响应"
TAPS = ("o:300", "m:game_cards", "m:done", "o:fast")
CARD_TIMES: list[float] = []
UPDATE_IDS = itertools.count(1)  # one sequence for every merchant: the bot drops repeats


class Transport:
    """Remembers each chat's newest keyboard and when each photo went out."""

    def __init__(self) -> None:
        self.keyboards: dict[int, Keyboard | None] = {}
        self.photos: dict[int, int] = {}
        self.next_id = 1

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        self.next_id += 1
        if keyboard:
            self.keyboards[chat_id] = keyboard
        return self.next_id

    async def edit(self, chat_id: int, message_id: int, text: str,
                   keyboard: Keyboard | None) -> None:
        if keyboard:
            self.keyboards[chat_id] = keyboard

    async def answer(self, callback_id: str, text: str | None) -> None:
        return None

    async def send_document(self, chat_id: int, filename: str, data: bytes,
                            caption: str) -> int:
        return await self.send(chat_id, caption, None)

    async def send_photo(self, chat_id: int, filename: str, data: bytes, caption: str) -> int:
        self.photos[chat_id] = self.photos.get(chat_id, 0) + 1
        return await self.send(chat_id, caption, None)

    def data(self, chat_id: int, button: str) -> str:
        for row in self.keyboards.get(chat_id) or ():
            for _, data in row:
                if data.endswith(f":{button}"):
                    return data
        raise AssertionError(f"user {chat_id}: no button {button}")


def timed_card(original: Any) -> Any:
    def draw(*args: Any, **kwargs: Any) -> bytes:
        begin = time.perf_counter()
        png: bytes = original(*args, **kwargs)
        CARD_TIMES.append((time.perf_counter() - begin) * 1000)
        return png
    return draw


class Crowd:
    def __init__(self, conversation: Conversation, think: tuple[float, float],
                 read: tuple[float, float], arrive: float) -> None:
        self.conv, self.think, self.read, self.arrive = conversation, think, read, arrive
        self.transport = Transport()
        self.quote_ms: list[float] = []
        self.what_if_ms: list[float] = []
        self.card_ms: list[float] = []
        self.every_ms: list[float] = []

    async def _update(self, user: int, *, text: str | None = None, button: str | None = None,
                      pause: tuple[float, float] | None = None) -> float:
        await asyncio.sleep(random.uniform(*(pause or self.think)))
        update_id = next(UPDATE_IDS)
        data = self.transport.data(user, button) if button else None
        incoming = Incoming(update_id=update_id, chat_id=user, chat_type="private",
                            user_id=user, text=text, callback_id=str(update_id)
                            if data else None, callback_data=data, message_id=1 if data
                            else None)
        begin = time.perf_counter()
        await self.conv.handle(incoming, self.transport)
        taken = (time.perf_counter() - begin) * 1000
        self.every_ms.append(taken)
        return taken

    async def merchant(self, user: int, *, by_buttons: bool) -> None:
        await asyncio.sleep(random.uniform(0, self.arrive))  # arrivals spread out
        await self._update(user, text="/start")
        if by_buttons:
            for button in TAPS:
                await self._update(user, button=button)
        else:
            await self._update(user, text=SENTENCE)
        photos = self.transport.photos.get(user, 0)
        self.quote_ms.append(await self._update(user, button="qq"))
        await self._update(user, button="flips", pause=self.read)
        self.what_if_ms.append(await self._update(user, button="w:ai:yes"))
        assert self.transport.photos.get(user, 0) == photos, "a card nobody asked for"
        await self._update(user, button="q:back")
        self.card_ms.append(await self._update(user, button="card"))
        assert self.transport.photos.get(user, 0) == photos + 1, "no card on 🖼 卡片"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def describe(name: str, values: list[float]) -> str:
    return (f"{name:34} n={len(values):4}  p50 {statistics.median(values):6.1f} ms  "
            f"p95 {pct(values, 0.95):6.1f} ms  p99 {pct(values, 0.99):6.1f} ms  "
            f"max {max(values):6.1f} ms")


def seconds(span: str) -> tuple[float, float]:
    """"1-3" → (1.0, 3.0); "2" → (2.0, 2.0)."""
    low, _, high = span.partition("-")
    return float(low), float(high or low)


async def main_async(users: int, think: tuple[float, float], read: tuple[float, float],
                     arrive: float, directory: Path) -> Crowd:
    store = Store(directory / "kameng.db")
    conv = Conversation(engine=Engine(load_rates()), store=store, flood_limit=10_000,
                        company_name="星辰客服外包")
    font(26)  # the bot opens the font at start-up (check_font), not in a merchant's wait
    crowd = Crowd(conv, think, read, arrive)
    warm = Crowd(conv, (0, 0), (0, 0), 0)
    await warm.merchant(10**6, by_buttons=False)  # warm the caches, as a running bot is
    CARD_TIMES.clear()
    gc.collect()
    gc.freeze()  # as `kameng bot` does after start-up
    started = time.perf_counter()
    await asyncio.gather(*(crowd.merchant(user, by_buttons=user % 2 == 0)
                           for user in range(1, users + 1)))
    print(f"{users} merchants done in {time.perf_counter() - started:.1f} s")
    return crowd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--think", default="1-3", help="seconds between updates, a-b")
    parser.add_argument("--read", default="5-15", help="seconds before the what-if, a-b")
    parser.add_argument("--arrive", type=float, default=10.0,
                        help="merchants start within this many seconds")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    random.seed(args.seed)
    conversation_module.record_card = timed_card(conversation_module.record_card)
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{args.users} users arriving within {args.arrive:g} s, think {args.think} s, "
          f"read {args.read} s before the what-if")
    with tempfile.TemporaryDirectory() as directory:
        crowd = asyncio.run(main_async(args.users, seconds(args.think), seconds(args.read),
                                       args.arrive, Path(directory)))
    print(describe("先看报价 → short quote shown", crowd.quote_ms))
    print(describe("what-if → new version shown", crowd.what_if_ms))
    print(describe("🖼 卡片 → card sent", crowd.card_ms))
    print(describe("every update", crowd.every_ms))
    print(describe("card drawn", CARD_TIMES))
    met = pct(crowd.quote_ms, 0.99) < 50 and pct(crowd.what_if_ms, 0.99) < 50
    print(f"target: p99 < 50 ms for the quote and the what-if ({'met' if met else 'NOT met'}); "
          f"card median < 30 ms "
          f"({'met' if statistics.median(CARD_TIMES) < 30 else 'NOT met'})")


if __name__ == "__main__":
    main()
