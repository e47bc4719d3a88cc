"""Numbers a merchant writes, as the number table in docs/dialogue.md reads them: digits with
Chinese units and short forms, ranges and approximations in every mix, and the numbers that
are never a count of orders or a response time."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.understanding import Reader

# (written, step, facts): one line per row of the number table.
DIGITS_WITH_UNITS: list[tuple[str, str, dict[str, Any]]] = [
    ("一天4百来单", "ORDERS", {"orders": 400}),      # digit + 百, then 来 (about N)
    ("4百多单", "ORDERS", {"orders": 450}),          # N多: + half of its last place
    ("3百5", "ORDERS", {"orders": 350}),             # a digit after a unit is the next place
    ("2千5单", "ORDERS", {"orders": 2500}),
    ("两千5", "ORDERS", {"orders": 2500}),           # Chinese digit, unit, Arabic digit
    ("1k5单", "ORDERS", {"orders": 1500}),
    ("2k3", "ORDERS", {"orders": 2300}),
    ("预算1w2", "BUDGET", {"budget": 12000}),
    ("预算2w3", "BUDGET", {"budget": 23000}),
    ("1万2千", "BUDGET", {"budget": 12000}),
    ("3-4百单", "ORDERS", {"orders": 350}),           # a range shares the unit after it
    ("单量一天2、3k", "ORDERS", {"orders": 2500}),
    ("一天两三k单", "ORDERS", {"orders": 2500}),
    ("预算1k到1k5之间", "BUDGET", {"budget": 1250}),  # a range of two short forms
    ("预算2千到3千5", "BUDGET", {"budget": 2750}),
    ("小2k单", "ORDERS", {"orders": 1800}),           # 小N: N × 0.9
    ("将近2k单", "ORDERS", {"orders": 1800}),
    ("不到5百单", "ORDERS", {"orders": 400}),         # 不到N: N × 0.8
    ("1千出头", "ORDERS", {"orders": 1100}),          # 出头: N × 1.1
    ("日单5百上下", "AI", {"orders": 500}),           # 日单 is a cue for orders
    ("一个月1w2单", "ORDERS", {"orders": 400}),       # per month ÷ 30
    ("一年预算6w", "BUDGET", {"budget": 5000}),       # a yearly budget ÷ 12
    ("俩", "CATEGORIES", {"categories": 2}),          # 俩 = 两个, 仨 = 三个
]

NOT_COUNTS: list[tuple[str, str, dict[str, Any]]] = [
    ("客服热线400-820-8820", "ORDERS", {}),           # phone numbers in groups
    ("一天300单，电话0755 8888 1234", "ORDERS", {"orders": 300}),
    ("年流水50万", "ORDERS", {}),                     # revenue and turnover are money
    ("营业额一天2万", "ORDERS", {}),
    ("月销售额20万", "ORDERS", {}),
    ("一张卡卖50", "ORDERS", {}),                     # a price per item
    ("cards cost 10 USD each", "BUDGET", {}),
    ("客服上10小时班", "ORDERS", {}),                 # shift length
    ("客服一天两个班，每班8小时", "MODE", {}),
    ("毛利才5个点", "BUDGET", {}),
    ("库存2万张卡", "ORDERS", {}),
    ("现在一个客服工资4500一个月，招了两个", "BUDGET", {}),  # salaries and hires
    ("we have 6 staff and 2 shops", "ORDERS", {}),
    ("我們有4間門市", "CATEGORIES", {}),
    ("退款一般1-3个工作日", "RESPONSE", {}),
    ("3分钟自动到账，回复10分钟内就行", "RESPONSE", {"response": "fast"}),  # delivery time
    ("发货一般2分钟", "RESPONSE", {}),
    ("我们承诺发货24小时内", "RESPONSE", {}),
    ("top-ups land within 3 minutes, we need replies within 30 min", "RESPONSE",
     {"response": "standard"}),
    ("Office 365 keys and Windows 11 Pro licences", "ORDERS", {"kinds": ["software_keys"]}),
]


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


@pytest.mark.parametrize(("text", "step", "facts"), DIGITS_WITH_UNITS,
                         ids=[text for text, _, _ in DIGITS_WITH_UNITS])
def test_digits_with_chinese_units_and_short_forms_are_one_number(
        reader: Reader, text: str, step: str, facts: dict[str, Any]) -> None:
    assert dict(reader.read(text, step=step).facts) == facts


@pytest.mark.parametrize(("text", "step", "facts"), NOT_COUNTS,
                         ids=[text for text, _, _ in NOT_COUNTS])
def test_phones_money_prices_shifts_and_delivery_times_are_not_counts(
        reader: Reader, text: str, step: str, facts: dict[str, Any]) -> None:
    assert dict(reader.read(text, step=step).facts) == facts


def test_a_range_with_one_unit_is_not_read_as_a_range_to_the_unit_alone(reader: Reader) -> None:
    # "1-2万" is 10,000-20,000, never 1-20,000.
    assert reader.read("每天1-2万单", step="ORDERS").facts == {"orders": 15000}


def test_counts_per_kind_of_goods_add_up(reader: Reader) -> None:
    reading = reader.read("一天两百单steam，一百单话费", step="ORDERS")
    assert reading.facts["orders"] == 300
    assert set(reading.facts["kinds"]) == {"game_cards", "phone_topup"}


def test_a_peak_count_is_still_not_summed_with_the_usual_one(reader: Reader) -> None:
    assert reader.read("一天300单，大促1000单", step="ORDERS").facts["orders"] == 300
    assert reader.read("高峰一天三千，平时一千", step="ORDERS").facts["orders"] == 1000


def test_an_exact_number_after_a_vague_one_is_the_answer(reader: Reader) -> None:
    reading = reader.read("一天就几十单，三四十吧", step="ORDERS")
    assert reading.facts == {"orders": 35} and not reading.unsure


def test_a_price_per_order_is_never_a_budget(reader: Reader) -> None:
    assert reader.read("按单算吧，一单不超过1块", step="BILLING").facts == {
        "billing": "per_order"}


def test_not_over_an_amount_is_a_ceiling(reader: Reader) -> None:
    assert reader.read("不要超过一万", step="BUDGET").facts == {"budget": 10000}
