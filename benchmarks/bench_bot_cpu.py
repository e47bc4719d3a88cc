"""The CPU one update costs `kameng bot`, counting its card pool too.

Run from the project root (the walk comes from ../shared/peers/bench_side_by_side.py):
    .venv/bin/python benchmarks/bench_bot_cpu.py [--users 200] [--kameng-dialogue FILE]

The side-by-side benchmark reads the bot's own CPU (/proc/<pid>/stat), which leaves out
the card pool's worker, a child process. This runs the same walk (N users, closed loop)
against `kameng bot --framework aiogram` and prints both: the bot process's CPU per
update, and the pool worker's (each user's quote makes one card), so the side-by-side
figure can be read honestly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "shared" / "peers"))

from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.procs import TOKEN  # noqa: E402

CLOCK = os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--kameng-dialogue", default="")
    args = parser.parse_args()
    import bench_side_by_side as side

    walk = None
    if args.kameng_dialogue:
        walk = [(k, tuple(v)) for k, v in json.loads(Path(args.kameng_dialogue).read_text())]
    with tempfile.TemporaryDirectory(prefix="bot-cpu-") as tmp:
        api = FakeTelegram(TOKEN)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api.start(),
               "LOG_LEVEL": "WARNING", "KAMENG_DB": str(Path(tmp) / "kameng.db"),
               "KAMENG_FLOOD_LIMIT": "1000"}
        process = subprocess.Popen([str(ROOT / ".venv/bin/kameng"), "bot"], env=env, cwd=tmp,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            if not api.polling.wait(120):
                raise SystemExit("the bot never polled")
            driver = side.Driver(api, echo=False, dialogue=walk)
            api._run(driver.crowd(900_000, 5, (0.0, 0.0)), timeout=600)  # warm, pool started
            pool = {child: cpu(child) for child in children(process.pid)}
            bot_before = cpu(process.pid)
            seconds, latencies, errors = api._run(driver.crowd(1, args.users, (0.0, 0.0)),
                                                  timeout=1800)
            api.wait_until(lambda: sum(len(api.photos(1 + i)) for i in range(args.users))
                           >= args.users, lambda: "not every card came", timeout=600)
            bot = cpu(process.pid) - bot_before
            workers = sum(cpu(child) - pool.get(child, 0.0)
                          for child in children(process.pid))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
            api.stop()
    updates = len(latencies)
    print(f"{args.users} users, {updates} updates in {seconds:.1f} s, errors {errors}, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"bot process: {bot / updates * 1000:.2f} ms CPU per update")
    print(f"card pool:   {workers / updates * 1000:.2f} ms CPU per update "
          f"({workers / max(args.users, 1) * 1000:.1f} ms per card)")
    print(f"together:    {(bot + workers) / updates * 1000:.2f} ms CPU per update")


if __name__ == "__main__":
    main()
