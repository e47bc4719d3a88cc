"""`kameng`: the command line, a thin layer over the library.

Library errors become one localized line on stderr and exit code 2; no traceback reaches a
user.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from bot.chat import CHANNEL, TerminalChat, stdin_lines, terminal_user
from bot.render import render_quote_text
from bot.store import (
    DEFAULT_DB,
    MIGRATIONS,
    DamagedDatabaseError,
    NewerDatabaseError,
    Store,
    StoreError,
)
from dialogs.engine import Engine
from locales.i18n import Translator, normalize_locale, translator
from pricing import (
    AiChoice,
    Billing,
    Inquiry,
    InquiryError,
    ProductKind,
    Rates,
    RatesError,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
    load_rates,
    quote,
)
from pricing.model import MAX_CATEGORIES, MAX_DAILY_ORDERS
from pricing.serialize import quote_to_dict

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.web import Networks

EXIT_USAGE = 2
EXIT_PIPE = 141  # what a shell reports for a writer whose reader closed the pipe (SIGPIPE)
E = TypeVar("E", bound=StrEnum)

# Option spellings on the command line use dashes; the core's codes use underscores.
# --kinds takes the dialogue's product kinds by a short name (or the core's code);
# --special is the older spelling, kept as an alias.
KINDS = {"game": ProductKind.GAME_CARDS, "topup": ProductKind.PHONE_TOPUP,
         "software": ProductKind.SOFTWARE_KEYS, "video": ProductKind.VIDEO_MEMBERSHIPS,
         "nft": ProductKind.BLOCKCHAIN_NFT, "other": ProductKind.OTHER,
         "blockchain": ProductKind.BLOCKCHAIN_NFT, "phone": ProductKind.PHONE_TOPUP,
         **{kind.value.replace("_", "-"): kind for kind in ProductKind}}
KIND_CHOICES = "game, topup, software, video, nft, other"


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kameng", description="kameng-quote: 卡盟客服报价")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    q = commands.add_parser("quote", help="price one inquiry / 计算一份报价")
    q.add_argument("--orders", required=True, help="average daily orders / 日均单量")
    q.add_argument("--categories", default="1", help="number of product categories / 类目数")
    q.add_argument("--response", default="standard", help="|".join(_choices(Response)))
    q.add_argument("--scope", default="auto", help="|".join(_choices(Scope)))
    q.add_argument("--tooling", default="none", help="|".join(_choices(Tooling)))
    q.add_argument("--ai", default="no", help="|".join(_choices(AiChoice)))
    q.add_argument("--kinds", action="append", default=[],
                   help=f"product kinds, comma-separated: {KIND_CHOICES} / 商品类型")
    q.add_argument("--special", action="append", default=[], dest="kinds",
                   help="alias of --kinds")
    q.add_argument("--cross-border", action="store_true", help="cross-border / multi-language")
    q.add_argument("--multi-level", action="store_true", help="multi-level distribution")
    q.add_argument("--volume", default="steady", help="|".join(_choices(VolumePattern)))
    q.add_argument("--mode", default="outsourced", help="|".join(_choices(ServiceMode)))
    q.add_argument("--billing", default="compare", help="|".join(_choices(Billing)))
    q.add_argument("--budget", default=None, help="monthly budget in yuan / 月预算(元)")
    q.add_argument("--lang", default="zh-CN", help="zh-CN|zh-TW|en")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--rates", default=None, help="rates file (env KAMENG_RATES)")
    q.set_defaults(handler=cmd_quote)

    c = commands.add_parser("chat", help="the quote dialogue in this terminal / 终端对话报价")
    c.add_argument("--lang", default=None, help="zh-CN|zh-TW|en (default: last used, zh-CN)")
    c.add_argument("--db", default=None, help=f"SQLite file (env KAMENG_DB, default {DEFAULT_DB})")
    c.add_argument("--rates", default=None, help="rates file (env KAMENG_RATES)")
    c.add_argument("--user", default=None, help="whose dialogue (default: your login name)")
    c.set_defaults(handler=cmd_chat)

    h = commands.add_parser("history", help="saved quotes / 已保存的报价")
    h.add_argument("--json", action="store_true", help="print JSON")
    h.add_argument("--limit", default="20", help="how many, newest first (default 20)")
    h.add_argument("--db", default=None, help=f"SQLite file (env KAMENG_DB, default {DEFAULT_DB})")
    h.add_argument("--lang", default="zh-CN", help="zh-CN|zh-TW|en")
    h.set_defaults(handler=cmd_history)

    b = commands.add_parser("bot", help="run the Telegram bot / 运行 Telegram 机器人")
    b.add_argument("--framework", default=None, help="aiogram|ptb (env KAMENG_FRAMEWORK)")
    b.add_argument("--webhook", action="store_true",
                   help="serve a webhook (WEBHOOK_URL, WEBHOOK_SECRET) instead of polling")
    b.add_argument("--db", default=None, help=f"SQLite file (env KAMENG_DB, default {DEFAULT_DB})")
    b.add_argument("--rates", default=None, help="rates file (env KAMENG_RATES)")
    b.add_argument("--lang", default="zh-CN", help="language of start-up errors")
    b.set_defaults(handler=cmd_bot)

    w = commands.add_parser("serve", help="serve quote pages / 报价网页服务")
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", default="8080")
    w.add_argument("--db", default=None, help=f"SQLite file (env KAMENG_DB, default {DEFAULT_DB})")
    w.add_argument("--lang", default="zh-CN", help="language of errors")
    w.set_defaults(handler=cmd_serve)

    k = commands.add_parser("link", help="share links of a quote / 报价分享链接")
    k.add_argument("quote_id", help="the quote's number")
    k.add_argument("--revoke", action="store_true", help="revoke its links")
    k.add_argument("--db", default=None, help=f"SQLite file (env KAMENG_DB, default {DEFAULT_DB})")
    k.add_argument("--lang", default="zh-CN", help="zh-CN|zh-TW|en")
    k.set_defaults(handler=cmd_link)

    x = commands.add_parser("export", help="export quote history / 导出报价记录")
    x.add_argument("--format", default="csv", help="csv|json|xlsx")
    x.add_argument("--since", default=None, help="from this date (YYYY-MM-DD), inclusive")
    x.add_argument("--until", default=None, help="until this date (YYYY-MM-DD), exclusive")
    x.add_argument("--status", default=None, help="only quotes with this status")
    x.add_argument("--out", default=None, help="file (default: stdout for csv/json)")
    x.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    x.add_argument("--db", default=None, help=f"SQLite file (env KAMENG_DB, default {DEFAULT_DB})")
    x.add_argument("--lang", default="zh-CN", help="language of messages")
    x.set_defaults(handler=cmd_export)
    return parser


def _enum(t: Translator, option: str, enum: type[E], text: str) -> E:
    value = text.strip().lower().replace("-", "_")
    try:
        return enum(value)
    except ValueError:
        raise UsageError(t("cli.error.choice", option=option, value=text,
                           choices=", ".join(_choices(enum)))) from None


def _whole(t: Translator, key: str, text: str, maximum: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(t(key, value=text)) from None
    if not 1 <= value <= maximum:
        raise UsageError(t(key, value=text))
    return value


def _budget(t: Translator, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise UsageError(t("cli.error.budget", value=text)) from None
    if not value.is_finite() or value <= 0:
        raise UsageError(t("cli.error.budget", value=text))
    return value


def inquiry_from_args(args: argparse.Namespace, t: Translator) -> Inquiry:
    kinds = set()
    for given in args.kinds:
        for name in given.split(","):
            key = name.strip().lower().replace("_", "-")
            if key not in KINDS:
                raise UsageError(t("cli.error.choice", option="--kinds", value=name.strip(),
                                   choices=KIND_CHOICES))
            kinds.add(KINDS[key])
    try:
        return Inquiry(
            daily_orders=_whole(t, "cli.error.orders", args.orders, MAX_DAILY_ORDERS),
            categories=_whole(t, "cli.error.categories", args.categories, MAX_CATEGORIES),
            product_kinds=frozenset(kinds),
            multi_level=args.multi_level,
            cross_border=args.cross_border,
            response=_enum(t, "--response", Response, args.response),
            scope=_enum(t, "--scope", Scope, args.scope),
            tooling=_enum(t, "--tooling", Tooling, args.tooling),
            ai=_enum(t, "--ai", AiChoice, args.ai),
            mode=_enum(t, "--mode", ServiceMode, args.mode),
            volume=_enum(t, "--volume", VolumePattern, args.volume),
            billing=_enum(t, "--billing", Billing, args.billing),
            budget=_budget(t, args.budget),
        )
    except InquiryError as error:  # the CLI checks first; this is a safety net
        raise UsageError(t("cli.error.usage", detail=str(error))) from None


def rates_from(path: str | None, t: Translator) -> Rates:
    """The operator's rates file (--rates, else KAMENG_RATES), else the packaged default."""
    chosen = path or os.environ.get("KAMENG_RATES") or None
    try:
        return load_rates(chosen)
    except RatesError as error:
        raise UsageError(t("cli.error.rates", detail=str(error))) from None


