"""The answers → pricing Inquiry mapping: which answers a dialogue has (given, implied by
others, or defaulted), and the Inquiry they make. The one place the dialogue's answer names
("orders", "kinds", "flags", a discount in per cent) become pricing's fields; pricing's
Inquiry.from_codes checks the values."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dialogs.steps import DEFAULTS, QUICK_FACTS, STEPS, Step
from pricing import Inquiry, Rates

# Open answers a quick quote prices at their default and lists as 估算 (not the facts it
# needs, not the optional budget or a salesperson's steps).
ASSUMABLE = ("kinds", "categories", "flags", "hours", "scope", "tooling", "ai", "mode",
             "volume", "billing")
# Fields 对比 sets side by side when versions differ in them (billing is in the total's line).
COMPARED = ("orders", "kinds", "categories", "flags", "response", "hours", "scope", "tooling",
            "ai", "mode", "volume", "budget")


def implied(step: Step, answers: Mapping[str, Any], rates: Rates) -> Any:
    """The answer the others imply for `step` (NFT goods: the expert scope), or None."""
    return step.implied(answers, rates) if step.implied is not None else None


def effective(given: Mapping[str, Any], rates: Rates) -> dict[str, Any]:
    """Answers given, plus those implied by them."""
    answers = dict(given)
    for step in STEPS:
        if step.field not in answers:
            value = implied(step, answers, rates)
            if value is not None:
                answers[step.field] = value
    return answers


def default(name: str, answers: Mapping[str, Any]) -> Any:
    """What an open answer is priced as: dialogs.steps.DEFAULTS; categories one per kind
    sold (at least one)."""
    if name == "categories":
        return max(1, len(answers.get("kinds") or ()))
    return DEFAULTS.get(name)


def quick_ready(answers: Mapping[str, Any]) -> bool:
    """Are the facts a first price needs known (orders, kinds or categories, response)?"""
    return all(any(answers.get(name) not in (None, [], ()) for name in group)
               for group in QUICK_FACTS)


def inquiry_of(given: Mapping[str, Any], rates: Rates) -> Inquiry:
    """Answers (given ones; implied and default ones are added) as a pricing inquiry."""
    answers = effective(given, rates)
    flags = set(answers.get("flags", ()))
    discount = answers.get("discount")
    return Inquiry.from_codes({
        "daily_orders": answers.get("orders", 1),
        "categories": answers.get("categories") or default("categories", answers),
        "product_kinds": answers.get("kinds", ()),
        "multi_level": "multi_level" in flags,
        "cross_border": "cross_border" in flags,
        "response": answers.get("response"),
        **{name: answers.get(name, DEFAULTS[name])
           for name in ("scope", "tooling", "ai", "mode", "volume", "billing")},
        "budget": answers.get("budget") or None,
        # Only as given: open, the rates' default the quote states; with emergency response
        # pricing covers 24 hours itself (rule 13), and says why.
        "hours": given.get("hours"),
        "discount": Decimal(discount) / 100 if discount else None,
    })
