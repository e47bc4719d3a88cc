"""Quote links end to end: a salesperson's /newquote, share links, the prospect opening
them in the bot and on the web, notifications, versions, acceptance, approval, revocation,
expiry, and the admins' /export and /stats — through the real `kameng bot` (both
front-ends) and the fake Bot API server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.procs import SALES_ID, BotEnv, bot_env
from tests.sales import make_sales_quote, token_of

pytestmark = pytest.mark.e2e

ADMIN_ID = 777
PROSPECT = 9001
OTHER = 9002


@pytest.fixture(scope="module", params=["aiogram", "ptb"])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[BotEnv]:
    with bot_env(request.param, tmp_path_factory.mktemp(f"links-{request.param}"), web=True,
                 extra_env={"ADMIN_IDS": str(ADMIN_ID), "DISCOUNT_LIMIT": "10",
                            # staff here type faster than any person
                            "KAMENG_FLOOD_LIMIT": "1000"}) as env:
        yield env


def test_the_whole_life_of_a_quote_link(env: BotEnv) -> None:
    api = env.api
    links = make_sales_quote(env, "星辰<b>卡盟</b>", "5")
    token = token_of(links)
    assert len(token) >= 22  # 128 bits, URL-safe
    assert f"https://t.me/kameng_test_bot?start=q_{token}" in links
    assert f"{env.web}/q/{token}" in links
    [(quote_id, owner, prospect, status)] = env.sql(
        "SELECT id, sales_owner, prospect, status FROM quotes WHERE token = ?", token)
    assert (owner, prospect, status) == (str(SALES_ID), "星辰<b>卡盟</b>", "sent")

    # The prospect opens the deep link: the quote, three buttons, the owner told once.
    api.send_text(PROSPECT, f"/start q_{token}")
    shown = env.last_text(PROSPECT)
    assert re.search(r"报价 Q-[0-9A-F]{8} · 第 1 版", shown) and f"#{quote_id}" not in shown
    assert "客户：星辰&lt;b&gt;卡盟&lt;/b&gt;" in shown
    assert "💰 按月固定：2,850–4,750 元/月" in shown  # the short quote first
    assert len(shown.split("\n")) <= 14  # header, blank line, ≤ 12 lines
    assert api.button(PROSPECT, f"lk:acc:{token}")
    # The card follows the quote (drawn in the card pool, it never holds the reply up).
    api.wait_until(lambda: len(api.photos(PROSPECT)) == 1, lambda: "no card", timeout=60)
    assert [e["do"] for e in api.transcript(PROSPECT)[-2:]] == ["send", "send_photo"]
    api.wait_for_text(SALES_ID, "打开了报价")  # (the salesperson's own card may come last)
    api.send_text(PROSPECT, f"/start q_{token}")  # a second open: no second notice
    assert sum("打开了报价" in text for text in api.texts(SALES_ID)) == 1
    api.tap(PROSPECT, f"lk:det:{token}")  # 📄 明细: the breakdown, the buttons again
    detail = "\n".join(api.texts(PROSPECT)[-2:])
    assert "销售折扣 5%" in detail and "月费合计：2,850–4,750 元" in detail
    assert api.button(PROSPECT, f"lk:acc:{token}")

    # The web page: same quote, views recorded.
    status_code, page, headers = env.get(f"/q/{token}")
    assert status_code == 200 and "2,850–4,750 元" in page
    assert "<b>卡盟</b>" not in page and "星辰&lt;b&gt;卡盟&lt;/b&gt;" in page
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["Referrer-Policy"] == "no-referrer"
    [(views,)] = env.sql("SELECT views FROM quotes WHERE id = ?", quote_id)
    assert views == 2  # the prospect's two opens in Telegram within the hour are one view

    # Adjusting from the link makes version 2, owned by the same salesperson.
    api.tap(PROSPECT, f"lk:adj:{token}")
    api.tap(PROSPECT, "e:response")
    api.tap(PROSPECT, "o:emergency")
    api.tap(PROSPECT, "ok")
    [(v2, version, parent, v2_owner, v2_token)] = env.sql(
        "SELECT id, version, parent_id, sales_owner, token FROM quotes WHERE parent_id = ?",
        quote_id)
    assert (version, parent, v2_owner) == (2, quote_id, str(SALES_ID)) and v2_token
    assert f"新版本 #{v2}（第 2 版）" in env.last_text(SALES_ID)

    # Accepting version 1 locks it; adjusting it afterwards is refused.
    message_id, data = next((m["message_id"], f"lk:acc:{token}")
                            for m in api.chats[PROSPECT].messages.values()
                            if f"lk:acc:{token}" in str(m.get("reply_markup")))
    api.press(PROSPECT, message_id, data)
    assert "已接受报价" in env.last_text(PROSPECT)
    assert "接受了报价" in env.last_text(SALES_ID)
    [(accepted_at, status)] = env.sql("SELECT accepted_at, status FROM quotes WHERE id = ?",
                                      quote_id)
    assert accepted_at and status == "accepted"
    api.press(PROSPECT, message_id, f"lk:adj:{token}")
    answers = [e["text"] for e in api.transcript(PROSPECT) if e["do"] == "answer"]
    assert answers[-1] == "已接受的报价不能修改"
    api.send_text(PROSPECT, f"/start q_{token}")
    assert "已于" in env.last_text(PROSPECT) and "不能再修改" in env.last_text(PROSPECT)

    # 联系销售 tells the owner who asks.
    api.tap(PROSPECT, f"lk:ask:{token}")
    assert "想联系您" in env.last_text(SALES_ID)

    # Revoking version 2: the page says 410, the deep link says withdrawn.
    api.send_text(SALES_ID, f"/revoke {v2}")
    assert f"已撤回报价 #{v2}" in env.last_text(SALES_ID)
    assert env.get(f"/q/{v2_token}")[0] == 410
    api.send_text(PROSPECT, f"/start q_{v2_token}")
    assert "已被撤回" in env.last_text(PROSPECT)


def test_an_expired_link_is_gone(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "过期测试", "0"))
    env.sql("UPDATE quotes SET expires_at = '2000-01-01T00:00:00+00:00' WHERE token = ?", token)
    status_code, page, _ = env.get(f"/q/{token}")
    assert status_code == 410 and "过期测试" not in page
    env.api.send_text(OTHER, f"/start q_{token}")
    assert "已过期" in env.last_text(OTHER)


def test_unknown_tokens_get_404_and_reveal_nothing(env: BotEnv) -> None:
    status_code, page, headers = env.get("/q/not-a-real-token-at-all-xyz")
    assert status_code == 404 and "报价不可用" in page
    assert headers["X-Content-Type-Options"] == "nosniff"
    env.api.send_text(OTHER, "/start q_nope")
    assert "链接无效" in env.last_text(OTHER)


def test_a_discount_above_the_limit_waits_for_an_admin(env: BotEnv) -> None:
    api = env.api
    waiting = make_sales_quote(env, "折扣客户", "20")
    assert "已提交管理员审批" in waiting and "start=q_" not in waiting
    request = env.last_text(ADMIN_ID)
    assert "待审批" in request and "折扣 20%（上限 10%）" in request
    quote_id = int(re.search(r"报价 #(\d+)", request).group(1))  # type: ignore[union-attr]
    # Someone who is not an admin cannot approve it.
    message_id, data = api.button(ADMIN_ID, f"ap:{quote_id}:y")
    api.press(OTHER, message_id, data, chat_id=ADMIN_ID)
    [(status,)] = env.sql("SELECT status FROM quotes WHERE id = ?", quote_id)
    assert status == "pending_approval"
    api.press(ADMIN_ID, message_id, data)
    links = env.last_text(SALES_ID)
    assert "管理员已批准" in links and "start=q_" in links


def test_staff_commands_are_refused_to_others(env: BotEnv) -> None:
    for command in ("/newquote", "/revoke 1", "/export", "/stats"):
        env.api.send_text(OTHER, command)
        assert "仅限销售/管理员" in env.last_text(OTHER)
    env.api.send_text(SALES_ID, "/export")
    assert "仅限销售/管理员" in env.last_text(SALES_ID)  # export is for admins


def test_admins_get_the_csv_and_the_stats(env: BotEnv) -> None:
    env.api.send_text(ADMIN_ID, "/export")
    [document] = [e for e in env.api.transcript(ADMIN_ID) if e["do"] == "send_document"]
    assert str(document["file"]["filename"]).endswith(".csv")  # type: ignore[index]
    assert int(document["file"]["size"]) > 100  # type: ignore[index]
    env.api.send_text(ADMIN_ID, "/stats")
    stats = env.last_text(ADMIN_ID)
    assert "报价统计" in stats and "已分享" in stats and "转化率" in stats


def test_a_web_open_notifies_the_owner(env: BotEnv) -> None:
    token = token_of(make_sales_quote(env, "网页客户", "0"))
    before = len(env.api.texts(SALES_ID))
    assert env.get(f"/q/{token}", agent="TelegramBot (like TwitterBot)")[0] == 200
    # The page answers only once its notice to the owner has gone out (bot/web.py awaits
    # it): no need to wait and see.
    assert len(env.api.texts(SALES_ID)) == before  # a link preview is not an open
    assert env.get(f"/q/{token}")[0] == 200
    env.api.wait_for_text(SALES_ID, "网页客户 打开了报价")


def test_a_prospects_question_on_a_link_is_answered_there_and_forwarded(env: BotEnv) -> None:
    api = env.api
    prospect = PROSPECT + 7
    token = token_of(make_sales_quote(env, "问问卡盟", "0"))
    api.send_text(prospect, f"/start q_{token}")
    said_to_sales = len(api.texts(SALES_ID))
    api.send_text(prospect, "按单的话一个月多少钱？")
    answer = env.last_text(prospect)
    assert "按单计费：约" in answer and "元/单" in answer  # this quote's own figures
    assert "已把您的问题转给负责这份报价的销售同事" in answer
    assert "第 1/12 步" not in answer  # not dropped into a new dialogue
    assert api.button(prospect, f"lk:acc:{token}")  # still on the quote, its buttons again
    new = api.texts(SALES_ID)[said_to_sales:]
    assert any("按单的话一个月多少钱？" in text and "问问卡盟" in text and "💰" in text
               for text in new)
    api.send_text(prospect, "好，就这个方案，怎么签？")
    assert "接受报价" in env.last_text(prospect)
    api.tap(prospect, f"lk:acc:{token}")
    assert "已接受" in "".join(api.texts(prospect)[-2:]) or "接受" in env.last_text(prospect)
