"""The quote page served by aiohttp: status codes, headers, views, throttling, escaping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.storage.store import Store
from bot.web import MissThrottle, quote_web_app
from locales.formatting import format_money_range
from locales.i18n import translator
from pricing import AiChoice, Inquiry, Rates, Response, quote
from tests.cli_helpers import shared_quote

SENT = web.AppKey("sent", list)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kameng.db", clock=lambda: datetime(2026, 11, 27, tzinfo=UTC))


@pytest.fixture
async def client(store: Store) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    sent: list[tuple[int, str]] = []

    async def notify(chat_id: int, text: str) -> None:
        sent.append((chat_id, text))

    app = quote_web_app(store, notify=notify, throttle=MissThrottle(limit=5))
    app[SENT] = sent
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_a_shared_quote_is_shown_with_its_figures_and_chart(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates)
    response = await client.get(f"/q/{token}")
    page = await response.text()
    assert response.status == 200
    assert "客服外包报价 Q-" in page and "报价 #1" not in page and "客户：星辰卡盟" in page
    assert "有效期至 2026-12-27" in page
    assert 'id="monthly-total"' in page and "<svg" in page and "<polygon" in page
    assert "销售折扣 5%" in page and "建议写入合同的考核条款" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1].split("svg")[0]


async def test_every_response_carries_the_security_headers(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    for path in (f"/q/{shared_quote(store, rates)}", "/q/unknown-token", "/healthz"):
        response = await client.get(path)
        headers = response.headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


async def test_unknown_revoked_and_expired_tokens_reveal_nothing(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    assert (await client.get("/q/abc")).status == 404
    token = shared_quote(store, rates, prospect="撤回客户")
    store.revoke(1)
    response = await client.get(f"/q/{token}")
    assert response.status == 410 and "撤回客户" not in await response.text()
    token2 = shared_quote(store, rates, prospect="过期客户")
    store.db.execute("UPDATE quotes SET expires_at = '2026-01-01' WHERE token = ?", [token2])
    store.db.conn.commit()
    assert (await client.get(f"/q/{token2}")).status == 410


async def test_repeated_misses_from_one_client_are_throttled(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates)
    for guess in range(5):
        assert (await client.get(f"/q/guess{guess}")).status == 404
    assert (await client.get("/q/guess-more")).status == 429
    assert (await client.get(f"/q/{token}")).status == 200  # a right one is never refused


async def test_views_are_counted_with_a_hashed_agent_and_the_owner_told_once(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates)
    await client.get(f"/q/{token}", headers={"User-Agent": "TelegramBot (like TwitterBot)"})
    await client.get(f"/q/{token}", headers={"User-Agent": "Mozilla/5.0 iPhone"})
    await client.get(f"/q/{token}", headers={"User-Agent": "Mozilla/5.0 iPhone"})
    record = store.record(1)  # one client: one view an hour, however often it reloads
    assert record is not None and record.views == 1 and record.status == "opened"
    agents = [row["agent_hash"] for row in store.db["quote_views"].rows]
    assert len(agents) == 1 and all("iPhone" not in agent and len(agent) == 16
                                    for agent in agents)
    sent = client.app[SENT]
    assert len(sent) == 1 and sent[0][0] == 555 and "打开了报价 #1" in sent[0][1]


async def test_markup_typed_by_a_salesperson_cannot_inject(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates, prospect='<script>alert(1)</script>"=cmd')
    page = await (await client.get(f"/q/{token}")).text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_healthz(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz")
    assert response.status == 200 and (await response.json()) == {"status": "ok"}


async def test_a_revised_quote_shows_its_versions_as_columns_with_the_cheapest_marked(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    # 对比 on the page: v1 fast, v2 fast with AI (cheaper, meets the ask), v3 standard with
    # AI (cheapest, but slower than the first version asked for).
    first = Inquiry(daily_orders=300, categories=2, response=Response.FAST)
    second = replace(first, ai=AiChoice.YES)
    third = replace(second, response=Response.STANDARD)
    for confirmation, inquiry in enumerate((first, second, third), start=1):
        quote_id = store.save_quote(channel="telegram", user_id="7", dialog_id="d",
                                    confirmation=confirmation, quote=quote(inquiry, rates),
                                    locale="zh_CN", revises=confirmation - 1 or None)
    page = await (await client.get(f"/q/{store.share(quote_id, days=30)}")).text()
    versions = page.split('id="versions"')[1].split("</table>")[0]
    assert [header in versions for header in ("第 1 版", "第 2 版 ✅", "第 3 版")] == [True] * 3
    for inquiry in (first, second, third):
        assert format_money_range(quote(inquiry, rates).monthly, translator("zh_CN")) \
            in versions
    assert "满足最初要求（快速响应（10分钟内）或更快、技术客服或更全面）且最便宜：第 2 版" in page


async def test_a_first_version_has_no_versions_table(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    page = await (await client.get(f"/q/{shared_quote(store, rates)}")).text()
    assert 'id="versions"' not in page
