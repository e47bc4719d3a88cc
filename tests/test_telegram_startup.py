"""`kameng bot` start-up errors, and webhook mode with its secret, for both front-ends."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.procs import KAMENG, START_TIMEOUT, TOKEN, BotProcess, free_port

pytestmark = pytest.mark.e2e

FRAMEWORKS = ("aiogram", "ptb")
SECRET = "webhook-secret-for-tests"


def run_bot(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return subprocess.run([KAMENG, "bot", *args], env={**clean, **env}, capture_output=True,
                          text=True, timeout=90, check=False, cwd=tmp_path)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    ("token", "message"),
    [("", "TELEGRAM_BOT_TOKEN 未设置"), ("not-a-token", "TELEGRAM_BOT_TOKEN 格式不对")],
    ids=["missing", "malformed"],
)
def test_a_missing_or_malformed_token_is_one_line_and_exit_2(
    tmp_path: Path, framework: str, token: str, message: str
) -> None:
    result = run_bot({"TELEGRAM_BOT_TOKEN": token, "KAMENG_FRAMEWORK": framework}, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_token_telegram_rejects_is_one_line_and_exit_2(tmp_path: Path, framework: str) -> None:
    api = FakeTelegram("111:ThisIsADifferentTokenThanTheBotUses_xyz")
    api.start()
    try:
        result = run_bot({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api.base_url,
                          "KAMENG_FRAMEWORK": framework, "KAMENG_DB": str(tmp_path / "k.db")},
                         tmp_path)
    finally:
        api.stop()
    assert result.returncode == 2, result.stderr
    assert "Telegram 拒绝了这个 token" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_an_unreachable_api_is_one_line_and_exit_2(tmp_path: Path, framework: str) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    result = run_bot({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base,
                      "KAMENG_FRAMEWORK": framework, "KAMENG_DB": str(tmp_path / "k.db")},
                     tmp_path)
    assert result.returncode == 2
    assert f"无法连接 Telegram Bot API：{base}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert TOKEN not in result.stderr + result.stdout


def test_webhook_mode_needs_a_secret(tmp_path: Path) -> None:
    result = run_bot({"TELEGRAM_BOT_TOKEN": TOKEN, "KAMENG_DB": str(tmp_path / "k.db")},
                     tmp_path, "--webhook")
    assert result.returncode == 2 and "WEBHOOK_SECRET" in result.stderr


class Webhook:
    def __init__(self, api: FakeTelegram, bot: BotProcess, url: str) -> None:
        self.api, self.bot, self.url = api, bot, url

    def post(self, update: dict[str, object], secret: str | None) -> int:
        request = urllib.request.Request(self.url, data=json.dumps(update).encode(),
                                         headers={"Content-Type": "application/json"})
        if secret is not None:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


@pytest.fixture(scope="module", params=FRAMEWORKS)
def webhook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Webhook]:
    """One bot in webhook mode per front-end for the tests below (each uses its own users
    and update ids)."""
    api = FakeTelegram(TOKEN)
    api.start()
    port = free_port()
    db = tmp_path_factory.mktemp(f"webhook-{request.param}") / "k.db"
    bot = BotProcess(request.param, api, db, args=("--webhook",), extra_env={
        "WEBHOOK_URL": "https://bot.example/telegram/webhook", "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port)})
    try:
        FakeTelegram.wait_until(lambda: bool(api.webhook), bot.output, timeout=START_TIMEOUT)
        yield Webhook(api, bot, f"http://127.0.0.1:{port}/telegram/webhook")
        code = bot.stop()
        assert code == 0, bot.output()[-2000:]
        assert TOKEN not in bot.output()
    finally:
        bot.kill()
        api.stop()


def update(update_id: int, user: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "Wu", "username": "wu"}}}


def test_webhook_is_registered_with_its_secret(webhook: Webhook) -> None:
    assert webhook.api.webhook["url"] == "https://bot.example/telegram/webhook"
    assert webhook.api.webhook["secret_token"] == SECRET


@pytest.mark.parametrize(("secret", "user"), [(None, 42), ("wrong", 142)],
                         ids=["missing", "wrong"])
def test_webhook_rejects_a_missing_or_wrong_secret_and_does_nothing(
    webhook: Webhook, secret: str | None, user: int
) -> None:
    assert webhook.post(update(user, user, "/start"), secret) in (401, 403)
    # The same user's next, signed, update is answered; the refused one never was (a
    # user's updates are handled in turn, so its answer would have come first).
    assert webhook.post(update(user + 1, user, "/help"), SECRET) == 200
    webhook.api.wait_for_text(user, "/quote 开始新的报价")
    assert not any("第 1/12 步" in text for text in webhook.api.texts(user))


def test_webhook_processes_a_signed_update_once_even_if_redelivered(webhook: Webhook) -> None:
    assert webhook.post(update(7, 43, "/start"), SECRET) == 200
    webhook.api.wait_for_text(43, "第 1/12 步")
    assert webhook.post(update(7, 43, "/start"), SECRET) == 200  # redelivery
    assert webhook.post(update(8, 43, "300"), SECRET) == 200
    webhook.api.wait_for_text(43, "第 2/12 步")
    # A user's updates are handled in turn: an answer to the redelivery would be here by now.
    assert sum("第 1/12 步" in text for text in webhook.api.texts(43)) == 1


def post_raw(url: str, body: bytes, secret: bytes) -> int:
    """A POST with the secret header as raw bytes (urllib would refuse non-ASCII)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("POST", parts.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.putheader("X-Telegram-Bot-Api-Secret-Token", secret)
        connection.endheaders(body)
        return connection.getresponse().status
    finally:
        connection.close()


def test_webhook_answers_401_to_a_secret_header_that_is_not_utf8(webhook: Webhook) -> None:
    body = json.dumps(update(20, 44, "/start")).encode()
    assert post_raw(webhook.url, body, b"\xff\xfe" + SECRET.encode()) == 401
    assert post_raw(webhook.url, body, "密钥".encode("gb18030")) == 401
    assert webhook.post(update(21, 44, "/start"), SECRET) == 200  # and still serves
    webhook.api.wait_for_text(44, "第 1/12 步")
    assert "Traceback" not in webhook.bot.output()


@pytest.mark.parametrize(("depth", "user"), [(100, 45), (100_000, 46)], ids=["100", "100000"])
def test_webhook_answers_400_to_deeply_nested_json(webhook: Webhook, depth: int,
                                                   user: int) -> None:
    nested = "[" * depth + "]" * depth
    body = ('{"update_id": ' + str(user * 10) + ', "message": ' + nested + "}").encode()
    assert post_raw(webhook.url, body, SECRET.encode()) == 400
    assert webhook.post(update(user * 10 + 1, user, "/start"), SECRET) == 200
    webhook.api.wait_for_text(user, "第 1/12 步")
    assert "Traceback" not in webhook.bot.output()
