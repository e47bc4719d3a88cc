"""Random event sequences never break the dialogue, and every screen offers a way forward."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.engine import Engine
from dialogs.state import DialogState, Press, Say
from pricing import load_rates

ENGINE = Engine(load_rates())

# A press is either one of the current screen's buttons (by index) or a forged id.
actions = st.lists(
    st.one_of(
        st.integers(0, 40).map(lambda index: ("button", index)),
        st.text(max_size=30).map(lambda text: ("say", text)),
        st.sampled_from(["300", "三四百单", "日均300单，12类商品，要10分钟响应", "都没有", "完成",
                         "返回", "确认", "转人工", "1e30", "-5", "<b>x</b>", "\x00"])
        .map(lambda text: ("say", text)),
        st.text(max_size=12).map(lambda forged: ("forged", forged)),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(actions, st.sampled_from(["zh_CN", "zh_TW", "en"]))
def test_random_events_never_raise_and_always_leave_a_way_forward(
    steps: list[tuple[str, object]], locale: str
) -> None:
    state, screen = ENGINE.start(locale, dialog_id="fuzz")
    for kind, value in steps:
        if kind == "button":
            buttons = [button for row in screen.buttons for button in row]
            event: Press | Say = Press(buttons[int(value) % len(buttons)].id)  # type: ignore[call-overload]
        elif kind == "forged":
            event = Press(str(value))
        else:
            event = Say(str(value))
        state, screen = ENGINE.handle(state, event)
        assert screen.buttons and screen.text
        assert ENGINE.button_ids(state) == screen.button_ids  # the cheap check agrees
        if screen.kind == "question":
            assert {"nav:restart", "nav:human"} <= screen.button_ids
        assert DialogState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
        assert "<script" not in screen.text.lower() and "<b>x</b>" not in screen.text