def cmd_quote(args: argparse.Namespace, t: Translator) -> int:
    inquiry = inquiry_from_args(args, t)
    rates = rates_from(args.rates, t)
    result = quote(inquiry, rates)
    if args.json:
        print(json.dumps(quote_to_dict(result), ensure_ascii=False, indent=2))
    else:
        print(render_quote_text(result, t.locale))
    return 0


def open_store(path: str | None, t: Translator) -> Store:
    """The SQLite store: --db, else KAMENG_DB, else ./kameng.db."""
    chosen = path or os.environ.get("KAMENG_DB") or DEFAULT_DB
    try:
        return Store(chosen)
    except StoreError as error:
        raise db_error(t, error) from None


def db_error(t: Translator, error: StoreError) -> UsageError:
    """The one line for a database problem: a damaged file says how to recover it, a newer
    one says to upgrade, anything else what SQLite said."""
    if isinstance(error, DamagedDatabaseError):
        return UsageError(t("cli.error.db_damaged", path=error.path, detail=error.detail))
    if isinstance(error, NewerDatabaseError):
        return UsageError(t("cli.error.db_newer", path=error.path, version=error.version,
                            known=len(MIGRATIONS)))
    return UsageError(t("cli.error.db", detail=str(error)))


def cmd_chat(args: argparse.Namespace, t: Translator) -> int:
    store = open_store(args.db, t)
    rates = rates_from(args.rates, t)
    user = args.user or terminal_user()
    locale = (normalize_locale(args.lang) if args.lang else None) or store.user_locale(
        CHANNEL, user) or t.locale
    chat = TerminalChat(Engine(rates), store, user_id=user, locale=locale, out=sys.stdout,
                        company=_company_name())
    interactive = sys.stdin.isatty()
    try:
        return chat.run(stdin_lines(sys.stdin, interactive=interactive))
    finally:
        store.close()


