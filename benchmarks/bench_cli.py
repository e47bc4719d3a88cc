"""How long everyday `kameng` commands take, start to exit, against the interpreter alone.

Run: .venv/bin/python benchmarks/bench_cli.py [--runs 21]
Target (issue 14): `kameng quote --orders 300 --json` within 4× the time of
`python -c "import decimal, json"` in the same venv. The machine is shared and noisy, so
the runs alternate between the commands and the ratio is taken of the fastest run of each
(the least disturbed), with the medians beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
KAMENG = str(Path(PYTHON).with_name("kameng"))

COMMANDS = {
    "python -c 'import decimal, json'": [PYTHON, "-c", "import decimal, json"],
    "kameng quote --orders 300 --json": [KAMENG, "quote", "--orders", "300", "--json"],
    "kameng quote --orders 300": [KAMENG, "quote", "--orders", "300"],
    "kameng --help": [KAMENG, "--help"],
    "kameng config": [KAMENG, "config"],
    "kameng history": [KAMENG, "history"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "KAMENG_DB": str(Path(folder) / "k.db")}
        subprocess.run([KAMENG, "chat"], input="", env=env, cwd=folder, check=True,
                       capture_output=True)  # a database for `history`
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(runs):
            for name, command in COMMANDS.items():
                started = time.perf_counter()
                subprocess.run(command, env=env, cwd=folder, check=True,
                               stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - started)
    base = min(times["python -c 'import decimal, json'"])
    print(f"{runs} alternating runs each; Python {sys.version.split()[0]}")
    print(f"{'command':38} {'fastest':>9} {'median':>9} {'× python':>9}")
    for name, seen in times.items():
        print(f"{name:38} {min(seen) * 1000:7.0f} ms {statistics.median(seen) * 1000:7.0f} ms "
              f"{min(seen) / base:8.1f}×")
    ratio = min(times["kameng quote --orders 300 --json"]) / base
    print(f"\nkameng quote --json / python: {ratio:.1f}× (target ≤ 4×)")


if __name__ == "__main__":
    main()
