"""保存报价 in the Mini App, end to end with the real `kameng bot` (aiogram and PTB) against
the fake Bot API: the menu button, the 🎚 button under the quote, a save through the API
that makes the quote's next version and puts it in the chat, where the dialogue goes on."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.storage.store import Store
from tests.fake_telegram import FakeTelegram
from tests.procs import KAMENG, TOKEN, BotProcess, free_port
from tests.webapp_signing import init_data

pytestmark = pytest.mark.e2e

PUBLIC_URL = "https://quotes.example.test"
USER = 4242


def post(port: int, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def web_app_buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button["web_app"]["url"]) for row in rows for button in row
            if "web_app" in button]


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_saving_in_the_mini_app_makes_a_version_and_the_chat_goes_on(
    tmp_path: Path, framework: str
) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    port = free_port()
    db = tmp_path / "kameng.db"
    bot = BotProcess(framework, api, db, extra_env={
        "PUBLIC_URL": PUBLIC_URL, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)})
    try:
        bot.wait_polling()
        menu, = api.calls_of("setChatMenuButton")
        assert menu.params["menu_button"] == {
            "type": "web_app", "text": "调整报价", "web_app": {"url": f"{PUBLIC_URL}/app"}}

        api.send_text(USER, "/start")
        api.send_text(USER, "日均300单，游戏点卡，要10分钟响应")
        api.tap(USER, "qq")  # 先看报价: version 1 on the table
        api.wait_settled(USER)  # and its card
        first = api.last_screen(USER)
        old_detail = next(button["callback_data"] for row in first["reply_markup"][
            "inline_keyboard"] for button in row if button.get("callback_data", "").endswith(
                ":detail"))
        assert web_app_buttons(first) == [("🎚 在小程序里调整", f"{PUBLIC_URL}/app")]
        said_before = len(api.transcript(USER))

        status, saved = post(port, "/app/api/save", {
            "init_data": init_data(TOKEN, user_id=USER),
            "inquiry": {"orders": 800, "kinds": ["game", "software"], "response": "fast",
                        "tooling": "own", "categories": 4},
            "estimated": ["scope", "billing"]})
        assert status == 200, saved
        assert saved["version"] == 2

        api.wait_settled(USER)
        new = api.transcript(USER)[said_before:]
        sent = [event for event in new if event["do"] == "send"]
        assert sent and "800" in sent[-1]["text"], new
        assert "🎚 已按小程序里的调整保存为第 2 版。" in sent[-1]["text"]
        screen = api.last_screen(USER)
        assert screen["message_id"] != first["message_id"]
        assert web_app_buttons(screen), "the 🎚 button is under the new quote too"

        # The chat goes on from the saved quote: its buttons are live, the old ones stale.
        api.tap(USER, "detail")  # 📄 明细 of the saved version
        assert "800" in api.last_screen(USER)["text"]
        api.press(USER, first["message_id"], old_detail)
        stale = [event for event in api.transcript(USER) if event["do"] == "answer"][-1]
        assert stale["text"].startswith("此按钮已过期")
    finally:
        code = bot.stop()
        api.stop()
    assert code == 0, bot.output()
    assert "Traceback" not in bot.output()

    store = Store(db)
    try:
        quotes = store.quotes(channel="telegram", user_id=str(USER))
        assert len(quotes) == 2
        latest = store.record(quotes[0].id)
        assert latest is not None and latest.version == 2
        assert latest.parent_id == quotes[1].id
        answers = latest.answers()
        assert answers["orders"] == 800 and answers["tooling"] == "own"
        assert "scope" not in answers  # left as an estimate, as the page marked it
        assert latest.quote().inquiry.daily_orders == 800
    finally:
        store.close()


def test_kameng_serve_with_a_token_serves_the_mini_app_and_saves_to_the_chat(
    tmp_path: Path
) -> None:
    """Without the bot running, `kameng serve` still checks initData with the token and
    sends the saved quote to the merchant's chat through the Bot API."""
    import os
    import subprocess
    import time


    api = FakeTelegram(TOKEN)
    api.start()
    port = free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api.base_url,
           "KAMENG_DB": str(tmp_path / "kameng.db"), "PUBLIC_URL": PUBLIC_URL}
    subprocess.run([KAMENG, "chat"], input="", env=env, cwd=tmp_path, capture_output=True,
                   timeout=60, check=False)  # makes the database
    server = subprocess.Popen([KAMENG, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        status, saved = 0, {}
        while time.monotonic() < deadline:
            try:
                status, saved = post(port, "/app/api/save", {
                    "init_data": init_data(TOKEN, user_id=USER),
                    "inquiry": {"orders": 500, "kinds": ["topup"], "response": "fast"}})
                break
            except OSError:  # not listening yet
                time.sleep(0.2)
        assert status == 200, saved
        assert saved["version"] == 1
        api.wait_for_text(USER, "500")
        assert web_app_buttons(api.last_screen(USER)) == [
            ("🎚 在小程序里调整", f"{PUBLIC_URL}/app")]
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
        api.stop()
    assert "Traceback" not in output
