"""Who is staff, and how to speak to them: in the language they chose in the bot."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.store import Store
from dialogs.text import as_written
from locales.i18n import Translator, resolve_locale, translator

# The `channel` the Telegram bot stores under; staff are reached there, whatever channel a
# quote came from.
TELEGRAM = "telegram"

# Who may use which staff command — the one place: the commands refuse, and the staff's
# command menus (bot/tg/base.py) list, by these.
SALES_COMMANDS = ("newquote", "pipeline", "revoke")  # every salesperson (SALES_IDS), admins
ADMIN_COMMANDS = ("export", "stats")  # admins (ADMIN_IDS) only
STAFF_COMMANDS = (*SALES_COMMANDS, *ADMIN_COMMANDS)


@dataclass(frozen=True)
class Staff:
    sales_ids: Sequence[int] = ()
    admin_ids: Sequence[int] = ()

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    def is_staff(self, user_id: int) -> bool:
        return user_id in self.sales_ids or self.is_admin(user_id)

    def may(self, user_id: int, command: str) -> bool:
        """Whether `user_id` may use the staff command `command`."""
        return command in self.commands_of(user_id)

    def commands_of(self, user_id: int) -> tuple[str, ...]:
        """The staff commands `user_id` may use (none for everybody else)."""
        if self.is_admin(user_id):
            return STAFF_COMMANDS
        return SALES_COMMANDS if self.is_staff(user_id) else ()


def translator_for(store: Store, user_id: int | str) -> Translator:
    """The catalog a Telegram user chose with /lang (else the default)."""
    return translator(resolve_locale(store.user_locale(TELEGRAM, str(user_id))))


def shown_name(name: str) -> str:
    """A Telegram name as staff are shown it: no bidi controls (a right-to-left override
    would turn "@evil\u202egpj.exe" into "@evilexe.jpg" in their notice), control
    characters and line or paragraph separators as spaces, as typed otherwise."""
    kept = as_written(name)
    return "".join(" " if unicodedata.category(ch) in ("Zl", "Zp") else ch for ch in kept)
