"""Pricing model v3 over the option space: what a merchant could meet, as figures.

Run: .venv/bin/python benchmarks/bench_sweep.py [--quick] [--max-orders 20000] [--all]

For every combination of the options that change a price — scope (four explicit and
帮我推荐), goods (none, 话费, 点卡, NFT, 话费+影视, 软件+话费; with 帮我推荐 only, explicit
scopes take none), response, tooling, AI (yes / no / 帮我推荐), service mode, complexity
(none, or 12 categories + multi-level + cross-border), hours of cover (default, 16, 24) —
it prices the volumes 1–1,100 one by one (the 帮我推荐 bands 100–200 and 500–1,000 and
every capacity edge under them) and pairs (n, n+1) on a geometric grid up to --max-orders,
and reports:

- the worst one-order rise of the monthly low or high, ÷ rule 1's allowance (5 % or 50 元),
  on the 帮我推荐 path and with an explicit scope;
- the per-order and per-hour rate bands (元 an order, 元 an hour), without and with
  emergency or expert service;
- the share of stated 临界单量 that are true crossings (re-quoted at n − 1 and n, each end),
  and of "cheaper/dearer throughout" statements that hold at sampled volumes;
- the median and worst spread (high ÷ low) of the billed plan;
- budget verdicts false for the billed plan (budgets 1,000 to 30,000 at sampled volumes);
- outsourced quotes with any plan under the 800 元 line;
- quote() per second on one core over a sample (target ≥ 20,000; see bench_pricing.py).

Prices come from `pricing.engine.plans` (the quote's own arithmetic without lines; a test
keeps it equal to quote()); crossings and budgets from `quote()` itself.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import time
from dataclasses import replace
from decimal import Decimal

from pricing import (
    AiChoice,
    Inquiry,
    ProductKind,
    Quote,
    Rates,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    load_rates,
    quote,
)
from pricing.engine import plans

FIVE_PERCENT = Decimal("0.05")
FIFTY = Decimal(50)
GOODS = {
    "none": frozenset(),
    "topup": frozenset({ProductKind.PHONE_TOPUP}),
    "game": frozenset({ProductKind.GAME_CARDS}),
    "nft": frozenset({ProductKind.BLOCKCHAIN_NFT}),
    "topup+video": frozenset({ProductKind.PHONE_TOPUP, ProductKind.VIDEO_MEMBERSHIPS}),
    "software+topup": frozenset({ProductKind.SOFTWARE_KEYS, ProductKind.PHONE_TOPUP}),
}
BUDGETS = [Decimal(amount) for amount in (1000, 3000, 6000, 12_000, 30_000)]


def allowance(before: Decimal) -> Decimal:
    return max(before * FIVE_PERCENT, FIFTY)


def combinations(quick: bool) -> list[Inquiry]:
    scopes = [Scope.AUTO, Scope.BASIC, Scope.TECHNICAL, Scope.FULL_CHAIN, Scope.EXPERT]
    found = []
    for scope, response, tooling, ai, mode, complex_, hours in itertools.product(
            scopes, list(Response), [Tooling.NONE] if quick else list(Tooling),
            [AiChoice.NO, AiChoice.AUTO] if quick else list(AiChoice),
            [ServiceMode.OUTSOURCED] if quick else list(ServiceMode), [False, True],
            [None] if quick else [None, 16, 24]):
        if response is Response.EMERGENCY and hours is not None:
            continue  # emergency is 24 hours whatever is asked
        for kinds in (GOODS.values() if scope is Scope.AUTO else [frozenset()]):
            found.append(Inquiry(daily_orders=1, scope=scope, response=response,
                                 tooling=tooling, ai=ai, mode=mode, product_kinds=kinds,
                                 categories=12 if complex_ else 1, multi_level=complex_,
                                 cross_border=complex_, hours=hours))
    return found


def label(inquiry: Inquiry) -> str:
    kinds = next(name for name, kinds in GOODS.items() if kinds == inquiry.product_kinds)
    return " ".join([inquiry.scope.value, kinds, inquiry.response.value, inquiry.tooling.value,
                     f"ai={inquiry.ai.value}", inquiry.mode.value,
                     "complex" if inquiry.multi_level else "plain",
                     f"{inquiry.hours or 'default'}h"])


def volume_pairs(max_orders: int) -> list[tuple[int, int]]:
    """Consecutive volumes 1–1,100, then pairs (n, n+1) on a geometric grid."""
    pairs = [(n, n + 1) for n in range(1, 1100)]
    n = 1100
    while n < max_orders:
        pairs.append((n, n + 1))
        n = int(n * 1.05) + 1
    return pairs


def truthful_budget(result: Quote) -> bool:
    fit, billed = result.budget_fit, result.billed.monthly
    assert fit is not None
    budget = fit.budget
    if fit.status == "fits":
        return billed.high <= budget
    if fit.status == "fits_low":
        return billed.low <= budget < billed.high
    if fit.status == "fits_with_changes":
        return fit.monthly is not None and fit.monthly.high <= budget < billed.high
    if fit.status == "fits_low_with_changes":
        return fit.monthly is not None and fit.monthly.low <= budget < billed.high
    return fit.monthly is not None and fit.monthly.low > budget and billed.low > budget


def crossing_truth(inquiry: Inquiry, result: Quote, rates: Rates) -> list[bool]:
    """Each end's statement, checked by re-quoting."""
    def gap(orders: int, end: str) -> Decimal:
        priced = plans(replace(inquiry, daily_orders=orders), rates)
        return Decimal(getattr(priced.per_order, end) - getattr(priced.monthly, end))

    verdicts = []
    assert result.crossing is not None
    for end, (code, orders) in zip(("low", "high"), result.crossing, strict=True):
        if code in ("at", "at_reverse"):
            below, at = gap(orders - 1, end), gap(orders, end)
            verdicts.append((below > 0) != (at > 0) and (at > 0) == (code == "at"))
        else:
            dearer = code == "per_order_dearer"
            verdicts.append(all((gap(orders, end) > 0) == dearer
                                for orders in (1, 30, 100, 300, 1000, 5000, 20_000)))
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-orders", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true",
                        help="outsourced, no tooling, AI no/帮我推荐, default hours")
    parser.add_argument("--all", action="store_true", help="print every combination")
    args = parser.parse_args()
    rates = load_rates()
    combos = combinations(args.quick)
    pairs = volume_pairs(args.max_orders)

    start = time.perf_counter()
    rises: list[tuple[Decimal, int, str, bool]] = []
    order_rates: dict[bool, list[Decimal]] = {False: [], True: []}
    hour_rates: dict[bool, list[Decimal]] = {False: [], True: []}
    spreads: list[Decimal] = []
    under_800 = priced = 0
    for inquiry in combos:
        worst, where = Decimal(0), 0
        plain = (inquiry.response is not Response.EMERGENCY and inquiry.scope is not Scope.EXPERT
                 and ProductKind.BLOCKCHAIN_NFT not in inquiry.product_kinds)
        cache: dict[int, object] = {}
        for before_n, after_n in pairs:
            for n in (before_n, after_n):
                if n not in cache:
                    found = cache[n] = plans(replace(inquiry, daily_orders=n), rates)
                    priced += 1
                    order_rates[plain] += [found.order_rate.low, found.order_rate.high]
                    hour_rates[plain] += [found.hour_rate.low, found.hour_rate.high]
                    spreads.append(found.billed_monthly.high / found.billed_monthly.low)
                    if inquiry.mode is ServiceMode.OUTSOURCED and min(
                            found.monthly.low, found.per_order.low, found.per_hour.low) < 800:
                        under_800 += 1
            before, after = cache[before_n].monthly, cache[after_n].monthly  # type: ignore[attr-defined]
            for old, new in ((before.low, after.low), (before.high, after.high)):
                ratio = (new - old) / allowance(old)
                if ratio > worst:
                    worst, where = ratio, before_n
        rises.append((worst, where, label(inquiry), inquiry.scope is Scope.AUTO))
    sweep_seconds = time.perf_counter() - start

    # Crossings and budgets from quote() itself, at a few volumes per combination.
    start = time.perf_counter()
    crossings: list[bool] = []
    verdicts = false_verdicts = 0
    for inquiry in combos:
        for orders in (40, 150, 600, 3000):
            result = quote(replace(inquiry, daily_orders=orders), rates)
            crossings += crossing_truth(inquiry, result, rates)
            for budget in BUDGETS:
                verdicts += 1
                if not truthful_budget(quote(replace(inquiry, daily_orders=orders,
                                                     budget=budget), rates)):
                    false_verdicts += 1
    check_seconds = time.perf_counter() - start

    sample = [replace(inquiry, daily_orders=orders) for inquiry in combos
              for orders in (5, 60, 150, 300, 700, 1500, 9000)]
    start = time.perf_counter()
    for inquiry in sample:
        quote(inquiry, rates)
    per_second = len(sample) / (time.perf_counter() - start)

    auto = [row for row in rises if row[3]]
    explicit = [row for row in rises if not row[3]]
    print(f"machine: {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}, one process")
    print(f"{len(combos)} combinations × {len({n for pair in pairs for n in pair}):,} volumes "
          f"(1–1,100 one by one, pairs to {args.max_orders:,}): {priced:,} priced in "
          f"{sweep_seconds:.0f} s; crossings and budgets checked in {check_seconds:.0f} s")
    for name, rows in (("帮我推荐 path", auto), ("explicit scope", explicit)):
        top = max(rows, key=lambda row: row[0])
        print(f"worst one-order rise, {name}: {top[0]:.2f} × the allowance "
              f"({top[2]}, {top[1]} → {top[1] + 1} orders); over it: "
              f"{sum(row[0] > 1 for row in rows)} of {len(rows)}")
    for name, values in (("per order (元)", order_rates), ("per hour (元)", hour_rates)):
        print(f"{name}: without emergency/expert {min(values[True]):.2f}–{max(values[True]):.2f}; "
              f"with them {min(values[False]):.2f}–{max(values[False]):.2f}")
    print(f"stated 临界单量 true: {sum(crossings)} of {len(crossings)} "
          f"({100 * sum(crossings) / len(crossings):.1f} %)")
    print(f"billed plan spread (high ÷ low): median {statistics.median(spreads):.2f}×, "
          f"worst {max(spreads):.2f}×")
    print(f"budget verdicts false for the billed plan: {false_verdicts} of {verdicts}")
    print(f"outsourced quotes with a plan under 800 元: {under_800} of {priced:,}")
    print(f"quote(): {per_second:,.0f} quotes/s on one core over {len(sample):,} quotes "
          "(crossings memoised by then)")
    rows = rises if args.all else sorted(rises, key=lambda row: -row[0])[:10]
    print("\nratio  at      combination")
    for ratio, where, name, _ in rows:
        print(f"{ratio:5.2f}  {where:>6}  {name}")


if __name__ == "__main__":
    main()
