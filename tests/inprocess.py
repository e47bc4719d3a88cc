"""The fast Telegram harness: the real conversation (bot/tg/conversation.py) in process,
with a transport that records what the bot said and refuses what Telegram would refuse.

For what a screen says and how the conversation behaves (faults, bursts, forged data)
no process is needed: these run in milliseconds. What needs the real aiogram and PTB
front-ends (parity, retries, crashes, start-up) runs against tests/fake_telegram.py in
the e2e tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.services.replies import Keyboard
from bot.storage.store import Store
from bot.tg.base import Incoming, NotModified
from bot.tg.conversation import Conversation
from dialogs.engine import Engine
from pricing import Rates
from tests.fake_telegram import html_error

USER = 42


class Recorder:
    """A Transport that remembers what the bot said. Strict like Telegram: HTML it would
    not parse, a text over 4,096 characters or callback data over 64 bytes is refused
    (kept in `rejected`, then raised); an edit that changes nothing raises NotModified."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.keyboards: dict[int, Keyboard | None] = {}
        self.texts: dict[int, str] = {}
        self.answers: list[str | None] = []
        self.rejected: list[tuple[str, str]] = []  # (text, why Telegram would refuse it)
        self.next_id = 1

    def _check(self, text: str, keyboard: Keyboard | None = None) -> None:
        why = html_error(text)
        if why is None and len(text) > 4096:
            why = "message is too long"
        if why is None and any(len(data.encode()) > 64
                               for row in keyboard or () for _, data in row):
            why = "BUTTON_DATA_INVALID"
        if why is not None:
            self.rejected.append((text, why))
            raise AssertionError(f"Telegram would refuse this: {why}: {text[:200]!r}")

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        self._check(text, keyboard)
        message_id = self.next_id
        self.next_id += 1
        self.sent.append(text)
        self.keyboards[message_id], self.texts[message_id] = keyboard, text
        return message_id

    async def edit(self, chat_id: int, message_id: int, text: str,
                   keyboard: Keyboard | None) -> None:
        self._check(text, keyboard)
        if self.texts.get(message_id) == text and self.keyboards.get(message_id) == keyboard:
            raise NotModified()
        self.sent.append(text)
        self.keyboards[message_id], self.texts[message_id] = keyboard, text

    async def answer(self, callback_id: str, text: str | None) -> None:
        self.answers.append(text)

    async def send_document(self, chat_id: int, filename: str, data: bytes,
                            caption: str) -> int:
        return await self.send(chat_id, caption, None)

    async def send_photo(self, chat_id: int, filename: str, data: bytes, caption: str) -> int:
        return await self.send(chat_id, caption, None)

    def button(self, suffix: str) -> tuple[int, str]:
        """(message id, callback data) of the newest button whose data ends with
        ":<suffix>"."""
        for message_id in sorted(self.keyboards, reverse=True):
            for row in self.keyboards[message_id] or ():
                for _, data in row:
                    if data.endswith(f":{suffix}"):
                        return message_id, data
        raise AssertionError(suffix)


class InProcessBot:
    """A conversation on a database at `path` (":memory:" too), driven like a user:
    `say` a text, `press` a button by its suffix, read `last()`."""

    def __init__(self, path: Path | str, rates: Rates, *,
                 store_options: dict[str, Any] | None = None,
                 **conversation_options: Any) -> None:
        self.store = Store(path, **(store_options or {}))
        self.conversation = Conversation(engine=Engine(rates), store=self.store,
                                         **{"flood_limit": 1000, **conversation_options})
        self.transport = Recorder()
        self.update_id = 0

    async def say(self, text: str, user: int = USER, update_id: int | None = None) -> None:
        self.update_id += 1
        await self.conversation.handle(Incoming(
            update_id=update_id or self.update_id, chat_id=user, chat_type="private",
            user_id=user, text=text), self.transport)

    async def press(self, suffix: str, user: int = USER) -> None:
        self.update_id += 1
        message_id, data = self.transport.button(suffix)
        await self.conversation.handle(Incoming(
            update_id=self.update_id, chat_id=user, chat_type="private", user_id=user,
            callback_id=str(self.update_id), callback_data=data, message_id=message_id),
            self.transport)

    def last(self) -> str:
        return self.transport.sent[-1]
