"""Telling a salesperson something without a running bot (for `kameng serve`): one
sendMessage through the Bot API over aiohttp. Failures are logged, never raised."""

from __future__ import annotations

import logging

import aiohttp

log = logging.getLogger(__name__)


class BotApiNotifier:
    def __init__(self, token: str, api_base: str) -> None:
        self.url = f"{api_base}/bot{token}/sendMessage"

    async def __call__(self, chat_id: int, text: str) -> None:
        payload = {"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                   "link_preview_options": {"is_disabled": True}}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http, \
                    http.post(self.url, json=payload) as response:
                if response.status != 200:
                    log.warning("notification to %s refused: HTTP %s", chat_id,
                                response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("notification to %s failed: %s", chat_id, type(error).__name__)
