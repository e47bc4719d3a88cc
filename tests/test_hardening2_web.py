"""Issue 24, the quote page's server under a hostile probe, through the real `kameng serve`
process: slow clients, the owner's notice, response headers, views."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.store import Store
from pricing import Inquiry, Rates, quote

KAMENG = str(Path(sys.executable).with_name("kameng"))
pytestmark = pytest.mark.e2e
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
OWNER = 555


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shared_quote(db: Path, rates: Rates, *, owner: int | None = OWNER) -> str:
    store = Store(db, clock=lambda: datetime.now(UTC))
    try:
        quote_id = store.save_quote(channel="telegram", user_id=str(owner or 1), dialog_id="d1",
                                    confirmation=1, locale="zh_CN", prospect="星辰卡盟",
                                    sales_owner=str(owner) if owner else None,
                                    quote=quote(Inquiry(daily_orders=300), rates))
        return store.share(quote_id, days=30)
    finally:
        store.close()


@dataclass
class Page:
    base: str
    port: int
    process: subprocess.Popen[str]
    output: str = ""  # what the server printed, once it has stopped

    def get(self, path: str, headers: dict[str, str] | None = None, *, timeout: float = 10
            ) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


@contextmanager
def serve(db: Path, env: dict[str, str] | None = None, *, open_files: int | None = None,
          command: str = "serve") -> Iterator[Page]:
    port = free_port()
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("TELEGRAM_", "TRUSTED_", "WEB_", "METRICS_", "PUBLIC_",
                                    "KAMENG_", "COMPANY_"))}

    def limits() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    process = subprocess.Popen([KAMENG, command, "--db", str(db), "--port", str(port)],
                               env={**clean, **(env or {})}, cwd=db.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=limits)
    page = Page(f"http://127.0.0.1:{port}", port, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            if page.get("/healthz", timeout=2)[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"kameng serve did not start: {process.communicate()[0]}")
        time.sleep(0.05)
    try:
        yield page
    finally:
        process.terminate()
        try:
            output = process.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
        page.output = output
        assert "Traceback" not in output, output


def slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and never finish its headers (slowloris)."""
    opened = []
    for _ in range(count):
        try:
            client = socket.create_connection(("127.0.0.1", port), timeout=2)
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: q.example\r\nX-Slow: ")
        except OSError:
            break  # the backlog is full: enough
        opened.append(client)
    return opened


def closed_by_server(client: socket.socket, within: float) -> bool:
    client.settimeout(within)
    try:
        return client.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


# --- item 8: slowloris ---------------------------------------------------------------------

def test_a_client_that_trickles_its_headers_is_closed_after_the_header_timeout(
    tmp_path: Path, rates: Rates,
) -> None:
    shared_quote(tmp_path / "k.db", rates)
    with serve(tmp_path / "k.db", {"WEB_HEADER_TIMEOUT": "1"}) as page:
        clients = slow_clients(page.port, 20)
        try:
            for client in clients[:5]:  # a byte now and then does not keep it open
                client.sendall(b"x")
            assert all(closed_by_server(client, within=8) for client in clients)
            assert page.get("/healthz")[0] == 200
        finally:
            for client in clients:
                client.close()


def test_slow_clients_cannot_use_up_the_open_files(tmp_path: Path, rates: Rates) -> None:
    """160 open files for the whole process; 300 slow clients hold on (the default header
    timeout, 10 s, does not run out during the test): a prospect is still answered."""
    token = shared_quote(tmp_path / "k.db", rates)
    with serve(tmp_path / "k.db", open_files=160) as page:
        clients = slow_clients(page.port, 300)
        try:
            assert len(clients) > 160
            status, _, body = page.get(f"/q/{token}", timeout=8)
            assert status == 200 and "星辰卡盟" in body
            assert page.get("/healthz", timeout=8)[0] == 200
        finally:
            for client in clients:
                client.close()


# --- item 7: the first open never waits for Telegram ------------------------------------

