"""The quote card: a PNG a merchant forwards to a partner or a boss, drawn with Pillow.

One picture says what the quote message says at a glance: the monthly total, the plan
(scope, response, billing), three to five key lines, the validity date and the company's
name (COMPANY_NAME). Telegram gets it with the quote (`sendPhoto`), the quote page serves
it as its `og:image`, `kameng chat` writes it to a file.

Words come from the catalogs and figures from the render helpers (`bot.render`), so a
change of wording or rounding reaches the card too; this module only places them. The
font is a CJK font installed from Debian (fonts-wqy-microhei, else Noto CJK), loaded once
per size: opening the 5 MB collection costs more than drawing the whole card.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.render import quote_context
from bot.storage.store import QuoteRecord
from locales.i18n import Translator, translator
from pricing import Quote

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


def check_font() -> None:
    """At start-up: fail now, with the package's name, rather than at the first quote;
    and open the sizes the card uses, so the first merchant does not wait for it."""
    for size in SIZES:
        font(size)


def valid_until(issued: date, quote: Quote) -> date:
    """The last day the price holds: the issue date plus the quote's validity."""
    return issued + timedelta(days=quote.validity_days)


def card_text(quote: Quote, t: Translator, *, company: str, issued: date,
              prospect: str | None = None) -> CardText:
    """The card's words, through the same helpers as the quote message."""
    helpers = quote_context(quote, t)
    money, span, line, signed, count, units = (
        helpers[name] for name in ("money", "span", "line", "signed", "count", "units"))
    inquiry = quote.inquiry
    largest = sorted(quote.line_items, key=lambda item: -abs(item.amount.high))[:TOP_ITEMS]
    items = [item for item in quote.line_items if item in largest]
    lines = [(line(item), signed(item)) for item in items]
    lines.append((t("card.per_order"), money(quote.per_order)))
    lines.append((t("quote.break_even", orders=span(quote.break_even_daily_orders.low,
                                                    quote.break_even_daily_orders.high)), ""))
    footer = [t("page.valid_until", date=valid_until(issued, quote).isoformat())]
    if prospect:
        footer.insert(0, t("page.prospect", prospect=prospect))
    return CardText(
        company=company or t("card.company"),
        title=t("card.title"),
        # The quote message's own first lines (quote.html.j2); a test keeps them the same.
        summary=t("quote.summary", orders=count("count.orders", inquiry.daily_orders),
                  categories=count("count.categories", inquiry.categories),
                  response=t(f"response.{inquiry.response}")),
        plan=t("card.plan", service=t("quote.scope", scope=t(f"scope.{quote.scope}"),
                                      units=units(quote.units.low, quote.unit)),
               billing=t(f"plan.{quote.recommended_plan}")),
        total_label=t("quote.monthly"),
        total=money(quote.monthly),
        lines=tuple(lines[:KEY_LINES]),
        footer=t("card.separator").join(footer),
    )


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> tuple[str, int]:
    """The text at the largest size ≤ `size` (down to 3/4 of it) that fits `width`, cut
    with an ellipsis when even that is too wide."""
    for candidate in range(size, size * 3 // 4 - 1, -2):
        if draw.textlength(text, font=font(candidate)) <= width:
            return text, candidate
    small = size * 3 // 4
    while text and draw.textlength(text + "…", font=font(small)) > width:
        text = text[:-1]
    return text + "…", small


def draw_card(text: CardText) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    def write(xy: tuple[float, float], words: str, size: int, fill: str, width: int = inner,
              anchor: str = "la") -> None:
        words, size = _fit(draw, words, size, width)
        draw.text(xy, words, font=font(size), fill=fill, anchor=anchor)

    # Header band: the company on the left, what the card is on the right.
    draw.rectangle((0, 0, WIDTH, 92), fill=ACCENT)
    title_width = int(draw.textlength(text.title, font=font(26)))
    write((MARGIN, 46), text.company, 36, PAPER, width=inner - title_width - 32, anchor="lm")
    write((WIDTH - MARGIN, 46), text.title, 26, PAPER, anchor="rm")

    write((MARGIN, 116), text.summary, 28, MUTED)
    write((MARGIN, 156), text.plan, 28, INK)
    write((MARGIN, 206), text.total_label, 26, MUTED)
    write((MARGIN, 240), text.total, 68, ACCENT)

    draw.line((MARGIN, 340, WIDTH - MARGIN, 340), fill=RULE, width=2)
    y = 360
    for label, amount in text.lines:
        amount_width = int(draw.textlength(amount, font=font(26))) if amount else 0
        write((MARGIN, y), label, 26, INK, width=inner - amount_width - 24)
        if amount:
            write((WIDTH - MARGIN, y), amount, 26, INK, anchor="ra")
        y += 42

    draw.rectangle((0, HEIGHT - 56, WIDTH, HEIGHT), fill=BAND)
    write((MARGIN, HEIGHT - 28), text.footer, 22, MUTED, anchor="lm")
    return image


def render_card(quote: Quote, locale: str | None = None, *, company: str = "",
                issued: date, prospect: str | None = None) -> bytes:
    """The quote card as PNG bytes (an empty `company` takes the catalog's neutral name)."""
    text = card_text(quote, translator(locale), company=company, issued=issued,
                     prospect=prospect)
    buffer = io.BytesIO()
    with _DRAWING:
        image = draw_card(text)
    # Fast compression: a flat card compresses well anyway, and level 6 doubles the time.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def record_card(record: QuoteRecord, *, company: str = "") -> bytes:
    """The card of a saved quote, the same in Telegram and on its page: issued on the day
    the quote was saved, in the quote's language, naming the prospect if any."""
    return render_card(record.quote(), record.locale, company=company,
                       issued=date.fromisoformat(record.created_at[:10]),
                       prospect=record.prospect)


def card_filename(record: QuoteRecord) -> str:
    return f"quote-{record.id}-v{record.version}.png"


__all__ = ["CardFontError", "CardText", "card_filename", "card_text", "check_font",
           "draw_card", "find_font", "record_card", "render_card", "valid_until"]
