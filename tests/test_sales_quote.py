"""Issue 19 through the pure engine and the renderer: the short quote (≤ 12 lines, ≤ 8
buttons, every language), answers from the merchant's own quote, the close (buying signals,
a contact, refusals), small talk, no dead ends (不确定, two misses), a true 对比 and the
one-tap budget advice, and the company file. Expected figures come from pricing.quote, not
from the code under test."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.company import load_company
from bot.config import ConfigError
from bot.render import screen_html
from dialogs import intents
from dialogs.engine import Engine
from dialogs.state import Contact, DialogState, Press, Say, Screen
from dialogs.steps import STEP_BY_FIELD
from locales.formatting import format_money_range
from locales.i18n import SUPPORTED, translator
from pricing import Billing, Quote, Range, Rates, quote
from tests.dialogue_play import run

SENTENCE = "日均300单，卖点卡和话费，要10分钟响应"
# (profile, events to its quote): quick and full, a salesperson's, with a budget, per order,
# large and emergency, after a flip and a correction (the longest notices).
PROFILES: dict[str, list[Press | str]] = {
    "quick": [SENTENCE, Press("qq")],
    "full": [SENTENCE, *["12", "都没有", "技术客服", "不需要系统", "纯人工", "外包", "平稳",
                         "帮我比较", "跳过"], Press("ok")],
    "budget": ["日均300单，卖点卡和话费，30分钟响应就行，预算最多3000", Press("qq")],
    "per_order": ["日均80单，卖软件激活码，10分钟响应，按单算", Press("qq")],
    "large": ["日均1500单，卖点卡、话费、NFT，5分钟响应，季节波动大", Press("qq")],
    "flipped": [SENTENCE, Press("qq"), Press("flips"), Press("w:ai:yes"), Press("q:back")],
    "corrected": [SENTENCE, Press("qq"), "不对，是五百单，另外要自带系统"],
}


@pytest.fixture(scope="module")
def engine(rates: Rates, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The engine as `kameng bot` builds it: with the packaged company file."""
    return Engine(rates, company=load_company(tmp_path_factory.mktemp("c") / "absent.toml"))


def lines(text: str) -> list[str]:
    return text.split("\n")


def buttons(screen: Screen) -> int:
    return sum(len(row) for row in screen.buttons)


# --- 1. the short quote -------------------------------------------------------------------

@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("profile", PROFILES)
def test_the_quote_screen_fits_a_phone_in_every_language(
    engine: Engine, profile: str, locale: str
) -> None:
    state, screen = run(engine, PROFILES[profile], locale=locale)
    assert screen.kind == "quote", screen.text
    shown = screen_html(screen, locale)
    assert len(lines(shown)) <= 12, shown
    assert buttons(screen) <= 8
    assert screen.quote is not None
    t = translator(locale)
    assert format_money_range(screen.quote.billed.monthly, t) in lines(shown)[0]  # headline
    # the internal assumptions list lives only under 明细 and on the page
    assert t("quote.assumptions") not in shown
    detail = engine.handle(state, Press("detail"))[1]
    assert t("quote.assumptions") in screen_html(detail, locale)


def test_a_salespersons_quote_is_short_too_and_offers_the_share_button(engine: Engine) -> None:
    state, screen = engine.start("zh_CN", dialog_id="s", sales=True)
    state, screen = run(engine, ["星辰卡盟", SENTENCE, Press("qq")], state=state)
    assert screen.kind == "quote" and "share" in screen.button_ids
    assert "close:yes" not in screen.button_ids  # the salesperson does not buy
    assert len(lines(screen_html(screen, "zh_CN"))) <= 12 and buttons(screen) <= 8


def test_the_headline_is_the_plan_billed_with_its_unit(engine: Engine, rates: Rates) -> None:
    _, screen = run(engine, ["日均300单，卖点卡和话费，要10分钟响应，那按单算吧", Press("qq")])
    assert screen.quote is not None and screen.quote.billed.method is Billing.PER_ORDER
    head = lines(screen_html(screen, "zh_CN"))[0]
    per_order = screen.quote.per_order
    assert "按单计费" in head and "元/单" in head
    assert format_money_range(per_order, translator("zh_CN")) in head  # not the monthly fee
    assert format_money_range(screen.quote.monthly, translator("zh_CN")) not in head


