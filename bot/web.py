"""The quote web page: GET /q/<token> and /healthz, on aiohttp.

Served by `kameng serve`, and by `kameng bot` in the same process when PUBLIC_URL is set.
Unknown tokens get 404 and expired or revoked ones 410, with pages that reveal nothing;
a client that keeps missing is throttled, so guessing 128-bit tokens stays hopeless.
Every view is recorded (time, hashed user agent); link-preview robots are served but not
counted. Security headers on every response; everything shown is autoescaped.
"""

from __future__ import annotations

import html
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import metrics
from bot.chart import quote_chart
from bot.render import environment, quote_context
from bot.store import QuoteRecord, Store, StoreError
from locales.i18n import resolve_locale, translator

log = logging.getLogger(__name__)

Notify = Callable[[int, str], Awaitable[None]]

SECURITY_HEADERS = {
    # No script, no external asset: only our inline styles and the inline SVG.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
ROBOTS = ("bot", "preview", "crawler", "spider", "facebookexternalhit", "slurp")


class MissThrottle:
    """At most `limit` unknown/expired tokens per client in `window` seconds; then 429."""

    def __init__(self, limit: int = 20, window: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.misses: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        times = self.misses[client]
        now = self.clock()
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= self.limit

    def miss(self, client: str) -> None:
        self._recent(client).append(self.clock())


def _client(request: web.Request) -> str:
    return request.remote or "?"


def quote_web_app(store: Store, *, notify: Notify | None = None,
                  throttle: MissThrottle | None = None) -> web.Application:
    throttle = throttle or MissThrottle()
    env = environment()

    @web.middleware
    async def security_headers(request: web.Request,
                               handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                               ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            response = error
        response.headers.update(SECURITY_HEADERS)
        return response

    def error_page(status: int, kind: str, locale: str | None = None) -> web.Response:
        t = translator(locale)
        body = env.get_template("link_error.html.j2").render(
            lang=t.locale.replace("_", "-"), title=t(f"page.{kind}_title"),
            message=t(f"page.{kind}"))
        return web.Response(status=status, text=body, content_type="text/html",
                            charset="utf-8")

    async def show(request: web.Request) -> web.Response:
        client = _client(request)
        if throttle.blocked(client):
            return error_page(429, "throttled")
        token = request.match_info["token"]
        try:
            record, state = store.link(token)
        except StoreError:
            return error_page(503, "busy")
        if record is None or state != "ok":
            throttle.miss(client)
            return error_page(404 if state == "unknown" else 410, "gone")
        agent = request.headers.get("User-Agent", "")
        if request.method == "GET" and not any(word in agent.lower() for word in ROBOTS):
            await _count_view(store, record, agent, notify)
        return web.Response(text=render_page(record), content_type="text/html",
                            charset="utf-8")

    async def healthz(request: web.Request) -> web.Response:
        try:
            store.count_quotes()
        except StoreError:
            return web.json_response({"status": "degraded"}, status=503)
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[security_headers])
    app.router.add_get("/q/{token}", show)
    app.router.add_get("/healthz", healthz)
    metrics.add_routes(app, store)  # GET /metrics
    return app


async def _count_view(store: Store, record: QuoteRecord, agent: str,
                      notify: Notify | None) -> None:
    try:
        first = store.record_view(record.id, channel="web", agent=agent)
    except StoreError:
        log.warning("could not record a view of quote %s", record.id)
        return
    if first and notify is not None and record.sales_owner:
        owner = int(record.sales_owner)
        t = translator(resolve_locale(store.user_locale("telegram", record.sales_owner)))
        await notify(owner, t("notify.opened", id=record.id,
                              prospect=html.escape(record.prospect or "-"),
                              who=t("page.someone"), where=t("page.web")))


def render_page(record: QuoteRecord) -> str:
    quote = record.quote()
    t = translator(record.locale)
    context = quote_context(quote, t)
    context.update(record=record, chart=quote_chart(quote), lang=t.locale.replace("_", "-"))
    return environment().get_template("quote_page.html.j2").render(context)


async def serve_web(store: Store, host: str, port: int, *,
                    notify: Notify | None = None) -> web.AppRunner:
    runner = web.AppRunner(quote_web_app(store, notify=notify), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("quote pages on http://%s:%s/q/<token>", host, port)
    return runner
