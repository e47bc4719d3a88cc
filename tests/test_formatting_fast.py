"""format_number writes Babel's "#,##0.##" out by hand (for speed): it must say exactly
what Babel says, for every amount and locale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from locales.formatting import GROUPED, _format_number, format_number
from locales.i18n import SUPPORTED

AMOUNTS = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"),
                      allow_nan=False, allow_infinity=False, places=4)


@given(amount=st.one_of(AMOUNTS, st.integers(-10**12, 10**12)),
       locale=st.sampled_from(SUPPORTED))
def test_format_number_says_what_babel_says(amount: Decimal | int, locale: str) -> None:
    _format_number.cache_clear()
    assert format_number(amount, locale) == format_decimal(amount, format=GROUPED,
                                                           locale=locale)


@pytest.mark.parametrize("amount", ["-0.001", "0.005", "0.015", "0.025", "999.995", "-0",
                                    "1.10", "12345678.9", "1E+3", "-1234.565"])
def test_the_edges_of_rounding_and_sign_match_babel(amount: str) -> None:
    for locale in SUPPORTED:
        assert format_number(Decimal(amount), locale) == format_decimal(
            Decimal(amount), format=GROUPED, locale=locale)