def test_detail_and_flips_are_other_views_of_the_same_quote(engine: Engine) -> None:
    state, quoted = run(engine, PROFILES["quick"])
    detail_state, detail = engine.handle(state, Press("detail"))
    assert detail.kind == "detail" and not detail.effects  # nothing re-priced or saved
    assert detail.quote == quoted.quote and detail_state.confirmed == state.confirmed
    flips_state, flips = engine.handle(state, Press("flips"))
    assert flips.kind == "quote" and any(b.startswith("w:") for b in flips.button_ids)
    _, back = engine.handle(flips_state, Press("q:back"))
    assert back.button_ids == quoted.button_ids


def test_the_card_is_sent_only_when_asked_for(engine: Engine) -> None:
    state, screen = run(engine, PROFILES["quick"])
    assert "card" not in screen.effects
    again, carded = engine.handle(state, Press("card"))
    assert carded.effects == ("card",) and again.confirmed == state.confirmed
    _, flipped = run(engine, [Press("flips"), Press("w:ai:yes")], state=state)
    assert flipped.effects == ("save_quote",)  # a new version, but no card with it


# --- 2. answers from the merchant's own quote ---------------------------------------------

def _figure(q: Quote, kind: str) -> str:
    """The figure an answer of `kind` must carry, priced here."""
    t = translator("zh_CN")
    figures = {
        "price": format_money_range(q.billed.monthly, t),
        "per_order": format_money_range(q.per_order, t),
        "per_hour": format_money_range(q.per_hour, t),
        "cheapest": format_money_range(min((q.monthly, q.per_order, q.per_hour),
                                           key=lambda r: r.low + r.high), t),
        "headcount": f"{int(q.coverage.headcount.low)} 人",
        "hours": f"每天 {q.coverage.hours_per_day} 小时",
        "included": t(f"scope.{q.scope.value}"),
        "validity": f"{q.validity_days} 天",
    }
    return figures[kind]


QUESTIONS = [
    ("price", "多少钱一个月？直接说个数"), ("price", "总共多少钱"),
    ("per_order", "按单的话一个月多少钱？"), ("per_order", "一单多少钱"),
    ("per_hour", "按小时算多少钱？"),
    ("cheapest", "哪个最便宜？"), ("cheapest", "还能便宜点吗"),
    ("headcount", "1.9个团队是几个人？三班倒吗？"), ("headcount", "要几个客服？"),
    ("hours", "晚上有人吗？"), ("hours", "服务时间是几点到几点？"),
    ("included", "包含哪些服务？"), ("included", "技术问题管不管？包括什么"),
    ("validity", "报价有效期多久？"),
]


@pytest.mark.parametrize(("kind", "question"), QUESTIONS, ids=[q for _, q in QUESTIONS])
@pytest.mark.parametrize("profile", ["quick", "per_order", "large"])
def test_questions_about_the_quote_get_its_own_figures_in_one_short_message(
    engine: Engine, profile: str, kind: str, question: str
) -> None:
    state, quoted = run(engine, PROFILES[profile])
    assert quoted.quote is not None
    noted, screen = engine.handle(state, Say(question))
    assert screen.kind == "note" and noted.note == f"ask:{kind}"
    assert _figure(quoted.quote, kind) in screen.text
    assert screen.quote is None and not screen.effects  # the quote is not sent again
    assert len(lines(screen.text)) <= 4
    assert "报价从几百到上万" not in screen.text and "收0.5-2元" not in screen.text
    back = engine.handle(noted, Press("q:back"))[1]
    assert back.kind == "quote" and back.quote == quoted.quote


def test_a_question_not_about_the_quote_still_gets_the_article(engine: Engine) -> None:
    state, _ = run(engine, PROFILES["quick"])
    _, screen = engine.handle(state, Say("KPI 怎么考核？"))
    assert screen.kind == "note" and screen.text.startswith("💡")


# --- 3. the close ------------------------------------------------------------------------

SIGNALS = [("accept", "行，就这个方案吧，怎么下单？"), ("accept", "就它了"),
           ("accept", "let's do it"), ("trial", "能不能先试用几天？"),
           ("contract", "合同怎么签"), ("invoice", "能开发票吗"), ("payment", "怎么付款？"),
           ("contact", "怎么联系你们"), ("contact", "你们电话多少")]


