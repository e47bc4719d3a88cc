"""The quote web page: GET /q/<token>, its card /q/<token>/card.png, and /healthz, on aiohttp.

Served by `kameng serve`, and by `kameng bot` in the same process when PUBLIC_URL is set.
Unknown tokens get 404 and expired or revoked ones 410, with pages that reveal nothing;
a client that keeps missing is throttled (its misses, never a valid token), so guessing
128-bit tokens stays hopeless; behind a reverse proxy the client is read from
X-Forwarded-For only when the peer is in TRUSTED_PROXIES.
The page names its card as `og:image` (absolute, from PUBLIC_URL), so a link pasted in a
chat previews with the price; the card answers exactly as its page does (404/410/429).
A view is recorded once per client per hour (time, hashed client: an address, an IPv6
/64), whatever its User-Agent; link-preview robots are served but not counted.
Cards come from bot/cardworks.py: drawn once per quote version in a process pool, then
served from the file kept on disk; each client may fetch a limited number of cards per
minute (CardRate), so one address cannot keep a core busy.
Security headers on every response; everything shown is autoescaped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from bot import metrics
from bot.card import HEIGHT as CARD_HEIGHT
from bot.card import WIDTH as CARD_WIDTH
from bot.card import check_font
from bot.cardworks import CardWorks
from bot.chart import quote_chart
from bot.http_guard import HEADER_TIMEOUT, serve_guarded
from bot.render import environment, quote_context, version_columns
from bot.services.links import deep_link
from bot.services.quotes import VIEW_WINDOW, opened_notices
from bot.services.renewals import Renewals
from bot.storage.store import QuoteRecord, Store, StoreError
from dialogs import quote_talk
from dialogs.company import DEFAULT_COMPANY, Company
from locales.i18n import translator

if TYPE_CHECKING:
    from bot.miniapp import MiniApp

CHANNEL = "web"  # the `channel` of a view counted here
log = logging.getLogger(__name__)

Notify = Callable[..., Awaitable[None]]  # (chat id, text[, keyboard])

SECURITY_HEADERS = {
    # No script, no external asset: only our inline styles and the inline SVG.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# Link-preview fetchers and crawlers, by the token in their User-Agent (case-insensitive).
# They are served the page but not counted as an open. A maintained list of names, not the
# word "bot": a phone whose browser says "CUBOT" is a prospect; and Sogou's crawlers by
# their own names ("Sogou web spider", "Sogou inst spider"…), not "sogou", which Sogou's
# browser (SogouMobileBrowser, SE 2.X MetaSr) says too. Add new fetchers here.
PREVIEW_FETCHERS = (
    "telegrambot",  # Telegram's link preview
    "whatsapp/",  # WhatsApp
    "facebookexternalhit", "facebot", "meta-externalagent",  # Facebook, Messenger, iMessage
    "twitterbot",  # Twitter / X
    "slackbot", "slack-imgproxy",  # Slack
    "discordbot",  # Discord
    "linkedinbot", "skypeuripreview", "microsoftpreview", "pinterestbot", "redditbot",
    "snap url preview", "vkshare", "embedly", "iframely", "bitlybot", "applebot",
    "googlebot", "bingbot", "baiduspider", "yandexbot", "duckduckbot", "bytespider",
    "petalbot", "yisouspider", "360spider",  # search engines, Chinese ones included
)
SOGOU_CRAWLER = re.compile(r"sogou[\w -]*spider")  # Sogou web/inst/news/pic/orion spider


def is_preview_fetcher(agent: str) -> bool:
    lowered = agent.lower()
    return (any(name in lowered for name in PREVIEW_FETCHERS)
            or SOGOU_CRAWLER.search(lowered) is not None)


CARD_SIZE = (CARD_WIDTH, CARD_HEIGHT)


class MissThrottle:
    """At most `limit` unknown/expired tokens per client in `window` seconds; then 429 for
    that client's misses. A valid token is always answered, whoever missed before: behind a
    proxy every visitor may share one address, and one guesser must not lock them all out.

    Memory is bounded: each client is one (window start, count) pair, and only the
    `max_clients` most recent missers are remembered (the oldest are forgotten first).
    """

    def __init__(self, limit: int = 20, window: float = 600.0,
                 clock: Callable[[], float] = time.monotonic, *,
                 max_clients: int = 10_000) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.max_clients = max_clients
        self.misses: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def _count(self, client: str, now: float) -> tuple[float, int]:
        start, count = self.misses.get(client, (now, 0))
        return (now, 0) if now - start > self.window else (start, count)

    def blocked(self, client: str) -> bool:
        return self._count(client, self.clock())[1] >= self.limit

    def miss(self, client: str) -> None:
        now = self.clock()
        start, count = self._count(client, now)
        self.misses.pop(client, None)
        self.misses[client] = (start, count + 1)  # now the most recent
        while len(self.misses) > self.max_clients:
            self.misses.popitem(last=False)


class CardRate:
    """At most `limit` card requests per client in `window` seconds (a fixed window), so
    a client refetching card.png cannot fill a core; link previews fetch a card once or
    twice. Memory is bounded like MissThrottle's."""

    def __init__(self, limit: int = 30, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, *,
                 max_clients: int = 10_000) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.max_clients = max_clients
        self.counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def admit(self, client: str) -> bool:
        now = self.clock()
        start, count = self.counts.pop(client, (now, 0))
        if now - start > self.window:
            start, count = now, 0
        self.counts[client] = (start, count + 1)  # now the most recent
        while len(self.counts) > self.max_clients:
            self.counts.popitem(last=False)
        return count < self.limit

    def retry_after(self, client: str) -> int:
        start, _ = self.counts.get(client, (self.clock(), 0))
        return max(1, int(start + self.window - self.clock()) + 1)


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(entries: Iterable[str]) -> Networks:
    """"127.0.0.1, 10.0.0.0/8" → networks; raises ValueError naming a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {entry.strip()!r}") from None
    return tuple(networks)


def _trusted(address: str, proxies: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # "::ffff:10.0.0.1" from a dual-stack socket
    return any(ip in network for network in proxies)


def client_key(address: str) -> str:
    """One client, as throttling and view counting see it: an IPv4 address as it is
    (a v4-mapped IPv6 one unwrapped), an IPv6 address by its /64 — one subscriber's
    network, where each device, or an attacker, picks any of 2⁶⁴ addresses at will.
    Anything that is not an address stays as given (cut to 64 characters)."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]").split("%")[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if ip.is_loopback:
            return str(ip)  # ::1: this machine, not a network
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_address(request: web.Request, proxies: Networks = ()) -> str:
    """The client (see `client_key`): the peer's address; behind a trusted proxy, the
    nearest address in X-Forwarded-For that is not itself a trusted proxy. From anyone
    else the header is ignored (it is typed by the client and would let a guesser change
    address at will)."""
    peer = request.remote or "?"
    if not proxies or not _trusted(peer, proxies):
        return client_key(peer)
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
            for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return client_key(hop)
    return client_key(hops[0]) if hops else client_key(peer)


def quote_web_app(store: Store, *, notify: Notify | None = None,
                  throttle: MissThrottle | None = None,
                  trusted_proxies: Networks = (), public_url: str = "",
                  company: str = "", business: Company | None = None,
                  metrics_route: bool = True,
                  renewals: Renewals | None = None,
                  miniapp: MiniApp | None = None, cards: CardWorks | None = None,
                  card_rate: CardRate | None = None) -> web.Application:
    """The quote pages; with `miniapp`, the Mini App's page and API too (bot/miniapp.py);
    cards from `cards` (the bot's own card works) or card works of its own."""
    throttle = throttle or MissThrottle()
    notices = Notices(notify)
    works = cards or CardWorks(store.path, company, business=business)
    card_rate = card_rate or CardRate()
    env = environment()
    check_font()  # no CJK font: fail at start-up, naming the package, not at the first card

    @web.middleware
    async def security_headers(request: web.Request,
                               handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                               ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:  # the router's 404/405: raised, not returned
            error.headers.update(SECURITY_HEADERS)
            error.headers["Server"] = "kameng"
            raise
        # The Mini App sets its own policy (its script, framed by Telegram's web clients);
        # every other response gets ours.
        own_policy = "Content-Security-Policy" in response.headers
        for name, value in SECURITY_HEADERS.items():
            if not (own_policy and name in ("Content-Security-Policy", "X-Frame-Options")):
                response.headers[name] = value
        response.headers["Server"] = "kameng"  # not aiohttp's name and version
        return response

    def error_page(status: int, kind: str, locale: str | None = None) -> web.Response:
        t = translator(locale)
        body = env.get_template("link_error.html.j2").render(
            lang=t.locale.replace("_", "-"), title=t(f"page.{kind}_title"),
            message=t(f"page.{kind}"))
        return web.Response(status=status, text=body, content_type="text/html",
                            charset="utf-8")

    def live(request: web.Request, client: str) -> QuoteRecord | web.Response:
        """The record behind a live token, or the error page to answer instead."""
        try:
            record, state = store.link(request.match_info["token"])
        except StoreError:
            return error_page(503, "busy")
        if record is None or state != "ok":
            if throttle.blocked(client):
                return error_page(429, "throttled")
            throttle.miss(client)
            if state == "expired" and record is not None and renewals is not None:
                return expired_page(record)
            return error_page(404 if state == "unknown" else 410, "gone")
        return record

    def expired_page(record: QuoteRecord) -> web.Response:
        """410, and 请求新报价: a form posting to /q/<token>/renew (its one allowed action)."""
        t = translator(record.locale)
        body = env.get_template("link_error.html.j2").render(
            lang=t.locale.replace("_", "-"), title=t("page.expired_title"),
            message=t("page.expired"), renew_label=t("btn.renew"),
            renew_action=f"/q/{record.token}/renew")
        response = web.Response(status=410, text=body, content_type="text/html",
                                charset="utf-8")
        # Its one form posts to this site; everything else stays as strict as elsewhere
        # (a page with its own policy sets its own X-Frame-Options too).
        response.headers["Content-Security-Policy"] = SECURITY_HEADERS[
            "Content-Security-Policy"].replace("form-action 'none'", "form-action 'self'")
        response.headers["X-Frame-Options"] = SECURITY_HEADERS["X-Frame-Options"]
        return response

    async def renew(request: web.Request) -> web.StreamResponse:
        """POST /q/<token>/renew from the expired page: a new version at today's rates for
        the owner to approve (a page says so), or at once (redirected to it)."""
        if renewals is None:
            raise web.HTTPNotFound()
        client = client_address(request, trusted_proxies)
        if throttle.blocked(client):
            return error_page(429, "throttled")
        try:
            outcome, record, notices = renewals.request(
                CHANNEL, client, translator()("page.someone"), request.match_info["token"])
        except StoreError:
            return error_page(503, "busy")
        if outcome == "gone":
            throttle.miss(client)
            return error_page(404, "gone")
        if notify is not None:
            for notice in notices:
                await notify(notice.chat_id, notice.text, notice.keyboard)
        if outcome in ("made", "live") and record is not None and record.token:
            raise web.HTTPSeeOther(f"/q/{record.token}")
        t = translator(record.locale if record else None)
        body = env.get_template("link_error.html.j2").render(
            lang=t.locale.replace("_", "-"), title=t("page.renew_title"),
            message=t("page.renew_asked" if outcome == "asked" else "page.renew_waiting"))
        return web.Response(status=202, text=body, content_type="text/html",
                            charset="utf-8")

    async def show(request: web.Request) -> web.Response:
        client = client_address(request, trusted_proxies)
        record = live(request, client)
        if isinstance(record, web.Response):
            return record
        agent = request.headers.get("User-Agent", "")
        if request.method == "GET" and not is_preview_fetcher(agent):
            await _count_view(store, record, notices, client=client)
        base = public_url or str(request.url.origin())
        card_url = f"{base}/q/{request.match_info['token']}/card.png"
        return web.Response(text=render_page(record, card_url=card_url,
                                             versions=_versions(store, record),
                                             business=business,
                                             bot_username=store.get_meta("bot_username") or ""),
                            content_type="text/html", charset="utf-8")

    async def card(request: web.Request) -> web.Response:
        """The quote card (the page's og:image); not a view: previews fetch it. Drawn
        once per version, then served from its file; a client over its card allowance
        gets 429 before any work is done."""
        client = client_address(request, trusted_proxies)
        if not card_rate.admit(client):
            response = error_page(429, "throttled")
            response.headers["Retry-After"] = str(card_rate.retry_after(client))
            return response
        record = live(request, client)
        if isinstance(record, web.Response):
            return record
        png = await works.png(record)  # never raises for a bad card: the plain one
        return web.Response(body=png, content_type="image/png")

    async def healthz(request: web.Request) -> web.Response:
        try:
            store.count_quotes()
        except StoreError:
            return web.json_response({"status": "degraded"}, status=503)
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[security_headers])
    app.on_cleanup.append(notices.finish)
    if cards is None:  # ours, not the bot's: stop its pool with the server
        async def stop_cards(_: web.Application) -> None:
            works.close()
        app.on_cleanup.append(stop_cards)
    app.router.add_get("/q/{token}", show)
    app.router.add_get("/q/{token}/card.png", card)
    app.router.add_post("/q/{token}/renew", renew)
    app.router.add_get("/healthz", healthz)
    metrics.add_routes(app, store, metrics_route=metrics_route)  # GET /metrics
    if miniapp is not None:
        miniapp.add_routes(app)  # GET /app, POST /app/api/…
    return app


class Notices:
    """The owner's "your quote was opened", sent in the background: the page never waits
    for Telegram (a 429 or an unreachable API took 16 s). The notifier does its own
    retries; at shutdown the notices on their way get `SHUTDOWN_WAIT` seconds to go out."""

    SHUTDOWN_WAIT = 5.0

    def __init__(self, notify: Notify | None) -> None:
        self.notify = notify
        self.pending: set[asyncio.Task[None]] = set()

    def send(self, chat_id: int, text: str) -> None:
        if self.notify is None:
            return
        task = asyncio.create_task(self._send(self.notify, chat_id, text))
        self.pending.add(task)  # referenced until done, or the loop may collect it
        task.add_done_callback(self.pending.discard)

    @staticmethod
    async def _send(notify: Notify, chat_id: int, text: str) -> None:
        try:
            await notify(chat_id, text)
        except Exception:  # a notice is best effort: never an unhandled task error
            log.exception("could not tell %s that a quote was opened", chat_id)

    async def finish(self, _app: web.Application | None = None) -> None:
        if self.pending:
            _, late = await asyncio.wait(set(self.pending), timeout=self.SHUTDOWN_WAIT)
            for task in late:
                task.cancel()


async def _count_view(store: Store, record: QuoteRecord, notices: Notices, *,
                      client: str) -> None:
    try:
        # Keyed by the client alone: a new User-Agent per request is not a new viewer.
        first = store.record_view(record.id, channel=CHANNEL, agent=CHANNEL, client=client,
                                  window=VIEW_WINDOW)
    except StoreError:
        log.warning("could not record a view of quote %s", record.id)
        return
    if first:
        for notice in opened_notices(store, record, web=True):
            notices.send(notice.chat_id, notice.text)


def _versions(store: Store, record: QuoteRecord, kept: int = 3) -> list[QuoteRecord]:
    """The quote and the versions it revises, oldest first, at most `kept` (对比)."""
    found = [record]
    while len(found) < kept and found[0].parent_id is not None:
        try:
            parent = store.record(found[0].parent_id)
        except StoreError:
            break  # the page still shows the quote itself
        if parent is None:
            break
        found.insert(0, parent)
    return found


def render_page(record: QuoteRecord, *, card_url: str = "",
                versions: Sequence[QuoteRecord] = (), business: Company | None = None,
                bot_username: str = "") -> str:
    """The page; with earlier `versions` (oldest first, ending with `record`), a 对比 table
    with one column per version. It ends with the next step: the Telegram deep link (to
    accept or ask) and the company's contacts and hours."""
    quote = record.quote()
    t = translator(record.locale)
    context = quote_context(quote, t)
    chosen = business or DEFAULT_COMPANY
    context.update(
        deep_link=deep_link(bot_username, record.token) if bot_username and record.token
        else "",
        contacts=quote_talk.contacts(chosen, t), hours=quote_talk.hours(chosen, t),
        company_name=chosen.name.of(t.locale) or t("card.company"))
    context.update(record=record, chart=quote_chart(quote, t.locale),
                   lang=t.locale.replace("_", "-"), card_url=card_url, card_size=CARD_SIZE,
                   versions=version_columns(
                       [(older.version, older.quote()) for older in versions], t)
                   if len(versions) > 1 else None)
    return environment().get_template("quote_page.html.j2").render(context)


async def serve_web(store: Store, host: str, port: int, *, notify: Notify | None = None,
                    trusted_proxies: Networks = (), public_url: str = "",
                    company: str = "", business: Company | None = None,
                    header_timeout: float = HEADER_TIMEOUT,
                    max_connections: int | None = None,
                    metrics_route: bool = True,
                    renewals: Renewals | None = None,
                    miniapp: MiniApp | None = None,
                    cards: CardWorks | None = None) -> web.AppRunner:
    """Listen for quote pages (and the Mini App) behind a connection guard (slow clients,
    too many connections: bot/http_guard.py); /metrics only with `metrics_route`."""
    app = quote_web_app(store, notify=notify, trusted_proxies=trusted_proxies,
                        public_url=public_url, company=company, business=business,
                        metrics_route=metrics_route, renewals=renewals, miniapp=miniapp,
                        cards=cards)
    runner = await serve_guarded(app, host, port, header_timeout=header_timeout,
                                 max_connections=max_connections)
    log.info("quote pages on http://%s:%s/q/<token>", host, port)
    return runner
