"""The one interpreter of a dialogue screen's effects (dialogs/engine.py `Screen.effects`),
used by the Telegram conversation and the terminal chat alike, so both store the same
thing for the same dialogue.

The table below is the whole list: an effect the engine names and nobody handles is a bug
(tests/test_architecture.py checks the names against the engine's). "stale" is not here:
it is about the button pressed, and the front-end answers it before anything happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.services.quotes import Person, QuoteDesk
from bot.services.replies import Action, Card
from dialogs.state import DialogState, Screen
from locales.i18n import translator


@dataclass
class Outcome:
    """What the effects did, and what to deliver around the screen."""

    before: list[Action] = field(default_factory=list)  # go out before the screen
    after: list[Action] = field(default_factory=list)  # … and after it (the quote card)
    show_screen: bool = True  # False: the effect's replies take the screen's place
    quote_id: int | None = None
    handoff_id: int | None = None


Handler = Callable[["Effects", Person, DialogState, Screen, Outcome], None]


@dataclass
class Effects:
    desk: QuoteDesk

    def run(self, person: Person, state: DialogState, screen: Screen) -> Outcome:
        outcome = Outcome()
        for name, handler in EFFECTS.items():
            if name in screen.effects and outcome.show_screen:
                handler(self, person, state, screen, outcome)
        return outcome

    def save_quote(self, person: Person, state: DialogState, screen: Screen,
                   outcome: Outcome) -> None:
        """确认报价 (and every correction after it): stored as a quote version, and its
        card follows the screen."""
        if screen.quote is None:
            return
        outcome.quote_id, notices = self.desk.save(person, state, screen.quote)
        outcome.before += notices
        if outcome.quote_id is None:  # refused (the quote was accepted, revoked…): say why
            outcome.show_screen = False
            return
        outcome.after.append(Card(outcome.quote_id, state.locale))

    def share_link(self, person: Person, state: DialogState, screen: Screen,
                   outcome: Outcome) -> None:
        """生成分享链接: the links (or the approval request) instead of the screen."""
        outcome.before += self.desk.share(person, state, translator(state.locale))
        outcome.show_screen = False

    def handoff(self, person: Person, state: DialogState, screen: Screen,
                outcome: Outcome) -> None:
        """转人工: recorded, and every salesperson told."""
        outcome.handoff_id, notices = self.desk.handoff(person, state)
        outcome.before += notices


EFFECTS: dict[str, Handler] = {
    "save_quote": Effects.save_quote,
    "share_link": Effects.share_link,
    "handoff": Effects.handoff,
}