@pytest.mark.parametrize(("topic", "words"), SIGNALS, ids=[w for _, w in SIGNALS])
def test_buying_signals_get_the_next_step_and_the_close_buttons(
    engine: Engine, topic: str, words: str
) -> None:
    state, _ = run(engine, PROFILES["quick"])
    noted, screen = engine.handle(state, Say(words))
    assert screen.kind == "note" and noted.note == f"close:{topic}"
    assert {"close:yes", "close:contact", "q:back", "nav:human"} == screen.button_ids
    if topic == "contact":  # who answers, and when (the contacts, if the file has any)
        assert "周一至周六 09:00–21:00（北京时间）" in screen.text
    else:
        term = engine.company.term("order" if topic == "accept" else topic, "zh_CN")
        assert term and term in screen.text
    assert noted.signal == words


@pytest.mark.parametrize("words", ["先不签", "不要这个方案", "暂时不想下单"])
def test_a_negated_signal_is_not_a_signal(words: str) -> None:
    assert intents.buying_signal(words) is None


def test_accepting_asks_for_a_contact_and_records_it_with_the_words(engine: Engine) -> None:
    state, _ = run(engine, [*PROFILES["quick"], "就这个方案吧"])
    asking, screen = engine.handle(state, Press("close:yes"))
    assert screen.kind == "contact" and asking.phase == "contact"
    refused, screen = engine.handle(asking, Say("12345"))
    assert "不像手机号或微信号" in screen.text and refused.phase == "contact"
    done, screen = engine.handle(asking, Say("手机 138-1234-5678"))
    assert screen.effects == ("lead",)
    assert done.lead == {"kind": "phone", "value": "13812345678", "words": "就这个方案吧"}


def test_a_shared_contact_must_be_the_senders_own(engine: Engine) -> None:
    state, _ = run(engine, [*PROFILES["quick"], Press("close:contact")])
    refused, screen = engine.handle(state, Contact("+8613900000000", own=False))
    assert "这是别人的联系方式" in screen.text and not screen.effects and not refused.lead
    done, screen = engine.handle(state, Contact("8613812345678", own=True))
    assert screen.effects == ("lead",) and done.lead["value"] == "+8613812345678"


def test_a_contact_before_any_quote_is_not_taken(engine: Engine) -> None:
    state, _ = engine.start("zh_CN", dialog_id="x")
    kept, screen = engine.handle(state, Contact("+8613812345678", own=True))
    assert not screen.effects and "先出一份报价" in screen.text and not kept.lead


@pytest.mark.parametrize(("typed", "found"), [
    ("13812345678", ("phone", "13812345678")), ("+86 138 1234 5678", ("phone", "+8613812345678")),
    ("0912-345-678", ("phone", "0912345678")), ("+886 912 345 678", ("phone", "+886912345678")),
    ("微信：kameng_boss", ("wechat", "kameng_boss")),
    ("@kameng_sales", ("telegram", "@kameng_sales")),
    ("12345", None), ("1381234567", None), ("abc", None), ("我明天再说", None),
    ("a" * 30, None), ("电话是 1234", None),
])
def test_typed_contacts_are_checked(typed: str, found: tuple[str, str] | None) -> None:
    assert intents.parse_contact(typed) == found


@pytest.mark.parametrize(("words", "reply"), [
    ("好的，谢谢", "不客气"), ("谢谢", "不客气"), ("你是机器人吗", "报价助手"),
    ("你好", "您好"), ("好的", "好的 👍")])
def test_thanks_and_small_talk_get_a_short_friendly_reply(
    engine: Engine, words: str, reply: str
) -> None:
    state, _ = run(engine, PROFILES["quick"])
    _, screen = engine.handle(state, Say(words))
    assert screen.kind == "note" and reply in screen.text and "没看懂" not in screen.text
    asking, _ = engine.start("zh_CN", dialog_id="y")
    _, screen = engine.handle(asking, Say(words))  # before a quote: said, then the step
    assert reply in screen.text and screen.step == "ORDERS"


# --- 5. no dead ends ---------------------------------------------------------------------

UNSURE_STEPS = ["categories", "flags", "scope", "tooling", "ai", "mode", "volume", "billing"]
RECOMMEND = {"scope": "auto", "ai": "auto", "billing": "compare"}  # steps with a 帮我推荐


