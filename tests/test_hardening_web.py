"""The quote page under a hostile client, through the real `kameng serve` process: one
guesser never locks prospects out, X-Forwarded-For is believed only from trusted proxies,
memory for miss counters is bounded, and the page names no software version."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.storage.store import Store
from bot.web import MissThrottle, client_address, parse_networks
from pricing import Inquiry, Rates, quote
from tests.procs import KAMENG, START_TIMEOUT, free_port, http_get


def make_shared_quote(db: Path, rates: Rates) -> str:
    store = Store(db, clock=lambda: datetime.now(UTC))
    quote_id = store.save_quote(channel="telegram", user_id="555", dialog_id="d1",
                                confirmation=1, locale="zh_CN", prospect="星辰卡盟",
                                quote=quote(Inquiry(daily_orders=300), rates))
    token = store.share(quote_id, days=30)
    store.close()
    return token


@dataclass
class Page:
    base: str

    def get(self, path: str, headers: dict[str, str] | None = None
            ) -> tuple[int, str, dict[str, str]]:
        return http_get(self.base + path, headers)


def serve(db: Path, env: dict[str, str]) -> Iterator[Page]:
    port = free_port()
    clean = {key: value for key, value in os.environ.items()
             if key not in ("TELEGRAM_BOT_TOKEN", "TRUSTED_PROXIES")}
    process = subprocess.Popen([KAMENG, "serve", "--db", str(db), "--port", str(port)],
                               env={**clean, **env}, cwd=db.parent, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    page = Page(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if page.get("/healthz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"kameng serve did not start: {process.communicate()[0]}")
        time.sleep(0.05)
    try:
        yield page
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
        assert "Traceback" not in output, output


@pytest.fixture
def token(tmp_path: Path, rates: Rates) -> str:
    return make_shared_quote(tmp_path / "kameng.db", rates)


@pytest.fixture
def page(tmp_path: Path, token: str) -> Iterator[Page]:
    yield from serve(tmp_path / "kameng.db", {})


@pytest.fixture
def proxied(tmp_path: Path, token: str) -> Iterator[Page]:
    yield from serve(tmp_path / "kameng.db", {"TRUSTED_PROXIES": "127.0.0.1, ::1"})


@pytest.mark.e2e
def test_a_valid_token_is_answered_however_often_others_missed(page: Page, token: str) -> None:
    for guess in range(21):
        page.get(f"/q/miss{guess}")
    assert page.get("/q/miss-again")[0] == 429  # the guesser is throttled…
    status, body, _ = page.get(f"/q/{token}")
    assert status == 200 and "星辰卡盟" in body  # …the prospect is not


@pytest.mark.e2e
def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_address(page: Page) -> None:
    for guess in range(20):
        page.get(f"/q/miss{guess}", {"X-Forwarded-For": f"203.0.113.{guess}"})
    assert page.get("/q/next", {"X-Forwarded-For": "198.51.100.7"})[0] == 429


@pytest.mark.e2e
def test_behind_a_trusted_proxy_each_visitor_is_throttled_alone(proxied: Page,
                                                                token: str) -> None:
    for guess in range(20):
        proxied.get(f"/q/miss{guess}", {"X-Forwarded-For": "203.0.113.9, 127.0.0.1"})
    assert proxied.get("/q/again", {"X-Forwarded-For": "203.0.113.9"})[0] == 429
    assert proxied.get("/q/first", {"X-Forwarded-For": "198.51.100.7"})[0] == 404
    assert proxied.get(f"/q/{token}", {"X-Forwarded-For": "203.0.113.9"})[0] == 200


def forwarded(peer: str, header: str | None, proxies: tuple[str, ...]) -> str:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 40000) if name == "peername" else default)
    request = make_mocked_request("GET", "/q/x", transport=transport, headers=(
        {"X-Forwarded-For": header} if header is not None else {}))
    return client_address(request, parse_networks(proxies))


def test_the_client_behind_trusted_proxies_is_the_nearest_untrusted_hop() -> None:
    proxies = ("10.0.0.0/8", "::1")
    assert forwarded("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"  # not trusted
    assert forwarded("10.0.0.2", "198.51.100.1, 10.0.0.7", proxies) == "198.51.100.1"
    assert forwarded("10.0.0.2", "1.2.3.4, 198.51.100.1", proxies) == "198.51.100.1"  # spoofed
    assert forwarded("::ffff:10.0.0.2", "198.51.100.1", proxies) == "198.51.100.1"
    assert forwarded("::1", None, proxies) == "::1"
    assert forwarded("10.0.0.2", "10.0.0.3, 10.0.0.4", proxies) == "10.0.0.3"


@pytest.mark.e2e
def test_a_malformed_trusted_proxy_setting_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"}
    result = subprocess.run([KAMENG, "serve", "--db", str(tmp_path / "k.db"), "--port", "1"],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "proxy.example" in result.stderr


@pytest.mark.e2e
def test_the_server_header_names_no_software_version(page: Page, token: str) -> None:
    for path in (f"/q/{token}", "/q/unknown", "/healthz", "/nowhere"):
        headers = page.get(path)[2]
        assert headers.get("Server") == "kameng", headers


@pytest.mark.e2e
def test_the_page_shows_an_opaque_reference_not_the_quote_number(
        tmp_path: Path, rates: Rates) -> None:
    db = tmp_path / "many.db"
    store = Store(db)
    for index in range(7):
        store.save_quote(channel="telegram", user_id="555", dialog_id=f"d{index}",
                         confirmation=1, locale="zh_CN",
                         quote=quote(Inquiry(daily_orders=300), rates))
    token = store.share(7, days=30)
    record = store.record(7)
    store.close()
    assert record is not None and re.fullmatch(r"Q-[0-9A-F]{8}", record.reference)
    for page in serve(db, {}):
        status, body, _ = page.get(f"/q/{token}")
        assert status == 200 and record.reference in body
        assert "报价 #7" not in body and "7</title>" not in body


def views(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        [(count,)] = connection.execute("SELECT views FROM quotes WHERE id = 1").fetchall()
    connection.close()
    return int(count)


PHONE = "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120 Mobile"


@pytest.mark.e2e
def test_a_phone_called_cubot_is_a_prospect_and_previews_are_not_opens(
        proxied: Page, token: str, tmp_path: Path) -> None:
    db = tmp_path / "kameng.db"
    for agent in ("TelegramBot (like TwitterBot)", "WhatsApp/2.23.20.0",
                  "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
                  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
                  "facebookexternalhit/1.1", "Twitterbot/1.0"):
        assert proxied.get(f"/q/{token}", {"User-Agent": agent})[0] == 200
    assert views(db) == 0
    assert proxied.get(f"/q/{token}", {"User-Agent": PHONE,
                                       "X-Forwarded-For": "198.51.100.7"})[0] == 200
    assert views(db) == 1


@pytest.mark.e2e
def test_one_view_per_client_per_hour_not_per_request(proxied: Page, token: str,
                                                      tmp_path: Path) -> None:
    db = tmp_path / "kameng.db"
    for _ in range(5):
        proxied.get(f"/q/{token}", {"User-Agent": PHONE, "X-Forwarded-For": "198.51.100.7"})
    assert views(db) == 1
    proxied.get(f"/q/{token}", {"User-Agent": PHONE, "X-Forwarded-For": "203.0.113.5"})
    assert views(db) == 2


def test_miss_counters_stay_small_under_100000_addresses() -> None:
    clock = [0.0]
    throttle = MissThrottle(clock=lambda: clock[0])
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for index in range(100_000):
        address = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
        throttle.miss(address)
        clock[0] += 0.001
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(throttle.misses) <= 10_000
    assert grown < 5 * 1024 * 1024, f"{grown / 1e6:.1f} MB for 100,000 addresses"


def test_a_recent_guesser_is_still_throttled_when_many_others_miss() -> None:
    clock = [0.0]
    throttle = MissThrottle(limit=3, clock=lambda: clock[0], max_clients=100)
    for _ in range(3):
        throttle.miss("198.51.100.7")
    assert throttle.blocked("198.51.100.7")
    clock[0] += 601
    assert not throttle.blocked("198.51.100.7")  # the window has passed
