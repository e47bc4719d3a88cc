"""python-telegram-bot 22 front-end: the same conversation over PTB's Application."""

from __future__ import annotations

import asyncio
import json
import warnings
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    MenuButtonDefault,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, TypeHandler
from telegram.request import HTTPXRequest, RequestData

from bot.services.replies import CONTACT_BUTTON, Keyboard, keyboard_kind
from bot.tg.base import (
    ALLOWED_UPDATES,
    Incoming,
    RetryLater,
    StartupError,
    Unreachable,
    bad_request,
    cached_markup,
    command_menus,
    web_app_url,
)
from bot.tg.conversation import Conversation


def _inline(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Only an inline keyboard can go on an edited message."""
    markup = _markup(keyboard)
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@cached_markup
def _markup(keyboard: Keyboard | None) -> Markup | None:
    kind = keyboard_kind(keyboard)
    if kind == "none" or keyboard is None:
        return None
    if kind == "remove":
        return ReplyKeyboardRemove()
    if kind == "reply":
        return ReplyKeyboardMarkup(
            [[KeyboardButton(label, request_contact=data == CONTACT_BUTTON or None)
              for label, data in row] for row in keyboard],
            resize_keyboard=True, one_time_keyboard=True)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, web_app=WebAppInfo(url)) if (
        url := web_app_url(data)) else InlineKeyboardButton(label, callback_data=data)
        for label, data in row] for row in keyboard])


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form of retry_after
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PtbTransport:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = application.bot

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except RetryAfter as error:
            raise RetryLater(_retry_seconds(error)) from error
        except BadRequest as error:
            raise (bad_request(error.message) or error) from error
        except NetworkError as error:  # includes TimedOut
            raise Unreachable(str(error)) from error

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        message = await self._call(self.bot.send_message(
            chat_id, text, reply_markup=_markup(keyboard)))
        return int(message.message_id)

    async def edit(self, chat_id: int, message_id: int, text: str,
                   keyboard: Keyboard | None) -> None:
        await self._call(self.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id,
            reply_markup=_inline(keyboard)))

    async def answer(self, callback_id: str, text: str | None) -> None:
        await self._call(self.bot.answer_callback_query(callback_id, text=text))

    async def send_document(self, chat_id: int, filename: str, data: bytes,
                            caption: str) -> int:
        message = await self._call(self.bot.send_document(
            chat_id, document=InputFile(data, filename=filename), caption=caption))
        return int(message.message_id)

    async def send_photo(self, chat_id: int, filename: str, data: bytes, caption: str) -> int:
        message = await self._call(self.bot.send_photo(
            chat_id, photo=InputFile(data, filename=filename), caption=caption))
        return int(message.message_id)


def to_incoming(update: Update) -> Incoming | None:
    """A PTB update → the conversation's view of it (None for kinds we ignore)."""
    if update.callback_query is not None:
        return Incoming.from_callback(update.update_id, update.callback_query)
    message = update.message or update.edited_message
    if message is None:
        return None
    return Incoming.from_message(update.update_id, message,
                                 edited=update.edited_message is not None)


class KeepReceivedRequest(HTTPXRequest):
    """getUpdates' own connection: every update it returns is kept in the database before
    PTB can confirm it (its next getUpdates does, maybe before the update is handled)."""

    def __init__(self, conversation: Conversation) -> None:
        super().__init__(connection_pool_size=1, read_timeout=20)
        self.conversation = conversation

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        if status == 200:
            try:
                updates = json.loads(payload).get("result")
            except (ValueError, AttributeError):
                updates = None
            if isinstance(updates, list):
                self.conversation.keep_received([
                    (update["update_id"], json.dumps(update, ensure_ascii=False))
                    for update in updates
                    if isinstance(update, dict) and isinstance(update.get("update_id"), int)])
        return status, payload


class PtbFrontend:
    name = "ptb"

    def __init__(self, token: str, api_base: str, conversation: Conversation,
                 *, concurrency: int) -> None:
        self.application = (
            ApplicationBuilder().token(token)
            .base_url(f"{api_base}/bot").base_file_url(f"{api_base}/file/bot")
            .defaults(Defaults(parse_mode=ParseMode.HTML,
                               link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .concurrent_updates(concurrency)
            .get_updates_request(KeepReceivedRequest(conversation))
            .build())
        self.conversation = conversation
        self.transport = PtbTransport(self.application)
        self.application.add_handler(TypeHandler(Update, self.on_update))

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = to_incoming(update)
        if incoming is not None:
            await self.conversation.handle(incoming, self.transport)
        else:  # a kind we do not handle: not to be replayed at every start
            self.conversation.settle(update.update_id)

    async def start(self) -> str:
        try:
            await self.application.initialize()  # getMe
        except InvalidToken:
            raise StartupError("rejected") from None
        except (TimeoutError, NetworkError, OSError):
            raise StartupError("unreachable") from None
        return self.application.bot.username or ""

    async def set_commands(self) -> None:
        for language, commands in command_menus():
            await self.application.bot.set_my_commands(
                [BotCommand(name, text) for name, text in commands], language_code=language)

    async def set_chat_commands(self, chat_id: int, language: str | None,
                                commands: list[tuple[str, str]]) -> None:
        await self.application.bot.set_my_commands(
            [BotCommand(name, text) for name, text in commands],
            scope=BotCommandScopeChat(chat_id), language_code=language)

    async def delete_chat_commands(self, chat_id: int, language: str | None) -> None:
        await self.application.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id),
                                                      language_code=language)

    async def run_polling(self, stop: asyncio.Event) -> None:
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            timeout=10, allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False)
        await stop.wait()
        await self.application.updater.stop()
        await self.application.stop()

    async def set_webhook(self, url: str, secret: str) -> None:
        try:
            await self.application.bot.set_webhook(url, secret_token=secret or None,
                                                   allowed_updates=list(ALLOWED_UPDATES))
        except BadRequest as error:  # a URL Telegram will not post to: a setting to fix
            raise StartupError("webhook_refused", error.message) from None
        except (TimeoutError, NetworkError, OSError):
            raise StartupError("unreachable") from None

    async def set_menu_button(self, text: str, url: str) -> None:
        await self.application.bot.set_chat_menu_button(menu_button=MenuButtonWebApp(
            text, WebAppInfo(url)) if url else MenuButtonDefault())

    async def start_processing(self) -> None:
        await self.application.start()

    async def feed(self, data: dict[str, Any]) -> None:
        update = Update.de_json(data, self.application.bot)
        await self.application.process_update(update)

    async def close(self) -> None:
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