@pytest.mark.parametrize("field", UNSURE_STEPS)
@pytest.mark.parametrize("words", ["不确定", "你看着办", "不知道"])
def test_every_step_accepts_unsure_as_its_stated_default_marked_estimate(
    engine: Engine, field: str, words: str
) -> None:
    state, screen = run(engine, [SENTENCE])
    while screen.step != STEP_BY_FIELD[field].id:
        state, screen = engine.handle(state, Press("skip" if screen.step == "BUDGET" else "qq"))
        if screen.kind != "question":  # every later step at its default: go there directly
            state, screen = run(engine, [Press("more")], state=state)
            break
    state = DialogState.from_dict({**state.to_dict(), "phase": "ask",
                                   "step": STEP_BY_FIELD[field].id})
    moved, screen = engine.handle(state, Say(words))
    assert "没看懂" not in screen.text and field in moved.answers
    assert moved.step != state.step or moved.phase != "ask"  # on to the next step
    if field in RECOMMEND:  # the step's own 帮我推荐 / 帮我比较, said back as understood
        assert moved.answers[field] == RECOMMEND[field] and "我理解为" in screen.text
    else:  # the stated default, marked 估算 (and listed as such under 明细)
        assert "估算" in screen.text and field in engine.assumed(moved)


def test_two_misses_in_a_row_shrink_to_the_steps_buttons_and_a_person(engine: Engine) -> None:
    state, first = engine.handle(engine.start("zh_CN", dialog_id="m")[0], Say("？？"))
    assert "抱歉，没看懂" in first.text and state.misses == 1
    hint = translator("zh_CN")("hint.orders")
    assert hint in first.text
    state, second = engine.handle(state, Say("asdfgh"))
    assert "还是没看懂" in second.text and hint not in second.text  # not the same block again
    assert second.button_ids == {f"o:{option.value}" for option in STEP_BY_FIELD["orders"].options
                                 } | {"nav:restart", "nav:human"}
    state, third = engine.handle(state, Say("300"))
    assert state.misses == 0 and third.step == "KINDS"


# --- 4. a true 对比, one-tap budget advice -------------------------------------------------

def test_compare_meets_only_what_was_stated_and_the_budget(engine: Engine, rates: Rates) -> None:
    # 30 minutes and a budget of 3,000 stated; scope, AI and system left to us.
    state, _ = run(engine, [*PROFILES["budget"], Press("flips"), Press("w:ai:yes")])
    _, screen = engine.handle(state, Press("cmp"))
    first, second = (quote(engine.inquiry_of(answers), rates) for answers in state.versions)
    assert first.billed.monthly.high > 3000 >= second.billed.monthly.high  # priced here
    assert "<b>方案1</b>　" in screen.text and "<b>方案2（当前）</b> ✅" in screen.text
    assert "标准响应（30分钟内）或更快、预算 3,000 元 以内" in screen.text
    assert "技术客服或更全面" not in screen.text  # 帮我推荐 was not a requirement


def test_compare_with_nothing_stated_names_the_cheapest(engine: Engine) -> None:
    state, _ = run(engine, [*PROFILES["quick"], Press("flips"), Press("w:response:standard")])
    state = DialogState.from_dict({**state.to_dict(), "asked": {"orders": 300}})
    _, screen = engine.handle(state, Press("cmp"))
    assert "✅ 最便宜：方案2（您没有提出具体要求）" in screen.text


def test_the_budget_advice_is_one_tap_and_never_what_was_excluded(
    engine: Engine, rates: Rates
) -> None:
    state, screen = run(engine, PROFILES["budget"])
    assert screen.quote is not None and screen.quote.budget_fit is not None
    assert "budget" in screen.button_ids
    adjusted, screen = engine.handle(state, Press("budget"))
    assert screen.effects == ("save_quote",) and adjusted.confirmed == 2
    assert "已按预算调整" in screen.text
    assert screen.quote is not None and screen.quote.billed.monthly.high <= Decimal(3000)
    # Our system asked for: the advice to use one's own is not a button.
    _, screen = run(engine, ["日均300单，卖点卡和话费，30分钟响应就行，预算最多3000，"
                             "没有自己的系统，要你们提供", Press("qq")])
    assert screen.quote is not None and "own_system" in screen.quote.budget_fit.changes  # type: ignore[union-attr]
    assert "budget" not in screen.button_ids
    assert "自带系统" not in screen_html(screen, "zh_CN")  # nor the advice on the screen


# --- the company file --------------------------------------------------------------------

