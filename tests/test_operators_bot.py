"""The operators' features in the running bot, on both front-ends, against the fake Bot
API: follow-ups sent once to the right person (and exactly what `kameng followups` lists),
their buttons, a restart that repeats nothing, 请求新报价 on an expired link in Telegram
and on the web, and /pipeline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.store import Store
from pricing import Rates
from tests.fake_telegram import FakeTelegram
from tests.operators_seed import ADMIN, ALICE, BOB, History, add_quote, days_before, seed
from tests.procs import KAMENG, TOKEN, BotProcess, free_port

pytestmark = pytest.mark.e2e
PROSPECT, STRANGER = 9101, 9102
BASE = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # the seed's "now"
SETTINGS = {
    "SALES_IDS": f"{ALICE},{BOB}", "ADMIN_IDS": str(ADMIN),
    "BUSINESS_HOURS": "00:00-24:00", "QUIET_DAYS": "none",  # any time of the test run
    "FOLLOWUP_SILENT_DAYS": "2", "FOLLOWUP_EXPIRING_DAYS": "10",
    "KAMENG_FLOOD_LIMIT": "1000",
}
REMINDER = "⏰"


class Env:
    def __init__(self, api: FakeTelegram, db: Path, web: str, history: History,
                 expired: tuple[str, str], listed: list[dict[str, object]],
                 framework: str, env: dict[str, str]) -> None:
        self.api, self.db, self.web, self.history = api, db, web, history
        self.expired, self.listed, self.framework, self.env = expired, listed, framework, env
        self.bot = self.start()

    def start(self) -> BotProcess:
        self.api.polling.clear()
        bot = BotProcess(self.framework, self.api, self.db, extra_env=self.env)
        bot.wait_polling()
        return bot

    def restart(self) -> None:
        code = self.bot.stop()
        assert code == 0, self.bot.output()[-3000:]
        self.bot = self.start()

    def reminders(self, chat: int) -> list[str]:
        return [text for text in self.api.texts(chat) if text.startswith(REMINDER)]

    def last_text(self, chat: int) -> str:
        return str(self.api.transcript(chat)[-1].get("text", ""))


def expired_quote(db: Path, rates: Rates, prospect: str) -> str:
    """Alice's quote whose link expired yesterday; its token."""
    now = datetime.now(UTC)
    store = Store(db, clock=lambda: now - timedelta(days=31))
    quote_id = add_quote(store, rates, 500, owner=ALICE, prospect=prospect)
    token = store.share(quote_id, days=30)
    store.close()
    return token


