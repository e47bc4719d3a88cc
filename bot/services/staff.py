"""Who is staff, and how to speak to them: in the language they chose in the bot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.store import Store
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