def test_the_packaged_company_file_loads_with_every_term(tmp_path: Path) -> None:
    company = load_company(tmp_path / "absent.toml")
    for topic in ("order", "trial", "contract", "invoice", "payment"):
        for locale in SUPPORTED:
            assert company.term(topic, locale)
    assert company.reply_minutes == 30 and company.timezone == "Asia/Shanghai"


def test_the_operators_file_replaces_keys_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "company.toml"
    path.write_text('[company]\nname = "星辰客服"\ntelegram = "@xc_sales"\n'
                    '[terms]\ntrial = { zh_CN = "试用 3 天", en = "3-day trial" }\n',
                    encoding="utf-8")
    company = load_company(path)
    assert company.name.of("en") == "星辰客服" and company.telegram == "@xc_sales"
    assert company.term("trial", "zh_TW") == "试用 3 天"  # falls back to zh_CN
    assert company.term("trial", "en") == "3-day trial"
    assert "合同" in company.term("contract", "zh_CN")  # kept from the defaults


@pytest.mark.parametrize(("text", "key", "expect"), [
    ('[hours]\nopens = "9am"\n', "hours.opens", "config.expect.company.clock"),
    ('[hours]\nopens = "22:00"\n', "hours.closes", "config.expect.company.closes"),
    ('[hours]\ndays = ["monday"]\n', "hours.days", "config.expect.company.days"),
    ('[hours]\ntimezone = "Mars/Base"\n', "hours.timezone", "config.expect.company.timezone"),
    ('[hours]\nreply_minutes = 0\n', "hours.reply_minutes", "config.expect.whole"),
    ('[company]\ntelegram = "kameng"\n', "company.telegram", "config.expect.company.telegram"),
    ('[company]\nphone = "call me"\n', "company.phone", "config.expect.company.phone"),
    ('[company]\nfax = "1"\n', "company.fax", "config.expect.company.key"),
    ('[terms]\ntrial = { fr = "essai" }\n', "terms.trial", "config.expect.company.text"),
    ('[shop]\nx = 1\n', "shop", "config.expect.company.table"),
])
def test_a_mistake_in_the_company_file_names_the_key(
    tmp_path: Path, text: str, key: str, expect: str
) -> None:
    path = tmp_path / "company.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_company(path)
    assert raised.value.params["setting"] == key
    assert raised.value.expected is not None and raised.value.expected[0] == expect


def test_a_broken_toml_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "company.toml"
    path.write_text("[company\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_company(path)


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-12-07T03:00:00+00:00", "2026-12-07T11:30:00+08:00"),  # Monday 11:00 Beijing
    ("2026-12-07T14:00:00+00:00", "2026-12-08T09:30:00+08:00"),  # Monday 22:00: next day
    ("2026-12-12T14:00:00+00:00", "2026-12-14T09:30:00+08:00"),  # Saturday 22:00: Monday
])
def test_the_reply_time_follows_the_business_hours(
    tmp_path: Path, moment: str, expected: str
) -> None:
    company = load_company(tmp_path / "absent.toml")
    when = company.reply_by(datetime.fromisoformat(moment).astimezone(UTC))
    assert when.isoformat() == expected


def test_quote_figures_helpers_match_pricing(rates: Rates) -> None:
    # The per-order unit in the headline is pricing's own billed unit.
    from pricing import Inquiry, ProductKind, Response

    q = quote(Inquiry(daily_orders=300, categories=2, response=Response.FAST,
                      product_kinds=frozenset({ProductKind.GAME_CARDS}),
                      billing=Billing.PER_ORDER), rates)
    assert q.billed.unit is not None
    assert q.billed.monthly == q.per_order
    assert isinstance(q.billed.unit, Range)


@pytest.mark.parametrize("locale", SUPPORTED)
def test_a_seasonal_volume_is_never_called_steady(engine: Engine, locale: str) -> None:
    from bot.render import render_quote_html

    _, screen = run(engine, ["日均300单，卖点卡，10分钟响应，旺季淡季差很多", Press("qq")],
                    locale=locale)
    assert screen.quote is not None and screen.quote.inquiry.volume.value == "seasonal"
    steady = translator(locale)("reason.steady_cost_control")
    assert steady not in render_quote_html(screen.quote, locale)
    assert steady not in screen_html(screen, locale)


