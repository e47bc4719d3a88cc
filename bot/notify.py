"""The Bot API without a running bot, over aiohttp: telling a salesperson something (for
`kameng serve`, one sendMessage) and learning the bot's username (for `kameng link`, one
getMe). Failures are logged, never raised."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp

from bot.tg.base import RetryLater, Unreachable
from bot.tg.delivery import RetryPolicy, with_retries

log = logging.getLogger(__name__)


class BotApiNotifier:
    """One sendMessage, with the bot's retries (bot/tg/delivery.py): a 429 is waited out
    (retry_after), a network error or a 5xx retried with backoff."""

    def __init__(self, token: str, api_base: str, *,
                 policy: RetryPolicy | None = None) -> None:
        self.url = f"{api_base}/bot{token}/sendMessage"
        self.policy = policy or RetryPolicy()

    async def __call__(self, chat_id: int, text: str,
                       keyboard: Sequence[Sequence[tuple[str, str]]] | None = None) -> None:
        payload: dict[str, object] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                                      "link_preview_options": {"is_disabled": True}}
        if keyboard:
            payload["reply_markup"] = {"inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row]
                for row in keyboard]}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
                await with_retries(lambda: self._post(http, payload), self.policy)
        except RetryLater:
            log.warning("notification to %s: Telegram kept asking to wait", chat_id)
        except Unreachable as error:
            log.warning("notification to %s failed: %s", chat_id, error)

    async def _post(self, http: aiohttp.ClientSession, payload: dict[str, object]) -> None:
        try:
            async with http.post(self.url, json=payload) as response:
                if response.status == 429:
                    raise RetryLater(await _retry_after(response))
                if response.status >= 500:
                    raise Unreachable(f"HTTP {response.status}")
                if response.status != 200:
                    log.warning("notification to %s refused: HTTP %s", payload["chat_id"],
                                response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Unreachable(type(error).__name__) from error


async def _retry_after(response: aiohttp.ClientResponse) -> float:
    """Telegram's parameters.retry_after (seconds); 1 when it says nothing usable."""
    try:
        body = await response.json(content_type=None)
        seconds = float(body["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return 1.0
    return seconds if seconds > 0 else 1.0


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
