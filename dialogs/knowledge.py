"""Answering a merchant's question mid-dialogue from the article, without a language model.

`load_knowledge()` reads `knowledge.toml` (one table per article section: its text, extra
keywords, intent rules and a short answer per locale) and validates it. `looks_like_question`
tells a question from an answer; `KnowledgeBase.answer(folded, locale)` picks the section:

1. Intent rules: "便宜|省 + 系统" fires when every `+` group has one alternative in the text;
   each rule that fires adds `INTENT_SCORE` to its section.
2. BM25 over each section's words, in two fields: the article's text and the keywords.
   Chinese is read as character bigrams (and single characters at a lower weight), English
   as words; both sides are folded the same way, so 回應 and 回应 are one word.
3. The best section answers when its score reaches `THRESHOLD`. When one of the
   `[outside]` rules fires (contracts, invoices, the company…) and no section's intent rule
   does, the answer is `Answer(None, "")`: we don't know, and the front-end offers 转人工.
   Below the threshold, a question about price that names no topic ("客服这东西贵不贵")
   gets the `[fallback]` section (the overview's general prices); anything else, None.

Examples (text already folded by `dialogs.text.fold`):
    kb.answer("自带系统能便宜多少?", "zh_CN").section   → "tooling"
    kb.answer("今天天气怎么样", "zh_CN").section        → None
Pure after loading: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locales.i18n import SUPPORTED, resolve_locale
from pricing.tomlfile import decode, read_bytes

DEFAULT_KNOWLEDGE_PATH = Path(__file__).with_name("knowledge.toml")

# The article's sections, in its order; an evaluation corpus uses these ids.
SECTION_IDS = (
    "overview", "duties", "scope", "response", "mode", "volume", "tooling", "monthly",
    "usage", "ai", "expert", "choosing", "low_price", "kpi",
)

# Scoring. Tuned on tests/test_knowledge.py and tests/corpus/questions.jsonl together; a change
# here shows in `benchmarks/bench_questions.py`.
INTENT_SCORE = 6.0   # one fired intent rule is a strong sign of its section
TEXT_WEIGHT = 0.5    # the article's prose: many words, some of them about other topics
KEYWORD_WEIGHT = 1.0  # the curated words merchants use
UNIGRAM_WEIGHT = 0.3  # a single Chinese character says less than a pair
WORD_WEIGHT = 1.5     # an English word says more than a pair of Chinese characters
THRESHOLD = 4.0       # below this the best section is a guess: answer "don't know"
BM25_K1 = 1.2
BM25_B = 0.75


class KnowledgeError(ValueError):
    """The knowledge file is malformed; the message names the key and what is wrong."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The section that answers (None: we don't know) and its text in the asked locale."""

    section: str | None
    text: str


# --- Telling questions from answers ------------------------------------------------------

# Chinese question forms. Each is a way of asking; statements and answers ("要10分钟响应",
# "不需要", "日均300单", "按单结") contain none of them.
_ZH_QUESTION = re.compile(
    r"吗|嘛[^\w]*$|么[^\w]*$|呢|咋|啥|干嘛|为何|如何|何时"
    r"|怎么|怎样|怎么样|什么|为什么|为啥|多少|多[久大贵快长高远]|哪"
    r"|(?:要|配|得|需|算|第|是|顶|抵)几(?![十百千万\d倍])"  # 要几个人? ≠ 十几, 几百, 翻几倍
    r"|(?<![十百千万\d好有了])几个?[人位名]?[^\w]*$"  # 要加几个? ≠ 招几个兼职, 品类十几个
    r"|(?<![那这前后头近])几[点时天号岁年折成]|几个?小时"  # 几点? 打几折? ≠ 大促那几天
    r"|(?:要|得|花|收)几[百千万](?![单类个])"  # 一个月得几千? ≠ 要几百单
    r"|谁"
    r"|(?<![不没])([\u4e00-\u9fff])[不没]\1|是否|可否|能否"  # 能不能 ≠ 不对不对, 没有没有
    r"|(?<=[^\W还都也就并])[不没][^\w]*$"  # "能处理不", "下雨没" ≠ "不", "还没", "都不"
    r"|是.{1,12}还是|(?<=[^\W我们那就了])还是"  # 真人还是机器人? 几百还是几千? ≠ "我们还是要快速"
    r"|请问|想问|问一下|问下|想了解|想知道|了解一下|介绍一下|说说|讲讲|解释一下|区别"
)
# Question words used as indefinites, removed before looking for a question: 没啥淡旺季,
# 不需要什么软件, 不怎么波动, 也没多少单, 啥系统都没有, 哪个便宜用哪个, 还是加上吧.
_INDEFINITE = re.compile(
    r"[不没](?:需要|要|用|着|太|有)?(?:什么|啥|多少|怎么)"
    r"|(?:什么|啥)[^\W都]{0,5}都"
    r"|哪[个种家][^，,。]{0,8}[就用选]哪"
    r"|还是[^，,。]{0,8}吧"
)
# Asking outright: a question mark, or a word that only asks. These overrule the hedges below.
_ASKED = re.compile(r"[?？]|吗|呢|为什么|为啥|如何|请问|想问")
# Hedged answers and requests that use question words: "多少都行", "AI要不要都行",
# "我也不知道多少单", "具体多少没数过", "帮我比一下哪个划算" (the billing step's 比较 option),
# "就回答一下卡密怎么用、多久到账这些" (what the service should cover).
_HEDGE = re.compile(r"都行|都可以|都好|无所谓|随便|说不准|说不好|没数|没算过"
                    r"|(?:不知道|不清楚|不确定)(?![^，,。]*(?:怎么|如何))"  # ≠ 不知道按单怎么算
                    r"|没统计|比较一下|比较下|比一下|帮我比|觉得哪个|这些[^\w]*$|之类|等等")
