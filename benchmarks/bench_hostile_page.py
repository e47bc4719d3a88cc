"""The quote page under hostile traffic, through the real `kameng serve` on 127.0.0.1.

Run: .venv/bin/python benchmarks/bench_hostile_page.py [--requests 10000] [--addresses 1000]
     [--distinct 20000]

Phase 1 (issue 11): `--requests` requests from `--addresses` client addresses (set through
X-Forwarded-For, the server trusting 127.0.0.1 as its proxy): a tenth of the addresses are
guessers sending mostly misses, twice beyond the throttle; the rest mix valid tokens with a
few misses of their own. Every valid token must be answered 200 throughout.
Phase 2: `--distinct` misses from as many distinct addresses (the miss counters' bound).
The server's RSS is sampled from /proc as it goes: it must stay flat. Loopback only; no
test asserts on these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.storage.store import Store
from pricing import Inquiry, load_rates, quote

KAMENG = str(Path(sys.executable).with_name("kameng"))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_tokens(db: Path, count: int) -> list[str]:
    store = Store(db)
    rates = load_rates()
    tokens = []
    for index in range(count):
        quote_id = store.save_quote(channel="telegram", user_id="555", dialog_id=f"d{index}",
                                    confirmation=1, locale="zh_CN", prospect=f"客户{index}",
                                    quote=quote(Inquiry(daily_orders=100 + index), rates))
        tokens.append(store.share(quote_id, days=30))
    store.close()
    return tokens


def plan(requests: int, addresses: int, tokens: list[str]) -> list[tuple[str, str, bool]]:
    """(address, path, valid) in a shuffled order: guessers and prospects interleaved.

    A tenth of the addresses are guessers and send 40 % of the requests (40 each with the
    defaults, twice the throttle's limit), 9 in 10 of them misses; they also open valid
    links now and then, as a prospect sharing a guesser's proxy address would. The others
    send valid tokens with 1 miss in 10."""
    rng = random.Random(11)
    clients = [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(addresses)]
    split = max(1, addresses // 10)
    guessers, prospects = clients[:split], clients[split:]
    work = []
    for index in range(requests):
        if index < requests * 4 // 10:
            client, miss_rate = guessers[index % len(guessers)], 0.9
        else:
            client, miss_rate = prospects[index % len(prospects)], 0.1
        if rng.random() < miss_rate:
            work.append((client, f"/q/{secrets.token_urlsafe(16)}", False))
        else:
            work.append((client, f"/q/{rng.choice(tokens)}", True))
    rng.shuffle(work)
    return work


async def run(base: str, work: list[tuple[str, str, bool]], pid: int, label: str,
              samples: list[tuple[str, int, float]]) -> tuple[Counter[str], list[float], int]:
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    valid_not_200 = 0
    limit = asyncio.Semaphore(16)
    connector = aiohttp.TCPConnector(limit=16)
    step = max(1, len(work) // 5)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(client: str, path: str, valid: bool) -> None:
            nonlocal valid_not_200
            async with limit:
                started = time.perf_counter()
                async with session.get(base + path, headers={
                        "X-Forwarded-For": client, "User-Agent": "Mozilla/5.0 (bench)"}) as reply:
                    await reply.read()
                    status = reply.status
            if valid:
                latencies.append(time.perf_counter() - started)
                valid_not_200 += status != 200
                statuses[f"valid {status}"] += 1
            else:
                statuses[f"miss {status}"] += 1

        for start in range(0, len(work), step):
            await asyncio.gather(*(one(*item) for item in work[start:start + step]))
            samples.append((label, start + min(step, len(work) - start), rss_mb(pid)))
    return statuses, latencies, valid_not_200


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--addresses", type=int, default=1_000)
    parser.add_argument("--distinct", type=int, default=20_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"CPython {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "kameng.db"
        tokens = make_tokens(db, 20)
        port = free_port()
        env = {key: value for key, value in os.environ.items()
               if key not in ("TELEGRAM_BOT_TOKEN",)}
        env["TRUSTED_PROXIES"] = "127.0.0.1"
        server = subprocess.Popen([KAMENG, "serve", "--db", str(db), "--port", str(port)],
                                  env=env, cwd=folder, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("kameng serve did not start") from None
                    time.sleep(0.05)
            samples: list[tuple[str, int, float]] = []
            warm = [("10.255.255.1", f"/q/{tokens[0]}", True)] * 200
            asyncio.run(run(base, warm, server.pid, "warm-up", samples))
            start_rss = rss_mb(server.pid)
            began = time.perf_counter()
            statuses, latencies, bad = asyncio.run(run(
                base, plan(args.requests, args.addresses, tokens), server.pid, "phase 1",
                samples))
            elapsed = time.perf_counter() - began
            flood = [(f"172.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                      f"/q/{secrets.token_urlsafe(16)}", False) for i in range(args.distinct)]
            flood_statuses, _, _ = asyncio.run(run(base, flood, server.pid, "phase 2",
                                                   samples))
            end_rss = rss_mb(server.pid)
        finally:
            server.terminate()
            errors = server.communicate(timeout=20)[1]
    print(f"phase 1: {args.requests:,} requests from {args.addresses:,} addresses "
          f"({args.addresses // 10:,} of them guessers) in {elapsed:.1f} s "
          f"= {args.requests / elapsed:,.0f} requests/s")
    for status, count in sorted(statuses.items()):
        print(f"  {status}: {count:,}")
    print(f"  valid tokens not answered 200: {bad}")
    print(f"  valid-token latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {statistics.quantiles(latencies, n=100)[98] * 1000:.1f} ms")
    print(f"phase 2: {args.distinct:,} misses from as many distinct addresses: "
          + ", ".join(f"{status}: {count:,}" for status, count in sorted(
              flood_statuses.items())))
    print("server RSS (MB): after warm-up " + f"{start_rss:.1f}; "
          + "; ".join(f"{label} {done:,} {mb:.1f}" for label, done, mb in samples
                      if label != "warm-up"))
    print(f"RSS drift over both phases: {end_rss - start_rss:+.1f} MB "
          f"({(end_rss - start_rss) / start_rss * 100:+.1f} %)")
    print(f"tracebacks in the server's output: {errors.count('Traceback')}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
