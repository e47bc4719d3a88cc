"""保存报价 from the Mini App, carried out by the Telegram conversation: the answers become
the next confirmation of the merchant's dialogue (bot/services/configurator.py `confirm`),
its "save_quote" effect stores the version (the same Effects as a button press), and the
quote goes to their chat with its buttons, so the conversation goes on there. Under the
user's lock, like their updates: a save and a button press never interleave.
"""

from __future__ import annotations

from dataclasses import replace

from bot.services.configurator import Saved, SaveRequest, confirm
from bot.services.quotes import Person
from bot.storage.store import StoreError
from bot.tg.base import CHANNEL, Incoming
from bot.tg.conversation import Conversation
from bot.tg.delivery import Replies
from dialogs.state import DialogState
from locales.i18n import translator

# A save comes from no Telegram update: nothing to mark handled (Conversation._save).
NO_UPDATE = -1


class AppSaves:
    """The Mini App's `Saver` (bot/miniapp.py) in a process that has the bot."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    async def __call__(self, request: SaveRequest) -> Saved:
        conversation = self.conversation
        store = conversation.store
        transport = conversation.transport
        if transport is None:
            raise RuntimeError("the conversation has no transport yet")
        user = str(request.user_id)
        incoming = Incoming(update_id=NO_UPDATE, chat_id=request.user_id, chat_type="private",
                            user_id=request.user_id, full_name=request.full_name)
        person = Person(CHANNEL, user, request.handle, request.full_name)
        async with conversation.locks(request.user_id):
            store.touch_user(CHANNEL, user, handle=request.handle)
            state = _stored_state(conversation, incoming)
            parent = None
            if state is None or not (state.on_table or state.parent_quote):
                latest = store.quotes(channel=CHANNEL, user_id=user, limit=1)
                parent = latest[0].id if latest else None
            if state is not None and parent is not None:
                state = None  # no quote on the table: a new dialogue revising the latest
            state, screen = confirm(conversation.engine, state, request.answers,
                                    locale=request.locale, parent_quote=parent)
            outcome = conversation.effects.run(person, state, screen)
            record = store.record(outcome.quote_id) if outcome.quote_id else None
            version = record.version if record is not None else 1
            # Said under the quote, so the merchant knows where the new message came from.
            notice = translator(state.locale)("app.chat_notice", version=version)
            screen = replace(screen, text=f"{notice}\n\n{screen.text}" if screen.text
                             else notice)
            out = Replies(transport, incoming, conversation.retry)
            await conversation.deliver(outcome.before, incoming, out)
            await conversation.show_screen(incoming, out, state, screen, edit=False)
            await conversation.deliver(outcome.after, incoming, out)  # the quote card
        if outcome.quote_id is None:  # pragma: no cover - confirm always prices
            raise StoreError("no quote was saved")
        return Saved(outcome.quote_id, version)


def _stored_state(conversation: Conversation, incoming: Incoming) -> DialogState | None:
    state, _ = conversation.load(incoming)  # an unreadable state counts as none
    return state
