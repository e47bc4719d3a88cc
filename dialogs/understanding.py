"""Free text → facts: what a merchant's message says about their shop, and what it asks.

One reader for every front-end. `Reader.read(text, step=…, known=…)` returns a `Reading`:
the facts the message states (by slot, see dialogs/lexicon.py), the ones it is not sure of
(to be asked back), the questions it asks, and whether it corrects an earlier answer.

The grammar, in the order it runs (docs/dialogue.md has the full rules and examples):
1. Fold: full-width → ASCII, lower case, traditional → simplified (dialogs/text.py).
2. Split into clauses at punctuation and contrast words (但是, 不过). A clause that asks
   something (吗, 怎么, 为什么, ?) states no fact: "自带系统能便宜多少？" is a question.
3. Words: every vocabulary word of lexicon.WORDS found in a clause is a mention of a
   value; a negator before it (不, 没有, 不要, no…) or after it at the end of the phrase
   (就免了, 不用) turns it around (不要机器人 → AI no) or drops it (不卖话费).
4. Numbers: Chinese numerals, colloquial amounts (小一千, 大几百, 千把, 两千来, 一千出头,
   1k+, 2.5w, 1,500) and ranges become one value each; each is bound to a slot by its own
   unit or cue (单 → orders, 类 → categories, 分钟 → response, 预算/元 → budget), never by
   the step being asked; counts per month/week/year are made daily. Years, phone numbers,
   denominations, staff counts, 24小时 and 7x24 are not counts.
5. A message with no fact at all is read as a bare reply to the step being asked: a number,
   要 / 不要 / 没有, "你看着办".
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

import cn2an

from dialogs import lexicon
from dialogs.knowledge import looks_like_question
from dialogs.sounds import SoundIndex
from dialogs.text import fold

SLOTS = ("orders", "kinds", "categories", "multi_level", "cross_border", "response", "scope",
         "tooling", "ai", "mode", "volume", "billing", "budget")
KIND_ORDER = tuple(lexicon.WORDS["kinds"])
RESPONSE_ORDER = ("standard", "fast", "emergency")
SCOPE_ORDER = ("basic", "technical", "full_chain", "expert")

# The step being asked → the slots it asks about.
STEP_SLOTS = {"ORDERS": ("orders",), "KINDS": ("kinds",), "CATEGORIES": ("categories",),
              "RESPONSE": ("response",), "SCOPE": ("scope",), "TOOLING": ("tooling",),
              "AI": ("ai",), "MODE": ("mode",), "VOLUME": ("volume",), "BILLING": ("billing",),
              "BUDGET": ("budget",), "FLAGS": ("multi_level", "cross_border")}
# The step being asked → the slot a bare reply fills.
STEP_SLOT = {"ORDERS": "orders", "KINDS": "kinds", "CATEGORIES": "categories",
             "RESPONSE": "response", "SCOPE": "scope", "TOOLING": "tooling", "AI": "ai",
             "MODE": "mode", "VOLUME": "volume", "BILLING": "billing", "BUDGET": "budget"}


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message says. `facts` are slot values after the message (for kinds and the
    complexity flags merged with what was `known`); `unsure` names facts to ask back."""

    facts: Mapping[str, Any] = field(default_factory=dict)
    unsure: frozenset[str] = frozenset()
    questions: tuple[str, ...] = ()
    correction: bool = False
    # Values the message itself took back ("五百单，不对，六百" → orders: 500): the echo says
    # 已更正 500 → 600.
    revised: Mapping[str, Any] = field(default_factory=dict)


# --- clauses --------------------------------------------------------------------------

# Hard boundaries end a sentence (and carry its question mark); soft ones only separate
# phrases inside it: "AI 能干嘛？" is one question, "不要AI 要真人" two statements.
_HARD_SPLIT = re.compile(r"[。;；!！?？\n]|(?<!\d),|,(?!\d{3})|\.(?:\s|$)|…+|\.{3,}|\s[—–]\s|—+")
_PAUSE = re.compile(r"…|\.{3}|—|\s[–-]\s")
_SOFT_SPLIT = re.compile(
    r"但是|不过|可是|(?<=[^\s,]{5})的话(?!费|最好|更好|比较好|就好|好了|就行|也行|也可以|可以)|"
    r"\bhowever\b|(?<!everything)(?<!anything)(?<!all)\s\bbut\b"
    r"|(?<=[\u4e00-\u9fff])(?<![一二两三四五六七八九十百千万多几来])\s+(?=[\u4e00-\u9fff])"
    r"|(?<=[十百千万\d])\s+(?=[\u4e00-\u9fff])(?![单个类种块元笔分秒多左上来以出万千百])"
    r"|(?<=\S)(?<!except)(?<!excluding)\s+(?=\S{1,4}\s*:)")
_QUESTION_MARK = re.compile(r"[?？]")
_NOT_QUESTION = re.compile(
    r"不对不对|不是不是|^[哦噢喔呃额啊嗯]?\s*不+$|^(?!.*干嘛).{1,8}嘛$|(?<=\S)呢(?=[^?？]{3,})|^不对$|啥的|什么的|之类的?|那几天|这几天|前几天|.*还是.*(?:比|算|对比|比较)一?下.*|"
    r"(?:想|打算|准备).{0,6}几个|没有没有|没什么|没啥|不怎么|还是加上|还是去掉|"
    r"还是(?:算了|不要|要)|你们?(?:帮我)?比一?下|啥.{0,4}都|什么.{0,4}都|不知道|不管|什么都|"
    r"多少有|whatever|no matter|(?:can|could) you compare|can you run the numbers|看看哪个|都看看|"
    r"^(?:can|could) (?:spend|pay|afford|go up|do)\b.*|"
    r"(?:比较|对比|比|报)一?下.*|哪个.{0,6}就?用?哪个|"
    r"(?:回答|解答|处理|答复|比如|例如|像是).*(?:这些|之类的?|什么的|等等)$")


_REQUEST = re.compile(r"(?:can|could) you (?:compare|run the numbers)|run the numbers|"
                      r"帮我(?:比较|比|算|对比)|都算一下|都报一下|"
                      # "能不能不要AI": a request that makes a choice
                      r"(?:能不能|可不可以|可以不|能否|能不)\s*(?:不要|不用|去掉|取消|换成|改成|加上|"
                      r"拿掉|减掉)")
# At the quote, "那按单算一下呢？" / "what if we used your system?" asks for a new version.
_WHAT_IF = re.compile(r"^那.*呢$|^what if\b|^how about\b|换成|改成|换到|改为|看看会不会|试试|"
                      r"放宽到|调到|放到|改到|降低到|去掉|拿掉|删掉|不要|不用|加上|"
                      r"压到|降到|便宜到|控制到|can you do it for|could you do it for|"
                      r"switch to|change to|"
                      r"^如果.*呢$")


def is_question(clause: str, *, marked: bool = False) -> bool:
    """Does this clause ask something? `marked` when it ended with a question mark. Requests
    and statements that borrow a question word ("比较下哪个便宜", "没啥淡旺季", "哪个便宜用哪个")
    are taken out before dialogs.knowledge decides."""
    if _REQUEST.search(clause):
        return False  # "can you compare them?", "帮我算一下?": a request, answered with a quote
    if marked:
        return True
    lacking = re.fullmatch(r"(.{1,4}?)(?:也|都)?没有?", clause)
    if lacking and _has_choice_word(lacking.group(1)):
        return False  # "跨境没": an answer that there is none, not "…了没？"
    rest = _NOT_QUESTION.sub(" ", clause).strip()
    return bool(rest) and looks_like_question(rest)


@cache
def _choice_words() -> re.Pattern[str]:
    words = [word for slot in ("multi_level", "cross_border", "ai", "tooling")
             for words in lexicon.WORDS[slot].values() for word in words]
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


def _has_choice_word(text: str) -> bool:
    """A flag, AI or system word ("跨境", "代理", "AI", "系统")."""
    return bool(_choice_words().search(text))


@dataclass(frozen=True, slots=True)
class _Clause:
    text: str
    question: bool
    condition: bool = False  # ended by 的话: "按单收的话，一单多少钱？"
    pause: bool = False  # after a hesitation ("要5分钟……10分钟也行", "500——600")


