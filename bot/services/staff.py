"""Who is staff, and how to speak to them: in the language they chose in the bot."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.store import Store
from dialogs.text import as_written
from locales.i18n import Translator, resolve_locale, translator

TELEGRAM = "telegram"  # staff are reached in Telegram, whatever channel a quote came from


@dataclass(frozen=True)
class Staff:
    sales_ids: Sequence[int] = ()
    admin_ids: Sequence[int] = ()

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    def is_staff(self, user_id: int) -> bool:
        return user_id in self.sales_ids or self.is_admin(user_id)


def translator_for(store: Store, user_id: int | str) -> Translator:
    """The catalog a Telegram user chose with /lang (else the default)."""
    return translator(resolve_locale(store.user_locale(TELEGRAM, str(user_id))))


def shown_name(name: str) -> str:
    """A Telegram name as staff are shown it: no bidi controls (a right-to-left override
    would turn "@evil\u202egpj.exe" into "@evilexe.jpg" in their notice), control
    characters and line or paragraph separators as spaces, as typed otherwise."""
    kept = as_written(name)
    return "".join(" " if unicodedata.category(ch) in ("Zl", "Zp") else ch for ch in kept)
