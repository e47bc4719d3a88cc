"""Slow clients must not take the server's open files: a deadline for a request's headers
and a cap on open connections, for every HTTP listener kameng runs (the quote pages, the
webhook, /metrics).

aiohttp reads headers for as long as a client trickles them (until its keep-alive timeout,
75 s by default), one file descriptor each: 1,100 such connections used up the 1,024
open files of `kameng serve` and everyone else timed out (slowloris). Here each connection
has `header_timeout` seconds to finish its first request's headers; later requests on the
same connection are bounded by aiohttp's keep-alive timeout, set to the same value. At
most `max_connections` are open: beyond that the oldest connection still sending headers
is dropped for the new one, and when every open connection is a real request the new one
is refused. The cap follows the process's open-files limit (RLIMIT_NOFILE, raised by
`LimitNOFILE=` in deploy/kameng.service, never from here: the unit forbids setrlimit).

A reverse proxy in front (nginx, Caddy) should buffer requests anyway: docs/deploy.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time
from collections import OrderedDict
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0  # seconds for a request's headers (nginx gives 60; we sit behind it)
MAX_CONNECTIONS = 4096  # at most, whatever the open-files limit
END_OF_HEADERS = b"\r\n\r\n"
RESERVE = 16  # open files kept for outgoing calls, the card's font, a backup


def _open_files() -> int:
    """File descriptors in use now (Linux); a generous guess elsewhere."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 64


def accept_backlog() -> int:
    """The listen backlog, which is also how many connections asyncio accepts in one go
    before any of them reaches the guard: a sixteenth of the open-files limit, 8 to 128."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 128 if soft == resource.RLIM_INFINITY else max(8, min(128, soft // 16))


def connection_limit(configured: int | None = None) -> int:
    """The configured cap, or what the open-files limit leaves after the files in use now
    (the database, logs), a margin for outgoing calls (Telegram) and room for the
    connections asyncio accepts before the guard sees them: a batch per event-loop turn,
    while the ones dropped meanwhile close only at the next turn (four batches: with one,
    1,100 slow clients under a limit of 1,024 sometimes hit EMFILE)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = MAX_CONNECTIONS * 2
    room = max(8, soft - _open_files() - 4 * accept_backlog() - RESERVE)
    return min(configured, room) if configured else min(MAX_CONNECTIONS, room)


class ConnectionGuard:
    """The open connections of one listener, oldest first."""

    def __init__(self, *, header_timeout: float = HEADER_TIMEOUT,
                 max_connections: int | None = None) -> None:
        self.header_timeout = header_timeout
        self.limit = connection_limit(max_connections)
        self.open: OrderedDict[GuardedProtocol, None] = OrderedDict()
        self.dropped = 0  # connections closed for being slow or over the cap
        self._warned = 0.0

    def admit(self, connection: GuardedProtocol) -> bool:
        """Make room for a new connection: drop the oldest one still sending headers when
        full; False (refuse it) when every open one is a real request."""
        if len(self.open) >= self.limit:
            victim = next((open_ for open_ in self.open if not open_.headers_done), None)
            self._warn()
            if victim is None:
                return False
            victim.drop()
        self.open[connection] = None
        return True

    def forget(self, connection: GuardedProtocol) -> None:
        self.open.pop(connection, None)

    def _warn(self) -> None:
        self.dropped += 1
        now = time.monotonic()
        if now - self._warned > 60:  # once a minute at most: a flood must not flood the log
            self._warned = now
            log.warning("%d connections open (the limit): dropping the slowest; %d dropped "
                        "so far", len(self.open), self.dropped)


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind a deadline for its first headers."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard, self.inner = guard, inner
        self.transport: asyncio.Transport | None = None
        self.headers_done = False
        self.admitted = False
        self._tail = b""
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if not self.guard.admit(self):
            transport.abort()
            return
        self.admitted = True
        self._timer = asyncio.get_running_loop().call_later(self.guard.header_timeout,
                                                            self._too_slow)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self.admitted:
            return
        if not self.headers_done:
            seen = self._tail + data
            if END_OF_HEADERS in seen:
                self.headers_done = True
                self._cancel_timer()
            else:
                self._tail = seen[-3:]
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.admitted else None

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.forget(self)
        self._cancel_timer()
        if self.admitted:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def drop(self) -> None:
        self.guard.forget(self)
        if self.transport is not None:
            self.transport.abort()  # the file descriptor is released now, not after a FIN

    def _too_slow(self) -> None:
        self._timer = None
        if not self.headers_done:
            self.guard.dropped += 1
            self.drop()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class GuardedSite(web.BaseSite):
    """web.TCPSite with a ConnectionGuard around every connection."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, *,
                 guard: ConnectionGuard) -> None:
        super().__init__(runner, backlog=accept_backlog())
        self._host, self._port, self.guard = host, port, guard

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server: Any = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            lambda: GuardedProtocol(self.guard, server()), self._host, self._port,
            backlog=self._backlog, reuse_address=True)


SERVER_NAME = "kameng"


def name_the_server() -> None:
    """`Server: kameng` on every response of every listener, the low-level ones included
    (a 400 for a malformed or 9 KB request line is written by aiohttp before any
    middleware runs, and said `Python/3.11 aiohttp/3.x`). aiohttp takes the default
    from this module global (`setdefault`), so a response that names itself keeps it."""
    from aiohttp import web_response

    web_response.SERVER_SOFTWARE = SERVER_NAME  # type: ignore[attr-defined]


class OneLineBadRequests(logging.Filter):
    """A malformed request (a 9 KB path, a broken request line) is the client's mistake:
    one warning line, not aiohttp's traceback at ERROR for each one (a log flood)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            peer = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg = "bad request from %s: %s (%s)"
            record.args = (peer, type(error).__name__, error.code)
            record.exc_info, record.exc_text = None, None
            if record.levelno > logging.WARNING:  # aiohttp's DEBUG ones (TLS on the
                record.levelno, record.levelname = logging.WARNING, "WARNING"  # port) stay
        return True


def quiet_bad_requests() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(found, OneLineBadRequests) for found in server_log.filters):
        server_log.addFilter(OneLineBadRequests())


def guarded_runner(app: web.Application, *, header_timeout: float = HEADER_TIMEOUT
                   ) -> web.AppRunner:
    """An AppRunner whose idle keep-alive connections (and slow later requests) close
    after `header_timeout`, no access log (it would hold prospects' tokens)."""
    return web.AppRunner(app, access_log=None, keepalive_timeout=header_timeout)


async def serve_guarded(app: web.Application, host: str, port: int, *,
                        header_timeout: float = HEADER_TIMEOUT,
                        max_connections: int | None = None) -> web.AppRunner:
    """Set up `app` and listen on host:port behind a ConnectionGuard, naming itself
    `kameng`, one log line per malformed request."""
    name_the_server()
    quiet_bad_requests()
    runner = guarded_runner(app, header_timeout=header_timeout)
    await runner.setup()
    guard = ConnectionGuard(header_timeout=header_timeout, max_connections=max_connections)
    await GuardedSite(runner, host, port, guard=guard).start()
    return runner
