"""Free text a merchant might type, and what the dialogue takes from it."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.engine import Engine
from dialogs.state import Press, Say
from dialogs.text import normalize
from dialogs.understanding import Reader, numeric_view

PHRASINGS: list[tuple[str, str, dict[str, Any]]] = [
    # daily orders, answered at the first step
    ("300", "ORDERS", {"orders": 300}),
    ("日均300单", "ORDERS", {"orders": 300}),
    ("三百", "ORDERS", {"orders": 300}),
    ("三四百单", "ORDERS", {"orders": 350}),
    ("1k", "ORDERS", {"orders": 1000}),
    ("1.5万", "ORDERS", {"orders": 15000}),
    ("300-500", "ORDERS", {"orders": 400}),
    ("100以下", "ORDERS", {"orders": 80}),
    ("大概两百左右", "ORDERS", {"orders": 200}),
    ("３００", "ORDERS", {"orders": 300}),
    ("一千五", "ORDERS", {"orders": 1500}),
    ("两千单左右", "ORDERS", {"orders": 2000}),
    ("每天1-2万单", "ORDERS", {"orders": 15000}),
    ("500多单", "ORDERS", {"orders": 550}),  # N多: N + half its last place
    ("不到100单", "ORDERS", {"orders": 80}),
    ("超过1000", "ORDERS", {"orders": 1000}),
    ("日均 300 单", "ORDERS", {"orders": 300}),
    ("一天大概八百单", "ORDERS", {"orders": 800}),
    ("每天差不多两三百", "ORDERS", {"orders": 250}),
    ("3000单/天", "ORDERS", {"orders": 3000}),
    ("约 1.2k", "ORDERS", {"orders": 1200}),
    ("两百五", "ORDERS", {"orders": 250}),
    ("300~500单", "ORDERS", {"orders": 400}),
    ("三百到五百单", "ORDERS", {"orders": 400}),
    ("2w", "ORDERS", {"orders": 20000}),
    ("日均：600", "ORDERS", {"orders": 600}),
    ("300 orders a day", "ORDERS", {"orders": 300}),
    ("about 250", "ORDERS", {"orders": 250}),
    ("日均三百單", "ORDERS", {"orders": 300}),
    # categories
    ("12", "CATEGORIES", {"categories": 12}),
    ("十二类", "CATEGORIES", {"categories": 12}),
    ("十几类", "CATEGORIES", {"categories": 15}),
    ("20多个品类", "CATEGORIES", {"categories": 25}),
    ("5种", "CATEGORIES", {"categories": 5}),
    ("十二類", "CATEGORIES", {"categories": 12}),
    # response time
    ("10分钟", "RESPONSE", {"response": "fast"}),
    ("快速", "RESPONSE", {"response": "fast"}),
    ("十分钟内回复", "RESPONSE", {"response": "fast"}),
    ("5分钟", "RESPONSE", {"response": "emergency"}),
    ("秒回", "RESPONSE", {"response": "emergency"}),
    ("半小时内就行", "RESPONSE", {"response": "standard"}),
    ("30", "RESPONSE", {"response": "standard"}),
    ("紧急响应", "RESPONSE", {"response": "emergency"}),
    # scope
    ("基础客服", "SCOPE", {"scope": "basic"}),
    ("技术", "SCOPE", {"scope": "technical"}),
    ("全链路", "SCOPE", {"scope": "full_chain"}),
    ("帮我推荐", "SCOPE", {"scope": "auto"}),
    ("專家型客服", "SCOPE", {"scope": "expert"}),
    # product kinds
    ("游戏点卡、话费充值", "KINDS", {"kinds": ["game_cards", "phone_topup"]}),
    ("主要是NFT卡密", "KINDS", {"kinds": ["blockchain_nft"]}),
    ("激活码和影视会员", "KINDS", {"kinds": ["software_keys", "video_memberships"]}),
    # complexity
    ("有跨境业务", "FLAGS", {"flags": ["cross_border"]}),
    ("都没有", "FLAGS", {"flags": ["none"]}),
    ("多级分销+多语言", "FLAGS", {"flags": ["multi_level", "cross_border"]}),
    # tooling, AI, mode, volume, billing
    ("自带系统", "TOOLING", {"tooling": "own"}),
    ("打包", "TOOLING", {"tooling": "bundle"}),
    ("不需要系统", "TOOLING", {"tooling": "none"}),
    ("要", "AI", {"ai": "yes"}),
    ("纯人工", "AI", {"ai": "no"}),
    ("不要AI", "AI", {"ai": "no"}),
    ("兼职", "MODE", {"mode": "part_time"}),
    ("自招全职", "MODE", {"mode": "full_time"}),
    ("外包", "MODE", {"mode": "outsourced"}),
    ("大促时波动很大", "VOLUME", {"volume": "seasonal"}),
    ("平稳", "VOLUME", {"volume": "steady"}),
    ("按单", "BILLING", {"billing": "per_order"}),
    ("包月", "BILLING", {"billing": "monthly"}),
    ("比较", "BILLING", {"billing": "compare"}),
    ("Per order", "BILLING", {"billing": "per_order"}),
    # budget
    ("5000", "BUDGET", {"budget": "5000"}),
    ("5千", "BUDGET", {"budget": "5000"}),
    ("1万以内", "BUDGET", {"budget": "10000"}),
    ("预算三千", "BUDGET", {"budget": "3000"}),
    # whole sentences answer several questions at once
    ("日均300单，12类商品，要10分钟响应", "ORDERS",
     {"orders": 300, "categories": 12, "response": "fast"}),
    ("每天两千单，十几类商品，预算5000元", "ORDERS",
     {"orders": 2000, "categories": 15, "budget": "5000"}),
    ("我们卖游戏点卡，一天八百单，需要5分钟响应，自带系统", "ORDERS",
     {"orders": 800, "kinds": ["game_cards"], "response": "emergency", "tooling": "own"}),
    ("300 orders a day, 12 categories, fast", "ORDERS",
     {"orders": 300, "categories": 12, "response": "fast"}),
    ("12类 日均800单 兼职就行", "RESPONSE",
     {"orders": 800, "categories": 12, "mode": "part_time"}),
]


@pytest.mark.parametrize(("text", "step", "expected"), PHRASINGS,
                         ids=[text for text, _, _ in PHRASINGS])
def test_the_dialogue_understands(engine: Engine, text: str, step: str,
                                  expected: dict[str, Any]) -> None:
    assert engine.understand(text, step=step) == expected


def test_there_are_at_least_60_phrasings() -> None:
    assert len(PHRASINGS) >= 60


@pytest.mark.parametrize("text", ["你好", "随便", "???", "", "🙂", "<b>300</b>x" * 0 + "abc",
                                  "\u200b\u202e", "DROP TABLE quotes;"])
def test_what_it_cannot_read_gives_nothing(engine: Engine, text: str) -> None:
    assert engine.understand(text, step="ORDERS") == {}


def test_a_vague_amount_is_asked_back_not_taken() -> None:
    reading = Reader().read("大几百单吧", step="ORDERS")
    assert reading.facts == {"orders": 800} and reading.unsure == {"orders"}
    assert Reader().read("三四百单", step="ORDERS").unsure == frozenset()


def test_text_is_normalised_before_reading() -> None:
    assert normalize("  ３００\u200b单 ") == "300单"
    assert numeric_view("日均三百单") == "日均300单"


# --- what the dialogue does with what it read ------------------------------------------

FULL_ANSWERS = {"orders": 300, "kinds": ["game_cards"], "categories": 5, "flags": ["none"],
                "response": "fast", "scope": "technical", "tooling": "none", "ai": "no",
                "mode": "outsourced", "volume": "steady", "billing": "compare"}


def test_a_vague_amount_is_confirmed_with_yes_before_it_is_taken(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    asking, screen = engine.handle(state, Say("大几百单吧"))
    assert "约 800 单" in screen.text and asking.answers == {}
    assert {"cf:yes", "cf:no"} <= screen.button_ids
    taken, screen = engine.handle(asking, Say("是的"))
    assert taken.answers == {"orders": 800} and taken.step == "KINDS"


def test_a_vague_amount_refused_asks_for_the_exact_number(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    asking, _ = engine.handle(state, Say("千把单"))
    refused, screen = engine.handle(asking, Press("cf:no"))
    assert refused.answers == {} and refused.step == "ORDERS" and "准确的数字" in screen.text


def test_a_correction_from_the_summary_says_what_changed(engine: Engine) -> None:
    state, _ = engine.start("zh_CN", answers=FULL_ANSWERS)
    changed, screen = engine.handle(state, Say("不对，是五百单"))
    assert changed.answers["orders"] == 500 and changed.phase == "summary"
    assert "已更正" in screen.text and "300" in screen.text and "500" in screen.text


def test_a_correction_after_the_quote_makes_a_new_version(engine: Engine) -> None:
    state, _ = engine.start("zh_CN", answers=FULL_ANSWERS)
    quoted, _ = engine.handle(state, Press("ok"))
    again, screen = engine.handle(quoted, Say("刚才说错了，响应改成5分钟"))
    assert again.answers["response"] == "emergency" and again.confirmed == quoted.confirmed + 1
    assert screen.kind == "quote" and screen.effects == ("save_quote",)
    assert again.revises == quoted.confirmed  # saved as the next version of that quote
    # 重新开始 typed under the short quote (its button is under 📄 明细) starts afresh
    restarted, _ = engine.handle(again, Say("重新开始"))
    assert restarted.on_table == 0  # a fresh start revises nothing


def test_a_negation_removes_one_flag_and_keeps_the_other(engine: Engine) -> None:
    state, _ = engine.start("zh_CN", answers={**FULL_ANSWERS,
                                              "flags": ["multi_level", "cross_border"]})
    changed, _ = engine.handle(state, Say("刚才说错了，没有跨境"))
    assert changed.answers["flags"] == ["multi_level"]


def test_facts_for_other_steps_are_kept_and_the_step_asked_again(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    after, screen = engine.handle(state, Say("品类不多，七八个"))
    assert after.answers == {"categories": 8} and after.step == "ORDERS"
    assert "我理解为" in screen.text


def test_a_question_it_cannot_answer_says_so_and_offers_a_person(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    after, screen = engine.handle(state, Say("你们公司在哪里？"))
    assert after.step == state.step and "nav:human" in screen.button_ids
    assert "转人工" in screen.text


@pytest.mark.parametrize(("question", "marker"), [
    ("按單計費怎麼算？", "按單計費"), ("how does per-order billing work?", "per order"),
    ("按单计费怎么算？", "按单计费"),
])
def test_a_question_is_answered_in_the_language_it_was_asked_in(engine: Engine, question: str,
                                                                  marker: str) -> None:
    state, _ = engine.start("zh_CN")
    _, screen = engine.handle(state, Say(question))
    assert marker in screen.text.split("\n\n")[0]


def test_an_answer_replaced_later_is_said_as_a_change(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    for text in ("日均300单", "游戏点卡", "快速", "99"):
        state, _ = engine.handle(state, Say(text))
    changed, screen = engine.handle(state, Say("十几类"))  # no 不对: still never silent
    assert changed.answers["categories"] == 15
    assert "已更正：商品类目数 99 类 → 15 类" in screen.text
