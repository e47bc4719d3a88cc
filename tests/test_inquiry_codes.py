"""Inquiry.from_codes: the one door from outside values (dialogue answers, command-line
options, stored JSON) into a pricing Inquiry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing import AiChoice, Inquiry, InquiryError, ProductKind, Response, Scope, load_rates
from pricing import quote as price
from pricing.serialize import inquiry_from_dict, inquiry_to_dict


def test_codes_and_text_numbers_make_the_same_inquiry_as_the_constructor() -> None:
    built = Inquiry.from_codes({"daily_orders": "300", "categories": 5, "response": "fast",
                                "scope": "full-chain", "ai": "YES",
                                "product_kinds": ["game_cards"], "budget": "8000.5"})
    assert built == Inquiry(daily_orders=300, categories=5, response=Response.FAST,
                            scope=Scope.FULL_CHAIN, ai=AiChoice.YES,
                            product_kinds=frozenset({ProductKind.GAME_CARDS}),
                            budget=Decimal("8000.5"))


def test_missing_and_none_fields_take_the_defaults() -> None:
    assert Inquiry.from_codes({"daily_orders": 80, "budget": None, "scope": None}) == Inquiry(
        daily_orders=80)


def test_full_width_digits_are_read_as_digits() -> None:
    assert Inquiry.from_codes({"daily_orders": "３００"}).daily_orders == 300


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"daily_orders": "abc"}, "daily_orders", "not_an_integer"),
    ({"daily_orders": "0"}, "daily_orders", "too_small"),
    ({"daily_orders": "9" * 30}, "daily_orders", "not_an_integer"),
    ({"daily_orders": 300, "response": "instant"}, "response", "unknown_code"),
    ({"daily_orders": 300, "product_kinds": ["nft", "gold"]}, "product_kinds", "unknown_code"),
    ({"daily_orders": 300, "budget": "lots"}, "budget", "not_a_decimal"),
    ({"daily_orders": 300, "budget": "-5"}, "budget", "not_positive"),
    ({"categories": 3}, "daily_orders", "missing"),
])
def test_a_bad_value_names_its_field(values: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(InquiryError) as raised:
        Inquiry.from_codes(values)
    assert (raised.value.field, raised.value.code) == (field, code)


def test_stored_json_comes_back_through_the_same_door() -> None:
    inquiry = Inquiry(daily_orders=1200, categories=7, cross_border=True, scope=Scope.EXPERT,
                      product_kinds=frozenset({ProductKind.BLOCKCHAIN_NFT}),
                      discount=Decimal("0.05"))
    stored = inquiry_to_dict(price(inquiry, load_rates()))
    assert inquiry_from_dict(stored) == inquiry
