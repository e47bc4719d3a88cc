"""One configuration for every command: the environment, then `.env`, then the defaults.

`load_settings()` is the only way in. It is built inside each command, never at import
time, and records where every value came from, so `kameng config` can show the effective
settings (secrets masked) and their source. `.env.example` documents every key.

Standard library only: `kameng quote` reads these settings too, and must start in a few
tens of milliseconds (a settings library alone took ~180 ms to import).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")
TOKEN_ANYWHERE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,}")
DEFAULT_API_BASE = "https://api.telegram.org"
DEFAULT_DB = "kameng.db"  # KAMENG_DB unset: this file in the working directory
ENV_FILE = ".env"
LANGUAGES = ("zh-CN", "zh-TW", "en")
COMPANY_NAME_LENGTH = 60  # one line on the quote card, at its font size


class ConfigError(ValueError):
    """A setting is missing or malformed; `key` is its catalog message, `params` its values
    (`expected`, when given, is another message: what the setting takes)."""

    def __init__(self, key: str, english: str, *,
                 expected: tuple[str, dict[str, object]] | None = None,
                 **params: object) -> None:
        super().__init__(english.format(**params, expected=expected[0] if expected else ""))
        self.key = key
        self.params = params
        self.expected = expected


class Expected(ValueError):
    """What a setting takes: a catalog key (config.expect.*) and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Secret:
    """A value that never shows itself in a repr, a log line or `kameng config`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def masked(self) -> str:
        """"123456789:AAF…" → "1234…mnop" (long values), "********" (short), "" (unset)."""
        if not self._value:
            return ""
        if len(self._value) < 16:
            return "********"
        return f"{self._value[:4]}…{self._value[-4:]}"

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# --- value parsers: text → value, or ValueError with what was expected -----------------

def _text(value: str) -> str:
    return value.strip()


def _url(value: str) -> str:
    """An http(s) address without spaces (PUBLIC_URL, WEBHOOK_URL, TELEGRAM_API_BASE)."""
    url = value.strip().rstrip("/")
    if not url.startswith(("https://", "http://")) or any(ch.isspace() for ch in url):
        raise Expected("config.expect.url")
    return url


def _path(value: str) -> str:
    """WEBHOOK_PATH: the route the webhook listens on, e.g. /telegram/webhook."""
    path = value.strip()
    if not path.startswith("/") or any(ch.isspace() or ch in "?#" for ch in path):
        raise Expected("config.expect.path")
    return path


WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts


def _webhook_secret(value: str) -> Secret:
    secret = value.strip()
    if not WEBHOOK_SECRET_SHAPE.fullmatch(secret):
        raise Expected("config.expect.webhook_secret")
    return Secret(secret)


def mask_tokens(text: str) -> str:
    """Every bot-token-shaped part of `text` masked ("123456789:AAF…mnop" → "1234…mnop"):
    a token pasted into TELEGRAM_API_BASE or any other setting is never printed."""
    return TOKEN_ANYWHERE.sub(lambda found: Secret(found.group(0)).masked(), text)


def _ids(value: str) -> list[int]:
    """"1, 2 3" → [1, 2, 3]: Telegram user ids."""
    try:
        return [int(item) for item in value.replace(",", " ").split()]
    except ValueError:
        raise Expected("config.expect.ids") from None


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise Expected("config.expect.whole", low=low, high=high) from None
        if not low <= number <= high:
            raise Expected("config.expect.whole", low=low, high=high)
        return number
    return parse


def _seconds(value: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise Expected("config.expect.seconds") from None
    if not 0 < number < 1e6:
        raise Expected("config.expect.seconds")
    return number


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        chosen = value.strip()
        if chosen not in choices:
            raise Expected("config.expect.one_of", choices=", ".join(choices))
        return chosen
    return parse


def _language(value: str) -> str:
    from locales.i18n import normalize_locale

    if normalize_locale(value) is None:
        raise Expected("config.expect.one_of", choices=", ".join(LANGUAGES))
    return value.strip()


def _level(value: str) -> str:
    level = value.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise Expected("config.expect.one_of", choices="DEBUG, INFO, WARNING, ERROR")
    return level


def _networks(value: str) -> list[str]:
    """"127.0.0.1, 10.0.0.0/8" → checked addresses/networks (X-Forwarded-For is believed
    only from these)."""
    import ipaddress

    entries = value.replace(",", " ").split()
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise Expected("config.expect.networks") from None
    return entries


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(value: str) -> tuple[int, int]:
    """"09:00-18:00" or "9-18" → minutes after midnight (540, 1080): when follow-ups may
    be sent; the end is after the start, within one day."""
    def minutes(part: str) -> int:
        hour, _, minute = part.strip().partition(":")
        if not (hour.isdigit() and (minute.isdigit() or not minute)):
            raise ValueError(part)
        return int(hour) * 60 + int(minute or 0)

    try:
        start, end = (minutes(part) for part in value.split("-"))
    except ValueError:
        raise Expected("config.expect.hours") from None
    if not 0 <= start < end <= 24 * 60:
        raise Expected("config.expect.hours")
    return start, end


def _weekdays(value: str) -> list[int]:
    """"sat,sun" → [5, 6] (Monday is 0): days without follow-ups; "none": every day works."""
    days: list[int] = []
    if value.strip().lower() == "none":
        return days
    for item in value.replace(",", " ").lower().split():
        if item[:3] not in WEEKDAYS:
            raise Expected("config.expect.weekdays", choices=",".join(WEEKDAYS))
        days.append(WEEKDAYS.index(item[:3]))
    return sorted(set(days))


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Expected("config.expect.timezone") from None
    return name


def _switch(value: str) -> bool:
    word = value.strip().lower()
    if word not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise Expected("config.expect.one_of", choices="on, off")
    return word in ("1", "true", "yes", "on")


def _secret(value: str) -> Secret:
    return Secret(value.strip())


MAX_LENGTH = 2048  # any setting: a URL, a path, a list of ids


def _setting(env: str, default: Any, parse: Callable[[str], Any], *,
             secret: bool = False, max_length: int = MAX_LENGTH) -> Any:
    return field(default_factory=lambda: default() if callable(default) else default,
                  metadata={"env": env, "parse": parse, "secret": secret,
                            "max_length": max_length})


# Every setting is one line of text. A line break in COMPANY_NAME broke every quote card;
# in PUBLIC_URL it split the links staff send. C0/C1 controls (tab, CR, LF, ESC, DEL),
# the Unicode line and paragraph separators and the bidi controls are refused at load.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _forbidden_character(value: str) -> str | None:
    """The first character a one-line setting may not hold, as U+XXXX; None if clean."""
    import unicodedata

    for character in value:
        if (unicodedata.category(character) in ("Cc", "Zl", "Zp")
                or character in BIDI_CONTROLS):
            return f"U+{ord(character):04X}"
    return None


@dataclass(frozen=True)
class Settings:
    """Every setting, by the name the code uses; `env` in each field's metadata is the
    variable an operator sets."""

    telegram_bot_token: Secret = _setting("TELEGRAM_BOT_TOKEN", lambda: Secret(""), _secret,
                                          secret=True)
    telegram_api_base: str = _setting("TELEGRAM_API_BASE", DEFAULT_API_BASE, _url)
    db: str = _setting("KAMENG_DB", DEFAULT_DB, _text)
    rates: str | None = _setting("KAMENG_RATES", None, _text)
    lang: str | None = _setting("KAMENG_LANG", None, _language)
    framework: str = _setting("KAMENG_FRAMEWORK", "aiogram", _one_of("aiogram", "ptb"))
    admin_ids: list[int] = _setting("ADMIN_IDS", list, _ids)
    sales_ids: list[int] = _setting("SALES_IDS", list, _ids)
    log_level: str = _setting("LOG_LEVEL", "INFO", _level)
    webhook_url: str = _setting("WEBHOOK_URL", "", _url)
    webhook_secret: Secret = _setting("WEBHOOK_SECRET", lambda: Secret(""), _webhook_secret,
                                      secret=True)
    webhook_host: str = _setting("WEBHOOK_HOST", "127.0.0.1", _text)
    webhook_port: int = _setting("WEBHOOK_PORT", 8443, _whole(1, 65535))
    webhook_path: str = _setting("WEBHOOK_PATH", "/telegram/webhook", _path)
    public_url: str = _setting("PUBLIC_URL", "", _url)
    web_host: str = _setting("WEB_HOST", "127.0.0.1", _text)
    web_port: int = _setting("WEB_PORT", 8080, _whole(1, 65535))
    # Slow clients (slowloris): seconds for a request's headers, and open connections at
    # most (unset: what the open-files limit allows, bot/http_guard.py).
    header_timeout: float = _setting("WEB_HEADER_TIMEOUT", 10.0, _seconds)
    max_connections: int | None = _setting("WEB_MAX_CONNECTIONS", None, _whole(16, 1_000_000))
    company_name: str = _setting("COMPANY_NAME", "", _text,  # on the quote card
                                 max_length=COMPANY_NAME_LENGTH)
    # The company file (contacts, business hours, terms: bot/company.toml documents it).
    company_file: str = _setting("COMPANY_FILE", "company.toml", _text)
    trusted_proxies: list[str] = _setting("TRUSTED_PROXIES", list, _networks)
    metrics_host: str = _setting("METRICS_HOST", "127.0.0.1", _text)
    metrics_port: int | None = _setting("METRICS_PORT", None, _whole(1, 65535))
    # /metrics on the quote page's port: "auto" = only while the page is not public (no
    # PUBLIC_URL); a public page keeps it on METRICS_HOST:METRICS_PORT instead.
    metrics_on_page: str = _setting("METRICS_ON_PAGE", "auto", _one_of("auto", "yes", "no"))
    discount_limit: int = _setting("DISCOUNT_LIMIT", 10, _whole(0, 90))
    link_days: int = _setting("LINK_VALIDITY_DAYS", 30, _whole(1, 365))
    # How long a Mini App's signed initData is accepted after Telegram issued it (auth_date).
    miniapp_max_age: int = _setting("MINIAPP_MAX_AGE", 86_400, _whole(60, 7 * 86_400))
    max_concurrent_updates: int = _setting("KAMENG_MAX_CONCURRENT", 64, _whole(1, 10_000))
    flood_limit: int = _setting("KAMENG_FLOOD_LIMIT", 20, _whole(1, 10_000))
    flood_window_seconds: float = _setting("KAMENG_FLOOD_WINDOW", 10.0, _seconds)
    # Follow-ups (bot/services/followups.py): after how many silent days an opened quote,
    # how many days before its expiry, how many hours after an unanswered 转人工; sent only
    # within BUSINESS_HOURS on days not in QUIET_DAYS, in BUSINESS_TIMEZONE.
    followups: bool = _setting("FOLLOWUPS", True, _switch)
    followup_silent_days: int = _setting("FOLLOWUP_SILENT_DAYS", 3, _whole(1, 60))
    followup_expiring_days: int = _setting("FOLLOWUP_EXPIRING_DAYS", 3, _whole(1, 60))
    followup_handoff_hours: int = _setting("FOLLOWUP_HANDOFF_HOURS", 2, _whole(1, 240))
    business_hours: tuple[int, int] = _setting("BUSINESS_HOURS", (9 * 60, 18 * 60), _hours)
    quiet_days: list[int] = _setting("QUIET_DAYS", lambda: [5, 6], _weekdays)
    business_timezone: str = _setting("BUSINESS_TIMEZONE", "Asia/Shanghai", _timezone)
    # 请求新报价 on an expired link: "owner" approves the new version first, or "direct".
    renewal: str = _setting("RENEWAL_APPROVAL", "owner", _one_of("owner", "direct"))
    # `kameng browse` (Datasette): where it listens; another address than 127.0.0.1 needs
    # a password (its PBKDF2 hash, from `kameng browse --hash-password`).
    browse_host: str = _setting("BROWSE_HOST", "127.0.0.1", _text)
    browse_port: int = _setting("BROWSE_PORT", 8001, _whole(1, 65535))
    browse_password_hash: Secret = _setting("BROWSE_PASSWORD_HASH", lambda: Secret(""),
                                            _secret, secret=True)
    # Where each value came from: "default", "environment", the .env path, "command line".
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def token(self) -> str:
        """The bot token, checked for shape (never logged)."""
        token = self.telegram_bot_token.get_secret_value().strip()
        if not token:
            raise ConfigError("config.error.token_missing",
                              "TELEGRAM_BOT_TOKEN is not set (see .env.example)")
        if not TOKEN_SHAPE.match(token):
            raise ConfigError("config.error.token_malformed",
                              "TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<secret> "
                              "as given by @BotFather")
        return token

    def page_metrics(self) -> bool:
        """Whether the quote page's port serves /metrics (METRICS_ON_PAGE)."""
        if self.metrics_on_page == "auto":
            return not self.public_url
        return self.metrics_on_page == "yes"

    def effective(self) -> list[tuple[str, str, str]]:
        """(variable, value as shown, source) for every setting, secrets masked."""
        shown = []
        for spec in fields(self):
            if "env" not in spec.metadata:
                continue
            value = getattr(self, spec.name)
            if isinstance(value, Secret):
                text = value.masked()
            elif spec.name == "business_hours":
                text = "{:02d}:{:02d}-{:02d}:{:02d}".format(*divmod(value[0], 60),
                                                            *divmod(value[1], 60))
            elif spec.name == "quiet_days":
                text = ",".join(WEEKDAYS[day] for day in value)
            elif isinstance(value, bool):
                text = "on" if value else "off"
            elif isinstance(value, list):
                text = ",".join(str(item) for item in value)
            else:
                text = "" if value is None else str(value)
            shown.append((spec.metadata["env"], mask_tokens(text),
                          self.sources.get(spec.name, "default")))
        return shown