# English: a question word at the start of the message or of a clause; an auxiliary ("is",
# "can") only before at least two more words ("is ai cheaper" asks; "is fine", "can do" don't).
_EN_QUESTION = re.compile(
    r"(?:^|[,.;!]\s*|\b(?:and|but|or|so)\s+)"
    r"(?:how(?! about)|what|whats|what's|why(?! not\b)|when|where|which|who|whom|whose"
    r"|tell me|explain|give me|let me know|i'd like to know|i want to know|wondering)\b"
    # an auxiliary asks only where a clause starts ("and do around 800 orders" states)
    # ("don't have any", "will use yours": statements with the subject left out)
    r"|(?:^|[,.;!]\s*)(?:can|could|do|does|did|is|are|was|were)\s+\S+\s+\S"
    r"|\bdifference between\b|\bhow (?:much|many|long|fast)\b"
)


def looks_like_question(folded: str) -> bool:
    """True when the (folded) message asks something rather than answers the step.

    >>> looks_like_question("按单计费怎么算"), looks_like_question("按单结")
    (True, False)
    """
    folded = _INDEFINITE.sub(" ", folded)
    if _ASKED.search(folded):
        return True
    if _HEDGE.search(folded):
        return False
    return bool(_ZH_QUESTION.search(folded) or _EN_QUESTION.search(folded))


# --- Words --------------------------------------------------------------------------------

_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?")
# Characters that carry no topic on their own: particles, pronouns, question words.
_STOP_CHARS = frozenset("的了是吗呢么吧啊呀哦嘛我你他她它们这那有在和与及就都也还要能会可个一"
                        "不没很太多少什怎么样为啥咋哪些该得想问下请给把被让对从到说过着又再")
_LEADING_STOP = frozenset("个的了是在和与及就都也还我你他她它们这那吗呢吧啊")
_STOP_WORDS = frozenset((
    "a", "an", "the", "i", "we", "you", "our", "your", "my", "me", "us", "it", "is", "are",
    "be", "do", "does", "did", "can", "could", "should", "would", "will", "of", "to", "for",
    "in", "on", "at", "if", "or", "and", "with", "what", "how", "why", "which", "when", "who",
    "much", "many", "this", "that", "there", "per", "time", "get", "have", "has", "any",
))


def _stem(word: str) -> str:
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(folded: str) -> list[str]:
    """Chinese runs → bigrams and (marked "1:") single characters, both without function
    characters alone; English → stemmed words and adjacent pairs ("full time" and
    "full-time" both give "full_time").

    >>> tokens("按单 per order")
    ['按单', '1:按', '1:单', 'order', 'per_order']
    """
    out: list[str] = []
    previous: str | None = None  # the English word just before, if only a space or - between
    previous_end = -1
    for match in _RUN.finditer(folded):
        run = match.group()
        if "\u3400" <= run[0] <= "\u9fff":
            # A pair of function characters (你们, 多少, 一个) carries no topic, nor a pair
            # that starts with a measure word, pronoun or particle (个客 in 几个客服, 的客).
            out.extend(run[i:i + 2] for i in range(len(run) - 1)
                       if run[i] not in _LEADING_STOP
                       and not (run[i] in _STOP_CHARS and run[i + 1] in _STOP_CHARS))
            out.extend("1:" + ch for ch in run if ch not in _STOP_CHARS)
            previous = None
        elif run[0].isdigit():
            out.append(run)
            previous = None
        else:
            word = _stem(run)
            if word not in _STOP_WORDS:
                out.append(word)
            if previous is not None and folded[previous_end:match.start()].strip(" -") == "":
                out.append(f"{previous}_{word}")
            previous, previous_end = word, match.end()
    return out


