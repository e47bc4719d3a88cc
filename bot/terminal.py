"""`kameng chat`: the very same dialogue in a terminal, on the embedded SQLite store.

Each saved quote's card (bot/card.py) is written beside the database, in kameng-cards/,
and its path printed: a terminal shows no pictures.

Buttons are shown numbered: type the number, the button's label, or free text. Where the
step asks for a number (daily orders, categories, budget) a bare number is the answer and
a button is picked with "#N". Without a terminal, one answer is read per line, so a
dialogue can be scripted; at the end of input the state is kept for the next run.
"""

from __future__ import annotations

import getpass
import logging
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.card import FONT_PACKAGE, CardFontError, card_filename, record_card
from bot.render import html_to_text, screen_html
from bot.services.effects import Effects
from bot.services.links import LinkSettings
from bot.services.quotes import Person, QuoteDesk
from bot.services.replies import Card, Reply
from bot.services.staff import Staff
from bot.storage.store import DatabaseFileError, Store, StoreError
from dialogs.engine import Engine
from dialogs.state import DialogState, Event, Press, Say, Screen, StateError
from dialogs.steps import STEP_BY_ID, Kind
from locales.i18n import Translator, translator

CHANNEL = "terminal"
EXIT_INTERRUPTED = 130  # Ctrl-C: the state is saved, the shell learns it was interrupted
log = logging.getLogger(__name__)


def terminal_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


def numbered(screen: Screen) -> list[tuple[int, str, str]]:
    """(number, id, label) for every button, numbered across rows from 1."""
    buttons = [button for row in screen.buttons for button in row]
    return [(index, button.id, button.label) for index, button in enumerate(buttons, start=1)]


def expects_number(screen: Screen) -> bool:
    return (screen.kind == "question" and screen.step is not None
            and STEP_BY_ID[screen.step].kind in (Kind.NUMBER, Kind.OPTIONAL_NUMBER))


def to_event(line: str, screen: Screen) -> Event:
    """A typed line → a button press (by number or label) or free text."""
    text = line.strip()
    buttons = numbered(screen)
    by_number = {str(number): button_id for number, button_id, _ in buttons}
    if text.startswith("#") and text[1:].strip() in by_number:
        return Press(by_number[text[1:].strip()])
    if text in by_number and not expects_number(screen):
        return Press(by_number[text])
    typed = _plain(text)
    for _, button_id, label in buttons:
        if typed and typed == _plain(label):
            return Press(button_id)
    return Say(text)


def _plain(label: str) -> str:
    """A label without its emoji and marks: "✅ 确认报价" → "确认报价"."""
    return "".join(ch for ch in label.casefold()
                   if unicodedata.category(ch)[0] in "LN" or ch in "+/-")


def format_screen(screen: Screen, locale: str) -> str:
    """The screen as terminal text, buttons numbered across rows."""
    lines = [html_to_text(screen_html(screen, locale)), ""]
    prefix = "#" if expects_number(screen) else ""
    number = 0
    for row in screen.buttons:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{prefix}{number}] {button.label}")
        lines.append("   ".join(cells))
    if expects_number(screen):
        lines.append(translator(locale)("chat.tip_number"))
    return "\n".join(lines)