def env_keys() -> list[str]:
    """Every variable the settings read, in order (`.env.example` documents each)."""
    return [spec.metadata["env"] for spec in fields(Settings) if "env" in spec.metadata]


_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def read_env_file(path: Path) -> dict[str, str]:
    """`KEY=value` lines as docker compose and systemd read them: `#` comments, optional
    `export`, values in single quotes (literal) or double quotes (\\n, \\" escapes), and
    ` # comment` after an unquoted value."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return values
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError("config.error.env_file", "{path} cannot be read: {detail}",
                          path=str(path), detail=str(error)) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ConfigError("config.error.env_line",
                              "{path}, line {line}: expected KEY=value",
                              path=str(path), line=number)
        key, raw = match.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            value = raw[1:-1]
        elif len(raw) >= 2 and raw[0] == raw[-1] == '"':
            value = (raw[1:-1].replace("\\n", "\n").replace('\\"', '"')
                     .replace("\\\\", "\\"))
        else:
            value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        values[key] = value
    return values


def load_settings(*, environ: Mapping[str, str] | None = None, env_file: str | Path = ENV_FILE,
                  **overrides: object) -> Settings:
    """The settings every command uses: command-line overrides (not None), else the
    environment, else `.env` (in the current directory), else the default. An empty
    value counts as unset, as in `.env.example`."""
    environ = os.environ if environ is None else environ
    path = Path(env_file)
    from_file = read_env_file(path)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for spec in fields(Settings):
        if "env" not in spec.metadata:
            continue
        env = spec.metadata["env"]
        given = overrides.get(spec.name)
        if given is not None:
            raw, source = str(given), "command line"
        elif environ.get(env, "").strip():
            raw, source = environ[env], "environment"
        elif from_file.get(env, "").strip():
            raw, source = from_file[env], str(path)
        else:
            continue
        _one_line(env, raw.strip(), source, spec.metadata["max_length"])
        try:
            values[spec.name] = spec.metadata["parse"](raw)
        except Expected as error:
            shown = "********" if spec.metadata["secret"] else mask_tokens(raw.strip())
            raise ConfigError("config.error.invalid",
                              "{name}={value} ({source}): expected {expected}",
                              name=env, value=shown, source=source,
                              expected=(error.key, error.params)) from None
        sources[spec.name] = source
    return Settings(**values, sources=sources)


def _one_line(name: str, value: str, source: str, limit: int) -> None:
    """Refuse a setting with a control character or longer than `limit` (the value is
    never echoed: it may be a secret, and a control character would garble the line)."""
    found = _forbidden_character(value)
    if found is not None:
        raise ConfigError("config.error.control",
                          "{name} ({source}) contains the control character {character}: "
                          "a setting is one line of text", name=name, source=source,
                          character=found)
    if len(value) > limit:
        raise ConfigError("config.error.too_long",
                          "{name} ({source}) is {length} characters long, at most {limit}",
                          name=name, source=source, length=len(value), limit=limit)
