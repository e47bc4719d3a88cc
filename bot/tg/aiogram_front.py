"""aiogram 3 front-end (the default): updates in, Bot API calls out; no dialogue logic."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMyCommands,
    DeleteWebhook,
    EditMessageText,
    GetMe,
    GetUpdates,
    Response,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    SetWebhook,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    MenuButtonDefault,
    MenuButtonWebApp,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    WebAppInfo,
)

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

# aiogram validates every Bot API answer as `Response[method.__returning__]`, a pydantic
# generic parametrised on each call. pydantic caches the parametrised class only weakly,
# and for a union result (editMessageText's `Message | bool`) the class lives in a
# reference cycle: every garbage collection frees it and the next edit builds it again
# (7-15 ms of schema building, once per collection: 1.5 ms per update on average in the
# side-by-side benchmark, docs/benchmarks.md). Holding them for the process's life makes
# each a dictionary hit.
RESPONSE_TYPES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (SendMessage, EditMessageText, AnswerCallbackQuery, SendPhoto,
                   SendDocument, GetUpdates, GetMe, SetMyCommands, DeleteMyCommands,
                   SetWebhook, DeleteWebhook))


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
        return ReplyKeyboardRemove(remove_keyboard=True)
    if kind == "reply":
        return ReplyKeyboardMarkup(keyboard=[
            [KeyboardButton(text=label, request_contact=data == CONTACT_BUTTON)
             for label, data in row] for row in keyboard],
            resize_keyboard=True, one_time_keyboard=True)
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=label, web_app=WebAppInfo(url=url)) if (
            url := web_app_url(data)) else InlineKeyboardButton(text=label, callback_data=data)
         for label, data in row]
        for row in keyboard])


class AiogramTransport:
    """The conversation's Bot API calls, through aiogram, with its errors translated."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def _call(self, coro: Any) -> Any:
        try:
            return await coro
        except TelegramRetryAfter as error:
            raise RetryLater(float(error.retry_after)) from error
        except (TelegramNetworkError, TelegramServerError) as error:
            raise Unreachable(str(error)) from error
        except TelegramBadRequest as error:
            raise (bad_request(error.message) or error) from error

    async def send(self, chat_id: int, text: str, keyboard: Keyboard | None) -> int:
        message = await self._call(self.bot.send_message(
            chat_id, text, reply_markup=_markup(keyboard)))
        return int(message.message_id)

    async def edit(self, chat_id: int, message_id: int, text: str,
                   keyboard: Keyboard | None) -> None:
        await self._call(self.bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id,
            reply_markup=_inline(keyboard)))

    async def answer(self, callback_id: str, text: str | None) -> None:
        await self._call(self.bot.answer_callback_query(callback_id, text=text))

    async def send_document(self, chat_id: int, filename: str, data: bytes,
                            caption: str) -> int:
        message = await self._call(self.bot.send_document(
            chat_id, BufferedInputFile(data, filename=filename), caption=caption))
        return int(message.message_id)

    async def send_photo(self, chat_id: int, filename: str, data: bytes, caption: str) -> int:
        message = await self._call(self.bot.send_photo(
            chat_id, BufferedInputFile(data, filename=filename), caption=caption))
        return int(message.message_id)


class KeepReceived(BaseRequestMiddleware):
    """Every update getUpdates returns is kept in the database before aiogram can confirm
    it (its next getUpdates does, maybe before the update's handler has even started)."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        response = await make_request(bot, method)
        # aiogram's session hands the middlewares the result itself, not the Response
        # its type hints name: accept either. Kept as Telegram writes it (field aliases
        # such as "from", dates as Unix time), so either front-end can read it back.
        updates: Any = getattr(response, "result", response)
        if isinstance(method, GetUpdates) and isinstance(updates, list):
            self.conversation.keep_received([
                (update.update_id, update.model_dump_json(exclude_none=True, by_alias=True))
                for update in updates if isinstance(update, Update)])
        return response


class AiogramFrontend:
    name = "aiogram"

    def __init__(self, token: str, api_base: str, conversation: Conversation,
                 *, concurrency: int) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self.bot = Bot(token, session=session, default=DefaultBotProperties(
            parse_mode=ParseMode.HTML,
            link_preview=LinkPreviewOptions(is_disabled=True)))
        self.conversation = conversation
        session.middleware(KeepReceived(conversation))
        self.transport = AiogramTransport(self.bot)
        self.concurrency = concurrency
        self.dispatcher = Dispatcher()
        router = Router()
        router.message.register(self.on_message)
        router.edited_message.register(self.on_edited_message)
        router.callback_query.register(self.on_callback_query)
        self.dispatcher.include_router(router)
        self.background: set[asyncio.Task[Any]] = set()

    async def on_message(self, message: Message, event_update: Update) -> None:
        await self.conversation.handle(
            Incoming.from_message(event_update.update_id, message), self.transport)

    async def on_edited_message(self, edited_message: Message, event_update: Update) -> None:
        await self.conversation.handle(Incoming.from_message(
            event_update.update_id, edited_message, edited=True), self.transport)

    async def on_callback_query(self, callback_query: CallbackQuery,
                                event_update: Update) -> None:
        await self.conversation.handle(
            Incoming.from_callback(event_update.update_id, callback_query), self.transport)

    async def start(self) -> str:
        """getMe: check the token and the API; returns the bot's username."""
        try:
            me = await self.bot.get_me()
        except TelegramUnauthorizedError:
            raise StartupError("rejected") from None
        except (TimeoutError, TelegramNetworkError, TelegramServerError, OSError):
            raise StartupError("unreachable") from None
        return me.username or ""

    async def set_commands(self) -> None:
        for language, commands in command_menus():
            await self.bot.set_my_commands(
                [BotCommand(command=name, description=text) for name, text in commands],
                language_code=language)

    async def set_chat_commands(self, chat_id: int, language: str | None,
                                commands: list[tuple[str, str]]) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            scope=BotCommandScopeChat(chat_id=chat_id), language_code=language)

    async def delete_chat_commands(self, chat_id: int, language: str | None) -> None:
        await self.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id),
                                          language_code=language)

    async def run_polling(self, stop: asyncio.Event) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        polling = asyncio.create_task(self.dispatcher.start_polling(
            self.bot, handle_signals=False, close_bot_session=False,
            allowed_updates=list(ALLOWED_UPDATES), polling_timeout=10,
            tasks_concurrency_limit=self.concurrency))
        await stop.wait()
        await self.dispatcher.stop_polling()
        await polling

    async def set_webhook(self, url: str, secret: str) -> None:
        try:
            await self.bot.set_webhook(url, secret_token=secret or None,
                                       allowed_updates=list(ALLOWED_UPDATES))
        except TelegramBadRequest as error:  # a URL Telegram will not post to
            raise StartupError("webhook_refused", error.message) from None
        except (TimeoutError, TelegramNetworkError, TelegramServerError, OSError):
            raise StartupError("unreachable") from None

    async def set_menu_button(self, text: str, url: str) -> None:
        await self.bot.set_chat_menu_button(menu_button=MenuButtonWebApp(
            text=text, web_app=WebAppInfo(url=url)) if url else MenuButtonDefault())

    async def start_processing(self) -> None:
        """Nothing to start: aiogram's dispatcher handles a fed update as it comes."""

    async def feed(self, data: dict[str, Any]) -> None:
        update = Update.model_validate(data, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    async def close(self) -> None:
        await self.bot.session.close()
