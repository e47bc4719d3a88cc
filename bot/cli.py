"""`kameng`: the command line, a thin layer over the library.

Library errors become one localized line on stderr and exit code 2; no traceback reaches a
user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from bot.config import DEFAULT_DB
from bot.inquiry_options import KIND_CHOICES, KINDS
from bot.storage.status import QuoteStatus
from locales.i18n import Translator, normalize_locale, translator

# Only what every command needs is imported here: `kameng quote --json` must start in a few
# tens of milliseconds, so the dialogue engine, SQLite, the renderer, the frameworks and the
# settings are imported by the commands that use them.
if TYPE_CHECKING:
    from bot.config import ConfigError, Settings
    from bot.services.renewals import Renewals
    from bot.storage.store import Store, StoreError
    from bot.web import Networks
    from dialogs.company import Company
    from pricing import Inquiry, Rates

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_PIPE = 141  # what a shell reports for a writer whose reader closed the pipe (SIGPIPE)

# Option spellings on the command line use dashes; the core's codes use underscores.
# --kinds (and --special, the older spelling) take the names in bot/inquiry_options.py.
EXPORT_FORMATS = ("csv", "json", "xlsx")
# Every status a quote can have: the words and their rules are in bot/storage/status.py.
STATUSES = tuple(status.value for status in QuoteStatus)
# What argparse says (Python 3.11+), by its English text → our catalog key, so that its
# own messages speak the chosen language like every other line.
ARGPARSE_MESSAGES = {
    "usage: ": "argparse.usage",
    "positional arguments": "argparse.positionals",
    "options": "argparse.options",
    "show this help message and exit": "argparse.help",
    "show program's version number and exit": "argparse.version",
    "the following arguments are required: %s": "argparse.required",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "expected one argument": "argparse.expected_one",
    "expected at least one argument": "argparse.expected_at_least_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "ignored explicit argument %r": "argparse.ignored",
    "invalid %(type)s value: %(value)r": "argparse.invalid_type",
    "not allowed with argument %s": "argparse.not_allowed",
    "one of the arguments %s is required": "argparse.one_required",
}


class UsageError(Exception):
    """Bad command-line input; the message is already localized."""


class ArgumentsError(UsageError):
    """argparse's own complaint (unknown option, missing value); wrapped in a localized line."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing its English usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentsError(message)


def _choices(enum: type[StrEnum]) -> list[str]:
    return [member.value.replace("_", "-") for member in enum]


@contextmanager
def argparse_speaks(t: Translator) -> Iterator[None]:
    """argparse's own words (usage, errors, section titles) through our catalogs."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def gettext(message: str) -> str:
        key = ARGPARSE_MESSAGES.get(message)
        return t(key) if key else message

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class _Version(argparse.Action):
    """--version: the package, its rates, its database schema, Python; read only when asked."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    """"kameng-quote 0.1.0 (rates 2026-11, database schema 3, Python 3.11.7)"."""
    from importlib.metadata import PackageNotFoundError, version

    from bot.config import ConfigError, load_settings
    from bot.storage.store import SCHEMA_VERSION
    from pricing import RatesError, load_rates

    try:
        package = version("kameng-quote")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        package = "unknown"
    try:  # the rates this installation prices with (KAMENG_RATES), else the packaged ones
        rates = load_rates(load_settings().rates or None).version
    except (ConfigError, RatesError):
        rates = load_rates().version
    python = ".".join(str(part) for part in sys.version_info[:3])
    return (f"kameng-quote {package} (rates {rates}, database schema {SCHEMA_VERSION}, "
            f"Python {python})")


def build_parser(t: Translator | None = None) -> argparse.ArgumentParser:
    from pricing import AiChoice, Billing, Response, Scope, ServiceMode, Tooling, VolumePattern

    t = t or translator()
    with argparse_speaks(t):
        return _build_parser(t, {"response": Response, "scope": Scope, "tooling": Tooling,
                                 "ai": AiChoice, "volume": VolumePattern,
                                 "mode": ServiceMode, "billing": Billing})


