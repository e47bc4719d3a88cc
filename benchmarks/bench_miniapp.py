"""Issue 22: the Mini App's live re-price through its API, 50 merchants dragging at once.

Run: .venv/bin/python benchmarks/bench_miniapp.py [--users 50] [--moves 40] [--pause 0.15]

The server is the real `kameng serve` in a subprocess (a bot token configured, so /app and
its API are on; a fresh SQLite file), reached over HTTP on 127.0.0.1. Each simulated merchant
has their own signed initData (tests/webapp_signing.py: HMAC as Telegram signs it) and
re-prices like a hand on the slider: `--moves` POST /app/api/quote requests, one after the
other, orders drifting along the log scale and a toggle flipped now and then, with a
debounce-like pause of `--pause` seconds (±50 %) between them; all `--users` at once.
Timed, per request: from sending the body to the whole JSON answer read (initData checked,
the user's language looked up in SQLite, the quote priced, serialised and put in words).
Target (issue 22): p95 < 50 ms with 50 concurrent users on the 2-core dev machine.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.webapp_signing import init_data  # noqa: E402

TOKEN = "123456789:AAFakeTokenForBenchmarksOnly_abcdefghijk"
KAMENG = str(Path(sys.executable).with_name("kameng"))
KINDS = ("game", "topup", "software", "video")
TOGGLES = (("response", ("standard", "fast", "emergency")), ("tooling", ("none", "own")),
           ("ai", ("no", "yes")), ("billing", ("compare", "monthly", "per-order")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_up(session: aiohttp.ClientSession, base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("kameng serve did not come up")


async def merchant(session: aiohttp.ClientSession, base: str, user: int, moves: int,
                   pause: float, times: list[float], failures: list[int], *,
                   floor: bool = False) -> None:
    rng = random.Random(user)
    signed = init_data(TOKEN, user_id=10_000 + user)
    position = rng.uniform(0.2, 0.8)  # on the log slider, 0..1 → 1..20,000 orders
    inquiry: dict[str, Any] = {"orders": 300, "kinds": list(rng.sample(KINDS, 2)),
                               "categories": rng.randint(1, 12)}
    await asyncio.sleep(rng.uniform(0, pause))  # not all in lockstep
    for move in range(moves):
        position = min(1.0, max(0.0, position + rng.uniform(-0.05, 0.05)))
        inquiry["orders"] = max(1, round(math.exp(position * math.log(20_000))))
        if move % 5 == 4:
            name, choices = rng.choice(TOGGLES)
            inquiry[name] = rng.choice(choices)
        body = {"init_data": signed, "inquiry": inquiry, "estimated": ["scope", "mode"]}
        started = time.perf_counter()
        if floor:  # the same traffic to /healthz: what the machine and HTTP alone cost
            async with session.get(f"{base}/healthz") as response:
                await response.read()
                status = response.status
        else:
            async with session.post(f"{base}/app/api/quote", json=body) as response:
                await response.read()
                status = response.status
        times.append(time.perf_counter() - started)
        if status != 200:
            failures.append(status)
        await asyncio.sleep(pause * rng.uniform(0.5, 1.5))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (Linux /proc): the server's own cost per
    request, whatever the machine's load does to latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(users: int, moves: int, pause: float) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "kameng.db"
        subprocess.run([KAMENG, "chat", "--db", str(db)], input="", text=True,
                       capture_output=True, check=False, cwd=folder)  # creates the file
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "KAMENG_DB": str(db),
               "TELEGRAM_API_BASE": "http://127.0.0.1:9"}  # never called while re-pricing
        log = (Path(folder) / "serve.log").open("w")  # a file: a full pipe would block it
        server = subprocess.Popen([KAMENG, "serve", "--port", str(port)], env=env, cwd=folder,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            connector = aiohttp.TCPConnector(limit=users)
            async with aiohttp.ClientSession(connector=connector) as session:
                await wait_up(session, base)
                await merchant(session, base, 0, 5, 0.0, [], [])  # warm the server
                times: list[float] = []
                failures: list[int] = []
                cpu_before = cpu_seconds(server.pid)
                started = time.perf_counter()
                await asyncio.gather(*(merchant(session, base, user, moves, pause, times,
                                                failures) for user in range(1, users + 1)))
                elapsed = time.perf_counter() - started
                cpu_quote = cpu_seconds(server.pid) - cpu_before
                floor: list[float] = []
                await asyncio.gather(*(merchant(session, base, user, moves, pause, floor,
                                                failures, floor=True)
                                       for user in range(1, users + 1)))
                cpu_floor = cpu_seconds(server.pid) - cpu_before - cpu_quote
        finally:
            server.terminate()
            server.wait(10)
            log.close()
    ms = [value * 1000 for value in times]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print(f"{users} merchants × {moves} re-prices, pause {pause * 1000:.0f} ms ±50 %: "
          f"{len(ms)} requests in {elapsed:.1f} s ({len(ms) / elapsed:.0f}/s), "
          f"{len(failures)} not 200 {sorted(set(failures))}")
    print(f"re-price latency ms: p50 {statistics.median(ms):.1f}  p95 {percentile(ms, 0.95):.1f}"
          f"  p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}")
    base_ms = [value * 1000 for value in floor]
    print(f"the same traffic to GET /healthz (the floor): p50 {statistics.median(base_ms):.1f}"
          f"  p95 {percentile(base_ms, 0.95):.1f}  p99 {percentile(base_ms, 0.99):.1f}")
    print(f"server CPU per request: re-price {cpu_quote / len(ms) * 1000:.2f} ms, "
          f"/healthz {cpu_floor / len(base_ms) * 1000:.2f} ms")
    print(f"target p95 < 50 ms: {'met' if percentile(ms, 0.95) < 50 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.15)
    args = parser.parse_args()
    asyncio.run(run(args.users, args.moves, args.pause))


if __name__ == "__main__":
    main()
