"""The operator's company file: read, checked and merged over the packaged defaults.

`bot/company.toml` holds the documented defaults; the operator's `company.toml` (in the
working directory, or COMPANY_FILE) replaces them key by key. A mistake is a ConfigError
naming the file and the key (`company.toml: hours.opens: expected a time as HH:MM`), which
every command shows as one line in the user's language and exit code 2, like the rest of
the configuration. Standard library only (tomllib, zoneinfo).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import ConfigError
from dialogs.company import CURRENCIES, TERMS, WEEKDAYS, Company, Localized
from locales.i18n import SUPPORTED

DEFAULT_COMPANY_PATH = Path(__file__).with_name("company.toml")
TEXT_LIMIT = 600
_TELEGRAM = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{4,31}$")
_WECHAT = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_KNOWN: dict[str, tuple[str, ...]] = {
    "company": ("name", "telegram", "wechat", "phone"),
    "hours": ("days", "opens", "closes", "timezone", "reply_minutes"),
    "terms": TERMS,
    "currency": tuple(f"cny_per_{code}" for code in CURRENCIES),
}


class _Bad(ValueError):
    """What a key expects: a catalog key (config.expect.company.*) and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError("config.error.company_file", "{path} cannot be read: {detail}",
                          path=str(path), detail=str(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("config.error.company_file", "{path} cannot be read: {detail}",
                          path=str(path), detail=str(error)) from None


def _merged(default: Mapping[str, Any], given: Mapping[str, Any], path: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {table: dict(default.get(table) or {}) for table in _KNOWN}
    for table, values in given.items():
        if table not in _KNOWN or not isinstance(values, Mapping):
            raise _error(path, table, _Bad("config.expect.company.table",
                                           tables=", ".join(_KNOWN)))
        for key, value in values.items():
            if key not in _KNOWN[table]:
                raise _error(path, f"{table}.{key}", _Bad(
                    "config.expect.company.key", keys=", ".join(_KNOWN[table])))
            merged[table][key] = value
    return merged


def _error(path: Path, key: str, bad: _Bad) -> ConfigError:
    return ConfigError("config.error.company", "{path}: {setting}: expected {expected}",
                       expected=(bad.key, bad.params), path=path.name, setting=key)


def _localized(value: Any, *, required: bool = False) -> Localized:
    if isinstance(value, str):
        texts = {"zh_CN": value.strip()} if value.strip() else {}
    elif isinstance(value, Mapping) and all(
            locale in SUPPORTED and isinstance(text, str) for locale, text in value.items()):
        texts = {locale: text.strip() for locale, text in value.items() if text.strip()}
    else:
        raise _Bad("config.expect.company.text", locales=", ".join(SUPPORTED))
    if any(len(text) > TEXT_LIMIT for text in texts.values()):
        raise _Bad("config.expect.company.text_length", limit=TEXT_LIMIT)
    if required and not texts:
        raise _Bad("config.expect.company.text", locales=", ".join(SUPPORTED))
    return Localized(texts)


def _matching(pattern: re.Pattern[str], expect: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (value.strip() and not pattern.match(value.strip())):
            raise _Bad(expect)
        return value.strip()
    return check


def _clock(value: Any) -> time:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise _Bad("config.expect.company.clock")
    return time(int(match.group(1)), int(match.group(2)))


def _days(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or not all(
            isinstance(day, str) and day.lower() in WEEKDAYS for day in value):
        raise _Bad("config.expect.company.days", days=", ".join(WEEKDAYS))
    return tuple(sorted({WEEKDAYS.index(day.lower()) for day in value}))


def _zone(value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise _Bad("config.expect.company.timezone") from None
    return str(value)


def _minutes(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_080:
        raise _Bad("config.expect.whole", low=1, high=10_080)
    return value


def _rate(value: Any) -> Decimal | None:
    if value == "" or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Bad("config.expect.company.rate")
    try:
        rate = Decimal(str(value))
    except ArithmeticError:
        raise _Bad("config.expect.company.rate") from None
    if not rate.is_finite() or not Decimal("0.0001") <= rate <= Decimal(1000):
        raise _Bad("config.expect.company.rate")
    return rate


def load_company(path: str | Path | None = None) -> Company:
    """The company: the packaged defaults, with the operator's file (if it exists) over
    them. Raises ConfigError on a malformed file or value."""
    default = _read(DEFAULT_COMPANY_PATH)
    chosen = Path(path) if path else Path("company.toml")
    given = _read(chosen) if chosen.resolve() != DEFAULT_COMPANY_PATH.resolve() else {}
    shown = chosen if given else DEFAULT_COMPANY_PATH
    values = _merged(default, given, chosen)
    checks: dict[tuple[str, str], Any] = {
        ("company", "name"): _localized,
        ("company", "telegram"): _matching(_TELEGRAM, "config.expect.company.telegram"),
        ("company", "wechat"): _matching(_WECHAT, "config.expect.company.wechat"),
        ("company", "phone"): _matching(_PHONE, "config.expect.company.phone"),
        ("hours", "days"): _days, ("hours", "opens"): _clock, ("hours", "closes"): _clock,
        ("hours", "timezone"): _zone, ("hours", "reply_minutes"): _minutes,
        **{("terms", topic): _localized for topic in TERMS},
        **{("currency", f"cny_per_{code}"): _rate for code in CURRENCIES},
    }
    checked: dict[tuple[str, str], Any] = {}
    for (table, key), check in checks.items():
        try:
            checked[table, key] = check(values[table].get(key, ""))
        except _Bad as bad:
            raise _error(shown, f"{table}.{key}", bad) from None
    if checked["hours", "opens"] >= checked["hours", "closes"]:
        raise _error(shown, "hours.closes", _Bad("config.expect.company.closes"))
    return Company(
        name=checked["company", "name"], telegram=checked["company", "telegram"],
        wechat=checked["company", "wechat"], phone=checked["company", "phone"],
        days=checked["hours", "days"], opens=checked["hours", "opens"],
        closes=checked["hours", "closes"], timezone=checked["hours", "timezone"],
        reply_minutes=checked["hours", "reply_minutes"],
        terms={topic: checked["terms", topic] for topic in TERMS},
        cny_per={code: checked["currency", f"cny_per_{code}"] for code in CURRENCIES
                 if checked["currency", f"cny_per_{code}"] is not None})


def with_name(company: Company, name: str) -> Company:
    """COMPANY_NAME (the older setting) names the company when the file does not."""
    if company.name.texts or not name:
        return company
    from dataclasses import replace

    return replace(company, name=Localized({"zh_CN": name}))
