"""What a service asks the front-end to do, as data: a reply, a message to someone else,
a document, the quote card, a dialogue screen to show. Services return a list of these in
order; each front-end (Telegram, the terminal) delivers them its own way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.state import DialogState, Screen

Keyboard = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)
# A keyboard whose data are these is Telegram's reply keyboard, not an inline one: a button
# that shares the user's own phone number (request_contact), buttons that send their label
# as text, and the removal of such a keyboard.
CONTACT_BUTTON = "@contact"
TEXT_BUTTON = "@text"
REMOVE_KEYBOARD: Keyboard = ((("", "@remove"),),)


def keyboard_kind(keyboard: Keyboard | None) -> str:
    """"inline", "reply" (CONTACT_BUTTON / TEXT_BUTTON), "remove" or "none"."""
    if not keyboard:
        return "none"
    if keyboard == REMOVE_KEYBOARD:
        return "remove"
    data = {button for row in keyboard for _, button in row}
    return "reply" if data <= {CONTACT_BUTTON, TEXT_BUTTON} else "inline"


@dataclass(frozen=True, slots=True)
class Toast:
    """The answer to a pressed button (None: stop the spinner, say nothing)."""

    text: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to the person being answered."""

    text: str
    keyboard: Keyboard | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to someone else (staff). `best_effort`: a failure is logged, not raised
    (a salesperson's notification must never cost the prospect their answer)."""

    chat_id: int
    text: str
    keyboard: Keyboard | None = None
    best_effort: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes
    caption: str


@dataclass(frozen=True, slots=True)
class Card:
    """The quote card (bot/card.py) of a stored quote, drawn by the front-end."""

    quote_id: int
    locale: str


@dataclass(frozen=True, slots=True)
class Show:
    """A dialogue screen to show (and its state to keep) as a new message."""

    state: DialogState
    screen: Screen


Action = Toast | Reply | Notice | Document | Card | Show