def _company_name() -> str:
    """COMPANY_NAME for the quote card (from the environment or .env); empty if unset."""
    from bot.config import ConfigError, load_settings

    try:
        return load_settings().company_name
    except ConfigError:
        return ""


def cmd_history(args: argparse.Namespace, t: Translator) -> int:
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


def cmd_bot(args: argparse.Namespace, t: Translator) -> int:
    from bot.card import FONT_PACKAGE, CardFontError
    from bot.config import ConfigError, load_settings
    from bot.telegram import StartupError, build_app, serve, setup_logging

    if args.framework and args.framework not in ("aiogram", "ptb"):
        raise UsageError(t("cli.error.choice", option="--framework", value=args.framework,
                           choices="aiogram, ptb"))
    try:
        settings = load_settings(framework=args.framework, db=args.db, rates=args.rates)
        token = settings.token()
    except ConfigError as error:
        raise UsageError(t("bot.error.config", detail=str(error))) from None
    if args.webhook and not settings.webhook_secret.get_secret_value():
        raise UsageError(t("bot.error.config", detail="WEBHOOK_SECRET is required with "
                                                       "--webhook"))
    setup_logging(settings.log_level, [token, settings.webhook_secret.get_secret_value()])
    rates_from(settings.rates, t)  # a broken rates file is one line, like elsewhere
    try:
        app = build_app(settings, token)
    except StoreError as error:
        raise db_error(t, error) from None
    except CardFontError:
        raise UsageError(t("card.no_font", package=FONT_PACKAGE)) from None
    try:
        asyncio.run(serve(app, webhook=args.webhook))
    except StartupError as error:
        key = "bot.error.rejected" if error.reason == "rejected" else "bot.error.unreachable"
        raise UsageError(t(key, base=settings.telegram_api_base)) from None
    return 0


