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
    footer = [t("page.valid_until", date=valid_until(issued, quote).isoformat())]
    if reference:
        footer.insert(0, t("link.header", ref=reference, version=version or 1))
    if prospect:
        footer.insert(1 if reference else 0, t("page.prospect", prospect=prospect))
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
                issued: date, prospect: str | None = None, reference: str = "",
                version: int | None = None, contact: str = "") -> bytes:
    """The quote card as PNG bytes (an empty `company` takes the catalog's neutral name)."""
    text = card_text(quote, translator(locale), company=company, issued=issued,
                     prospect=prospect, reference=reference, version=version, contact=contact)
    buffer = io.BytesIO()
    with _DRAWING:
        image = draw_card(text)
    # Fast compression: a flat card compresses well anyway, and level 6 doubles the time.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def record_card(record: QuoteRecord, *, company: str = "",
                business: Company | None = None) -> bytes:
    """The card of a saved quote, the same in Telegram and on its page: issued on the day
    the quote was saved, in the quote's language, naming the prospect if any, with its
    reference and the company's contacts (`business`, the company file)."""
    contact = ""
    if business is not None:
        contact = contact_line(business, translator(record.locale))
    return render_card(record.quote(), record.locale,
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


__all__ = ["CardFontError", "CardText", "card_filename", "card_text", "check_font",
           "draw_card", "find_font", "record_card", "render_card", "valid_until"]