def _build_parser(t: Translator, enums: dict[str, type[StrEnum]]) -> argparse.ArgumentParser:
    def h(key: str, **params: object) -> str:
        return t(f"cli.help.{key}", **params)

    def common(command: argparse.ArgumentParser, *, db: bool = True) -> None:
        if db:
            command.add_argument("--db", default=None, help=h("db", default=DEFAULT_DB))
        command.add_argument("--lang", default=None, help=h("lang"))

    parser = _Parser(prog="kameng", description=h("description"))
    parser.add_argument("--version", action=_Version, help=h("version"))
    # Also accepted before the command (`kameng --lang en quote …`); read by choose_locale.
    parser.add_argument("--lang", dest="top_lang", default=None, help=h("lang"))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                     title=h("commands"), metavar="COMMAND")

    q = commands.add_parser("quote", help=h("cmd.quote"), description=h("cmd.quote"))
    q.add_argument("--orders", required=True, help=h("orders"))
    q.add_argument("--categories", default="1", help=h("categories"))
    for option, default in (("response", "standard"), ("scope", "auto"), ("tooling", "none"),
                            ("ai", "no")):
        q.add_argument(f"--{option}", default=default, help="|".join(_choices(enums[option])))
    q.add_argument("--kinds", action="append", default=[], help=h("kinds"))
    q.add_argument("--special", action="append", default=[], dest="kinds", help=h("special"))
    q.add_argument("--cross-border", action="store_true", help=h("cross_border"))
    q.add_argument("--multi-level", action="store_true", help=h("multi_level"))
    for option, default in (("volume", "steady"), ("mode", "outsourced"),
                            ("billing", "compare")):
        q.add_argument(f"--{option}", default=default, help="|".join(_choices(enums[option])))
    q.add_argument("--budget", default=None, help=h("budget"))
    q.add_argument("--hours", default=None, help=h("hours"))
    q.add_argument("--json", action="store_true", help=h("json"))
    q.add_argument("--rates", default=None, help=h("rates"))
    common(q, db=False)
    q.set_defaults(handler=cmd_quote)

    c = commands.add_parser("chat", help=h("cmd.chat"), description=h("cmd.chat"))
    c.add_argument("--rates", default=None, help=h("rates"))
    c.add_argument("--user", default=None, help=h("user"))
    common(c)
    c.set_defaults(handler=cmd_chat)

    hi = commands.add_parser("history", help=h("cmd.history"), description=h("cmd.history"))
    hi.add_argument("--json", action="store_true", help=h("json"))
    hi.add_argument("--limit", default="20", help=h("limit"))
    common(hi)
    hi.set_defaults(handler=cmd_history)

    ho = commands.add_parser("handoffs", help=h("cmd.handoffs"), description=h("cmd.handoffs"))
    ho.add_argument("--json", action="store_true", help=h("json"))
    ho.add_argument("--limit", default="20", help=h("limit"))
    common(ho)
    ho.set_defaults(handler=cmd_handoffs)

    le = commands.add_parser("leads", help=h("cmd.leads"), description=h("cmd.leads"))
    le.add_argument("--json", action="store_true", help=h("json"))
    le.add_argument("--limit", default="20", help=h("limit"))
    common(le)
    le.set_defaults(handler=cmd_leads)

    b = commands.add_parser("bot", help=h("cmd.bot"), description=h("cmd.bot"))
    b.add_argument("--framework", default=None, help="aiogram|ptb (KAMENG_FRAMEWORK)")
    b.add_argument("--webhook", action="store_true", help=h("webhook"))
    b.add_argument("--rates", default=None, help=h("rates"))
    common(b)
    b.set_defaults(handler=cmd_bot)

    w = commands.add_parser("serve", help=h("cmd.serve"), description=h("cmd.serve"))
    w.add_argument("--host", default=None, help=h("host"))
    w.add_argument("--port", default=None, help=h("port"))
    common(w)
    w.set_defaults(handler=cmd_serve)

    k = commands.add_parser("link", help=h("cmd.link"), description=h("cmd.link"))
    k.add_argument("quote_id", help=h("quote_id"))
    k.add_argument("--revoke", action="store_true", help=h("revoke"))
    common(k)
    k.set_defaults(handler=cmd_link)

    x = commands.add_parser("export", help=h("cmd.export"), description=h("cmd.export"))
    x.add_argument("--format", default="csv", help="|".join(EXPORT_FORMATS))
    x.add_argument("--since", default=None, help=h("since"))
    x.add_argument("--until", default=None, help=h("until"))
    x.add_argument("--status", default=None, help="|".join(STATUSES))
    x.add_argument("--out", default=None, help=h("out"))
    x.add_argument("--force", action="store_true", help=h("force"))
    common(x)
    x.set_defaults(handler=cmd_export)

    g = commands.add_parser("config", help=h("cmd.config"), description=h("cmd.config"))
    g.add_argument("--json", action="store_true", help=h("json"))
    g.add_argument("--check", action="store_true", help=h("check"))
    common(g, db=False)
    g.set_defaults(handler=cmd_config)

    bk = commands.add_parser("backup", help=h("cmd.backup"), description=h("cmd.backup"))
    bk.add_argument("path", help=h("backup_path"))
    bk.add_argument("--force", action="store_true", help=h("force_backup"))
    common(bk)
    bk.set_defaults(handler=cmd_backup)

    fu = commands.add_parser("followups", help=h("cmd.followups"),
                             description=h("cmd.followups"))
    fu.add_argument("--now", default=None, help=h("now"))
    fu.add_argument("--json", action="store_true", help=h("json"))
    common(fu)
    fu.set_defaults(handler=cmd_followups)

    br = commands.add_parser("browse", help=h("cmd.browse"), description=h("cmd.browse"))
    br.add_argument("--host", default=None, help=h("browse_host"))
    br.add_argument("--port", default=None, help=h("browse_port"))
    br.add_argument("--hash-password", action="store_true", help=h("hash_password"))
    common(br)
    br.set_defaults(handler=cmd_browse)

    rs = commands.add_parser("restore", help=h("cmd.restore"), description=h("cmd.restore"))
    rs.add_argument("path", help=h("restore_path"))
    rs.add_argument("--force", action="store_true", help=h("force_restore"))
    common(rs)
    rs.set_defaults(handler=cmd_restore)
    return parser


