"""The quote card: a PNG a merchant forwards to a partner or a boss, drawn with Pillow.

One picture says what the quote message says at a glance: the monthly total, the plan
(scope, response, billing), three to five key lines, the validity date and the company's
name (COMPANY_NAME). Telegram gets it with the quote (`sendPhoto`), the quote page serves
it as its `og:image`, `kameng chat` writes it to a file.

Words come from the catalogs and figures from the render helpers (`bot.render`), so a
change of wording or rounding reaches the card too; this module only places them. The
font is a CJK font installed from Debian (fonts-wqy-microhei, else Noto CJK), loaded once
per size: opening the 5 MB collection costs more than drawing the whole card. Characters
it lacks (emoji, Arabic, Hebrew in a prospect's name) are drawn in fallback fonts
(DejaVu Sans, Symbola: `FALLBACK_FONTS`); line and paragraph separators and control
characters in any text are folded to spaces; the validity date is never cut off by a long
name; and a card that cannot be drawn at all comes out as a plain card with the total,
never an error (docs/reliability.md, issue 24 items 5, 13, 14).

Drawing is CPU work (~20 ms): the bot and the page get cards through bot/cardworks.py
(a process pool and a disk cache), never on the event loop.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.render import BASE_LINES, quote_context
from bot.storage.store import QuoteRecord
from dialogs.company import Company
from locales.formatting import format_change, format_money_range, format_number
from locales.i18n import Translator, translator
from pricing import Billing, Quote, Range, round_money

WIDTH, HEIGHT = 1200, 630  # the 1.91:1 link-preview shape; Telegram shows it whole
MARGIN = 56
KEY_LINES = 5  # at most; the fewest is three (one line item, per order, break-even)
TOP_ITEMS = 3  # the line items shown: the largest, in the quote's order
SIZES = (22, 26, 28, 36, 68)  # font sizes in px, before any shrinking to fit

# (path, face index) in order of preference: the first is what `make browser` installs,
# so the golden images are drawn with it.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # the SC face
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
FONT_PACKAGE = "fonts-wqy-microhei"
# For what the CJK font lacks, in order: DejaVu Sans (Arabic, Hebrew, most symbols;
# fonts-dejavu-core) and Symbola (emoji, monochrome; fonts-symbola). Missing ones are
# skipped: such characters then draw as the CJK font's box, and the card still comes out.
FALLBACK_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    ("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf", 0),
)
FALLBACK_PACKAGES = ("fonts-dejavu-core", "fonts-symbola")
log = logging.getLogger(__name__)

# FreeType faces are not safe to share between threads: one card at a time. The quote page
# draws its og:image in a thread (bot/web.py, asyncio.to_thread); the bot draws on its event
# loop (bot/tg/conversation.py, send_card: a thread contending for the GIL was slower).
_DRAWING = threading.Lock()

INK, MUTED, ACCENT, RULE, PAPER, BAND = (
    "#1f2933", "#616e7c", "#0b6e4f", "#e4e7eb", "#ffffff", "#f5f7fa")


class CardFontError(RuntimeError):
    """No CJK font on this machine: the card cannot be drawn (names the Debian package)."""


@dataclass(frozen=True)
class CardText:
    """Everything the card says, already in words: what the tests and `draw_card` read."""

    company: str
    title: str
    summary: str
    plan: str
    total_label: str
    total: str
    lines: tuple[tuple[str, str], ...]  # (label, amount); amount "" for a full-width line
    footer: str
    # The end of `footer` that is never cut (the validity date): a long name before it is
    # shortened instead.
    footer_keep: str = ""


def find_font(candidates: Sequence[tuple[str, int]] = FONT_CANDIDATES) -> tuple[str, int]:
    """The first installed CJK font, or CardFontError saying what to install."""
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    raise CardFontError(
        f"no CJK font for the quote card: install Debian's {FONT_PACKAGE} "
        f"(apt-get install {FONT_PACKAGE}; `make browser` does it)")


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """The card's font at `size` px, opened once per size."""
    path, index = find_font()
    return ImageFont.truetype(path, size=size, index=index)


@cache
def _fallback(index: int, size: int) -> ImageFont.FreeTypeFont:
    path, face = _fallbacks()[index]
    return ImageFont.truetype(path, size=size, index=face)


