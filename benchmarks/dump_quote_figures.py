"""Every figure of `pricing.quote` for generated inquiries, one JSON line and one repr line
each: the before/after check of a speed change (the two files must be byte-identical).

Run: PYTHONHASHSEED=0 .venv/bin/python benchmarks/dump_quote_figures.py OUT [COUNT]
[--discounts-and-hours]
(PYTHONHASHSEED=0: a frozenset's repr follows string hashing.) Against another build:
PYTHONPATH=<a `git archive` copy> with the same command, then `cmp` the two files.
"""

from __future__ import annotations

import json
import random
import sys
from decimal import Decimal

from pricing import (
    AiChoice,
    Billing,
    Inquiry,
    InquiryError,
    ProductKind,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
    load_rates,
    quote,
)
from pricing.serialize import quote_to_dict

DISCOUNTS = [Decimal("0.05"), Decimal("0.1"), Decimal("0.15"), Decimal("0.35")]


def inquiries(count: int, seed: int = 20261207, with_more: bool = False) -> list[Inquiry]:
    """Every option, volumes 1–20,000 (reference sizes and random), half with a budget;
    `with_more`: salespeople's discounts and the hours a day too."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        orders = rng.choice([1, 2, 5, 10, 30, 60, 150, 300, 450, 800, 1500, 5000, 20000,
                             rng.randint(1, 20000), rng.randint(1, 2000), rng.randint(1, 200)])
        found.append(Inquiry(
            daily_orders=orders,
            categories=rng.randint(1, 15),
            product_kinds=frozenset(rng.sample(list(ProductKind),
                                               rng.randint(0, len(ProductKind)))),
            multi_level=rng.random() < 0.3,
            cross_border=rng.random() < 0.3,
            response=rng.choice(list(Response)),
            scope=rng.choice(list(Scope)),
            tooling=rng.choice(list(Tooling)),
            ai=rng.choice(list(AiChoice)),
            mode=rng.choice(list(ServiceMode)),
            volume=rng.choice(list(VolumePattern)),
            billing=rng.choice(list(Billing)),
            budget=Decimal(rng.randint(100, 60000)) if rng.random() < 0.5 else None,
            discount=rng.choice(DISCOUNTS) if with_more and rng.random() < 0.4 else Decimal(0),
            hours=rng.choice([None, 8, 16, 24]) if with_more else None,
        ))
    return found


def main() -> None:
    out_path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    with_more = len(sys.argv) > 3 and sys.argv[3] == "--discounts-and-hours"
    rates = load_rates()
    with open(out_path, "w", encoding="utf-8") as out:
        for inquiry in inquiries(count, with_more=with_more):
            try:
                priced = quote(inquiry, rates)
            except InquiryError as error:
                out.write(f"ERR {error!r}\n")
                continue
            out.write(json.dumps(quote_to_dict(priced, rounded=False), ensure_ascii=False,
                                 sort_keys=True) + "\n")
            out.write(repr(priced) + "\n")


if __name__ == "__main__":
    main()