class BlackHole:
    """A Bot API that accepts connections and never answers (an unreachable API)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_first_open_is_answered_while_telegram_does_not_answer(
    tmp_path: Path, rates: Rates,
) -> None:
    token = shared_quote(tmp_path / "k.db", rates)
    hole = BlackHole()
    try:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": f"http://127.0.0.1:{hole.port}"}
        with serve(tmp_path / "k.db", env) as page:
            status, _, body = page.get(f"/q/{token}", timeout=5)  # the API would take 15 s
            assert status == 200 and "星辰卡盟" in body
            assert wait_until(lambda: len(hole.accepted) >= 1)  # the notice is on its way
    finally:
        hole.close()


def test_the_owner_is_told_after_telegram_asks_to_wait(tmp_path: Path, rates: Rates) -> None:
    from tests.fake_telegram import FakeTelegram

    token = shared_quote(tmp_path / "k.db", rates)
    api = FakeTelegram(TOKEN)
    base = api.start()
    try:
        api.inject("sendMessage", 429, count=2, retry_after=1)
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base}
        with serve(tmp_path / "k.db", env) as page:
            status, _, _ = page.get(f"/q/{token}", timeout=5)
            assert status == 200
            notice = api.wait_for_text(OWNER, "星辰卡盟", timeout=20)
            assert "打开" in notice
    finally:
        api.stop()


# --- item 16: one view per address per hour, crawlers by their own names -----------------

SOGOU_BROWSER = ("Mozilla/5.0 (Linux; Android 10; V1916A) AppleWebKit/537.36 (KHTML, like "
                 "Gecko) Chrome/78.0.3904.108 Mobile Safari/537.36 SogouMobileBrowser/5.39.2")
SOGOU_SPIDER = "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"


def views(db: Path, token: str) -> int:
    store = Store(db)
    try:
        record = store.record_by_token(token)
        assert record is not None
        return record.views
    finally:
        store.close()


def test_a_new_user_agent_per_request_is_still_one_viewer(tmp_path: Path, rates: Rates) -> None:
    token = shared_quote(tmp_path / "k.db", rates, owner=None)
    with serve(tmp_path / "k.db") as page:
        for n in range(60):
            assert page.get(f"/q/{token}", {"User-Agent": f"Mozilla/5.0 (probe {n})"})[0] == 200
    assert views(tmp_path / "k.db", token) == 1


def test_sogous_browser_is_a_person_and_its_spider_is_not(tmp_path: Path, rates: Rates) -> None:
    token = shared_quote(tmp_path / "k.db", rates, owner=None)
    with serve(tmp_path / "k.db") as page:
        assert page.get(f"/q/{token}", {"User-Agent": SOGOU_SPIDER})[0] == 200
        assert views(tmp_path / "k.db", token) == 0
        assert page.get(f"/q/{token}", {"User-Agent": SOGOU_BROWSER})[0] == 200
    assert views(tmp_path / "k.db", token) == 1


# --- item 18: an IPv6 client is its /64 ---------------------------------------------------

def test_every_address_of_one_ipv6_64_shares_one_allowance_and_one_view(
    tmp_path: Path, rates: Rates,
) -> None:
    token = shared_quote(tmp_path / "k.db", rates, owner=None)
    with serve(tmp_path / "k.db", {"TRUSTED_PROXIES": "127.0.0.1"}) as page:
        misses = [page.get(f"/q/guess{n}", {"X-Forwarded-For": f"2001:db8:1:2::{n:x}"})[0]
                  for n in range(1, 26)]
        assert misses[:20] == [404] * 20 and set(misses[20:]) == {429}
        elsewhere = page.get("/q/guess", {"X-Forwarded-For": "2001:db8:1:3::1"})[0]
        assert elsewhere == 404  # the next /64 is someone else
        for n in (1, 2, 0xFFFF):
            page.get(f"/q/{token}", {"X-Forwarded-For": f"2001:db8:9:9::{n:x}"})
    assert views(tmp_path / "k.db", token) == 1


# --- items 11 and 12: no software versions, one log line per malformed request ----------

def raw_get(port: int, path: str) -> tuple[str, str]:
    """(status line + headers, body) of a GET sent as raw bytes (urllib would refuse it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: q.example\r\nConnection: close\r\n\r\n"
                       .encode())
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    head, _, body = answer.decode("utf-8", "replace").partition("\r\n\r\n")
    return head, body


def test_a_9_kb_path_is_one_log_line_and_names_no_software(tmp_path: Path,
                                                           rates: Rates) -> None:
    shared_quote(tmp_path / "k.db", rates, owner=None)
    with serve(tmp_path / "k.db") as page:
        for _ in range(3):
            head, _ = raw_get(page.port, "/q/" + "a" * 9000)
            assert head.startswith("HTTP/1.") and " 400 " in head.splitlines()[0]
            assert "Server: kameng" in head
            assert "Python" not in head and "aiohttp" not in head
    assert "Traceback" not in page.output
    assert page.output.count("bad request from") == 3, page.output


def test_the_webhook_and_metrics_servers_name_no_software(tmp_path: Path) -> None:
    from tests.fake_telegram import FakeTelegram
    from tests.procs import BotProcess

    api = FakeTelegram(TOKEN)
    api.start()
    webhook, probe = free_port(), free_port()
    bot = BotProcess("aiogram", api, tmp_path / "k.db", args=("--webhook",), extra_env={
        "WEBHOOK_URL": "https://bot.example/telegram/webhook", "WEBHOOK_SECRET": "s" * 20,
        "WEBHOOK_PORT": str(webhook), "METRICS_PORT": str(probe)})
    try:
        FakeTelegram.wait_until(lambda: bool(api.webhook), lambda: bot.output(), timeout=30)
        for port, path in ((webhook, "/healthz"), (webhook, "/metrics"), (webhook, "/nothing"),
                           (probe, "/metrics"), (probe, "/x" + "b" * 9000)):
            head, _ = raw_get(port, path)
            assert "Server: kameng" in head, (port, path, head)
            assert "Python" not in head and "aiohttp" not in head
    finally:
        code = bot.stop()
        api.stop()
    assert code == 0 and "Traceback" not in bot.output()


# --- item 17: /metrics off a public page, figures cached ----------------------------------

def test_a_public_page_keeps_metrics_on_a_private_listener(tmp_path: Path,
                                                           rates: Rates) -> None:
    shared_quote(tmp_path / "k.db", rates, owner=None)
    probe = free_port()
    env = {"PUBLIC_URL": "https://q.example", "METRICS_PORT": str(probe)}
    with serve(tmp_path / "k.db", env) as page:
        assert page.get("/metrics")[0] == 404
        status, _, text = Page(f"http://127.0.0.1:{probe}", probe, page.process).get("/metrics")
        assert status == 200 and "kameng_quotes_total 1.0" in text
        Store(tmp_path / "k.db").save_quote(  # a second quote, within the cache's 5 s
            channel="telegram", user_id="1", dialog_id="d2", confirmation=1, locale="zh_CN",
            quote=quote(Inquiry(daily_orders=100), rates))
        again = Page(f"http://127.0.0.1:{probe}", probe, page.process).get("/metrics")[2]
        assert "kameng_quotes_total 1.0" in again  # cached: a scrape storm reads once
    with serve(tmp_path / "k.db", {**env, "METRICS_ON_PAGE": "yes"}) as page:
        assert page.get("/metrics")[0] == 200
    with serve(tmp_path / "k.db") as page:  # not public: as before
        assert page.get("/metrics")[0] == 200