@cache
def _fallbacks() -> tuple[tuple[str, int], ...]:
    return tuple((path, face) for path, face in FALLBACK_FONTS if Path(path).is_file())


@cache
def _covers(path: str, face: int) -> frozenset[int]:
    """The code points a font has glyphs for (its cmap); read once per process, and only
    when some text needs a fallback (the CJK collection's cmap takes ~0.5 s)."""
    from fontTools.ttLib import TTFont  # only for unusual names: not on every start-up

    try:
        with TTFont(path, fontNumber=face, lazy=True) as opened:
            return frozenset(opened.getBestCmap() or {})
    except Exception:  # a damaged font: treat it as having nothing
        log.warning("cannot read the character map of %s", path, exc_info=True)
        return frozenset()


def _plainly_covered(char: str) -> bool:
    """Characters the CJK font surely has (Latin, CJK, their punctuation): text made only
    of these is drawn in one run without reading any character map."""
    code = ord(char)
    return (code < 0x0250 or 0x2000 <= code < 0x2070 or 0x2E80 <= code < 0xA000
            or 0xF900 <= code < 0xFB00 or 0xFE30 <= code < 0xFE50 or 0xFF00 <= code < 0xFFF0)


# Line and paragraph separators, other control characters, and the bidi controls: on a
# one-line card they either break the text layout (raqm refuses U+2029, Pillow refuses a
# newline) or reorder it. ZWJ and variation selectors stay: emoji sequences need them.
_FOLD = re.compile(r"[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e"
                   r"\u2066-\u2069\u061c]+")


def fold_text(text: str) -> str:
    """One line of text for the card: separators and control characters become one
    space; unassigned and private-use code points are dropped."""
    folded = _FOLD.sub(" ", text)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cn", "Co", "Cs"))
    return " ".join(folded.split())


Run = tuple[str, int]  # (text, font): -1 the CJK font, else an index into _fallbacks()


def font_runs(text: str) -> list[Run]:
    """The text cut where the font must change: each character in the first font that has
    it (the CJK font first); marks, joiners and variation selectors stay with the
    character before them."""
    if all(_plainly_covered(ch) for ch in text):
        return [(text, -1)] if text else []
    fonts = [find_font(), *_fallbacks()]
    runs: list[Run] = []
    for char in text:
        if 0x1F3FB <= ord(char) <= 0x1F3FF:
            continue  # skin tones: no monochrome font draws them, the emoji alone is fine
        if runs and (unicodedata.category(char) in ("Mn", "Me", "Cf") or char == "\ufe0f"):
            runs[-1] = (runs[-1][0] + char, runs[-1][1])
            continue
        chosen = -1
        if not _plainly_covered(char):
            chosen = next((index - 1 for index, (path, face) in enumerate(fonts)
                           if ord(char) in _covers(path, face)), -1)
        if runs and runs[-1][1] == chosen:
            runs[-1] = (runs[-1][0] + char, chosen)
        else:
            runs.append((char, chosen))
    return runs


def run_font(which: int, size: int) -> ImageFont.FreeTypeFont:
    return font(size) if which < 0 else _fallback(which, size)


def check_font() -> None:
    """At start-up: fail now, with the package's name, rather than at the first quote;
    and open the sizes the card uses, so the first merchant does not wait for it."""
    for size in SIZES:
        font(size)


def valid_until(issued: date, quote: Quote) -> date:
    """The last day the price holds: the issue date plus the quote's validity."""
    return issued + timedelta(days=quote.validity_days)


# At most this many lines with an amount; the rest of the changes are summed as 其他调整.
AMOUNT_LINES = 3


