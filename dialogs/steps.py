"""The quote dialogue, declared as data: one Step per question, in the order asked.

A step names the answer field it fills, its kind of input, its options (value, label key,
the short replies that answer it), its limits, and when it is skipped because its answer is
already implied. Words people read are catalog keys: `ask.<field>` for the question,
`hint.<field>` for the accepted forms, `opt.<field>.<value>` for a button. The words a
merchant may use anywhere in a sentence are the lexicon (dialogs/lexicon.py).
The flow is drawn in dialogs/flow.mmd.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

from pricing import Rates

Answers = Mapping[str, Any]


class Kind(StrEnum):
    NUMBER = "number"  # a whole number, options are shortcuts
    CHOICE = "choice"  # one of the options
    MULTI = "multi"  # any of the options, then "done"
    OPTIONAL_NUMBER = "optional_number"  # a number, or skip
    TEXT = "text"  # free text kept as written (a prospect's name), or skip


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    # Recognised only as the whole answer to this step ("no"); words that name an option
    # anywhere in a sentence are the understanding's lexicon (dialogs/lexicon.py).
    replies: tuple[str, ...] = ()
    exclusive: bool = False  # in a multi-choice: "none of these" clears the others


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    field: str
    kind: Kind
    options: tuple[Option, ...] = ()
    minimum: int = 1
    maximum: int = 1_000_000
    columns: int = 2  # buttons per row
    sales_only: bool = False  # asked only in a salesperson's dialogue (/newquote)
    # False: not asked in turn — a stated default the summary and the quote show and offer
    # to change (e:<field>), which free text may also fill ("晚上也要有人").
    asked: bool = True
    # The answer this step would get without asking, or None to ask it.
    implied: Callable[[Answers, Rates], Any] | None = dataclass_field(default=None, compare=False)

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)


def _expert_goods(answers: Answers, rates: Rates) -> str | None:
    """Blockchain/NFT goods need expert CS: nothing to ask."""
    kinds = set(answers.get("kinds", ()))
    return "expert" if kinds & {kind.value for kind in rates.expert_kinds} else None


def _low_volume_ai(answers: Answers, rates: Rates) -> str | None:
    """Below the volume where AI pays off the quote advises without asking (AI auto)."""
    orders = answers.get("orders")
    if orders is not None and orders < rates.ai_recommend_from.single:
        return "auto"
    return None


def _emergency_hours(answers: Answers, rates: Rates) -> str | None:
    """Emergency response means 24-hour cover (pricing rule 13): nothing to ask."""
    return "24" if answers.get("response") == "emergency" else None


ORDERS = Step("ORDERS", "orders", Kind.NUMBER, columns=3, options=(
    Option("50"), Option("100"), Option("300"), Option("500"), Option("800"), Option("1500"),
))
KINDS = Step("KINDS", "kinds", Kind.MULTI, options=(
    Option("game_cards"), Option("phone_topup"), Option("software_keys"),
    Option("video_memberships"), Option("blockchain_nft"), Option("other"),
))
# Hours a day of cover (pricing rule 13). Not asked in turn: open, it is priced at the
# rates' default (8 h, one shift), which the summary and the quote state with a button to
# change it (a quick quote lists it as 估算); emergency response implies 24.
HOURS = Step("HOURS", "hours", Kind.CHOICE, columns=3, implied=_emergency_hours, asked=False,
             options=(
    Option("8"), Option("16"), Option("24"),
))
CATEGORIES = Step("CATEGORIES", "categories", Kind.NUMBER, maximum=1000, columns=4, options=(
    Option("3"), Option("6"), Option("12"), Option("20"),
))
FLAGS = Step("FLAGS", "flags", Kind.MULTI, columns=1, options=(
    Option("multi_level"), Option("cross_border"),
    Option("none", replies=("都没有", "没有", "无", "不", "none", "no", "neither"),
           exclusive=True),
))
RESPONSE = Step("RESPONSE", "response", Kind.CHOICE, columns=1, options=(
    Option("standard"), Option("fast"), Option("emergency"),
))
SCOPE = Step("SCOPE", "scope", Kind.CHOICE, columns=2, implied=_expert_goods, options=(
    Option("basic"), Option("technical"), Option("full_chain"), Option("expert"),
    Option("auto", replies=("帮我推荐", "推荐", "不知道", "不确定", "recommend", "auto")),
))
TOOLING = Step("TOOLING", "tooling", Kind.CHOICE, columns=1, options=(
    Option("none"), Option("bundle"), Option("own"),
))
AI = Step("AI", "ai", Kind.CHOICE, columns=3, implied=_low_volume_ai, options=(
    Option("no", replies=("不要", "不用", "不需要", "否", "no")),
    Option("yes", replies=("要", "需要", "是", "好", "ai", "yes")),
    Option("auto", replies=("帮我推荐", "推荐", "不知道", "recommend", "auto")),
))
MODE = Step("MODE", "mode", Kind.CHOICE, columns=3, options=(
    Option("outsourced"), Option("full_time"), Option("part_time"),
))
VOLUME = Step("VOLUME", "volume", Kind.CHOICE, columns=2, options=(
    Option("steady"), Option("seasonal"),
))
BILLING = Step("BILLING", "billing", Kind.CHOICE, columns=2, options=(
    Option("monthly"), Option("per_order"), Option("per_hour"),
    Option("compare", replies=("比较", "帮我推荐", "推荐")),
))
BUDGET = Step("BUDGET", "budget", Kind.OPTIONAL_NUMBER, minimum=1, maximum=10_000_000,
              columns=3, options=(Option("2000"), Option("5000"), Option("10000")))

# The facts a first price needs (any one field of each group): once they are known every
# step offers 先看报价 ("qq"), which quotes with the open answers at their DEFAULTS.
QUICK_FACTS: tuple[tuple[str, ...], ...] = (("orders",), ("kinds", "categories"), ("response",))
# What an open answer is priced as (the cheapest, most common choice; categories default to
# one per kind sold). A quick quote lists those it used as 估算, one tap each to change.
DEFAULTS: dict[str, Any] = {
    # hours: what the rates' coverage.default_hours prices an open answer as (one shift).
    "kinds": [], "flags": ["none"], "hours": "8", "scope": "auto", "tooling": "none", "ai": "no",
    "mode": "outsourced", "volume": "steady", "billing": "compare",
}

# Whole-message words that press a button of the current screen (when it has that button).
BUTTON_WORDS: dict[str, tuple[str, ...]] = {
    "qq": ("先看报价", "先看報價", "看报价", "看報價", "报价", "報價", "直接报价", "直接報價",
           "quote", "quick quote", "price"),
    "more": ("细化报价", "細化報價", "细化", "細化", "继续细化", "繼續細化", "refine"),
    "cmp": ("对比", "對比", "比一比", "对比一下", "對比一下", "compare versions"),
    "m:done": ("完成", "好了", "选好了", "選好了", "就这些", "就這些", "done", "ok", "好"),
    "skip": ("跳过", "跳過", "没有预算", "沒有預算", "不确定", "不確定", "skip"),
    "ok": ("确认", "確認", "确认报价", "確認報價", "报价", "報價", "confirm", "quote"),
    "adj": ("调整", "調整", "调整参数", "調整參數", "adjust"),
    "nav:back": ("返回", "上一步", "back"),
    "nav:restart": ("重新开始", "重新開始", "重来", "重來", "restart", "start over"),
    "nav:human": ("转人工", "轉人工", "人工", "人工客服", "真人", "human", "agent"),
    "rs:go": ("继续", "繼續", "继续上次", "繼續上次", "continue"),
    "cf:yes": ("是", "是的", "对", "对的", "嗯", "没错", "对啊", "是啊", "yes", "yep", "yeah",
               "right", "correct"),
    "cf:no": ("不是", "不对", "错了", "no", "nope", "wrong", "not quite"),
}

PROSPECT = Step("PROSPECT", "prospect", Kind.TEXT, maximum=80, sales_only=True)
DISCOUNT = Step("DISCOUNT", "discount", Kind.OPTIONAL_NUMBER, minimum=0, maximum=90,
                columns=3, sales_only=True, options=(Option("5"), Option("10"), Option("15")))

# A salesperson's firm price (or narrower range) for the quote: never asked in order (its
# implied "" skips it), set from the quote with 💲 定价 (e:firm), checked against the range
# priced (dialogs/firm.py).
FIRM = Step("FIRM", "firm", Kind.TEXT, maximum=40, sales_only=True,
            implied=lambda answers, rates: "")

# The three facts a first price needs come first (daily orders, what is sold, response
# time): after them every step offers 先看报价, the rest defaulted (docs/dialogue.md).
STEPS: tuple[Step, ...] = (PROSPECT, ORDERS, KINDS, RESPONSE, HOURS, CATEGORIES, FLAGS, SCOPE,
                           TOOLING, AI, MODE, VOLUME, BILLING, BUDGET, DISCOUNT, FIRM)
# A merchant's own dialogue: everything but the salesperson's steps.
CUSTOMER_STEPS: tuple[Step, ...] = tuple(step for step in STEPS if not step.sales_only)
STEP_BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
STEP_BY_FIELD: dict[str, Step] = {step.field: step for step in STEPS}
