"""Prometheus metrics and health checks, beside every web server the project runs.

`GET /metrics` (Prometheus text format) and `GET /healthz` are added to the quote page
(`kameng serve`, and inside `kameng bot` with PUBLIC_URL), to the webhook server, and to a
small server of their own on METRICS_HOST:METRICS_PORT when that is set (long polling has
no web server otherwise). A public page (PUBLIC_URL set) leaves /metrics to that private
listener (METRICS_ON_PAGE): it names versions and costs a database read.

Two kinds of figures:
- what this process saw since it started (counters and a histogram, updated by the
  conversation: updates by kind, replies, errors, retries, 429 waits, reply latency);
- what the database holds (quotes made, links shared and opened, quotes accepted,
  hand-offs), read at each scrape, so they survive restarts and agree with /stats.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import REGISTRY, Counter, Histogram, Info
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector, CollectorRegistry

from bot.http_guard import serve_guarded
from bot.storage.views import totals

if TYPE_CHECKING:
    from bot.storage.store import Store

log = logging.getLogger(__name__)

UPDATES = Counter("kameng_updates", "Telegram updates received, by kind "
                  "(command, message, callback, edited, other).", ["kind"])
REPLIES = Counter("kameng_replies", "Bot API calls that answered a user, by method "
                  "(send, edit, answer, document).", ["method"])
ERRORS = Counter("kameng_errors", "Updates that ended in an apology, by kind "
                 "(storage: the database failed; unexpected: a bug).", ["kind"])
FLOOD_REFUSED = Counter("kameng_flood_refused", "Updates refused by the per-user flood limit.")
RETRIES = Counter("kameng_bot_api_retries", "Bot API calls retried after a network error "
                  "or a 5xx.")
WAITS_429 = Counter("kameng_bot_api_429_waits", "429 Too Many Requests answers waited out.")
WAIT_SECONDS = Counter("kameng_bot_api_429_wait_seconds", "Seconds spent waiting out 429s.")
LATENCY = Histogram("kameng_reply_latency_seconds", "From an update's arrival to the end of "
                    "its handling (replies sent, state saved).",
                    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))
BUILD = Info("kameng_build", "What is running: package version, rates version, database "
             "schema, front-end.")
RUNNING: dict[str, str] = {}  # BUILD's labels, for the start-up log line
STARTED = time.time()


def set_build(**labels: str) -> None:
    """Record what is running (kameng_build_info, and `running()` for the log)."""
    RUNNING.update(labels)
    BUILD.info(dict(RUNNING))


def running() -> str:
    """"kameng-quote 0.1.0, rates 2026.11-1+…, schema 3"; "" before set_build."""
    if not RUNNING:
        return ""
    return (f"kameng-quote {RUNNING.get('version', '?')}, rates {RUNNING.get('rates', '?')}, "
            f"schema {RUNNING.get('schema', '?')}")


def update_kind(*, callback: bool, edited: bool, text: str | None) -> str:
    """The label an update is counted under."""
    if callback:
        return "callback"
    if edited:
        return "edited"
    if text is None:
        return "other"
    return "command" if text.lstrip().startswith("/") else "message"


class StoreCollector(Collector):
    """Business figures from the database at scrape time."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        figures = totals(self.store)
        for name, doc, value in (
                ("kameng_quotes", "Quotes saved (one per confirmation).", figures.quotes),
                ("kameng_quotes_shared", "Quotes with a share link made.", figures.shared),
                ("kameng_links_opened", "Shared quotes opened at least once.", figures.opened),
                ("kameng_link_views", "Views of quote links (bot and web, robots excluded).",
                 figures.views),
                ("kameng_quotes_accepted", "Quotes a prospect accepted.", figures.accepted),
                ("kameng_handoffs", "Requests for a person (转人工).", figures.handoffs)):
            yield CounterMetricFamily(name, doc, value=float(value))
        yield GaugeMetricFamily("kameng_database_schema_version", "PRAGMA user_version.",
                                value=float(self.store.schema_version))


class _Everything(Collector):
    """This process's metrics, then the database's (skipped, and logged, when it is down:
    /healthz says so)."""

    def __init__(self, store: Store | None) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
        if self.store is None:
            return
        try:
            found = list(StoreCollector(self.store).collect())
        except Exception as error:
            log.warning("metrics from the database unavailable: %s", error)
            return
        yield from found


def exposition(store: Store | None, accept: str | None = None) -> tuple[bytes, str]:
    """(body, content type) in the format the scraper asks for (Prometheus text by
    default, OpenMetrics when its Accept header prefers it)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Everything(store))
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type


def health(store: Store | None, **details: object) -> tuple[int, dict[str, object]]:
    """(HTTP status, body) for /healthz: 200 when the database answers, else 503."""
    body: dict[str, object] = {"status": "ok", "uptime_seconds": round(time.time() - STARTED),
                               **details}
    if store is not None:
        try:
            store.count_quotes()
        except Exception as error:  # StoreError, or sqlite3 errors from a closed store
            body.update(status="degraded", error=type(error).__name__)
            return 503, body
    return 200, body


CACHE_SECONDS = 5.0  # a scrape storm reads the database once per this, not per request


def add_routes(app: web.Application, store: Store | None, *, metrics_route: bool = True,
               details: dict[str, object] | None = None) -> None:
    """GET /metrics (unless `metrics_route` is False: a public page keeps it on a private
    listener), and GET /healthz unless the app has its own. The figures are computed at
    most once per CACHE_SECONDS per format."""
    cached: dict[str, tuple[float, bytes, str]] = {}

    async def metrics(request: web.Request) -> web.Response:
        accept = request.headers.get("Accept") or ""
        _, wanted = choose_encoder(accept)
        now = time.monotonic()
        hit = cached.get(wanted)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            body, content_type = hit[1], hit[2]
        else:
            body, content_type = exposition(store, accept)
            cached[wanted] = (now, body, content_type)
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    async def healthz(request: web.Request) -> web.Response:
        status, body = health(store, **(details or {}))
        return web.json_response(body, status=status)

    if metrics_route:
        app.router.add_get("/metrics", metrics)
    if not any(getattr(resource, "canonical", None) == "/healthz"
               for resource in app.router.resources()):
        app.router.add_get("/healthz", healthz)


async def serve_metrics(store: Store | None, host: str, port: int,
                        **details: object) -> web.AppRunner:
    """A server with only /metrics and /healthz (METRICS_PORT, e.g. in polling mode)."""
    app = web.Application()
    add_routes(app, store, details=details)
    return await serve_guarded(app, host, port)
