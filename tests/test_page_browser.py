"""The quote page in a real browser: Playwright driving Debian's chromium, headless."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.render import format_money_range
from bot.storage.store import Store
from bot.web import quote_web_app
from locales.i18n import translator
from pricing import Inquiry, Rates, Response, quote
from tests.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium

pytestmark = pytest.mark.e2e

need_chromium()


@pytest.fixture
async def page_url(tmp_path: Path, rates: Rates) -> AsyncIterator[str]:
    store = Store(tmp_path / "kameng.db")
    result = quote(Inquiry(daily_orders=300, categories=12, response=Response.FAST,
                           discount=Decimal("0.05")), rates)
    quote_id = store.save_quote(channel="telegram", user_id="555", dialog_id="d",
                                confirmation=1, quote=result, locale="zh_CN",
                                prospect="星辰卡盟", sales_owner="555")
    token = store.share(quote_id, days=30)
    server = TestServer(quote_web_app(store), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url(f"/q/{token}"))
    await server.close()
    store.close()


async def test_the_page_shows_the_total_and_the_chart_and_prints_cleanly(
    page_url: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        response = await page.goto(page_url)
        assert response is not None and response.status == 200
        total = page.locator("#monthly-total")
        assert await total.is_visible()
        # The headline: the plan billed and its monthly figure (v3, QUOTE_SHAPE.md).
        headline = await total.inner_text()
        assert "按月固定" in headline and re.search(r"\d,\d{3}", headline)
        chart = page.locator("#chart svg")
        assert await chart.is_visible()
        box = await chart.bounding_box()
        assert box is not None and box["width"] > 250 and box["height"] > 100
        # Readable on a phone: nothing wider than the screen.
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await page.screenshot(path=str(tmp_path / "quote-page.png"), full_page=True)
        await page.emulate_media(media="print")
        await page.pdf(path=str(tmp_path / "quote-page.pdf"))
        await browser.close()
    assert (tmp_path / "quote-page.png").stat().st_size > 10_000
    assert (tmp_path / "quote-page.pdf").stat().st_size > 10_000
    assert requests == [page_url]  # no external asset, no script fetched anything


# What the chart's labels measure on screen, and where its bands reach, in the browser.
CHART_FACTS = """() => {
  const svg = document.querySelector('#chart svg');
  const scale = svg.getScreenCTM().a;
  const sizes = [...svg.querySelectorAll('text')].map(
    (text) => parseFloat(getComputedStyle(text).fontSize) * scale);
  const axis = svg.querySelector('line.axis:nth-of-type(2)');
  const band = svg.querySelector('polygon.band-order').getBBox();
  return {
    sizes,
    plotTop: parseFloat(axis.getAttribute('y1')),
    plotBottom: parseFloat(axis.getAttribute('y2')),
    bandTop: band.y,
    bandBottom: band.y + band.height,
    title: svg.querySelector('title').textContent,
    desc: svg.querySelector('desc').textContent,
    labelledBy: svg.getAttribute('aria-labelledby'),
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


async def test_on_a_360_px_phone_the_chart_is_whole_readable_and_described(
    page_url: str, tmp_path: Path, rates: Rates
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 360, "height": 740})
        response = await page.goto(page_url)
        assert response is not None and response.status == 200
        facts = await page.evaluate(CHART_FACTS)
        chart = page.locator("#chart svg")
        await chart.screenshot(path=str(tmp_path / "chart-360.png"))  # the test's artefact
        await page.screenshot(path=str(tmp_path / "quote-page-360.png"), full_page=True)
        await browser.close()
    assert min(facts["sizes"]) >= 11, facts["sizes"]  # every label, in CSS pixels
    # The per-order band (past 18,000 at 300 orders) is drawn whole, not cut at a cap.
    assert facts["plotTop"] <= facts["bandTop"] < facts["bandBottom"] <= facts["plotBottom"] + 0.5
    assert facts["title"] == "月费随日均单量的变化：包月与按单计费"
    shown = quote(Inquiry(daily_orders=300, categories=12, response=Response.FAST,
                          discount=Decimal("0.05")), rates)
    per_order = format_money_range(shown.per_order, translator("zh_CN"))
    assert per_order in facts["desc"] and "300" in facts["desc"]
    assert facts["labelledBy"] == "chart-title chart-desc"
    assert facts["scrollWidth"] <= 360
    assert (tmp_path / "chart-360.png").stat().st_size > 5_000
