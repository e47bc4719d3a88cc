"""A malformed rates file fails at load, naming the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from pricing import DEFAULT_RATES_PATH, RatesError, Scope, load_rates
from pricing.rates import parse_rates

DEFAULT_TEXT = DEFAULT_RATES_PATH.read_text(encoding="utf-8")


def broken(old: str, new: str) -> bytes:
    assert old in DEFAULT_TEXT, old
    return DEFAULT_TEXT.replace(old, new, 1).encode()


def test_the_default_rates_load_with_a_version_and_a_content_hash() -> None:
    rates = load_rates()
    version, digest = rates.version.split("+")
    assert version == "2026.12-3" and len(digest) == 12


def test_every_figure_has_a_provenance_and_a_note() -> None:
    rates = load_rates()
    for figure in rates.figures.values():
        assert figure.provenance in ("article", "assumption")
        assert figure.note.strip()


def test_changing_a_number_changes_the_version_hash() -> None:
    changed = parse_rates(broken('band = ["800", "1500"]', 'band = ["810", "1500"]'))
    assert changed.version != load_rates().version


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('band = ["800", "1500"]', 'band = [800, "1500"]', "scope.basic.band.band",
         "amounts are written as strings"),
        ('band = ["800", "1500"]', 'band = ["1500", "800"]', "scope.basic.band",
         "band low 1500 is above high 800"),
        ('band = ["800", "1500"]', 'band = ["-800", "1500"]', "scope.basic.band.band",
         "must not be negative"),
        ('band = ["800", "1500"]', 'band = ["eight hundred", "1500"]', "scope.basic.band.band",
         "not a number"),
        ('band = ["800", "1500"]', 'band = ["800"]', "scope.basic.band", "expected band"),
        ('floor = { value = "5000", source = "article"',
         'floor = { value = "5000", source = "blog"',
         "response.emergency.floor", "source must be 'article' or 'assumption'"),
        ('ref = "如何选择 · 警惕低价陷阱:800元/月以下"', 'ref = " "', "warnings.low_price_trap",
         "needs a non-empty 'ref'"),
        ('why = "报价有效期30天"', 'note = "x"', "quote.validity_days", "needs a non-empty 'why'"),
        ('orders_per_unit = { value = "240"', 'orders_per_unit = { value = "0"',
         "scope.basic.orders_per_unit", "must be above zero"),
        ('orders_per_unit = { value = "450"', 'orders_per_unit = { value = "100"',
         "scope.full_chain.orders_per_unit",
         "a broader scope must not cost less than a lighter one"),
        ('central = { value = "7500"', 'central = { value = "12000"',
         "scope.expert.central", "must lie inside the band"),
        ('extra_shift_share = { value = "0.4"', 'extra_shift_share = { value = "0.6"',
         "scope.full_chain.central (at 24 h of cover)",
         "a broader scope must not cost less than a lighter one"),
        ('in_house_salary = { band = ["8000", "12000"]',
         'in_house_salary = { band = ["3000", "12000"]',
         "scope.expert.in_house_salary", "a broader scope must not cost less than a lighter one"),
        ('minutes_per_order = { value = "1"', 'minutes_per_order = { value = "3"',
         "usage.minutes_per_order", "more minutes a day than a basic unit works"),
        ('technical_full_orders = { value = "200"', 'technical_full_orders = { value = "90"',
         "auto_scope.technical_full_orders", "must be above auto_scope.technical_from_orders"),
        ('technical_kinds = { kinds = ["game_cards"', 'technical_kinds = { kinds = ["cards"',
         "auto_scope.technical_kinds", "unknown product kind 'cards'"),
        ('expert_kinds = { kinds = ["blockchain_nft"]', 'expert_kinds = { kinds = ["nft"]',
         "products.expert_kinds", "unknown product kind 'nft'"),
        ('surcharge = { band = ["0.30", "0.50"]', 'surcharge = { band = ["0.05", "0.50"]',
         "response.fast.surcharge", "must not be below the slower response's surcharge"),
        ('factor = { band = ["0.60", "0.70"]', 'factor = { band = ["0.60", "1.70"]',
         "ai.factor", "must be at most 1"),
        ('unit = "team"', 'unit = "squad"', "scope.full_chain.unit", "expected 'seat' or 'team'"),
        ('[tooling]\nbundle_fee', '[tooling]\nbundle_fees', "tooling.bundle_fee", "missing"),
    ],
)
def test_a_malformed_figure_is_named_with_its_problem(
    old: str, new: str, key: str, problem: str
) -> None:
    with pytest.raises(RatesError) as caught:
        parse_rates(broken(old, new), origin="custom.toml")
    message = str(caught.value)
    assert message.startswith(f"custom.toml: {key}: ")
    assert problem in message


def test_invalid_toml_is_reported_as_such() -> None:
    with pytest.raises(RatesError, match=r"custom.toml: not valid TOML"):
        parse_rates(b"[meta\nversion = 1", origin="custom.toml")


def test_a_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(RatesError, match="cannot read"):
        load_rates(tmp_path / "nope.toml")


def test_an_operator_file_is_validated_and_used(tmp_path: Path) -> None:
    custom = tmp_path / "rates.toml"
    custom.write_bytes(broken('band = ["800", "1500"]', 'band = ["900", "1600"]'))
    assert load_rates(custom).scopes[Scope.BASIC].band.value.low == 900