# --- 7. money words ----------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "text", "cny", "said"), [
    ("zh_TW", "日均300單，賣點卡，10分鐘回應，預算一萬台幣", "2250",
     "新台幣 10,000 約合人民幣 2,250 元"),
    ("zh_CN", "日均300单，卖点卡，10分钟响应，预算500美金", "3600",
     "美元 500 约合人民币 3,600 元"),
    ("en", "300 orders a day, game cards, 10 minute response, budget $800", "5760",
     "USD 800 is about CNY 5,760"),
])
def test_a_budget_in_another_currency_is_converted_and_asked_back(
    engine: Engine, locale: str, text: str, cny: str, said: str
) -> None:
    asking, screen = run(engine, [text], locale=locale)
    assert said in screen.text and asking.pending == {"budget": cny}
    assert "cf:yes" in screen.button_ids  # nothing taken silently
    taken, _ = engine.handle(asking, Press("cf:yes"))
    assert taken.answers["budget"] == cny


def test_without_a_rate_the_budget_is_asked_in_rmb(engine: Engine) -> None:
    from dataclasses import replace as replaced

    no_rates = Engine(engine.rates, company=replaced(engine.company, cny_per={}))
    state, screen = run(no_rates, ["日均300单，卖点卡，10分钟响应，预算一万台币"])
    assert "请告诉我人民币金额" in screen.text and "budget" not in state.answers


@pytest.mark.parametrize(("locale", "unit"), [("zh_CN", "元"), ("zh_TW", "人民幣"),
                                             ("en", "CNY")])
def test_money_words_name_the_currency_once(engine: Engine, locale: str, unit: str) -> None:
    state, screen = run(engine, ["日均300单，卖点卡，10分钟响应，预算5000", Press("qq")],
                        locale=locale)
    shown = screen_html(screen, locale)
    assert unit in lines(shown)[0] and "¥" not in shown
    summary = engine.summary_text(state)
    assert "元/月" not in summary and "/month" not in summary  # 月预算 5,000 元, not 元/月


# --- 8. sales flow: a firm price ----------------------------------------------------------

def _sales_quote(engine: Engine, sentence: str = SENTENCE) -> DialogState:
    state, _ = engine.start("zh_CN", dialog_id="firm", sales=True)
    state, screen = run(engine, ["星辰卡盟", sentence, Press("qq")], state=state)
    assert "e:firm" in screen.button_ids
    return state


def test_a_salesperson_fixes_a_firm_price_inside_the_range_shown_as_such(
    engine: Engine, rates: Rates
) -> None:
    state = _sales_quote(engine)
    priced = quote(engine.inquiry_of({k: v for k, v in state.answers.items()}), rates)
    asking, _ = engine.handle(state, Press("e:firm"))
    refused, screen = engine.handle(asking, Say("9000"))
    assert "须在报价区间" in screen.text and "firm" not in refused.answers
    fixed, screen = engine.handle(asking, Say("3000-3500"))
    assert screen.kind == "quote" and screen.effects == ("save_quote",)
    assert fixed.confirmed == state.confirmed + 1  # a new version, to share
    assert screen.quote is not None
    assert screen.quote.billed.monthly == Range(Decimal(3000), Decimal(3500))
    assert "（销售确认价）" in lines(screen_html(screen, "zh_CN"))[0]
    # The breakdown still adds up: the firm price is a line of its own.
    total = sum((item.amount.high for item in screen.quote.line_items), Decimal(0))
    assert total == Decimal(3500) and priced.monthly.high > Decimal(3500)
    one, _ = run(engine, [Press("e:firm"), "3200"], state=fixed)
    assert engine.priced(one.answers).billed.monthly == Range(Decimal(3200), Decimal(3200))


def test_a_firm_price_is_for_the_monthly_fee_only(engine: Engine) -> None:
    state = _sales_quote(engine, "日均300单，卖点卡和话费，要10分钟响应，按单算")
    asking, _ = engine.handle(state, Press("e:firm"))
    _, screen = engine.handle(asking, Say("8000"))
    assert "只适用于按月固定计费" in screen.text


# --- the desk: sharing with 估算, the page's next step, the lead's notice -------------------

def _desk(engine: Engine, tmp_path: Path, sales: tuple[int, ...] = (555,)) -> object:
    from bot.services.links import LinkSettings
    from bot.services.quotes import QuoteDesk
    from bot.services.staff import Staff
    from bot.storage.store import Store

    return QuoteDesk(Store(tmp_path / "k.db"), engine, Staff(sales_ids=sales),
                     LinkSettings("kameng_test_bot", "https://q.example", 30))


