"""Quote links: the Telegram deep link, the web page's address, the header a prospect sees,
and reading a quote number a person typed."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.storage.store import QuoteRecord
from locales.i18n import Translator

MAX_QUOTE_ID = 10**12  # far beyond any real count, far below SQLite's 64-bit integers


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start=q_{token}"


def web_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/q/{token}" if public_url else ""


@dataclass
class LinkSettings:
    """Where links point. `bot_username` is learnt at start-up (getMe), hence mutable."""

    bot_username: str = ""
    public_url: str = ""
    days: int = 30  # a shared link's life

    def telegram(self, token: str) -> str:
        return deep_link(self.bot_username, token)

    def web(self, token: str) -> str:
        return web_link(self.public_url, token)


def parse_quote_id(text: str) -> int | None:
    """"12" → 12; anything else (empty, signs, non-ASCII digits, 20 digits) → None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 13:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_QUOTE_ID else None


def quote_header(record: QuoteRecord, t: Translator) -> str:
    """"报价 Q-3F9A2C1B · 第 2 版 · 客户：星辰卡盟 · 有效期至 2026-12-27" (values escaped;
    the prospect sees the opaque reference, never the sequential number)."""
    parts = [t("link.header", ref=record.reference, version=record.version)]
    if record.prospect:
        parts.append(t("link.for", prospect=html.escape(record.prospect)))
    if record.expires_at:
        parts.append(t("link.valid_until", date=record.expires_at[:10]))
    return " · ".join(parts)
