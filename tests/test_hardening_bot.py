"""The real `kameng bot` (both front-ends) against the strict fake Bot API, probed as an
attacker would: forged callback data and command arguments, markup in a prospect's name,
a share button pressed again and again, and user text that must never reach the log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.store import Store
from pricing import Inquiry, Rates, quote
from tests.cli_helpers import PAGE, damage
from tests.fake_telegram import FakeTelegram, html_error
from tests.procs import SALES_ID, TOKEN, BotEnv, BotProcess, bot_env
from tests.sales import SALES_SCRIPT, make_sales_quote, token_of

ADMIN_ID = 777
ADMIN_2 = 778
OTHER = 9102
SECRET_TEXT = "秘密-文本-7Q2Z-客户很关心价格"
APOLOGY = "出了点问题"


@pytest.fixture(scope="module", params=["aiogram", "ptb"])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[BotEnv]:
    with bot_env(request.param, tmp_path_factory.mktemp(f"hardening-{request.param}"),
                 web=True, extra_env={"ADMIN_IDS": f"{ADMIN_ID},{ADMIN_2}",
                                      "DISCOUNT_LIMIT": "10",
                                      "KAMENG_FLOOD_LIMIT": "1000"}) as env:
        yield env
        output = env.bot.output()
    assert env.api.rejected == [], env.api.rejected
    assert "Traceback" not in output, output[-3000:]


def test_the_fake_bot_api_parses_html_like_telegram() -> None:
    for good in ("<b>报价</b> &amp; &lt;i&gt; &#128512; a > b", '<a href="https://t.me/x">x</a>',
                 '<span class="tg-spoiler">s</span>', "<blockquote expandable>q</blockquote>"):
        assert html_error(good) is None, good
    for bad in ("当前答案：<b>bold & <i>co", "<b>open", "a < b", "<i>x</b>", "</b>", "&nbsp;",
                "<script>x</script>", "<span>x</span>", "AT&T"):
        assert html_error(bad), bad


@pytest.mark.e2e
def test_markup_in_a_prospect_name_is_escaped_on_every_screen(env: BotEnv) -> None:
    api = env.api
    name = "<b>bold & <i>co"
    api.send_text(SALES_ID, "/newquote")
    api.send_text(SALES_ID, name)
    for text in SALES_SCRIPT:
        api.send_text(SALES_ID, text)
    api.send_text(SALES_ID, "0")
    api.tap(SALES_ID, "e:prospect")
    screen = env.last_text(SALES_ID)
    assert "&lt;b&gt;bold &amp; &lt;i&gt;co" in screen, screen
    assert api.rejected == [] and not any(APOLOGY in text for text in api.texts(SALES_ID))
    api.send_text(SALES_ID, name)  # the same name again: on to the summary, still escaped
    api.tap(SALES_ID, "ok")
    api.tap(SALES_ID, "share")
    token = token_of(env.last_text(SALES_ID))
    api.send_text(OTHER, f"/start q_{token}")
    assert "&lt;b&gt;bold &amp; &lt;i&gt;co" in env.last_text(OTHER)
    assert api.rejected == []


FORGED = ["", ":", "lk:", "lk:acc", "lk:acc:", "lk:zzz:token", "lk:adj:no-such-token",
          "lk:ask:" + "x" * 60, "ap:", "ap:1", "ap:1:", "ap:1:x", "ap:" + "9" * 24 + ":y",
          "ap:-1:y", "ap:²:y", "ap:abc:n", "ap::y", "lang:", "lang:xx", "lang:" + "z" * 59,
          "0:", "99999999999999999999999:ok", "-1:ok", "1:" + "é" * 20, "\x00", "x" * 64]


@pytest.mark.e2e
@pytest.mark.parametrize("user", [ADMIN_ID, OTHER], ids=["admin", "prospect"])
def test_forged_callback_data_is_answered_as_expired(env: BotEnv, user: int) -> None:
    api = env.api
    api.send_text(user, "/start")
    for data in FORGED:
        before = len(env.answers(user))
        api.press(user, 1, data)
        answers = env.answers(user)
        assert len(answers) == before + 1, (data, api.transcript(user)[-3:])
        if data.startswith(("lk:", "lang:")) or (data.startswith("ap:") and user == ADMIN_ID):
            assert answers[-1].startswith("此按钮已过期") or "链接无效" in answers[-1], (
                data, answers[-1])
    assert not any(APOLOGY in text for text in api.texts(user))


COMMANDS = ["/revoke", "/revoke 99999999999999999999999999", "/revoke -1", "/revoke abc",
            "/revoke ²", "/revoke #", "/revoke 1 2", "/revoke 0", "/start q_",
            "/start q_" + "x" * 100, "/start q_\u202e", "/start zzz", "/lang xx", "/lang",
            "/lang " + "x" * 1000, "/history 99999999999999999999", "/quote extra",
            "/help x", "/cancel x", "/newquote x", "/export x", "/stats x", "/nonexistent a",
            "/start@other_bot q_x", "/"]


@pytest.mark.e2e
def test_malformed_command_arguments_get_a_usage_line_not_an_apology(env: BotEnv) -> None:
    api = env.api
    for command in COMMANDS:
        before = len(api.transcript(ADMIN_ID))
        api.send_text(ADMIN_ID, command)
        said = [str(event.get("text", event.get("caption")))
                for event in api.transcript(ADMIN_ID)[before:]]
        assert said, command
        assert not any(APOLOGY in text for text in said), (command, said)
    api.send_text(ADMIN_ID, "/revoke 99999999999999999999999999")
    assert "用法：/revoke" in env.last_text(ADMIN_ID)


@pytest.mark.e2e
def test_one_approval_request_per_quote_version_however_often_share_is_pressed(
        env: BotEnv) -> None:
    api = env.api
    requests_before = {admin: sum("待审批" in text for text in api.texts(admin))
                       for admin in (ADMIN_ID, ADMIN_2)}
    make_sales_quote(env, "折扣五连按", "20")
    assert "已提交管理员审批" in env.last_text(SALES_ID)
    for _ in range(4):
        message_id = api.last_screen(SALES_ID)["message_id"]
        api.press(SALES_ID, message_id, api.button(SALES_ID, "share")[1])
        assert env.answers(SALES_ID)[-1].startswith("此按钮已过期")
    for admin in (ADMIN_ID, ADMIN_2):
        requests = sum("待审批" in text for text in api.texts(admin))
        assert requests == requests_before[admin] + 1, api.texts(admin)[-5:]
    # Once approved, the salesperson has the links; a further press gives them again.
    quote_id = int(re.findall(r"报价 #(\d+)", env.last_text(ADMIN_ID))[-1])
    api.tap(ADMIN_ID, f"ap:{quote_id}:y")
    assert "管理员已批准" in api.wait_for_text(SALES_ID, "管理员已批准")
    [(status,)] = env.sql("SELECT status FROM quotes WHERE id = ?", quote_id)
    assert status == "approved"


@pytest.mark.e2e
def test_what_users_type_never_reaches_the_log_at_debug(env: BotEnv) -> None:
    api = env.api
    api.send_text(OTHER, "/start")
    api.send_text(OTHER, SECRET_TEXT)
    make_sales_quote(env, SECRET_TEXT + "客户", "0")
    token = token_of(env.last_text(SALES_ID))
    api.send_text(OTHER, f"/start q_{token}")
    api.tap(OTHER, f"lk:ask:{token}")
    log = env.bot.output()
    assert "DEBUG" in log  # the bot runs at DEBUG here
    assert SECRET_TEXT not in log and "7Q2Z" not in log
    assert token not in log  # a link token is a password to the quote


@pytest.mark.e2e
def test_a_prospect_name_is_kept_as_written_and_an_overlong_one_refused(env: BotEnv) -> None:
    api = env.api
    api.send_text(SALES_ID, "/newquote")
    api.send_text(SALES_ID, "x" * 4096)
    assert "最多 80 个字" in env.last_text(SALES_ID)
    name = "Star CARD 星辰卡盟 ＡＢＣ Café"
    api.send_text(SALES_ID, name)
    for text in SALES_SCRIPT:
        api.send_text(SALES_ID, text)
    api.send_text(SALES_ID, "0")
    api.tap(SALES_ID, "ok")
    [(prospect,)] = env.sql("SELECT prospect FROM quotes ORDER BY id DESC LIMIT 1")
    assert prospect == name


@pytest.mark.e2e
@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_a_damaged_database_is_logged_and_users_get_an_apology_not_silence(
        framework: str, tmp_path: Path, rates: Rates) -> None:
    db = tmp_path / "kameng.db"
    store = Store(db)
    for index in range(30):
        store.save_quote(channel="telegram", user_id="555", dialog_id=f"d{index}",
                         confirmation=1, quote=quote(Inquiry(daily_orders=100 + index), rates),
                         locale="zh_CN")
    store.close()
    before = damage(db).read_bytes()
    api = FakeTelegram(TOKEN)
    api.start()
    bot = BotProcess(framework, api, db)
    try:
        bot.wait_polling()
        for text in ("/start", "300"):
            api.send_text(OTHER, text)
            reply = env_last(api, OTHER)
            assert "稍后再试" in reply and "参考编号" in reply, reply
    finally:
        code = bot.stop()
        api.stop()
    log = bot.output()
    assert code == 0 and "Traceback" not in log, log[-3000:]
    assert "database disk image is malformed" in log and str(db) in log
    assert db.read_bytes()[PAGE:] == before[PAGE:]  # nothing written into the damage


def env_last(api: FakeTelegram, chat: int) -> str:
    return str(api.transcript(chat)[-1].get("text", ""))
