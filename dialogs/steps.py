"""The quote dialogue, declared as data: one Step per question, in the order asked.

A step names the answer field it fills, its kind of input, its options (value, label key,
synonyms a merchant may type), its limits, and when it is skipped because its answer is
already implied. Words people read are catalog keys: `ask.<field>` for the question,
`hint.<field>` for the accepted forms, `opt.<field>.<value>` for a button. Synonyms are
input vocabulary (simplified, traditional and English), not text shown to anyone.
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
    synonyms: tuple[str, ...] = ()  # recognised anywhere in a sentence
    replies: tuple[str, ...] = ()  # recognised only as the whole answer to this step ("no")
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
    # The answer this step would get without asking, or None to ask it.
    implied: Callable[[Answers, Rates], Any] | None = dataclass_field(default=None, compare=False)

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)

    @property
    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """Words that name an option anywhere in a sentence."""
        return {option.value: option.synonyms for option in self.options if option.synonyms}

    @property
    def all_words(self) -> dict[str, tuple[str, ...]]:
        """Synonyms and whole-answer replies: what a reply to this very step may contain."""
        return {option.value: option.synonyms + option.replies for option in self.options}


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


ORDERS = Step("ORDERS", "orders", Kind.NUMBER, columns=3, options=(
    Option("50"), Option("100"), Option("300"), Option("500"), Option("800"), Option("1500"),
))
KINDS = Step("KINDS", "kinds", Kind.MULTI, options=(
    Option("game_cards", ("游戏点卡", "遊戲點卡", "点卡", "點卡", "游戏", "遊戲", "game")),
    Option("phone_topup", ("话费充值", "話費充值", "话费", "話費", "充值", "top-up", "topup")),
    Option("software_keys", ("软件激活码", "軟體啟用碼", "激活码", "啟用碼", "激活碼", "软件",
                             "軟體", "software", "license")),
    Option("video_memberships", ("影视会员", "影視會員", "影片會員", "视频会员", "会员", "會員",
                                 "影视", "video", "membership")),
    Option("blockchain_nft", ("区块链/nft", "区块链", "區塊鏈", "nft", "blockchain")),
    Option("other", ("其他", "其它", "other")),
))
CATEGORIES = Step("CATEGORIES", "categories", Kind.NUMBER, maximum=1000, columns=4, options=(
    Option("3"), Option("6"), Option("12"), Option("20"),
))
FLAGS = Step("FLAGS", "flags", Kind.MULTI, columns=1, options=(
    Option("multi_level", ("多级分销", "多級分銷", "分销", "分銷", "代理", "multi-level")),
    Option("cross_border", ("跨境", "多语言", "多語言", "海外", "外语", "cross-border",
                            "multilingual")),
    Option("none", ("都没有", "都沒有"),
           replies=("没有", "沒有", "无", "無", "不", "none", "no", "neither"), exclusive=True),
))
RESPONSE = Step("RESPONSE", "response", Kind.CHOICE, columns=1, options=(
    Option("standard", ("标准响应", "標準響應", "标准", "標準", "30分钟", "半小时", "半小時",
                        "standard")),
    Option("fast", ("快速响应", "快速響應", "快速", "10分钟", "fast")),
    Option("emergency", ("紧急响应", "緊急響應", "紧急", "緊急", "5分钟", "秒回", "即时", "即時",
                         "24小时", "24小時", "emergency")),
))
SCOPE = Step("SCOPE", "scope", Kind.CHOICE, columns=2, implied=_expert_goods, options=(
    Option("basic", ("基础客服", "基礎客服", "基础", "基礎", "售前", "basic")),
    Option("technical", ("技术客服", "技術客服", "技术", "技術", "后台", "後台", "technical")),
    Option("full_chain", ("全链路客服", "全鏈路客服", "全链路", "全鏈路", "全流程", "团队",
                          "團隊", "full-chain", "full chain")),
    Option("expert", ("专家型客服", "專家型客服", "专家", "專家", "expert")),
    Option("auto", replies=("帮我推荐", "幫我推薦", "推荐", "推薦", "不知道", "不确定",
                            "不確定", "recommend", "auto")),
))
TOOLING = Step("TOOLING", "tooling", Kind.CHOICE, columns=1, options=(
    Option("none", ("不需要系统", "不需要系統", "不用系统", "不用系統", "no system")),
    Option("bundle", ("客服+系统", "客服+系統", "打包", "带系统", "帶系統", "bundle")),
    Option("own", ("自带系统", "自帶系統", "自己的系统", "自己的系統", "有系统", "有系統",
                   "own system")),
))
AI = Step("AI", "ai", Kind.CHOICE, columns=3, implied=_low_volume_ai, options=(
    Option("no", ("纯人工", "純人工", "不要ai", "不用ai", "不需要ai", "no ai"),
           replies=("不要", "不用", "不需要", "否", "no")),
    Option("yes", ("ai+人工", "要ai", "用ai", "需要ai", "加ai", "机器人", "機器人", "智能客服",
                   "with ai"), replies=("要", "需要", "是", "好", "ai", "yes")),
    Option("auto", replies=("帮我推荐", "幫我推薦", "推荐", "推薦", "不知道", "recommend",
                            "auto")),
))
MODE = Step("MODE", "mode", Kind.CHOICE, columns=3, options=(
    Option("outsourced", ("外包", "outsourc")),
    Option("full_time", ("自招全职", "自招全職", "全职", "全職", "自招", "full-time", "in-house")),
    Option("part_time", ("兼职", "兼職", "part-time")),
))
VOLUME = Step("VOLUME", "volume", Kind.CHOICE, columns=2, options=(
    Option("steady", ("平稳", "平穩", "稳定", "穩定", "steady")),
    Option("seasonal", ("季节", "季節", "波动", "波動", "促销", "促銷", "大促", "旺季",
                        "seasonal")),
))
BILLING = Step("BILLING", "billing", Kind.CHOICE, columns=2, options=(
    Option("monthly", ("按月", "包月", "月费", "月費", "monthly")),
    Option("per_order", ("按单", "按單", "per order", "per-order")),
    Option("per_hour", ("按小时", "按小時", "按时长", "按時長", "per hour", "hourly")),
    Option("compare", ("比较一下", "比較一下", "对比", "對比", "都看看", "compare"),
           replies=("比较", "比較", "帮我推荐", "幫我推薦", "推荐", "推薦")),
))
BUDGET = Step("BUDGET", "budget", Kind.OPTIONAL_NUMBER, minimum=1, maximum=10_000_000,
              columns=3, options=(Option("2000"), Option("5000"), Option("10000")))

# Whole-message words that press a button of the current screen (when it has that button).
BUTTON_WORDS: dict[str, tuple[str, ...]] = {
    "m:done": ("完成", "好了", "选好了", "選好了", "就这些", "就這些", "done", "ok", "好"),
    "skip": ("跳过", "跳過", "没有预算", "沒有預算", "不确定", "不確定", "skip"),
    "ok": ("确认", "確認", "确认报价", "確認報價", "报价", "報價", "confirm", "quote"),
    "adj": ("调整", "調整", "调整参数", "調整參數", "adjust"),
    "nav:back": ("返回", "上一步", "back"),
    "nav:restart": ("重新开始", "重新開始", "重来", "重來", "restart", "start over"),
    "nav:human": ("转人工", "轉人工", "人工", "人工客服", "真人", "human", "agent"),
    "rs:go": ("继续", "繼續", "继续上次", "繼續上次", "continue"),
}

PROSPECT = Step("PROSPECT", "prospect", Kind.TEXT, maximum=80, sales_only=True)
DISCOUNT = Step("DISCOUNT", "discount", Kind.OPTIONAL_NUMBER, minimum=0, maximum=90,
                columns=3, sales_only=True, options=(Option("5"), Option("10"), Option("15")))

STEPS: tuple[Step, ...] = (PROSPECT, ORDERS, KINDS, CATEGORIES, FLAGS, RESPONSE, SCOPE,
                           TOOLING, AI, MODE, VOLUME, BILLING, BUDGET, DISCOUNT)
# A merchant's own dialogue: everything but the salesperson's steps.
CUSTOMER_STEPS: tuple[Step, ...] = tuple(step for step in STEPS if not step.sales_only)
STEP_BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
STEP_BY_FIELD: dict[str, Step] = {step.field: step for step in STEPS}