@pytest.fixture(scope="module", params=["aiogram", "ptb"])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        rates: Rates) -> Iterator[Env]:
    db = tmp_path_factory.mktemp(f"operators-{request.param}") / "kameng.db"
    history = seed(db, rates, at=days_before(datetime.now(UTC), BASE))
    expired = (expired_quote(db, rates, "过期卡盟"), expired_quote(db, rates, "网页卡盟"))
    port = free_port()
    web = f"http://127.0.0.1:{port}"
    settings = {**SETTINGS, "PUBLIC_URL": web, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
    listed = json.loads(subprocess.run(
        [KAMENG, "followups", "--json", "--db", str(db)], capture_output=True, text=True,
        timeout=60, env={**os.environ, **settings}, check=True).stdout)
    api = FakeTelegram(TOKEN)
    api.start()
    env = Env(api, db, web, history, expired, listed, request.param, settings)
    try:
        yield env
    finally:
        code = env.bot.stop()
        api.stop()
    assert code == 0, env.bot.output()[-3000:]
    assert TOKEN not in env.bot.output()


def test_the_due_follow_ups_reach_their_owners_once_as_listed(env: Env) -> None:
    api, history = env.api, env.history
    for chat, count in ((ALICE, 2), (BOB, 1), (ADMIN, 1)):
        api.wait_until(lambda chat=chat, count=count: len(env.reminders(chat)) >= count,
                       lambda chat=chat: f"reminders of {chat}: {api.texts(chat)}")
    time.sleep(0.5)
    sent = [(chat, text) for chat in (ALICE, BOB, ADMIN) for text in env.reminders(chat)]
    assert len(sent) == len(env.listed) == 4
    assert sorted((item["kind"], tuple(item["to"])) for item in env.listed) == sorted([  # type: ignore[arg-type]
        ("accepted_uncontacted", (ALICE,)), ("opened_quiet", (ALICE,)),
        ("expiring", (BOB,)), ("handoff_waiting", (ADMIN,))])
    assert any(f"#{history.accepted}" in text for text in env.reminders(ALICE))
    assert any(f"#{history.quiet}" in text for text in env.reminders(ALICE))
    assert any(f"#{history.unopened}" in text for text in env.reminders(BOB))
    assert "@buyer" in env.reminders(ADMIN)[0]
    assert env.reminders(PROSPECT) == []


def test_only_the_owner_presses_a_reminder_s_buttons(env: Env) -> None:
    api, history = env.api, env.history
    message_id, data = next((m["message_id"], f"fu:done:q{history.accepted}")
                            for m in api.chats[ALICE].messages.values()
                            if f"fu:done:q{history.accepted}" in str(m.get("reply_markup")))
    api.press(BOB, message_id, data, chat_id=ALICE)  # someone else's reminder
    answers = [e["text"] for e in api.transcript(ALICE) if e["do"] == "answer"]
    assert "仅限" in str(answers[-1])
    assert sqlite_rows(env.db, "SELECT count(*) FROM followup_marks") == [(1,)]  # h: seeded
    api.press(ALICE, message_id, data)
    assert f"已标记 #{history.accepted} 为已联系" in env.last_text(ALICE)
    assert sqlite_rows(env.db, "SELECT by_user FROM followup_marks WHERE subject = ?",
                       f"q{history.accepted}") == [(str(ALICE),)]


def test_a_restart_repeats_no_reminder(env: Env) -> None:
    before = {chat: len(env.reminders(chat)) for chat in (ALICE, BOB, ADMIN)}
    env.restart()
    time.sleep(1.5)  # its first round of follow-ups has run
    assert {chat: len(env.reminders(chat)) for chat in (ALICE, BOB, ADMIN)} == before
    assert "sent 0 follow-ups" not in env.bot.output()


def test_an_expired_deep_link_offers_a_new_quote_the_owner_approves(env: Env) -> None:
    api = env.api
    token = env.expired[0]
    api.send_text(PROSPECT, f"/start q_{token}")
    assert "已过期" in env.last_text(PROSPECT)
    message_id, data = api.button(PROSPECT, token)
    assert data == f"rq:{token}"
    api.press(PROSPECT, message_id, data)
    assert "已请求新报价" in env.last_text(PROSPECT)
    request = api.wait_for_text(ALICE, "请求新报价")
    assert "过期卡盟" in request
    new_id = int(re.search(r"#(\d+)，是否", request).group(1))  # type: ignore[union-attr]
    api.press(PROSPECT, message_id, data)  # pressed again: asked once
    assert any(e.get("text") == "已经请求过了，请等待销售确认"
               for e in api.transcript(PROSPECT) if e["do"] == "answer")
    api.tap(ALICE, f"y:{new_id}")
    assert f"已把报价 #{new_id} 发给客户" in env.last_text(ALICE)
    shown = api.wait_for_text(PROSPECT, "您请求的新报价")
    assert "第 2 版" in shown
    [(new_token, parent, owner, version)] = sqlite_rows(
        env.db, "SELECT token, parent_id, sales_owner, version FROM quotes WHERE id = ?", new_id)
    assert owner == str(ALICE) and version == 2 and new_token
    assert parent == sqlite_rows(env.db, "SELECT id FROM quotes WHERE token = ?", token)[0][0]
    assert api.button(PROSPECT, f"acc:{new_token}")  # the prospect can accept it
    api.press(PROSPECT, message_id, data)  # the old button once more: the new version shown
    assert f"lk:acc:{new_token}" in str(api.last_screen(PROSPECT)["reply_markup"])
    assert sqlite_rows(env.db, "SELECT count(*) FROM renewals WHERE new_quote_id = ?",
                       new_id) == [(1,)]


def test_an_expired_page_offers_a_new_quote_too(env: Env) -> None:
    token = env.expired[1]
    status, page, headers = fetch(f"{env.web}/q/{token}")
    assert status == 410 and "请求新报价" in page and f'action="/q/{token}/renew"' in page
    assert "form-action 'self'" in headers["Content-Security-Policy"]
    assert "网页卡盟" not in page  # still reveals nothing of the quote
    status, page, _ = fetch(f"{env.web}/q/{token}/renew", post=True)
    assert status == 202 and "已通知您的销售" in page
    notice = env.api.wait_for_text(ALICE, "网页卡盟")
    assert "请求新报价" in notice
    status, page, _ = fetch(f"{env.web}/q/{token}/renew", post=True)
    assert status == 202 and "已经请求过了" in page
    new_id = int(re.search(r"#(\d+)，是否", notice).group(1))  # type: ignore[union-attr]
    env.api.tap(ALICE, f"y:{new_id}")
    assert "客户是在网页上请求的" in env.last_text(ALICE) and "/q/" in env.last_text(ALICE)
    assert fetch(f"{env.web}/q/not-a-token-at-all-xyz/renew", post=True)[0] == 404
    _, gone_page, _ = fetch(f"{env.web}/q/not-a-token-at-all-xyz")
    assert "renew" not in gone_page


def test_pipeline_shows_my_quotes_by_status_and_what_to_chase_first(env: Env) -> None:
    api, history = env.api, env.history
    api.send_text(ALICE, "/pipeline")
    text = env.last_text(ALICE)
    assert text.startswith("<b>我的报价</b>") and "已接受 1" in text
    chase, _, recent = text.partition("最近的报价")
    assert f"#{history.accepted}" in recent  # listed among the latest instead
    assert "今天要跟进" in chase and f"#{history.quiet}" in chase  # silent, not answered
    assert f"#{history.accepted}" not in chase  # marked ✅ 已联系 above
    assert f"#{history.unopened}" not in text  # Bob's
    message = api.last_screen(ALICE)
    first = message["reply_markup"]["inline_keyboard"][0][0]
    assert first["callback_data"] == f"pl:{history.quiet}"
    api.press(ALICE, message["message_id"], first["callback_data"])
    card = env.last_text(ALICE)
    assert f"报价 #{history.quiet}" in card and "已打开" in card and "start=q_" in card
    assert api.button(ALICE, f"q{history.quiet}")
    api.send_text(STRANGER, "/pipeline")
    assert "仅限销售/管理员" in env.last_text(STRANGER)
    menu = env.api.scoped_commands[("chat", ALICE, "")]
    assert "pipeline" in [command["command"] for command in menu]


def sqlite_rows(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return connection.execute(query, params).fetchall()


def fetch(url: str, *, post: bool = False) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, data=b"" if post else None,
                                     headers={"User-Agent": "Mozilla/5.0 (test)"},
                                     method="POST" if post else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_kameng_serve_offers_a_new_quote_on_an_expired_page_too(tmp_path: Path,
                                                                rates: Rates) -> None:
    db = tmp_path / "kameng.db"
    token = expired_quote(db, rates, "独立网页")
    port = free_port()
    process = subprocess.Popen([KAMENG, "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "SALES_IDS": str(ALICE),
                                    "RENEWAL_APPROVAL": "direct"})
    try:
        web = f"http://127.0.0.1:{port}"
        FakeTelegram.wait_until(lambda: _answers(f"{web}/healthz"), lambda: "serve never up",
                                timeout=30)
        status, page, _ = fetch(f"{web}/q/{token}")
        assert status == 410 and "请求新报价" in page
        status, page, _ = fetch(f"{web}/q/{token}/renew", post=True)  # redirected (direct)
        assert status == 200 and "独立网页" in page
        [(decision, channel)] = sqlite_rows(db, "SELECT decision, channel FROM renewals")
        assert (decision, channel) == ("direct", "web")
    finally:
        process.terminate()
        process.wait(10)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except OSError:
        return False