def cmd_serve(args: argparse.Namespace, t: Translator) -> int:
    from bot.card import FONT_PACKAGE, CardFontError
    from bot.config import ConfigError, load_settings
    from bot.web import serve_web

    port = _whole(t, "cli.error.port", args.port, 65535)
    proxies = _trusted_proxies(t)
    try:
        settings = load_settings()  # PUBLIC_URL (the og:image's base) and COMPANY_NAME
    except ConfigError as error:
        raise UsageError(t("bot.error.config", detail=str(error))) from None
    store = open_store(args.db, t)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            runner = await serve_web(store, args.host, port, notify=_notifier(),
                                     trusted_proxies=proxies,
                                     public_url=settings.public_url,
                                     company=settings.company_name)
        except CardFontError:
            raise UsageError(t("card.no_font", package=FONT_PACKAGE)) from None
        except OSError as error:
            raise UsageError(t("cli.error.listen", host=args.host, port=port,
                               detail=error.strerror or str(error))) from None
        print(t("cli.serving", url=f"http://{args.host}:{port}/q/<token>"), flush=True)
        await stop.wait()
        await runner.cleanup()

    try:
        asyncio.run(run())
    finally:
        store.close()
    return 0


def _trusted_proxies(t: Translator) -> Networks:
    """TRUSTED_PROXIES (environment or .env): X-Forwarded-For is believed only from these."""
    from bot.config import ConfigError, load_settings
    from bot.web import parse_networks

    try:
        return parse_networks(load_settings().trusted_proxies)
    except ConfigError as error:
        raise UsageError(t("bot.error.config", detail=str(error))) from None


def _notifier() -> Callable[[int, str], Any] | None:
    """With a bot token configured, `kameng serve` tells salespeople when a page is opened."""
    from bot.config import ConfigError, load_settings
    from bot.notify import BotApiNotifier

    try:
        settings = load_settings()
        return BotApiNotifier(settings.token(), settings.telegram_api_base)
    except ConfigError:
        return None


def cmd_link(args: argparse.Namespace, t: Translator) -> int:
    from bot.config import ConfigError, load_settings
    from bot.sales import deep_link, web_link

    quote_id = _whole(t, "cli.error.quote_id", args.quote_id, 10**12)
    store = open_store(args.db, t)
    try:
        record = store.record(quote_id)
        if record is None:
            raise UsageError(t("cli.error.quote_id", value=args.quote_id))
        if args.revoke:
            done = store.revoke(quote_id)
            print(t("staff.revoked" if done else "staff.nothing_to_revoke", id=quote_id))
            return 0
        try:
            settings = load_settings()
        except ConfigError as error:
            raise UsageError(t("bot.error.config", detail=str(error))) from None
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
    username = asyncio.run(bot_username(token, settings.telegram_api_base))
    if username:
        store.set_meta("bot_username", username)
    return username


def cmd_export(args: argparse.Namespace, t: Translator) -> int:
    from bot.export import Filters, count_rows, rows, write_csv, write_json, write_xlsx

    fmt = args.format.strip().lower()
    if fmt not in ("csv", "json", "xlsx"):
        raise UsageError(t("cli.error.choice", option="--format", value=args.format,
                           choices="csv, json, xlsx"))
    for option, value in (("--since", args.since), ("--until", args.until)):
        if value is not None and not _is_date(value):
            raise UsageError(t("cli.error.date", option=option, value=value))
    if fmt == "xlsx" and not args.out:
        raise UsageError(t("cli.error.xlsx_out"))
    if args.out and not args.force and os.path.lexists(args.out):
        raise UsageError(t("cli.error.exists", path=args.out))
    store = open_store(args.db, t)
    filters = Filters(since=args.since, until=args.until, status=args.status)
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


def _locale_from_argv(argv: Sequence[str]) -> str | None:
    """--lang is read before parsing, so even a parse error speaks the chosen language."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    t = translator(normalize_locale(_locale_from_argv(arguments)))
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
        if getattr(args, "lang", None) and normalize_locale(args.lang) is None:
            raise UsageError(t("cli.error.choice", option="--lang", value=args.lang,
                               choices="zh-CN, zh-TW, en"))
        handler: Callable[[argparse.Namespace, Translator], int] = args.handler
        code = handler(args, t)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except StoreError as error:  # a damaged or newer database, found after opening it
        print(f"kameng: {db_error(t, error)}", file=sys.stderr)
        return EXIT_USAGE
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
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
