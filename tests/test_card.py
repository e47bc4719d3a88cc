"""The quote card: the article's reference profiles drawn, checked, and compared with
golden images by a perceptual hash.

The golden images (tests/golden/card-*.png) change when the card's layout, wording or the
prices change on purpose. Look at the new cards, then write them with
`KAMENG_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_card.py`.
"""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import imagehash
import pytest
from PIL import Image

from bot.card import (
    HEIGHT,
    WIDTH,
    CardFontError,
    card_amounts,
    card_text,
    find_font,
    font,
    render_card,
)
from bot.render import format_money_range, render_quote_text
from locales.i18n import translator
from pricing import (
    AiChoice,
    Billing,
    Inquiry,
    Rates,
    Response,
    Tooling,
    quote,
    round_money,
)
from tests.profiles import R_LARGE, R_MEDIUM, R_SMALL

GOLDEN = Path(__file__).with_name("golden")
PROFILES = {"r_small": R_SMALL, "r_medium": R_MEDIUM, "r_large": R_LARGE}
ISSUED = date(2026, 11, 27)
COMPANY = "星辰客服外包"
# Out of 256 bits: a font hinting or anti-aliasing change moves a few; another profile's
# card (other figures, other lines) moves several times more.
TOLERANCE = 24


def card(name: str, rates: Rates, locale: str = "zh_CN") -> Image.Image:
    data = render_card(quote(PROFILES[name], rates), locale, company=COMPANY, issued=ISSUED)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data)).convert("RGB")


def phash(image: Image.Image) -> imagehash.ImageHash:
    return imagehash.phash(image, hash_size=16)


@pytest.mark.parametrize("name", PROFILES)
def test_the_card_is_a_link_preview_sized_picture_with_ink_on_it(name: str,
                                                                  rates: Rates) -> None:
    image = card(name, rates)
    assert image.size == (WIDTH, HEIGHT)
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128])
    assert dark > 10_000  # text, not a blank page
    low, high = grey.getextrema()
    assert high - low > 150


@pytest.mark.parametrize("name", PROFILES)
def test_the_card_matches_its_golden_image(name: str, rates: Rates) -> None:
    image = card(name, rates)
    golden = GOLDEN / f"card-{name}.png"
    if os.environ.get("KAMENG_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        image.save(golden)
    distance = phash(image) - phash(Image.open(golden).convert("RGB"))
    assert distance <= TOLERANCE, f"{name}: {distance} bits from {golden} (see the docstring)"


def test_the_golden_images_tell_the_profiles_apart(rates: Rates) -> None:
    hashes = {name: phash(Image.open(GOLDEN / f"card-{name}.png")) for name in PROFILES}
    assert hashes["r_small"] - hashes["r_large"] > TOLERANCE


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
@pytest.mark.parametrize("name", PROFILES)
def test_every_character_on_the_card_has_a_glyph_in_the_cjk_font(name: str, locale: str,
                                                                  rates: Rates) -> None:
    text = card_text(quote(PROFILES[name], rates), translator(locale), company=COMPANY,
                     issued=ISSUED, prospect="星辰卡盟")
    words = [text.company, text.title, text.summary, text.plan, text.total_label, text.total,
             text.footer, *(part for line in text.lines for part in line)]
    tofu = bytes(font(26).getmask("\ue000"))  # a private-use code point: the missing box
    for char in sorted(set("".join(words)) - {" "}):
        left, top, right, bottom = font(26).getbbox(char)
        assert right > left and bottom > top, f"{char!r} draws nothing"
        assert bytes(font(26).getmask(char)) != tofu, f"{char!r} is drawn as a tofu box"


@pytest.mark.parametrize("name", PROFILES)
def test_the_card_says_the_total_three_to_five_key_lines_and_the_validity(
    name: str, rates: Rates
) -> None:
    result = quote(PROFILES[name], rates)
    t = translator("zh_CN")
    text = card_text(result, t, company="", issued=ISSUED, prospect="星辰卡盟")
    assert text.total == format_money_range(result.billed.monthly, t)  # the plan billed
    assert t(f"plan.{result.billed.method.value}") in text.total_label
    assert 2 <= len(text.lines) <= 5
    assert text.company == t("card.company")  # no COMPANY_NAME: the neutral name
    assert "有效期至 2026-12-27" in text.footer and "星辰卡盟" in text.footer
    assert t(f"scope.{result.scope}") in text.plan


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
@pytest.mark.parametrize("name", PROFILES)
def test_the_card_words_are_the_quote_messages_words(name: str, locale: str,
                                                     rates: Rates) -> None:
    """The card repeats lines of the quote message, so a change of wording in
    quote.html.j2 that the card misses fails here."""
    result = quote(PROFILES[name], rates)
    t = translator(locale)
    message = render_quote_text(result, locale)
    text = card_text(result, t, company=COMPANY, issued=ISSUED)
    assert text.summary in message
    own = {t("card.other"), t("card.contact_bot")}  # the card's own lines
    for label, _ in text.lines:
        if label not in own and "×" not in label:  # a per-order / per-hour volume line
            assert label in message


# Every golden profile, and the ones whose lines need 其他调整, a floor, a discount, AI, or
# usage billing.
ADDING_UP = {
    **PROFILES,
    "many_changes": Inquiry(daily_orders=300, categories=25, multi_level=True,
                            cross_border=True, response=Response.EMERGENCY,
                            tooling=Tooling.BUNDLE, ai=AiChoice.YES,
                            discount=Decimal("0.1")),
    "ai_floor": Inquiry(daily_orders=120, categories=2, ai=AiChoice.YES,
                        billing=Billing.MONTHLY),
    "per_order": Inquiry(daily_orders=300, categories=5, billing=Billing.PER_ORDER),
    "per_order_small": Inquiry(daily_orders=10, categories=1, billing=Billing.PER_ORDER),
    "per_hour": Inquiry(daily_orders=300, categories=5, billing=Billing.PER_HOUR),
}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("name", ADDING_UP)
def test_the_cards_lines_add_up_to_its_total(name: str, locale: str, rates: Rates) -> None:
    result = quote(ADDING_UP[name], rates)
    t = translator(locale)
    amounts = card_amounts(result, t)
    total = result.billed.monthly
    assert sum(amount.low for _, amount, _ in amounts) == round_money(total.low)
    assert sum(amount.high for _, amount, _ in amounts) == round_money(total.high)
    if result.billed.method is Billing.MONTHLY:  # every line item is in a line or 其他调整
        shown = {label for label, _, _ in amounts}
        other = t("card.other") in shown
        assert len(amounts) == len(result.line_items) or other
    text = card_text(result, t, company="", issued=ISSUED, reference="Q-3F9A2C1B", version=2)
    assert text.total == format_money_range(total, t)
    assert "Q-3F9A2C1B" in text.footer
    assert text.lines[-1] == (t("card.contact_bot"), "")  # a way to say yes


def test_without_a_cjk_font_the_error_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(CardFontError, match="fonts-wqy-microhei"):
        find_font([(str(tmp_path / "missing.ttc"), 0)])
