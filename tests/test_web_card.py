"""The quote page's card: /q/<token>/card.png, named as the page's og:image, answering
exactly as the page does for every token."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.card import HEIGHT, WIDTH
from bot.storage.store import Store
from bot.web import MissThrottle, quote_web_app
from pricing import Rates
from tests.cli_helpers import shared_quote

PUBLIC_URL = "https://quotes.example.com"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kameng.db", clock=lambda: datetime(2026, 11, 27, tzinfo=UTC))


@pytest.fixture
async def client(store: Store) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = quote_web_app(store, throttle=MissThrottle(limit=5), public_url=PUBLIC_URL,
                        company="星辰客服外包")
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def og(page: str, name: str) -> str:
    match = re.search(rf'<meta property="{re.escape(name)}" content="([^"]*)">', page)
    assert match, f"no {name} in the page's head"
    return match.group(1)


async def test_the_page_names_its_card_as_og_image_with_an_absolute_public_url(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates)
    page = await (await client.get(f"/q/{token}")).text()
    assert og(page, "og:image") == f"{PUBLIC_URL}/q/{token}/card.png"
    assert og(page, "og:image:type") == "image/png"
    assert "月费合计" in og(page, "og:description")  # the price in the preview's text too


async def test_a_live_tokens_card_is_a_png_and_is_not_counted_as_a_view(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates)
    response = await client.get(f"/q/{token}/card.png",
                                headers={"User-Agent": "Mozilla/5.0 iPhone"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(await response.read()))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    record = store.record(1)
    assert record is not None and record.views == 0


async def test_the_card_answers_404_or_410_as_its_page_does_and_nothing_else_is_served(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    unknown = await client.get("/q/no-such-token/card.png")
    assert unknown.status == 404 and unknown.content_type == "text/html"
    revoked = shared_quote(store, rates, prospect="撤回客户")
    store.revoke(1)
    response = await client.get(f"/q/{revoked}/card.png")
    assert response.status == 410 and "撤回客户" not in await response.text()
    expired = shared_quote(store, rates, prospect="过期客户")
    store.db.execute("UPDATE quotes SET expires_at = '2026-01-01' WHERE token = ?", [expired])
    store.db.conn.commit()
    assert (await client.get(f"/q/{expired}/card.png")).status == 410
    live = shared_quote(store, rates, prospect="在用客户")
    for path in (f"/q/{live}/card.jpg", f"/q/{live}/chart.png", f"/q/{live}/card.png/x",
                 "/card.png", "/q/card.png"):
        assert (await client.get(path)).status == 404, path


async def test_card_misses_count_towards_the_throttle_and_a_live_card_is_still_served(
    client: TestClient, store: Store, rates: Rates  # type: ignore[type-arg]
) -> None:
    token = shared_quote(store, rates)
    for guess in range(5):
        assert (await client.get(f"/q/guess{guess}/card.png")).status == 404
    assert (await client.get("/q/guess-more/card.png")).status == 429
    assert (await client.get("/q/guess-more")).status == 429  # one budget with the page
    assert (await client.get(f"/q/{token}/card.png")).status == 200  # never a valid token