def card_amounts(quote: Quote, t: Translator) -> tuple[tuple[str, Range, bool], ...]:
    """The card's lines with an amount — (label, amount, is_base) — that add up exactly to
    the billed plan's monthly total, each end rounded as shown.

    Monthly fee: the quote's line items, the largest first (what is bought, surcharges,
    reductions, floors), the smallest summed as 其他调整. Per order or per hour: the
    rate × volume, and the minimum fee's top-up (其他调整) if any. Rounding differences go
    to 其他调整 (else the last line), so the rounded lines add up to the rounded total."""
    from dialogs import quote_talk

    helpers = quote_context(quote, t)
    line = helpers["line"]
    billed = quote.billed
    rows: list[tuple[str, Range, bool]] = []
    if billed.method is Billing.MONTHLY:
        items = sorted(quote.line_items, key=lambda item: -abs(item.amount.high))
        shown, rest = items[:AMOUNT_LINES], items[AMOUNT_LINES:]
        if len(rest) == 1:
            shown, rest = items[:AMOUNT_LINES + 1], []
        kept = [item for item in quote.line_items if item in shown]
        rows = [(line(item), item.amount, item.code in BASE_LINES) for item in kept]
        if rest:
            summed = Range(sum((item.amount.low for item in rest), Decimal(0)),
                           sum((item.amount.high for item in rest), Decimal(0)))
            rows.append((t("card.other"), summed, False))
    else:
        volume = (t("card.per_order_volume", rate=quote_talk.unit_text(quote, t),
                    orders=format_number(quote.inquiry.daily_orders, t.locale))
                  if billed.method is Billing.PER_ORDER else
                  t("card.per_hour_volume", rate=quote_talk.unit_text(quote, t),
                    hours=helpers["span"](quote.hours_per_month.low,
                                          quote.hours_per_month.high)))
        base = billed.monthly
        if billed.method is Billing.PER_ORDER and quote.per_order_rate is not None:
            base = quote.per_order_rate.scale(Decimal(quote.inquiry.daily_orders))
        rows = [(volume, base, True)]
        top_up = billed.monthly - base
        if round_money(top_up.low) or round_money(top_up.high):
            rows.append((t("card.other"), top_up, False))
    rounded = [Range(round_money(amount.low), round_money(amount.high)) for _, amount, _ in rows]
    total = Range(round_money(billed.monthly.low), round_money(billed.monthly.high))
    gap = Range(total.low - sum((r.low for r in rounded), Decimal(0)),
                total.high - sum((r.high for r in rounded), Decimal(0)))
    # Rounding's few yuan go to 其他调整 when there is one, else to the last line.
    other_label = t("card.other")
    at = next((index for index, (label, _, _) in enumerate(rows) if label == other_label),
              len(rows) - 1)
    rounded[at] = Range(rounded[at].low + gap.low, rounded[at].high + gap.high)
    return tuple((label, amount, base) for (label, _, base), amount
                 in zip(rows, rounded, strict=True))


def card_text(quote: Quote, t: Translator, *, company: str, issued: date,
              prospect: str | None = None, reference: str = "", version: int | None = None,
              contact: str = "") -> CardText:
    """The card's words: the plan billed as the headline, lines that add up to it, the
    quote's reference, validity and a way to reach the company."""
    from dialogs import quote_talk

    helpers = quote_context(quote, t)
    count = helpers["count"]
    inquiry = quote.inquiry
    lines = [(label, format_money_range(amount, t) if base else format_change(amount, t))
             for label, amount, base in card_amounts(quote, t)]
    lines.append((contact or t("card.contact_bot"), ""))
    validity = t("page.valid_until", date=valid_until(issued, quote).isoformat())
    footer = [validity]
    if reference:
        footer.insert(0, t("link.header", ref=reference, version=version or 1))
    if prospect:
        footer.insert(1 if reference else 0,
                      t("page.prospect", prospect=fold_text(prospect)))
    return CardText(
        company=company or t("card.company"),
        title=t("card.title"),
        # The quote message's own first lines (quote.html.j2); a test keeps them the same.
        summary=t("quote.summary", orders=count("count.orders", inquiry.daily_orders),
                  categories=count("count.categories", inquiry.categories),
                  response=t(f"response.{inquiry.response}")),
        plan=t("card.plan_billed", service=t(f"scope.{quote.scope}"),
               coverage=quote_talk.coverage(quote, t, note_default=False)),
        total_label=t("card.billed", plan=t(f"plan.{quote.billed.method.value}")),
        total=format_money_range(quote.billed.monthly, t),
        lines=tuple(lines[:KEY_LINES]),
        footer=t("card.separator").join(footer),
        footer_keep=validity,
    )


def text_width(text: str, size: int) -> float:
    return sum(run_font(which, size).getlength(part) for part, which in font_runs(text))


