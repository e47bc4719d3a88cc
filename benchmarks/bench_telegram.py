"""N simulated users complete the whole quote dialogue through `kameng bot` against the fake
Bot API server on 127.0.0.1, per front-end; then a bare echo bot on the same framework and
server takes the same number of updates, as the baseline.

Two scenarios per front-end:
- saturation: every user sends its next update the moment the reply arrives (a closed
  loop with no think time). This measures throughput (updates/s) and our cost per update
  against the echo bot's; reply times here are mostly queueing (Little's law: 200 users
  at 700 updates/s wait ~0.3 s whatever the bot does).
- conversation: the same users, each pausing like a person between messages (uniformly
  --think seconds, default 1–3 s, first message at a random moment within that window).
  This measures what a merchant feels: reply p50/p95/p99 with 200 dialogues in progress.

Prints updates/s, p50/p95/p99 time from update to reply, the bot's peak RSS, and the ratio
of our cost per update to the echo bot's.
Run: .venv/bin/python benchmarks/bench_telegram.py [--users 200] [--frameworks aiogram,ptb]
     [--think 1-3] [--scenarios saturation,conversation]
Targets (issue 4): ≥ 300 updates/s with aiogram, p99 < 50 ms at 200 concurrent users,
cost per update ≤ 2× the echo bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_telegram import FakeTelegram
from tests.procs import TOKEN, BotProcess

# One whole dialogue (R-medium): text and button presses, ending with the quote.
DIALOGUE: list[tuple[str, str]] = [
    ("text", "/start"), ("tap", "o:300"), ("tap", "m:game_cards"), ("tap", "m:done"),
    ("tap", "o:fast"), ("text", "5"), ("tap", "m:none"), ("tap", "m:done"),
    ("tap", "o:technical"), ("tap", "o:none"), ("text", "纯人工"), ("tap", "o:outsourced"),
    ("tap", "o:steady"), ("tap", "o:compare"), ("tap", "skip"), ("tap", "ok"),
]


@dataclass
class Result:
    label: str
    updates: int
    seconds: float
    latencies: list[float]
    peak_rss_mb: float
    errors: int

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    def line(self) -> str:
        return (f"{self.label:<22} {self.updates:>6} updates in {self.seconds:6.2f} s = "
                f"{self.rate:7.1f} updates/s | reply p50 {self.pct(0.50):6.1f} ms, "
                f"p95 {self.pct(0.95):6.1f} ms, p99 {self.pct(0.99):6.1f} ms | "
                f"peak RSS {self.peak_rss_mb:5.1f} MB | errors {self.errors}")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Driver:
    """Simulated users inside the fake server's event loop: push an update, wait for the
    bot's next message with buttons in that chat, note the time."""

    def __init__(self, api: FakeTelegram) -> None:
        self.api = api
        self.events: dict[int, asyncio.Event] = {}
        original = api._note

        def note(chat_id: int, event: dict[str, Any]) -> None:
            original(chat_id, event)
            if event.get("buttons") and chat_id in self.events:
                self.events[chat_id].set()

        api._note = note  # type: ignore[method-assign]

    async def user(self, user_id: int, script: list[tuple[str, str]], echo: bool,
                   latencies: list[float], think: tuple[float, float] = (0.0, 0.0)) -> int:
        self.events[user_id] = asyncio.Event()
        errors = 0
        pause = random.Random(user_id)  # the same pauses in every run
        for kind, value in script:
            if think[1]:
                await asyncio.sleep(pause.uniform(*think))
            event = self.events[user_id]
            event.clear()
            started = time.perf_counter()
            if kind == "text" or (echo and not self.api.chats[user_id].messages):
                await self.api._push(self._text(user_id, value if kind == "text" else "hi"))
            else:
                message_id, data = self._button(user_id, value, echo)
                await self.api._push(self._press(user_id, message_id, data))
            try:
                await asyncio.wait_for(event.wait(), 30)
                latencies.append(time.perf_counter() - started)
            except TimeoutError:
                errors += 1
        return errors

    def _button(self, user_id: int, suffix: str, echo: bool) -> tuple[int, str]:
        if echo:
            message = self.api.last_screen(user_id)
            return message["message_id"], message["reply_markup"]["inline_keyboard"][0][0][
                "callback_data"]
        return self.api.button(user_id, suffix)

    def _text(self, user_id: int, text: str) -> dict[str, Any]:
        return {"message": {"message_id": 1, "date": 0, "text": text,
                            "chat": {"id": user_id, "type": "private"},
                            "from": {"id": user_id, "is_bot": False, "first_name": "u"}}}

    def _press(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        query_id = str(self.api.next_callback_id)
        self.api.next_callback_id += 1
        self.api.callback_chats[query_id] = user_id
        message = self.api.chats[user_id].messages[message_id]
        return {"callback_query": {"id": query_id, "chat_instance": "c", "data": data,
                                   "from": {"id": user_id, "is_bot": False, "first_name": "u"},
                                   "message": message}}

    async def crowd(self, users: int, echo: bool, first_user: int,
                    think: tuple[float, float] = (0.0, 0.0)) -> tuple[float, list[float], int]:
        latencies: list[float] = []
        started = time.perf_counter()
        errors = await asyncio.gather(*(
            self.user(first_user + index, DIALOGUE, echo, latencies, think)
            for index in range(users)))
        return time.perf_counter() - started, latencies, sum(errors)


def measure(framework: str, users: int, *, echo: bool, workdir: Path,
            think: tuple[float, float] = (0.0, 0.0)) -> Result:
    api = FakeTelegram(TOKEN)
    api.start()
    driver = Driver(api)
    if echo:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api.base_url}
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("echo_bot.py")), framework], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pid = process.pid
        api.polling.wait(30)
    else:
        # A fresh database per run: users of an earlier run would be offered 继续上次.
        database = workdir / f"{framework}-{'think' if think[1] else 'saturation'}.db"
        bot = BotProcess(framework, api, database,
                         extra_env={"LOG_LEVEL": "WARNING", "KAMENG_FLOOD_LIMIT": "1000"})
        bot.wait_polling()
        pid = bot.process.pid
    try:
        # Warm-up: a few users first, so imports and first-call costs are not measured.
        api._run(driver.crowd(5, echo, first_user=900_000), timeout=120)
        seconds, latencies, errors = api._run(
            driver.crowd(users, echo, first_user=1, think=think), timeout=900)
        rss = peak_rss_mb(pid)
    finally:
        if echo:
            process.terminate()
            process.wait(20)
        else:
            bot.stop()
        api.stop()
    label = f"{framework} {'echo bot' if echo else 'kameng bot'}"
    if think[1]:
        label += f", think {think[0]:g}-{think[1]:g} s"
    return Result(label, users * len(DIALOGUE), seconds, latencies, rss, errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--frameworks", default="aiogram,ptb")
    parser.add_argument("--think", default="1-3", help="seconds a user pauses, LOW-HIGH")
    parser.add_argument("--scenarios", default="saturation,conversation")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it comes
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}")
    print(f"{args.users} concurrent users x {len(DIALOGUE)} updates (the whole dialogue)")
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    scenarios = args.scenarios.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        for framework in args.frameworks.split(","):
            if "saturation" in scenarios:
                print(f"-- {framework}, saturation (no think time)")
                ours = measure(framework, args.users, echo=False, workdir=Path(tmp))
                echo = measure(framework, args.users, echo=True, workdir=Path(tmp))
                print(ours.line())
                print(echo.line())
                ratio = (ours.seconds / ours.updates) / (echo.seconds / echo.updates)
                print(f"{framework}: cost per update {ratio:.2f}x the echo bot's "
                      f"(median reply {statistics.median(ours.latencies) * 1000:.1f} ms vs "
                      f"{statistics.median(echo.latencies) * 1000:.1f} ms)")
            if "conversation" in scenarios:
                print(f"-- {framework}, conversation (think {args.think} s between messages)")
                print(measure(framework, args.users, echo=False, workdir=Path(tmp),
                              think=think).line())
                print(measure(framework, args.users, echo=True, workdir=Path(tmp),
                              think=think).line())


if __name__ == "__main__":
    main()
