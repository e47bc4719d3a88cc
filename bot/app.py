"""`kameng bot`: the composition root. Build the app, start a front-end, serve polling or
a webhook, shut down.

`build_app(settings)` wires everything once: store, rates, dialogue engine, conversation
(which builds the services it routes to), and the chosen front-end (aiogram by default,
python-telegram-bot with --framework ptb). Nothing else constructs these.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import json
import logging
import re
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from bot import metrics
from bot.card import check_font
from bot.config import Settings
from bot.http_guard import serve_guarded
from bot.services.configurator import app_url
from bot.services.followups import Rules
from bot.storage.store import Store, StoreError
from bot.tg.base import MENU_LANGUAGES, Transport, staff_menus
from bot.tg.conversation import Conversation
from dialogs.engine import Engine
from locales.i18n import translator
from pricing import load_rates

if TYPE_CHECKING:
    from bot.miniapp import MiniApp

log = logging.getLogger("kameng.bot")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_TASKS = web.AppKey("webhook_tasks", set)
MAX_UPDATE_DEPTH = 64  # nesting levels accepted in a webhook update
STAFF_MENUS_KEY = "staff_menu_chats"  # meta: chats that have a staff menu of their own
FOLLOWUP_EVERY = 60.0  # seconds between two looks for due follow-ups


class Frontend(Protocol):
    name: str
    conversation: Conversation

    @property
    def transport(self) -> Transport: ...  # read-only: each front-end has its own kind

    async def start(self) -> str: ...
    async def set_commands(self) -> None: ...
    async def set_chat_commands(self, chat_id: int, language: str | None,
                                commands: list[tuple[str, str]]) -> None: ...
    async def delete_chat_commands(self, chat_id: int, language: str | None) -> None: ...
    async def run_polling(self, stop: asyncio.Event) -> None: ...
    async def set_webhook(self, url: str, secret: str) -> None: ...
    async def set_menu_button(self, text: str, url: str) -> None: ...  # "" → the default
    async def start_processing(self) -> None: ...  # before the first webhook update
    async def feed(self, data: dict[str, Any]) -> None: ...
    async def close(self) -> None: ...


class RedactingFilter(logging.Filter):
    """Keeps secrets out of every log line (HTTP client loggers print the token in URLs)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.pattern = re.compile("|".join(re.escape(s) for s in secrets if s)) if any(
            secrets) else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pattern is None:
            return True
        message = record.getMessage()
        if self.pattern.search(message):
            record.msg = self.pattern.sub("<redacted>", message)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.pattern.search(text):
                record.exc_text = self.pattern.sub("<redacted>", text)
        return True


def setup_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # These log every request URL, which contains the token: quiet, and redacted anyway.
    for noisy in ("httpx", "httpcore", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG the frameworks log whole updates and API calls: what users type, prospects'
    # names, link tokens. Never below INFO for them; our own DEBUG lines give ids and
    # lengths (bot/tg/conversation.py).
    for chatty in ("telegram", "aiogram"):
        logging.getLogger(chatty).setLevel(max(root.level, logging.INFO))


@dataclass
class App:
    settings: Settings
    store: Store
    conversation: Conversation
    frontend: Frontend


def build_app(settings: Settings, token: str) -> App:
    check_font()  # the quote card's CJK font: a missing package is a start-up error
    store = Store(settings.db)
    from bot.company import load_company, with_name

    company = with_name(load_company(settings.company_file), settings.company_name)
    engine = Engine(load_rates(settings.rates), company=company)
    conversation = Conversation(
        engine=engine, store=store, sales_ids=settings.sales_ids, admin_ids=settings.admin_ids,
        max_concurrent=settings.max_concurrent_updates, flood_limit=settings.flood_limit,
        flood_window=settings.flood_window_seconds, discount_limit=settings.discount_limit,
        link_days=settings.link_days, public_url=settings.public_url,
        company_name=settings.company_name, followup_rules=Rules.from_settings(settings),
        renewal_mode=settings.renewal, miniapp_url=app_url(settings.public_url))
    frontend: Frontend
    if settings.framework == "ptb":
        from bot.tg.ptb_front import PtbFrontend
        frontend = PtbFrontend(token, settings.telegram_api_base, conversation,
                               concurrency=settings.max_concurrent_updates)
    else:
        from bot.tg.aiogram_front import AiogramFrontend
        frontend = AiogramFrontend(token, settings.telegram_api_base, conversation,
                                   concurrency=settings.max_concurrent_updates)
    conversation.transport = frontend.transport
    return App(settings, store, conversation, frontend)


def webhook_app(app: App) -> web.Application:
    """The webhook endpoint: checks the secret header, ignores redelivered updates,
    acknowledges at once and handles the update in the background."""
    secret = app.settings.webhook_secret.get_secret_value()
    tasks: set[asyncio.Task[None]] = set()

    async def on_update(request: web.Request) -> web.Response:
        if not secret or not _secret_matches(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=401, text="unauthorized")
        try:
            data = await request.json(loads=json.loads)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
            return web.Response(status=400, text="bad update")
        if (not isinstance(data, dict) or not valid_update_id(data.get("update_id"))
                or _deeper_than(data, MAX_UPDATE_DEPTH)):
            return web.Response(status=400, text="bad update")
        # Kept before the 200 that tells Telegram it arrived: a crash then loses nothing.
        app.conversation.keep_received([(data["update_id"], json.dumps(data))])
        task = asyncio.create_task(_feed(app, data))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "framework": app.frontend.name})

    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_post(app.settings.webhook_path, on_update)
    web_app.router.add_get("/healthz", healthz)
    metrics.add_routes(web_app, app.store)  # GET /metrics
    web_app[WEBHOOK_TASKS] = tasks  # keeps background handlers referenced until done
    return web_app


