"""What-if under a quote, as pure functions over priced quotes (no words, no I/O).

- `flips(q)`: the one-choice changes that make sense under a quote — response (the two
  other levels), AI on ↔ off, own system ↔ none, billing (the two plans not billed), scope
  one level up or down where one exists — as (field, value) answer pairs.
- `billed(q)`: what a version costs a month under the plan it is billed by (the chosen
  billing, or the recommended plan when the merchant asked us to compare). "比刚才" and
  对比 compare versions by it.
- `delta(before, after)`: the change of that cost, end by end.
- `meets(q, asked)` / `cheapest(quotes, asked)`: which versions meet the requirements the
  merchant stated (response not slower, scope not narrower than their own answers priced
  to), and the cheapest of those.

Example: a quote at standard response, no AI, no system, billed monthly, technical scope
offers ("response", "fast"), ("response", "emergency"), ("ai", "yes"), ("tooling", "own"),
("billing", "per_order"), ("billing", "per_hour"), ("scope", "full_chain"),
("scope", "basic").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from pricing import Billing, Quote, Range, Response, Scope, Tooling
from pricing.model import RESPONSE_ORDER, SCOPE_ORDER

PLANS = (Billing.MONTHLY, Billing.PER_ORDER, Billing.PER_HOUR)


def flips(q: Quote) -> tuple[tuple[str, str], ...]:
    """(field, value) for every one-choice change worth pricing under `q`."""
    found: list[tuple[str, str]] = [("response", level.value) for level in RESPONSE_ORDER
                                    if level is not q.inquiry.response]
    found.append(("ai", "no" if q.ai_applied else "yes"))
    found.append(("tooling", "none" if q.inquiry.tooling is Tooling.OWN else "own"))
    found += [("billing", plan.value) for plan in PLANS if plan is not q.recommended_plan]
    level = SCOPE_ORDER.index(q.scope)
    if level + 1 < len(SCOPE_ORDER):
        found.append(("scope", SCOPE_ORDER[level + 1].value))
    if level > 0:
        found.append(("scope", SCOPE_ORDER[level - 1].value))
    return tuple(found)


def billed(q: Quote) -> Range:
    """The monthly cost of the plan `q` is billed by (its recommended plan is the merchant's
    choice when they made one)."""
    if q.recommended_plan is Billing.PER_ORDER:
        return q.per_order
    if q.recommended_plan is Billing.PER_HOUR:
        return q.per_hour
    return q.monthly


def delta(before: Quote, after: Quote) -> Range:
    """What the change from `before` to `after` does to the billed cost, low and high end."""
    return billed(after) - billed(before)


def meets(q: Quote, asked: Quote) -> bool:
    """Does `q` give what the merchant asked for (the quote of their own answers): a response
    no slower and a scope no narrower?"""
    return (RESPONSE_ORDER.index(q.inquiry.response) >= RESPONSE_ORDER.index(
        asked.inquiry.response) and SCOPE_ORDER.index(q.scope) >= SCOPE_ORDER.index(asked.scope))


def cheapest(quotes: Sequence[Quote], asked: Quote) -> int | None:
    """The index of the cheapest quote that meets the requirements (billed cost, low + high,
    then high; the earlier on a tie), or None when none does."""
    meeting = [(billed(q).low + billed(q).high, billed(q).high, index)
               for index, q in enumerate(quotes) if meets(q, asked)]
    return min(meeting)[2] if meeting else None


# Budget advice codes (pricing's BudgetFit.changes) → the answer each sets, and the answer
# the merchant must not have stated otherwise for it to be offered (the thing excluded).
BUDGET_ANSWERS: dict[str, tuple[str, str]] = {
    "use_ai": ("ai", "yes"), "no_ai": ("ai", "no"), "own_system": ("tooling", "own"),
    "response_standard": ("response", "standard"), "response_fast": ("response", "fast"),
    "scope_basic": ("scope", "basic"), "scope_technical": ("scope", "technical"),
    "scope_full_chain": ("scope", "full_chain"), "mode_part_time": ("mode", "part_time"),
    "billing_per_order": ("billing", "per_order"), "billing_per_hour": ("billing", "per_hour"),
}
# Stated answers a change would go against: "no system of my own" excludes own_system, a
# stated response or scope is a requirement, a stated mode or AI choice is the merchant's.
_STATED_BLOCKS = ("tooling", "response", "scope", "mode", "ai")


def budget_answers(changes: Sequence[str], answers: Mapping[str, object],
                   asked: Mapping[str, object]) -> dict[str, object]:
    """The answers 按预算调整 sets for the budget advice `changes` — empty when any change
    goes against what the merchant stated (then the advice is not one tap away)."""
    stated = asked or answers
    found: dict[str, object] = {}
    for change in changes:
        if change not in BUDGET_ANSWERS:
            return {}
        name, value = BUDGET_ANSWERS[change]
        if name in _STATED_BLOCKS and name in stated and stated[name] not in (
                value, "auto", "compare"):
            return {}
        found[name] = value
    return found


def meets_stated(q: Quote, stated: Mapping[str, object], budget: Decimal | None) -> bool:
    """Does `q` meet only what the merchant said: a response no slower than the one they
    gave, the scope they named (帮我推荐 asks nothing), a system / AI / billing they
    named, and the high end of its billed cost within their budget."""
    response = stated.get("response")
    if isinstance(response, str) and RESPONSE_ORDER.index(q.inquiry.response) < \
            RESPONSE_ORDER.index(Response(response)):
        return False
    scope = stated.get("scope")
    if isinstance(scope, str) and scope != "auto" and SCOPE_ORDER.index(q.scope) < \
            SCOPE_ORDER.index(Scope(scope)):
        return False
    for name, value in (("tooling", q.inquiry.tooling.value),
                        ("billing", q.recommended_plan.value)):
        given = stated.get(name)
        if isinstance(given, str) and given not in ("compare", "auto") and given != value:
            return False
    given_ai = stated.get("ai")
    if given_ai in ("yes", "no") and (given_ai == "yes") != q.ai_applied:
        return False
    return budget is None or billed(q).high <= budget


def cheapest_stated(quotes: Sequence[Quote], stated: Mapping[str, object],
                    budget: Decimal | None) -> int | None:
    """The cheapest of `quotes` meeting what was stated (see meets_stated), or None."""
    meeting = [(billed(q).low + billed(q).high, billed(q).high, index)
               for index, q in enumerate(quotes) if meets_stated(q, stated, budget)]
    return min(meeting)[2] if meeting else None