def _whole(t: Translator, key: str, text: str, maximum: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(t(key, value=text)) from None
    if not 1 <= value <= maximum:
        raise UsageError(t(key, value=text))
    return value


def inquiry_from_args(args: argparse.Namespace, t: Translator) -> Inquiry:
    """The options as plain values; pricing's Inquiry.from_codes checks them (the same
    check as for the dialogue and stored quotes) and we only put its verdict in words."""
    from pricing import Inquiry, InquiryError
    from pricing.model import CHOICE_FIELDS

    kinds = set()
    for given in args.kinds:
        for name in given.split(","):
            key = name.strip().lower().replace("_", "-")
            if key not in KINDS:
                raise UsageError(t("cli.error.choice", option="--kinds", value=name.strip(),
                                   choices=KIND_CHOICES))
            kinds.add(KINDS[key])
    values = {"daily_orders": args.orders, "categories": args.categories,
              "product_kinds": kinds, "multi_level": args.multi_level,
              "cross_border": args.cross_border, "budget": args.budget, "hours": args.hours,
              **{name: getattr(args, name) for name in CHOICE_FIELDS}}
    try:
        inquiry = Inquiry.from_codes(values)
    except InquiryError as error:
        field = error.field
        given = values[field]
        if field in CHOICE_FIELDS:
            raise UsageError(t("cli.error.choice", option=f"--{field}", value=given,
                               choices=", ".join(_choices(CHOICE_FIELDS[field])))) from None
        if field == "hours":
            raise UsageError(t("cli.error.choice", option="--hours", value=given,
                               choices="8, 16, 24")) from None
        key = {"daily_orders": "cli.error.orders", "categories": "cli.error.categories",
               "budget": "cli.error.budget"}.get(field, "cli.error.usage")
        raise UsageError(t(key, value=given, detail=str(error))) from None
    return inquiry


# --- settings, the database, the rates: one way for every command ----------------------

def config_message(t: Translator, error: ConfigError) -> str:
    """A configuration error as one line in the chosen language."""
    params = dict(error.params)
    if error.expected is not None:
        key, values = error.expected
        params["expected"] = t(key, **values)
    if "source" in params:
        params["source"] = source_name(t, str(params["source"]))
    return t("bot.error.config", detail=t(error.key, **params))


def source_name(t: Translator, source: str) -> str:
    """"environment" → 环境变量; a .env path stays a path."""
    key = f"config.source.{source.replace(' ', '_')}"
    return t(key) if t.has(key) else source


def settings_from(t: Translator, **overrides: Any) -> Settings:
    """The settings (environment, then .env, then defaults), with command-line overrides;
    a bad value is one localized line."""
    from bot.config import ConfigError, load_settings

    try:
        return load_settings(**overrides)
    except ConfigError as error:
        raise UsageError(config_message(t, error)) from None


def company_from(t: Translator, settings: Settings | None = None) -> Company:
    """The company file (COMPANY_FILE over the packaged defaults); a mistake is one
    localized line and exit code 2."""
    from bot.company import load_company, with_name
    from bot.config import ConfigError

    chosen = settings or settings_from(t)
    try:
        return with_name(load_company(chosen.company_file), chosen.company_name)
    except ConfigError as error:
        raise UsageError(config_message(t, error)) from None


def rates_from(path: str | None, t: Translator) -> Rates:
    """The operator's rates file (--rates, else KAMENG_RATES), else the packaged default."""
    from pricing import RatesError, load_rates

    chosen = path if path is not None else settings_from(t).rates
    try:
        return load_rates(chosen or None)
    except RatesError as error:
        raise UsageError(t("cli.error.rates", detail=str(error))) from None


def cmd_quote(args: argparse.Namespace, t: Translator) -> int:
    from pricing import quote

    inquiry = inquiry_from_args(args, t)
    rates = rates_from(args.rates, t)
    result = quote(inquiry, rates)
    if args.json:
        from pricing.serialize import quote_to_dict

        print(json.dumps(quote_to_dict(result), ensure_ascii=False, indent=2))
    else:
        from bot.render import render_quote_text

        print(render_quote_text(result, t.locale))
    return 0


def open_store(path: str | None, t: Translator, *, create: bool = False) -> Store:
    """The SQLite store: --db, else KAMENG_DB (environment, then .env), else ./kameng.db.

    Only commands that make data (`chat`, `bot`) create a missing file: elsewhere a typo
    in a path is refused rather than answered from a new, empty database."""
    from bot.storage.store import Store, StoreError

    chosen = path or settings_from(t).db
    if not create and chosen != ":memory:" and not Path(chosen).is_file():
        raise UsageError(t("cli.error.no_db", path=chosen))
    try:
        return Store(chosen)
    except StoreError as error:
        raise db_error(t, error) from None


def db_error(t: Translator, error: StoreError) -> UsageError:
    """The one line for a database problem: a damaged file says how to recover it, a newer
    one says to upgrade, anything else what SQLite said."""
    from bot.storage.store import SCHEMA_VERSION, DamagedDatabaseError, NewerDatabaseError

    if isinstance(error, DamagedDatabaseError):
        return UsageError(t("cli.error.db_damaged", path=error.path, detail=error.detail))
    if isinstance(error, NewerDatabaseError):
        return UsageError(t("cli.error.db_newer", path=error.path, version=error.version,
                            known=SCHEMA_VERSION))
    return UsageError(t("cli.error.db", detail=str(error)))


def cmd_chat(args: argparse.Namespace, t: Translator) -> int:
    from bot.terminal import CHANNEL, TerminalChat, stdin_lines, terminal_user
    from dialogs.engine import Engine

    company = settings_from(t).company_name  # a bad setting: one line, before anything
    store = open_store(args.db, t, create=True)
    rates = rates_from(args.rates, t)
    user = args.user or terminal_user()
    locale = (normalize_locale(args.lang) if args.lang else None) or store.user_locale(
        CHANNEL, user) or t.locale
    business = company_from(t)
    chat = TerminalChat(Engine(rates, company=business), store, user_id=user, locale=locale,
                        out=sys.stdout, company=company)
    interactive = sys.stdin.isatty()
    try:
        return chat.run(stdin_lines(sys.stdin, interactive=interactive))
    finally:
        store.close()


def cmd_history(args: argparse.Namespace, t: Translator) -> int:
    from dataclasses import asdict

    limit = _whole(t, "cli.error.limit", args.limit, 1_000_000)
    store = open_store(args.db, t)
    try:
        saved = store.quotes(limit=limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps([asdict(row) for row in saved], ensure_ascii=False, indent=2))
        return 0
    if not saved:
        print(t("history.empty"))
        return 0
    print(t("history.header"))
    for row in saved:
        print(t("history.row", id=row.id, time=row.created_at.replace("T", " ")[:16],
                orders=f"{row.daily_orders:,}", low=f"{Decimal(row.monthly_low):,.0f}",
                high=f"{Decimal(row.monthly_high):,.0f}", channel=row.channel,
                user=row.user_id))
    return 0


def cmd_handoffs(args: argparse.Namespace, t: Translator) -> int:
    """Requests for a person (转人工), newest first: from the terminal, where nobody is
    notified, and from Telegram, where SALES_IDS were."""
    from bot.render import html_to_text
    from bot.services.quotes import handoff_context
    from dialogs.engine import Engine
    from dialogs.state import DialogState
    from pricing import load_rates

    limit = _whole(t, "cli.error.limit", args.limit, 1_000_000)
    store = open_store(args.db, t)
    try:
        found = store.handoffs(limit=limit)
        quotes = {row["quote_id"]: store.record(row["quote_id"]) for row in found
                  if row.get("quote_id")}
    finally:
        store.close()
    for row in found:
        row["answers"] = json.loads(row.get("answers") or "{}")
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(t("handoffs.empty"))
        return 0
    engine = Engine(load_rates())  # the answers in words, as sales read them in Telegram
    for row in found:
        answers = engine.summary_text(DialogState(locale=t.locale, answers=row["answers"]))
        print(t("handoffs.row", id=row["id"], time=str(row["created_at"]).replace("T", " ")[:16],
                channel=row["channel"], handle=row["handle"] or row["user_id"],
                answers="" if answers else "-"))
        context = handoff_context(quotes.get(row.get("quote_id")), row.get("question") or "", t)
        for line in [*answers.splitlines(), *context.splitlines()]:
            print(t("handoffs.detail", line=html_to_text(line)))
    return 0


def cmd_leads(args: argparse.Namespace, t: Translator) -> int:
    """Contacts merchants left under a quote (✅ 我要这个方案), newest first, with the quote
    version, its price and their words."""
    from bot.render import html_to_text
    from dialogs import quote_talk

    limit = _whole(t, "cli.error.limit", args.limit, 1_000_000)
    store = open_store(args.db, t)
    try:
        found = store.leads(limit=limit)
        records = {row["quote_id"]: store.record(row["quote_id"]) for row in found}
    finally:
        store.close()
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(t("leads.empty"))
        return 0
    for row in found:
        record = records.get(row["quote_id"])
        price = html_to_text(quote_talk.headline(record.quote(), t)) if record else "-"
        print(t("leads.row", id=row["id"], time=str(row["created_at"]).replace("T", " ")[:16],
                channel=row["channel"], handle=row["handle"] or row["user_id"],
                contact=row["contact"], ref=record.reference if record else "-",
                version=record.version if record else "-", price=price,
                words=row["words"] or "-"))
    return 0


def cmd_bot(args: argparse.Namespace, t: Translator) -> int:
    from bot.app import build_app, serve, setup_logging
    from bot.card import FONT_PACKAGE, CardFontError
    from bot.config import ConfigError
    from bot.storage.store import StoreError
    from bot.tg.base import StartupError

    if args.framework and args.framework not in ("aiogram", "ptb"):
        raise UsageError(t("cli.error.choice", option="--framework", value=args.framework,
                           choices="aiogram, ptb"))
    settings = settings_from(t, framework=args.framework, db=args.db, rates=args.rates)
    try:
        token = settings.token()
    except ConfigError as error:
        raise UsageError(config_message(t, error)) from None
    if args.webhook and not settings.webhook_secret.get_secret_value():
        raise UsageError(t("bot.error.config", detail=t("config.error.webhook_secret")))
    setup_logging(settings.log_level, [token, settings.webhook_secret.get_secret_value()])
    rates = rates_from(settings.rates, t)  # a broken rates file is one line, like elsewhere
    company_from(t, settings)  # so is a broken company file
    _announce(rates.version, settings.framework)
    try:
        app = build_app(settings, token)
    except StoreError as error:
        raise db_error(t, error) from None
    except CardFontError:
        raise UsageError(t("card.no_font", package=FONT_PACKAGE)) from None
    try:
        _run(serve(app, webhook=args.webhook))
    except StartupError as error:
        if error.reason == "webhook_refused":
            raise UsageError(t("bot.error.webhook_refused", url=settings.webhook_url,
                               detail=error.detail)) from None
        key = "bot.error.rejected" if error.reason == "rejected" else "bot.error.unreachable"
        raise UsageError(t(key, base=settings.telegram_api_base)) from None
    except OSError as error:  # a port taken, a host that does not resolve: exit 2, as
        import errno  # a setting to fix (systemd does not restart on 2)
        import socket

        if isinstance(error, socket.gaierror):
            raise UsageError(t("cli.error.listen_host", detail=error.strerror or str(error))
                             ) from None
        if error.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        raise UsageError(t("cli.error.listen_any", detail=error.strerror or str(error))
                         ) from None
    return 0


def _announce(rates_version: str, framework: str) -> None:
    """What is running: kameng_build_info in /metrics, and the start-up log line."""
    from importlib.metadata import PackageNotFoundError, version

    from bot import metrics
    from bot.storage.store import SCHEMA_VERSION

    try:
        package = version("kameng-quote")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        package = "unknown"
    metrics.set_build(version=package, rates=rates_version, schema=str(SCHEMA_VERSION),
                      framework=framework)


def _run(coroutine: Any) -> Any:
    import asyncio

    return asyncio.run(coroutine)


def cmd_serve(args: argparse.Namespace, t: Translator) -> int:
    import asyncio
    import signal

    from bot.card import FONT_PACKAGE, CardFontError
    from bot.web import serve_web

    settings = settings_from(t, db=args.db)
    _announce(rates_from(settings.rates, t).version, "serve")
    business = company_from(t, settings)
    host = args.host or settings.web_host
    port = _whole(t, "cli.error.port", args.port, 65535) if args.port else settings.web_port
    proxies = _trusted_proxies(settings, t)
    store = open_store(args.db, t)
    renewals = _renewals(settings, store, t)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        bot = _bot_for_miniapp(settings)
        try:
            runner = await serve_web(store, host, port, notify=_notifier(settings),
                                     trusted_proxies=proxies,
                                     public_url=settings.public_url,
                                     company=settings.company_name, business=business,
                                     header_timeout=settings.header_timeout,
                                     max_connections=settings.max_connections,
                                     metrics_route=settings.page_metrics(),
                                     renewals=renewals,
                                     miniapp=_miniapp_for(bot) if bot else None)
        except CardFontError:
            raise UsageError(t("card.no_font", package=FONT_PACKAGE)) from None
        except OSError as error:
            raise UsageError(t("cli.error.listen", host=host, port=port,
                               detail=error.strerror or str(error))) from None
        probe = None
        if settings.metrics_port:  # /metrics (and /healthz) on a private listener
            from bot.metrics import serve_metrics

            try:
                probe = await serve_metrics(store, settings.metrics_host,
                                            settings.metrics_port)
            except OSError as error:
                await runner.cleanup()
                raise UsageError(t("cli.error.listen", host=settings.metrics_host,
                                   port=settings.metrics_port,
                                   detail=error.strerror or str(error))) from None
        print(t("cli.serving", url=f"http://{host}:{port}/q/<token>"), flush=True)
        await stop.wait()
        await runner.cleanup()
        if probe is not None:
            await probe.cleanup()
        if bot is not None:
            await bot.frontend.close()
            bot.store.close()

    try:
        _run(run())
    finally:
        store.close()
    return 0


def _renewals(settings: Settings, store: Store, t: Translator) -> Renewals:
    """请求新报价 on the pages `kameng serve` serves: the owner is told through the Bot API
    (with a token) and answers in the running bot."""
    from bot.services.links import LinkSettings
    from bot.services.quotes import QuoteDesk
    from bot.services.renewals import Renewals
    from bot.services.staff import Staff
    from dialogs.engine import Engine

    staff = Staff(settings.sales_ids, settings.admin_ids)
    engine = Engine(rates_from(settings.rates, t))
    links = LinkSettings(store.get_meta("bot_username") or "", settings.public_url,
                         settings.link_days)
    desk = QuoteDesk(store, engine, staff, links, settings.discount_limit)
    return Renewals(store, engine, staff, links, desk, settings.renewal)


def _bot_for_miniapp(settings: Settings) -> Any:
    """With a bot token, `kameng serve` serves the Mini App too (/app): the token checks
    its signed initData, and 保存报价 goes through the bot's own conversation, which sends
    the quote to the merchant's chat (no polling here: the bot process answers them)."""
    from bot.app import build_app
    from bot.config import ConfigError

    try:
        token = settings.token()
    except ConfigError:
        return None
    bot = build_app(settings, token)
    bot.conversation.set_bot_username(bot.store.get_meta("bot_username") or "")
    return bot


def _miniapp_for(bot: Any) -> Any:
    from bot.app import miniapp_for

    return miniapp_for(bot)


def _trusted_proxies(settings: Settings, t: Translator) -> Networks:
    """TRUSTED_PROXIES: X-Forwarded-For is believed only from these."""
    from bot.web import parse_networks

    try:
        return parse_networks(settings.trusted_proxies)
    except ValueError as error:
        raise UsageError(t("bot.error.config", detail=str(error))) from None


def _notifier(settings: Settings) -> Callable[[int, str], Any] | None:
    """With a bot token configured, `kameng serve` tells salespeople when a page is opened."""
    from bot.config import ConfigError
    from bot.notify import BotApiNotifier

    try:
        return BotApiNotifier(settings.token(), settings.telegram_api_base)
    except ConfigError:
        return None


def cmd_link(args: argparse.Namespace, t: Translator) -> int:
    from bot.services.links import deep_link, web_link

    quote_id = _whole(t, "cli.error.quote_id", args.quote_id, 10**12)
    settings = settings_from(t, db=args.db)
    store = open_store(args.db, t)
    try:
        record = store.record(quote_id)
        if record is None:
            raise UsageError(t("cli.error.quote_id", value=args.quote_id))
        if args.revoke:
            done = store.revoke(quote_id)
            print(t("staff.revoked" if done else "staff.nothing_to_revoke", id=quote_id))
            return 0
        dead = store.link_state(record) if record.token else "ok"
        token = store.share(quote_id, days=settings.link_days)
        if dead in ("expired", "revoked"):  # never print a dead link without a word
            print(t(f"link.replaced_{dead}", id=quote_id, date=(record.expires_at or "")[:10],
                    days=settings.link_days), file=sys.stderr)
        username = store.get_meta("bot_username") or _ask_bot_username(settings, store)
        if username is None:
            print(t("link.no_username"), file=sys.stderr)
        print(deep_link(username or "<bot_username>", token))
        print(web_link(settings.public_url, token) or t("link.no_web"))
        return 0
    finally:
        store.close()


def _ask_bot_username(settings: Settings, store: Store) -> str | None:
    """The bot records its username when it starts; before that, ask Telegram (getMe)
    when a token is configured, and remember the answer."""
    from bot.config import ConfigError
    from bot.notify import bot_username

    try:
        token = settings.token()
    except ConfigError:
        return None
    username = _run(bot_username(token, settings.telegram_api_base))
    if username:
        store.set_meta("bot_username", username)
    return str(username) if username else None


def cmd_export(args: argparse.Namespace, t: Translator) -> int:
    from bot.storage.backup import special_file
    from bot.storage.export import write_csv, write_json, write_xlsx
    from bot.storage.views import Filters, count_rows, rows

    fmt = args.format.strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise UsageError(t("cli.error.choice", option="--format", value=args.format,
                           choices=", ".join(EXPORT_FORMATS)))
    for option, value in (("--since", args.since), ("--until", args.until)):
        if value is not None and not _is_date(value):
            raise UsageError(t("cli.error.date", option=option, value=value))
    status = args.status.strip().lower().replace("-", "_") if args.status else None
    if status is not None and status not in STATUSES:
        raise UsageError(t("cli.error.choice", option="--status", value=args.status,
                           choices=", ".join(STATUSES)))
    if fmt == "xlsx" and not args.out:
        raise UsageError(t("cli.error.xlsx_out"))
    if args.out and special_file(args.out):  # /dev/null, a FIFO: never, even with --force
        raise UsageError(t("cli.error.not_regular", path=args.out))
    if args.out and not args.force and os.path.lexists(args.out):
        raise UsageError(t("cli.error.exists", path=args.out))
    store = open_store(args.db, t)
    filters = Filters(since=args.since, until=args.until, status=status)
    progress = None
    if sys.stderr.isatty() and args.out:  # a bar only for a person watching a file fill
        progress = _progress(t, count_rows(store, filters))
    try:
        if fmt == "xlsx":
            with _replacing(args.out, t) as part:
                count = write_xlsx(rows(store, filters), part, progress)
        else:
            writer = write_csv if fmt == "csv" else write_json
            if args.out:
                # newline="" lets the csv module write its own CRLF line ends.
                with _replacing(args.out, t) as part, open(part, "w", encoding="utf-8",
                                                          newline="") as out:
                    count = writer(rows(store, filters), out, progress)
            else:
                sys.stdout.reconfigure(newline="")  # type: ignore[union-attr]
                count = writer(rows(store, filters), sys.stdout, None)
    finally:
        store.close()
    if args.out:
        if progress is not None:
            sys.stderr.write("\n")
        print(t("cli.exported", count=count, path=args.out), file=sys.stderr)
    return 0


@contextmanager
def _replacing(path: str, t: Translator) -> Iterator[Path]:
    """A temporary file beside `path`, renamed over it only when the export succeeded: a
    failure leaves the old file as it was, and a symlink at `path` is replaced, never
    followed. The file is created 0600 (it holds prospects' names)."""
    target = Path(path)
    try:
        handle, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".part")
        os.close(handle)
    except OSError as error:
        raise UsageError(t("cli.error.out", path=path,
                           detail=error.strerror or str(error))) from None
    try:
        yield Path(part)
        os.replace(part, target)
    except OSError as error:
        raise UsageError(t("cli.error.out", path=path,
                           detail=error.strerror or str(error))) from None
    finally:
        if os.path.exists(part):
            os.unlink(part)