def _pieces(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """The text cut at the pattern: (piece, the boundary after it) for non-empty pieces."""
    found: list[tuple[str, str]] = []
    start = 0
    for match in pattern.finditer(text):
        piece = text[start:match.start()].strip()
        if piece:
            found.append((piece, match.group()))
        start = match.end()
    tail = text[start:].strip()
    if tail:
        found.append((tail, ""))
    return found


def _clauses(folded: str) -> list[_Clause]:
    clauses: list[_Clause] = []
    asked = False
    sentences = _pieces(folded, _HARD_SPLIT)
    # "代理？没有的事": a topic echoed back as a question, then answered, is one statement.
    merged: list[tuple[str, str]] = []
    for sentence, end in sentences:
        if merged and _QUESTION_MARK.match(merged[-1][1]) and len(merged[-1][0]) <= 6 \
                and not is_question(merged[-1][0]):
            glue = " " if merged[-1][0][-1:].isascii() and sentence[:1].isascii() else ""
            merged[-1] = (merged[-1][0] + glue + sentence, end)
        else:
            merged.append((sentence, end))
    pause = False
    for sentence, end in merged:
        marked = bool(_QUESTION_MARK.match(end))
        # "…monthly? and is 7x24 included": a sentence that goes on from a question asks too.
        follows = asked and bool(re.match(r"(?:and|or|also|还有|另外|以及)\b", sentence))
        sentence_asks = marked or follows or is_question(sentence)
        for piece, boundary in _pieces(sentence, _SOFT_SPLIT):
            question = is_question(piece, marked=marked or follows)
            clauses.append(_Clause(piece, question, condition=boundary == "的话", pause=pause))
            pause = False
        asked = sentence_asks
        pause = bool(_PAUSE.match(end))
    return clauses


_TYPO_FIX = {written.strip(" ^"): meant.strip() for written, meant in lexicon.TYPOS}
_TYPOS = re.compile("|".join(
    rf"(?<![a-z]){re.escape(written.strip(' ^'))}(?![a-z])" if written.strip(" ^").isascii()
    else re.escape(written) for written, _ in lexicon.TYPOS))

# --- vocabulary -----------------------------------------------------------------------

def _alternation(words: Iterable[str]) -> str:
    """One regex for many words: longest first; ASCII words only on word boundaries ("ai" not
    inside "said"), plurals included. Written as a trie ("话费(?:充值|)") so a message is not
    tried against a thousand words one by one."""
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        end = ""
        if word.isascii() and word[:1].isalnum():
            end = rf"(?<![a-z0-9_@][\s\S]{{{len(word)}}})"  # nothing glued before the word
        if word.isascii() and word[-1:].isalnum():
            plural = "(?:s|es)?" if word[-1:].isalpha() else ""
            end += rf"{plural}(?![a-z0-9_])"
        node[""] = end
    return _render(trie)


def _render(node: dict[str, Any]) -> str:
    """A trie as a regex: the longer continuations first, the word ending here last."""
    branches = [re.escape(char) + _render(child)
                for char, child in sorted(node.items()) if char]
    if "" in node:
        branches.append(node[""])
    if len(branches) == 1 and "" not in node:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


# What may trail a phrase without changing it: "AI的部分先不用喔", "(这个暂停了)".
_PARTICLES = r"了|啦|吧|的|哈|呢|啊|哦|喔|噢|哟|呀|嘛|咯|啰|捏|!|~|\s|\.|\)|,?\s*thanks|,?\s*thx"


@dataclass(frozen=True, slots=True)
class _Mention:
    slot: str
    value: object
    start: int
    end: int
    word: str
    negated: bool = False


class _Vocabulary:
    """The lexicon compiled once: one regex for every word, one for negators."""

    def __init__(self) -> None:
        self.meaning: dict[str, list[tuple[str, object]]] = {}
        for slot, values in lexicon.WORDS.items():
            for value, words in values.items():
                for word in words:
                    self.meaning.setdefault(word, []).append((slot, value))
        for kind, names in lexicon.brands().items():
            for name in names:
                if ("kinds", kind) not in self.meaning.get(name, []):
                    self.meaning.setdefault(name, []).append(("kinds", kind))
        for word in lexicon.NEUTRAL:
            self.meaning.setdefault(word, [])
        self.words = re.compile(_alternation(self.meaning))
        self.before = re.compile(_alternation(lexicon.NEGATORS_BEFORE))
        self.after = re.compile(
            rf"^(?P<gap>.{{0,6}}?)(?:{_alternation(lexicon.NEGATORS_AFTER)})"
            rf"(?:{_PARTICLES})*$")
        self.refusal_end = re.compile(
            rf"(?:(?:{'|'.join(lexicon.REFUSAL_ADVERBS)})\s*)*"
            rf"(?:{'|'.join(lexicon.REFUSALS_AT_END)})"
            rf"(?:那一套|这一套|这个|那个|这些|那些|这种|那种|这块|那块)?"  # "不搞那一套"
            rf"(?:{_PARTICLES})*$")
        self.double = re.compile(rf"(?:{'|'.join(lexicon.DOUBLE_NEGATION)})\s*$")
        self.hedges = re.compile(_alternation(lexicon.HEDGES))
        self.taken = re.compile(r"\s*(?:加上|加进|加回|要了|也要|还是要)")  # "AI 加上去"
        self.want = re.compile(r"(?:要|想|需要|上|用|加|want|need)\s*(?:个|一个|the|a)?\s*$")
        self.past = re.compile(r"(?:以前|之前|上家|上一家|原来|过去|以往|previously|used to|"
                               r"last agency|we paid|(?<!没)(?<!没有)(?:卖|做)过)"
                               r"(?!说|讲|选|填|写)")
        self.present = re.compile(r"现在|目前|这次|以后|今后|所以|那就|now|currently|these days|"
                                  r"anymore|any more|no longer|想|希望|want to|would like|hope|"
                                  r"keep it|"
                                  r"this time|so we|so let")
        self.volume_topic = re.compile(_alternation(lexicon.VOLUME_TOPIC))
        self.customer_topic = re.compile(_alternation(lexicon.CUSTOMER_TOPIC) + r"|的客(?!服)")
        self.not_negators = re.compile(_alternation(lexicon.NOT_NEGATORS))
        self.stops = re.compile(_alternation(lexicon.NEGATION_STOPS))
        # Nothing, or a real joiner: "话费流量", "话费和流量", "话费、流量" (not a bare space:
        # "不要AI 要真人" is two phrases).
        self.joiners = re.compile(
            rf"^(?:\s*(?:的|{_alternation(lexicon.JOINERS)})\s*)*$|^$")
        self.system_topic = re.compile(_alternation(lexicon.SYSTEM_TOPIC))
        self.recommend = re.compile(_alternation(lexicon.RECOMMEND))
        self.topics = {slot: re.compile(_alternation(words))
                       for slot, words in lexicon.TOPICS.items()}
        self.correction = re.compile(_alternation(lexicon.CORRECTION))
        # Topic and cue words, kept whole when typos by sound are looked for ("单量上千").
        self.cues = re.compile(_alternation(
            [word for words in lexicon.TOPICS.values() for word in words]
            + list(lexicon.SOUND_CUES)))
        self.peak = re.compile(_alternation(lexicon.PEAK))
        self.usual = re.compile(_alternation(lexicon.USUAL))

    def mentions(self, clause: str, *, system_topic: bool = False, volume_topic: bool = False,
                 flags_step: bool = False, alone_ok: bool = False,
                 customer_topic: bool = False) -> list[_Mention]:
        """Every vocabulary word in the clause, with whether a negation reaches it.
        `system_topic` / `volume_topic`: the message or step is about tooling / volume."""
        found: list[_Mention] = []
        spans: list[tuple[int, int]] = []
        for match in self.words.finditer(clause):
            word = self._base(match.group())
            spans.append(match.span())
            if word in lexicon.NEEDS_SYSTEM_TOPIC and not (
                    system_topic or self._has_system_word(clause, match)):
                continue
            if word in lexicon.NEEDS_FLAGS_STEP and not flags_step:
                continue
            if word in lexicon.ALONE and re.search(r"\d", clause) and not alone_ok:
                continue  # "monthly we hit 45,000 orders": a period, not a billing
            if word in lexicon.NEEDS_CUSTOMER_TOPIC and not (
                    customer_topic or self.customer_topic.search(clause)):
                continue
            if word in lexicon.NEEDS_VOLUME_TOPIC and not (
                    volume_topic or self.volume_topic.search(clause)):
                continue
            for slot, value in self.meaning[word]:
                found.append(_Mention(slot, value, match.start(), match.end(), word))
        if not found:
            return found
        covered = list(spans)
        covered += [match.span() for match in self.not_negators.finditer(clause)]
        negators = [match for match in self.before.finditer(clause)
                    if not any(s < match.end() and match.start() < e for s, e in covered)]
        result: list[_Mention] = []
        chain_end = -1  # end of the last negated mention, for "不做话费和流量"
        for mention in found:
            negated = False
            gap = clause[chain_end:mention.start] if chain_end >= 0 else ""
            if chain_end >= 0 and (self.joiners.match(gap) or (
                    gap.isspace() and clause[mention.start].isascii())):
                negated = True
            else:
                negated = self._negated_before(clause, mention, negators, result)
            if not negated:
                negated = self._negated_after(clause, mention, found)
            chain_end = mention.end if negated else -1
            result.append(_Mention(mention.slot, mention.value, mention.start, mention.end,
                                   mention.word, negated))
        # "PUBG UC top-ups", "steam 充值", "手游储值", "USDT充值卡", "原神的充值": a top-up right
        # after other goods is theirs.
        result = [m for index, m in enumerate(result)
                  if not (m.slot == "kinds" and m.value == "phone_topup" and index
                          and result[index - 1].slot == "kinds"
                          and result[index - 1].value != "phone_topup"
                          and re.fullmatch(r"\s*(?:[a-z]+\s*)?的?",
                                           clause[result[index - 1].end:m.start])
                          and m.word in lexicon.GENERIC_TOPUP)]
        # "xbox会员", "VPN会员": a membership right after other goods is theirs.
        result = [m for index, m in enumerate(result)
                  if not (m.slot == "kinds" and m.value == "video_memberships" and index
                          and result[index - 1].slot == "kinds"
                          and result[index - 1].value != "video_memberships"
                          and re.fullmatch(r"\s*的?", clause[result[index - 1].end:m.start])
                          and m.word in lexicon.GENERIC_MEMBERSHIP)]
        # "USDT礼品卡", "ROV coupons": a voucher right after other goods is theirs.
        result = [m for index, m in enumerate(result)
                  if not (m.slot == "kinds" and m.value == "other" and index
                          and result[index - 1].slot == "kinds"
                          and re.fullmatch(r"\s*(?:的)?", clause[result[index - 1].end:m.start])
                          and m.word in lexicon.GENERIC_VOUCHER)]
        # "话费流量那些我们不碰": a negation after a list reaches back over the list.
        for index in range(len(result) - 2, -1, -1):
            this, following = result[index], result[index + 1]
            if (following.negated and not this.negated
                    and (following.slot == this.slot or (
                        {following.slot, this.slot} == {"multi_level", "cross_border"}
                        and clause[this.end:following.start].strip()))  # "分销跟跨境都没有"
                    and self.joiners.match(clause[this.end:following.start])
                    and "(" not in clause[following.end:]  # "激活码、链上卡密(这个暂停了)"
                    and self._negated_after(clause, following, found)):
                result[index] = _Mention(this.slot, this.value, this.start, this.end,
                                         this.word, True)
        return result

    def _base(self, word: str) -> str:
        """The lexicon entry a match stands for ("nfts" → "nft")."""
        if word in self.meaning:
            return word
        for cut in (1, 2):
            if word[:-cut] in self.meaning:
                return word[:-cut]
        return word

    def _negated_after(self, clause: str, mention: _Mention, found: list[_Mention]) -> bool:
        if re.match(r"^.{0,6}?(?:不|没有?)\S{0,3}\s*就(?:算了|不用了|免了|不要了|拉倒)",
                    clause[mention.end:]):
            return False  # "能省钱就上AI 不省就算了": a condition, not a refusal
        if re.search(r"(?:还是|干脆|索性|就)\s*$", clause[:mention.start]) and re.match(
                rf"\s*算了(?:{_PARTICLES})*$", clause[mention.end:]):
            return False  # "还是兼职算了": settling for it, not refusing it
        match = self.after.match(clause[mention.end:])
        if match is None:
            if re.match(r"\s*(?:去掉|拿掉|删掉|砍掉|减掉|去了)", clause[mention.end:]):
                return True  # "把AI去掉看看多少钱": removed, whatever follows
            refusal = self.refusal_end.search(clause, mention.end)
            if refusal is not None and re.search(r"(?:不|没有?)\S{0,3}\s*$",
                                                 clause[mention.end:refusal.start()]) \
                    and refusal.group().lstrip().startswith("就"):
                return False  # "能省钱就上AI 不省就算了": a condition, not a refusal
            if refusal is not None:
                # "机器人这块我们暂时不考虑": the refusal at the clause's end reaches its topic,
                # the nearest word before it, over a justification but not over a contrast.
                gap = clause[mention.end:refusal.start()]
                return (len(gap) <= 30 and not re.search(r"但|而|却|只|but|only", gap)
                        and not any(mention.end <= other.start < refusal.start()
                                    for other in found)
                        and not self.double.search(clause[:refusal.start()]))
            # A run-on without punctuation: "有几个代理海外没有客服要十分钟内回复".
            return bool(re.match(r"(?:的话|也|都)?(?:没有|没|无)(?!人|法|啥|什么|问题)",
                                 clause[mention.end:]))
        gap_end = mention.end + match.end("gap")
        if re.search(r"但|而|却|只|but|only", match.group("gap")):
            return False
        return not any(mention.end <= other.start < gap_end for other in found)

    def _has_system_word(self, clause: str, match: re.Match[str]) -> bool:
        outside = clause[:match.start()] + " " + clause[match.end():]
        return bool(self.system_topic.search(outside))

    def _negated_before(self, clause: str, mention: _Mention, negators: list[re.Match[str]],
                        earlier: list[_Mention]) -> bool:
        for negator in reversed(negators):
            if negator.end() > mention.start:
                continue
            gap = clause[negator.end():mention.start]
            reach = 16 if gap.isascii() else 6
            if len(gap) > reach or self.stops.search(gap):
                return False
            if self.double.search(clause[:negator.start()]):
                return False  # "不是不要AI", "没说不要": two negations cancel
            # The negation reaches the first word after it only (unless joined, above).
            return not any(negator.end() <= m.start < mention.start for m in earlier)
        return False


# --- numbers --------------------------------------------------------------------------

_CN = "零一二两三四五六七八九"
_CN_VALUE = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"两": 2}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_UNIT = {"万": Decimal(10000), "w": Decimal(10000), "千": Decimal(1000), "k": Decimal(1000)}
VAGUE = "≈"  # marks an amount read from a vague word (大几百): asked back, not taken

# Words with numerals that are not amounts, and time words that are not "1".
_MASK = re.compile(
    r"双十一|双11|双十二|双12|618|一般|一直|一起|一样|一定|一些|一下|一点|一切|一旦|一律|"
    r"一共|唯一|统一|(?<![\d一二两三四五六七八九十])万一|千万|十分(?!钟)|一条龙|第[一二三四五六七八九十\d]+|一对一|一手|"
    r"一口价|一次性?|一家|一站式|一体|一会儿?|一天到晚|一单一结|一单一单|一单|一年到头|"
    r"一年四季|三网|两种都|两个都|两样都|两边|一半|"
    r"7\s*[x×*]\s*24|24\s*/\s*7|24\s*h(?![a-z])|24\s*小时(?!内|之内|以内)|全天|"
    r"百分之[零一二两三四五六七八九十百\d.]+|\d+(?:\.\d+)?\s*%|[一二三四五六七八九\d]级|"
    r"[一二两三四五六七八九十\d]成|win\s*\d+|office\s*\d+|iphone\s*\d+|"
    r"[一二两三四五六七八九十\d]+\s*(?:个|名|位)?\s*(?:人(?!民)|客服|员工|同事|小伙伴|伙计|运营|"
    r"技术员|管理员|店员|宝妈)|[一二两三四五六七八九十\d]+\s*(?:倍|折)|"
    r"这一|同一|每一|一部分|一方面|一块儿|一边|一阵|7-11|11\.11|"
    r"[一二两三四五六七八九十\d]+\s*个?\s*点(?:钟|半)?(?!数|卡|券)")
