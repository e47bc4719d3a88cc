"""The largest one-order jump of the monthly quote over daily volumes 1–N, per combination.

Run: .venv/bin/python benchmarks/bench_sweep.py [--max-orders 20000] [--quick]

Rule 1 of pricing model v2 (../shared/domain/pricing.md): one more order a day never
raises the monthly low or high by more than 5 % or 50 元, whichever is larger. For every
combination of the options that change the monthly price — scope (four explicit and
"帮我推荐"), response, tooling, AI (yes / no / 帮我推荐), service mode, complexity (none, or
12 categories + multi-level + cross-border) — it prices every volume from 1 to N and reports
the largest rise from n to n + 1 orders, relative to the rule's allowance. Billing, volume
pattern and budget do not change the monthly price and are left out.

Jumps are measured with `pricing.engine.monthly_total` (the quote's total alone; a test
keeps it equal to `quote(...).monthly`); every 100th volume is also priced with the full
`quote()` to check that and to measure quotes per second on one core (target ≥ 20,000).
"""

from __future__ import annotations

import argparse
import itertools
import platform
import time
from decimal import Decimal

from pricing import (
    AiChoice,
    Inquiry,
    Range,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    load_rates,
    quote,
)
from pricing.engine import monthly_total

FIVE_PERCENT = Decimal("0.05")
FIFTY = Decimal(50)


def allowance(before: Decimal) -> Decimal:
    return max(before * FIVE_PERCENT, FIFTY)


def combinations(quick: bool) -> list[dict[str, object]]:
    scopes = [Scope.BASIC, Scope.TECHNICAL, Scope.FULL_CHAIN, Scope.EXPERT, Scope.AUTO]
    grid = itertools.product(
        scopes, list(Response), [Tooling.NONE] if quick else list(Tooling),
        [AiChoice.NO, AiChoice.YES] if quick else list(AiChoice),
        [ServiceMode.OUTSOURCED] if quick else list(ServiceMode), [False, True])
    return [{"scope": scope, "response": response, "tooling": tooling, "ai": ai, "mode": mode,
             "categories": 12 if complex_ else 1, "multi_level": complex_,
             "cross_border": complex_}
            for scope, response, tooling, ai, mode, complex_ in grid]


def label(options: dict[str, object]) -> str:
    return " ".join(str(getattr(value, "value", value)) for value in (
        options["scope"], options["response"], options["tooling"], f"ai={options['ai']}",
        options["mode"], "complex" if options["multi_level"] else "plain"))


def sweep(options: dict[str, object], max_orders: int,
          rates: object) -> tuple[Decimal, int, Range, Range]:
    """The worst rise / allowance over the volumes, where, and the totals either side."""
    worst, where = Decimal(0), 0
    sides = (Range(Decimal(0), Decimal(0)), Range(Decimal(0), Decimal(0)))
    before = monthly_total(Inquiry(daily_orders=1, **options), rates)  # type: ignore[arg-type]
    for orders in range(2, max_orders + 1):
        after = monthly_total(Inquiry(daily_orders=orders, **options), rates)  # type: ignore[arg-type]
        for old, new in ((before.low, after.low), (before.high, after.high)):
            ratio = (new - old) / allowance(old)
            if ratio > worst:
                worst, where, sides = ratio, orders - 1, (before, after)
        before = after
    return worst, where, sides[0], sides[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-orders", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true",
                        help="only outsourced, no tooling, AI yes/no (60 combinations)")
    parser.add_argument("--all", action="store_true", help="print every combination")
    args = parser.parse_args()
    rates = load_rates()
    combos = combinations(args.quick)

    start = time.perf_counter()
    results = [(label(options), *sweep(options, args.max_orders, rates)) for options in combos]
    sweep_seconds = time.perf_counter() - start

    # Throughput of the full quote, and a check that the sweep priced what quote() prices.
    sample = [Inquiry(daily_orders=orders, **options)  # type: ignore[arg-type]
              for options in combos for orders in range(1, args.max_orders + 1, 100)]
    start = time.perf_counter()
    for inquiry in sample:
        assert quote(inquiry, rates).monthly == monthly_total(inquiry, rates)
    checked = time.perf_counter() - start
    start = time.perf_counter()
    for inquiry in sample:
        quote(inquiry, rates)
    per_second = len(sample) / (time.perf_counter() - start)

    broken = [row for row in results if row[1] > 1]
    explicit = [row for row in results if not row[0].startswith("auto")]
    print(f"machine: {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}, one process")
    print(f"swept {len(combos)} combinations × volumes 1–{args.max_orders:,} "
          f"({len(combos) * args.max_orders:,} totals) in {sweep_seconds:.0f} s; "
          f"checked {len(sample):,} full quotes in {checked:.1f} s")
    print(f"quote(): {per_second:,.0f} quotes/s on one core (target ≥ 20,000)")
    worst_explicit = max(explicit, key=lambda row: row[1])
    print(f"largest one-order jump, explicit scope (any AI): {worst_explicit[1]:.2f} × the "
          f"allowance ({worst_explicit[0]}, {worst_explicit[2]} → {worst_explicit[2] + 1} "
          f"orders)")
    print(f"combinations over the allowance (5 % or 50 元): {len(broken)} of {len(results)}, "
          f"all of them 帮我推荐 for the scope (another service from 100 and 500 orders): "
          f"{all(row[0].startswith('auto') for row in broken)}")
    rows = results if args.all else sorted(results, key=lambda row: -row[1])[:12]
    print("\nratio  at      low before→after        high before→after       combination")
    for name, ratio, where, before, after in rows:
        print(f"{ratio:5.2f}  {where:>6}  {before.low:>9.0f}→{after.low:<9.0f}  "
              f"{before.high:>9.0f}→{after.high:<9.0f}  {name}")


if __name__ == "__main__":
    main()
