"""Playing a scripted dialogue through the pure engine, for the engine-level tests."""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.engine import Engine
from dialogs.state import DialogState, Event, Say, Screen


def run(engine: Engine, events: Iterable[Event | str], *, locale: str = "zh_CN",
        state: DialogState | None = None) -> tuple[DialogState, Screen]:
    """Play events (a str is typed text) from a new or given state."""
    screen = engine.show(state) if state else None
    if state is None:
        state, screen = engine.start(locale, dialog_id="test")
    for event in events:
        state, screen = engine.handle(state, Say(event) if isinstance(event, str) else event)
    assert screen is not None
    return state, screen
