"""How quote cards are produced and kept: drawn in a process pool, kept on disk per
(quote id, version), each version drawn once.

A card is ~20 ms of CPU (bot/card.py: text layout and PNG encoding, holding the GIL), so
the bot and the quote page never draw one on their event loop: `CardWorks.png` hands the
card's words to a one-worker process pool (the machine's second core), started at the
first card, and awaits it. When the pool cannot start (no working semaphores, a sandbox
without processes) or its worker dies, the card is drawn in-process instead — slower for
everyone for those 20 ms, never an error. A worker whose bot is killed leaves by itself.

A quote version never changes, so its card does not either: cards are kept on disk in a
folder per database (`<database folder>/kameng-cards/<database file name>/`, 0700), as
`quote-<id>-v<version>.png` (0600), written through a temporary file and a rename; a
symbolic link planted at a card's path or in place of the folder is never followed, for
reading or writing. Concurrent requests for one card share one drawing; a few recent
cards are also kept in memory. The folder remembers the drawing's inputs that are not in
the quote (COMPANY_NAME, the card's format): when they change, the old cards are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import multiprocessing
import os
import secrets
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from bot.card import CardFontError, CardText, card_png, plain_card, record_card_text
from bot.storage.store import QuoteRecord
from dialogs.company import Company

log = logging.getLogger(__name__)

CARD_FORMAT = "2"  # bump when the drawing changes: kept cards are then drawn again
CARDS_FOLDER = "kameng-cards"
FINGERPRINT_FILE = ".inputs"
MAX_CARD_BYTES = 8 * 1024 * 1024  # a kept file larger than this is not a card of ours
MEMORY_CARDS = 32  # recent cards kept in memory too (~100 KB each)
POOL_WORKERS = 1  # one core draws; the other runs the event loop
POOL_RESTARTS = 3  # a worker that keeps dying: stop using the pool, draw in-process
NICENESS = 0  # a positive niceness starves cards on a busy machine (docs/benchmarks.md)


def card_name(quote_id: int, version: int) -> str:
    return f"quote-{quote_id}-v{version}.png"


def cards_folder(database: str | Path) -> Path | None:
    """Where a database's cards are kept; None for an in-memory database."""
    if str(database) == ":memory:":
        return None
    path = Path(database).absolute()
    return path.parent / CARDS_FOLDER / path.name


@dataclass(frozen=True)
class CardFiles:
    """A database's card folder. Picklable: the pool's worker writes through it too."""

    folder: Path

    def _open_folder(self, *, create: bool) -> int:
        """The folder as a file descriptor, not following a symbolic link in its place."""
        if create:
            self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                self.folder.mkdir(mode=0o700)
        return os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)

    def read(self, name: str) -> bytes | None:
        """A kept card, or None (absent, or not a regular file of ours: a link, a FIFO)."""
        try:
            folder = self._open_folder(create=False)
        except OSError:
            return None
        try:
            descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                                 dir_fd=folder)
        except OSError:
            return None
        finally:
            os.close(folder)
        with os.fdopen(descriptor, "rb") as opened:
            info = os.fstat(opened.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CARD_BYTES:
                return None
            data = opened.read(MAX_CARD_BYTES + 1)
        return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None

    def write(self, name: str, data: bytes) -> Path:
        """Keep a card: written to a new 0600 file beside it, then renamed over the name
        (a link there is replaced, never followed). Raises OSError."""
        folder = self._open_folder(create=True)
        temporary = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                 | os.O_NOFOLLOW, 0o600, dir_fd=folder)
            try:
                with os.fdopen(descriptor, "wb") as opened:
                    opened.write(data)
                os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=folder)
                raise
        finally:
            os.close(folder)
        return self.folder / name

    def check_inputs(self, fingerprint: str) -> None:
        """Remove kept cards drawn with other inputs (another COMPANY_NAME, an older
        format), then remember these."""
        try:
            folder = self._open_folder(create=True)
        except OSError as error:
            log.warning("cannot use the card folder %s: %s", self.folder, error)
            return
        try:
            try:
                descriptor = os.open(FINGERPRINT_FILE, os.O_RDONLY | os.O_NOFOLLOW,
                                     dir_fd=folder)
                with os.fdopen(descriptor, "rb") as opened:
                    kept = opened.read(200).decode("utf-8", "replace")
            except OSError:
                kept = ""
            if kept == fingerprint:
                return
            for entry in os.listdir(folder):
                if entry.startswith("quote-") and entry.endswith(".png"):
                    with contextlib.suppress(OSError):
                        os.unlink(entry, dir_fd=folder)
        finally:
            os.close(folder)
        with contextlib.suppress(OSError):
            self.write(FINGERPRINT_FILE, fingerprint.encode())


def fingerprint(company: str) -> str:
    """The drawing's inputs that are not part of the quote."""
    return hashlib.sha256(f"{CARD_FORMAT}\n{company}".encode()).hexdigest()[:16]


def draw_and_keep(text: CardText, files: CardFiles | None, name: str) -> bytes:
    """Draw a card and keep it (in the pool's worker, or in-process as the fallback);
    a card that cannot be kept is still returned."""
    try:
        data = card_png(text)
    except CardFontError:
        log.error("no CJK font: sending the plain card")
        return plain_card(text)
    if files is not None:
        try:
            files.write(name, data)
        except OSError as error:
            log.warning("could not keep card %s in %s: %s", name, files.folder, error)
    return data


def _worker_started(parent: int) -> None:
    """In the pool's worker: the fonts opened before the first card, and a watch on the
    bot: a worker whose bot was killed (SIGKILL, a crash) leaves too, instead of waiting
    for cards forever."""
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    threading.Thread(target=_leave_with, args=(parent,), daemon=True,
                     name="card-worker-watch").start()
    from bot.card import check_font

    with contextlib.suppress(CardFontError):
        check_font()


