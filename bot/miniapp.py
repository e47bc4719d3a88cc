"""The Telegram Mini App configurator: GET /app (the page) and its JSON API on aiohttp.

Served beside the quote pages (bot/web.py) by `kameng serve` and by `kameng bot` when a bot
token is configured. Every API request carries the page's `Telegram.WebApp.initData`,
checked as Telegram documents (core.telegram.org/bots/webapps#validating-data-received-via-
the-mini-app) with aiogram's `aiogram.utils.web_app` helpers: HMAC-SHA256 over the sorted
fields with the key HMAC_SHA256("WebAppData", bot token), compared in constant time, and
`auth_date` no older than MINIAPP_MAX_AGE (24 h by default). Only then is the Telegram user
known; nothing the page says about who it is counts otherwise.

- POST /app/api/me     → the merchant's current answers as the page's controls (估算 marked)
- POST /app/api/quote  → {"quote": …} exactly as `kameng quote --json` for that inquiry, plus
                         "view" (the figures in words) and "values" (estimates filled in)
- POST /app/api/save   → {"id", "version"}: saved through the dialogue (a new version of the
                         quote on the table) and the quote with its buttons sent to the chat

401 for a missing, forged or expired init_data; 400 with {"error": …} in the user's language
for a bad body or inquiry; 413 past BODY_LIMIT; 429 past the per-user rate; never a
traceback. The page's own assets are ours (bot/static/); only Telegram's
telegram-web-app.js comes from elsewhere, and the page works without it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiogram.utils.web_app import WebAppInitData, WebAppUser, safe_parse_webapp_init_data
from aiohttp import web

from bot import render
from bot.render import (
    BASE_LINES,
    describe,
    describe_assumption,
    describe_budget,
    environment,
    format_change,
    format_money_range,
    format_span,
)
from bot.services.configurator import (
    FIELDS,
    HAS_HOURS,
    HOUR_CHOICES,
    OptionError,
    Saver,
    SaveRequest,
    page_values,
    resolve,
)
from bot.storage.store import Store, StoreError
from bot.tg.base import CHANNEL
from dialogs.engine import Engine
from dialogs.state import DialogState, StateError
from dialogs.steps import STEP_BY_FIELD
from locales.i18n import SUPPORTED, Translator, resolve_locale, translator
from pricing import Quote, quote
from pricing.serialize import quote_to_dict

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
STATIC_FILES = {"miniapp.js": "application/javascript", "miniapp.css": "text/css"}
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
BODY_LIMIT = 16 * 1024  # bytes of JSON a request may carry (a real one is ~1 KB)
INIT_DATA_LIMIT = 8 * 1024  # characters of init_data (Telegram's are well under 1 KB)
CLOCK_SKEW = 300  # seconds an auth_date may lie in the future (clocks differ)
# Telegram's web clients frame the page; everything else may not.
FRAME_ANCESTORS = ("https://web.telegram.org https://webk.telegram.org "
                   "https://webz.telegram.org")
APP_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {FRAME_ANCESTORS}"),
}


# --- initData ---------------------------------------------------------------------------

class InitDataError(ValueError):
    """init_data is missing, malformed, forged or too old (`reason` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_init_data(init_data: object, token: str, *, max_age: float,
                    now: float | None = None) -> WebAppInitData:
    """The signed init data of a Mini App, or InitDataError. The signature is aiogram's
    check (constant time); freshness is ours: `auth_date` within `max_age` seconds (a
    replay inside the window is accepted, as Telegram's design intends: the page reuses
    its initData for every request)."""
    if not isinstance(init_data, str) or not init_data:
        raise InitDataError("missing")
    if len(init_data) > INIT_DATA_LIMIT:
        raise InitDataError("malformed")
    data = _signed(init_data, token)
    if data is None:
        raise InitDataError("forged")
    if data.user is None:
        raise InitDataError("no_user")
    age = (time.time() if now is None else now) - data.auth_date.timestamp()
    if age > max_age:
        raise InitDataError("expired")
    if age < -CLOCK_SKEW:
        raise InitDataError("future")
    return data


_CHECKED: OrderedDict[tuple[str, str], WebAppInitData] = OrderedDict()
CHECKED_KEPT = 2048  # initData strings whose signature was found good, most recent last


def _signed(init_data: str, token: str) -> WebAppInitData | None:
    """aiogram's check and parse, or None for a bad signature. Good ones are remembered:
    the page sends the same initData with every re-price, and a given string's signature
    never changes (its age is checked on every request by the caller). Forgeries are not
    kept, so a flood of them cannot fill the memory."""
    key = (init_data, token)
    found = _CHECKED.get(key)
    if found is not None:
        _CHECKED.move_to_end(key)
        return found
    try:
        data = safe_parse_webapp_init_data(token, init_data)
    except (ValueError, TypeError):  # bad signature, bad query string, bad fields
        return None
    _CHECKED[key] = data
    if len(_CHECKED) > CHECKED_KEPT:
        _CHECKED.popitem(last=False)
    return data


class RateLimit:
    """At most `limit` requests per user in `window` seconds (a sliding window); memory
    bounded to the `max_users` most recent users."""

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic,
                 max_users: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_users = limit, window, clock, max_users
        self.seen: OrderedDict[int, list[float]] = OrderedDict()

    def admit(self, user_id: int) -> bool:
        now = self.clock()
        times = [at for at in self.seen.pop(user_id, []) if now - at < self.window]
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self.seen[user_id] = times
        while len(self.seen) > self.max_users:
            self.seen.popitem(last=False)
        return allowed


# --- the quote in words, for the page ---------------------------------------------------

# Pricing v3 (branch pricing-v3) bills a quote on one plan and states its cover: when the
# renderer has the words for them, the page shows them too (no change needed at the merge).
_HEADLINE = getattr(render, "headline", None)
_COVERAGE = getattr(render, "coverage_line", None)


def quote_view(result: Quote, t: Translator) -> dict[str, Any]:
    """The figures the page shows, already in words (the page does no arithmetic)."""
    billed = getattr(result, "billed", None)  # v3: the plan the merchant is billed on
    return {
        "monthly": format_money_range(billed.monthly if billed else result.monthly, t),
        "plan": (_HEADLINE(result, t) if _HEADLINE and billed
                 else t(f"plan.{result.recommended_plan.value}")),
        "scope": t(f"scope.{result.scope.value}"),
        "coverage": _COVERAGE(result, t) if _COVERAGE and hasattr(result, "coverage") else None,
        "per_order": format_money_range(result.per_order, t),
        "per_hour": t("quote.per_hour", amount=format_money_range(result.per_hour, t),
                      hours=format_span(result.hours_per_month.low,
                                        result.hours_per_month.high, t)),
        "break_even": t("quote.break_even", orders=format_span(
            result.break_even_daily_orders.low, result.break_even_daily_orders.high, t)),
        "lines": [{"label": describe("line", item.code, item.params, t),
                   "amount": (format_money_range(item.amount, t) if item.code in BASE_LINES
                              else format_change(item.amount, t)),  # as the chat's quote
                   "estimated": item.provenance != "article"} for item in result.line_items],
        "recommendations": [describe("rec", n.code, n.params, t)
                            for n in result.recommendations],
        "warnings": [describe("warn", n.code, n.params, t) for n in result.warnings],
        "budget": describe_budget(result.budget_fit, t) if result.budget_fit else None,
        "assumptions": [describe_assumption(key, t) for key in result.assumptions],
    }


@lru_cache(maxsize=1)
def page_strings() -> dict[str, dict[str, Any]]:
    """Every word the page shows, per language, from the catalogs: the page picks one at
    once (from Telegram's language_code) and the API confirms the stored choice."""
    strings: dict[str, dict[str, Any]] = {}
    for locale in SUPPORTED:
        t = translator(locale)
        options = {name: {option.value: t(f"opt.{name}.{option.value}")
                          for option in STEP_BY_FIELD[name].options}
                   for name in ("kinds", "response", "scope", "tooling", "ai", "mode",
                                "volume", "billing")}
        options["flags"] = {flag: t(f"opt.flags.{flag}") for flag in ("multi_level",
                                                                      "cross_border")}
        options["hours"] = {str(hours): t("app.hours_option", hours=hours)
                            for hours in HOUR_CHOICES}
        fields = {name: t(f"field.{name}") for name in (
            "orders", "kinds", "categories", "flags", "response", "scope", "tooling", "ai",
            "mode", "volume", "billing", "budget")}
        fields["hours"] = t("app.field_hours")
        strings[locale.replace("_", "-")] = {
            "lang": locale.replace("_", "-"),
            "fields": fields, "options": options,
            **{key: t(f"app.{key}") for key in (
                "title", "save", "saving", "saved", "estimate", "estimates_note",
                "monthly", "breakdown", "alternatives", "recommendations", "warnings",
                "budget_none", "open_in_telegram", "offline", "orders_unit", "per_day",
                "categories_unit", "loading", "assumptions")},
            "per_order_label": t("plan.per_order"), "per_hour_label": t("plan.per_hour"),
        }
    return strings


# --- the application --------------------------------------------------------------------

class MiniApp:
    """The page and its API; `add_routes` puts them on an aiohttp application."""

    def __init__(self, store: Store, engine: Engine, token: str, *, max_age: float = 86_400,
                 saver: Saver | None = None, rate: tuple[int, float] = (60, 10.0),
                 save_rate: tuple[int, float] = (5, 60.0)) -> None:
        self.store, self.engine, self.token, self.max_age = store, engine, token, max_age
        self.saver = saver
        self.limits = RateLimit(*rate)
        self.save_limits = RateLimit(*save_rate)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/app", self.page)
        app.router.add_get("/app/static/{name}", self.static)
        app.router.add_post("/app/api/me", self.me)
        app.router.add_post("/app/api/quote", self.quote)
        app.router.add_post("/app/api/save", self.save)

    # --- the page -------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        body = environment().get_template("miniapp.html.j2").render(
            telegram_script=TELEGRAM_SCRIPT, strings=_script_json(page_strings()),
            hours=json.dumps(list(HOUR_CHOICES) if HAS_HOURS else []),
            fields=json.dumps(list(FIELDS)))
        return web.Response(text=body, content_type="text/html", charset="utf-8",
                            headers=APP_HEADERS)

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(body=_static(name), content_type=STATIC_FILES[name],
                            charset="utf-8", headers={**APP_HEADERS,
                                                      "Cache-Control": "no-cache"})

    # --- the API --------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        checked = await self._checked(request)
        if isinstance(checked, web.Response):
            return checked
        user, locale, _ = checked
        try:
            answers = self._current_answers(user.id)
        except StoreError:
            return _error(503, translator(locale)("app.error.busy"))
        values, open_fields = page_values(self.engine, answers)
        try:
            response = self._priced(values, open_fields, locale)
        except OptionError:  # answers stored before a limit changed: start afresh
            values, open_fields = page_values(self.engine, {})
            response = self._priced(values, open_fields, locale)
        return _json({"locale": locale.replace("_", "-"), "estimated": open_fields,
                      **response})

    async def quote(self, request: web.Request) -> web.Response:
        checked = await self._checked(request)
        if isinstance(checked, web.Response):
            return checked
        _, locale, body = checked
        inquiry, estimated = body.get("inquiry"), body.get("estimated") or []
        if not isinstance(inquiry, dict) or not isinstance(estimated, list):
            return _error(400, translator(locale)("app.error.body"))
        try:
            return _json(self._priced(inquiry, [str(name) for name in estimated], locale))
        except OptionError as error:
            return _error(400, _option_message(error, translator(locale)))

    async def save(self, request: web.Request) -> web.Response:
        checked = await self._checked(request, saving=True)
        if isinstance(checked, web.Response):
            return checked
        user, locale, body = checked
        t = translator(locale)
        inquiry, estimated = body.get("inquiry"), body.get("estimated") or []
        if not isinstance(inquiry, dict) or not isinstance(estimated, list):
            return _error(400, t("app.error.body"))
        try:
            resolved = resolve(self.engine, inquiry, [str(name) for name in estimated])
        except OptionError as error:
            return _error(400, _option_message(error, t))
        if self.saver is None:
            return _error(503, t("app.error.no_bot"))
        try:
            saved = await self.saver(SaveRequest(
                user_id=user.id, handle=f"@{user.username}" if user.username else _name(user),
                full_name=_name(user), answers=resolved.answers, locale=locale))
        except StoreError:
            return _error(503, t("app.error.busy"))
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("could not save a Mini App quote [ref %s]", reference)
            return _error(500, t("error.apology", ref=reference))
        return _json({"id": saved.quote_id, "version": saved.version})

    # --- helpers --------------------------------------------------------------------

    def _priced(self, options: dict[str, Any], estimated: list[str],
                locale: str) -> dict[str, Any]:
        resolved = resolve(self.engine, options, estimated)
        result = quote(resolved.inquiry, self.engine.rates)
        return {"quote": quote_to_dict(result), "view": quote_view(result, translator(locale)),
                "values": resolved.values}

    def _current_answers(self, user_id: int) -> dict[str, Any]:
        """The merchant's answers: their dialogue's, else their latest saved quote's."""
        stored = self.store.load_session(CHANNEL, str(user_id))
        if stored is not None:
            try:
                answers = dict(DialogState.from_dict(stored).answers)
            except StateError:
                answers = {}
            if answers:
                return answers
        latest = self.store.quotes(channel=CHANNEL, user_id=str(user_id), limit=1)
        record = self.store.record(latest[0].id) if latest else None
        return record.answers() if record is not None else {}

    async def _checked(self, request: web.Request, *, saving: bool = False
                       ) -> web.Response | tuple[WebAppUser, str, dict[str, Any]]:
        """The body, its signed user and their language; or the error response."""
        fallback = translator(_accepted_language(request))
        if request.content_length is not None and request.content_length > BODY_LIMIT:
            return _error(413, fallback("app.error.too_large"))
        raw = b""
        while len(raw) <= BODY_LIMIT:  # read() returns what has arrived: up to the cap
            chunk = await request.content.read(BODY_LIMIT + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
        if len(raw) > BODY_LIMIT:
            return _error(413, fallback("app.error.too_large"))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return _error(400, fallback("app.error.body"))
        if not isinstance(body, dict):
            return _error(400, fallback("app.error.body"))
        try:
            data = check_init_data(body.get("init_data"), self.token, max_age=self.max_age)
        except InitDataError as error:
            key = "app.error.expired" if error.reason == "expired" else "app.error.unauthorized"
            return _error(401, fallback(key), error.reason)
        user = data.user
        assert user is not None
        try:
            stored = self.store.user_locale(CHANNEL, str(user.id))
        except StoreError:
            stored = None
        locale = resolve_locale(stored, user.language_code)
        limits = self.save_limits if saving else self.limits
        if not limits.admit(user.id):
            return _error(429, translator(locale)("app.error.rate"))
        return user, locale, body


def _name(user: WebAppUser) -> str:
    return " ".join(part for part in (user.first_name, user.last_name) if part) or str(user.id)


def _accepted_language(request: web.Request) -> str:
    """Before the user is known (a bad request, a forged init_data): the browser's
    Accept-Language, which Telegram's webview sets from the app's language."""
    tags = [part.split(";")[0].strip() for part in
            request.headers.get("Accept-Language", "")[:200].split(",")]
    return resolve_locale(*tags[:5])


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: no "</script>" can close it early."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _static(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def _json(data: dict[str, Any]) -> web.Response:
    return web.json_response(data, dumps=lambda value: json.dumps(
        value, ensure_ascii=False, default=_default), headers=APP_HEADERS)


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:f}"
    raise TypeError(type(value).__name__)


def _error(status: int, message: str, reason: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if reason is not None:
        body["reason"] = reason
    return web.json_response(body, status=status, headers=APP_HEADERS,
                             dumps=lambda value: json.dumps(value, ensure_ascii=False))


def _option_message(error: OptionError, t: Translator) -> str:
    """An invalid field in the user's language, naming the control as the page does."""
    name = "flags" if error.field in ("multi_level", "cross_border") else error.field
    field = t("app.field_hours") if name == "hours" else (
        t(f"field.{name}") if t.has(f"field.{name}") else name)
    key = {"orders": "app.error.orders", "categories": "app.error.categories",
           "budget": "app.error.budget"}.get(name, "app.error.field")
    if error.code == "unknown_field":
        key = "app.error.unknown_field"
    return t(key, field=field)
