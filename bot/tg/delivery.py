"""Getting replies out: retries after 429 and network errors, splitting long messages, the
flood gate, and per-user order. No dialogue here and no Telegram library either."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import metrics
from bot.services.replies import Keyboard
from bot.tg.base import (
    MESSAGE_LIMIT,
    CannotEdit,
    Incoming,
    NotModified,
    RetryLater,
    Transport,
    Unreachable,
)

log = logging.getLogger(__name__)


@dataclass
class RetryPolicy:
    attempts: int = 5
    first_backoff: float = 0.5
    max_wait: float = 60.0  # never sleep longer than this for one retry_after
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


async def with_retries(call: Callable[[], Awaitable[Any]], policy: RetryPolicy) -> Any:
    """Wait out 429s and retry network errors with backoff (aiogram does neither itself)."""
    backoff = policy.first_backoff
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except RetryLater as later:
            if attempt == policy.attempts:
                raise
            metrics.WAITS_429.inc()
            metrics.WAIT_SECONDS.inc(min(later.seconds, policy.max_wait))
            await policy.sleep(min(later.seconds, policy.max_wait))
        except Unreachable:
            if attempt == policy.attempts:
                raise
            metrics.RETRIES.inc()
            await policy.sleep(backoff)
            backoff *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long message at line breaks (our HTML tags never span lines)."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single huge line: cut it hard
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


async def send_text(transport: Transport, chat_id: int, text: str, keyboard: Keyboard | None,
                    policy: RetryPolicy) -> int:
    """A message in as many parts as it takes; the keyboard goes under the last."""
    chunks = split_message(text)
    message_id = 0
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        message_id = await with_retries(
            lambda chunk=chunk, last=last: transport.send(  # type: ignore[misc]
                chat_id, chunk, keyboard if last else None), policy)
        metrics.REPLIES.labels("send").inc()
    return int(message_id)


# --- flood limit and per-user order -----------------------------------------------------

class FloodGate:
    """At most `limit` updates per user in `window` seconds; the first refusal is told."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.recent: dict[int, deque[float]] = {}
        self.warned: dict[int, float] = {}
        self.calls = 0

    def admit(self, user_id: int) -> str:
        """ "ok", "warn" (refuse and say so once per window) or "drop"."""
        now = self.clock()
        self.calls += 1
        if self.calls % 1000 == 0:
            self._forget_quiet_users(now)
        times = self.recent.setdefault(user_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return "ok"
        if now - self.warned.get(user_id, -self.window - 1) > self.window:
            self.warned[user_id] = now
            return "warn"
        return "drop"

    def _forget_quiet_users(self, now: float) -> None:
        """Users with nothing in the window take no memory (the bot sees many once)."""
        quiet = [user for user, times in self.recent.items()
                 if not times or now - times[-1] > self.window]
        for user in quiet:
            del self.recent[user]
            self.warned.pop(user, None)


class UserLocks:
    """One asyncio.Lock per user: one user's updates run one at a time, in arrival order."""

    def __init__(self) -> None:
        self.locks: dict[int, asyncio.Lock] = {}
        self.users: dict[int, int] = {}

    def __call__(self, user_id: int) -> _Held:
        return _Held(self, user_id)


class _Held:
    def __init__(self, owner: UserLocks, user_id: int) -> None:
        self.owner, self.user_id = owner, user_id

    async def __aenter__(self) -> None:
        self.owner.users[self.user_id] = self.owner.users.get(self.user_id, 0) + 1
        lock = self.owner.locks.setdefault(self.user_id, asyncio.Lock())
        await lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.owner.locks[self.user_id].release()
        self.owner.users[self.user_id] -= 1
        if not self.owner.users[self.user_id]:  # nobody waiting: forget the lock
            del self.owner.users[self.user_id]
            del self.owner.locks[self.user_id]


# --- the replies to one update ----------------------------------------------------------

class Replies:
    """Replies for one update, through the transport, with retries."""

    def __init__(self, transport: Transport, incoming: Incoming, retry: RetryPolicy) -> None:
        self.transport, self.incoming, self.retry = transport, incoming, retry
        self.answered = False
        self.screen_shown = False  # the user has seen the next step (its state not yet saved)
        self.state_saved = False  # the update's state was saved (and the update marked)

    async def answer(self, text: str | None) -> None:
        if self.incoming.callback_id is None or self.answered:
            return
        self.answered = True
        callback_id = self.incoming.callback_id
        await with_retries(lambda: self.transport.answer(callback_id, text), self.retry)
        metrics.REPLIES.labels("answer").inc()

    async def reply(self, text: str, keyboard: Keyboard | None = None) -> int:
        return await self.send_to(self.incoming.chat_id, text, keyboard)

    async def send_to(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> int:
        return await send_text(self.transport, chat_id, text, keyboard, self.retry)

    async def show(self, text: str, keyboard: Keyboard, *, edit_message: int | None) -> int:
        """Edit the pressed message in place when possible, else send a new one."""
        chunks = split_message(text)
        if edit_message is not None and len(chunks) == 1:
            try:
                await with_retries(lambda: self.transport.edit(
                    self.incoming.chat_id, edit_message, text, keyboard), self.retry)
                metrics.REPLIES.labels("edit").inc()
                self.screen_shown = True
                return edit_message
            except NotModified:
                return edit_message
            except CannotEdit:
                pass
        message_id = await self.reply(text, keyboard)
        self.screen_shown = True
        return message_id

    async def document(self, filename: str, data: bytes, caption: str) -> None:
        chat_id = self.incoming.chat_id
        await with_retries(lambda: self.transport.send_document(chat_id, filename, data,
                                                                caption), self.retry)
        metrics.REPLIES.labels("document").inc()

    async def photo(self, filename: str, data: bytes, caption: str) -> int:
        chat_id = self.incoming.chat_id
        return int(await with_retries(lambda: self.transport.send_photo(
            chat_id, filename, data, caption), self.retry))

    async def best_effort_reply(self, text: str) -> None:
        """The apology after an error: it must not raise in its turn."""
        try:
            await self.answer(None)
            await self.reply(text)
        except Exception:
            log.warning("could not send the error reply for update %s",
                        self.incoming.update_id)
