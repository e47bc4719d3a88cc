"""Free text → answers: numbers as merchants write them, choices by label or synonym.

Numbers: "300", "日均300单", "三百", "三四百单", "1k", "1.5万", "300-500", "100以下",
"大概两百左右", full-width digits. Chinese numerals go through cn2an; what cn2an does not
cover (adjacent-digit ranges such as 三四百, unit suffixes such as 1.5万 or 2k) is handled
here. A whole sentence can answer several questions at once ("日均300单，12类商品，要10分钟响应").
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import cn2an

from dialogs.text import normalize

_DIGITS = "零一二两三四五六七八九"
_CN_DIGIT = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"两": 2}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_SUFFIX = {"万": Decimal(10000), "w": Decimal(10000), "千": Decimal(1000), "k": Decimal(1000)}

_NUMBER = r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_QUANTITY = (
    rf"(?P<a>{_NUMBER})\s*(?P<au>万|w|千|k)?"
    rf"(?:\s*(?:-|~|～|–|—|到|至)\s*(?P<b>{_NUMBER})\s*(?P<bu>万|w|千|k)?)?"
)
_BELOW_WORDS = r"以下|以内|之内|不到|内"
_ABOVE_WORDS = r"以上|多|出头|\+"
_QUANTITY_RE = re.compile(
    _QUANTITY + rf"\s*(?:(?P<below>{_BELOW_WORDS})|(?P<above>{_ABOVE_WORDS}))?")
# The same shape without named groups, for patterns that locate a quantity by its cue word.
_Q = (rf"{_NUMBER}\s*(?:万|w|千|k)?(?:\s*(?:-|~|～|–|—|到|至)\s*{_NUMBER}\s*(?:万|w|千|k)?)?"
      rf"\s*(?:{_BELOW_WORDS}|{_ABOVE_WORDS})?")
_NEGATIVE_RE = re.compile(r"(?:^|[^\d\s])\s*(?:-|负|負|minus\s)$|^-$")
_LESS_THAN_RE = re.compile(r"(?:不到|少于|低于|小于|under|less than|<)\s*$")
_MORE_THAN_RE = re.compile(r"(?:超过|多于|大于|over|more than|>)\s*$")


@dataclass(frozen=True, slots=True)
class Number:
    """A number read from text: `value` is what we price with, `approximate` when a range
    or "about" was given (the dialogue says how it read it)."""

    value: Decimal
    approximate: bool = False


def _cn_range(match: re.Match[str]) -> str:
    """三四百 → 300-400;  十二三 is left alone."""
    first, second, unit = match.group(1), match.group(2), match.group(3)
    scale = _CN_UNIT[unit]
    return f"{_CN_DIGIT[first] * scale}-{_CN_DIGIT[second] * scale}"


_CN_RANGE_RE = re.compile(rf"([{_DIGITS}])([{_DIGITS}])([十百千万])")
_CN_NUMERAL_RE = re.compile(rf"[{_DIGITS}十百千万亿点]+")


def _some_teens(match: re.Match[str]) -> str:
    """十几 → 15, 二十几 → 25: the middle of what "几" leaves open."""
    tens = _CN_DIGIT.get(match.group(1) or "一", 1)
    return f"{tens * 10 + 5}"


_CN_TEENS_RE = re.compile(rf"([{_DIGITS}]?)十几")


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
    return re.sub(rf"(?<![\d.])[{_DIGITS}十百千万亿点]+", convert, text)


def _scaled(number: str, unit: str | None) -> Decimal:
    value = Decimal(number)
    return value * _SUFFIX[unit] if unit else value


def _whole(value: Decimal) -> Decimal:
    """15000.0 → 15000: a whole number is shown without decimals."""
    return value.to_integral_value() if value == value.to_integral_value() else value


def _quantity(match: re.Match[str], before: str, *, bound_is_value: bool = False) -> Number:
    """A matched quantity → a number. "100以下" reads as somewhat below 100 (a volume in the
    tier below), unless `bound_is_value` (a budget "3000以内" is 3000)."""
    low_unit = match.group("au") or match.group("bu")  # "1-2万": the unit covers both
    low = _whole(_scaled(match.group("a"), low_unit))
    if _NEGATIVE_RE.search(before):
        return Number(-low)  # "-5": refused by range checks, not read as 5
    if match.group("b") is not None:
        high = _scaled(match.group("b"), match.group("bu") or match.group("au"))
        low, high = sorted((low, high))
        return Number(((low + high) / 2).to_integral_value(), approximate=True)
    if match.group("below") or _LESS_THAN_RE.search(before):
        if bound_is_value:
            return Number(low, approximate=True)
        return Number((low * Decimal("0.8")).to_integral_value(), approximate=True)
    approximate = bool(match.group("above") or _MORE_THAN_RE.search(before))
    return Number(low, approximate=approximate)


_ABOUT_RE = re.compile(r"大概|大约|大約|约|約|左右|差不多|上下|about|around|roughly|~")


def parse_number(text: str, *, bound_is_value: bool = False) -> Number | None:
    """The first quantity in the text, or None."""
    clean = arabic(normalize(text))
    match = _QUANTITY_RE.search(clean)
    if match is None:
        return None
    try:
        number = _quantity(match, clean[: match.start()], bound_is_value=bound_is_value)
    except ArithmeticError:  # InvalidOperation, Overflow
        return None
    if _ABOUT_RE.search(clean) and not number.approximate:
        return Number(number.value, approximate=True)
    return number


# --- whole sentences ------------------------------------------------------------------

_ORDERS_RE = re.compile(
    r"(?:(?:日均|每天|每日|一天|1天|日单量|日單量|单量|單量|日订单|日訂單|daily|orders?)"
    rf"\s*(?:大概|大约|大約|约|約|差不多|有|是|:)*\s*(?P<pre>{_Q}))"
    rf"|(?P<post>{_Q})\s*(?:个|個)?(?:单|單|订单|訂單|orders?)"
)
_CATEGORIES_RE = re.compile(
    rf"(?P<q>{_Q})\s*(?:个|個)?(?:类|類|种|種|品类|品類|类目|類目|categor)")
_MINUTES_RE = re.compile(r"(?P<m>\d+(?:\.\d+)?)\s*(?:分钟|分鐘|min|minutes?)")
_BUDGET_RE = re.compile(
    rf"(?:预算|預算|budget)\D{{0,6}}?(?P<q>{_Q})"
    rf"|(?P<q2>{_Q})\s*(?:元|块|rmb|yuan)"
)


def _first(pattern: re.Pattern[str], text: str, group: str, *, bound_is_value: bool = False,
           ) -> tuple[Number, tuple[int, int]] | None:
    for match in pattern.finditer(text):
        span = match.span(group)
        if span[0] < 0:
            continue
        inner = _QUANTITY_RE.match(text, span[0])
        if inner is None:
            continue
        try:
            number = _quantity(inner, text[: span[0]], bound_is_value=bound_is_value)
            return number, match.span()
        except ArithmeticError:  # InvalidOperation, Overflow
            continue
    return None


def response_for_minutes(minutes: Decimal) -> str:
    """How fast a merchant asks to be answered → the article's three levels."""
    if minutes <= 5:
        return "emergency"
    if minutes <= 10:
        return "fast"
    return "standard"