class TerminalChat:
    def __init__(self, engine: Engine, store: Store, *, user_id: str, locale: str,
                 out: TextIO, company: str = "", cards_dir: Path | None = None) -> None:
        self.engine = engine
        self.store = store
        self.user_id = user_id
        self.locale = locale
        self.out = out
        self.company = company
        self.cards_dir = cards_dir or Path(store.path).with_name("kameng-cards")
        self.person = Person(CHANNEL, user_id, handle=user_id)
        # Nobody to notify and no links in a terminal: a desk without staff.
        self.effects = Effects(QuoteDesk(store, engine, Staff(), LinkSettings()))

    def begin(self) -> tuple[DialogState, Screen]:
        """Resume the stored dialogue (offering 继续上次 / 重新开始), or start one."""
        stored = self.store.load_session(CHANNEL, self.user_id)
        if stored is not None:
            try:
                return self.engine.resume(DialogState.from_dict(stored))
            except StateError:
                pass  # an old or broken state: start afresh rather than fail
        return self.engine.start(self.locale, dialog_id=uuid.uuid4().hex)

    def step(self, state: DialogState, screen: Screen, line: str) -> tuple[DialogState, Screen]:
        new_state, new_screen = self.engine.handle(state, to_event(line, screen))
        t = translator(new_state.locale)
        # The same effects as in Telegram (bot/services/effects.py); what differs is how
        # they are shown: the quote printed once, the card written to a file.
        outcome = self.effects.run(self.person, new_state, new_screen)
        if outcome.quote_id is not None:
            self.print(t("chat.saved", id=outcome.quote_id, db=self.store.path))
        if outcome.lead_id is not None:
            # Recorded like in Telegram, but nobody is told from a terminal: say so rather
            # than promise a call back.
            self.print(t("chat.lead_recorded", id=outcome.lead_id, db=self.store.path))
        for action in (*outcome.before, *outcome.after):
            if isinstance(action, Reply) and outcome.lead_id is None:
                self.print(html_to_text(action.text))
            elif isinstance(action, Card):
                self.write_card(action.quote_id, t)
        if outcome.handoff_id is not None:
            # Nobody is notified from a terminal: say where the request went instead.
            recorded = t("chat.handoff_recorded", id=outcome.handoff_id, db=self.store.path)
            sent = t("dlg.handoff_sent")
            text = (new_screen.text.replace(sent, recorded) if sent in new_screen.text
                    else f"{recorded}\n\n{new_screen.text}")
            new_screen = replace(new_screen, text=text)
        self.store.save_session(CHANNEL, self.user_id, new_state.to_dict())
        return new_state, new_screen

    def write_card(self, quote_id: int, t: Translator) -> None:
        """The quote card as a PNG file; its path printed instead of the picture."""
        record = self.store.record(quote_id)
        if record is None:
            return
        try:
            png = record_card(record, company=self.company, business=self.engine.company)
            self.cards_dir.mkdir(parents=True, exist_ok=True)
            path = self.cards_dir / card_filename(record)
            path.write_bytes(png)
        except CardFontError:
            self.print(t("card.no_font", package=FONT_PACKAGE))
            return
        except OSError as error:
            log.warning("could not write the card of quote %s: %s", quote_id, error)
            return
        self.print(t("card.saved", path=str(path)))

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self, read_line: Callable[[], str | None]) -> int:
        """Until the input ends (None): show a screen, read a line, handle it. Every step
        is saved as it is taken, so Ctrl-C loses nothing and exits 130."""
        state: DialogState | None = None
        try:
            state, screen = self.begin()
            self.store.touch_user(CHANNEL, self.user_id, handle=self.user_id,
                                  locale=state.locale)
            self.store.save_session(CHANNEL, self.user_id, state.to_dict())
            self.print(format_screen(screen, state.locale))
            while (line := read_line()) is not None:
                state, screen = self.step(state, screen, line)
                self.print("")
                self.print(format_screen(screen, state.locale))
        except DatabaseFileError:
            raise  # a damaged or newer file: waiting will not help, the CLI says what will
        except StoreError as error:
            reference = uuid.uuid4().hex[:8]
            log.error("store error [%s]: %s", reference, error)
            self.print(translator(self.locale)("error.try_later", ref=reference))
            return 1
        except KeyboardInterrupt:
            self.print("")
            self.print(translator(state.locale if state else self.locale)("chat.bye"))
            return EXIT_INTERRUPTED
        self.print(translator(state.locale)("chat.bye"))
        return 0


def stdin_lines(stream: TextIO, *, interactive: bool) -> Callable[[], str | None]:
    """One answer per line; None at the end of input (Ctrl-D). Ctrl-C raises
    KeyboardInterrupt, which the chat turns into exit code 130."""
    def read() -> str | None:
        if interactive:
            try:
                return input("> ")
            except EOFError:
                print()
                return None
        line = stream.readline()
        return line.rstrip("\r\n") if line else None

    return read