# A lone 一 that counts nothing ("一到旺季", "一个方案"), masked after the time words are read.
_LONE_ONE = re.compile(r"一个(?!月|小时|品类|类|种|单|礼拜|星期|季度)|"
                       r"(?<![千万百])一(?![十百千万亿\d个类种单笔块元分小天日周年月星礼季刻两二三四五六七八九])")
_TIME_WORDS = (
    (re.compile(r"(?:每|一|1)\s*(?:天|日)|每一天|天天"), "每天"),
    (re.compile(r"月单量|月单|月订单"), "每月单量"),
    (re.compile(r"(?:每|一|1|上|这|本)\s*个?\s*月|月均"), "每月"),
    (re.compile(r"(?:每|一|1|上|这|本)\s*(?:个)?\s*(?:周|星期|礼拜)|周单量|周均"), "每周"),
    (re.compile(r"(?:每|一|1|今|去)\s*年|全年|年度|(?<![\d一二两三四五六七八九十])年(?=预算|订单|单量|营业)"),
     "每年"),
    (re.compile(r"(?:每|一|1)\s*个?\s*季度?|季度"), "每季"),
    (re.compile(r"半\s*小时|半\s*个小时"), "30分钟"),
    (re.compile(r"一刻钟"), "15分钟"),
    (re.compile(r"(?:一|1)\s*个?\s*小时"), "60分钟"),
)


def _cn_range(match: re.Match[str]) -> str:
    """三四百 → 300-400;  十二三 is left alone."""
    first, second, unit = match.group(1), match.group(2), match.group(3)
    scale = _CN_UNIT[unit]
    return f"{_CN_VALUE[first] * scale}-{_CN_VALUE[second] * scale}"


_CN_RANGE_RE = re.compile(rf"([{_CN}])([{_CN}])([十百千万])")
_CN_NUMERAL_RE = re.compile(rf"[{_CN}十百千万亿点]+")


def _some_teens(match: re.Match[str]) -> str:
    """十几 → 15, 二十几 → 25: the middle of what "几" leaves open."""
    tens = _CN_VALUE.get(match.group(1) or "一", 1)
    return f"{tens * 10 + 5}"


_CN_TEENS_RE = re.compile(rf"([{_CN}]?)十几")


def arabic(text: str) -> str:
    """Chinese numerals → Arabic digits, in place ("日均三百单" → "日均300单")."""
    text = _CN_TEENS_RE.sub(_some_teens, _CN_RANGE_RE.sub(_cn_range, text))
    if not _CN_NUMERAL_RE.search(text):
        return text

    def convert(match: re.Match[str]) -> str:
        numeral = match.group(0)
        if numeral in ("万", "千", "百", "点", "亿", "千万", "万一", "一点"):
            return numeral  # words, not numbers: 千万 (by all means), 万一 (in case), 一点
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = cn2an.cn2an(numeral, "smart")
        except (ValueError, KeyError, IndexError):
            return numeral
        return f"{value:g}" if isinstance(value, float) else str(value)

    # Keep a trailing 万 or 千 after Arabic digits as a unit: "1.5万" stays for the quantity rule.
    return re.sub(rf"(?<![\d.])[{_CN}十百千万亿点]+", convert, text)


def _cn_amount(digit: str | None, unit: str) -> int:
    return _CN_VALUE.get(digit or "一", 1) * _CN_UNIT[unit]


def _teens_to_tens(match: re.Match[str]) -> str:
    """十几二十 → 15-20."""
    low = _CN_VALUE.get(match.group(1), 1) * 10 + 5
    return f"{low}-{_CN_VALUE.get(match.group(2), 1) * 10}"


def _hundreds_and_some_tens(match: re.Match[str]) -> str:
    """一百八十几 → 185."""
    return f"{_CN_VALUE[match.group(1)] * 100 + _CN_VALUE[match.group(2)] * 10 + 5}"


def _tens_and_two_units(match: re.Match[str]) -> str:
    """十二三 → 12-13, 二十三四 → 23-24 (two units side by side are a range)."""
    tens = _CN_VALUE.get(match.group(1), 1) * 10
    low, high = _CN_VALUE[match.group(2)], _CN_VALUE[match.group(3)]
    if high != low + 1:
        return match.group()
    return f"{tens + low}-{tens + high}"


def _thousand_and_hundreds(match: re.Match[str]) -> str:
    """一千二三百 → 1200-1300, 一百二三十 → 120-130."""
    base = _cn_amount(match.group(1), match.group(2))
    unit = match.group(5)
    return f"{base + _cn_amount(match.group(3), unit)}-{base + _cn_amount(match.group(4), unit)}"


def _some_of_unit(match: re.Match[str]) -> str:
    """几百 → 500≈, 大几百 → 800≈, 小几千 → 2000≈."""
    digit = {"大": 8, "小": 2}.get(match.group(1) or "", 5)
    return f"{digit * _CN_UNIT[match.group(2)]}{VAGUE}"


def _vague_words(text: str) -> str:
    """Colloquial amounts → digits (marked ≈ where the value is our reading of a vague word).

    大几百 → 800≈, 几百 → 500≈, 小几千 → 2000≈, 千把 → 1000≈, 上千 → 1000≈, 小一千 → 900≈,
    两千来 → 2000, 七八个 → 7-8个, 一千二三百 → 1200-1300, 百几 → 一百几.
    """
    text = re.sub(rf"(?<![{_CN}十\d])百(几|多)", r"一百\1", text)
    # 一百八十几 → 185, 十二三 → 12-13, 二十三四 → 23-24.
    text = re.sub(rf"([{_CN}])百([{_CN}])十几", _hundreds_and_some_tens, text)
    text = re.sub(rf"([{_CN}]?)十([{_CN}])([{_CN}])(?![十百千万])", _tens_and_two_units, text)
    text = re.sub(rf"([{_CN}]?)十几([{_CN}]?)十", _teens_to_tens, text)
    text = re.sub(rf"([{_CN}])(千|万|百)([{_CN}])([{_CN}])(百|千|十)", _thousand_and_hundreds,
                  text)
    text = re.sub(r"(大|小)?几\s*(十|百|千|万)(?!几)", _some_of_unit, text)
    text = re.sub(rf"([{_CN}]?)(十|百|千|万)\s*把",
                  lambda m: f"{_cn_amount(m.group(1), m.group(2))}{VAGUE}", text)
    text = re.sub(r"(?:上|过|破)(百|千|万)", lambda m: f"{_CN_UNIT[m.group(1)]}{VAGUE}", text)
    text = re.sub(rf"小\s*([{_CN}])\s*(百|千|万)",
                  lambda m: f"{_cn_amount(m.group(1), m.group(2)) * 9 // 10}{VAGUE}", text)
    text = re.sub(r"(?<![大\d.])小\s*(\d+)(?![\d.])",  # "小2k单" (2k made 2000 before)
                  lambda m: f"{int(m.group(1)) * 9 // 10}{VAGUE}" if int(m.group(1)) >= 100
                  else m.group(), text)
    # 十来个, 两千来单: about that many.
    text = re.sub(rf"([{_CN}十百千万\d]+)来(?=\s*(?:个|种|类|单|笔|块|元|家|款|$))", r"\1", text)
    # 五、六个: two digits joined by 、 before a measure word are a range too.
    text = re.sub(rf"([{_CN}])、([{_CN}])(?=\s*(?:个|种|类|单|笔|家|款|分钟))", r"\1\2", text)
    # 七八个, 三五种, 一两分钟: two digits side by side without a unit are a range.
    text = re.sub(rf"([{_CN}])([{_CN}])(?=\s*(?:个|种|类|单|笔|块|元|家|款|分钟|秒))",
                  lambda m: (f"{_CN_VALUE[m.group(1)]}-{_CN_VALUE[m.group(2)]}"
                             if _CN_VALUE[m.group(1)] < _CN_VALUE[m.group(2)] else m.group()),
                  text)
    return text


_AMOUNT = re.compile(
    r"(?P<pre>不到|不够|少于|低于|不足|小于|将近|接近|快到|近|快|超过|多于|大于|至少|最少|"
    r"not more than|no more than|at most|under|less than|below|nearly|almost|over|more than|"
    r"at least)?\s*"
    r"(?<![\d.])(?P<a>\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?P<au>万|w(?![a-z])|千|k(?![a-z]))?"
    r"(?:\s*(?:-|~|～|–|—|到|至|to|或者?|or(?=\s))\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<bu>万|w(?![a-z])|千|k(?![a-z]))?)?"
    r"\s*(?P<suf>多(?!少|级|语|久)|几|出头|左右|上下|以上|以下|以内|之内|内(?!容)|\+|≈|"
    r"or more|or less|plus|ish|something|odd)?")
_NEGATIVE = re.compile(r"(?:^|[^\d\s])\s*(?:-|−|负|負|minus\s)$|^\s*[-−]$")
_BELOW = {"不到", "不够", "少于", "低于", "不足", "小于", "under", "less than", "below", "以下",
          "以内",
          "之内", "内", "or less", "not more than", "no more than", "at most"}
_NEAR = {"将近", "接近", "快到", "近", "快", "nearly", "almost"}
_SOME = {"多", "几", "something", "odd"}


@dataclass(frozen=True, slots=True)
class _Amount:
    value: Decimal
    start: int  # where the amount's words begin (不到…)
    digits: int  # where its digits begin
    end: int
    approximate: bool = False
    vague: bool = False
    below: bool = False  # "不到100": the merchant gave a bound (a budget keeps it as is)
    bound: Decimal = Decimal(0)  # the number as written


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _half_unit(value: Decimal) -> Decimal:
    """100 → 50, 30 → 5, 2000 → 500: half of the number's last written place (一百多 → 150)."""
    place = Decimal(1)
    whole = int(value)
    while whole and whole % 10 == 0 and place < 100000:
        whole //= 10
        place *= 10
    return place / 2


def _amounts(view: str) -> list[_Amount]:
    found: list[_Amount] = []
    for match in _AMOUNT.finditer(view):
        try:
            low = Decimal(match.group("a")) * _UNIT.get(match.group("au") or match.group("bu")
                                                        or "", Decimal(1))
            high = (Decimal(match.group("b")) * _UNIT.get(match.group("bu") or match.group("au")
                                                          or "", Decimal(1))
                    if match.group("b") else None)
        except (InvalidOperation, ArithmeticError):
            continue
        pre, suf = match.group("pre") or "", match.group("suf") or ""
        start, digits, end = (match.start() if pre else match.start("a"), match.start("a"),
                              match.end())
        if high is not None:
            low, high = sorted((low, high))
            found.append(_Amount(_round((low + high) / 2), start, digits, end,
                                 approximate=True, bound=high))
            continue
        value, approximate, vague, below = low, False, suf == VAGUE, False
        if not pre and _NEGATIVE.search(view[:start]):
            low = value = -low  # "-5": refused by the range checks, never read as 5
        if not suf and re.match(r"\s*(?:个|单|笔)\s*出头", view[match.end():]):
            suf = "出头"  # "十个出头", "一万单出头"
        if suf in _SOME:
            value, approximate = low + _half_unit(low), True
        elif suf == "出头":
            value, approximate = _round(low * Decimal("1.1")), True
        elif pre in _BELOW or suf in _BELOW:
            value, approximate, below = _round(low * Decimal("0.8")), True, True
        elif pre in _NEAR:
            value, approximate = _round(low * Decimal("0.9")), True
        elif pre or suf:
            approximate = True
        found.append(_Amount(value, start, digits, end, approximate=approximate or vague,
                             vague=vague, below=below, bound=low))
    return found


