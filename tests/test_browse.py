"""`kameng browse`: Datasette on the quote database — the canned queries answer right for a
known history, nothing can be written through it, and it never listens beyond 127.0.0.1
without a password. The real command runs on a free port; its JSON API is queried."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.browse import datasette, hash_password, metadata
from pricing import Rates
from tests.operators_seed import ALICE, BOB, History, seed
from tests.procs import KAMENG, free_port

pytestmark = pytest.mark.e2e  # most start `kameng browse`


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode("utf-8", "replace")

    def rows(self, query: str, **params: str) -> list[dict[str, Any]]:
        shown = urllib.parse.urlencode({**params, "_shape": "array"})
        status, rows = self.get(f"/kameng/{query}.json?{shown}")
        assert status == 200, rows
        assert isinstance(rows, list)
        return rows


def start(db: Path, *args: str, env: dict[str, str] | None = None
          ) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen([KAMENG, "browse", "--db", str(db), "--port", str(port), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[0])
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1).close()
            return process, base
        except urllib.error.HTTPError:
            return process, base  # up, and asking for a login
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("kameng browse did not start")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.communicate(timeout=10)  # also closes its output pipe


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, rates: Rates) -> History:
    return seed(tmp_path_factory.mktemp("browse") / "kameng.db", rates)


@pytest.fixture(scope="module")
def browser(history: History) -> Iterator[Browser]:
    process, base = start(history.path)
    try:
        yield Browser(base)
    finally:
        stop(process)


def test_the_funnel_counts_each_step_by_salesperson_and_channel_with_rates(
        browser: Browser) -> None:
    rows = {(row["销售"], row["渠道"]): row for row in browser.rows("funnel")}
    assert set(rows) == {(str(ALICE), "telegram"), (str(BOB), "telegram"),
                         ("（无销售）", "terminal")}
    alice = rows[(str(ALICE), "telegram")]
    assert (alice["创建"], alice["已分享"], alice["已打开"], alice["已接受"]) == (2, 2, 2, 1)
    assert (alice["分享率"], alice["打开率"], alice["接受率"], alice["成交率"]) == (
        100.0, 100.0, 50.0, 50.0)
    bob = rows[(str(BOB), "telegram")]
    assert (bob["创建"], bob["已分享"], bob["已打开"], bob["已接受"]) == (1, 1, 0, 0)
    assert bob["打开率"] == 0.0 and bob["接受率"] is None  # nothing opened: no rate, not 0
    nobody = rows[("（无销售）", "terminal")]
    assert (nobody["创建"], nobody["已分享"], nobody["分享率"], nobody["打开率"]) == (
        1, 0, 0.0, None)


def test_the_funnel_filters_by_the_business_day_of_creation(browser: Browser) -> None:
    # Created 2026-12-01 02:00 and 04:30 UTC (10:00, 12:30 in Shanghai), 12-02, 12-03.
    rows = browser.rows("funnel", since="2026-12-02", until="2026-12-02")
    assert [(row["销售"], row["创建"]) for row in rows] == [(str(BOB), 1)]


def test_quotes_by_day_and_the_stages_in_total(browser: Browser) -> None:
    days = {row["日期"]: row for row in browser.rows("quotes_by_day")}
    assert {day: row["报价"] for day, row in days.items()} == {
        "2026-12-01": 2, "2026-12-02": 1, "2026-12-03": 1}
    assert days["2026-12-01"]["已接受"] == 1 and days["2026-12-02"]["已分享"] == 1
    stages = browser.rows("funnel_stages")
    assert [(row["阶段"], row["报价数"]) for row in stages] == [
        ("1 创建", 4), ("2 已分享", 3), ("3 已打开", 2), ("4 已接受", 1)]


def test_price_by_volume_groups_quotes_by_daily_order_band(browser: Browser,
                                                           history: History) -> None:
    bands = {row["日单量"]: row for row in browser.rows("price_by_volume")}
    assert {band: row["报价数"] for band, row in bands.items()} == {
        "1: 100 单以下": 1, "3: 300–499 单": 2, "5: 1000–1999 单": 1}
    with sqlite3.connect(history.path) as db:
        [(low, high)] = db.execute("SELECT monthly_low, monthly_high FROM quotes WHERE id = ?",
                                   [history.unopened]).fetchall()
    band = bands["5: 1000–1999 单"]
    assert band["最低月费"] == float(low) and band["最高月费"] == float(high)
    assert band["平均月费"] == round((float(low) + float(high)) / 2)


def test_waiting_handoffs_lists_only_the_unanswered(browser: Browser,
                                                   history: History) -> None:
    rows = browser.rows("waiting_handoffs")
    assert [(row["编号"], row["客户"]) for row in rows] == [(history.handoff, "@buyer")]


def test_the_quote_table_shows_no_token_and_internals_are_hidden(browser: Browser) -> None:
    status, tables = browser.get("/kameng.json")
    assert status == 200
    shown = {table["name"]: table["hidden"] for table in tables["tables"]}
    assert all(shown[name] for name in ("quotes", "sessions", "processed_updates", "inbox",
                                        "meta"))
    status, history = browser.get("/kameng/quote_history.json?_shape=objects")
    assert status == 200 and len(history["rows"]) == 4
    assert not {"token", "quote", "inquiry", "answers", "dialog_id"} & set(history["columns"])
    status, page = browser.get("/-/dashboards/quotes")
    assert status == 200 and "销售漏斗" in page and "vega" in page


def test_nothing_can_be_written_through_the_server(browser: Browser, history: History) -> None:
    for sql in ("UPDATE quotes SET status = 'accepted'", "DELETE FROM quotes",
                "SELECT 1; DROP TABLE quotes", "PRAGMA user_version = 9"):
        status, _ = browser.get("/kameng.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status in (400, 403), sql
    request = urllib.request.Request(browser.base + "/kameng/funnel", data=b"x=1",
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
    with sqlite3.connect(history.path) as db:
        assert db.execute("SELECT count(*) FROM quotes WHERE status = 'accepted'"
                          ).fetchone() == (1,)


async def test_even_a_plugin_cannot_write_the_file(history: History) -> None:
    ds = datasette(str(history.path))
    await ds.invoke_startup()
    with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
        await ds.get_database("kameng").execute_write("DELETE FROM quotes")


def test_another_address_without_a_password_is_refused(history: History) -> None:
    done = subprocess.run([KAMENG, "browse", "--db", str(history.path), "--host", "0.0.0.0",
                           "--port", str(free_port())], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2
    assert "BROWSE_PASSWORD_HASH" in done.stderr and "0.0.0.0" in done.stderr
    assert done.stdout == ""


def test_with_a_password_every_page_asks_for_the_login(history: History) -> None:
    made = subprocess.run([KAMENG, "browse", "--hash-password"], input="correct horse battery\n",
                          capture_output=True, text=True, timeout=30)
    assert made.returncode == 0 and made.stdout.startswith("pbkdf2_sha256$")
    password_hash = made.stdout.strip()
    from datasette_auth_passwords.utils import verify_password

    assert verify_password("correct horse battery", password_hash)
    import os

    process, base = start(history.path,
                          env={**os.environ, "BROWSE_PASSWORD_HASH": password_hash})
    try:
        status, _ = Browser(base).get("/kameng/funnel.json")
        assert status == 403
        status, _ = Browser(base).get("/-/dashboards/quotes")
        assert status == 403
    finally:
        stop(process)


def test_each_chart_draws_a_canned_query() -> None:
    loaded = metadata()
    queries = {query["sql"] for query in loaded["databases"]["kameng"]["queries"].values()}
    charts = loaded["plugins"]["datasette-dashboards"]["quotes"]["charts"]
    assert {"funnel", "by-day", "price", "handoffs"} <= set(charts)
    assert all(chart["query"] in queries for chart in charts.values())
    assert any("'+480 minutes'" in sql for sql in queries)  # Shanghai's days


def test_a_short_password_is_refused() -> None:
    done = subprocess.run([KAMENG, "browse", "--hash-password"], input="short\n",
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "12" in done.stderr
    assert hash_password("a long enough password").startswith("pbkdf2_sha256$")


async def test_the_funnel_names_a_salesperson_by_their_telegram_handle(
        tmp_path: Path, rates: Rates) -> None:
    history = seed(tmp_path / "kameng.db", rates)
    with sqlite3.connect(history.path) as db:
        db.execute("INSERT INTO users (channel, user_id, handle, locale, created_at, "
                   "updated_at) VALUES ('telegram', ?, '@alice', '', '', '')", [str(ALICE)])
    ds = datasette(str(history.path))
    await ds.invoke_startup()
    response = await ds.client.get("/kameng/funnel.json?_shape=array")
    assert {row["销售"] for row in response.json()} == {"@alice", str(BOB), "（无销售）"}
