"""The Mini App in a real browser (Playwright driving Debian's chromium, headless) at 360 px:
Telegram.WebApp stubbed with a really signed initData (telegram-web-app.js is unreachable
offline, as it may be for a merchant: the page must not depend on it), light and dark
themes; the slider and a toggle move the price, and 保存报价 saves."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.miniapp import MiniApp
from bot.services.configurator import Saved, SaveRequest
from bot.storage.store import Store
from bot.web import quote_web_app
from dialogs.engine import Engine
from tests.browser import CHROMIUM, CHROMIUM_ARGS, need_chromium
from tests.procs import TOKEN
from tests.webapp_signing import init_data

pytestmark = pytest.mark.e2e
need_chromium()

USER = 4242
# Telegram's own palettes (what themeParams carries in its light and dark themes).
THEMES = {
    "light": {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999",
              "link_color": "#2481cc", "button_color": "#2481cc", "button_text_color": "#ffffff",
              "secondary_bg_color": "#efeff3"},
    "dark": {"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499",
             "link_color": "#6ab3f3", "button_color": "#5288c1", "button_text_color": "#ffffff",
             "secondary_bg_color": "#232e3c"},
}
# A stub of telegram-web-app.js: what the page uses, recording what it is asked to do.
STUB = """
window.__tg = {main: null, back: null, mainParams: {}, closed: false, backShown: false};
window.Telegram = {WebApp: {
  initData: %(init_data)s,
  initDataUnsafe: {user: {id: %(user)d, language_code: "zh-hans"}},
  colorScheme: %(scheme)s,
  themeParams: %(theme)s,
  ready() {}, expand() {}, onEvent() {},
  close() { window.__tg.closed = true; },
  HapticFeedback: {selectionChanged() {}, notificationOccurred() {}},
  MainButton: {
    setParams(params) { Object.assign(window.__tg.mainParams, params); },
    onClick(handler) { window.__tg.main = handler; },
    showProgress() {}, hideProgress() {},
  },
  BackButton: {
    onClick(handler) { window.__tg.back = handler; },
    show() { window.__tg.backShown = true; },
  },
}};
"""


class RecordingSaver:
    def __init__(self) -> None:
        self.requests: list[SaveRequest] = []

    async def __call__(self, request: SaveRequest) -> Saved:
        self.requests.append(request)
        return Saved(quote_id=12, version=2)


@pytest.fixture
def saver() -> RecordingSaver:
    return RecordingSaver()


@pytest.fixture
async def app_url(tmp_path: Path, engine: Engine, saver: RecordingSaver) -> AsyncIterator[str]:
    store = Store(tmp_path / "kameng.db")
    state, _ = engine.start("zh_CN", dialog_id="d", answers={
        "orders": 300, "kinds": ["game_cards"], "response": "standard"})
    store.save_session("telegram", str(USER), state.to_dict())
    server = TestServer(quote_web_app(store, miniapp=MiniApp(store, engine, TOKEN,
                                                             saver=saver)), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/app"))
    await server.close()
    store.close()


async def settled_price(page: Any, before: str | None = None) -> str:
    """The monthly total once the page has re-priced (and changed from `before`)."""
    await page.wait_for_function(
        """(before) => {
             const main = document.getElementById('app');
             const total = document.getElementById('monthly').textContent;
             return main.getAttribute('aria-busy') === 'false' && total !== '—'
                    && total !== before;
           }""", arg=before, timeout=10_000)
    return str(await page.locator("#monthly").inner_text())


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_on_a_360_px_phone_the_slider_and_a_toggle_move_the_price_and_it_saves(
    app_url: str, saver: RecordingSaver, scheme: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    stub = STUB % {"init_data": json.dumps(init_data(TOKEN, user_id=USER)), "user": USER,
                   "scheme": json.dumps(scheme), "theme": json.dumps(THEMES[scheme])}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 360, "height": 740},
                                      color_scheme=scheme)  # type: ignore[arg-type]
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.route("https://telegram.org/**", lambda route: route.abort())  # offline
        await page.add_init_script(stub)
        response = await page.goto(app_url)
        assert response is not None and response.status == 200

        opened = await settled_price(page)
        assert await page.locator("#orders").input_value() == "300"  # prefilled
        tooling = page.locator('fieldset[data-field="tooling"]')
        assert "estimated" in (await tooling.get_attribute("class") or "")  # 估算

        # Drag the slider well to the right: thousands of orders, a higher price.
        slider = page.locator("#orders-slider")
        box = await slider.bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        after_slider = await settled_price(page, opened)
        assert int(await page.locator("#orders").input_value()) > 3000

        # Flip a toggle: one's own customer-service system.
        await page.get_by_role("radio", name="自带系统").click()
        after_toggle = await settled_price(page, after_slider)
        assert "estimated" not in (await tooling.get_attribute("class") or "")

        facts = await page.evaluate("""() => ({
          background: getComputedStyle(document.body).backgroundColor,
          scheme: document.documentElement.dataset.scheme,
          scrollWidth: document.documentElement.scrollWidth,
          main: window.__tg.mainParams, backShown: window.__tg.backShown,
          lines: document.querySelectorAll('#lines tr').length,
        })""")
        await page.screenshot(path=str(tmp_path / f"miniapp-{scheme}.png"), full_page=True)
        if os.environ.get("MINIAPP_SCREENSHOT") and scheme == "light":  # docs/img/miniapp.png
            await page.evaluate("() => window.scrollTo(0, 0)")
            await page.screenshot(path=os.environ["MINIAPP_SCREENSHOT"])

        await page.evaluate("() => window.__tg.main()")  # Telegram's MainButton pressed
        # (Functions, not expressions: the page's policy forbids eval.)
        await page.wait_for_function("() => document.getElementById('notice').textContent"
                                     ".includes('已保存为第 2 版')", timeout=10_000)
        await page.wait_for_function("() => window.__tg.closed === true", timeout=5_000)
        await browser.close()

    assert opened != after_slider != after_toggle
    expected_bg = {"light": "rgb(255, 255, 255)", "dark": "rgb(23, 33, 43)"}[scheme]
    assert facts["background"] == expected_bg and facts["scheme"] == scheme
    assert facts["scrollWidth"] <= 360
    assert facts["main"] == {"text": "保存报价", "is_visible": True, "is_active": True}
    assert facts["backShown"] and facts["lines"] > 0
    request, = saver.requests
    assert request.user_id == USER and request.answers["tooling"] == "own"
    assert request.answers["orders"] > 3000
    assert errors == []
    ours = [url for url in requests if not url.startswith("https://telegram.org/")]
    assert all(url.startswith(app_url.removesuffix("/app")) for url in ours), requests


async def test_outside_telegram_it_says_where_to_open_it_and_in_english_it_speaks_english(
    app_url: str
) -> None:
    from playwright.async_api import async_playwright

    english = STUB % {"init_data": json.dumps(init_data(TOKEN, user_id=99,
                                                        language_code="en-US")),
                      "user": 99, "scheme": '"light"', "theme": "{}"}
    english = english.replace('language_code: "zh-hans"', 'language_code: "en-US"')
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        bare = await browser.new_page(viewport={"width": 360, "height": 740})
        await bare.route("https://telegram.org/**", lambda route: route.abort())
        errors: list[str] = []
        bare.on("pageerror", lambda error: errors.append(str(error)))
        await bare.goto(app_url)
        await bare.wait_for_function(
            "() => !document.getElementById('notice').hidden", timeout=10_000)
        outside = await bare.locator("#notice").inner_text()
        save_shown = await bare.locator("#save").is_visible()

        page = await browser.new_page(viewport={"width": 360, "height": 740})
        await page.route("https://telegram.org/**", lambda route: route.abort())
        await page.add_init_script(english)
        await page.goto(app_url)
        total = await settled_price(page)
        words = await page.evaluate("""() => ({
          lang: document.documentElement.lang, title: document.title,
          orders: document.querySelector('fieldset[data-field="orders"] legend').textContent,
        })""")
        await browser.close()
    assert "Telegram" in outside and "请在 Telegram 里打开" in outside
    assert errors == []
    assert not save_shown  # nothing can be saved without Telegram's signed initData
    assert re.search(r"\d", total) and not re.search(r"[\u4e00-\u9fff]", total), total
    assert words["lang"] == "en" and words["title"] == "Adjust your quote"
    assert words["orders"].startswith("Daily orders"), words
