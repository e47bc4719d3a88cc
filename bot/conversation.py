"""The Telegram conversation, independent of the Telegram library that carries it.

aiogram and python-telegram-bot are thin transports: each turns its update into an
`Incoming`, calls `Conversation.handle`, and implements `Transport` (send, edit, answer a
callback) for its own Bot API client. Everything else — commands, the dialogue engine,
storage, per-user ordering, flood limit, duplicate updates, retries after 429 and network
errors, error replies with a reference id — lives here once, so both front-ends behave
identically (tests compare their transcripts).
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot import metrics
from bot.card import card_filename, record_card
from bot.render import render_quote_html
from bot.storage.store import Store, StoreError
from dialogs.engine import DialogState, Engine, Press, Say, Screen, StateError
from locales.i18n import SUPPORTED, Translator, normalize_locale, resolve_locale, translator

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
COMMANDS = ("start", "quote", "history", "lang", "help", "cancel", "human")
STAFF_COMMANDS = ("newquote", "revoke", "export", "stats")  # for SALES_IDS / ADMIN_IDS


# --- what comes in, what goes out -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Incoming:
    """One Telegram update, as the conversation needs it."""

    update_id: int
    chat_id: int
    chat_type: str  # "private", "group", "supergroup", "channel"
    user_id: int
    username: str | None = None
    full_name: str = ""
    language_code: str | None = None
    text: str | None = None  # a text message (None for stickers, photos, …)
    callback_id: str | None = None
    callback_data: str | None = None
    message_id: int | None = None  # the message a pressed button sits on
    edited: bool = False

    @property
    def is_callback(self) -> bool:
        return self.callback_id is not None


Keyboard = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


class RetryLater(Exception):  # a signal to wait, named for what it asks
    """Telegram said 429: retry after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Unreachable(Exception):
    """The Bot API could not be reached (network error, timeout, 5xx)."""


class NotModified(Exception):
    """An edit would not change the message (a double press): nothing to do."""


class CannotEdit(Exception):
    """The message cannot be edited (too old, deleted): send a new one instead."""


class Transport(Protocol):
    """The Bot API calls the conversation makes, raising the exceptions above."""

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int: ...

    async def edit(self, chat_id: int, message_id: int, text: str,
                   keyboard: Keyboard | None) -> None: ...

    async def answer(self, callback_id: str, text: str | None) -> None: ...

    async def send_document(self, chat_id: int, filename: str, data: bytes,
                            caption: str) -> int: ...

    async def send_photo(self, chat_id: int, filename: str, data: bytes,
                         caption: str) -> int: ...


# --- sending with retries ---------------------------------------------------------------

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


# --- the conversation -------------------------------------------------------------------