# --- Intent rules ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntentRule:
    """Groups that must all occur; each group a pattern of alternatives."""

    source: str
    groups: tuple[re.Pattern[str], ...]

    def fires(self, folded: str) -> bool:
        return all(group.search(folded) for group in self.groups)


def _alternative(word: str) -> str:
    escaped = re.escape(word)
    if not word.isascii():
        return escaped
    # English matches at a word start ("agent" → "agents"); short words whole, or with a
    # plural s ("nft" → "nfts", but "ai" ≠ "aim").
    tail = r"s?(?![a-z0-9])" if len(word) <= 3 else ""
    return r"(?<![a-z0-9])" + escaped + tail


def parse_rule(source: str, *, key: str = "intents") -> IntentRule:
    """ "便宜|省 + 系统" → a rule with two groups. """
    groups = []
    for group in source.split("+"):
        words = [word.strip() for word in group.split("|") if word.strip()]
        if not words:
            raise KnowledgeError(f"{key}: empty group in rule {source!r}")
        groups.append(re.compile("|".join(_alternative(word) for word in words)))
    return IntentRule(source, tuple(groups))


# --- BM25 --------------------------------------------------------------------------------


class _Bm25:
    """Okapi BM25 over a handful of documents (one per section)."""

    def __init__(self, documents: list[list[str]]) -> None:
        self.counts = [Counter(document) for document in documents]
        self.lengths = [len(document) for document in documents]
        average = sum(self.lengths) / len(documents) if documents else 1.0
        self.norms = [BM25_K1 * (1 - BM25_B + BM25_B * length / (average or 1.0))
                      for length in self.lengths]
        total = len(documents)
        frequency = Counter(term for counts in self.counts for term in counts)
        self.idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5))
                    for term, n in frequency.items()}

    def scores(self, query: Mapping[str, float]) -> list[float]:
        result = []
        for counts, norm in zip(self.counts, self.norms, strict=True):
            score = 0.0
            for term, weight in query.items():
                tf = counts.get(term)
                if tf:
                    score += weight * self.idf[term] * tf * (BM25_K1 + 1) / (tf + norm)
            result.append(score)
        return result


