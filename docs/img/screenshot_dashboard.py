"""Draw docs/img/funnel.png, the README's picture of `kameng browse`'s dashboard: a made-up
fortnight of quotes (three salespeople, deterministic), served by the real `kameng browse`,
photographed by Debian's headless chromium through Playwright (as tests/test_page_browser.py
does). Run: .venv/bin/python docs/img/screenshot_dashboard.py"""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.store import Store
from pricing import Inquiry, load_rates, quote

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SALES = ("5551", "5552", "5553")


def fortnight(path: Path) -> None:
    rates = load_rates()
    chance = random.Random(7)
    moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    store = Store(path, clock=lambda: moment)
    for day in range(14):
        for number in range(chance.randint(3, 9)):
            moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC) + timedelta(days=day,
                                                                           hours=number)
            orders = chance.choice((60, 150, 300, 450, 800, 1500, 2500))
            owner = chance.choice(SALES)
            quote_id = store.save_quote(
                channel="telegram", user_id=owner, dialog_id=f"d{day}-{number}",
                confirmation=1, quote=quote(Inquiry(daily_orders=orders), rates),
                locale="zh_CN", answers={"orders": orders}, prospect=f"客户{day}{number}",
                sales_owner=owner)
            if chance.random() < 0.8:
                store.share(quote_id, days=30)
                if chance.random() < 0.65:
                    store.record_view(quote_id, channel="web", agent=f"a{quote_id}")
                    if chance.random() < 0.45:
                        store.accept(quote_id)
        if chance.random() < 0.5:
            store.record_handoff(channel="telegram", user_id=f"9{day}", handle=f"@buyer{day}",
                                 answers={})
    store.close()


async def photograph(url: str, out: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1200, "height": 900})
        await page.goto(url)
        await page.wait_for_selector("#chart-funnel svg, #chart-funnel canvas", timeout=20000)
        await page.wait_for_timeout(1500)  # every chart drawn
        await page.screenshot(path=str(out), full_page=True)
        await browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "kameng.db"
        fortnight(db)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        kameng = str(Path(sys.executable).with_name("kameng"))
        server = subprocess.Popen([kameng, "browse", "--db", str(db), "--port", str(port)],
                                  stdout=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            asyncio.run(photograph(f"http://127.0.0.1:{port}/-/dashboards/quotes",
                                   HERE / "funnel.png"))
        finally:
            server.terminate()
            server.wait(10)
    print(HERE / "funnel.png")


if __name__ == "__main__":
    main()
