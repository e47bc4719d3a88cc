"""Where `kameng bot` spends its time per update: cProfile over the side-by-side walk.

Run from the project root (needs ../shared/peers/bench_side_by_side.py for the walk):
    .venv/bin/python benchmarks/profile_bot.py [--users 200] [--top 20] [--sort tottime]
        [--kameng-dialogue benchmarks/peer_walk.json] [--out bot.prof]

The real `kameng bot --framework aiogram` runs against the fake Bot API with a cProfile
profiler that SIGUSR1 switches on and SIGUSR2 off (writing the profile): start-up and the
warm-up (5 users) are left out. The side-by-side benchmark's own driver then walks N users
through the whole dialogue (closed loop, no pauses).
Printed: the top functions by own time (or --sort cumulative), as milliseconds per update,
so the table reads as "where one update's CPU goes". Profiling slows Python code ~1.5-2x:
read shares, not absolute figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT.parent / "shared" / "peers"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(PEERS))

from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.procs import TOKEN  # noqa: E402

# The bot, with a profiler switched on and off by signals (handled in the main thread,
# the event loop's).
BOOTSTRAP = """
import cProfile, signal, sys
out = sys.argv[1]
profile = cProfile.Profile()
signal.signal(signal.SIGUSR1, lambda *_: profile.enable())
signal.signal(signal.SIGUSR2, lambda *_: (profile.disable(), profile.dump_stats(out)))
sys.argv = sys.argv[2:]
from bot.cli import main
sys.exit(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--kameng-dialogue", default="")
    parser.add_argument("--out", default="", help="keep the .prof file here")
    args = parser.parse_args()
    import bench_side_by_side as side  # the peers' driver: the same walk as the benchmark

    walk = None
    if args.kameng_dialogue:
        walk = [(k, tuple(v)) for k, v in json.loads(Path(args.kameng_dialogue).read_text())]
    with tempfile.TemporaryDirectory(prefix="profile-bot-") as tmp:
        out = Path(args.out).resolve() if args.out else Path(tmp) / "bot.prof"
        api = FakeTelegram(TOKEN)
        base = api.start()
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base,
               "LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore",
               "KAMENG_DB": str(Path(tmp) / "kameng.db"), "KAMENG_FRAMEWORK": "aiogram",
               "KAMENG_FLOOD_LIMIT": "1000"}
        kameng = str(ROOT / ".venv/bin/kameng")
        process = subprocess.Popen(
            [sys.executable, "-c", BOOTSTRAP, str(out), kameng, "bot"],
            env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            if not api.polling.wait(60):
                raise SystemExit("the bot never polled")
            driver = side.Driver(api, echo=False, dialogue=walk)
            api._run(driver.crowd(900_000, 5, (0.0, 0.0)), timeout=300)  # warm-up
            process.send_signal(signal.SIGUSR1)
            time.sleep(0.5)
            seconds, latencies, errors = api._run(driver.crowd(1, args.users, (0.0, 0.0)),
                                                  timeout=1800)
            process.send_signal(signal.SIGUSR2)
            for _ in range(100):
                if out.exists() and out.stat().st_size:
                    break
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
            api.stop()
        updates = len(latencies)
        print(f"{args.users} users, {updates} updates in {seconds:.1f} s, errors {errors}")
        stream = io.StringIO()
        stats = pstats.Stats(str(out), stream=stream)
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"profiled CPU: {total:.2f} s = {total / updates * 1000:.2f} ms per update")
        rows = []
        for (filename, line, name), (_, calls, own, cumulative, _) in \
                stats.stats.items():  # type: ignore[attr-defined]
            rows.append((own if args.sort == "tottime" else cumulative, own, cumulative,
                         calls, f"{_short(filename)}:{line}({name})"))
        rows.sort(reverse=True)
        print(f"{'own ms/upd':>10} {'cum ms/upd':>10} {'calls/upd':>9}  function")
        for _, own, cumulative, calls, where in rows[:args.top]:
            print(f"{own / updates * 1000:10.3f} {cumulative / updates * 1000:10.3f} "
                  f"{calls / updates:9.1f}  {where}")


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/lib/python3", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


if __name__ == "__main__":
    main()
