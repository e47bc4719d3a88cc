"""A fake Telegram Bot API server on 127.0.0.1, with simulated users, for end-to-end tests.

It speaks the Bot API's HTTP protocol to the real aiogram and python-telegram-bot code:
getMe, getUpdates (offset, long-poll timeout), sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, sendDocument, sendPhoto, setMyCommands,
deleteWebhook, setWebhook, getWebhookInfo, … It runs its own event loop in a thread, so
tests drive it with plain synchronous calls: a user sends text or presses a button, and
the call returns once the bot has taken the update and gone quiet for that chat.

Faults can be injected per method: a 429 with retry_after, a 500, or a dropped connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7_000_000
BOT_USERNAME = "kameng_test_bot"


@dataclass
class Fault:
    status: int  # 429, 500, or 0 to drop the connection
    retry_after: int = 1
    remaining: int = 1


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class ChatLog:
    """What the bot did in one chat, in order: the transcript a parity test compares."""

    events: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_message_id: int = 1
    last_activity: float = 0.0


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


# What Telegram accepts with parse_mode=HTML (core.telegram.org/bots/api#html-style).
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
             "a", "tg-emoji", "code", "pre", "blockquote"}
HTML_ENTITIES = {"lt", "gt", "amp", "quot"}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:\s*=\s*(?:\"[^\"]*\"|"
                  r"'[^']*'|[^\s>\"']+))?)*)\s*>")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]*);")


def html_error(text: str) -> str | None:
    """Why Telegram would refuse `text` with parse_mode=HTML, or None: a bare & or <, an
    unknown entity or tag, an end tag that does not match, a tag left open."""
    stack: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "&":
            entity = _ENTITY.match(text, index)
            if entity is None:
                return f"can't parse entities: bare '&' at offset {index}"
            name = entity.group(1)
            if not name.startswith("#") and name.lower() not in HTML_ENTITIES:
                return f"can't parse entities: unsupported HTML entity &{name};"
            index = entity.end()
        elif char == "<":
            tag = _TAG.match(text, index)
            if tag is None:
                return f"can't parse entities: unescaped '<' at offset {index}"
            closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
            if name not in HTML_TAGS:
                return f"can't parse entities: unsupported start tag \"{name}\""
            if closing:
                if not stack or stack[-1] != name:
                    return f"can't parse entities: unexpected end tag \"{name}\""
                stack.pop()
            elif name == "span" and "tg-spoiler" not in attributes:
                return "can't parse entities: a span needs class=\"tg-spoiler\""
            else:
                stack.append(name)
            index = tag.end()
        else:
            index += 1
    if stack:
        return f"can't parse entities: can't find end tag corresponding to start tag {stack[-1]}"
    return None


def _reply_keyboard(markup: Any) -> dict[str, Any]:
    """A reply keyboard (or its removal) as the transcript keeps it: rows of [label,
    "contact" | "text"]."""
    if not isinstance(markup, dict):
        return {}
    if markup.get("remove_keyboard"):
        return {"remove_keyboard": True}
    if "keyboard" not in markup:
        return {}
    return {"reply_keyboard": [
        [[button.get("text", ""), "contact" if button.get("request_contact") else "text"]
         for button in row] for row in markup["keyboard"]]}


def _buttons(markup: Any) -> list[list[list[str]]]:
    if not isinstance(markup, dict):
        return []
    return [[[button.get("text", ""), button.get("callback_data", "")] for button in row]
            for row in markup.get("inline_keyboard", [])]


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.next_callback_id = 1
        self.confirmed_offset = 0
        self.chats: dict[int, ChatLog] = defaultdict(ChatLog)
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.errors: list[str] = []  # exceptions in this fake's own handlers
        self.commands: dict[str, Any] = {}  # default scope, by language_code ("" for none)
        # Other scopes: (scope type, chat_id or None, language_code) → commands.
        self.scoped_commands: dict[tuple[str, int | None, str], Any] = {}
        self.unknown_chats: set[int] = set()  # chats that never opened the bot
        self.webhook: dict[str, Any] = {}
        self.uploads: dict[str, bytes] = {}  # uploaded files (photos, documents) by sha256
        self.polling = threading.Event()
        self.callback_chats: dict[str, int] = {}
        self.rejected: list[tuple[str, str]] = []  # (text, why) Telegram would refuse
        self.stopping = False
        self.base_url = ""
        self._new_update: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> str:
        self.thread.start()
        self.base_url = self._run(self._start())
        return self.base_url

    async def _start(self) -> str:
        self._new_update = asyncio.Condition()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._runner is not None:
            self._run(self._end_long_polls())  # else cleanup waits out their timeout
            self._run(self._runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()

    def _run(self, coro: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _end_long_polls(self) -> None:
        self.stopping = True
        assert self._new_update is not None
        async with self._new_update:
            self._new_update.notify_all()

    # --- the HTTP side ------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json()
            return dict(body) if isinstance(body, dict) else {}
        if request.method == "POST" and request.can_read_body:
            form = await request.post()
            params: dict[str, Any] = {}
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    digest = hashlib.sha256(data).hexdigest()[:16]
                    self.uploads[digest] = data
                    params[key] = {"filename": value.filename, "size": len(data),
                                   "sha256": digest}
                else:
                    params[key] = _decode(value)
            return params
        return {key: _decode(value) for key, value in request.query.items()}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except Exception:  # as below: a fault of this fake, answered as Telegram would
            self.errors.append(f"{method} (reading the request): {traceback.format_exc()}")
            return web.json_response({"ok": False, "error_code": 500,
                                      "description": "Internal Server Error"}, status=500)
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        self.calls.append(Call(method, params, time.monotonic()))
        faults = self.faults.get(method)
        if faults:
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.pop(0)
            if fault.status == 429:
                return web.json_response(
                    {"ok": False, "error_code": 429,
                     "description": f"Too Many Requests: retry after {fault.retry_after}",
                     "parameters": {"retry_after": fault.retry_after}}, status=429)
            if fault.status == 0:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            return web.json_response({"ok": False, "error_code": fault.status,
                                      "description": "Internal Server Error"},
                                     status=fault.status)
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        try:
            result = await handler(params)
        except _BadRequest as error:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": f"Bad Request: {error}"}, status=400)
        except Exception:  # a bug in this fake, not in the bot: answer as Telegram would
            # (JSON, not aiohttp's plain-text 500 that the frameworks log with a traceback),
            # and keep the traceback for whoever looks at `api.errors`.
            self.errors.append(f"{method}: {traceback.format_exc()}")
            return web.json_response({"ok": False, "error_code": 500,
                                      "description": "Internal Server Error"}, status=500)
        return web.json_response({"ok": True, "result": result})

    # --- Bot API methods ----------------------------------------------------------------

    async def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Kameng",
                "username": BOT_USERNAME, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polling.set()
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        assert self._new_update is not None
        deadline = time.monotonic() + timeout
        async with self._new_update:
            while not self.updates and not self.stopping and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._new_update.wait(),
                                           deadline - time.monotonic())
                except TimeoutError:
                    break
        return self.updates[:limit]

    def _message(self, chat_id: int, text: str, markup: Any) -> dict[str, Any]:
        log = self.chats[chat_id]
        message = {"message_id": log.next_message_id, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Kameng",
                            "username": BOT_USERNAME},
                   "text": text}
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # Like Telegram: a message carries only an inline keyboard; a reply keyboard
            # belongs to the chat, not to the message.
            message["reply_markup"] = markup
        log.next_message_id += 1
        log.messages[message["message_id"]] = message
        return message

    def _note(self, chat_id: int, event: dict[str, Any]) -> None:
        log = self.chats[chat_id]
        log.events.append(event)
        log.last_activity = time.monotonic()

    async def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = str(params.get("text", ""))
        if not text.strip():
            raise _BadRequest("message text is empty")
        if len(text) > 4096:
            raise _BadRequest("message is too long")
        self._check_html(params, text)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        message = self._message(chat_id, text, markup)
        self._note(chat_id, {"do": "send", "id": message["message_id"], "text": text,
                             "buttons": _buttons(markup),
                             "parse_mode": params.get("parse_mode"),
                             **_reply_keyboard(markup)})
        return message

    def _check_html(self, params: dict[str, Any], text: str) -> None:
        """Parse entities as Telegram does; a refusal is also kept in `rejected`, so a test
        sees it even when the bot swallows the error."""
        if str(params.get("parse_mode") or "").upper() != "HTML":
            return
        error = html_error(text)
        if error is not None:
            self.rejected.append((text, error))
            raise _BadRequest(error)

    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> None:
        if isinstance(markup, dict) and ("keyboard" in markup or "remove_keyboard" in markup):
            if inline_only:  # Telegram edits only inline keyboards
                raise _BadRequest("inline keyboard expected")
            for row in markup.get("keyboard", []):
                for button in row:
                    if not str(button.get("text", "")).strip():
                        raise _BadRequest("keyboard button text is empty")
        for row in _buttons(markup):
            for _, data in row:
                if len(data.encode()) > 64:
                    raise _BadRequest("BUTTON_DATA_INVALID")
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        for button in (button for row in rows for button in row):
            web_app = button.get("web_app")
            if web_app is not None and not str(web_app.get("url", "")).startswith("https://"):
                raise _BadRequest("BUTTON_URL_INVALID")  # Mini Apps open over https only

    async def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = int(params["message_id"])
        message = self.chats[chat_id].messages.get(message_id)
        if message is None:
            raise _BadRequest("message to edit not found")
        text = str(params.get("text", ""))
        if len(text) > 4096:
            raise _BadRequest("MESSAGE_TOO_LONG")
        self._check_html(params, text)
        markup = params.get("reply_markup")
        self._check_markup(markup, inline_only=True)
        if message["text"] == text and message.get("reply_markup") == markup:
            raise _BadRequest("message is not modified: specified new message content and "
                              "reply markup are exactly the same")
        message["text"] = text
        message.pop("reply_markup", None)
        if isinstance(markup, dict):
            message["reply_markup"] = markup
        self._note(chat_id, {"do": "edit", "id": message_id, "text": text,
                             "buttons": _buttons(markup)})
        return message

    async def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = self.chats[chat_id].messages.get(int(params["message_id"]))
        if message is None:
            raise _BadRequest("message to edit not found")
        markup = params.get("reply_markup")
        message["reply_markup"] = markup
        self._note(chat_id, {"do": "edit_markup", "id": message["message_id"],
                             "buttons": _buttons(markup)})
        return message

    async def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        chat_id = self.callback_chats.get(query_id, 0)
        self._note(chat_id, {"do": "answer", "text": params.get("text") or ""})
        return True

    async def _file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._check_html(params, str(params.get("caption") or ""))
        message = self._message(chat_id, "", None)
        upload = params.get(kind)
        if isinstance(upload, str) and upload.startswith("attach://"):  # aiogram's way
            upload = params.get(upload.removeprefix("attach://"))
        params[kind] = upload
        # What Telegram returns for the upload (the clients parse it), not the upload itself.
        size = upload.get("size", 0) if isinstance(upload, dict) else 0
        stored = {"file_id": f"{kind}{message['message_id']}",
                  "file_unique_id": f"u{kind}{message['message_id']}", "file_size": size}
        if kind == "photo":
            message[kind] = [{**stored, "width": 90, "height": 90}]
        else:
            message[kind] = {**stored, "file_name": upload.get("filename", "file")
                             if isinstance(upload, dict) else "file"}
        self._note(chat_id, {"do": f"send_{kind}", "id": message["message_id"],
                             "file": params.get(kind), "caption": params.get("caption")})
        return message

    async def api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._file(params, "document")

    async def api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._file(params, "photo")

    def _command_scope(self, params: dict[str, Any]) -> tuple[str, int | None, str]:
        """What Telegram checks of a command menu's scope and language."""
        scope = params.get("scope") or {"type": "default"}
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _BadRequest("language code is invalid")
        kind = scope.get("type")
        if kind not in ("default", "all_private_chats", "all_group_chats",
                        "all_chat_administrators", "chat", "chat_administrators",
                        "chat_member"):
            raise _BadRequest("unsupported bot command scope type")
        chat_id = scope.get("chat_id")
        if kind.startswith("chat") and (not isinstance(chat_id, int)
                                        or chat_id in self.unknown_chats):
            raise _BadRequest("chat not found")
        return kind, chat_id, language

    async def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        kind, chat_id, language = self._command_scope(params)
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _BadRequest("commands must be a list of at most 100")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _BadRequest("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _BadRequest("BOT_COMMAND_DESCRIPTION_INVALID")
        if kind == "default":
            self.commands[language] = commands
        else:
            self.scoped_commands[(kind, chat_id, language)] = commands
        return True

    async def api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        kind, chat_id, language = self._command_scope(params)
        if kind == "default":
            self.commands.pop(language, None)
        else:
            self.scoped_commands.pop((kind, chat_id, language), None)
        return True

    async def api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}

    # --- simulated users ----------------------------------------------------------------

    async def _push(self, update: dict[str, Any]) -> int:
        assert self._new_update is not None
        update["update_id"] = self.next_update_id
        self.next_update_id += 1
        self.updates.append(update)
        async with self._new_update:
            self._new_update.notify_all()
        return int(update["update_id"])

    def _user(self, user_id: int, language_code: str = "zh-hans") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}",
                "username": f"user{user_id}", "language_code": language_code}

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None,
                  language_code: str = "zh-hans", wait: bool = True,
                  edited: bool = False) -> int:
        chat = chat_id if chat_id is not None else user_id
        message = {"message_id": 10_000 + self.next_update_id, "date": int(time.time()),
                   "chat": {"id": chat, "type": "private" if chat > 0 else "group",
                            **({"title": "group"} if chat < 0 else {})},
                   "from": self._user(user_id, language_code), "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(command)}]
        key = "edited_message" if edited else "message"
        if edited:
            message["edit_date"] = int(time.time())
        return self._act(chat, {key: message}, wait)

    def send_sticker(self, user_id: int, *, wait: bool = True) -> int:
        message = {"message_id": 10_000 + self.next_update_id, "date": int(time.time()),
                   "chat": {"id": user_id, "type": "private"}, "from": self._user(user_id),
                   "sticker": {"file_id": "s1", "file_unique_id": "s1", "type": "regular",
                               "width": 512, "height": 512, "is_animated": False,
                               "is_video": False}}
        return self._act(user_id, {"message": message}, wait)

    def send_media(self, user_id: int, kind: str, *, wait: bool = True) -> int:
        """A photo, voice note or file instead of text."""
        media: dict[str, Any] = {
            "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}],
            "voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3},
            "document": {"file_id": "d1", "file_unique_id": "d1", "file_name": "a.xlsx"},
        }
        message = {"message_id": 10_000 + self.next_update_id, "date": int(time.time()),
                   "chat": {"id": user_id, "type": "private"}, "from": self._user(user_id),
                   kind: media[kind]}
        return self._act(user_id, {"message": message}, wait)

    def send_contact(self, user_id: int, phone: str, *, owner: int | None = None,
                     wait: bool = True) -> int:
        """A contact shared with the "share my number" button (`owner` None: the user's
        own, as Telegram sets it) or forwarded from the address book (another owner)."""
        contact = {"phone_number": phone, "first_name": f"用户{owner or user_id}",
                   "user_id": owner if owner is not None else user_id}
        message = {"message_id": 10_000 + self.next_update_id, "date": int(time.time()),
                   "chat": {"id": user_id, "type": "private"}, "from": self._user(user_id),
                   "contact": contact}
        return self._act(user_id, {"message": message}, wait)

    def reply_keyboard(self, chat_id: int) -> list[list[list[str]]]:
        """The reply keyboard the bot last set in the chat ([] once removed)."""
        for event in reversed(self.chats[chat_id].events):
            if "reply_keyboard" in event:
                return list(event["reply_keyboard"])
            if event.get("remove_keyboard"):
                return []
        return []

    def press(self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None,
              wait: bool = True) -> int:
        chat = chat_id if chat_id is not None else user_id
        query_id = str(self.next_callback_id)
        self.next_callback_id += 1
        self.callback_chats[query_id] = chat
        shown = self.chats[chat].messages.get(message_id) or {
            "message_id": message_id, "date": int(time.time()),
            "chat": {"id": chat, "type": "private"}, "text": "?"}
        query = {"id": query_id, "from": self._user(user_id), "chat_instance": str(chat),
                 "message": shown, "data": data}
        return self._act(chat, {"callback_query": query}, wait)

    def _act(self, chat_id: int, update: dict[str, Any], wait: bool) -> int:
        said_before = len(self.chats[chat_id].events)
        update_id = int(self._run(self._push(update)))
        if wait:
            self.wait_quiet(chat_id, update_id, said_before=said_before)
        return update_id

    def push_raw(self, update: dict[str, Any]) -> int:
        """Enqueue an update as given (e.g. the same update_id twice)."""
        assert self._new_update is not None

        async def push() -> None:
            self.updates.append(update)
            async with self._new_update:  # type: ignore[union-attr]
                self._new_update.notify_all()

        self._run(push())
        return int(update["update_id"])

    def wait_quiet(self, chat_id: int, update_id: int, *, said_before: int | None = None,
                   quiet: float = 0.08, silence: float = 1.0, timeout: float = 15.0) -> None:
        """Until the bot has fetched the update, said something in the chat (when
        `said_before`, the number of events before the update, is given) and then nothing
        more for `quiet` seconds. An update the bot rightly ignores is waited out for
        `silence` seconds. Waiting for the first reply, not only for quiet, keeps a slow
        machine from moving on before the bot has answered. A bare acknowledgement of a
        press (an empty answerCallbackQuery, which the bot sends before its real reply) is
        not yet an answer: after one, quiet means `silence` seconds."""
        deadline = time.monotonic() + timeout
        taken_at: float | None = None
        log = self.chats[chat_id]
        while time.monotonic() < deadline:
            now = time.monotonic()
            if taken_at is None and self.confirmed_offset > update_id:
                taken_at = now
            if taken_at is not None:
                answered = said_before is None or len(log.events) > said_before
                new = log.events[said_before:] if said_before is not None else []
                acked_only = bool(new) and all(event["do"] == "answer" and not event["text"]
                                               for event in new)
                wait = silence if acked_only else quiet
                if answered and now - max(log.last_activity, taken_at) >= wait:
                    return
                if not answered and now - taken_at >= silence:
                    return
            time.sleep(0.01)
        raise TimeoutError(f"the bot did not handle update {update_id} in {timeout} s")

    def wait_settled(self, chat_id: int, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Until the bot has said nothing in the chat for `quiet` seconds: for what goes
        out after the reply a script waits for (the quote card after the quote)."""
        log = self.chats[chat_id]
        self.wait_until(lambda: time.monotonic() - log.last_activity >= quiet,
                        lambda: f"chat {chat_id} never went quiet", timeout=timeout)

    @staticmethod
    def wait_until(condition: Callable[[], bool], what: Callable[[], str], *,
                   timeout: float = 15.0) -> None:
        """Poll `condition` until it holds; past `timeout`, fail saying `what()`."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{what()} (waited {timeout} s)")
            time.sleep(0.01)

    def wait_for_text(self, chat_id: int, needle: str, timeout: float = 15.0) -> str:
        """Until a bot message in the chat contains `needle` (after retries, say)."""
        def first() -> str:  # messages are only ever added: once found, it stays first
            return next((text for text in self.texts(chat_id) if needle in text), "")

        self.wait_until(lambda: bool(first()), lambda: f"no {needle!r} in chat {chat_id}: "
                                                       f"{self.texts(chat_id)}", timeout=timeout)
        return first()

    def wait_taken(self, update_id: int, timeout: float = 15.0) -> None:
        self.wait_until(lambda: self.confirmed_offset > update_id,
                        lambda: f"update {update_id} never fetched", timeout=timeout)

    def wait_fault_met(self, method: str, timeout: float = 15.0) -> None:
        """Until every fault injected into `method` has been served to the bot."""
        self.wait_until(lambda: not self.faults[method],
                        lambda: f"the bot never called {method}", timeout=timeout)

    # --- reading what the bot did -------------------------------------------------------

    def transcript(self, chat_id: int) -> list[dict[str, Any]]:
        return list(self.chats[chat_id].events)

    def last_screen(self, chat_id: int) -> dict[str, Any]:
        """The newest bot message in the chat that has buttons."""
        for message in sorted(self.chats[chat_id].messages.values(),
                              key=lambda m: -m["message_id"]):
            if (message.get("reply_markup") or {}).get("inline_keyboard"):
                return message
        raise AssertionError(f"no message with buttons in chat {chat_id}")

    def texts(self, chat_id: int) -> list[str]:
        return [e["text"] for e in self.chats[chat_id].events if "text" in e]

    def button(self, chat_id: int, suffix: str) -> tuple[int, str]:
        """(message_id, callback data) of the button whose data ends with ":<suffix>"
        (or equals it) on the newest message with buttons."""
        message = self.last_screen(chat_id)
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data", "")
                if data == suffix or data.endswith(f":{suffix}"):
                    return message["message_id"], data
        raise AssertionError(f"no button {suffix!r} on {message['text'][:80]!r}")

    def tap(self, user_id: int, suffix: str, *, wait: bool = True) -> int:
        message_id, data = self.button(user_id, suffix)
        return self.press(user_id, message_id, data, wait=wait)

    def photos(self, chat_id: int) -> list[bytes]:
        """The photos the bot uploaded to the chat, in order (the quote cards)."""
        return [self.uploads[event["file"]["sha256"]] for event in self.chats[chat_id].events
                if event["do"] == "send_photo" and isinstance(event.get("file"), dict)]

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def inject(self, method: str, status: int, *, count: int = 1, retry_after: int = 1) -> None:
        self.faults[method].append(Fault(status, retry_after, count))


class _BadRequest(Exception):
    pass
