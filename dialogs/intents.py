"""What a message means beyond the quote's facts: a buying signal, thanks or small talk, a
question about the merchant's own quote, a contact given, "you decide". Pure rules over text
already folded by `dialogs.text.fold` (simplified Chinese, lower case, ASCII digits).

- `buying_signal(folded)`: "accept" (就这个 / 怎么下单 / let's do it), "trial", "contract",
  "invoice", "payment" or "contact" (怎么联系你们) — the next step of a sale — or None.
- `social(folded)`: "thanks", "bot" (你是机器人吗), "greeting" or "ack" (好的 / 收到 alone).
- `quote_question(folded)`: which figure of the quote on the table a question asks for —
  "per_order", "per_hour", "cheapest", "headcount", "hours", "included", "validity",
  "price" — or None (then the article answers, dialogs/knowledge.py).
- `unsure(folded)`: 不确定 / 不知道 / 你看着办 / whatever as the whole answer to a step.
- `parse_contact(text)`: a typed phone number (China mainland, Taiwan, Hong Kong or
  international +CC), a WeChat id or a Telegram @username, as (kind, value), or None.

Negated signals do not count: 先不签, 不要这个方案, 还不想下单; A-not-A questions (能不能先试用)
are asks, not refusals.
"""

from __future__ import annotations

import re

# Each rule: alternatives (regular expressions over folded text). English words are matched
# at word starts; Chinese anywhere.
_BUYING: tuple[tuple[str, str], ...] = (
    # The order matters: the first topic that fires names the signal ("合同怎么签" is the
    # contract, "怎么下单" acceptance).
    ("trial", r"试用|先试|试一下|试几天|试一周|试一个月|免费试|\btrial\b|\btry (?:it|you|first)"),
    ("invoice", r"发票|开票|专票|普票|\binvoices?\b|\bfapiao\b|\breceipts?\b"),
    ("contract", r"合同|合约|签约|签个约|协议|\bcontracts?\b|\bagreements?\b"),
    ("payment", r"付款|支付|怎么付|打款|转账|付钱|预付|月结|对公|\bpay(?:ment|ing)?\b"),
    ("contact", r"怎么联系|联系方式|联系你们|联系谁|找谁|你们的?(?:电话|微信|客服经理)|留个?电话|"
                r"加(?:个)?微信|\bcontact\b|\breach you\b|\bphone number\b|\bwechat\b"),
    ("accept", r"就这个|就这样|就按这个|就它了|就选这|就要这|就用这|定了|成交|下单|"
               r"怎么买|开始合作|合作吧|可以合作|要这个方案|这个方案可以|方案可以|"
               r"我要了|我买|签了吧|上车|怎么开始|什么时候(?:能|可以)?开始|"
               r"\blet'?s do it\b|\bgo ahead\b|\bdeal\b|"
               r"\bsign (?:me )?up\b|\bhow (?:do|can) (?:i|we) (?:order|start|buy)\b|"
               r"\bwe'?ll take it\b|\bi'?ll take it\b|\bsounds good\b"),
)
_BUYING_RE = tuple((topic, re.compile(pattern)) for topic, pattern in _BUYING)
# A negator just before a signal turns it around (先不签, 不要这个方案), unless it is part
# of an A-not-A question (能不能, 可不可以, 要不要).
_NEGATOR = re.compile(r"(?:不|别|没|暂时不|先不|还不|不想|不要|don'?t|not|no)\s?.{0,2}$")
_A_NOT_A = re.compile(r"(能不能|可不可以|可不可|要不要|是不是|有没有|行不行|会不会)\s?.{0,2}$")

_SOCIAL: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bot", re.compile(r"机器人[吗嘛么]|是机器人|是不是机器人|是真人|真人吗|是人吗|人工智能吗|"
                       r"是ai[吗嘛]?|\bare you (?:a )?(?:bot|robot|human|real|ai)\b")),
    ("thanks", re.compile(r"谢谢|感谢|多谢|谢啦|谢了|辛苦了|\bthanks?\b|\bthank you\b|\bthx\b|"
                          r"\bcheers\b")),
    ("greeting", re.compile(r"^(?:你好|您好|在吗|在不在|哈喽|嗨|hi|hello|hey)[!！~。 ]*$")),
    ("ack", re.compile(r"^(?:好的|好吧|好滴|嗯嗯?|收到|知道了|明白了?|了解了?|ok|okay|行吧?|"
                       r"可以|got it|i see|noted)[!！~。 ]*$")),
)