def _fit(text: str, size: int, width: int) -> tuple[str, int]:
    """The text at the largest size ≤ `size` (down to 3/4 of it) that fits `width`, cut
    with an ellipsis when even that is too wide."""
    for candidate in range(size, size * 3 // 4 - 1, -2):
        if text_width(text, candidate) <= width:
            return text, candidate
    small = size * 3 // 4
    # Cut by halves, then one character at a time: a 10,000-character name must not cost
    # 10,000 measurements.
    while len(text) > 8 and text_width(text[:len(text) // 2] + "…", small) > width:
        text = text[:len(text) // 2]
    while text and text_width(text + "…", small) > width:
        text = text[:-1]
    return text + "…", small


def _baseline(y: float, anchor: str, size: int) -> float:
    """Where the CJK font's baseline is for a text placed at `y` with `anchor`'s vertical
    part ("a" top of the ascender, "m" middle, "s" baseline): every run sits on it."""
    ascent, descent = font(size).getmetrics()
    vertical = anchor[1]
    return y + ascent if vertical == "a" else y + (ascent - descent) / 2 \
        if vertical == "m" else y


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int,
              fill: str, anchor: str = "la") -> None:
    """Text in one line, each run in its own font, on the CJK font's baseline. Text
    entirely in the CJK font is drawn in one call, exactly as before fallbacks existed."""
    runs = font_runs(text)
    if len(runs) == 1 and runs[0][1] < 0:
        draw.text(xy, text, font=font(size), fill=fill, anchor=anchor)
        return
    x, y = xy
    width = sum(run_font(which, size).getlength(part) for part, which in runs)
    x = x - width if anchor[0] == "r" else x - width / 2 if anchor[0] == "m" else x
    baseline = _baseline(y, anchor, size)
    for part, which in runs:
        face = run_font(which, size)
        draw.text((x, baseline), part, font=face, fill=fill, anchor="ls")
        x += face.getlength(part)


def draw_card(text: CardText) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    def write(xy: tuple[float, float], words: str, size: int, fill: str, width: int = inner,
              anchor: str = "la") -> None:
        words, size = _fit(fold_text(words), size, width)
        draw_text(draw, xy, words, size, fill, anchor)

    # Header band: the company on the left, what the card is on the right.
    draw.rectangle((0, 0, WIDTH, 92), fill=ACCENT)
    title_width = int(text_width(text.title, 26))
    write((MARGIN, 46), text.company, 36, PAPER, width=inner - title_width - 32, anchor="lm")
    write((WIDTH - MARGIN, 46), text.title, 26, PAPER, anchor="rm")

    write((MARGIN, 116), text.summary, 28, MUTED)
    write((MARGIN, 156), text.plan, 28, INK)
    write((MARGIN, 206), text.total_label, 26, MUTED)
    write((MARGIN, 240), text.total, 68, ACCENT)

    draw.line((MARGIN, 340, WIDTH - MARGIN, 340), fill=RULE, width=2)
    y = 360
    for label, amount in text.lines:
        amount_width = int(text_width(amount, 26)) if amount else 0
        write((MARGIN, y), label, 26, INK, width=inner - amount_width - 24)
        if amount:
            write((WIDTH - MARGIN, y), amount, 26, INK, anchor="ra")
        y += 42

    draw.rectangle((0, HEIGHT - 56, WIDTH, HEIGHT), fill=BAND)
    footer, keep = fold_text(text.footer), fold_text(text.footer_keep)
    if keep and footer.endswith(keep) and text_width(footer, 22) > inner:
        # A long name before the validity date: the name is shortened, the date stays.
        kept = int(text_width(keep, 22))
        head, size = _fit(footer[:-len(keep)].rstrip(), 22, inner - kept - 16)
        draw_text(draw, (MARGIN, HEIGHT - 28), head, size, MUTED, "lm")
        draw_text(draw, (WIDTH - MARGIN, HEIGHT - 28), keep, 22, MUTED, "rm")
    else:
        write((MARGIN, HEIGHT - 28), footer, 22, MUTED, anchor="lm")
    return image


def plain_card(text: CardText | None = None) -> bytes:
    """The card when the real one cannot be drawn: the header band and the total in
    digits (Pillow's own font), or just the band. Never raises."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 92), fill=ACCENT)
    draw.rectangle((0, HEIGHT - 56, WIDTH, HEIGHT), fill=BAND)
    if text is not None:
        digits = "".join(ch for ch in text.total if ch.isascii() and not ch.isalpha()).strip()
        try:
            draw.text((MARGIN, 240), digits, font=ImageFont.load_default(68), fill=ACCENT)
        except Exception:  # not even Pillow's own font: the band alone says "a card"
            log.warning("plain card without text", exc_info=True)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def render_card(quote: Quote, locale: str | None = None, *, company: str = "",
                issued: date, prospect: str | None = None, reference: str = "",
                version: int | None = None, contact: str = "") -> bytes:
    """The quote card as PNG bytes (an empty `company` takes the catalog's neutral name)."""
    text = card_text(quote, translator(locale), company=company, issued=issued,
                     prospect=prospect, reference=reference, version=version, contact=contact)
    return card_png(text)


# The card is flat colours and the anti-aliased edges between them: a palette of those
# (16 steps between every two of them) holds every pixel, and a palette PNG is encoded 4x
# faster and 2.5x smaller than an RGB one (bench_card.py). A new colour on the card must
# be added to CARD_COLOURS, or it is drawn as the nearest of these.
CARD_COLOURS = (INK, MUTED, ACCENT, RULE, PAPER, BAND)
_BLENDS = tuple((ink, ground) for index, ink in enumerate(CARD_COLOURS)
                for ground in CARD_COLOURS[index + 1:])
_STEPS = 16


@cache
def _palette() -> Image.Image:
    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    colours: list[tuple[int, int, int]] = []
    for ink, ground in _BLENDS:
        (r1, g1, b1), (r2, g2, b2) = rgb(ink), rgb(ground)
        for step in range(_STEPS + 1):
            share = step / _STEPS
            colour = (round(r1 * share + r2 * (1 - share)),
                      round(g1 * share + g2 * (1 - share)),
                      round(b1 * share + b2 * (1 - share)))
            if colour not in colours:
                colours.append(colour)
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for colour in colours for channel in colour])
    return palette


def card_png(text: CardText) -> bytes:
    """The card's words drawn and encoded; what cannot be drawn (a character the layout
    engine refuses, a damaged font) gives the plain card instead of an error. A missing
    CJK font still raises CardFontError: that is for the operator to fix."""
    try:
        buffer = io.BytesIO()
        with _DRAWING:
            image = draw_card(text).quantize(palette=_palette(), dither=Image.Dither.NONE)
        # Fast compression: a flat card compresses well anyway; level 6 doubles the time.
        image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()
    except CardFontError:
        raise
    except Exception:
        log.warning("could not draw a card; sending the plain one", exc_info=True)
        return plain_card(text)


def record_card(record: QuoteRecord, *, company: str = "",
                business: Company | None = None) -> bytes:
    """The card of a saved quote, the same in Telegram and on its page: issued on the day
    the quote was saved, in the quote's language, naming the prospect if any, with its
    reference and the company's contacts (`business`, the company file)."""
    return card_png(record_card_text(record, company=company, business=business))


def record_card_text(record: QuoteRecord, *, company: str = "",
                     business: Company | None = None) -> CardText:
    """The words of a saved quote's card (cheap: what the card pool is handed to draw)."""
    contact = ""
    if business is not None:
        contact = contact_line(business, translator(record.locale))
    return card_text(record.quote(), translator(record.locale),
                     company=company or (business.name.of(record.locale) if business else ""),
                     issued=date.fromisoformat(record.created_at[:10]),
                     prospect=record.prospect, reference=record.reference,
                     version=record.version, contact=contact)


def contact_line(business: Company, t: Translator) -> str:
    """"📞 Telegram @x · 微信 y（周一至周六 09:00–21:00）", or "" when the file gives none."""
    from dialogs import quote_talk

    found = quote_talk.contacts(business, t)
    return t("card.contact", contacts=found, hours=quote_talk.hours(business, t)) \
        if found else ""


def card_filename(record: QuoteRecord) -> str:
    return f"quote-{record.id}-v{record.version}.png"


__all__ = ["CardFontError", "CardText", "card_filename", "card_png", "card_text",
           "check_font", "draw_card", "draw_text", "find_font", "fold_text", "font_runs",
           "plain_card", "record_card", "record_card_text", "render_card", "valid_until"]
