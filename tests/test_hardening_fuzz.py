"""Every callback prefix and every command, fuzzed in process: whatever the data or the
argument, the conversation answers (此按钮已过期, a usage line, a screen), never with the
apology for an unexpected error, and every message it sends is HTML Telegram accepts."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.storage.store import Store
from bot.tg.base import COMMANDS, STAFF_COMMANDS, Incoming
from bot.tg.conversation import Conversation
from dialogs.engine import Engine
from pricing import load_rates
from tests.inprocess import Recorder

ADMIN, SALES, PROSPECT = 1, 2, 3
APOLOGY = "出了点问题"
ENGINE = Engine(load_rates())
UPDATE_IDS = itertools.count(1)


noise = st.text(st.characters(codec="utf-8"), max_size=70)
digits = st.integers(min_value=-10, max_value=10**30).map(str)
callback_data = st.one_of(
    st.tuples(st.sampled_from(["lk:", "lk:acc:", "lk:adj:", "lk:ask:", "ap:", "lang:", "",
                               "0:", "1:", ":"]), st.one_of(noise, digits)).map("".join),
    st.tuples(digits, st.sampled_from([":y", ":n", ":", ":x", ""])).map(
        lambda parts: "ap:" + "".join(parts)),
    noise)
command = st.tuples(st.sampled_from([*COMMANDS, *STAFF_COMMANDS, "nosuch"]),
                    st.one_of(noise, digits, st.just(""))).map(
    lambda parts: f"/{parts[0]} {parts[1]}".rstrip())


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """One in-memory database for a module's examples: a fuzzed dialogue goes on from
    where the previous example left it, as a real user's would."""
    store = Store(":memory:")
    yield store
    store.close()


def handle(store: Store, user: int, *, text: str | None = None,
           data: str | None = None) -> Recorder:
    recorder = Recorder()

    async def run() -> None:
        conversation = Conversation(engine=ENGINE, store=store, bot_username="kameng_test_bot",
                                    admin_ids=[ADMIN], sales_ids=[SALES], flood_limit=10**6)
        update_id = next(UPDATE_IDS)
        await conversation.handle(Incoming(
            update_id=update_id, chat_id=user, chat_type="private", user_id=user,
            username=f"u{user}", full_name="用户", text=text,
            callback_id=str(update_id) if data is not None else None, callback_data=data,
            message_id=1 if data is not None else None), recorder)

    asyncio.run(run())
    return recorder


@settings(max_examples=300, deadline=None)
@given(user=st.sampled_from([ADMIN, SALES, PROSPECT]), data=callback_data)
def test_any_callback_data_is_answered_without_an_apology(store: Store, user: int,
                                                          data: str) -> None:
    recorder = handle(store, user, data=data)
    assert len(recorder.answers) == 1, (data, recorder.answers)
    assert not any(APOLOGY in text for text in recorder.sent), (data, recorder.sent)


@settings(max_examples=300, deadline=None)
@given(user=st.sampled_from([ADMIN, SALES, PROSPECT]), text=command)
def test_any_command_argument_gets_an_answer_without_an_apology(store: Store, user: int,
                                                               text: str) -> None:
    recorder = handle(store, user, text=text)
    assert recorder.sent, text
    assert not any(APOLOGY in said for said in recorder.sent), (text, recorder.sent)