def _is_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def _progress(t: Translator, total: int) -> Callable[[int], None]:
    """A one-line progress bar on the terminal for long exports."""
    def show(done: int) -> None:
        share = done / total if total else 1
        bar = "█" * int(share * 30)
        sys.stderr.write(f"\r{t('cli.exporting')} [{bar:<30}] {done:,}/{total:,}")
        sys.stderr.flush()
    return show


def cmd_config(args: argparse.Namespace, t: Translator) -> int:
    """The effective settings, secrets masked, each with where it came from; then what
    would stop `kameng bot` (on stderr; with --check, exit code 1 when anything would)."""
    from bot.config import mask_tokens

    settings = settings_from(t)
    shown = settings.effective()
    if args.json:
        print(json.dumps({name: {"value": value, "source": source}
                          for name, value, source in shown}, ensure_ascii=False, indent=2))
    else:
        width = max(len(name) + len(value) for name, value, _ in shown) + 3
        for name, value, source in shown:
            print(f"{name}={value}".ljust(width) + f"# {source_name(t, source)}")
    problems = config_problems(settings, t)
    for problem, stops_the_bot in problems:  # values in them are masked like the table
        print(f"{'⚠' if stops_the_bot else 'ℹ'} {mask_tokens(problem)}", file=sys.stderr)
    return 1 if args.check and any(stops for _, stops in problems) else 0