def _blank(text: str, span: tuple[int, int]) -> str:
    """Remove a consumed part so its digits are not read again by another rule."""
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1]:]


def find_synonyms(text: str, synonyms: Mapping[str, Iterable[str]]) -> list[str]:
    """Values whose synonyms occur in the text, longest synonym first, no overlaps."""
    found: list[tuple[int, str]] = []
    pairs = sorted(((word.lower(), value) for value, words in synonyms.items() for word in words),
                   key=lambda pair: -len(pair[0]))
    taken = [False] * len(text)
    for word, value in pairs:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(taken[start:end]):
                for index in range(start, end):
                    taken[index] = True
                found.append((start, value))
            start = text.find(word, end)
    seen: list[str] = []
    for _, value in sorted(found):
        if value not in seen:
            seen.append(value)
    return seen


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a sentence said, by answer field. Numbers keep how they were read."""

    numbers: Mapping[str, Number]
    choices: Mapping[str, tuple[str, ...]]


def extract_numbers(text: str) -> tuple[dict[str, Number], str]:
    """Orders, categories, response minutes and budget, each by its own cue word.

    Returns what was found and the text with those parts blanked out.
    """
    clean = arabic(normalize(text))
    found: dict[str, Number] = {}
    for field, pattern, group in (
        ("budget", _BUDGET_RE, "q"),
        ("budget", _BUDGET_RE, "q2"),
        ("orders", _ORDERS_RE, "pre"),
        ("orders", _ORDERS_RE, "post"),
        ("categories", _CATEGORIES_RE, "q"),
    ):
        if field in found:
            continue
        hit = _first(pattern, clean, group, bound_is_value=field == "budget")
        if hit is not None:
            found[field], span = hit
            clean = _blank(clean, span)
    minutes = _MINUTES_RE.search(clean)
    if minutes is not None:
        found["response_minutes"] = Number(Decimal(minutes.group("m")))
        clean = _blank(clean, minutes.span())
    return found, clean
