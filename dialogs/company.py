"""The company behind the quote, as the close of a sale needs it: its name, how to reach it
(Telegram, WeChat, phone), its business hours and reply time, and its terms (trial,
contract, invoice, payment, how an order starts). Pure data and pure functions: the
operator's file is read and checked by bot/company.py; the dialogue only reads this.

Texts an operator writes may differ by language: a `Localized` holds one per locale and
falls back to simplified Chinese, then to any it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

TERMS = ("order", "trial", "contract", "invoice", "payment")
CURRENCIES = ("twd", "hkd", "usd")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Localized:
    """One text per locale ("zh_CN", "zh_TW", "en"); `of(locale)` falls back."""

    texts: Mapping[str, str] = field(default_factory=dict)

    def of(self, locale: str) -> str:
        if locale in self.texts:
            return self.texts[locale]
        if "zh_CN" in self.texts:
            return self.texts["zh_CN"]
        return next(iter(self.texts.values()), "")


@dataclass(frozen=True, slots=True)
class Company:
    name: Localized
    telegram: str = ""  # @username of the sales desk
    wechat: str = ""
    phone: str = ""
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # open weekdays, Monday = 0
    opens: time = time(9, 0)
    closes: time = time(21, 0)
    timezone: str = "Asia/Shanghai"
    reply_minutes: int = 30  # within business hours
    terms: Mapping[str, Localized] = field(default_factory=dict)  # TERMS → text
    # 元 (RMB) per unit of another currency a merchant may name (台币, 美元, 港币): amounts
    # in them are converted and asked back; a currency missing here is asked in RMB.
    cny_per: Mapping[str, Decimal] = field(default_factory=dict)

    def term(self, topic: str, locale: str) -> str:
        found = self.terms.get(topic)
        return found.of(locale) if found is not None else ""

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def reply_by(self, moment: datetime) -> datetime:
        """When a salesperson answers a merchant who writes at `moment`: `reply_minutes`
        later inside business hours, else that long after the next opening (local time)."""
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        if self.is_open(local):
            return local + timedelta(minutes=self.reply_minutes)
        day = local.date()
        for offset in range(8):
            candidate = day + timedelta(days=offset)
            start = datetime.combine(candidate, self.opens, tzinfo=zone)
            if candidate.weekday() in self.days and start > local:
                return start + timedelta(minutes=self.reply_minutes)
        return local + timedelta(minutes=self.reply_minutes)  # no open day at all

    def hours_text(self, day_names: tuple[str, ...], separator: str) -> str:
        """"周一、周二… 09:00–21:00" in the caller's words (day names by weekday)."""
        days = separator.join(day_names[day] for day in self.days)
        return f"{days} {self.opens:%H:%M}–{self.closes:%H:%M}"


DEFAULT_COMPANY = Company(name=Localized({}))