def config_problems(settings: Settings, t: Translator) -> list[tuple[str, bool]]:
    """(what is set but would not work or is unsafe, whether `--check` fails on it: it
    stops `kameng bot`, or it sends the bot token unencrypted), in the chosen language."""
    from bot.config import ConfigError
    from pricing import RatesError, load_rates

    problems = []
    try:
        settings.token()
    except ConfigError as error:
        problems.append((t(error.key), True))
    if settings.webhook_url and not settings.webhook_secret.get_secret_value():
        problems.append((t("config.error.webhook_secret"), True))
    for name, url in (("WEBHOOK_URL", settings.webhook_url), ("PUBLIC_URL", settings.public_url)):
        if url and not url.startswith("https://"):
            problems.append((t("config.check.https", name=name, value=url), False))
    if settings.telegram_api_base.startswith("http://") and not _loopback_url(
            settings.telegram_api_base):  # the token is in every request's path
        problems.append((t("config.check.api_http", value=settings.telegram_api_base),
                         True))
    if not settings.public_url.startswith("https://"):  # Telegram opens only https Mini Apps
        problems.append((t("config.check.miniapp", value=settings.public_url
                           or t("config.check.miniapp_unset")), False))
    if not Path(settings.db).is_file():
        problems.append((t("config.check.no_db", path=settings.db), False))
    if settings.rates:
        try:
            load_rates(settings.rates)
        except RatesError as error:
            problems.append((t("cli.error.rates", detail=str(error)), True))
    return problems


