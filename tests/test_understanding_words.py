"""Words a merchant uses for the goods and the service: brand names from the gazetteer
(dialogs/brands.toml), typos by sound (dialogs/sounds.py), Cantonese and Taiwan usage, and
answers shaped like the step on screen."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from dialogs import lexicon
from dialogs.engine import Engine
from dialogs.sounds import SoundIndex, fuzzy
from dialogs.state import Say
from dialogs.understanding import Reader

BRANDS: list[tuple[str, set[str]]] = [
    ("卖王者点券、和平精英、原神", {"game_cards"}),
    ("Robux and Valorant points", {"game_cards"}),
    ("PSN港服卡、任天堂eShop卡", {"game_cards"}),
    ("MyCard點數、GASH點數", {"game_cards"}),
    ("就卖逆水寒和永劫无间两个游戏的点卡", {"game_cards"}),
    ("KKTV、friDay影音、Viu", {"video_memberships"}),
    ("腾讯视频SVIP和电信流量包", {"video_memberships", "phone_topup"}),
    ("Adobe全家桶、卡巴斯基", {"software_keys"}),
    ("NordVPN、ExpressVPN账号", {"software_keys"}),
    ("卖VPN会员", {"software_keys"}),  # the longer name wins over 会员
    ("AIS and TrueMove top-ups", {"phone_topup"}),
    ("Globe and Smart load, plus Telkomsel", {"phone_topup"}),
    ("中華電信跟遠傳的儲值", {"phone_topup"}),
    ("肯德基券和王者点券", {"other", "game_cards"}),
    ("USDT充值卡", {"blockchain_nft"}),           # a top-up word after goods is theirs
    ("原神、崩坏星穹铁道的充值", {"game_cards"}),
    ("苹果礼品卡、星巴克卡", {"other"}),             # an app store's gift cards
    ("苹果App Store充值卡，基本都是拿去充游戏的", {"game_cards"}),  # …bought for games
    ("ROV coupons and Garena shells", {"game_cards"}),     # a voucher after goods is theirs
]

TYPOS_BY_SOUND: list[tuple[str, str, dict[str, Any]]] = [
    ("话废和点卡", "KINDS", {"kinds": ["game_cards", "phone_topup"]}),
    ("想找外宝", "MODE", {"mode": "outsourced"}),
    ("有分消", "FLAGS", {"multi_level": True}),
    ("用你们资带的系统", "TOOLING", {"tooling": "bundle"}),
    ("类木大概十个", "MODE", {"categories": 10}),       # a cue word before a number
    ("点咔为主", "KINDS", {"kinds": ["game_cards"]}),
    ("包越吧", "BILLING", {"billing": "monthly"}),
    ("我们有跨竟业务", "FLAGS", {"cross_border": True}),
    ("单量挺平温的", "VOLUME", {"volume": "steady"}),
    ("不用只能客服", "AI", {"ai": "no"}),
    ("每月遇算8千", "KINDS", {"budget": 8000}),
    ("要上人工致能辅助", "AI", {"ai": "yes"}),
    ("主要卖花费", "KINDS", {"kinds": ["phone_topup"]}),  # 花费 is a word: only where asked
]

STEP_SHAPED: list[tuple[str, str, dict[str, Any]]] = [
    ("俩，点卡跟话费", "CATEGORIES", {"categories": 2, "kinds": ["game_cards", "phone_topup"]}),
    ("三百，都是话费", "ORDERS", {"orders": 300, "kinds": ["phone_topup"]}),
    ("五千，按月付", "BUDGET", {"budget": 5000, "billing": "monthly"}),
    ("两千 节日翻倍", "ORDERS", {"orders": 2000, "volume": "seasonal"}),
    ("一百出头，下面有几个代理", "ORDERS", {"orders": 110, "multi_level": True}),
    ("就一个，只卖Q币", "CATEGORIES", {"categories": 1, "kinds": ["game_cards"]}),
    ("800, mostly Steam cards", "ORDERS", {"orders": 800, "kinds": ["game_cards"]}),
    ("太贵了 能不能不要AI", "QUOTE", {"ai": "no"}),
]

REGIONAL: list[tuple[str, str, dict[str, Any]]] = [
    ("系統我哋有咗", "TOOLING", {"tooling": "own"}),
    ("用時數計費好了", "BILLING", {"billing": "per_hour"}),
    ("我們想請正職", "MODE", {"mode": "full_time"}),
    ("請工讀生就好", "MODE", {"mode": "part_time"}),
    ("月費制比較好", "BILLING", {"billing": "monthly"}),
    ("客服系統你們提供的話最好", "TOOLING", {"tooling": "bundle"}),
    ("AI的話，看你們覺得啦", "BUDGET", {"ai": "auto"}),
    ("服務範圍我唔識揀，你幫我揀啦", "SCOPE", {"scope": "auto"}),
    ("AI嘅話唔好啦", "AI", {"ai": "no"}),
    ("價錢你哋話事，不過唔好超過一萬", "BUDGET", {"budget": 10000}),
    ("軟體金鑰跟序號", "KINDS", {"kinds": ["software_keys"]}),
]


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def _same(got: dict[str, Any], want: dict[str, Any]) -> bool:
    return {k: set(v) if k == "kinds" else v for k, v in got.items()} == \
           {k: set(v) if k == "kinds" else v for k, v in want.items()}


@pytest.mark.parametrize(("text", "kinds"), BRANDS, ids=[text for text, _ in BRANDS])
def test_a_brand_names_the_kind_of_goods(reader: Reader, text: str, kinds: set[str]) -> None:
    assert set(reader.read(text, step="KINDS").facts["kinds"]) == kinds


def test_the_gazetteer_is_data_with_its_source_and_300_names() -> None:
    text = lexicon.BRANDS_FILE.read_text(encoding="utf-8")
    assert "Source:" in text
    table = tomllib.loads(text)
    assert set(table) == {"game_cards", "phone_topup", "video_memberships", "software_keys",
                          "blockchain_nft", "other"}
    assert sum(len(names) for regions in table.values() for names in regions.values()) >= 300


def test_traditional_forms_in_the_gazetteer_meet_simplified_messages(reader: Reader) -> None:
    assert reader.read("中华电信储值", step="KINDS").facts["kinds"] == ["phone_topup"]
    assert reader.read("新枫之谷点数", step="KINDS").facts["kinds"] == ["game_cards"]


@pytest.mark.parametrize(("text", "step", "facts"), TYPOS_BY_SOUND,
                         ids=[text for text, _, _ in TYPOS_BY_SOUND])
def test_a_typo_by_sound_reads_as_the_word_it_sounds_like(reader: Reader, text: str, step: str,
                                                          facts: dict[str, Any]) -> None:
    assert _same(dict(reader.read(text, step=step).facts), facts)


def test_fuzzy_sounds_merge_the_pairs_input_methods_confuse() -> None:
    assert fuzzy("zhi") == fuzzy("zi") and fuzzy("chang") == fuzzy("can")
    assert fuzzy("shen") == fuzzy("seng") and fuzzy("ling") == fuzzy("nin")


def test_a_sound_match_away_from_its_step_is_asked_back(reader: Reader) -> None:
    reading = reader.read("找兼值的就行", step="SUMMARY")
    assert reading.facts == {"mode": "part_time"} and reading.unsure == {"mode"}


@pytest.mark.parametrize("text", ["每月花费3000", "只会复制粘贴话术的不要", "一年预算三万六",
                                  "日单量上千", "要全流程的那种客服", "其实是25个"])
def test_real_words_and_numbers_are_not_mended_by_sound(reader: Reader, text: str) -> None:
    index = reader.sounds
    folded = text.lower()
    exact = [m.span() for m in reader.vocabulary.words.finditer(folded)]
    exact += [m.span() for m in reader.vocabulary.cues.finditer(folded)]
    assert not [m for m in index.mends(folded, exact) if not m.real_word]


def test_an_exact_word_is_never_looked_up_by_sound() -> None:
    index = SoundIndex({"话费": "kinds"})
    assert index.mends("话废", []) and not index.mends("话废", [(0, 2)])


@pytest.mark.parametrize(("text", "step", "facts"), STEP_SHAPED,
                         ids=[text for text, _, _ in STEP_SHAPED])
def test_a_bare_answer_answers_the_step_on_screen_even_when_more_follows(
        reader: Reader, text: str, step: str, facts: dict[str, Any]) -> None:
    assert _same(dict(reader.read(text, step=step).facts), facts)


@pytest.mark.parametrize(("text", "step", "facts"), REGIONAL,
                         ids=[text for text, _, _ in REGIONAL])
def test_cantonese_and_taiwan_usage_is_folded_like_the_rest(
        reader: Reader, text: str, step: str, facts: dict[str, Any]) -> None:
    assert _same(dict(reader.read(text, step=step).facts), facts)


def test_a_choice_asked_back_reads_as_itself_not_as_an_amount(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    state, _ = engine.handle(state, Say("300单"))
    asking, screen = engine.handle(state, Say("主要卖花费"))
    assert asking.pending == {"kinds": ["phone_topup"]}
    assert "您是说商品类型：话费充值 吗？" in screen.text
    taken, _ = engine.handle(asking, Say("是的"))
    assert taken.answers["kinds"] == ["phone_topup"]
