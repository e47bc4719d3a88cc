"""/metrics and /healthz on every server the project runs, and the staff command menus,
through the real `kameng bot` / `kameng serve` processes and the fake Bot API."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.services.staff import SALES_COMMANDS
from bot.tg.base import COMMANDS, STAFF_COMMANDS
from tests.cli_helpers import make_quotes
from tests.fake_telegram import FakeTelegram
from tests.procs import (
    KAMENG,
    SALES_ID,
    START_TIMEOUT,
    TOKEN,
    BotProcess,
    bot_env,
    free_port,
    http_get,
)

ADMIN_ID = 777


def sample(text: str, name: str, labels: str = "") -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    pattern = re.escape(name) + (re.escape("{" + labels + "}") if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


class Polling:
    def __init__(self, api: FakeTelegram, bot: BotProcess, base: str) -> None:
        self.api, self.bot, self.base = api, bot, base


@pytest.fixture(scope="module", params=("aiogram", "ptb"))
def polling(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Polling]:
    port = free_port()
    with bot_env(request.param, tmp_path_factory.mktemp(request.param), extra_env={
            "METRICS_PORT": str(port), "ADMIN_IDS": str(ADMIN_ID)}) as env:
        yield Polling(env.api, env.bot, f"http://127.0.0.1:{port}")


@pytest.mark.e2e
def test_polling_mode_serves_healthz_when_metrics_port_is_set(polling: Polling) -> None:
    status, body, _ = http_get(f"{polling.base}/healthz")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert health["mode"] == "polling" and health["framework"] == polling.bot.framework


@pytest.mark.e2e
def test_metrics_count_updates_replies_latency_and_429_waits(polling: Polling) -> None:
    user = 8001
    polling.api.inject("sendMessage", 429, retry_after=1)
    polling.api.send_text(user, "/start")
    polling.api.wait_for_text(user, "第 1/12 步")
    polling.api.send_text(user, "300")
    polling.api.wait_for_text(user, "第 2/12 步")
    status, text, headers = http_get(f"{polling.base}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert sample(text, "kameng_updates_total", 'kind="command"') >= 1
    assert sample(text, "kameng_updates_total", 'kind="message"') >= 1
    assert sample(text, "kameng_replies_total", 'method="send"') >= 2
    assert sample(text, "kameng_bot_api_429_waits_total") >= 1
    assert sample(text, "kameng_bot_api_429_wait_seconds_total") >= 1
    assert sample(text, "kameng_reply_latency_seconds_count") >= 2
    assert "kameng_reply_latency_seconds_bucket{le=" in text
    assert "kameng_quotes_total 0.0" in text and "kameng_handoffs_total" in text
    assert "process_resident_memory_bytes" in text
    build = rf'^kameng_build_info\{{.*framework="{polling.bot.framework}".*\}} 1\.0$'
    assert re.search(build, text, re.MULTILINE)
    assert TOKEN not in text


@pytest.mark.e2e
def test_staff_get_their_commands_in_their_menu_in_both_languages(polling: Polling) -> None:
    scoped = polling.api.scoped_commands
    for chat_id, extra in ((SALES_ID, SALES_COMMANDS), (ADMIN_ID, STAFF_COMMANDS)):
        for language in ("", "zh", "en"):
            menu = scoped[("chat", chat_id, language)]
            assert [c["command"] for c in menu] == [*COMMANDS, *extra]
    zh = {c["command"]: c["description"] for c in scoped[("chat", ADMIN_ID, "zh")]}
    en = {c["command"]: c["description"] for c in scoped[("chat", ADMIN_ID, "en")]}
    assert zh["stats"] != en["stats"] and zh["newquote"] != en["newquote"]
    # Everybody else keeps the public menu, without staff commands.
    assert [c["command"] for c in polling.api.commands[""]] == list(COMMANDS)


@pytest.mark.e2e
def test_a_chat_no_longer_staff_loses_its_menu_and_a_refused_chat_is_not_fatal(
    tmp_path: Path,
) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    db = tmp_path / "kameng.db"
    bots: list[BotProcess] = []
    try:
        first = BotProcess("aiogram", api, db, extra_env={"SALES_IDS": f"{SALES_ID} 556"})
        bots.append(first)
        first.wait_polling()
        assert first.stop() == 0
        assert ("chat", 556, "en") in api.scoped_commands
        api.polling.clear()
        api.unknown_chats.add(557)  # never opened the bot: Telegram says "chat not found"
        second = BotProcess("aiogram", api, db, extra_env={"SALES_IDS": f"{SALES_ID} 557"})
        bots.append(second)
        second.wait_polling()
        output = second.output()
        assert second.stop() == 0
    finally:
        for bot in bots:
            bot.kill()
        api.stop()
    assert ("chat", 556, "en") not in api.scoped_commands
    assert ("chat", SALES_ID, "en") in api.scoped_commands
    assert ("chat", 557, "en") not in api.scoped_commands
    assert "could not set the staff menu of chat" in output and "Traceback" not in output


@pytest.mark.e2e
def test_a_metrics_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = BotProcess("aiogram", api, tmp_path / "k.db", extra_env={
            "METRICS_PORT": str(port), "LOG_LEVEL": "WARNING"})
        try:
            code = bot.wait_exit()
        finally:
            bot.stop()
            api.stop()
    assert code == 2
    lines = [line for line in bot.output().splitlines() if line.startswith("kameng:")]
    assert lines and "无法监听端口" in lines[0] and "METRICS_PORT" in lines[0]
    assert "Traceback" not in bot.output()


@pytest.mark.e2e
def test_kameng_serve_has_metrics_from_the_database_beside_healthz(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 3)
    port = free_port()
    process = subprocess.Popen([KAMENG, "serve", "--db", "k.db", "--port", str(port)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        process.stdout.readline()  # "报价网页已启动…": listening
        status, text, headers = http_get(f"http://127.0.0.1:{port}/metrics")
        health_status, health, _ = http_get(f"http://127.0.0.1:{port}/healthz")
    finally:
        process.terminate()
        process.communicate(timeout=30)  # and close its pipes
    assert status == 200 and sample(text, "kameng_quotes_total") == 3.0
    assert sample(text, "kameng_quotes_accepted_total") == 0.0
    assert sample(text, "kameng_database_schema_version") >= 3
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert health_status == 200 and json.loads(health)["status"] == "ok"


@pytest.mark.e2e
def test_the_webhook_server_serves_metrics_too(tmp_path: Path) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    port = free_port()
    bot = BotProcess("aiogram", api, tmp_path / "k.db", args=("--webhook",), extra_env={
        "WEBHOOK_URL": "https://bot.example/telegram/webhook", "WEBHOOK_SECRET": "s" * 20,
        "WEBHOOK_PORT": str(port)})
    try:
        FakeTelegram.wait_until(lambda: bool(api.webhook), bot.output, timeout=START_TIMEOUT)
        status, text, _ = http_get(f"http://127.0.0.1:{port}/metrics")
        health_status, _, _ = http_get(f"http://127.0.0.1:{port}/healthz")
    finally:
        code = bot.stop()
        api.stop()
    assert code == 0
    assert status == 200 and "# TYPE kameng_updates_total counter" in text
    assert "kameng_quotes_total 0.0" in text
    assert health_status == 200


def test_every_metric_is_documented_in_the_deployment_guide() -> None:
    from bot import metrics

    guide = (Path(__file__).parents[1] / "docs" / "deploy.md").read_text(encoding="utf-8")
    names = [value._name for value in vars(metrics).values()  # type: ignore[attr-defined]
             if hasattr(value, "_name") and hasattr(value, "_type")]
    assert names
    for name in names:
        assert name in guide, name
    source = (Path(__file__).parents[1] / "bot" / "metrics.py").read_text(encoding="utf-8")
    for name in re.findall(r'\("(kameng_\w+)", "', source):
        assert name in guide, name