def _loopback_url(url: str) -> bool:
    """An address on this machine (a local Bot API server, the tests' fake one)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_backup(args: argparse.Namespace, t: Translator) -> int:
    from bot.storage.backup import BackupError, backup

    source = args.db or settings_from(t).db
    if not Path(source).is_file():
        raise UsageError(t("cli.error.no_db", path=source))
    try:
        made = backup(source, args.path, overwrite=args.force)
    except FileExistsError as error:
        raise UsageError(t("cli.error.backup_exists", path=str(error))) from None
    except BackupError as error:
        raise UsageError(t("cli.error.backup", detail=t(error.key, **error.params))) from None
    except OSError as error:  # a folder that cannot be made, a full disk, no permission
        raise UsageError(t("cli.error.backup", detail=f"{error.filename or args.path}: "
                                                      f"{error.strerror or error}")) from None
    print(t("cli.backup_done", path=made.path, size=f"{made.bytes / 1e6:.1f}",
            quotes=made.quotes))
    return 0


def cmd_restore(args: argparse.Namespace, t: Translator) -> int:
    from bot.storage.backup import BackupError, refuse_the_source, restore

    target = args.db or settings_from(t).db
    if not Path(args.path).is_file():
        raise UsageError(t("cli.error.no_db", path=args.path))
    try:
        refuse_the_source(target, args.path, key="backup.error.restore_self")
        if Path(target).is_file() and not args.force:
            raise UsageError(t("cli.error.restore_exists", path=target))
        done = restore(args.path, target)
    except BackupError as error:
        raise UsageError(t("cli.error.backup", detail=t(error.key, **error.params))) from None
    except OSError as error:
        raise UsageError(t("cli.error.backup", detail=f"{error.filename or target}: "
                                                      f"{error.strerror or error}")) from None
    print(t("cli.restore_done", path=target, quotes=done.quotes, source=args.path))
    if done.previous is not None:
        print(t("cli.restore_previous", path=done.previous))
    return 0


def cmd_followups(args: argparse.Namespace, t: Translator) -> int:
    """The follow-ups the bot would send at --now (default: now), sending and writing
    nothing; outside business hours, none, and when they will go out."""
    from datetime import UTC, datetime

    from bot.services.followups import Rules, due, pending
    from bot.services.staff import Staff

    now = datetime.now(UTC)
    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now.strip())
        except ValueError:
            raise UsageError(t("cli.error.now", value=args.now)) from None
        if now.tzinfo is None:  # a local time is the business's
            from zoneinfo import ZoneInfo

            now = now.replace(tzinfo=ZoneInfo(settings_from(t, db=args.db).business_timezone))
    settings = settings_from(t, db=args.db)
    rules = Rules.from_settings(settings)
    staff = Staff(settings.sales_ids, settings.admin_ids)
    with _current_schema(args.db or settings.db, t) as path:
        store = open_store(path, t)
        try:
            found = due(store, staff, rules, now)
            waiting = [] if found else pending(store, staff, rules, now)
        finally:
            store.close()
    if args.json:
        print(json.dumps([item.as_json() for item in found], ensure_ascii=False, indent=2))
        return 0
    zone = rules.zone
    for item in found:
        subject = (t("followup.handoff_label", id=item.handoff_id)
                   if item.kind == "handoff_waiting" else
                   t("followup.quote_label", id=item.quote_id))
        print(t("followups.row", due=item.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                kind=item.kind, subject=subject, prospect=item.prospect or "-",
                to=",".join(str(chat) for chat in item.to)))
    if not found and waiting:
        start, end = rules.hours
        print(t("followups.quiet", hours=f"{start // 60:02d}:{start % 60:02d}-"
                                         f"{end // 60:02d}:{end % 60:02d}",
                zone=rules.timezone, count=len(waiting),
                at=rules.next_open(now).astimezone(zone).strftime("%Y-%m-%d %H:%M")))
    elif not found:
        print(t("followups.none"))
    return 0


@contextmanager
def _current_schema(path: str, t: Translator) -> Iterator[str]:
    """The database to read without writing to it: the file itself when its schema is
    current, else a temporary copy brought up to date (opening a file migrates it)."""
    import sqlite3

    from bot.storage.store import SCHEMA_VERSION

    if not Path(path).is_file():
        raise UsageError(t("cli.error.no_db", path=path))
    try:
        with closing(sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro",
                                     uri=True)) as source:
            version = int(source.execute("PRAGMA user_version").fetchone()[0])
            if version >= SCHEMA_VERSION:
                yield path
                return
            with tempfile.TemporaryDirectory() as folder:
                copy = str(Path(folder) / "kameng.db")
                with closing(sqlite3.connect(copy)) as target:
                    source.backup(target)
                yield copy
    except sqlite3.DatabaseError as error:
        raise UsageError(t("cli.error.db", detail=str(error))) from None


def cmd_browse(args: argparse.Namespace, t: Translator) -> int:
    """Datasette on the quote database, read-only (bot/browse.py)."""
    from bot import browse

    if args.hash_password:
        print(browse.hash_password(_read_password(t)))
        return 0
    settings = settings_from(t, db=args.db)
    host = args.host or settings.browse_host
    port = _whole(t, "cli.error.port", args.port, 65535) if args.port else settings.browse_port
    password_hash = settings.browse_password_hash.get_secret_value()
    if not browse.is_loopback(host) and not password_hash:
        raise UsageError(t("browse.needs_password", host=host))
    store = open_store(args.db, t)  # a missing, damaged or newer file: one line, as elsewhere
    path = store.path
    store.close()
    _check_port_free(t, host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    print(t("browse.serving", url=url), flush=True)
    if password_hash:
        print(t("browse.login", url=url), flush=True)
    try:
        browse.serve(path, host, port, timezone=settings.business_timezone,
                     password_hash=password_hash)
    except OSError as error:
        raise UsageError(t("cli.error.listen", host=host, port=port,
                           detail=error.strerror or str(error))) from None
    return 0


def _check_port_free(t: Translator, host: str, port: int) -> None:
    """One clear line for a taken port or an address not on this machine (the server's
    own report would be a log line and exit code 1)."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise UsageError(t("cli.error.listen", host=host, port=port,
                           detail=error.strerror or str(error))) from None


