"""The Mini App configurator's server side: initData validation, the JSON API's answers and
refusals, and the page's own assets and headers."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.miniapp import InitDataError, MiniApp, RateLimit, check_init_data
from bot.services.configurator import HAS_HOURS, Saved, SaveRequest, app_url
from bot.storage.store import Store
from bot.web import quote_web_app
from dialogs.engine import Engine
from locales.formatting import format_money_range
from locales.i18n import translator
from pricing import Range
from tests.procs import KAMENG, TOKEN
from tests.webapp_signing import init_data, sign

DAY = 86_400


# --- initData, against vectors signed independently (tests/webapp_signing.py) -------------

def test_a_freshly_signed_init_data_names_its_user() -> None:
    data = check_init_data(init_data(TOKEN, user_id=77, language_code="en"), TOKEN,
                           max_age=DAY)
    assert data.user is not None and data.user.id == 77 and data.user.language_code == "en"


def test_the_same_init_data_is_accepted_again_within_the_window() -> None:
    """The page sends its one initData with every request: a replay inside the window is
    how it works, not an attack."""
    signed = init_data(TOKEN, auth_date=time.time() - 3600)
    for _ in range(3):
        assert check_init_data(signed, TOKEN, max_age=DAY).user is not None


def test_a_changed_field_breaks_the_signature() -> None:
    fields = dict(parse_qsl(init_data(TOKEN, user_id=77)))
    fields["user"] = fields["user"].replace('"id":77', '"id":78')  # someone else's quotes
    with pytest.raises(InitDataError) as error:
        check_init_data(urlencode(fields), TOKEN, max_age=DAY)
    assert error.value.reason == "forged"


def test_a_field_added_after_signing_breaks_the_signature() -> None:
    forged = init_data(TOKEN) + "&start_param=admin"
    with pytest.raises(InitDataError, match="forged"):
        check_init_data(forged, TOKEN, max_age=DAY)


def test_init_data_signed_with_another_bots_token_is_refused() -> None:
    other = "987654321:AAAnotherBotsTokenNotOurs_abcdefghijklmn"
    with pytest.raises(InitDataError, match="forged"):
        check_init_data(init_data(other), TOKEN, max_age=DAY)


def test_init_data_older_than_the_setting_is_refused_and_younger_accepted() -> None:
    old = init_data(TOKEN, auth_date=time.time() - DAY - 60)
    with pytest.raises(InitDataError, match="expired"):
        check_init_data(old, TOKEN, max_age=DAY)
    assert check_init_data(old, TOKEN, max_age=2 * DAY).user is not None  # the setting rules


def test_a_signature_over_a_stale_auth_date_cannot_be_refreshed() -> None:
    fields = dict(parse_qsl(init_data(TOKEN, auth_date=time.time() - 2 * DAY)))
    fields["auth_date"] = str(int(time.time()))  # bumped, hash kept
    with pytest.raises(InitDataError, match="forged"):
        check_init_data(urlencode(fields), TOKEN, max_age=DAY)


@pytest.mark.parametrize("given", [None, "", 42, ["x"], "user=%7B%7D", "hash=abc",
                                   "a=1&hash=" + "é" * 64, "%%%&&&", "x" * 20_000],
                         ids=["none", "empty", "number", "list", "no-hash", "hash-only",
                              "non-ascii-hash", "garbage", "huge"])
def test_missing_or_malformed_init_data_is_refused_never_raised(given: object) -> None:
    with pytest.raises(InitDataError):
        check_init_data(given, TOKEN, max_age=DAY)


def test_signed_data_without_a_user_is_refused() -> None:
    fields = {"auth_date": str(int(time.time())), "query_id": "q"}
    with pytest.raises(InitDataError, match="no_user"):
        check_init_data(urlencode({**fields, "hash": sign(fields, TOKEN)}), TOKEN,
                        max_age=DAY)


def test_the_rate_limit_is_per_user_and_slides() -> None:
    now = [0.0]
    limit = RateLimit(3, 10.0, clock=lambda: now[0])
    assert [limit.admit(1) for _ in range(4)] == [True, True, True, False]
    assert limit.admit(2)  # another user is not held back
    now[0] = 10.5
    assert limit.admit(1)


def test_only_an_https_public_url_opens_the_mini_app() -> None:
    assert app_url("https://quotes.example.com/") == "https://quotes.example.com/app"
    assert app_url("http://127.0.0.1:8080") == "" and app_url("") == ""


# --- the API ------------------------------------------------------------------------------

class RecordingSaver:
    def __init__(self) -> None:
        self.requests: list[SaveRequest] = []

    async def __call__(self, request: SaveRequest) -> Saved:
        self.requests.append(request)
        return Saved(quote_id=7, version=2)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kameng.db")


@pytest.fixture
def saver() -> RecordingSaver:
    return RecordingSaver()


@pytest.fixture
async def client(store: Store, engine: Engine,
                 saver: RecordingSaver) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    miniapp = MiniApp(store, engine, TOKEN, saver=saver, rate=(30, 10.0))
    async with TestClient(TestServer(quote_web_app(store, miniapp=miniapp))) as test_client:
        yield test_client


async def post(client: TestClient, path: str, **body: Any  # type: ignore[type-arg]
               ) -> tuple[int, dict[str, Any]]:
    response = await client.post(path, json=body)
    assert response.content_type == "application/json"
    return response.status, await response.json()


def cli_quote_json(*options: str) -> dict[str, Any]:
    result = subprocess.run([KAMENG, "quote", *options, "--json"], capture_output=True,
                            text=True, check=True, timeout=60)
    return dict(json.loads(result.stdout))


INQUIRY = {"orders": 300, "kinds": ["game", "topup"], "response": "fast", "categories": 6,
           "multi_level": True, "tooling": "own", "ai": "yes", "billing": "per-order",
           "budget": 4000}


@pytest.mark.e2e
async def test_the_apis_quote_is_kameng_quotes_json_for_the_same_inquiry(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    status, body = await post(client, "/app/api/quote", init_data=init_data(TOKEN),
                              inquiry=INQUIRY)
    assert status == 200
    assert body["quote"] == cli_quote_json(
        "--orders", "300", "--kinds", "game,topup", "--response", "fast", "--categories", "6",
        "--multi-level", "--tooling", "own", "--ai", "yes", "--billing", "per-order",
        "--budget", "4000")
    # Options left out take kameng quote's defaults, as on the command line.
    status, body = await post(client, "/app/api/quote", init_data=init_data(TOKEN),
                              inquiry={"orders": 1500, "kinds": ["nft"]})
    assert status == 200
    assert body["quote"] == cli_quote_json("--orders", "1500", "--kinds", "nft")


async def test_the_view_is_in_the_users_language_and_marks_estimated_rates(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    status, body = await post(client, "/app/api/quote",
                              init_data=init_data(TOKEN, language_code="en"), inquiry=INQUIRY)
    assert status == 200
    view = body["view"]
    # The figure the merchant pays: the billed plan's (pricing v3), else the monthly plan.
    billed = body["quote"].get("billed")
    monthly = billed["monthly"] if billed else body["quote"]["monthly"]
    plan = billed["method"] if billed else body["quote"]["recommended_plan"]
    assert view["monthly"] == format_money_range(
        Range(Decimal(monthly["low"]), Decimal(monthly["high"])), translator("en"))
    assert translator("en")(f"plan.{plan}") in view["plan"]
    assert view["lines"] and all({"label", "amount", "estimated"} <= set(line)
                                 for line in view["lines"])
    assert view["recommendations"] and view["budget"]


async def test_estimated_answers_take_the_dialogues_defaults(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    """A field the page marks 估算 is priced as the chat would (categories: one per kind
    sold), so the page shows what 保存报价 will store."""
    status, body = await post(client, "/app/api/quote", init_data=init_data(TOKEN),
                              inquiry={"orders": 300, "kinds": ["game", "topup", "video"],
                                       "categories": 1},
                              estimated=["categories"])
    assert status == 200
    assert body["values"]["categories"] == 3 and body["quote"]["inquiry"]["categories"] == 3


async def test_me_prefills_the_merchants_current_answers(
    client: TestClient, store: Store, engine: Engine  # type: ignore[type-arg]
) -> None:
    state, _ = engine.start("zh_TW", dialog_id="d1", answers={
        "orders": 800, "kinds": ["game_cards"], "response": "emergency", "tooling": "own",
        "flags": ["cross_border"], "budget": "9000"})
    store.save_session("telegram", "4242", state.to_dict())
    store.touch_user("telegram", "4242", locale="zh_TW")
    status, body = await post(client, "/app/api/me", init_data=init_data(TOKEN, user_id=4242))
    assert status == 200
    assert body["locale"] == "zh-TW"  # the stored /lang choice beats Telegram's zh-hans
    values = body["values"]
    assert (values["orders"], values["kinds"], values["response"], values["tooling"],
            values["cross_border"], values["multi_level"], values["budget"]) == (
        800, ["game_cards"], "emergency", "own", True, False, 9000)
    assert {"categories", "scope", "billing"} <= set(body["estimated"])
    assert "orders" not in body["estimated"] and "tooling" not in body["estimated"]
    assert body["quote"]["inquiry"]["daily_orders"] == 800


async def test_a_blank_merchant_gets_a_page_of_estimates(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    status, body = await post(client, "/app/api/me", init_data=init_data(TOKEN, user_id=9))
    assert status == 200 and body["locale"] == "zh-CN"
    assert "orders" in body["estimated"] and body["quote"]["monthly"]["low"]


async def test_save_hands_the_answers_to_the_saver_for_the_signed_user(
    client: TestClient, saver: RecordingSaver  # type: ignore[type-arg]
) -> None:
    status, body = await post(client, "/app/api/save",
                              init_data=init_data(TOKEN, user_id=31, username=None,
                                                  first_name="阿明"),
                              inquiry=INQUIRY, estimated=["scope"])
    assert (status, body) == (200, {"id": 7, "version": 2})
    request, = saver.requests
    assert (request.user_id, request.handle, request.locale) == (31, "阿明", "zh_CN")
    assert request.answers["orders"] == 300 and request.answers["flags"] == ["multi_level"]
    assert request.answers["kinds"] == ["game_cards", "phone_topup"]
    assert "scope" not in request.answers  # left open: 估算 in the chat too


@pytest.mark.parametrize("path", ["/app/api/me", "/app/api/quote", "/app/api/save"])
async def test_missing_forged_or_expired_init_data_is_401(
    client: TestClient, saver: RecordingSaver, path: str  # type: ignore[type-arg]
) -> None:
    other = "987654321:AAAnotherBotsTokenNotOurs_abcdefghijklmn"
    for given in (None, "", init_data(other), init_data(TOKEN, auth_date=time.time() - 2 * DAY)):
        body: dict[str, Any] = {"inquiry": {"orders": 10}}
        if given is not None:
            body["init_data"] = given
        status, answer = await post(client, path, **body)
        assert status == 401 and answer["error"], (given, answer)
    assert saver.requests == []


@pytest.mark.parametrize(("language", "inquiry", "expected"), [
    ("zh-hans", {"orders": 0}, "日均单量要填 1 到 1,000,000 之间的整数。"),
    ("zh-hant", {"orders": 10, "categories": 5000}, "商品類目數要填 1 到 1,000 之間的整數。"),
    ("en", {"orders": 10, "response": "instant"}, "The choice for “Response time” is not one"),
    ("en", {"orders": 10, "kinds": ["gold"]}, "The choice for"),
    ("en", {"orders": 10, "budget": -5}, "must be a whole number of yuan"),
    ("en", {"orders": "many"}, "must be a whole number from 1 to 1,000,000"),
    ("en", {"orders": 10, "colour": "red"}, "a field we do not know: colour"),
    ("en", {"kinds": ["game"]}, "must be a whole number from 1 to 1,000,000"),
])
async def test_an_invalid_inquiry_is_400_in_the_users_language(
    client: TestClient, language: str, inquiry: dict[str, Any], expected: str  # type: ignore[type-arg]
) -> None:
    for path in ("/app/api/quote", "/app/api/save"):
        status, body = await post(client, path, init_data=init_data(TOKEN,
                                                                    language_code=language),
                                  inquiry=inquiry)
        assert status == 400 and expected in body["error"], body


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"init_data": "x"' + b"]" * 10,
                                 b"\xff\xfe", b"[" * 5000 + b"]" * 5000])
async def test_a_bad_body_is_400_not_500(client: TestClient, raw: bytes  # type: ignore[type-arg]
                                         ) -> None:
    response = await client.post("/app/api/quote", data=raw,
                                 headers={"Content-Type": "application/json"})
    assert response.status in (400, 413)
    assert "error" in await response.json()


async def test_a_body_past_the_cap_is_413(client: TestClient  # type: ignore[type-arg]
                                          ) -> None:
    huge = {"init_data": init_data(TOKEN), "inquiry": {"orders": 10}, "pad": "x" * 40_000}
    status, body = await post(client, "/app/api/quote", **huge)
    assert status == 413 and body["error"]


async def test_a_user_past_the_rate_is_429_and_others_go_on(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    busy, calm = init_data(TOKEN, user_id=1), init_data(TOKEN, user_id=2)
    statuses = [(await post(client, "/app/api/quote", init_data=busy,
                            inquiry={"orders": 10}))[0] for _ in range(32)]
    assert statuses[:30] == [200] * 30 and statuses[30:] == [429, 429]
    assert (await post(client, "/app/api/quote", init_data=calm,
                       inquiry={"orders": 10}))[0] == 200


async def test_the_page_and_its_assets_are_ours_with_a_policy_for_telegram(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    page = await client.get("/app")
    text = await page.text()
    assert page.status == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' https://telegram.org" in policy
    assert "frame-ancestors https://web.telegram.org" in policy
    assert "X-Frame-Options" not in page.headers  # Telegram's web client frames it
    assert 'src="https://telegram.org/js/telegram-web-app.js"' in text
    assert text.count("<script") == 4  # Telegram's, ours, and two JSON data blocks
    for name in ("miniapp.js", "miniapp.css"):
        asset = await client.get(f"/app/static/{name}")
        assert asset.status == 200 and len(await asset.read()) > 1000
    assert (await client.get("/app/static/../web.py")).status == 404
    # The quote pages keep their own, stricter policy.
    other = await client.get("/q/unknown")
    assert other.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("public_url", "said"), [
    (None, "ℹ 小程序（/app）需要 https 的 PUBLIC_URL，现在未设置"),
    ("http://quotes.example", "ℹ 小程序（/app）需要 https 的 PUBLIC_URL，现在http://quotes.example"),
    ("https://quotes.example", None),
])
@pytest.mark.e2e
def test_kameng_config_says_when_the_mini_app_has_no_https_public_url(
    tmp_path: Path, public_url: str | None, said: str | None
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PUBLIC_URL"}
    if public_url:
        env["PUBLIC_URL"] = public_url
    result = subprocess.run([KAMENG, "config", "--check"], capture_output=True, text=True,
                            env={**env, "TELEGRAM_BOT_TOKEN": TOKEN}, cwd=tmp_path,
                            timeout=60, check=False)
    assert result.returncode == 0  # a note, not something that stops the bot
    if said is None:
        assert "小程序" not in result.stderr
    else:
        assert said in result.stderr


async def test_a_body_sent_in_small_chunks_is_read_whole(
    client: TestClient  # type: ignore[type-arg]
) -> None:
    body = json.dumps({"init_data": init_data(TOKEN), "inquiry": INQUIRY}).encode()

    async def trickle() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64):
            yield body[start:start + 64]

    response = await client.post("/app/api/quote", data=trickle(),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert (await response.json())["quote"]["inquiry"]["daily_orders"] == 300


@pytest.mark.skipif(not HAS_HOURS, reason="pricing has no coverage hours yet (pricing v3)")
async def test_coverage_hours_move_the_price_and_are_saved_as_the_dialogues_answer(
    client: TestClient, saver: RecordingSaver  # type: ignore[type-arg]
) -> None:
    prices = {}
    for hours in (8, 24):
        status, body = await post(client, "/app/api/quote", init_data=init_data(TOKEN),
                                  inquiry={"orders": 300, "kinds": ["game"], "hours": hours})
        assert status == 200, body
        prices[hours] = Decimal(body["quote"]["monthly"]["low"])
    assert prices[24] > prices[8]
    status, body = await post(client, "/app/api/quote", init_data=init_data(TOKEN),
                              inquiry={"orders": 300, "hours": 12})
    assert status == 400 and body["error"]
    status, body = await post(client, "/app/api/quote", init_data=init_data(TOKEN),
                              inquiry={"orders": 300, "response": "emergency"},
                              estimated=["hours"])
    assert body["values"]["hours"] == 24  # emergency means round the clock
    await post(client, "/app/api/save", init_data=init_data(TOKEN),
               inquiry={"orders": 300, "hours": 16})
    assert saver.requests[-1].answers["hours"] == "16"
