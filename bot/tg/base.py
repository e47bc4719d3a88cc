"""The vocabulary shared by the conversation and both front-ends: one `Incoming` per update,
the `Transport` each front-end implements, the errors it maps its library's to, the command
lists and their menus. Nothing here imports aiogram or python-telegram-bot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from bot.services.replies import Keyboard
from bot.services.staff import STAFF_COMMANDS as STAFF_COMMANDS  # the front-ends' too
from bot.services.staff import TELEGRAM, Staff
from locales.i18n import translator

CHANNEL = TELEGRAM  # the `channel` column of what the Telegram bot stores
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
COMMANDS = ("start", "quote", "history", "lang", "help", "cancel", "human")
MENU_LANGUAGES = ((None, "zh_CN"), ("zh", "zh_CN"), ("en", "en"))


Markup = TypeVar("Markup")


def cached_markup(build: Callable[[Keyboard | None], Markup]
                  ) -> Callable[[Keyboard | None], Markup]:
    """A front-end's keyboard → its library's (immutable) markup, remembered: the same
    keyboards recur across users (a step's buttons, the state's sequence number). A keyboard
    made of lists is not hashable and is built each time."""
    cached = lru_cache(maxsize=1024)(build)

    def markup(keyboard: Keyboard | None) -> Markup:
        try:
            return cached(keyboard)
        except TypeError:
            return build(keyboard)

    return markup


def web_app_url(data: str) -> str | None:
    """A keyboard entry whose data is an https URL is a web_app button (the Mini App);
    any other data is callback data."""
    return data if data.startswith("https://") else None


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
    contact_phone: str | None = None  # a contact shared (📱 发送我的手机号)
    contact_user_id: int | None = None  # whose it is (Telegram fills it for one's own)

    @property
    def is_callback(self) -> bool:
        return self.callback_id is not None

    @property
    def handle(self) -> str:
        """How to name the user to staff: @username, else the name, else the id."""
        return f"@{self.username}" if self.username else self.full_name or str(self.user_id)

    # aiogram's and PTB's Message / CallbackQuery share these attribute names, so one
    # reading serves both front-ends.
    @classmethod
    def from_message(cls, update_id: int, message: Any, *, edited: bool = False) -> Incoming:
        user = message.from_user
        contact = getattr(message, "contact", None)
        return cls(
            update_id=update_id, chat_id=message.chat.id, chat_type=message.chat.type,
            user_id=user.id if user else message.chat.id,
            username=user.username if user else None,
            full_name=user.full_name if user else "",
            language_code=user.language_code if user else None,
            text=message.text, edited=edited,
            contact_phone=str(contact.phone_number) if contact is not None else None,
            contact_user_id=contact.user_id if contact is not None else None)

    @classmethod
    def from_callback(cls, update_id: int, query: Any) -> Incoming:
        message = query.message
        user = query.from_user
        return cls(
            update_id=update_id, chat_id=message.chat.id if message else user.id,
            chat_type=message.chat.type if message else "private",
            user_id=user.id, username=user.username, full_name=user.full_name,
            language_code=user.language_code, callback_id=query.id,
            callback_data=query.data, message_id=message.message_id if message else None)


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


# --- the Bot API as the conversation sees it --------------------------------------------

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


class StartupError(RuntimeError):
    """The bot cannot start: `reason` is "rejected" (bad token), "unreachable", or
    "webhook_refused" (setWebhook answered 400: `detail` is Telegram's description)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def bad_request(description: str) -> Exception | None:
    """Our exception for a Bot API 400 both front-ends see the same way, by its
    description; None for any other 400 (re-raised as it is)."""
    message = description.lower()
    if "not modified" in message:
        return NotModified()
    if "can't be edited" in message or "not found" in message:
        return CannotEdit()
    return None


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


# --- command menus ----------------------------------------------------------------------

def command_menus() -> Iterator[tuple[str | None, list[tuple[str, str]]]]:
    """(language_code, [(command, description)]) for setMyCommands: zh (also the default)
    and en."""
    for language, locale in MENU_LANGUAGES:
        t = translator(locale)
        yield language, [(name, t(f"cmd.{name}")) for name in COMMANDS]


def staff_menus(sales_ids: list[int], admin_ids: list[int]
                ) -> Iterator[tuple[int, str | None, list[tuple[str, str]]]]:
    """(chat id, language_code, [(command, description)]) for each salesperson's and
    admin's private chat, so their menu shows the commands they may use: zh (also the
    default for the chat) and en, like the public menu."""
    staff = Staff(sales_ids=sales_ids, admin_ids=admin_ids)
    for chat_id in dict.fromkeys([*admin_ids, *sales_ids]):
        extra = staff.commands_of(chat_id)
        for language, locale in MENU_LANGUAGES:
            t = translator(locale)
            yield chat_id, language, [(name, t(f"cmd.{name}")) for name in (*COMMANDS, *extra)]
