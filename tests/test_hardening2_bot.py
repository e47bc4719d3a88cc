"""Issue 24, `kameng bot` itself under a hostile probe (both front-ends, the fake Bot API):
update ids out of range, updates no handler takes, a refused webhook, a host that does not
resolve."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.procs import TOKEN, BotProcess, free_port

pytestmark = pytest.mark.e2e

SECRET = "s" * 20
POLL = {"id": "1", "question": "q", "options": [{"text": "a", "voter_count": 0}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False}


def post(port: int, body: bytes) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram/webhook", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": SECRET})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def webhook_env(port: int) -> dict[str, str]:
    return {"WEBHOOK_URL": "https://bot.example/telegram/webhook", "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(port)}


# --- item 19: update ids out of range, updates no handler takes --------------------------

@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_a_huge_update_id_is_400_and_an_update_nobody_handles_is_not_kept(
    tmp_path: Path, framework: str,
) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    port = free_port()
    db = tmp_path / "k.db"
    bot = BotProcess(framework, api, db, args=("--webhook",), extra_env=webhook_env(port))
    try:
        FakeTelegram.wait_until(lambda: bool(api.webhook), lambda: bot.output(), timeout=30)
        for update_id in (2**64, 2**63, -1, True):
            assert post(port, json.dumps({"update_id": update_id, "message": {}}).encode()
                        ) == 400
        assert post(port, json.dumps({"update_id": 90, "poll": POLL}).encode()) == 200
        assert post(port, json.dumps({"update_id": 91, "chat_boost": {"x": 1}}).encode()) == 200

        def settled() -> bool:
            with sqlite3.connect(db) as check:
                return check.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0
        FakeTelegram.wait_until(settled, lambda: bot.output(), timeout=15)
    finally:
        code = bot.stop()
        api.stop()
    assert code == 0
    assert "Traceback" not in bot.output(), bot.output()[-3000:]
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0
        handled = {row[0] for row in check.execute("SELECT update_id FROM processed_updates")}
    assert {90, 91} <= handled


# --- item 25: start-up failures that a restart cannot fix are one line and exit 2 --------

@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_a_refused_set_webhook_is_one_line_and_exit_2(tmp_path: Path, framework: str) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    api.inject("setWebhook", 400)
    bot = BotProcess(framework, api, tmp_path / "k.db", args=("--webhook",),
                     extra_env=webhook_env(free_port()))
    try:
        code = bot.wait_exit(30)
    finally:
        bot.kill()
        bot.stop()
        api.stop()
    output = bot.output()
    assert code == 2, output[-3000:]
    assert "Traceback" not in output
    assert "Telegram 拒绝了 webhook 地址 https://bot.example/telegram/webhook" in output


@pytest.mark.parametrize("host", ["WEB_HOST", "METRICS_HOST"])
def test_a_listening_host_that_does_not_resolve_is_one_line_and_exit_2(
    tmp_path: Path, host: str,
) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    env = {"PUBLIC_URL": "https://q.example", "WEB_PORT": str(free_port()),
           "METRICS_PORT": str(free_port()), host: "no-such-host.invalid"}
    bot = BotProcess("aiogram", api, tmp_path / "k.db", extra_env=env)
    try:
        code = bot.wait_exit(30)
    finally:
        bot.kill()
        bot.stop()
        api.stop()
    output = bot.output()
    assert code == 2, output[-3000:]
    assert "Traceback" not in output and "kameng: 无法监听" in output
