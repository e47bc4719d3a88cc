"""Issue 24, the life of a link under a hostile probe, through the real `kameng bot` (both
front-ends) against the fake Bot API: staff previews, versions after a revoke or an
acceptance, one accepted version per family, names shown to staff, counted views."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fake_telegram import FakeTelegram
from tests.procs import SALES_ID, TOKEN, BotEnv, BotProcess, free_port
from tests.sales import make_sales_quote, token_of

pytestmark = pytest.mark.e2e

ADMIN_ID = 777
PROSPECT = 9101
OTHER = 9102
SPOOFER = 9103  # a Telegram name with a right-to-left override
SPOOFED_NAME = "evil\u202egpj.exe"


@pytest.fixture(scope="module", params=["aiogram", "ptb"])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[BotEnv]:
    api = FakeTelegram(TOKEN)
    plain_user = api._user

    def user(user_id: int, language_code: str = "zh-hans") -> dict[str, Any]:
        found = plain_user(user_id, language_code)
        if user_id == SPOOFER:
            found = {**found, "first_name": SPOOFED_NAME}
            found.pop("username")
        return found

    api._user = user  # type: ignore[method-assign]
    api.start()
    port = free_port()
    web = f"http://127.0.0.1:{port}"
    db = tmp_path_factory.mktemp(f"links2-{request.param}") / "kameng.db"
    bot = BotProcess(request.param, api, db, extra_env={
        "ADMIN_IDS": str(ADMIN_ID), "PUBLIC_URL": web, "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port), "DISCOUNT_LIMIT": "10", "KAMENG_FLOOD_LIMIT": "1000"})
    try:
        bot.wait_polling()
        yield BotEnv(api, bot, db, web)
    finally:
        code = bot.stop()
        api.stop()
    assert code == 0, bot.output()[-3000:]
    assert "Traceback" not in bot.output(), bot.output()[-3000:]


def quote_of(env: BotEnv, token: str) -> int:
    [(quote_id,)] = env.sql("SELECT id FROM quotes WHERE token = ?", token)
    return int(quote_id)


def opened_notices(env: BotEnv, prospect: str) -> list[str]:
    return [text for text in env.api.texts(SALES_ID) if "打开了报价" in text and prospect in text]


def start_adjusting(env: BotEnv, user: int, token: str) -> None:
    """The prospect opens the link, presses 调整参数 and changes the response time, but
    has not confirmed yet."""
    env.api.send_text(user, f"/start q_{token}")
    env.api.tap(user, f"lk:adj:{token}")
    env.api.tap(user, "e:response")
    env.api.tap(user, "o:emergency")


def press_on_the_quote(env: BotEnv, user: int, data: str) -> None:
    """Press a button on the (older) message that carries it."""
    message_id = next(m["message_id"] for m in env.api.chats[user].messages.values()
                      if data in str(m.get("reply_markup")))
    env.api.press(user, message_id, data)


# --- item 9: staff previews are not the prospect's first open ---------------------------

def test_the_owner_and_staff_previewing_a_link_do_not_count_as_its_first_open(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "预览客户", "0"))
    quote_id = quote_of(env, token)
    for insider in (SALES_ID, ADMIN_ID):
        env.api.send_text(insider, f"/start q_{token}")
        assert any("预览" in text for text in env.api.texts(insider)[-3:])
    assert opened_notices(env, "预览客户") == []
    assert env.sql("SELECT opened_at, views, status FROM quotes WHERE id = ?",
                   quote_id) == [(None, 0, "sent")]
    env.api.send_text(PROSPECT, f"/start q_{token}")  # the real first open
    assert len(opened_notices(env, "预览客户")) == 1
    [(opened_at, views)] = env.sql("SELECT opened_at, views FROM quotes WHERE id = ?", quote_id)
    assert opened_at and views == 1


# --- item 16 (Telegram): one view per user per hour ---------------------------------------

def test_five_opens_by_one_user_count_one_view(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "五次打开", "0"))
    for _ in range(5):
        env.api.send_text(OTHER, f"/start q_{token}")
    assert env.sql("SELECT views FROM quotes WHERE token = ?", token) == [(1,)]


# --- item 10: a version is not saved after a revoke or an acceptance --------------------

def test_confirming_an_adjustment_after_the_link_was_revoked_saves_nothing(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "撤回后确认", "0"))
    quote_id = quote_of(env, token)
    start_adjusting(env, PROSPECT, token)
    env.api.send_text(SALES_ID, f"/revoke {quote_id}")
    env.api.tap(PROSPECT, "ok")
    assert "销售已撤回这份报价，调整后的新版本没有保存" in env.last_text(PROSPECT)
    assert env.sql("SELECT id FROM quotes WHERE parent_id = ?", quote_id) == []
    assert not any("新版本" in text and "撤回后确认" in text for text in env.api.texts(SALES_ID))


def test_confirming_an_adjustment_after_accepting_the_old_version_saves_nothing(
    env: BotEnv,
) -> None:
    token = token_of(make_sales_quote(env, "接受后确认", "0"))
    quote_id = quote_of(env, token)
    start_adjusting(env, PROSPECT, token)
    press_on_the_quote(env, PROSPECT, f"lk:acc:{token}")  # from the old message
    assert "已接受报价" in env.last_text(PROSPECT)
    env.api.tap(PROSPECT, "ok")
    assert "第 1 版已被接受，报价已锁定" in env.last_text(PROSPECT)
    assert env.sql("SELECT id FROM quotes WHERE parent_id = ?", quote_id) == []


# --- item 20: one family, one numbering, one accepted version ---------------------------

def test_two_prospects_adjusting_version_1_make_versions_2_and_3(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "两位客户", "0"))
    quote_id = quote_of(env, token)
    for user in (PROSPECT, OTHER):
        start_adjusting(env, user, token)
        env.api.tap(user, "ok")
    versions = env.sql("SELECT version FROM quotes WHERE parent_id = ? ORDER BY id", quote_id)
    assert versions == [(2,), (3,)]
    notices = [text for text in env.api.texts(SALES_ID) if "两位客户" in text and "新版本" in text]
    assert "第 2 版" in notices[-2] and "第 3 版" in notices[-1]


def test_accepting_one_version_locks_the_others(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "只接受一版", "0"))
    quote_id = quote_of(env, token)
    start_adjusting(env, PROSPECT, token)
    env.api.tap(PROSPECT, "ok")
    [(v2, v2_token)] = env.sql("SELECT id, token FROM quotes WHERE parent_id = ?", quote_id)
    press_on_the_quote(env, PROSPECT, f"lk:acc:{token}")  # version 1 accepted
    env.api.send_text(OTHER, f"/start q_{v2_token}")
    env.api.tap(OTHER, f"lk:acc:{v2_token}")
    answers = [e["text"] for e in env.api.transcript(OTHER) if e["do"] == "answer"]
    assert answers[-1] == "这份报价的第 1 版已被接受，其他版本不能再接受"
    assert env.sql("SELECT accepted_at FROM quotes WHERE id = ?", v2) == [(None,)]
    accepted = env.sql("SELECT count(*) FROM quotes WHERE accepted_at IS NOT NULL AND id IN "
                       "(?, ?)", quote_id, v2)
    assert accepted == [(1,)]


# --- item 21: names shown to staff carry no bidi controls -------------------------------

def test_a_right_to_left_override_in_a_name_never_reaches_staff(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "反转名字", "0"))
    env.api.send_text(SPOOFER, f"/start q_{token}")
    env.api.tap(SPOOFER, f"lk:ask:{token}")
    told = [text for text in env.api.texts(SALES_ID) if "反转名字" in text]
    assert any("打开了报价" in text for text in told) and any("想联系您" in text for text in told)
    assert all("\u202e" not in text for text in told)
    assert any("evilgpj.exe" in text for text in told)
    assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "".join(told))