def _leave_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


@dataclass
class CardStats:
    from_memory: int = 0
    from_disk: int = 0
    drawn_in_pool: int = 0
    drawn_in_process: int = 0
    shared: int = 0  # requests that waited for a drawing already under way
    draw_seconds: float = 0.0  # wall time from hand-over to the PNG, summed

    @property
    def hits(self) -> int:
        return self.from_memory + self.from_disk + self.shared

    @property
    def drawn(self) -> int:
        return self.drawn_in_pool + self.drawn_in_process


@dataclass
class CardWorks:
    """The cards of one database: `await works.png(record)` from the event loop."""

    database: str | Path
    company: str = ""
    use_pool: bool = True
    workers: int = POOL_WORKERS
    stats: CardStats = field(default_factory=CardStats)
    # What the pool runs: a module-level function (it is pickled by name).
    draw: Callable[[CardText, CardFiles | None, str], bytes] = draw_and_keep
    business: Company | None = None  # the company file: the card's contact line

    def __post_init__(self) -> None:
        folder = cards_folder(self.database)
        self.files = CardFiles(folder) if folder is not None else None
        self.memory: OrderedDict[str, bytes] = OrderedDict()
        self.pending: dict[str, asyncio.Future[bytes]] = {}
        self.pool: ProcessPoolExecutor | None = None
        self.pool_failures = 0
        self.inputs_checked = False

    def name(self, record: QuoteRecord) -> str:
        return card_name(record.id, record.version)

    def _check_inputs(self) -> None:
        if not self.inputs_checked and self.files is not None:
            self.files.check_inputs(fingerprint(f"{self.company}\n{self.business!r}"))
        self.inputs_checked = True

    def _remember(self, name: str, data: bytes) -> bytes:
        self.memory[name] = data
        self.memory.move_to_end(name)
        while len(self.memory) > MEMORY_CARDS:
            self.memory.popitem(last=False)
        return data

    def cached(self, record: QuoteRecord) -> bytes | None:
        """The card if it was drawn before (memory, then disk); None otherwise."""
        name = self.name(record)
        if name in self.memory:
            self.stats.from_memory += 1
            self.memory.move_to_end(name)
            return self.memory[name]
        self._check_inputs()
        data = self.files.read(name) if self.files is not None else None
        if data is not None:
            self.stats.from_disk += 1
            self._remember(name, data)
        return data

    async def png(self, record: QuoteRecord) -> bytes:
        """The quote version's card: kept, being drawn (shared), or drawn now off the
        event loop. Never raises for a card that cannot be drawn (the plain card)."""
        data = self.cached(record)
        if data is not None:
            return data
        name = self.name(record)
        if name in self.pending:
            self.stats.shared += 1
            return await asyncio.shield(self.pending[name])
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.pending[name] = future
        try:
            data = await self._draw(record, name)
            future.set_result(data)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del self.pending[name]
        return self._remember(name, data)

    async def _draw(self, record: QuoteRecord, name: str) -> bytes:
        try:
            # cheap, words only
            text = record_card_text(record, company=self.company, business=self.business)
        except Exception:  # a record the card cannot read: the plain card, not kept
            log.warning("no card text for quote %s", record.id, exc_info=True)
            return plain_card()
        began = time.perf_counter()
        pool = self._pool()
        if pool is not None:
            try:
                data = await asyncio.get_running_loop().run_in_executor(
                    pool, self.draw, text, self.files, name)
                self.stats.drawn_in_pool += 1
                self.stats.draw_seconds += time.perf_counter() - began
                return data
            except (BrokenProcessPool, OSError, RuntimeError) as error:
                self._pool_failed(error)
            except Exception:  # anything else from the worker: draw it here instead
                log.warning("the card pool could not draw %s", name, exc_info=True)
        data = self.draw(text, self.files, name)  # the fallback: on this thread
        self.stats.drawn_in_process += 1
        self.stats.draw_seconds += time.perf_counter() - began
        return data

    def keep_now(self, record: QuoteRecord) -> tuple[bytes, Path | None]:
        """For `kameng chat`: the card drawn in-process (no pool for one card) and kept;
        its path, or None when it could not be kept."""
        name = self.name(record)
        data = self.cached(record)
        if data is None:
            text = record_card_text(record, company=self.company, business=self.business)
            data = card_png(text)  # CardFontError: the chat names the package
            self.stats.drawn_in_process += 1
            if self.files is not None:
                try:
                    self.files.write(name, data)
                except OSError as error:
                    log.warning("could not keep card %s: %s", name, error)
                    return data, None
            self._remember(name, data)
        return data, (self.files.folder / name if self.files is not None else None)

    def _pool(self) -> ProcessPoolExecutor | None:
        """The pool, started at the first card; None when it cannot be (logged once)."""
        if self.pool is not None or not self.use_pool or self.pool_failures >= POOL_RESTARTS:
            return self.pool
        try:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_started, initargs=(os.getpid(),))
        except (OSError, ImportError, NotImplementedError, RuntimeError) as error:
            self.pool_failures = POOL_RESTARTS
            log.warning("no process pool for cards (%s): drawing them in-process", error)
            self.pool = None
        return self.pool

    def _pool_failed(self, error: BaseException) -> None:
        self.pool_failures += 1
        log.warning("the card pool failed (%s, %d of %d): this card is drawn in-process",
                    error, self.pool_failures, POOL_RESTARTS)
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = None

    def close(self) -> None:
        """Stop the pool's worker (at shutdown)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


__all__ = ["CARDS_FOLDER", "CardFiles", "CardStats", "CardWorks", "card_name",
           "cards_folder", "draw_and_keep", "fingerprint"]