def _read_password(t: Translator) -> str:
    """A password typed twice at a terminal, or one line on standard input."""
    import getpass

    if sys.stdin.isatty():
        password = getpass.getpass(t("browse.password_prompt"))
        if getpass.getpass(t("browse.password_again")) != password:
            raise UsageError(t("browse.password_mismatch"))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 12:
        raise UsageError(t("browse.password_short"))
    return password


# --- the language of every line -------------------------------------------------------

def _locale_from_argv(argv: Sequence[str]) -> str | None:
    """--lang is read before parsing, so even a parse error speaks the chosen language."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def choose_locale(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """--lang, else KAMENG_LANG (environment, then .env), else the POSIX locale (LC_ALL,
    LC_MESSAGES, LANG: the first one set), else zh_CN."""
    from bot.config import ENV_FILE, read_env_file

    environ = dict(os.environ) if environ is None else environ
    chosen = normalize_locale(_locale_from_argv(argv))
    if chosen:
        return chosen
    try:
        from_file = read_env_file(Path(ENV_FILE)).get("KAMENG_LANG", "")
    except ValueError:  # an unreadable .env is reported by the command itself
        from_file = ""
    chosen = normalize_locale(environ.get("KAMENG_LANG", "").strip() or from_file.strip())
    if chosen:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:  # "zh_TW.UTF-8@x" → "zh_TW"; "C" and "POSIX" name no language
            return normalize_locale(value.split(".")[0].split("@")[0]) or "zh_CN"
    return "zh_CN"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    t = translator(choose_locale(arguments))
    try:
        with argparse_speaks(t):
            args = build_parser(t).parse_args(arguments)
        for given in (args.top_lang, getattr(args, "lang", None)):
            if given and normalize_locale(given) is None:
                raise UsageError(t("cli.error.choice", option="--lang", value=given,
                                   choices="zh-CN, zh-TW, en"))
        handler: Callable[[argparse.Namespace, Translator], int] = args.handler
        code = handler(args, t)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # `kameng history | head`: the reader has gone; say nothing
        _silence_stdout()
        return EXIT_PIPE
    except UsageError as error:
        message = str(error)
        if isinstance(error, ArgumentsError):
            message = t("cli.error.usage", detail=message)
        print(f"kameng: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # a damaged or newer database, found after opening it
        from bot.storage.store import StoreError

        if not isinstance(error, StoreError):
            raise
        print(f"kameng: {db_error(t, error)}", file=sys.stderr)
        return EXIT_USAGE


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    raise SystemExit(main())