_QUOTE_QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("per_order", re.compile(r"(?:按单|每单|一单|单价|per[- ]order|each order|an order)")),
    ("per_hour", re.compile(r"(?:按时|按小时|每小时|一小时|时薪|per[- ]hour|hourly)")),
    ("cheapest", re.compile(r"最便宜|最省|最低|便宜点|便宜些|更便宜|还能便宜|能便宜|省钱|"
                            r"砍价|优惠|打折|\bcheap|\blower\b|\blowest\b|\bdiscount")),
    ("headcount", re.compile(r"几个人|多少人|几个客服|多少个客服|几人|人数|人手|团队|"
                             r"几班|三班|两班|班倒|轮班|席位|"
                             r"\bhow many (?:people|agents|staff)|\bheadcount\b|"
                             r"\bteams?\b|\bshifts?\b|\bseats?\b")),
    ("hours", re.compile(r"几点|几小时|多少小时|24小时|全天|晚上|夜里|夜间|半夜|凌晨|周末|节假日|"
                         r"上班时间|工作时间|服务时间|时段|\bhours\b|\bnight|\bweekend|\b24/7\b")),
    ("included", re.compile(r"包括|包含|包不包|含不含|管哪些|管什么|负责什么|负责哪些|"
                            r"做哪些|做什么|有哪些服务|服务内容|"
                            r"\binclud|\bwhat do you do\b|\bcovered\b")),
    ("validity", re.compile(r"有效期|多久有效|有效多久|有效吗|几天有效|过期|能保持多久|价格会变|"
                            r"\bvalid|\bexpire")),
    ("price", re.compile(r"多少钱|什么价|价格|价位|报价多少|一个月多少|月费|多少一个月|"
                         r"总共多少|一共多少|说个数|给个数|具体数|多少费用|费用多少|贵不贵|"
                         r"\bhow much\b|\bprice\b|\bcost\b|\btotal\b")),
)
# "Asks for the figure" words: a per-order or per-hour mention alone is a choice, not a
# question (按单结), so those two need one of these as well.
_ASKS_FIGURE = re.compile(r"多少|几|怎么算|什么价|价格|贵|钱|费用|\bhow much\b|\bcost\b|"
                          r"\bprice\b|\brate\b|\bwhat\b")

_UNSURE = re.compile(
    r"^(?:我?(?:也)?(?:不确定|不知道|不清楚|说不好|说不准|没想好|不好说|拿不准)(?:呢|啊|耶)?|"
    r"你(?:们)?(?:看着办|看着来|定吧?|决定吧?|帮我定|推荐吧?|安排吧?)|随便|都行|都可以|无所谓|"
    r"听你的|按默认|默认吧?|"
    r"not sure|no idea|don'?t know|dunno|whatever|you decide|up to you|any|default)"
    r"[!！~。.,， ]*$")


def _negated(folded: str, start: int) -> bool:
    before = folded[max(0, start - 6):start]
    return bool(_NEGATOR.search(before)) and not _A_NOT_A.search(before)


def buying_signal(folded: str) -> str | None:
    """The next step of a sale the message asks for, or None."""
    for topic, pattern in _BUYING_RE:
        for match in pattern.finditer(folded):
            if not _negated(folded, match.start()):
                return topic
    return None


def social(folded: str) -> str | None:
    """Thanks, small talk or a bare acknowledgement, or None."""
    text = folded.strip()
    for kind, pattern in _SOCIAL:
        if pattern.search(text):
            return kind
    return None


def quote_question(folded: str) -> str | None:
    """Which of the quote's own figures a question asks for, or None."""
    for kind, pattern in _QUOTE_QUESTIONS:
        if pattern.search(folded):
            if kind in ("per_order", "per_hour") and not _ASKS_FIGURE.search(folded):
                continue
            return kind
    return None


def unsure(folded: str) -> bool:
    """不确定 / 你看着办 / whatever as the whole answer: take the step's stated default."""
    return bool(_UNSURE.match(folded.strip()))


# --- money in another currency ------------------------------------------------------------

_CURRENCIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("twd", re.compile(r"新台币|台币|nt\$|\bntd\b|\btwd\b|台湾币")),
    ("hkd", re.compile(r"港币|港元|港纸|hk\$|\bhkd\b")),
    ("usd", re.compile(r"美元|美金|刀乐|us\$|\busd\b|\bdollars?\b|(?<![a-z])\$")),
)


def foreign_currency(folded: str) -> str | None:
    """"twd", "hkd" or "usd" when a message names an amount in that currency (台币, NT$,
    美金, USD, $…); None for RMB or no currency."""
    for code, pattern in _CURRENCIES:
        if pattern.search(folded):
            return code
    return None


# --- contacts ---------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"[\s\-().]")
_PHONES = (
    re.compile(r"^(?:\+?86)?1[3-9]\d{9}$"),  # mainland mobile
    re.compile(r"^(?:\+?886|0)9\d{8}$"),  # Taiwan mobile
    re.compile(r"^(?:\+?852)?[4-9]\d{7}$"),  # Hong Kong
    re.compile(r"^\+[1-9]\d{7,14}$"),  # anything international, E.164
)
_WECHAT = re.compile(r"^[a-zA-Z][-_a-zA-Z0-9]{5,19}$")  # WeChat's own rule for an id
_TELEGRAM = re.compile(r"^@[a-zA-Z][a-zA-Z0-9_]{4,31}$")
_LABEL = re.compile(r"^(?:我的)?(?:手机号?码?|电话号?码?|联系电话|手机|电话|微信号?|vx|wx|v信|"
                    r"telegram|tg|飞机|phone|mobile|tel|wechat(?: id)?)\s*[:：是为]?\s*",
                    re.IGNORECASE)


def parse_contact(text: str) -> tuple[str, str] | None:
    """("phone", "+8613812345678"), ("wechat", "kameng_2024"), ("telegram", "@kameng"), or
    None when the text is none of these."""
    raw = _LABEL.sub("", text.strip().rstrip("。.!！"), count=1).strip()
    if not raw or len(raw) > 40:
        return None
    digits = _PHONE_CHARS.sub("", raw)
    for pattern in _PHONES:
        if pattern.match(digits):
            return "phone", digits
    if _TELEGRAM.match(raw):
        return "telegram", raw
    if _WECHAT.match(raw):
        return "wechat", raw
    return None


def is_phone(text: str) -> bool:
    """A phone number shared through Telegram's contact button (any country)."""
    digits = _PHONE_CHARS.sub("", text.strip())
    return bool(re.match(r"^\+?[1-9]\d{6,14}$", digits))