_EN_SMALL = {word: index for index, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"))}
_EN_TENS = {word: 10 * (index + 2) for index, word in enumerate((
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"))}
_EN_WORD = (rf"(?:{'|'.join([*_EN_TENS, *_EN_SMALL])})(?:-(?:{'|'.join(_EN_SMALL)}))?")
_EN_NUMBER = re.compile(
    rf"\b(?:a |one )?(?:{_EN_WORD}\s+)?(?:hundred|thousand)\b(?:\s+(?:and\s+)?{_EN_WORD}\b)?"
    rf"|\b{_EN_WORD}\b|\b(?:a\s+)?dozen\b|\b(?:a\s+)?(?:few|couple(?:\s+of)?)\s+"
    r"(?:hundred|thousand)\b")


def _english_number(match: re.Match[str]) -> str:
    """"three hundred" → 300, "a dozen" → 12, "a few hundred" → 500≈ (like 几百)."""
    words = match.group().replace("-", " ").split()
    if "dozen" in words:
        return "12"
    scale = 1000 if "thousand" in words else 100 if "hundred" in words else 1
    if "few" in words or "couple" in words:
        return f"{(5 if 'few' in words else 2) * scale}{VAGUE}"
    total, current = 0, 0
    for word in words:
        if word in _EN_SMALL:
            current += _EN_SMALL[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word in ("hundred", "thousand"):
            total += (current or 1) * (100 if word == "hundred" else 1000)
            current = 0
    return str(total + current)


# Digits written with Chinese units or short forms ("4百", "3百5", "2千5", "两千5", "1w2", "2k3",
# "1万2千"): one run of digits, Chinese digits and units, read as one number. A run without a
# trailing digit and without 十/百 ("2k", "1.5万", "1-2万") is left to _AMOUNT, which knows
# ranges over a shared unit.
_MIXED_RUN = re.compile(rf"(?<![\d.a-z])[\d.{_CN}十百千万]*\d[\d.{_CN}十百千万kw]*(?![a-z])")
_RUN_TOKEN = re.compile(rf"\d+(?:\.\d+)?|[{_CN}]|[十百千万kw]")
_RUN_PLACE = {"十": 10, "百": 100, "千": 1000, "k": 1000}
_NEXT_PLACE = {"十": 1, "百": 10, "千": 100, "k": 100, "万": 1000, "w": 1000}
_SHARED_UNIT_RANGE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(-|~|～|到|至|、)\s*"
                                r"(\d+(?:\.\d+)?)\s*"
                                r"([十百千万kw])(?![\d十百千万kw])")
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, "k": 1000, "万": 10000, "w": 10000}
# Phone and hotline numbers in groups ("400-820-8820", "0755 8888 1234", "+852 9123 4567"):
# never a range or an amount.
_PHONE = re.compile(r"(?<![\d.])(?:\+\d{1,3}[\s-]?)?\d{3,4}[\s-]\d{3,4}[\s-]\d{3,4}(?!\d)"
                    r"|(?<![\d.])(?:\+\d{1,3}[\s-]?)?\d{3,4}-\d{7,8}(?!\d)"
                    r"|\+\d{1,3}[\s-]?\d{4}[\s-]?\d{4}")


def _read_run(run: str) -> Decimal | None:
    """"3百5" → 350, "1w2" → 12000, "两千5" → 2500, "1万2千" → 12000; None when the run is not
    one number (a unit before any digit, two trailing digits)."""
    total, section = Decimal(0), Decimal(0)
    number: Decimal | None = None
    last_unit = ""
    for token in _RUN_TOKEN.findall(run):
        if token in _RUN_PLACE:
            section += (number if number is not None else Decimal(1)) * _RUN_PLACE[token]
            number, last_unit = None, token
        elif token in ("万", "w"):
            total += (section + (number or 0)) * 10000
            section, number, last_unit = Decimal(0), None, token
        elif number is not None:
            return None  # "3百5 6": two numbers
        else:
            number = Decimal(_CN_VALUE[token]) if token in _CN_VALUE else Decimal(token)
    if number is not None:
        if last_unit and ("." in str(number) or number >= 10):
            return None
        number *= _NEXT_PLACE.get(last_unit, 1)  # "1k5": the digit after a unit is the next place
    return total + section + (number or 0)


def _digit_units(view: str) -> str:
    """Digits with Chinese units and short forms → plain digits ("一天4百来单" → 一天400来单)."""
    # Chinese digits before a letter unit: "两三k" → 2-3k, "五w" → 5w.
    view = re.sub(rf"(?<![{_CN}十百千万\d])([{_CN}])([{_CN}])?(?=\s*[kw](?![a-z]))",
                  lambda m: f"{_CN_VALUE[m.group(1)]}"
                            + (f"-{_CN_VALUE[m.group(2)]}" if m.group(2) else ""), view)
    view = _SHARED_UNIT_RANGE.sub(   # "3-4百", "1-2万", "2、3k": the unit is both ends'
        lambda m: f"{(Decimal(m.group(1)) * _UNIT_VALUE[m.group(4)]).normalize():f}-"
                  f"{(Decimal(m.group(3)) * _UNIT_VALUE[m.group(4)]).normalize():f}", view)

    def convert(match: re.Match[str]) -> str:
        run = match.group().strip(".")
        has_place = re.search(r"[十百]", run)
        trailing = re.search(r"[十百千万kw][\d" + _CN + r"]$", run)
        mixed = re.search(rf"[{_CN}]", run) and re.search(r"[十百千万]", run)
        units = len(re.findall(r"[十百千万kw]", run))
        if not (has_place or trailing or mixed or units):
            return match.group()
        value = _read_run(run)
        if value is None:
            return match.group()
        text = f"{value.normalize():f}"
        return text + match.group()[len(match.group().rstrip(".")):]

    return _MIXED_RUN.sub(convert, view)


@cache
def _brand_digits() -> re.Pattern[str]:
    """Brand names with digits in them (崩坏3, 3hk, windows 11, office 365): never a count."""
    named = [name for names in lexicon.brands().values() for name in names
             if re.search(r"\d", name)]
    return re.compile(_alternation(named) + r"|\b(?:windows|win|office|ps|xbox|iphone|dota|cs|"
                      r"fifa|nba\s?2k|macos|ios|android)\s*\d+(?:\s*(?:pro|plus|home|x))?\b")


def numeric_view(clause: str) -> str:
    """The clause with time words, idioms and colloquial amounts made plain for _AMOUNT."""
    view = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", clause)
    view = _PHONE.sub(lambda m: "□" * len(m.group()), view)
    view = re.sub(r"(?<![们咱他她你])俩", "2个", view)
    view = re.sub(r"(?<![们咱他她你])仨", "3个", view)
    if view.isascii():
        view = re.sub(r"\bbetween\s+(\d+(?:\.\d+)?)\s+and\s+", r"\1-", view)
        view = re.sub(r"\b(?:slightly|a bit|a little|just)\s+(?:over|above|more than)\s+"
                      r"(\d+(?:\.\d+)?\s*[kw]?)", r"\1出头", view)
        view = re.sub(r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b",
                      lambda m: "□" * len(m.group()), view)
        view = re.sub(r"\b(?:no|some|any|every)\s*one\b|\bone (?:of|person|guy|agent)\b",
                      lambda m: "□" * len(m.group()), view)
        view = _EN_NUMBER.sub(_english_number, view)
    view = re.sub(r"(?<![十双\d])一单(?!一)", "每单", view)  # "一单不超过1块": per order
    view = _MASK.sub(lambda m: "□" * len(m.group()), view)
    view = _brand_digits().sub(lambda m: "□" * len(m.group()), view)
    for pattern, replacement in _TIME_WORDS:
        view = pattern.sub(replacement, view)
    view = _LONE_ONE.sub(lambda m: "□" * len(m.group()), view)
    return arabic(_vague_words(_digit_units(view)))


# Units after an amount, and cue words before it.
_AFTER = [
    ("orders", re.compile(
        r"^\s*(?:个|多个|来个|余)?\s*(?:张|笔)?\s*(?:单|订单|笔|orders?\b|单量)")),
    ("categories", re.compile(
        r"^\s*(?:个|多个|来个|余)?\s*(?:大类|类目|品类|品项|分类|种类|类别|类|"
        r"种(?!方案|方式|计费|模式|选择|都|价|报价|收费|算法|方法|套餐|计|付费|结算|方法)|款|"
        r"categor|kinds?\b|"
        r"types?\b|product lines?)")),
    ("minutes", re.compile(r"^\s*(?:分钟|分|mins?\b|minutes?\b)")),
    ("per_day", re.compile(r"^\s*(?:(?:/|per |a )\s*(?:day\b|天|日)|daily\b)")),
    ("seconds", re.compile(r"^\s*(?:秒|s\b|secs?\b|seconds?\b)")),
    ("money", re.compile(r"^\s*(?:元|块|人民币|rmb\b|yuan\b|cny\b|¥|刀|k?元)")),
    ("ignore", re.compile(
        r"^\s*(?:年|岁|个?月|天|日|号|点|倍|折|级|人|名|位|个人|个客服|家|次|遍|个?半?小时|个钟|h\b|"
        r"(?:块|元|万)?\s*(?:的)?\s*(?:流水|营业额|营收|销售额|成交额|交易额|收入|利润|gmv|"
        r"revenue|turnover|in sales)|"
        r"hours?\b|days?\b|years?\b|months?\b|(?:cs |customer service )?(?:people|staff|"
        r"agents?\b|reps?\b|persons?\b)|面值|的(?:话费|卡|点卡)|班|轮|"
        r"话费|q币|点券|个?店铺|个?店|个?群|个?平台|个?账号|个?站|个?号|成|开头|结尾|号段|"
        r"个?班|个?轮班|班次|个?工作日|个?门市|个?门店|个?分店|间|shops?\b|stores?\b|"
        r"outlets?\b|branches\b|(?:usd|dollars?|\$|元|块)?\s*(?:each|apiece|per card|a card)|"
        r"是?(?:商品数|产品数|sku)|种(?:方案|方式|计费|模式|选择|都)|"
        r"(?:support |cs )(?:staff|agents?|people|reps?))")),
    ("count", re.compile(r"^\s*个(?!月|小时)")),
]
_BEFORE = [
    ("ignore", re.compile(r"(?:电话|手机|手机号|qq|微信|vx|wx|tel|phone|订单号|单号|#|编号|"
                          r"面值|¥|since|in|成立于|从|工资|薪水|月薪|salary|wage)\s*[:：]?\s*$"
                          r"|(?:报|报价|收|要价|offered|quoted|charged|paid)\D{0,6}$"
                          r"|(?:利润|成本|单价|售价|进价|赚|价格|均价|客单价|工资|薪水|月薪|profit|"
                          r"margin|salary|salaries|wages?)\D{0,3}$"
                          # revenue and turnover are money, never a count ("年流水50万")
                          r"|(?:流水|营业额|营收|销售额|成交额|交易额|收入|进账|毛利|库存|gmv|revenue|"
                          r"turnover|sales of|stock of|costs?|priced at|sells? for)\D{0,4}$"
                          r"|(?:招|请|雇|聘)了?\D{0,2}$|时差\D{0,2}$"
                          # a price per item: "一张卡卖50", "每份30"
                          r"|[张份件支套](?:卡|码|券)?\s*(?:卖|售|是|要|收)?\s*$|(?:标价|定价|卖价)"
                          r"\D{0,3}$")),
    ("budget", re.compile(r"(?:预算|budget|能花|花个|花费|出得起|能出|付得起|能接受|接受|承受|"
                          r"控制在|不超过|别超过|不要超过|最多|上限|价位|spend|afford|set aside|"
                          r"allocate|go up to|not more than|给外包|压到|降到|控制到|便宜到|"
                          r"for under|do it for|"
                          r"max|up to|no more than)\D{0,6}$")),
    ("orders", re.compile(r"(?:日均|每天|每日|天均|日单量|日单|单量|订单量|订单|单子|出单|daily|"
                          r"per day|a day|orders?|单\s*:)\D{0,6}$")),
    ("period", re.compile(r"(?:每月|每周|每年|每季)\D{0,6}$")),
    ("categories", re.compile(r"(?:品类|品项|类目|种类|类别|大类|分类|categories|category|类\s*:)"
                              r"\D{0,6}$")),
    ("minutes", re.compile(r"(?:响应|回复|回应|reply|respond|response)\D{0,8}$")),
]
_PERIOD_NEAR = re.compile(r"每(天|周|月|年|季)|(?:per|a|last|this|every) (day|week|month|year)|"
                          r"(annual|annually)|"
                          r"/\s*(天|周|月|年|day|week|month|year)|(daily|weekly|monthly|yearly)")
_PERIOD_KEY = {"天": "day", "周": "week", "月": "month", "年": "year", "季": "quarter",
               "annual": "year", "annually": "year",
               "daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}
_YEARISH = re.compile(r"^\s*(?:年|开始|起|以来)")
_MONEY_CONTEXT = re.compile(r"便宜|贵|钱|价格|价钱|报价|单价|费用|月费|服务费|花|预算|块|元|cheap|"
                            r"price|cost|budget|spend|pay")
# Minutes that say how long work takes, not how fast to answer ("一单处理下来要2分钟").
_DURATION_CONTEXT = re.compile(r"处理|下来|耗时|用时|花了?|一单|每单|平均.{0,4}要|takes?|spent|"
                               r"per order|each order")
# Minutes that say how fast the goods arrive or an order is processed, not how fast CS answers.
_DELIVERY_AFTER = re.compile(
    r"^\s*(?:分钟|分|mins?\b|minutes?\b|秒|s\b|secs?\b|seconds?\b)\s*(?:内|之内|以内|左右)?\s*"
    r"(?:就|能|可以|会|都|即可|基本|自动|就能|就会|全部)*\s*"
    r"(?:到账|发货|出卡|到货|充到|充好|充上|处理完|处理好|发卡|下发|出货|到手|delivered|arriv)")
_DELIVERY_BEFORE = re.compile(r"(?:到账|发货|出卡|到货|出货|充值到|发卡|自动发|退款|delivery|"
                              r"deliver|"
                              r"\bland|arriv|credited|refund)")
_RESPONSE_CUE = re.compile(r"响应|回复|回应|回消息|reply|respond|response|客服")
_NUMBER_NEGATED_BEFORE = re.compile(r"(?:不是|不用|不要|不需要|别整|别要|而不是|instead of|not|"
                                    r"don'?t need|do not need|no need for)\s*(?:到|等)?\s*"
                                    r"(?:那个|那种)?\s*$")
_DAYS_IN = {"day": Decimal(1), "week": Decimal(7), "month": Decimal(30),
                "quarter": Decimal(91), "year": Decimal(365)}
_BUDGET_PERIOD = {"year": Decimal(12), "quarter": Decimal(3)}


def _period(view: str, amount: _Amount) -> str:
    """The period an amount is counted over, from the words around it ("每月 12000 单")."""
    wide = view[max(0, amount.start - 2):amount.end + 2].isascii()
    window = view[max(0, amount.start - (24 if wide else 12)):amount.end + (24 if wide else 8)]
    offset = max(0, amount.start - (24 if wide else 12))
    where = amount.start - offset
    matches = list(_PERIOD_NEAR.finditer(window))
    if not matches:
        return "day"
    # The period word nearest the amount ("上个月一百五，现在一天两百" reads 两百 per day).
    match = min(matches, key=lambda m: min(abs(m.start() - where), abs(m.end() - where)))
    word = next(group for group in match.groups() if group)
    return _PERIOD_KEY.get(word, word)


def clause_of(view: str, amount: _Amount) -> str:
    """The words around an amount (for the context checks)."""
    return view[max(0, amount.start - 12):amount.end + 12]


def response_for_minutes(minutes: Decimal) -> str:
    """How fast a merchant asks to be answered → the three levels (≤ 5, ≤ 10, else 30 min)."""
    if minutes <= 5:
        return "emergency"
    if minutes <= 10:
        return "fast"
    return "standard"


@dataclass(slots=True)
class _Bound:
    slot: str
    value: Decimal | str
    vague: bool
    clause: int
    peak: bool = False
    strong: bool = True  # bound by its own unit ("300单"), not by a cue nearby


@dataclass(slots=True)
class _Context:
    """What the whole message is about, for words that need it."""

    step: str | None
    known: Mapping[str, Any]
    correction: bool
    money: bool  # the message talks about money (便宜, 价, 预算…)
    system: bool  # it names a CS system
    asks: bool = False  # it asks a question too
    rejected: list[Decimal] = field(default_factory=list)  # "500 not 50": the 50


_REFUSAL = re.compile(r"^(?:但|但是|不过|可)?(?:我们|我|咱们|we)?\s*(?:不卖|不做|没卖|没有卖|不碰|"
                      r"don't sell|do not sell|dont sell)(?:的|这个|这些|那个|那些|it|them)?$")
# Words that say a clause is about what the shop sells (outside the kinds question).
_SELLING = re.compile(r"我们家|我家|咱家|本店|我们店|卖|做|经营|主营|主要|为主|主打|出售|销售|"
                      r"都有|大部分|大多|都是|居多|占多|只留|留了|只剩|mostly|majority|"
                      r"代理|业务|商品|产品|货|只有|还有|品类|类目|sell|selling|sold|deal|mostly|"
                      r"mainly|only|we do|offer|products?|stock|also")


def _only_goods(clause: str, goods: list[_Mention]) -> bool:
    """A clause that is little more than the goods' names ("steam卡、话费、激活码")."""
    rest, start = [], 0
    for mention in goods:
        rest.append(clause[start:mention.start])
        start = max(start, mention.end)
    rest.append(clause[start:])
    left = re.sub(r"[\W\d_]|和|跟|与|及|还有|and|or|同|以及|的|cards?|keys?|codes?|卡",
                  "", "".join(rest))
    return len(left) <= 4


# A clause that takes back what the message said before it: after it, the later value of a
# slot wins ("五百单，不对，准确说六百", "要5分钟……算了，10分钟也行", "先按单吧，不，还是包月").
_TURN = re.compile(
    r"^(?:所以|那|那就|嗯|哦|噢|喔|呃|额)?\s*(?:不对|不是|不行|不不|[哦噢喔呃额啊]\s*不|不$|no$|nope$|nah\b|其实|准确(?:地|点|的)?(?:说|讲|来说)|确切(?:地)?说|"
    r"应该是|其实是|算了|还是|改成|改为|更正|说错了?|写错了?|打错了?|等等|等下|等一下|"
    r"no wait|wait|actually|i mean|or rather|make it|correction|scratch that|sorry)")
# A clause that only refuses ("……算了", "还是不要了"): it takes back the choices just before it.
_BARE_REFUSAL = re.compile(
    r"^(?:但是?|不过|可是?|哦|噢|呃|额|嗯)?\s*(?:我们|我)?\s*(?:想了想|想想)?\s*(?:还是)?\s*"
    r"(?:(?:还是)?(?:算了|不要了|不用了|免了|拉倒|不考虑了|不需要了|先不要了?|先不用了?|"
    r"暂时不用了?|暂时不要了?|先不弄了?|先不搞了?|不弄了|不搞了|不加了|不上了|pass|nah|"
    r"forget it|never mind|nevermind)(?:吧|了|啦|哈|哈哈|呢|啊|!|~|\s)*)+$")


# Before a refusal, words that make it about something else or a condition ("其他的先不考虑",
# "你们那个就不用了", "不能就算了"), and refusals strong enough to stand after someone's word
# ("我们老板说先不考虑"; not "客户等不了").
_NOT_A_BARE_REFUSAL = re.compile(r"其他|其它|别的|其余|剩下|other|\d|你们|你|您|your|不能|不行|"
                                 r"不然|否则|要不|if not|otherwise|^没有?$|^[不没]\S{0,3}$")
_STRONG_REFUSAL = re.compile(r"考虑|打算|算了|免了|观望|不上|不弄|不搞|不加|不要|不用|不需要|"
                             r"别|信|"
                             r"pass|"
                             r"\bnot\b")
# Now as well as before: "现在也卖话费了".
_STILL = re.compile(r"也(?:卖|做|有|在卖|在做)|还(?:在)?(?:卖|做)|\balso\b|\bstill\b")
_SUBJECT_ONLY = re.compile(r"(?:但是?|不过|可是?|哦|噢|呃|额|嗯|那|那就|我们|我|咱们|想了想|想想|"
                           r"所以|还是|这个|这块|那个|就是|现在|目前|还|暂时|but|we|so)*\s*")
# Values that already say no: a bare refusal after them does not turn them around.
_SAYS_NO = {("ai", "no"), ("tooling", "none"), ("multi_level", False), ("cross_border", False),
            ("volume", "steady"), ("response", "standard")}


# Values where a wrong "yes" costs the merchant: read with a hedge, they are asked back.
_SAYS_YES = {("ai", "yes"), ("tooling", "bundle"), ("tooling", "own"), ("multi_level", True),
             ("cross_border", True)}


# Undecided: "AI啊……我再想想" says nothing of AI yet.
_UNDECIDED = re.compile(
    r"^(?:我们|我|那|嗯|额|呃)?\s*(?:再想想|想想|考虑考虑|考虑一下|再考虑|再说|回头再说|还没想好|没想好|"
    r"不确定|再看看|看看再说|待定|let me think|not sure yet|will think|i'?ll think)")
_EITHER = re.compile(r"都行|都可以|都ok|都没问题|都能接受|随便|无所谓|either|whichever|都无所谓")
_UNDECIDED_END = re.compile(r"(?:以后|之后|回头|改天)?(?:再说|再看看?|再议|待定|还没想好|没想好)"
                            r"(?:吧|了|啦|哈|呢|啊|!|~|\s)*$")
_ALL_IN_ONE_PLACE = re.compile(r"都在|全在|全部在|都是在|\ball in\b|\ball from\b|"
                               r"\ball (?:are )?local")
_FUTURE = re.compile(r"下个?月|明年|将来|later\b|next (?:month|year)|in the future|"
                     r"以后.{0,4}(?:可能|也许|或许|再|才)|(?:可能|也许|或许).{0,4}以后|才上|才开始")
_OTHERS = r"\s*(?:其他|其它|别的|剩下|其余|都|全|everything|all)"
_EXCEPT = re.compile(rf"(?:除了|除开)(?P<x>.+?)(?:以外|之外|外)?(?P<rest>(?={_OTHERS}))?"
                     rf"(?:$|(?={_OTHERS}))"
                     rf"|^(?P<x2>.+?)(?:以外|之外)(?P<rest2>(?={_OTHERS}))")
_ALL_OTHERS = re.compile(_OTHERS)


_JUST_ONE = re.compile(r"^(?:就|只有|只|只卖|大概|目前)?\s*一\s*(?:个|种|类|样|款)"
                       r"(?:吧|啊|而已|哈)?$")
_BARE_LEFTOVER = re.compile(r"[\s□,.~!]|吧|啊|呀|哈|呗|了|的|左右|上下|差不多|大概|大约|约|就|"
                            r"只有|只|"
                            r"个|种|类|单|块|元|样子|而已|about|around|roughly|maybe|approx")


def _bare_number(view: str, amount: _Amount) -> bool:
    """A clause that is only an amount ("三百", "一百出头", "800", "三个吧")."""
    rest = view[:amount.start] + view[amount.end:]
    return not _BARE_LEFTOVER.sub("", rest)


def _turns(clauses: list[_Clause]) -> list[int]:
    """Indices of the clauses that take back what came before (a cue or a hesitation)."""
    return [index for index, clause in enumerate(clauses)
            if index and (clause.pause or _TURN.match(clause.text))]


def _after_turn(places: list[int], turns: list[int]) -> int | None:
    """The last turn with something said of the slot before and after it, if any."""
    for turn in reversed(turns):
        if any(place < turn for place in places) and any(place >= turn for place in places):
            return turn
    return None


# --- the reader -----------------------------------------------------------------------

_YES = frozenset({"要", "需要", "是", "是的", "好", "好的", "对", "嗯", "有", "有的", "可以", "行",
                  "要的", "需要的", "上", "用", "yes", "yep", "yeah", "y", "sure", "ok", "okay",
                  "need", "we do", "of course", "要啊", "当然", "上吧", "用吧"})
_NO = frozenset({"不要", "不用", "不需要", "否", "没有", "无", "没", "不", "no", "nope", "n",
                 "none", "不是", "免了", "算了", "都没有", "都不", "都没", "没有的", "不用了",
                 "不要了", "都不是", "两个都没有", "两种都没有", "两样都没有", "neither", "nah",
                 "no need", "we don't", "we dont", "not really", "暂时不用", "不考虑", "不上",
                 "没有没有", "都不涉及", "不涉及", "none of them", "neither of them"})


class Reader:
    """Reads merchant messages. Build once (compiles the lexicon); `read` is pure."""

    def __init__(self, labels: Mapping[str, Mapping[str, object]] | None = None) -> None:
        self.vocabulary = _Vocabulary()
        sound_words: dict[str, str] = {}
        for slot, values in lexicon.WORDS.items():
            for words in values.values():
                sound_words.update((word, slot) for word in words)
        sound_words.update(lexicon.SOUND_CUES)
        self.sounds = SoundIndex(sound_words, keep=lexicon.SOUND_ALIKE_WORDS,
                                 function_chars=lexicon.FUNCTION_CHARS)
        # Button labels in every language, as whole-message replies ("快速响应（10分钟内）").
        self.labels = {slot: dict(words) for slot, words in (labels or {}).items()}

    def read(self, text: str, *, step: str | None = None,
             known: Mapping[str, Any] | None = None) -> Reading:
        known = known or {}
        folded = fold(text)
        for written, meant in lexicon.DIALECT:
            folded = folded.replace(written, meant)
        folded = _TYPOS.sub(lambda match: _TYPO_FIX[match.group().strip()], folded)
        if not folded:
            return Reading()
        folded, heard = self._by_sound(folded, step)
        if step == "DISCOUNT":
            return self._discount(folded)
        clauses = _clauses(folded)
        if step in ("QUOTE", "SUMMARY"):
            clauses = [_Clause(c.text, False, c.condition)
                       if c.question and _WHAT_IF.search(c.text) else c for c in clauses]
        questions = tuple(c.text for c in clauses if c.question)
        kept = self._statements(clauses)
        statements = [c.text for c in kept]
        # "按单收的话一单多少钱", "我们给外包的话三千出头": a choice named as a condition is
        # not made; a number there still describes the shop ("一天三百单的话，按单算多少").
        kept_choices = self._statements([c for c in clauses if not c.condition])
        choices = [c.text for c in kept_choices]
        correction = any(self.vocabulary.correction.search(c) for c in statements)
        context = _Context(step, known, correction,
                           money=bool(_MONEY_CONTEXT.search(folded)) or step == "BUDGET",
                           system=bool(self.vocabulary.system_topic.search(folded))
                           or step == "TOOLING", asks=bool(questions))
        facts: dict[str, Any] = {}
        unsure: set[str] = set()
        revised: dict[str, Any] = {}
        doubts: set[str] = set()
        self._choices(choices, context, facts, turns=_turns(kept_choices), revised=revised,
                      doubts=doubts)
        self._numbers(statements, context, facts, unsure, turns=_turns(kept), revised=revised)
        if step is not None and not questions and not self._step_answered(step, facts):
            # A short reply to the step, alone or beside other facts ("都没有 就国内散客").
            replies = [c.text for c in clauses]
            for reply in ([replies] if not facts else []) + [[one] for one in replies]:
                self._bare_reply(reply, step, facts, unsure)
                if self._step_answered(step, facts):
                    break
        revised = {slot: value for slot, value in revised.items()
                   if slot in facts and facts[slot] != value}
        unsure |= heard  # a word read by its sound only, not certain: asked back
        # A yes to AI, a system or a flag said with a hedge or a stray negation is asked back.
        unsure |= {slot for slot in doubts if (slot, facts.get(slot)) in _SAYS_YES}
        return Reading(facts, frozenset(unsure & facts.keys()), questions,
                       correction or bool(revised), revised)

    def _by_sound(self, folded: str, step: str | None) -> tuple[str, set[str]]:
        """Typos by sound mended (话废 → 话费); the slots of the uncertain ones."""
        if folded.isascii():
            return folded, set()
        words = list(self.vocabulary.words.finditer(folded))
        exact = [match.span() for match in words]
        exact += [match.span() for match in self.vocabulary.cues.finditer(folded)]
        mends = self.sounds.mends(folded, exact)
        if not mends:
            return folded, set()
        exact_slots = {slot for match in words
                       for slot, _ in self.vocabulary.meaning.get(
                           self.vocabulary._base(match.group()), ())}
        asked = set(STEP_SLOTS.get(step or "", ()))
        uncertain: set[str] = set()
        pieces, start = [], 0
        for mend in mends:
            end = mend.start + len(mend.word)
            numbered = re.search(r"\d|[一二两三四五六七八九十百千万]", folded[end:end + 8])
            if mend.real_word and (numbered or not (mend.slot in asked
                                                    or mend.slot in exact_slots)):
                continue  # "每月花费3000" spends money; "主要卖花费" sells top-ups
            pieces += [folded[start:mend.start], mend.word]
            start = end
            certain = not mend.real_word and (
                len(mend.word) >= 3 or mend.slot in asked or mend.slot in exact_slots
                or (mend.slot in ("budget", "categories", "orders") and numbered))
            if not certain:
                uncertain.add(mend.slot)
        pieces.append(folded[start:])
        return "".join(pieces), uncertain

    def _statements(self, clauses: list[_Clause]) -> list[_Clause]:
        """Clauses that state something about the shop now: not questions, and not what a
        former provider did ("以前外包一个月3000，太贵了") until the merchant comes back to now."""
        kept: list[_Clause] = []
        past = False
        asks = any(clause.question for clause in clauses)
        before_now: list[_Clause] = []  # the clauses about the past just before this one
        for clause in clauses:
            if asks and re.match(r"如果|假如|假设|要是|if\b", clause.text):
                continue  # "如果用你们的系统，每月要另外付多少？" states nothing
            if past and (_REQUEST.search(clause.text) or re.search(r"改成|换成|改为|换到",
                                                                   clause.text)):
                past, before_now = False, []  # "之前那家一个月才1800 能不能改成兼职"
            if self.vocabulary.present.search(clause.text):
                if past and before_now and not clause.question and (
                        self._bare_refusal(clause.text) or _STILL.search(clause.text)):
                    # "多级分销之前搞过，现在不搞了": the refusal is of what was done before;
                    # "以前只卖点卡，现在也卖话费了": what was sold before still is.
                    kept.append(next((c for c in reversed(before_now)
                                      if self.vocabulary.words.search(c.text)), before_now[-1]))
                past = False
                before_now = []
            if self.vocabulary.past.search(clause.text):
                past = True
            if past and not clause.question:
                before_now.append(clause)
            if not clause.question and not past:
                kept.append(clause)
        return kept

    # --- choices ----------------------------------------------------------------------

    def _choices(self, statements: list[str], context: _Context, facts: dict[str, Any], *,
                 turns: list[int], revised: dict[str, Any], doubts: set[str]) -> None:
        said: dict[str, list[tuple[object, bool, bool]]] = {}  # value, negated, wanted
        where: dict[str, list[int]] = {}  # the clause of each of said's mentions
        additives: list[int] = []
        additive = False
        previous_topic: str | None = None
        # "customers from MY, SG and Indo": the customers named anywhere in the message.
        customers = bool(self.vocabulary.customer_topic.search(" ".join(statements)))
        found = [(clause, self.vocabulary.mentions(
            clause, system_topic=context.system, volume_topic=context.step == "VOLUME",
            flags_step=context.step == "FLAGS", alone_ok=context.step == "BILLING",
            customer_topic=customers))
            for clause in statements]
        # "不是话费，是流量包": a value denied in one word and said in another is said.
        denied_words = {(m.slot, m.value, m.word) for _, ms in found for m in ms if m.negated}
        selling = any(_SELLING.search(clause) for clause in statements)
        # "客户里有人问游戏点卡，但我们不卖": a bare refusal takes back the goods before it.
        for index in range(1, len(found)):
            text = found[index][0]
            # The nearest clause before this one that names something.
            back = next((i for i in range(index - 1, max(-1, index - 4), -1) if found[i][1]),
                        None)
            if _REFUSAL.match(text):
                clause, mentions = found[index - 1]
                found[index - 1] = (clause, [replace(m, negated=True) if m.slot == "kinds"
                                             else m for m in mentions])
            elif back is not None and not found[index][1] and (
                    refusal := self._bare_refusal(text)):
                # "要AI……算了", "AI这东西吧 客户会骂 我们就不打算用了": a refusal alone takes
                # back the choices before it (not a "no" already said: "纯人工，不用"); "现在没有"
                # only what one has (resellers, foreign customers, goods), not "用你们的系统吧，
                # 我们没有".
                clause, mentions = found[back]
                found[back] = (clause, [replace(m, negated=True)
                                        if (m.slot, m.value) not in _SAYS_NO and (
                                            refusal == "refuse"
                                            or m.slot in ("multi_level", "cross_border",
                                                          "kinds"))
                                        else m for m in mentions])
            elif back is not None and not found[index][1] and _UNDECIDED.match(text):
                found[back] = (found[back][0], [])  # "AI啊……我再想想": nothing decided
        for index, (clause, mentions) in enumerate(found):
            if _UNDECIDED_END.search(clause):
                found[index] = (clause, [])  # "AI的事以后再说": nothing decided yet
                continue
            if _ALL_IN_ONE_PLACE.search(clause):
                # "客人都在台灣", "buyers all in Malaysia": all customers in one place are local.
                found[index] = (clause, [replace(m, negated=True)
                                         if m.slot == "cross_border" and m.value is True
                                         and m.word in lexicon.HOME_PLACES else m
                                         for m in mentions])
                mentions = found[index][1]
            # "代理以后可能有", "maybe AI later", "会员下个月才上": not what the shop does now.
            if _FUTURE.search(clause) and not re.search(r"现在|目前|\bnow\b|currently", clause):
                found[index] = (clause, [replace(m, negated=True)
                                         if (m.slot, m.value) in _SAYS_YES or m.slot == "kinds"
                                         else m for m in mentions])
            # "除了NFT都卖", "除了激活码，其他三样都在卖": the exception is not sold.
            exception = _EXCEPT.search(clause)
            named = "x" if exception and exception.group("x") is not None else "x2"
            rest = exception and (exception.group("rest") if named == "x"
                                  else exception.group("rest2"))
            others = (clause[exception.end():] if exception and rest is not None
                      else found[index + 1][0] if exception and index + 1 < len(found)
                      and _ALL_OTHERS.match(found[index + 1][0]) else None)
            # "除了话费，别的都不卖": the others are refused, the exception is what is sold.
            if (exception and others is not None and not re.search(r"不|没|no\b|not\b", others)
                    and re.search(r"卖|做|有|经营|上架|sell|offer|carry|[都全]$", others)):
                found[index] = (clause, [replace(m, negated=True)
                                         if exception.start(named) <= m.start
                                         < exception.end(named)
                                         else m for m in found[index][1]])
        for index, (clause, mentions) in enumerate(found):
            goods = [m for m in mentions if m.slot == "kinds"]
            delivery = bool(_DELIVERY_BEFORE.search(clause))
            if context.step != "KINDS" and delivery and not context.correction:
                # "会员都是1分钟内自动到账的": goods in a clause about delivery are not a
                # statement of what is sold.
                mentions = [m for m in mentions
                            if m.slot != "kinds" or _only_goods(clause, goods)]
            if context.step != "KINDS" and not selling and not context.correction:
                # "点卡这行慢一分钟客户就跑了": goods named in passing are not what the shop sells.
                # A full product name (游戏充值, game credit) still says what is sold, but not
                # in a clause about delivery ("话费充值一般30秒到账").
                mentions = [m for m in mentions if m.slot != "kinds" or _only_goods(clause, goods)
                            or ((len(m.word) >= 4 if not m.word.isascii()
                                 else len(m.word) >= 8 and " " in m.word) and not delivery)
                            # "一天两百单steam": a count of the goods says they are sold
                            or re.search(r"[\d十百千万两]\s*(?:单|笔|张)\s*的?\s*$",
                                         clause[:m.start])]
            if any(m.word in lexicon.REPLY_WORDS for m in mentions) and re.search(
                    r"\d\s*(?:分|秒|min)|秒回|分钟", numeric_view(clause)):
                # "10分鐘內要回覆客人": replying is the response time here, not the scope.
                mentions = [m for m in mentions
                            if not (m.slot == "scope" and m.word in lexicon.REPLY_WORDS)]
            if _DELIVERY_BEFORE.search(clause) and not _RESPONSE_CUE.search(clause):
                # "我们承诺发货24小时内": how fast goods arrive, not how fast CS answers.
                mentions = [m for m in mentions if m.slot != "response"]
            if any(m.word in lexicon.gift_platforms() for m in mentions) and any(
                    m.value == "game_cards" and not m.negated for _, ms in found for m in ms):
                # "App Store充值卡，基本都是拿去充游戏的": an app store's cards bought for games.
                mentions = [m for m in mentions if m.word not in lexicon.gift_platforms()]
            for slot in {m.slot for m in mentions} - {"kinds", "multi_level", "cross_border"}:
                offered = {m.value for m in mentions if m.slot == slot and not m.negated
                           and m.value != "_system"}
                if len(offered) >= 2 and (context.asks or _EITHER.search(clause)):
                    # "外包兼职都行", "外包 兼职 全职 有啥区别": no choice among them.
                    mentions = [m for m in mentions if m.slot != slot]
                    if slot in lexicon.RECOMMEND_VALUE and not context.asks:
                        mentions.append(_Mention(slot, lexicon.RECOMMEND_VALUE[slot], 0, 0, ""))
            for mention in mentions:
                wanted = (bool(self.vocabulary.want.search(clause[:mention.start]))
                          or bool(self.vocabulary.taken.match(clause[mention.end:]))
                          or (not mention.negated
                              and (mention.slot, mention.value, mention.word) not in denied_words
                              and any(s == mention.slot and v == mention.value
                                      for s, v, _ in denied_words)))
                said.setdefault(mention.slot, []).append((mention.value, mention.negated, wanted))
                plain = self.vocabulary.not_negators.sub(" ", clause)
                if (mention.slot, mention.value) in _SAYS_YES and not mention.negated and (
                        self.vocabulary.hedges.search(clause)
                        or re.search(r"不|没|别|no\b|not\b", plain)):
                    doubts.add(mention.slot)
            if re.search(r"还有|还卖|也卖|也做|另外|加上|以及|also|too|as well", clause):
                additive = True
                additives.append(index)
            previous_topic = self._recommend(clause, previous_topic, context.step, said)
            for slot, values in said.items():
                places = where.setdefault(slot, [])
                if len(places) > len(values):  # "你看着办" replaced what was said
                    places[:] = [index] * len(values)
                places += [index] * (len(values) - len(places))
        for slot in SLOTS:
            mentions_of_slot = said.get(slot, [])
            turn = _after_turn(where.get(slot, []), turns)
            if turn is not None and slot == "kinds" and not any(
                    not negated for (_, negated, _), place in zip(
                        mentions_of_slot, where[slot], strict=True) if place >= turn):
                turn = None  # "点卡话费，还有激活码，不对激活码不卖了": only one taken back
            if turn is not None and not (slot == "kinds" and any(a >= turn for a in additives)):
                # "先按单吧，不，还是包月": what follows the turn wins; what it took back is
                # kept for the echo (已更正).
                earlier = [m for m, place in zip(mentions_of_slot, where[slot], strict=True)
                           if place < turn]
                mentions_of_slot = [m for m, place in zip(mentions_of_slot, where[slot],
                                                          strict=True) if place >= turn]
                if slot != "kinds":
                    before = self._settle(slot, earlier, context.correction)
                    if before is not None:
                        revised[slot] = before
                elif any(not negated for _, negated, _ in mentions_of_slot):
                    additive = False
                    context = replace(context, correction=True)
            if slot == "kinds":
                self._kinds(mentions_of_slot, context, additive, facts)
                continue
            if slot == "tooling":
                mentions_of_slot = [(value, negated, wanted)
                                    for value, negated, wanted in mentions_of_slot
                                    if value != "_system" or negated]
            if context.asks and len({value for value, negated, wanted in mentions_of_slot
                                     if not negated and not wanted
                                     and value != "_system"}) >= 2 and not any(
                    wanted for _, _, wanted in mentions_of_slot):
                continue  # "外包 兼职 全职 有啥区别": a question about them, no choice
            value = self._settle(slot, mentions_of_slot, context.correction)
            if value is not None:
                facts[slot] = value

    def _bare_refusal(self, text: str) -> str:
        """A clause that only refuses ("算了", "我们就不打算用了", "not now") → "refuse"; one
        that only says there is none ("现在没有") → "lack"; else ""."""
        if _BARE_REFUSAL.match(text) or re.fullmatch(
                rf"{_SUBJECT_ONLY.pattern}(?:不要|不用|不需要|no|not now)(?:{_PARTICLES})*", text):
            return "refuse"
        if re.fullmatch(rf"{_SUBJECT_ONLY.pattern}(?:没有|没|无|none)(?:{_PARTICLES})*", text):
            return "lack"
        refusal = self.vocabulary.refusal_end.search(text)
        if refusal is None:
            return ""
        said = text[:refusal.start()]
        # "我们老板说先不考虑": someone's word before the refusal; not "其他的先不考虑".
        return "refuse" if _SUBJECT_ONLY.fullmatch(said) or (
            len(said) <= 12 and not _NOT_A_BARE_REFUSAL.search(said)
            and _STRONG_REFUSAL.search(refusal.group())) else ""

    def _recommend(self, clause: str, previous_topic: str | None, step: str | None,
                   said: dict[str, list[tuple[object, bool, bool]]]) -> str | None:
        """"你看着办" names the recommend option of the topic in this clause (or the one just
        before it), else the step's. Returns this clause's topic for the next clause."""
        topic = next((slot for slot in lexicon.RECOMMEND_VALUE
                      if self.vocabulary.topics[slot].search(clause)), None)
        if not self.vocabulary.recommend.search(clause) or re.search(r"可以试|试(?:下|试|一下)",
                                                                      clause):
            return topic  # "AI都可以試下" is a yes to trying, not "you decide"
        slot = topic or previous_topic or STEP_SLOT.get(step or "")
        if slot in lexicon.RECOMMEND_VALUE:
            said[slot] = [(lexicon.RECOMMEND_VALUE[slot], False, True)]
        return topic

    @staticmethod
    def _settle(slot: str, mentions: list[tuple[object, bool, bool]],
                correction: bool) -> object:
        """One value from a slot's mentions: what was said for it, against what was denied."""
        if not mentions:
            return None
        if slot in ("multi_level", "cross_border"):
            value, negated, _ = mentions[-1]
            return (not value) if negated else value
        denied = {value for value, negated, _ in mentions if negated}
        positive = [value for value, negated, wanted in mentions
                    if not negated and (value not in denied or wanted)]
        turned = [lexicon.NEGATED[(slot, value)] for value, negated, _ in mentions
                  if negated and (slot, value) in lexicon.NEGATED]
        if slot == "ai" and "no" in positive:
            # "纯人工，机器人客户会骂": a bare mention of bots is not a wish for them.
            positive = [value for value, negated, wanted in mentions
                        if not negated and (value != "yes" or wanted)] or positive
        values = positive or turned
        if not values:
            return None
        distinct = list(dict.fromkeys(values))
        if len(distinct) == 1 or correction:
            return distinct[-1]
        if slot == "billing":
            return "compare"
        if slot == "ai" and "auto" in distinct:
            return "auto"  # "能省钱就上AI": the condition decides
        if slot == "scope":
            real = [value for value in distinct if value in SCOPE_ORDER]
            return max(real, key=lambda value: SCOPE_ORDER.index(str(value)))
        if slot == "response":
            return max(distinct, key=lambda value: RESPONSE_ORDER.index(str(value)))
        return distinct[-1]

    @staticmethod
    def _kinds(mentions: list[tuple[object, bool, bool]], context: _Context, additive: bool,
               facts: dict[str, Any]) -> None:
        if not mentions:
            return
        denied = {value for value, negated, _ in mentions if negated}
        positive = {value for value, negated, wanted in mentions
                    if not negated and (value not in denied or wanted)}
        before = set(context.known.get("kinds", ()))
        replace_all = (context.correction or context.step == "KINDS") and not additive
        chosen = set(positive) if replace_all and positive else before | positive
        chosen -= denied - positive
        if chosen != before or positive:
            kinds = [kind for kind in KIND_ORDER if kind in chosen]
            if kinds:
                facts["kinds"] = kinds

    # --- numbers ----------------------------------------------------------------------

    def _numbers(self, statements: list[str], context: _Context, facts: dict[str, Any],
                 unsure: set[str], *, turns: list[int], revised: dict[str, Any]) -> None:
        bound: list[_Bound] = []
        loose: list[tuple[_Amount, int, str]] = []
        topics: list[str | None] = []
        for index, clause in enumerate(statements):
            view = numeric_view(clause)
            peak = (bool(self.vocabulary.peak.search(clause))
                    and not self.vocabulary.usual.search(clause))
            topics.append(next((slot for slot in ("categories", "budget", "orders", "response")
                                if self.vocabulary.topics[slot].search(clause)), None))
            amounts = _amounts(view)
            if not amounts and context.step == "CATEGORIES" and _JUST_ONE.match(clause):
                amounts = [_Amount(Decimal(1), 0, 0, len(view))]  # "就一个，只卖Q币"
            for amount in amounts:
                slot, value = self._bind(view, amount, clause, context)
                if slot == "ignore":
                    continue
                if slot is None:
                    loose.append((amount, index, view))
                    continue
                unit = any(pattern.search(view[amount.end:amount.end + 14])
                           for name, pattern in _AFTER if name not in ("ignore", "count"))
                bound.append(_Bound(slot, value, amount.vague, index, peak, strong=unit))
        self._bind_loose(loose, topics, bound, context, facts, turns, statements)
        by_slot: dict[str, list[_Bound]] = {}
        for item in bound:
            by_slot.setdefault(item.slot, []).append(item)
        for slot, items in by_slot.items():
            usual = [item for item in items if not item.peak]
            if slot == "orders" and not usual:
                continue  # only a peak figure ("大促一天两千单"): not the daily average
            chosen = usual or items
            corrected = context.correction
            turn = _after_turn([item.clause for item in chosen], turns)
            if turn is not None:
                # "五百单……不对，六百": the value after the turn wins; the echo says 已更正.
                earlier = [item for item in chosen if item.clause < turn]
                chosen = [item for item in chosen if item.clause >= turn]
                corrected = True
                first = earlier[-1].value
                revised[slot] = (int(first) if isinstance(first, Decimal)
                                 and first == int(first) else first)
            if not corrected:
                chosen = [item for item in chosen if item.strong] or chosen
            if slot == "response":
                levels = [str(item.value) for item in chosen]
                if "response" in facts and not corrected:
                    levels.append(str(facts["response"]))
                facts["response"] = (levels[-1] if corrected else
                                     max(levels, key=RESPONSE_ORDER.index))
                continue
            if slot == "orders" and not corrected and self._per_kind(chosen, statements):
                # "一天两百单steam，一百单话费": counts per kind of goods add up.
                total = sum((Decimal(item.value) for item in chosen), Decimal(0))
                chosen = [replace(chosen[0], value=total)]
            if any(not item.vague for item in chosen):
                chosen = [item for item in chosen if not item.vague]
            pick = chosen[-1] if corrected or slot != "orders" else chosen[0]
            value = pick.value
            facts[slot] = int(value) if isinstance(value, Decimal) and value == int(value) \
                else value
            if pick.vague:
                unsure.add(slot)

    def _per_kind(self, items: list[_Bound], statements: list[str]) -> bool:
        """Order counts in different clauses, each naming a different kind of goods."""
        if len(items) < 2 or len({item.clause for item in items}) != len(items):
            return False
        kinds = []
        for item in items:
            named = {m.value for m in self.vocabulary.mentions(statements[item.clause])
                     if m.slot == "kinds" and not m.negated}
            if len(named) != 1:
                return False
            kinds.append(next(iter(named)))
        return len(set(kinds)) == len(kinds)

    def _bind_loose(self, loose: list[tuple[_Amount, int, str]], topics: list[str | None],
                    bound: list[_Bound], context: _Context, facts: dict[str, Any],
                    turns: list[int], statements_of: list[str]) -> None:
        """A number alone in its clause belongs to the topic named there or just before it
        ("品类不多，七八个"), to the answer it corrects ("500 not 50"), or to the step being
        asked ("300")."""
        for amount, index, view in loose:
            topic = topics[index] or (topics[index - 1] if index else None)
            # After a turn ("五百单，不对，准确说六百") a bare number corrects the one before;
            # an exact number corrects a vague one ("一天就几十单，三四十吧").
            corrects = context.correction or any(turn <= index for turn in turns)
            vague_only = topic is not None and all(b.vague for b in bound if b.slot == topic)
            slot = topic if topic and (corrects or vague_only) else None
            before = {b.slot for b in bound if b.clause == index - 1}
            if (slot is None and not amount.vague and len(before) == 1
                    and all(b.vague for b in bound if b.clause == index - 1)):
                slot = next(iter(before))  # "一天就几十单，三四十吧": the exact number
            if (slot is None and context.step == "ORDERS" and not amount.vague
                    and self.vocabulary.usual.search(statements_of[index])):
                slot = "orders"  # "高峰一天三千，平时一千": the usual count answers the step
            step_slot = STEP_SLOT.get(context.step or "")
            if (slot is None and step_slot in ("orders", "categories", "budget", "response")
                    and _bare_number(view, amount)
                    and not any(b.slot == step_slot for b in bound)):
                slot = step_slot  # "三百，都是话费": a bare count answers the step on screen
            if slot is None and context.rejected:
                slot = next((name for name in ("orders", "categories", "budget")
                             if context.known.get(name) is not None
                             and Decimal(str(context.known[name])) in context.rejected), None)
            if slot is None and corrects:
                earlier = [b.slot for b in bound if b.slot in ("orders", "categories", "budget",
                                                                "response")
                           and b.clause <= index]
                slot = earlier[-1] if earlier else (
                    STEP_SLOT.get(context.step or "") if not bound else None)
            if slot is None and len(loose) == 1 and not bound and not facts:
                slot = STEP_SLOT.get(context.step or "")
            if (slot is None and len(loose) == 1 and amount.below and amount.bound >= 300
                    and "budget" not in facts):
                slot = "budget"  # "外包，包月，两千以内": a ceiling is what they will pay
            if slot in ("orders", "categories", "budget"):
                bound.append(_Bound(slot, self._value(slot, amount, view=view), amount.vague,
                                    index))
            elif slot == "response":
                bound.append(_Bound("response", response_for_minutes(amount.value),
                                    amount.vague, index))

    def _bind(self, view: str, amount: _Amount, clause: str,
              context: _Context) -> tuple[str | None, Decimal | str]:
        after = view[amount.end:amount.end + 14]
        before = view[max(0, amount.digits - (18 if view.isascii() else 14)):amount.digits]
        if _NUMBER_NEGATED_BEFORE.search(view[:amount.start]) and re.match(
                r"超过|多于|大于|高于|over|more than", view[amount.start:amount.digits]):
            # "不要超过一万", "唔好超过一万": not over it is a ceiling, not a refusal.
            amount = replace(amount, below=True, bound=amount.value)
        elif _NUMBER_NEGATED_BEFORE.search(view[:amount.start]) or self._denied_after(
                view, amount):
            context.rejected.append(amount.bound)
            return "ignore", Decimal(0)  # "不是300是500单", "不用5分钟": refused
        counted = False
        for slot, pattern in _AFTER:
            if pattern.search(after):
                if slot == "count":
                    counted = True  # "七八个": a count of what the clause names, if it does
                    break
                return self._unit_slot(slot, amount, before, view, context)
        else:
            alone = view.strip() == view[amount.start:amount.end].strip()
            if amount.value >= 1_000_000 and not amount.approximate and not alone:
                return "ignore", Decimal(0)  # a phone or QQ number, an order id
            if 1990 <= amount.value <= 2035 and _YEARISH.search(after):
                return "ignore", Decimal(0)
        for slot, pattern in _BEFORE:
            if not pattern.search(before) or (counted and slot not in ("categories", "orders",
                                                                        "ignore")):
                continue
            if slot == "ignore":
                return "ignore", Decimal(0)
            if slot == "minutes":
                return "response", response_for_minutes(amount.value)
            if slot == "period":
                # "一个月两千以内": money when the message talks money, else orders.
                if context.money or amount.below:
                    return "budget", self._value("budget", amount, view=view)
                if context.step in (None, "ORDERS", "SUMMARY", "QUOTE"):
                    return "orders", self._value("orders", amount, view=view)
                return None, amount.value
            if slot == "budget" and not (context.money or amount.value >= 300):
                return None, amount.value
            return slot, self._value(slot, amount, view=view)
        return None, amount.value

    def _denied_after(self, view: str, amount: _Amount) -> bool:
        rest = view[amount.end:]
        unit = re.match(r"^\s*(?:分钟|分|min\w*|单|笔|个|的)?\s*(?:的)?", rest)
        tail = rest[unit.end():] if unit else rest
        return bool(re.match(r"^\s*(?:那种|那个)?\s*(?:太贵|太慢|没必要|不用|不要|免了|算了|"
                             r"overkill|too much|too expensive|is too)", tail))

    def _unit_slot(self, slot: str, amount: _Amount, before: str, view: str,
                   context: _Context) -> tuple[str | None, Decimal | str]:
        if slot == "ignore":
            return "ignore", Decimal(0)
        if slot == "per_day":
            return "orders", amount.value  # "250/day"
        if slot in ("minutes", "seconds"):
            around = clause_of(view, amount)
            if re.search(r"时差\D{0,3}$", before):
                return "ignore", Decimal(0)  # "时差1小时": a time difference
            if _DELIVERY_AFTER.match(view[amount.end:]) or (
                    _DELIVERY_BEFORE.search(before) and not _RESPONSE_CUE.search(
                        before[_DELIVERY_BEFORE.search(before).end():])):  # type: ignore[union-attr]
                return "ignore", Decimal(0)  # "3分钟自动到账": how fast goods arrive
            if _DURATION_CONTEXT.search(around):
                return "ignore", Decimal(0)  # "一单处理下来要2分钟" is not a response time
            if slot == "seconds":
                return "response", "emergency"
            return "response", response_for_minutes(amount.value)
        if slot == "money":
            after = view[amount.end:amount.end + 8]
            if re.search(r"^\s*(?:元|块|钱)?\s*(?:的|面值)?\s*(?:话费|卡|点卡|q币|充值|会员|券|"
                         r"一单|每单|/单|一个|一张|□)", after):
                return "ignore", Decimal(0)  # 50元话费: a denomination, 2元一单: a unit price
            if _BEFORE[0][1].search(before) or re.search(r"(?:每单|每张|单价|per order)\D{0,6}$",
                                                         before):
                return "ignore", Decimal(0)
            if (_BEFORE[1][1].search(before) or context.step == "BUDGET"
                    or (context.money and re.search(r"预算|budget", view))):
                return "budget", self._value("budget", amount, view=view)
            return "ignore", Decimal(0)  # a price paid or quoted, not what they will spend
        if slot in ("orders", "categories") and re.match(
                r"^\s*(?:个|张|笔)?\s*(?:单|订单|笔|类|品类|类目|个)?\s*(?:不到|以下|以内)",
                view[amount.end:]) and not amount.below:
            # "一天就十单不到": the bound comes after the unit.
            amount = _Amount(_round(amount.value * Decimal("0.8")), amount.start, amount.digits,
                             amount.end, approximate=True, below=True, bound=amount.value)
        return slot, self._value(slot, amount, view=view)

    @staticmethod
    def _value(slot: str, amount: _Amount, *, view: str = "") -> Decimal:
        value = amount.value
        if slot == "budget":
            if amount.below:
                value = amount.bound  # "1万以内" is a budget of 10000
            period = _period(view, amount) if view else "month"
            if period in _BUDGET_PERIOD:
                value = _round(value / _BUDGET_PERIOD[period])
            return value
        if slot == "categories" and value != value.to_integral_value() and amount.approximate:
            return _round(value)
        if slot == "orders" and view:
            period = _period(view, amount)
            if period != "day":
                value = _round(value / _DAYS_IN[period])
        return value

    @staticmethod
    def _discount(folded: str) -> Reading:
        """A discount in percent: "10", "10%", "百分之十", "十个点", "打九折" → 10."""
        view = arabic(folded.replace("百分之", ""))
        off = re.search(r"(\d+(?:\.\d+)?)\s*折", view)
        if off:
            tenths = Decimal(off.group(1))
            rate = tenths * 10 if tenths < 10 else tenths  # 九折 → 90 %, 85折 → 85 %
            return Reading({"discount": 100 - rate})
        number = re.search(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", view)
        if number is None:
            return Reading()
        try:
            value = Decimal(number.group())
        except InvalidOperation:
            return Reading()
        return Reading({"discount": int(value) if value == value.to_integral_value() else value})

    @staticmethod
    def _step_answered(step: str, facts: Mapping[str, Any]) -> bool:
        if step == "FLAGS":
            return "multi_level" in facts and "cross_border" in facts
        return STEP_SLOT.get(step) in facts

    # --- bare replies -----------------------------------------------------------------

    def _bare_reply(self, clauses: list[str], step: str, facts: dict[str, Any],
                    unsure: set[str]) -> None:
        replies = [re.sub(r"^(?:那|那就|还是|嗯|我们|我|想了想)+(?=.)", "",
                          re.sub(r"(?:吧|啊|呀|哈|的吧|哦|噢|呢|了|!|~|\s)+$", "", clause))
                   or clause for clause in clauses]
        slot = STEP_SLOT.get(step)
        labels = self.labels.get(slot or "", {})
        if slot and len(replies) == 1 and replies[0] in labels:
            value = labels[replies[0]]
            facts[slot] = [value] if slot == "kinds" else value
            return
        every = set(replies)
        if not every:
            return  # "？？": nothing was said
        no, yes = every <= _NO, every <= _YES
        if step == "FLAGS":
            if no:
                facts.setdefault("multi_level", False)
                facts.setdefault("cross_border", False)
            elif every <= {"都有", "两个都有", "都是", "both", "都涉及", "两种都有"}:
                facts.setdefault("multi_level", True)
                facts.setdefault("cross_border", True)
        elif slot == "ai":
            if yes:
                facts["ai"] = "yes"
            elif no:
                facts["ai"] = "no"
        elif slot == "tooling":
            if every <= {"有", "有的", "我们有", "自己有", "有系统", "we have one", "yes we have"}:
                facts["tooling"] = "own"
            elif every <= {"不需要", "不用", "不要", "no need", "not needed", "不需要的", "no",
                           "不用了", "没有", "没", "nothing", "none", "no system"}:
                facts["tooling"] = "none"
        elif slot == "volume":
            if every <= {"稳定", "比较稳定", "挺稳定", "很稳定", "稳", "不波动", "不会", "no"}:
                facts["volume"] = "steady"
            elif every <= {"会", "有", "波动", "会波动", "有波动", "yes"}:
                facts["volume"] = "seasonal"
        elif slot == "response" and every <= {"越快越好", "最快", "尽量快", "fastest"}:
            facts["response"] = "emergency"
            unsure.add("response")


def facts_of_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The dialogue's stored answers (flags as a list, budget as text) → slot facts."""
    facts: dict[str, Any] = {key: value for key, value in answers.items()
                             if key in SLOTS and value is not None}
    flags = answers.get("flags")
    if flags is not None:
        facts["multi_level"] = "multi_level" in flags
        facts["cross_border"] = "cross_border" in flags
    if facts.get("budget") is not None:
        try:
            facts["budget"] = int(Decimal(str(facts["budget"])))
        except (InvalidOperation, ValueError):
            facts.pop("budget")
    return facts


def answers_of_facts(facts: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Slot facts → answers for the dialogue's steps (the complexity flags folded into one
    multi-choice, keeping a flag the message did not mention)."""
    result: dict[str, Any] = {key: value for key, value in facts.items()
                              if key not in ("multi_level", "cross_border")}
    if "multi_level" in facts or "cross_border" in facts:
        earlier = set(answers.get("flags") or ())
        chosen = []
        for flag in ("multi_level", "cross_border"):
            on = facts.get(flag, flag in earlier)
            if on:
                chosen.append(flag)
        result["flags"] = chosen or ["none"]
    return result
