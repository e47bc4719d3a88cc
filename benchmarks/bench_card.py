"""Time to draw the quote card (bot/card.py) and encode it as PNG, per reference profile.

Run: .venv/bin/python benchmarks/bench_card.py [--cards N]
Target (issue 13): a card renders in < 30 ms median. The first card also opens the font
(printed apart: it is paid once per process, at start-up).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import date

from bot.card import font, render_card
from pricing import Inquiry, Response, Scope, load_rates, quote

PROFILES = {
    "r_small": Inquiry(daily_orders=60, categories=3, scope=Scope.BASIC,
                       response=Response.STANDARD),
    "r_medium": Inquiry(daily_orders=300, categories=5, scope=Scope.TECHNICAL,
                        response=Response.FAST),
    "r_large": Inquiry(daily_orders=800, categories=6, scope=Scope.FULL_CHAIN,
                       response=Response.EMERGENCY),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100, help="cards per profile and locale")
    args = parser.parse_args()
    rates = load_rates()
    issued = date.today()
    started = time.perf_counter()
    font(26)
    print(f"font opened in {(time.perf_counter() - started) * 1000:.1f} ms (once per process)")
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{args.cards} cards per row")
    everything: list[float] = []
    for locale in ("zh_CN", "en"):
        for name, inquiry in PROFILES.items():
            result = quote(inquiry, rates)
            render_card(result, locale, company="星辰客服外包", issued=issued)  # warm sizes
            times = []
            size = 0
            for _ in range(args.cards):
                begin = time.perf_counter()
                size = len(render_card(result, locale, company="星辰客服外包", issued=issued))
                times.append((time.perf_counter() - begin) * 1000)
            everything += times
            times.sort()
            print(f"{locale:5} {name:8}  median {statistics.median(times):5.1f} ms  "
                  f"p95 {times[int(len(times) * 0.95) - 1]:5.1f} ms  {size / 1024:.0f} KiB")
    print(f"all cards: median {statistics.median(everything):.1f} ms (target < 30 ms)")


if __name__ == "__main__":
    main()
