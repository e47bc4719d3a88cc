"""The Telegram conversation, independent of the Telegram library that carries it.

aiogram and python-telegram-bot are thin transports (bot/tg/aiogram_front.py,
bot/tg/ptb_front.py): each turns its update into an `Incoming`, calls
`Conversation.handle`, and implements `Transport` for its own Bot API client. Here, once:
duplicate updates, the flood limit, per-user order, errors with a reference id, the
user's language, and routing — by the two tables below — to the dialogue engine, the
commands (bot/tg/commands.py) and the services (bot/services/). Both front-ends therefore
behave identically (tests compare their transcripts).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot import metrics
from bot.cardworks import CardWorks
from bot.render import screen_html
from bot.services.effects import Effects
from bot.services.followups import Followups, Rules
from bot.services.links import LinkSettings
from bot.services.pipeline import Pipeline
from bot.services.quotes import Person, QuoteDesk
from bot.services.renewals import Renewals
from bot.services.replies import (
    CONTACT_BUTTON,
    TEXT_BUTTON,
    Action,
    Card,
    Document,
    Keyboard,
    Notice,
    Reply,
    Show,
    Toast,
)
from bot.services.staff import Staff, shown_name
from bot.storage.store import Store, StoreError
from bot.tg.base import CHANNEL, COMMANDS, STAFF_COMMANDS, Incoming, Transport, parse_command
from bot.tg.commands import Commands
from bot.tg.delivery import FloodGate, Replies, RetryPolicy, UserLocks, send_text
from dialogs.engine import Engine
from dialogs.screens import QUOTE_BUTTONS_AT_MOST
from dialogs.state import Contact, DialogState, Press, Say, Screen, StateError
from locales.i18n import Translator, resolve_locale, translator

log = logging.getLogger(__name__)

Handler = Callable[[Incoming, Replies, Translator, str], Awaitable[None]]


def with_miniapp_button(keyboard: Keyboard, label: str, url: str) -> Keyboard:
    """The quote's keyboard with a 🎚 row that opens the Mini App (bot/miniapp.py; a web_app
    button, not a callback), only while the quote stays within its 8 buttons: on a phone
    the quote keeps its size, and the chat's menu button opens the Mini App in any case."""
    if sum(map(len, keyboard)) >= QUOTE_BUTTONS_AT_MOST:
        return keyboard
    return (*keyboard, ((label, url),))


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
    miniapp_url: str = ""  # the Mini App (https only): a 🎚 button under every quote
    transport: Transport | None = None  # for messages not in reply to an update
    followup_rules: Rules = field(default_factory=Rules)  # FOLLOWUP_*, BUSINESS_HOURS, …
    renewal_mode: str = "owner"  # RENEWAL_APPROVAL
    cards: CardWorks | None = None  # drawn in a process pool, kept per quote version

    def __post_init__(self) -> None:
        self.card_works = self.cards or CardWorks(self.store.path, self.company_name,
                                                  business=self.engine.company)
        # Cards go out after the reply, in tasks of their own (kept here until done).
        self.background: set[asyncio.Task[None]] = set()
        self.links = LinkSettings(self.bot_username, self.public_url, self.link_days)
        self.desk = QuoteDesk(self.store, self.engine, Staff(self.sales_ids, self.admin_ids),
                              self.links, self.discount_limit)
        self.effects = Effects(self.desk)
        self.renewals = Renewals(self.store, self.engine, self.desk.staff, self.links,
                                 self.desk, self.renewal_mode)
        self.followups = Followups(self.store, self.engine, self.desk.staff, self.links,
                                   self.desk, self.followup_rules)
        self.pipeline = Pipeline(self.followups)
        self.commands = Commands(self)
        self.locks = UserLocks()
        self.gate = FloodGate(self.flood_limit, self.flood_window, self.clock)
        self.slots = asyncio.Semaphore(self.max_concurrent)
        self.seen: OrderedDict[int, None] = OrderedDict()
        # The session read with the update's "handled before?" check, for `load`.
        self.prefetched: dict[int, dict[str, Any] | None] = {}
        self.chosen_locales: OrderedDict[int, str | None] = OrderedDict()  # users.locale
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()
        commands = self.commands
        # --- the routing tables: where each command and each button goes -------------
        self.command_routes: dict[str, Handler] = {
            "start": commands.start, "quote": commands.quote, "history": commands.history,
            "lang": commands.lang, "help": commands.help, "cancel": commands.cancel,
            "human": commands.human,
            **{name: self._staff_route(name) for name in STAFF_COMMANDS},
            "pipeline": commands.pipeline,  # a salesperson's morning view
        }
        self.button_routes: dict[str, Handler] = {  # by the callback data's prefix
            "lang": commands.language_button,  # lang:<code>          /lang's choices
            "lk": commands.link_button,  # lk:acc|adj|ask:<token>   under a shared quote
            "ap": commands.approval_button,  # ap:<id>:y|n          an admin's approval
            "rq": commands.renew_button,  # rq:<token>              请求新报价, expired link
            "rn": commands.renew_decision,  # rn:<new id>:y|n      the owner sends it or not
            "fu": commands.followup_button,  # fu:new|done|mute:q<id>|h<id>  a reminder
            "pl": commands.pipeline_button,  # pl:<id>              a quote in /pipeline
        }  # anything else is a dialogue button, "<state seq>:<button id>": self._press
        assert set(self.command_routes) == {*COMMANDS, *STAFF_COMMANDS}

    def _staff_route(self, name: str) -> Handler:
        async def route(incoming: Incoming, out: Replies, t: Translator, argument: str) -> None:
            await self.commands.staff(incoming, out, t, argument, name=name)
        return route

    def set_bot_username(self, username: str) -> None:
        """Learnt from getMe at start-up: commands in groups and links need it."""
        self.bot_username = self.links.bot_username = username

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
                if self._handled_before(incoming):
                    return  # handled before a restart, redelivered since
                try:
                    if not await self._guarded(incoming, transport, verdict):
                        self._mark_handled(incoming.update_id)
                finally:
                    self.prefetched.pop(incoming.update_id, None)
        finally:
            metrics.LATENCY.observe(time.perf_counter() - arrived)
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()

    async def notify(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> None:
        """A message to staff outside a reply (a link opened on the web, say); a failure
        is logged, never raised."""
        if self.transport is None:
            log.warning("no transport to notify %s", chat_id)
            return
        try:
            await send_text(self.transport, chat_id, text, keyboard, self.retry)
        except Exception:
            log.exception("could not notify %s", chat_id)

    def settle(self, update_id: int) -> None:
        """After an update went through the front-end: if it never reached `handle` (no
        handler takes its kind), mark it handled, or the inbox replays it at every
        start. One that reached `handle` is marked there, when its handling is done."""
        if update_id not in self.seen:
            self._mark_handled(update_id)

    def keep_received(self, updates: list[tuple[int, str]]) -> None:
        """Updates (id, JSON) just fetched or posted, kept until handled: Telegram forgets
        them once confirmed, and a crash before handling must not lose them. If the
        database cannot keep them, handling goes on (it will say 稍后再试 anyway)."""
        updates = [(update_id, payload) for update_id, payload in updates
                   if 0 <= update_id < 2**63]  # what SQLite can store; Telegram's are far less
        try:
            self.store.keep_updates(updates)
        except StoreError as error:
            log.error("could not keep %d received updates: %s", len(updates), error)

    async def drain(self) -> None:
        """Wait for updates being handled, and the cards they send, to finish (graceful
        shutdown); then stop the card pool."""
        await self.idle.wait()
        if self.background:
            await asyncio.wait(set(self.background), timeout=30)
        self.card_works.close()

    def _handled_before(self, incoming: Incoming) -> bool:
        """One read for the update: handled before? and, for `load`, the user's state."""
        try:
            seen, session = self.store.update_and_session(
                incoming.update_id, CHANNEL, str(incoming.user_id))
        except StoreError:
            return False  # the database is down: handling will say 稍后再试
        if not seen:
            self.prefetched[incoming.update_id] = session
        return seen

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
        out = Replies(transport, incoming, self.retry)
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

    def remember_locale(self, user_id: int, locale: str) -> None:
        self.chosen_locales[user_id] = locale

    # --- routing --------------------------------------------------------------------

    async def _route(self, incoming: Incoming, out: Replies, t: Translator) -> None:
        if incoming.chat_type != "private":
            await self._group(incoming, out, t)
        elif incoming.edited:
            await out.reply(t("tg.edited"))
        elif incoming.is_callback:
            data = incoming.callback_data or ""
            prefix, _, _ = data.partition(":")
            route = self.button_routes.get(prefix, self._press)
            await route(incoming, out, t, data)
        elif incoming.contact_phone is not None:
            await self._contact(incoming, out, t)
        elif incoming.text is None:
            await out.reply(t("tg.not_text"))
        else:
            command, argument = parse_command(incoming.text, self.bot_username)
            if command is None:
                await self._say(incoming, out, t, incoming.text)
            elif command in self.command_routes:
                await self.command_routes[command](incoming, out, t, argument)
            else:
                await out.reply(t("tg.unknown_command"))

    async def _group(self, incoming: Incoming, out: Replies, t: Translator) -> None:
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

    # --- the dialogue ---------------------------------------------------------------

    def person(self, incoming: Incoming) -> Person:
        return Person(CHANNEL, str(incoming.user_id), shown_name(incoming.handle),
                      shown_name(incoming.full_name))

    def load(self, incoming: Incoming) -> tuple[DialogState | None, int | None]:
        """The user's dialogue state and the message showing it: read with the update's
        duplicate check the first time (the user's lock is held since), else now."""
        if incoming.update_id in self.prefetched:
            stored = self.prefetched.pop(incoming.update_id)
        else:
            stored = self.store.load_session(CHANNEL, str(incoming.user_id))
        if stored is None:
            return None, None
        try:
            return DialogState.from_dict(stored), stored.get("tg_message_id")
        except StateError:
            return None, None

    def view_link(self, incoming: Incoming, token: str, t: Translator) -> None:
        """A prospect opened a shared quote: what they type next is about it. A dialogue
        of their own in progress is kept (they come back to it with /start)."""
        state, message_id = self.load(incoming)
        if state is None or (not state.answers and state.phase == "ask"):
            state, _ = self.new(incoming, t)
        self._save(incoming, replace(state, viewing=token), message_id)

    def _save(self, incoming: Incoming, state: DialogState, message_id: int | None) -> None:
        data = state.to_dict()
        data["tg_message_id"] = message_id  # the message whose buttons are current
        # A negative id: no update behind it (保存报价 in the Mini App), nothing to mark.
        self.store.save_session(CHANNEL, str(incoming.user_id), data,
                                update_id=incoming.update_id if incoming.update_id >= 0
                                else None)

    def new(self, incoming: Incoming, t: Translator) -> tuple[DialogState, Screen]:
        self.store.touch_user(CHANNEL, str(incoming.user_id), handle=incoming.handle)
        return self.engine.start(t.locale, dialog_id=uuid.uuid4().hex)

    async def _say(self, incoming: Incoming, out: Replies, t: Translator, text: str) -> None:
        state, _ = self.load(incoming)
        if state is not None and state.viewing and not state.answers and state.phase == "ask":
            # A prospect on a shared quote: answered there, the salesperson told.
            await self.deliver(self.desk.prospect_said(self.person(incoming), state.viewing,
                                                       text, t), incoming, out)
            return
        if state is None:
            state, _ = self.new(incoming, t)
        state, screen = self.engine.handle(state, Say(text))
        await self._after(incoming, out, state, screen, edit=False)

    async def _contact(self, incoming: Incoming, out: Replies, t: Translator) -> None:
        """A contact shared with the 📱 button: the dialogue checks it is the sender's own."""
        state, _ = self.load(incoming)
        if state is None:
            state, _ = self.new(incoming, t)
        own = incoming.contact_user_id == incoming.user_id
        state, screen = self.engine.handle(state, Contact(incoming.contact_phone or "", own))
        await self._after(incoming, out, state, screen, edit=False)

    async def _press(self, incoming: Incoming, out: Replies, t: Translator, data: str) -> None:
        """A dialogue button: "<state seq>:<button id>", valid only for the current state."""
        state, current_message = self.load(incoming)
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

    async def _stale(self, incoming: Incoming, out: Replies, state: DialogState | None,
                     current_message: int | None) -> None:
        """An old or repeated button: say so, and show the current step unless the
        pressed message already shows it (a double press)."""
        t = translator(state.locale if state else self._locale(incoming))
        await out.answer(t("dlg.stale"))
        if state is None:
            state, screen = self.new(incoming, t)
        elif incoming.message_id is not None and incoming.message_id == current_message:
            return
        else:
            screen = self.engine.show(state)
        await self.show_screen(incoming, out, state, screen, edit=False)

    async def _after(self, incoming: Incoming, out: Replies, state: DialogState,
                     screen: Screen, *, edit: bool) -> None:
        """Carry out the screen's effects (bot/services/effects.py), then show it."""
        outcome = self.effects.run(self.person(incoming), state, screen)
        await self.deliver(outcome.before, incoming, out)
        if outcome.show_screen:
            await self.show_screen(incoming, out, state, screen, edit=edit)
            await self.deliver(outcome.after, incoming, out)  # the card, below the quote

    async def show_screen(self, incoming: Incoming, out: Replies, state: DialogState,
                          screen: Screen, *, edit: bool) -> None:
        text = screen_html(screen, state.locale)
        keyboard: Keyboard
        if screen.kind == "contact":
            # Telegram's reply keyboard: "share my number" (request_contact) and the
            # screen's buttons as words; it cannot be put on an edited message.
            label = translator(state.locale)("btn.send_phone")
            keyboard = (((label, CONTACT_BUTTON),), *(
                tuple((button.label, TEXT_BUTTON) for button in row) for row in screen.buttons))
            edit = False
        else:
            keyboard = tuple(tuple((button.label, f"{state.seq}:{button.id}")
                                   for button in row) for row in screen.buttons)
            if (screen.kind == "quote" and self.miniapp_url
                    and incoming.chat_type == "private"):
                keyboard = with_miniapp_button(
                    keyboard, translator(state.locale)("btn.miniapp"), self.miniapp_url)
        message_id = await out.show(text, keyboard, edit_message=incoming.message_id
                                    if edit else None)
        self._save(incoming, state, message_id)
        out.state_saved = True

    # --- delivering what the services decided --------------------------------------

    async def deliver(self, actions: list[Action], incoming: Incoming, out: Replies) -> None:
        for action in actions:
            match action:
                case Toast(text):
                    await out.answer(text)
                case Reply(text, keyboard):
                    await out.reply(text, keyboard)
                case Notice(chat_id, text, keyboard, best_effort=True):
                    await self.notify(chat_id, text, keyboard)
                case Notice(chat_id, text, keyboard):
                    await out.send_to(chat_id, text, keyboard)
                case Document(filename, data, caption):
                    await out.document(filename, data, caption)
                case Card(quote_id, locale):
                    # After the reply, never in its way: the user's next update and
                    # everyone else's are handled while the pool draws.
                    task = asyncio.create_task(self.send_card(out, quote_id, locale))
                    self.background.add(task)
                    task.add_done_callback(self.background.discard)
                case Show(state, screen):
                    await self.show_screen(incoming, out, state, screen, edit=False)

    async def send_card(self, out: Replies, quote_id: int, locale: str) -> None:
        """The quote card (bot/card.py) as a photo to forward, drawn in the card pool or
        taken from the cards kept on disk (bot/cardworks.py). Best effort, in a task of
        its own: the reply it follows has gone out already."""
        try:
            record = self.store.record(quote_id)
            if record is None:
                return
            png = await self.card_works.png(record)
            await out.photo(self.card_works.name(record), png,
                            translator(locale)("card.caption"))
        except Exception:
            log.warning("could not send the card of quote %s", quote_id, exc_info=True)
