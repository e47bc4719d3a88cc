"""Load on the aiogram front-end: users in waves through whole dialogues.

Run: .venv/bin/python benchmarks/bench_load.py [--users 1000] [--wave 200] [--dialogues 10000]
Part 1: --users simulated users in waves of --wave complete the dialogue: throughput,
reply p50/p99, errors, the bot's RSS before and after, and the RSS those users leave behind
once idle (their state is in SQLite), per 1,000 users.
Part 2: --dialogues completed dialogues in waves: the bot's RSS after each wave; the drift
after warm-up (target < 10 %).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_telegram import DIALOGUE, Driver
from tests.fake_telegram import FakeTelegram
from tests.procs import TOKEN, BotProcess


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--wave", type=int, default=200)
    parser.add_argument("--dialogues", type=int, default=10_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}; aiogram front-end, fake Bot API on 127.0.0.1")
    with tempfile.TemporaryDirectory() as tmp:
        api = FakeTelegram(TOKEN)
        api.start()
        bot = BotProcess("aiogram", api, Path(tmp) / "kameng.db",
                         extra_env={"LOG_LEVEL": "WARNING", "KAMENG_FLOOD_LIMIT": "1000"})
        bot.wait_polling()
        pid = bot.process.pid
        driver = Driver(api)
        next_user = 1
        try:
            api._run(driver.crowd(20, False, first_user=10_000_000), timeout=300)  # warm-up
            before = rss_mb(pid)
            latencies: list[float] = []
            errors = 0
            started = time.perf_counter()
            while next_user <= args.users:
                size = min(args.wave, args.users - next_user + 1)
                _, wave_latencies, wave_errors = api._run(
                    driver.crowd(size, False, first_user=next_user), timeout=900)
                latencies += wave_latencies
                errors += wave_errors
                next_user += size
            seconds = time.perf_counter() - started
            after = rss_mb(pid)
            updates = args.users * len(DIALOGUE)
            print(f"part 1: {args.users:,} users in waves of {args.wave}: {updates:,} updates "
                  f"in {seconds:.1f} s = {updates / seconds:.0f} updates/s; reply p50 "
                  f"{pct(latencies, 0.5):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms; "
                  f"errors {errors}")
            print(f"        RSS before {before:.1f} MB, after {after:.1f} MB: "
                  f"{(after - before) / args.users * 1000:.2f} MB per 1,000 idle users")

            samples: list[float] = []
            done = 0
            while done < args.dialogues:
                size = min(args.wave, args.dialogues - done)
                _, _, wave_errors = api._run(driver.crowd(size, False, first_user=next_user),
                                             timeout=900)
                errors += wave_errors
                next_user += size
                done += size
                samples.append(rss_mb(pid))
            warm = samples[min(4, len(samples) - 1)]  # after five waves
            drift = (samples[-1] - warm) / warm * 100
            print(f"part 2: {args.dialogues:,} completed dialogues: RSS after warm-up "
                  f"{warm:.1f} MB, at the end {samples[-1]:.1f} MB, drift {drift:+.1f} % "
                  f"(target < 10 %); max {max(samples):.1f} MB; errors {errors}")
            print(f"        RSS by wave: {', '.join(f'{value:.0f}' for value in samples)}")
            print(f"        median RSS {statistics.median(samples):.1f} MB")
        finally:
            bot.stop()
            api.stop()


if __name__ == "__main__":
    main()