def _query(folded: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term in set(tokens(folded)):
        if term.startswith("1:"):
            weights[term] = UNIGRAM_WEIGHT
        else:
            weights[term] = WORD_WEIGHT if term.isascii() else 1.0
    return weights


# --- The knowledge base -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    heading: str
    text: str
    keywords: tuple[str, ...]
    intents: tuple[IntentRule, ...]
    answers: Mapping[str, str]  # locale → short answer
    price_below: int | None = None  # a monthly price under this names the section

    def fired(self, folded: str, prices: tuple[int, ...]) -> int:
        """How many of the section's intent signals the question carries."""
        hits = sum(rule.fires(folded) for rule in self.intents)
        if self.price_below is not None and any(p < self.price_below for p in prices):
            hits += 1
        return hits


# A price named in a question: "600一个月", "报700", "一个月才六百", "400 yuan a month", "八百块".
_AMOUNT = r"(\d{2,5}|[一二两三四五六七八九]百)"
_PRICE = re.compile(
    _AMOUNT + r"\s*的?(?=元|块|rmb|yuan|/月|/ ?month|/mo\b|per month|a month|一个月|每月|包月)"
    r"|(?:一个月|每月|月费|包月|报价?|开价|要价|收|offered|quoted|charges?)\s*(?:才|只|就|只要)?"
    + _AMOUNT
)
_HUNDREDS = {ch: (i + 1) * 100 for i, ch in enumerate("一二三四五六七八九")} | {"两": 200}


def named_prices(folded: str) -> tuple[int, ...]:
    """Amounts the question names as a price (not order counts: "日均300单" names none).

    >>> named_prices("有家报600一个月的"), named_prices("日均300单，包月多少")
    ((600,), ())
    """
    found = []
    for match in _PRICE.finditer(folded):
        amount = match.group(1) or match.group(2)
        found.append(_HUNDREDS[amount[0]] if amount.endswith("百") else int(amount))
    return tuple(found)


class KnowledgeBase:
    """The article's sections, indexed for retrieval. Build it with `load_knowledge`."""

    def __init__(self, sections: Iterable[Section], outside: Iterable[IntentRule],
                 fallback: tuple[str, tuple[IntentRule, ...]] | None = None) -> None:
        self.sections = tuple(sections)
        self.outside = tuple(outside)
        self.fallback = fallback  # (section id, rules): a general question's section
        self._text = _Bm25([tokens(section.text) for section in self.sections])
        self._keywords = _Bm25([tokens(" ".join(section.keywords))
                                for section in self.sections])

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def scores(self, folded: str) -> dict[str, float]:
        """Each section's score for the question; `answer` picks the best above THRESHOLD."""
        return self._rank(folded)[0]

    def answer(self, folded: str, locale: str) -> Answer:
        """The section answering `folded` (already `fold`ed) and its text in `locale`."""
        scores, intended = self._rank(folded)
        if not intended and any(rule.fires(folded) for rule in self.outside):
            return Answer(None, "")
        best = max(scores, key=lambda key: scores[key])
        if scores[best] < THRESHOLD:
            if self.fallback is None or not any(rule.fires(folded)
                                                for rule in self.fallback[1]):
                return Answer(None, "")
            best = self.fallback[0]
        return Answer(best, self.section(best).answers[resolve_locale(locale)])

    def _rank(self, folded: str) -> tuple[dict[str, float], bool]:
        """Scores per section, and whether any section's intent signal fired."""
        query = _query(folded)
        text = self._text.scores(query)
        keywords = self._keywords.scores(query)
        prices = named_prices(folded)
        fired = [section.fired(folded, prices) for section in self.sections]
        scores = {
            section.id: (TEXT_WEIGHT * text[i] + KEYWORD_WEIGHT * keywords[i]
                         + INTENT_SCORE * fired[i])
            for i, section in enumerate(self.sections)
        }
        return scores, any(fired)


# --- Loading -----------------------------------------------------------------------------


def load_knowledge(path: Path | str | None = None) -> KnowledgeBase:
    """Read and validate a knowledge file (the packaged default when `path` is None)."""
    raw, origin = read_bytes(path, DEFAULT_KNOWLEDGE_PATH, KnowledgeError)
    return parse_knowledge(raw, origin=origin)


def parse_knowledge(raw: bytes, *, origin: str = "knowledge.toml") -> KnowledgeBase:
    data = decode(raw, origin, KnowledgeError)

    def fail(key: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{origin}: {key}: {problem}")

    def text(table: Mapping[str, Any], key: str, where: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{where}.{key}", "expected non-empty text")
        return value.strip()

    def words(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(word, str) and word.strip() for word in value
        ):
            raise fail(f"{where}.{key}", "expected a list of non-empty strings")
        folded = tuple(word.strip() for word in value)
        for word in folded:
            if word != word.lower():
                raise fail(f"{where}.{key}", f"write words in lower case: {word!r}")
        return folded

    def rules(table: Mapping[str, Any], where: str) -> tuple[IntentRule, ...]:
        return tuple(parse_rule(source, key=f"{origin}: {where}.intents")
                     for source in words(table, "intents", where))

    def price_below(table: Mapping[str, Any], where: str) -> int | None:
        value = table.get("price_below")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise fail(f"{where}.price_below", f"expected a positive integer, got {value!r}")
        return value

    outside = data.get("outside", {})
    if not isinstance(outside, dict):
        raise fail("outside", "expected a table")
    tables = data.get("section")
    if not isinstance(tables, dict):
        raise fail("section", "missing: one [section.ID] table per article section")
    unknown = sorted(set(tables) - set(SECTION_IDS))
    if unknown:
        raise fail(f"section.{unknown[0]}", f"unknown section id; known: {', '.join(SECTION_IDS)}")
    sections = []
    for section_id in SECTION_IDS:
        where = f"section.{section_id}"
        table = tables.get(section_id)
        if not isinstance(table, dict):
            raise fail(where, "missing")
        answers = table.get("answer")
        if not isinstance(answers, dict):
            raise fail(f"{where}.answer", "missing: one text per locale")
        sections.append(Section(
            id=section_id,
            heading=text(table, "heading", where),
            text=text(table, "text", where),
            keywords=words(table, "keywords", where),
            intents=rules(table, where),
            price_below=price_below(table, where),
            answers={locale: text(answers, locale, f"{where}.answer") for locale in SUPPORTED},
        ))
    fallback = data.get("fallback")
    general: tuple[str, tuple[IntentRule, ...]] | None = None
    if fallback is not None:
        if not isinstance(fallback, dict):
            raise fail("fallback", "expected a table")
        if fallback.get("section") not in SECTION_IDS:
            raise fail("fallback.section", f"unknown section id {fallback.get('section')!r}")
        general = (fallback["section"], rules(fallback, "fallback"))
    return KnowledgeBase(sections, rules(outside, "outside"), general)