@dataclass
class Conversation:
    engine: Engine
    store: Store
    bot_username: str = ""
    sales_ids: Sequence[int] = ()
    admin_ids: Sequence[int] = ()
    max_concurrent: int = 64
    flood_limit: int = 20
    flood_window: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Callable[[], float] = time.monotonic
    seen_limit: int = 10_000

    discount_limit: int = 10
    link_days: int = 30
    public_url: str = ""
    company_name: str = ""  # on the quote card; empty: the catalog's neutral name
    transport: Transport | None = None  # for messages not in reply to an update

    def __post_init__(self) -> None:
        from bot.sales import SalesDesk  # the sales side of the same conversation

        self.desk = SalesDesk(self)
        self.locks = UserLocks()
        self.gate = FloodGate(self.flood_limit, self.flood_window, self.clock)
        self.slots = asyncio.Semaphore(self.max_concurrent)
        self.seen: OrderedDict[int, None] = OrderedDict()
        self.chosen_locales: OrderedDict[int, str | None] = OrderedDict()  # users.locale
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    # The entry point both front-ends call.
    async def handle(self, incoming: Incoming, transport: Transport) -> None:
        self.transport = self.transport or transport
        log.debug("update %s from user %s: %s of %d characters", incoming.update_id,
                  incoming.user_id, "button" if incoming.is_callback else "text",
                  len(incoming.callback_data or incoming.text or ""))
        if self._seen_before(incoming.update_id):
            return  # at-least-once delivery: the same update is handled once
        # Counted on arrival, not when the user's turn comes: a burst queued behind a slow
        # reply is still a burst, however long the queue takes to drain.
        verdict = self.gate.admit(incoming.user_id)
        metrics.UPDATES.labels(metrics.update_kind(
            callback=incoming.is_callback, edited=incoming.edited, text=incoming.text)).inc()
        arrived = time.perf_counter()
        self.in_flight += 1
        self.idle.clear()
        try:
            async with self.slots, self.locks(incoming.user_id):
                if self._handled_before(incoming.update_id):
                    return  # handled before a restart, redelivered since
                if not await self._guarded(incoming, transport, verdict):
                    self._mark_handled(incoming.update_id)
        finally:
            metrics.LATENCY.observe(time.perf_counter() - arrived)
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()

    async def notify(self, chat_id: int, text: str) -> None:
        """A message to staff outside a reply (a link opened on the web, say)."""
        if self.transport is None:
            log.warning("no transport to notify %s", chat_id)
            return
        transport = self.transport
        try:
            for chunk in split_message(text):
                await with_retries(lambda chunk=chunk: transport.send(  # type: ignore[misc]
                    chat_id, chunk, None), self.retry)
        except Exception:
            log.exception("could not notify %s", chat_id)

    async def drain(self) -> None:
        """Wait for updates being handled to finish (graceful shutdown)."""
        await self.idle.wait()

    def _handled_before(self, update_id: int) -> bool:
        try:
            return self.store.update_seen(update_id)
        except StoreError:
            return False  # the database is down: handling will say 稍后再试

    def _mark_handled(self, update_id: int) -> None:
        try:
            self.store.mark_update(update_id)
        except StoreError:
            log.warning("could not mark update %s as handled", update_id)

    def _seen_before(self, update_id: int) -> bool:
        if update_id in self.seen:
            return True
        self.seen[update_id] = None
        if len(self.seen) > self.seen_limit:
            self.seen.popitem(last=False)
        return False

    async def _guarded(self, incoming: Incoming, transport: Transport, verdict: str) -> bool:
        """Handle one update the flood gate gave `verdict`; True when its dialogue state
        was saved, which marks the update handled in the same transaction (no second
        write needed)."""
        t = translator(self._locale(incoming))
        out = _Out(transport, incoming, self.retry)
        if verdict != "ok":
            metrics.FLOOD_REFUSED.inc()
            if verdict == "warn":
                await out.reply(t("tg.flood"))
            elif incoming.is_callback:
                await out.answer(t("tg.flood"))
            return False
        try:
            await self._route(incoming, out, t)
        except StoreError as error:
            metrics.ERRORS.labels("storage").inc()
            reference = uuid.uuid4().hex[:8]
            log.error("storage error [ref %s] for update %s: %s", reference,
                      incoming.update_id, error)
            # The next step may already be on screen (replies go out before the state is
            # saved, so a crash re-sends rather than loses them): say it did not count.
            key = "error.not_saved" if out.screen_shown else "error.try_later"
            await out.best_effort_reply(t(key, ref=reference))
        except Exception:
            metrics.ERRORS.labels("unexpected").inc()
            reference = uuid.uuid4().hex[:8]
            log.exception("error handling update %s [ref %s]", incoming.update_id, reference)
            await out.best_effort_reply(t("error.apology", ref=reference))
        return out.state_saved

    def _locale(self, incoming: Incoming) -> str:
        """The user's choice (/lang), else Telegram's language_code, else zh_CN."""
        user = incoming.user_id
        if user not in self.chosen_locales:
            try:
                self.chosen_locales[user] = self.store.user_locale(CHANNEL, str(user))
            except StoreError:
                return resolve_locale(None, incoming.language_code)
            if len(self.chosen_locales) > self.seen_limit:  # a bounded cache
                self.chosen_locales.popitem(last=False)
        return resolve_locale(self.chosen_locales[user], incoming.language_code)

    # --- routing --------------------------------------------------------------------

    async def _route(self, incoming: Incoming, out: _Out, t: Translator) -> None:
        if incoming.chat_type != "private":
            await self._group(incoming, out, t)
            return
        if incoming.edited:
            await out.reply(t("tg.edited"))
            return
        if incoming.is_callback:
            await self._callback(incoming, out, t)
            return
        if incoming.text is None:
            await out.reply(t("tg.not_text"))
            return
        command, argument = parse_command(incoming.text, self.bot_username)
        if command is None:
            await self._text(incoming, out, t)
        elif command in COMMANDS:
            await getattr(self, f"_cmd_{command}")(incoming, out, t, argument)
        elif command in STAFF_COMMANDS:
            await self.desk.command(command, incoming, out, t, argument)
        else:
            await out.reply(t("tg.unknown_command"))

    async def _group(self, incoming: Incoming, out: _Out, t: Translator) -> None:
        """In groups the bot only answers commands, pointing to a private chat."""
        if incoming.is_callback:
            await out.answer(t("tg.private_only_short"))
            return
        if incoming.text is None or incoming.edited:
            return
        command, _ = parse_command(incoming.text, self.bot_username)
        if command is not None:
            link = f"https://t.me/{self.bot_username}" if self.bot_username else ""
            await out.reply(t("tg.private_only", link=link))

    # --- state ----------------------------------------------------------------------

    def _user(self, incoming: Incoming) -> str:
        return str(incoming.user_id)

    def _load(self, incoming: Incoming) -> tuple[DialogState | None, int | None]:
        stored = self.store.load_session(CHANNEL, self._user(incoming))
        if stored is None:
            return None, None
        try:
            return DialogState.from_dict(stored), stored.get("tg_message_id")
        except StateError:
            return None, None

    def _save(self, incoming: Incoming, state: DialogState, message_id: int | None) -> None:
        data = state.to_dict()
        data["tg_message_id"] = message_id  # the message whose buttons are current
        self.store.save_session(CHANNEL, self._user(incoming), data,
                                update_id=incoming.update_id)

    def _new(self, incoming: Incoming, t: Translator) -> tuple[DialogState, Screen]:
        self.store.touch_user(CHANNEL, self._user(incoming), handle=handle_of(incoming))
        return self.engine.start(t.locale, dialog_id=uuid.uuid4().hex)

    # --- commands -------------------------------------------------------------------

    async def _cmd_start(self, incoming: Incoming, out: _Out, t: Translator,
                         argument: str) -> None:
        if argument.startswith("q_"):  # a prospect opening a salesperson's quote link
            await self.desk.open_link(incoming, out, t, argument[2:])
            return
        state, _ = self._load(incoming)
        if state is not None and (state.answers or state.phase != "ask"):
            state, screen = self.engine.resume(state)
        else:
            state, screen = self._new(incoming, t)
            await out.reply(t("tg.welcome"))
        await self.show_screen(incoming, out, state, screen, edit=False)

    async def _cmd_quote(self, incoming: Incoming, out: _Out, t: Translator,
                         argument: str) -> None:
        state, screen = self._new(incoming, t)
        await self.show_screen(incoming, out, state, screen, edit=False)

    async def _cmd_history(self, incoming: Incoming, out: _Out, t: Translator,
                           argument: str) -> None:
        saved = self.store.quotes(channel=CHANNEL, user_id=self._user(incoming), limit=5)
        if not saved:
            await out.reply(t("tg.history_empty"))
            return
        lines = [f"<b>{t('tg.history_title')}</b>"]
        for row in saved:
            lines.append(t("tg.history_row", id=row.id, time=row.created_at[:10],
                           orders=f"{row.daily_orders:,}",
                           low=f"{int(row.monthly_low):,}", high=f"{int(row.monthly_high):,}"))
        await out.reply("\n".join(lines))

    async def _cmd_lang(self, incoming: Incoming, out: _Out, t: Translator,
                        argument: str) -> None:
        chosen = normalize_locale(argument) if argument else None
        if chosen:
            await self._set_language(incoming, out, chosen)
            return
        keyboard = (tuple((translator(code)("lang.name"), f"lang:{code}")
                          for code in SUPPORTED),)
        await out.reply(t("tg.lang_pick"), keyboard)

    async def _cmd_help(self, incoming: Incoming, out: _Out, t: Translator,
                        argument: str) -> None:
        text = t("tg.help")
        if self.desk.is_staff(incoming.user_id):
            text += "\n\n" + t("tg.help_staff")
        await out.reply(text)

    async def _cmd_cancel(self, incoming: Incoming, out: _Out, t: Translator,
                          argument: str) -> None:
        self.store.delete_session(CHANNEL, self._user(incoming))
        await out.reply(t("tg.cancelled"))

    async def _cmd_human(self, incoming: Incoming, out: _Out, t: Translator,
                         argument: str) -> None:
        state, _ = self._load(incoming)
        await self._handoff(incoming, out, state)
        await out.reply(t("dlg.handoff_sent"))

    # --- dialogue -------------------------------------------------------------------

    async def _text(self, incoming: Incoming, out: _Out, t: Translator) -> None:
        state, _ = self._load(incoming)
        if state is None:
            state, _ = self._new(incoming, t)
        state, screen = self.engine.handle(state, Say(incoming.text or ""))
        await self._after(incoming, out, state, screen, edit=False)

    async def _callback(self, incoming: Incoming, out: _Out, t: Translator) -> None:
        data = incoming.callback_data or ""
        if data.startswith("lang:"):
            if normalize_locale(data[5:]) is None:  # forged: not one of our buttons
                await out.answer(t("dlg.stale"))
                return
            await self._set_language(incoming, out, data[5:])
            return
        if data.startswith(("lk:", "ap:")):
            await self.desk.callback(incoming, out, t, data)
            return
        state, current_message = self._load(incoming)
        seq, _, button = data.partition(":")
        if state is None or seq != str(state.seq) or not button:
            await self._stale(incoming, out, state, current_message)
            return
        state, screen = self.engine.handle(state, Press(button))
        if "stale" in screen.effects:
            await self._stale(incoming, out, state, current_message)
            return
        if "share_link" in screen.effects and self.desk.approval_requested(state):
            await out.answer(t("dlg.stale"))  # one approval request per quote version
            return
        await out.answer(None)
        await self._after(incoming, out, state, screen, edit=True)

    async def _stale(self, incoming: Incoming, out: _Out, state: DialogState | None,
                     current_message: int | None) -> None:
        """An old or repeated button: say so, and show the current step unless the
        pressed message already shows it (a double press)."""
        t = translator(state.locale if state else self._locale(incoming))
        await out.answer(t("dlg.stale"))
        if state is None:
            state, screen = self._new(incoming, t)
        elif incoming.message_id is not None and incoming.message_id == current_message:
            return
        else:
            screen = self.engine.show(state)
        await self.show_screen(incoming, out, state, screen, edit=False)

    async def _set_language(self, incoming: Incoming, out: _Out, code: str) -> None:
        locale = normalize_locale(code) or resolve_locale(None)
        self.store.touch_user(CHANNEL, self._user(incoming), handle=handle_of(incoming),
                              locale=locale)
        self.chosen_locales[incoming.user_id] = locale
        t = translator(locale)
        if incoming.is_callback:
            await out.answer(None)
        await out.reply(t("tg.lang_set"))
        state, _ = self._load(incoming)
        if state is not None:
            state, screen = self.engine.set_locale(state, locale)
            await self.show_screen(incoming, out, state, screen, edit=False)

    async def _after(self, incoming: Incoming, out: _Out, state: DialogState, screen: Screen,
                     *, edit: bool) -> None:
        """Carry out the screen's effects, then show it."""
        saved: int | None = None
        if "save_quote" in screen.effects and screen.quote is not None:
            saved = await self.desk.save(incoming, out, state, screen.quote)
        if "share_link" in screen.effects:
            await self.desk.share(incoming, out, state)
            return
        if "handoff" in screen.effects:
            await self._handoff(incoming, out, state)
        await self.show_screen(incoming, out, state, screen, edit=edit)
        if saved is not None:
            await self.send_card(out, saved, state.locale)  # below the quote it shows

    async def send_card(self, out: _Out, quote_id: int, locale: str) -> None:
        """The quote card (bot/card.py) as a photo to forward. Best effort: the quote
        itself has gone out already, or goes out next whatever happens here."""
        try:
            record = self.store.record(quote_id)
            if record is None:
                return
            png = await asyncio.to_thread(record_card, record, company=self.company_name)
            await out.photo(card_filename(record), png, translator(locale)("card.caption"))
        except Exception:
            log.warning("could not send the card of quote %s", quote_id, exc_info=True)

    async def show_screen(self, incoming: Incoming, out: _Out, state: DialogState,
                          screen: Screen, *, edit: bool) -> None:
        text = screen.text
        if screen.quote is not None:
            text = f"{render_quote_html(screen.quote, state.locale)}\n\n{text}"
        keyboard = tuple(tuple((button.label, f"{state.seq}:{button.id}") for button in row)
                         for row in screen.buttons)
        message_id = await out.show(text, keyboard, edit_message=incoming.message_id
                                    if edit else None)
        self._save(incoming, state, message_id)
        out.state_saved = True

    async def _handoff(self, incoming: Incoming, out: _Out, state: DialogState | None) -> None:
        """Forward the answers so far and the user's handle to every salesperson."""
        answers = dict(state.answers) if state else {}
        self.store.record_handoff(channel=CHANNEL, user_id=self._user(incoming),
                                  handle=handle_of(incoming), answers=answers)
        summary = self.engine.summary_text(state) if state else ""
        for sales_id in self.sales_ids:
            t = translator(resolve_locale(self.store.user_locale(CHANNEL, str(sales_id))))
            text = t("tg.handoff_to_sales", handle=html.escape(handle_of(incoming)),
                     user_id=incoming.user_id, name=html.escape(incoming.full_name),
                     summary=summary or t("tg.handoff_no_answers"))
            await out.send_to(sales_id, text)


def handle_of(incoming: Incoming) -> str:
    """How to name the user to staff: @username, else the name, else the id."""
    return f"@{incoming.username}" if incoming.username else incoming.full_name or str(
        incoming.user_id)


def parse_command(text: str, bot_username: str = "") -> tuple[str | None, str]:
    """"/start@kameng_bot q_abc" → ("start", "q_abc"); plain text → (None, "")."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return None, ""
    head, _, argument = stripped[1:].partition(" ")
    name, _, target = head.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None, ""  # a command for another bot in a group
    return name.lower(), argument.strip()


class _Out:
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
        chunks = split_message(text)
        message_id = 0
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            message_id = await with_retries(
                lambda chunk=chunk, last=last: self.transport.send(  # type: ignore[misc]
                    chat_id, chunk, keyboard if last else None), self.retry)
            metrics.REPLIES.labels("send").inc()
        return int(message_id)

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
