"""Scripted conversations through the pure engine: every path of dialogs/flow.mmd."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from dialogs.engine import Engine
from dialogs.state import DialogState, Press, Say, Screen, StateError
from tests.dialogue_play import run

# Button presses for a whole dialogue, R-medium of pricing.md.
R_MEDIUM = [Press("o:300"), Press("m:game_cards"), Press("m:done"), Press("o:fast"), "5",
            Press("m:none"), Press("m:done"), Press("o:technical"), Press("o:none"),
            Press("o:no"), Press("o:outsourced"), Press("o:steady"), Press("o:compare"),
            Press("skip")]


def cli_monthly(*args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["quote", *args, "--json"]) == 0
    monthly: dict[str, str] = json.loads(capsys.readouterr().out)["monthly"]
    return monthly


def shown_monthly(screen: Screen) -> dict[str, str]:
    from pricing.serialize import quote_to_dict
    assert screen.quote is not None
    monthly: dict[str, str] = quote_to_dict(screen.quote)["monthly"]
    return monthly


@pytest.mark.parametrize(
    ("typed", "cli"),
    [
        # R-small: 60/day, 3 categories, basic, standard
        (["日均60单", "游戏点卡", "30分钟", "3", "都没有", "基础客服", "不需要系统", "纯人工",
          "外包", "平稳", "比较", "跳过"],
         ["--orders", "60", "--categories", "3", "--scope", "basic"]),
        # R-medium: one sentence, then the rest
        (["日均300单，5类商品，要10分钟响应", "话费充值", "都没有", "技术客服", "不需要系统",
          "纯人工", "外包", "平稳", "比较", "跳过"],
         ["--orders", "300", "--categories", "5", "--response", "fast", "--scope",
          "technical"]),
        # R-large: 800/day, 6 categories, full-chain, emergency
        (["八百单", "软件激活码", "5分钟", "6类", "都没有", "全链路", "不需要系统", "纯人工",
          "外包", "平稳", "比较", "跳过"],
         ["--orders", "800", "--categories", "6", "--response", "emergency", "--scope",
          "full-chain"]),
    ],
    ids=["R-small", "R-medium", "R-large"],
)
def test_reference_profiles_reach_the_same_figures_as_kameng_quote(
    engine: Engine, capsys: pytest.CaptureFixture[str], typed: list[str], cli: list[str]
) -> None:
    state, screen = run(engine, typed)
    assert screen.kind == "summary", screen.text
    state, screen = engine.handle(state, Press("ok"))
    assert screen.kind == "quote" and screen.effects == ("save_quote",)
    assert shown_monthly(screen) == cli_monthly(*cli, capsys=capsys)


def test_buttons_alone_reach_the_quote(engine: Engine) -> None:
    state, screen = run(engine, [*R_MEDIUM, Press("ok")])
    assert screen.kind == "quote" and state.confirmed == 1
    assert shown_monthly(screen) == {"low": "3000", "high": "5010"}


def test_every_question_shows_progress_and_the_way_out(engine: Engine) -> None:
    state, screen = engine.start("zh_CN")
    assert "第 1/12 步" in screen.text
    ids = screen.button_ids
    assert {"nav:restart", "nav:human"} <= ids and "nav:back" not in ids  # nothing to go back to
    state, screen = engine.handle(state, Press("o:300"))
    assert "第 2/12 步" in screen.text and "nav:back" in screen.button_ids


def test_a_sentence_fills_several_steps_and_says_what_it_understood(engine: Engine) -> None:
    state, screen = run(engine, ["日均300单，12类商品，要10分钟响应"])
    assert "我理解为" in screen.text and "300" in screen.text and "12 类" in screen.text
    assert state.answers == {"orders": 300, "categories": 12, "response": "fast"}
    assert screen.step == "KINDS"
    _, screen = run(engine, [Press("m:game_cards"), Press("m:done")], state=state)
    assert screen.step == "FLAGS"  # categories was already known: skipped


def test_blockchain_goods_skip_the_scope_question(engine: Engine) -> None:
    state, screen = run(engine, ["300", Press("m:blockchain_nft"), Press("m:done"), "快速",
                                 "3", "都没有"])
    assert screen.step == "TOOLING"
    assert "第 6/11 步" in screen.text  # scope is implied, so one step fewer
    assert engine.inquiry(state).scope == "expert"


def test_low_volume_skips_the_ai_question(engine: Engine) -> None:
    state, screen = run(engine, ["60", "游戏点卡", "30分钟", "3", "都没有", "基础", "不需要系统"])
    assert screen.step == "MODE"
    assert engine.effective_answers(state)["ai"] == "auto"


def test_back_returns_to_the_previous_question_keeping_its_answer(engine: Engine) -> None:
    state, screen = run(engine, [Press("o:300"), Press("m:game_cards"), Press("m:done")])
    assert screen.step == "RESPONSE"
    state, screen = engine.handle(state, Press("nav:back"))
    assert screen.step == "KINDS" and "✅ 游戏点卡" in [b.label for r in screen.buttons for b in r]
    state, screen = engine.handle(state, Press("nav:back"))
    assert screen.step == "ORDERS" and "当前答案：300 单/天" in screen.text
    state, screen = engine.handle(state, Press("o:500"))
    # on to the first question still open: the kinds answer was kept
    assert screen.step == "RESPONSE" and state.answers["orders"] == 500
    assert state.answers["kinds"] == ["game_cards"]


def test_editing_from_the_summary_returns_to_the_summary(engine: Engine) -> None:
    state, screen = run(engine, R_MEDIUM)
    assert screen.kind == "summary"
    state, screen = engine.handle(state, Press("e:orders"))
    assert screen.kind == "question" and screen.step == "ORDERS"
    state, screen = engine.handle(state, Say("八百"))
    assert screen.kind == "summary" and "800 单/天" in screen.text
    state, screen = engine.handle(state, Press("e:kinds"))
    state, screen = engine.handle(state, Press("m:phone_topup"))
    state, screen = engine.handle(state, Press("m:done"))
    assert screen.kind == "summary" and "游戏点卡、话费充值" in screen.text


def test_typing_a_change_at_the_summary_updates_it(engine: Engine) -> None:
    state, screen = run(engine, [*R_MEDIUM, "改成日均500单"])
    assert screen.kind == "summary" and state.answers["orders"] == 500


def test_adjust_after_the_quote_reopens_the_prefilled_summary(engine: Engine) -> None:
    state, screen = run(engine, [*R_MEDIUM, Press("ok"), Press("detail"), Press("adj")])
    assert screen.kind == "summary" and state.answers["orders"] == 300
    state, screen = run(engine, [Press("e:response"), Press("o:emergency"), Press("ok")],
                        state=state)
    assert screen.kind == "quote" and state.confirmed == 2
    assert screen.quote is not None and screen.quote.monthly.low >= 5000


def test_restart_forgets_the_answers(engine: Engine) -> None:
    state, screen = run(engine, [Press("o:300"), Press("nav:restart")])
    assert state.answers == {} and screen.step == "ORDERS"
    assert state.dialog_id == "test"


def test_handoff_is_an_effect_and_loses_nothing(engine: Engine) -> None:
    before, _ = run(engine, [Press("o:300")])
    after, screen = engine.handle(before, Press("nav:human"))
    assert screen.effects == ("handoff",) and "转人工" in screen.text
    assert after.answers == before.answers and screen.step == "KINDS"
    _, typed = engine.handle(before, Say("转人工"))
    assert typed.effects == ("handoff",)


def test_a_stale_button_is_refused_and_the_current_step_shown_again(engine: Engine) -> None:
    state, _ = run(engine, [Press("o:300")])
    again, screen = engine.handle(state, Press("o:300"))  # the old ORDERS button
    assert screen.effects == ("stale",) and "此按钮已过期" in screen.text
    assert again == state and screen.step == "KINDS"


def test_a_double_confirm_makes_one_quote(engine: Engine) -> None:
    state, first = run(engine, [*R_MEDIUM, Press("ok")])
    state2, second = engine.handle(state, Press("ok"))
    assert first.effects == ("save_quote",) and second.effects == ("stale",)
    assert state2.confirmed == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("0", "数字须在 1 到 1,000 之间"), ("3.7", "请填整数（收到 3.7）"),
     ("-5", "数字须在"), ("1e30", "数字须在"), ("9999999999", "数字须在"),
     ("你好", "您好 👋"), ("", "没看懂")],
)
def test_bad_numbers_are_explained_and_nothing_is_lost(
    engine: Engine, text: str, message: str
) -> None:
    state, _ = run(engine, [Press("o:300"), Press("m:game_cards"), Press("m:done"),
                            Press("o:fast")])
    after, screen = engine.handle(state, Say(text))
    assert message in screen.text
    assert after.answers == state.answers and screen.step == "CATEGORIES"


def test_a_multi_choice_needs_one_pick_and_none_excludes_the_rest(engine: Engine) -> None:
    state, screen = run(engine, [Press("o:300"), Press("m:done")])
    assert "请至少选择一项" in screen.text
    state, screen = run(engine, [Press("m:game_cards"), Press("m:done"), Press("o:fast"), "3",
                                 Press("m:multi_level"), Press("m:none")], state=state)
    assert state.draft == ("none",)
    state, screen = engine.handle(state, Press("m:cross_border"))
    assert state.draft == ("cross_border",)


@pytest.mark.parametrize(("locale", "words"), [("zh_TW", "第 1/12 步"), ("en", "Step 1/12")])
def test_the_dialogue_speaks_each_language(engine: Engine, locale: str, words: str) -> None:
    _, screen = engine.start(locale)
    assert words in screen.text


def test_state_survives_a_json_round_trip(engine: Engine) -> None:
    state, _ = run(engine, [Press("o:300"), Press("m:game_cards")])
    restored = DialogState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state


@pytest.mark.parametrize("data", [{"v": 99}, {"v": 1, "locale": "zh_CN"}, [],
                                  {"v": 1, "locale": "zh_CN", "phase": "nowhere", "step": "X",
                                   "answers": {}, "draft": [], "history": [],
                                   "editing": False, "paused": False, "seq": 0,
                                   "confirmed": 0}])
def test_an_unreadable_state_is_refused_by_name(data: object) -> None:
    with pytest.raises(StateError):
        DialogState.from_dict(data)  # type: ignore[arg-type]


def test_resuming_offers_continue_or_restart(engine: Engine) -> None:
    state, before = run(engine, [Press("o:300")])
    paused, screen = engine.resume(state)
    assert screen.kind == "resume" and {"rs:go", "rs:new"} == screen.button_ids
    resumed, screen = engine.handle(paused, Press("rs:go"))
    assert screen.step == before.step and resumed.answers == state.answers
    fresh, screen = engine.handle(paused, Press("rs:new"))
    assert fresh.answers == {} and screen.step == "ORDERS"


def test_a_fresh_dialogue_is_not_offered_a_resume(engine: Engine) -> None:
    state, _ = engine.start("zh_CN")
    _, screen = engine.resume(state)
    assert screen.kind == "question"
