"""The slash commands and the non-dialogue buttons, one handler each. The conversation
(bot/tg/conversation.py) routes to them by name or callback prefix; the work itself is in
bot/services/. Every handler has the same shape: (incoming, replies, translator, argument).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from bot.services.followups import Followups
from bot.services.pipeline import Pipeline
from bot.services.quotes import Person, QuoteDesk
from bot.services.renewals import Renewals
from bot.services.replies import Action
from bot.storage.store import Store
from bot.tg.base import CHANNEL, Incoming
from bot.tg.delivery import Replies
from dialogs.engine import Engine
from dialogs.state import DialogState, Screen
from locales.i18n import SUPPORTED, Translator, normalize_locale, resolve_locale, translator


class Host(Protocol):
    """What the commands need of the conversation that routes to them."""

    store: Store
    engine: Engine
    desk: QuoteDesk
    renewals: Renewals
    followups: Followups
    pipeline: Pipeline

    def person(self, incoming: Incoming) -> Person: ...
    def load(self, incoming: Incoming) -> tuple[DialogState | None, int | None]: ...
    def new(self, incoming: Incoming, t: Translator) -> tuple[DialogState, Screen]: ...
    def remember_locale(self, user_id: int, locale: str) -> None: ...
    def view_link(self, incoming: Incoming, token: str, t: Translator) -> None: ...
    async def show_screen(self, incoming: Incoming, out: Replies, state: DialogState,
                          screen: Screen, *, edit: bool) -> None: ...
    async def deliver(self, actions: list[Action], incoming: Incoming, out: Replies) -> None: ...


class Commands:
    def __init__(self, host: Host) -> None:
        self.host = host

    async def start(self, incoming: Incoming, out: Replies, t: Translator,
                    argument: str) -> None:
        """/start: resume or begin; /start q_<token>: a prospect opening a quote link."""
        host = self.host
        if argument.startswith("q_"):
            await host.deliver(host.desk.open_link(host.person(incoming), argument[2:], t),
                               incoming, out)
            host.view_link(incoming, argument[2:], t)
            return
        state, _ = host.load(incoming)
        if state is not None and (state.answers or state.phase != "ask"):
            state, screen = host.engine.resume(state)
        else:
            state, screen = host.new(incoming, t)
            await out.reply(t("tg.welcome"))
        await host.show_screen(incoming, out, state, screen, edit=False)

    async def quote(self, incoming: Incoming, out: Replies, t: Translator,
                    argument: str) -> None:
        state, screen = self.host.new(incoming, t)
        await self.host.show_screen(incoming, out, state, screen, edit=False)

    async def history(self, incoming: Incoming, out: Replies, t: Translator,
                      argument: str) -> None:
        saved = self.host.store.quotes(channel=CHANNEL, user_id=str(incoming.user_id), limit=5)
        if not saved:
            await out.reply(t("tg.history_empty"))
            return
        lines = [f"<b>{t('tg.history_title')}</b>"]
        for row in saved:
            lines.append(t("tg.history_row", id=row.id, time=row.created_at[:10],
                           orders=f"{row.daily_orders:,}",
                           low=f"{int(row.monthly_low):,}", high=f"{int(row.monthly_high):,}"))
        await out.reply("\n".join(lines))

    async def lang(self, incoming: Incoming, out: Replies, t: Translator,
                   argument: str) -> None:
        chosen = normalize_locale(argument) if argument else None
        if chosen:
            await self._set_language(incoming, out, chosen)
            return
        keyboard = (tuple((translator(code)("lang.name"), f"lang:{code}")
                          for code in SUPPORTED),)
        await out.reply(t("tg.lang_pick"), keyboard)

    async def language_button(self, incoming: Incoming, out: Replies, t: Translator,
                              data: str) -> None:
        """lang:<code> under /lang."""
        code = data.removeprefix("lang:")
        if normalize_locale(code) is None:  # forged: not one of our buttons
            await out.answer(t("dlg.stale"))
            return
        await self._set_language(incoming, out, code)

    async def help(self, incoming: Incoming, out: Replies, t: Translator,
                   argument: str) -> None:
        text = t("tg.help")
        if self.host.desk.staff.is_staff(incoming.user_id):
            text += "\n\n" + t("tg.help_staff")
        await out.reply(text)

    async def cancel(self, incoming: Incoming, out: Replies, t: Translator,
                     argument: str) -> None:
        self.host.store.delete_session(CHANNEL, str(incoming.user_id))
        await out.reply(t("tg.cancelled"))

    async def human(self, incoming: Incoming, out: Replies, t: Translator,
                    argument: str) -> None:
        state, _ = self.host.load(incoming)
        _, notices = self.host.desk.handoff(self.host.person(incoming), state)
        await self.host.deliver(notices, incoming, out)
        await out.reply(t("dlg.handoff_sent"))

    async def staff(self, incoming: Incoming, out: Replies, t: Translator,
                    argument: str, *, name: str) -> None:
        """/newquote, /revoke, /export, /stats (bot/services/quotes.py checks who may)."""
        actions = self.host.desk.staff_command(name, self.host.person(incoming),
                                               incoming.user_id, argument, t)
        await self.host.deliver(actions, incoming, out)

    async def link_button(self, incoming: Incoming, out: Replies, t: Translator,
                          data: str) -> None:
        """lk:acc|adj|ask:<token> under a quote opened from a link."""
        await self.host.deliver(self.host.desk.link_button(self.host.person(incoming), data, t),
                                incoming, out)

    async def approval_button(self, incoming: Incoming, out: Replies, t: Translator,
                              data: str) -> None:
        """ap:<quote id>:y|n under an approval request."""
        await self.host.deliver(self.host.desk.approval_button(incoming.user_id, data, t),
                                incoming, out)

    async def pipeline(self, incoming: Incoming, out: Replies, t: Translator,
                       argument: str) -> None:
        """/pipeline: my quotes by status, the ones to chase today first."""
        await self.host.deliver(self.host.pipeline.show(incoming.user_id, t, datetime.now(UTC)),
                                incoming, out)

    async def pipeline_button(self, incoming: Incoming, out: Replies, t: Translator,
                              data: str) -> None:
        """pl:<id> under /pipeline: the quote as its owner sees it."""
        await self.host.deliver(self.host.pipeline.quote(incoming.user_id, data, t),
                                incoming, out)

    async def followup_button(self, incoming: Incoming, out: Replies, t: Translator,
                              data: str) -> None:
        """fu:new|done|mute:<subject> under a reminder: 🔁 新版本 / ✅ 已联系 / 🔕 不再提醒."""
        await self.host.deliver(self.host.followups.button(incoming.user_id, data, t,
                                                           datetime.now(UTC)), incoming, out)

    async def renew_button(self, incoming: Incoming, out: Replies, t: Translator,
                           data: str) -> None:
        """rq:<token> under an expired link: 请求新报价."""
        person = self.host.person(incoming)
        await self.host.deliver(self.host.renewals.button(
            person.channel, person.user_id, person.handle, data, t), incoming, out)

    async def renew_decision(self, incoming: Incoming, out: Replies, t: Translator,
                             data: str) -> None:
        """rn:y|n:<new id>: the owner sends the renewed quote to the prospect, or not."""
        await self.host.deliver(self.host.renewals.decide(incoming.user_id, data, t),
                                incoming, out)

    async def _set_language(self, incoming: Incoming, out: Replies, code: str) -> None:
        host = self.host
        locale = normalize_locale(code) or resolve_locale(None)
        host.store.touch_user(CHANNEL, str(incoming.user_id), handle=incoming.handle,
                              locale=locale)
        host.remember_locale(incoming.user_id, locale)
        t = translator(locale)
        if incoming.is_callback:
            await out.answer(None)
        await out.reply(t("tg.lang_set"))
        state, _ = host.load(incoming)
        if state is not None:
            state, screen = host.engine.set_locale(state, locale)
            await host.show_screen(incoming, out, state, screen, edit=False)