def valid_update_id(value: Any) -> bool:
    """An update id as Telegram makes them: a non-negative integer SQLite can store
    (2⁶⁴ made the inbox raise OverflowError: a 500 and a traceback)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _secret_matches(given: str, secret: str) -> bool:
    """A constant-time comparison; a header that is not UTF-8 (aiohttp keeps its bytes as
    surrogates) simply does not match."""
    try:
        return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))
    except UnicodeEncodeError:
        return False


def _deeper_than(data: Any, limit: int) -> bool:
    """True when JSON values nest more than `limit` levels (a real update has about 10);
    iterative, so a hostile document cannot exhaust the stack here or in the models."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return False


async def _feed(app: App, data: dict[str, Any]) -> None:
    """Hand one update to the front-end. One that no handler takes (a kind we do not
    handle, one the framework cannot read) is marked handled afterwards: left in the
    inbox, it would be replayed at every start."""
    try:
        await app.frontend.feed(data)
    except Exception as error:
        log.warning("could not process update %s: %s", data.get("update_id"),
                    type(error).__name__)
    app.conversation.settle(data["update_id"])


async def serve(app: App, *, webhook: bool, ready: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM, then finish in-flight updates and close."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    reminders: asyncio.Task[None] | None = None
    try:
        username = await app.frontend.start()
        app.conversation.set_bot_username(username)
        try:  # remembered for `kameng link`; a database in trouble must not stop the bot
            app.store.set_meta("bot_username", username)
        except StoreError as error:
            log.error("could not record the bot's username: %s", error)
        await app.frontend.set_commands()
        await set_menu_button(app)
        try:  # staff menus remember their chats in the database: in trouble, log and go on
            await set_staff_menus(app)
        except StoreError as error:
            log.error("could not update the staff menus: %s", error)
        await replay_unhandled(app)
        # Everything loaded so far (the frameworks' models, catalogs, templates) lives for
        # the whole run: keep it out of the collector's full passes, which otherwise stall
        # every user for ~100 ms now and then.
        gc.collect()
        gc.freeze()
        log.info("bot @%s started with %s (%s); %s", username, app.frontend.name,
                 "webhook" if webhook else "long polling", metrics.running())
        pages = probe = None
        if app.settings.metrics_port:  # /metrics and /healthz of their own (polling has
            probe = await metrics.serve_metrics(  # no web server otherwise)
                app.store, app.settings.metrics_host, app.settings.metrics_port,
                framework=app.frontend.name, mode="webhook" if webhook else "polling")
            log.info("metrics on http://%s:%s/metrics", app.settings.metrics_host,
                     app.settings.metrics_port)
        reminders = (asyncio.create_task(followup_loop(app, stop))
                     if app.settings.followups else None)
        if app.settings.public_url:  # quote links point here: serve their pages too
            from bot.web import parse_networks, serve_web
            pages = await serve_web(app.store, app.settings.web_host, app.settings.web_port,
                                    notify=app.conversation.notify,
                                    renewals=app.conversation.renewals,
                                    trusted_proxies=parse_networks(
                                        app.settings.trusted_proxies),
                                    public_url=app.settings.public_url,
                                    company=app.settings.company_name,
                                    header_timeout=app.settings.header_timeout,
                                    max_connections=app.settings.max_connections,
                                    metrics_route=app.settings.page_metrics(),
                                    business=app.conversation.engine.company,
                                    miniapp=miniapp_for(app),
                                    cards=app.conversation.card_works)
        if webhook:
            await _serve_webhook(app, stop)
        else:
            await app.frontend.run_polling(stop)
        if reminders is not None:
            await reminders  # a reminder being sent is finished and marked, never cut
        if pages is not None:
            await pages.cleanup()
        await app.conversation.drain()
        if probe is not None:
            await probe.cleanup()
        log.info("stopped; in-flight updates finished")
    finally:
        if reminders is not None and not reminders.done():  # polling failed: stop them too
            stop.set()
            await reminders
        await app.frontend.close()
        app.store.close()


async def followup_loop(app: App, stop: asyncio.Event, *,
                        every: float = FOLLOWUP_EVERY) -> None:
    """Send the follow-ups due (bot/services/followups.py) now and then until `stop`. A
    database in trouble or a Bot API failure is logged, and the next round tries again."""
    from datetime import UTC, datetime

    from bot.tg.delivery import send_text

    followups = app.conversation.followups

    async def send(chat_id: int, text: str, keyboard: Any) -> None:
        await send_text(app.frontend.transport, chat_id, text, keyboard,
                        app.conversation.retry)

    try:
        followups.release_unsent()
    except StoreError as error:
        log.error("could not read the follow-ups left unsent: %s", error)
    while not stop.is_set():
        try:
            sent = await followups.send_due(datetime.now(UTC), send)
            if sent:
                log.info("sent %d follow-ups", sent)
        except StoreError as error:
            log.error("could not look for follow-ups: %s", error)
        except Exception:
            log.exception("follow-ups failed this round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def miniapp_for(app: App) -> MiniApp:
    """The Mini App's page and API (bot/miniapp.py), saving through this bot's conversation."""
    from bot.miniapp import MiniApp
    from bot.tg.miniapp import AppSaves

    return MiniApp(app.store, app.conversation.engine, app.settings.token(),
                   max_age=app.settings.miniapp_max_age, saver=AppSaves(app.conversation))


async def set_menu_button(app: App) -> None:
    """The chat's menu button opens the Mini App when PUBLIC_URL is https (Telegram opens
    nothing else); otherwise the default (the command list), so a button left from an
    earlier configuration goes away. Best effort: the bot starts all the same."""
    url = app_url(app.settings.public_url)
    try:
        await app.frontend.set_menu_button(translator(None)("app.menu_button"), url)
    except Exception as error:
        log.warning("could not set the chat menu button: %s", error)


async def replay_unhandled(app: App) -> None:
    """Updates received before the last stop or crash and never handled (the inbox, see
    Store.keep_updates) are handled now, oldest first, before any new one."""
    try:
        pending = app.store.unhandled_updates()
    except StoreError as error:
        log.error("could not read the updates left unhandled: %s", error)
        return
    if pending:
        log.info("handling %d updates received before the restart", len(pending))
    for data in pending:
        await _feed(app, data)


async def set_staff_menus(app: App) -> None:
    """Staff menus per chat (BotCommandScopeChat); chats no longer staff lose theirs. A
    chat Telegram refuses (the person never opened the bot) is logged, not fatal."""
    settings = app.settings
    current = {chat_id for chat_id, _, _ in staff_menus(settings.sales_ids, settings.admin_ids)}
    before = {int(item) for item in (app.store.get_meta(STAFF_MENUS_KEY) or "").split()
              if item.lstrip("-").isdigit()}
    for chat_id in sorted(before - current):
        for language, _ in MENU_LANGUAGES:
            await _menu_call(app.frontend.delete_chat_commands(chat_id, language), chat_id)
    done = set()
    for chat_id, language, commands in staff_menus(settings.sales_ids, settings.admin_ids):
        if await _menu_call(app.frontend.set_chat_commands(chat_id, language, commands),
                            chat_id):
            done.add(chat_id)
    app.store.set_meta(STAFF_MENUS_KEY, " ".join(str(chat) for chat in sorted(done)))


async def _menu_call(call: Any, chat_id: int) -> bool:
    try:
        await call
    except Exception as error:  # a bad or unknown chat id must not stop the bot
        log.warning("could not set the staff menu of chat %s: %s", chat_id, error)
        return False
    return True


async def _serve_webhook(app: App, stop: asyncio.Event) -> None:
    settings = app.settings
    await app.frontend.start_processing()
    runner = await serve_guarded(webhook_app(app), settings.webhook_host,
                                 settings.webhook_port, header_timeout=settings.header_timeout,
                                 max_connections=settings.max_connections)
    if settings.webhook_url:
        await app.frontend.set_webhook(settings.webhook_url,
                                       settings.webhook_secret.get_secret_value())
    log.info("webhook listening on %s:%s%s", settings.webhook_host, settings.webhook_port,
             settings.webhook_path)
    await stop.wait()
    await runner.cleanup()