def test_sharing_a_quote_built_on_estimates_tells_the_salesperson_which(
    engine: Engine, tmp_path: Path
) -> None:
    from bot.services.quotes import Person, QuoteDesk
    from bot.services.replies import Card, Reply

    desk = _desk(engine, tmp_path)
    assert isinstance(desk, QuoteDesk)
    state = _sales_quote(engine)
    person = Person("telegram", "555", "@sales")
    assert state.confirmed and screen_quote(engine, state) is not None
    desk.save(person, state, screen_quote(engine, state))
    actions = desk.share(person, state, translator("zh_CN"))
    replies = [action.text for action in actions if isinstance(action, Reply)]
    assert "⚠️ 注意：这份报价有" in replies[0] and "客服系统" in replies[0]
    assert "start=q_" in replies[1] and isinstance(actions[-1], Card)  # links, then the card
    full, _ = run(engine, ["12", "都没有", "技术客服", "不需要系统", "纯人工", "外包", "平稳",
                           "帮我比较", "跳过", "0", Press("ok")],
                  state=engine.handle(state, Press("more"))[0])
    assert not desk.estimated_note(full, translator("zh_CN")) or "值守" in str(
        desk.estimated_note(full, translator("zh_CN")))  # only the stated hours remain


def screen_quote(engine: Engine, state: DialogState) -> Quote:
    return engine.priced(state.answers)


def test_the_page_ends_with_the_next_step(engine: Engine, tmp_path: Path) -> None:
    from dataclasses import replace as replaced

    from bot.services.quotes import Person, QuoteDesk
    from bot.web import render_page
    from dialogs.company import Localized

    desk = _desk(engine, tmp_path)
    assert isinstance(desk, QuoteDesk)
    state, quoted = run(engine, PROFILES["quick"])
    assert quoted.quote is not None
    quote_id, _ = desk.save(Person("telegram", "1", "@m"), state, quoted.quote)
    desk.store.share(quote_id, days=30)
    record = desk.store.record(quote_id)
    assert record is not None
    business = replaced(engine.company, telegram="@xc_sales", wechat="xc-sales",
                        name=Localized({"zh_CN": "星辰客服"}))
    page = render_page(record, business=business, bot_username="kameng_test_bot")
    assert 'id="next-step"' in page
    assert f"https://t.me/kameng_test_bot?start=q_{record.token}" in page
    assert "Telegram @xc_sales · 微信 xc-sales" in page and "周一至周六 09:00–21:00" in page
    bare = render_page(record)  # no username yet, no contacts: still the hours, no dead link
    assert 'id="next-step"' in bare and "t.me/" not in bare


def test_a_lead_notice_names_the_quote_price_and_words_once_per_version(
    engine: Engine, tmp_path: Path
) -> None:
    from bot.services.quotes import Person, QuoteDesk
    from bot.services.replies import Notice, Reply

    desk = _desk(engine, tmp_path, sales=(555, 556))
    assert isinstance(desk, QuoteDesk)
    state, quoted = run(engine, [*PROFILES["quick"], "就这个吧", Press("close:yes"),
                                 "13812345678"])
    assert quoted.effects == ("lead",)
    person = Person("telegram", "42", "@buyer", "买家")
    desk.save(person, state, engine.priced(state.answers))
    lead_id, first, actions = desk.lead(person, state)
    notices = [action for action in actions if isinstance(action, Notice)]
    assert first and lead_id and {notice.chat_id for notice in notices} == {555, 556}
    assert "13812345678" in notices[0].text and "「就这个吧」" in notices[0].text
    assert "💰 按月固定" in notices[0].text and "第 1 版" in notices[0].text
    assert any(isinstance(action, Reply) and "联系您" in action.text for action in actions)
    _, again, actions = desk.lead(person, state)
    assert not again and not [action for action in actions if isinstance(action, Notice)]


@pytest.mark.parametrize(("words", "topic"), [
    ("合約怎麼簽", "contract"), ("可以開發票嗎", "invoice"), ("我想先試用", "trial"),
    ("怎麼聯絡你們", "contact"), ("how do we sign up?", "accept"),
    ("can you send an invoice", "invoice"), ("let's do it", "accept")])
def test_buying_signals_in_traditional_chinese_and_english(words: str, topic: str) -> None:
    from dialogs.text import fold

    assert intents.buying_signal(fold(words)) == topic
