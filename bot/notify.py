"""The Bot API without a running bot, over aiohttp: telling a salesperson something (for
`kameng serve`, one sendMessage) and learning the bot's username (for `kameng link`, one
getMe). Failures are logged, never raised."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp

log = logging.getLogger(__name__)


class BotApiNotifier:
    def __init__(self, token: str, api_base: str) -> None:
        self.url = f"{api_base}/bot{token}/sendMessage"

    async def __call__(self, chat_id: int, text: str,
                       keyboard: Sequence[Sequence[tuple[str, str]]] | None = None) -> None:
        payload: dict[str, object] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                                      "link_preview_options": {"is_disabled": True}}
        if keyboard:
            payload["reply_markup"] = {"inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row]
                for row in keyboard]}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http, \
                    http.post(self.url, json=payload) as response:
                if response.status != 200:
                    log.warning("notification to %s refused: HTTP %s", chat_id,
                                response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("notification to %s failed: %s", chat_id, type(error).__name__)


async def bot_username(token: str, api_base: str) -> str | None:
    """The bot's @username from getMe, or None when the API cannot be asked."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http, \
                http.get(f"{api_base}/bot{token}/getMe") as response:
            if response.status != 200:
                log.info("getMe refused: HTTP %s", response.status)
                return None
            result = (await response.json()).get("result") or {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        # info, not warning: the caller prints its own localized line instead.
        log.info("getMe failed: %s", type(error).__name__)
        return None
    username = result.get("username")
    return username if isinstance(username, str) and username else None
