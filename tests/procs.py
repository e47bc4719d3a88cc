"""Process helpers for the end-to-end tests: the `kameng` command, the real bot as a
subprocess against the fake Bot API server, free ports and plain HTTP requests.

Every helper is safe under pytest-xdist: ports are unique per worker (`free_port`), and
files live in the directories the caller gives (a `tmp_path`), never in a shared place.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.fake_telegram import FakeTelegram

KAMENG = str(Path(sys.executable).with_name("kameng"))
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
SALES_ID = 555
FRAMEWORKS = ("aiogram", "ptb")
# Start-up of a bot is import-bound (aiogram alone is seconds of CPU); on a loaded machine
# it can take long. A generous bound costs nothing when the bot starts in time.
START_TIMEOUT = 90.0

_handed_out: set[int] = set()


def free_port() -> int:
    """A free port on 127.0.0.1 that no other test of this run is handed: each pytest-xdist
    worker takes only ports of its own share (by port // 2, as Linux hands out only odd
    ports to bind(0)), never the same one twice, so two tests never race for a port
    between probe and bind."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    for _ in range(10_000):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if (port // 2) % workers == worker and port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port for worker {worker} of {workers}")


def http_get(url: str, headers: Mapping[str, str] | None = None
             ) -> tuple[int, str, dict[str, str]]:
    """(status, body, headers) of a GET; an HTTP error status is an answer, not a raise."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode(), dict(error.headers)


def run_kameng(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
               drop: tuple[str, ...] = (), stdin: str = "", timeout: float = 60
               ) -> subprocess.CompletedProcess[str]:
    """Run `kameng ARGS` to the end: the test's environment without the variables whose
    names begin with one of `drop`, plus `env`; text in and out."""
    environment = {key: value for key, value in os.environ.items()
                   if not (drop and key.startswith(drop))}
    return subprocess.run([KAMENG, *args], input=stdin, capture_output=True, text=True,
                          env={**environment, **(env or {})}, cwd=cwd, timeout=timeout,
                          check=False)


class BotProcess:
    """The real `kameng bot` as a subprocess, polling the fake Bot API server."""

    def __init__(self, framework: str, api: FakeTelegram, db: Path, *,
                 extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        self.framework = framework
        self.api = api
        self.log_path = db.with_suffix(f".{framework}.log")
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": api.base_url,
            "KAMENG_DB": str(db),
            "KAMENG_FRAMEWORK": framework,
            "SALES_IDS": str(SALES_ID),
            "LOG_LEVEL": "DEBUG",
            "PYTHONWARNINGS": "ignore",
            **(extra_env or {}),
        }
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen([KAMENG, "bot", *args], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, cwd=db.parent)

    def wait_polling(self, timeout: float = START_TIMEOUT) -> None:
        if not self.api.polling.wait(timeout):
            raise RuntimeError(f"the bot never polled:\n{self.output()}")

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code

    def kill(self) -> None:
        """In a test's `finally`: a bot a failed check left running must not poll on."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.log.closed:
            self.log.close()

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_exit(self, timeout: float = START_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return int(self.process.returncode)
            time.sleep(0.05)
        raise TimeoutError("the bot did not exit")


class BotEnv:
    """A running bot, its fake Telegram, its database and (when asked for) its quote page."""

    def __init__(self, api: FakeTelegram, bot: BotProcess, db: Path, web: str = "") -> None:
        self.api, self.bot, self.db, self.web = api, bot, db, web

    def get(self, path: str, agent: str = "Mozilla/5.0 (test)") -> tuple[int, str, dict[str, str]]:
        """GET a path of the bot's web page, as a browser (or `agent`) would."""
        return http_get(self.web + path, {"User-Agent": agent})

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as db:
            return db.execute(query, params).fetchall()

    def last_text(self, chat: int) -> str:
        """The newest message with text (a card photo sent after the links has none)."""
        return next((str(e["text"]) for e in reversed(self.api.transcript(chat))
                     if e.get("text")), "")

    def answers(self, chat: int) -> list[str]:
        """The texts of the answers to the presses in a chat (empty: a bare acknowledgement)."""
        return [e["text"] for e in self.api.transcript(chat) if e["do"] == "answer"]


@contextmanager
def bot_env(framework: str, folder: Path, *, web: bool = False, wait: bool = True,
            extra_env: dict[str, str] | None = None) -> Iterator[BotEnv]:
    """A fake Telegram and `kameng bot` on a new database in `folder`, with the quote page
    on a free port when `web`. On the way out the bot must stop cleanly (exit 0) and its
    log must not hold the token. With `wait=False` the caller waits for polling (to start
    several bots at once)."""
    api = FakeTelegram(TOKEN)
    api.start()
    settings = dict(extra_env or {})
    base = ""
    if web:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        settings = {"PUBLIC_URL": base, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
                    **settings}
    db = folder / "kameng.db"
    bot = BotProcess(framework, api, db, extra_env=settings)
    try:
        if wait:
            bot.wait_polling()
        yield BotEnv(api, bot, db, base)
        code = bot.stop()
        output = bot.output()
        assert code == 0, output[-3000:]
        assert TOKEN not in output and TOKEN.split(":")[1] not in output  # never logged
    finally:
        bot.kill()
        api.stop()
