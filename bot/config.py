"""Configuration from the environment or a .env file (pydantic-settings).

Built inside `main()`, never at import time. `.env.example` documents every key.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")
DEFAULT_API_BASE = "https://api.telegram.org"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it."""


def _ids(value: object) -> list[int]:
    """"1, 2 3" → [1, 2, 3]: Telegram user ids from an environment variable."""
    if isinstance(value, list):
        return [int(item) for item in value]
    text = str(value or "").replace(",", " ").split()
    return [int(item) for item in text]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr = Field(default=SecretStr(""),
                                          validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base: str = Field(default=DEFAULT_API_BASE,
                                   validation_alias="TELEGRAM_API_BASE")
    db: str = Field(default="kameng.db", validation_alias="KAMENG_DB")
    rates: str | None = Field(default=None, validation_alias="KAMENG_RATES")
    framework: Literal["aiogram", "ptb"] = Field(default="aiogram",
                                                 validation_alias="KAMENG_FRAMEWORK")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list,
                                                      validation_alias="ADMIN_IDS")
    sales_ids: Annotated[list[int], NoDecode] = Field(default_factory=list,
                                                      validation_alias="SALES_IDS")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    webhook_url: str = Field(default="", validation_alias="WEBHOOK_URL")
    webhook_secret: SecretStr = Field(default=SecretStr(""), validation_alias="WEBHOOK_SECRET")
    webhook_host: str = Field(default="127.0.0.1", validation_alias="WEBHOOK_HOST")
    webhook_port: int = Field(default=8443, validation_alias="WEBHOOK_PORT")
    webhook_path: str = Field(default="/telegram/webhook", validation_alias="WEBHOOK_PATH")
    public_url: str = Field(default="", validation_alias="PUBLIC_URL")
    web_host: str = Field(default="127.0.0.1", validation_alias="WEB_HOST")
    web_port: int = Field(default=8080, validation_alias="WEB_PORT")
    company_name: str = Field(default="", validation_alias="COMPANY_NAME")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="TRUSTED_PROXIES")
    discount_limit: int = Field(default=10, ge=0, le=90, validation_alias="DISCOUNT_LIMIT")
    link_days: int = Field(default=30, ge=1, le=365, validation_alias="LINK_VALIDITY_DAYS")
    max_concurrent_updates: int = Field(default=64, validation_alias="KAMENG_MAX_CONCURRENT")
    flood_limit: int = Field(default=20, validation_alias="KAMENG_FLOOD_LIMIT")
    flood_window_seconds: float = Field(default=10.0, validation_alias="KAMENG_FLOOD_WINDOW")

    @field_validator("admin_ids", "sales_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> list[int]:
        try:
            return _ids(value)
        except ValueError:
            raise ValueError("expected Telegram user ids separated by commas") from None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> list[str]:
        """"127.0.0.1, 10.0.0.0/8" → checked addresses/networks (X-Forwarded-For is
        believed only from these)."""
        entries = value if isinstance(value, list) else str(value or "").replace(
            ",", " ").split()
        for entry in entries:
            try:
                ipaddress.ip_network(str(entry), strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry}") from None
        return [str(entry) for entry in entries]

    @field_validator("telegram_api_base", "public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def token(self) -> str:
        """The bot token, checked for shape (never logged)."""
        token = self.telegram_bot_token.get_secret_value().strip()
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
        if not TOKEN_SHAPE.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<secret> "
                              "as given by @BotFather")
        return token


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment / .env, with command-line overrides."""
    try:
        given: dict[str, Any] = {key: value for key, value in overrides.items()
                                 if value is not None}
        return Settings(**given)
    except ValueError as error:
        # pydantic's message is long; keep its first error, naming the variable.
        first = str(error).splitlines()
        detail = " ".join(line.strip() for line in first[1:3]) if len(first) > 2 else str(error)
        raise ConfigError(f"invalid configuration: {detail}") from None
