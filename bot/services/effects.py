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
from bot.services.replies import Action
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
    lead_id: int | None = None  # a contact recorded under the quote
    lead_first: bool = False  # … for the first time for this quote version


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
        """确认报价 (and every correction or what-if after it): stored as a quote version.
        Its card goes out only when asked for (🖼 卡片) or with a shared link."""
        if screen.quote is None:
            return
        outcome.quote_id, notices = self.desk.save(person, state, screen.quote)
        outcome.before += notices
        if outcome.quote_id is None:  # refused (the quote was accepted, revoked…): say why
            outcome.show_screen = False
            return

    def card(self, person: Person, state: DialogState, screen: Screen,
             outcome: Outcome) -> None:
        """🖼 卡片: the quote card, under the screen."""
        outcome.after += self.desk.card_of(state)

    def lead(self, person: Person, state: DialogState, screen: Screen,
             outcome: Outcome) -> None:
        """A contact left (✅ 我要这个方案 / 📞): recorded with the quote version, sales told
        once per version, the merchant told who replies and by when."""
        outcome.lead_id, outcome.lead_first, actions = self.desk.lead(person, state)
        outcome.before += actions

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
    "card": Effects.card,
    "share_link": Effects.share_link,
    "handoff": Effects.handoff,
    "lead": Effects.lead,
}
