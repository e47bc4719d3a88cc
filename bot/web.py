"""The quote web page: GET /q/<token>, its card /q/<token>/card.png, and /healthz, on aiohttp.

Served by `kameng serve`, and by `kameng bot` in the same process when PUBLIC_URL is set.
Unknown tokens get 404 and expired or revoked ones 410, with pages that reveal nothing;
a client that keeps missing is throttled (its misses, never a valid token), so guessing
128-bit tokens stays hopeless; behind a reverse proxy the client is read from
X-Forwarded-For only when the peer is in TRUSTED_PROXIES.
The page names its card as `og:image` (absolute, from PUBLIC_URL), so a link pasted in a
chat previews with the price; the card answers exactly as its page does (404/410/429).
Every view is recorded (time, hashed user agent); link-preview robots are served but not
counted. Security headers on every response; everything shown is autoescaped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot import metrics
from bot.card import HEIGHT as CARD_HEIGHT
from bot.card import WIDTH as CARD_WIDTH
from bot.card import check_font, record_card
from bot.chart import quote_chart
from bot.render import environment, quote_context, version_columns
from bot.services.links import deep_link
from bot.services.quotes import opened_notices
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
# word "bot": a phone whose browser says "CUBOT" is a prospect. Add new fetchers here.
PREVIEW_FETCHERS = (
    "telegrambot",  # Telegram's link preview
    "whatsapp/",  # WhatsApp
    "facebookexternalhit", "facebot", "meta-externalagent",  # Facebook, Messenger, iMessage
    "twitterbot",  # Twitter / X
    "slackbot", "slack-imgproxy",  # Slack
    "discordbot",  # Discord
    "linkedinbot", "skypeuripreview", "microsoftpreview", "pinterestbot", "redditbot",
    "snap url preview", "vkshare", "embedly", "iframely", "bitlybot", "applebot",
    "googlebot", "bingbot", "baiduspider", "yandexbot", "duckduckbot", "sogou", "bytespider",
    "petalbot", "yisouspider", "360spider",  # search engines, Chinese ones included
)
VIEW_WINDOW = timedelta(hours=1)  # one counted view per client per hour


def is_preview_fetcher(agent: str) -> bool:
    lowered = agent.lower()
    return any(name in lowered for name in PREVIEW_FETCHERS)


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


def client_address(request: web.Request, proxies: Networks = ()) -> str:
    """The peer's address; behind a trusted proxy, the nearest address in X-Forwarded-For
    that is not itself a trusted proxy. From anyone else the header is ignored (it is
    typed by the client and would let a guesser change address at will)."""
    peer = request.remote or "?"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
            for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


def quote_web_app(store: Store, *, notify: Notify | None = None,
                  throttle: MissThrottle | None = None,
                  trusted_proxies: Networks = (), public_url: str = "",
                  company: str = "", business: Company | None = None,
                  renewals: Renewals | None = None,
                  miniapp: MiniApp | None = None) -> web.Application:
    """The quote pages; with `miniapp`, the Mini App's page and API too (bot/miniapp.py)."""
    throttle = throttle or MissThrottle()
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
            await _count_view(store, record, agent, notify, client=client)
        base = public_url or str(request.url.origin())
        card_url = f"{base}/q/{request.match_info['token']}/card.png"
        return web.Response(text=render_page(record, card_url=card_url,
                                             versions=_versions(store, record),
                                             business=business,
                                             bot_username=store.get_meta("bot_username") or ""),
                            content_type="text/html", charset="utf-8")

    async def card(request: web.Request) -> web.Response:
        """The quote card (the page's og:image); not a view: previews fetch it."""
        record = live(request, client_address(request, trusted_proxies))
        if isinstance(record, web.Response):
            return record
        png = await asyncio.to_thread(record_card, record, company=company, business=business)
        return web.Response(body=png, content_type="image/png")

    async def healthz(request: web.Request) -> web.Response:
        try:
            store.count_quotes()
        except StoreError:
            return web.json_response({"status": "degraded"}, status=503)
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/q/{token}", show)
    app.router.add_get("/q/{token}/card.png", card)
    app.router.add_post("/q/{token}/renew", renew)
    app.router.add_get("/healthz", healthz)
    metrics.add_routes(app, store)  # GET /metrics
    if miniapp is not None:
        miniapp.add_routes(app)  # GET /app, POST /app/api/…
    return app


async def _count_view(store: Store, record: QuoteRecord, agent: str,
                      notify: Notify | None, *, client: str) -> None:
    try:
        first = store.record_view(record.id, channel=CHANNEL, agent=agent, client=client,
                                  window=VIEW_WINDOW)
    except StoreError:
        log.warning("could not record a view of quote %s", record.id)
        return
    if first and notify is not None:
        for notice in opened_notices(store, record, web=True):
            await notify(notice.chat_id, notice.text)


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
                    renewals: Renewals | None = None,
                    miniapp: MiniApp | None = None) -> web.AppRunner:
    app = quote_web_app(store, notify=notify, trusted_proxies=trusted_proxies,
                        public_url=public_url, company=company, business=business,
                        renewals=renewals, miniapp=miniapp)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("quote pages on http://%s:%s/q/<token>", host, port)
    return runner
