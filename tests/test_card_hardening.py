"""Issue 24, items 4, 5, 13, 14 and 15: the quote card under hostile names and clients.

- 4: card files are 0600, written through a temporary file and a rename (a symbolic link
  at the card's path is replaced, never followed), in a folder per database;
- 5: line and paragraph separators in a name are folded; a card that cannot be drawn is
  the plain card, never an error (a 500 on the page, nothing in Telegram);
- 13: emoji, Arabic and Hebrew are drawn in fallback fonts, not as boxes;
- 14: a long name never pushes the validity date off the card;
- 15: card.png is drawn once per quote version and served from the kept file; each client
  has a card allowance (429 past it).
Through the real `kameng chat`, `kameng serve` and `kameng bot` where the probe found
them; the drawing itself through bot/card.py."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from bot.card import (
    BAND,
    HEIGHT,
    MARGIN,
    MUTED,
    WIDTH,
    card_text,
    font,
    render_card,
)
from bot.storage.store import Store
from locales.i18n import translator
from pricing import Inquiry, Rates, quote
from tests.fake_telegram import FakeTelegram
from tests.procs import TOKEN, BotProcess
from tests.test_cli_chat import R_MEDIUM_SCRIPT, kameng
from tests.test_hardening_web import Page, serve

ISSUED = date(2026, 11, 27)
CARD_SCRIPT = R_MEDIUM_SCRIPT + "卡片\n"  # the quote, then 🖼 卡片
SEPARATORS = "\u2029\u2028\n\r\x0b\x0c\x1c\x1d\x1e\x85"


def get_bytes(page: Page, path: str, headers: dict[str, str] | None = None
              ) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(page.base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def shared(db: Path, rates: Rates, prospect: str) -> str:
    store = Store(db)
    quote_id = store.save_quote(channel="telegram", user_id="555", dialog_id="d1",
                                confirmation=1, locale="zh_CN", prospect=prospect,
                                quote=quote(Inquiry(daily_orders=300), rates))
    token = store.share(quote_id, days=30)
    store.close()
    return token


def png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.size == (WIDTH, HEIGHT)
    return image.convert("RGB")


# --- item 4: card files of `kameng chat` -------------------------------------------------

def card_path(stdout: str) -> Path:
    marker = "报价卡片已保存："
    [line] = [line for line in stdout.splitlines() if marker in line]
    return Path(line.split(marker, 1)[1].strip())


@pytest.mark.e2e
def test_chat_cards_are_0600_in_a_0700_folder_per_database(tmp_path: Path) -> None:
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    paths = []
    for db in (first, second):
        result = kameng("chat", stdin=CARD_SCRIPT, db=db)
        assert result.returncode == 0, result.stderr
        paths.append(card_path(result.stdout))
    assert paths[0] != paths[1]  # both are quote 1 v1: each database has its own folder
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        png(path.read_bytes())
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary file left behind


@pytest.mark.e2e
def test_a_symlink_at_the_card_path_is_replaced_not_followed(tmp_path: Path) -> None:
    db = tmp_path / "kameng.db"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    # Where the card of quote 1 v1 goes: before (one folder for every database) and now.
    for folder in (tmp_path / "kameng-cards", tmp_path / "kameng-cards" / db.name):
        folder.mkdir(exist_ok=True)
        (folder / "quote-1-v1.png").symlink_to(victim)
    result = kameng("chat", stdin=CARD_SCRIPT, db=db)
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me"
    card = card_path(result.stdout)
    assert not card.is_symlink() and stat.S_IMODE(card.stat().st_mode) == 0o600
    png(card.read_bytes())


@pytest.mark.e2e
def test_a_symlink_in_place_of_the_card_folder_is_not_followed(tmp_path: Path) -> None:
    db = tmp_path / "kameng.db"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "kameng-cards").mkdir()
    (tmp_path / "kameng-cards" / db.name).symlink_to(elsewhere, target_is_directory=True)
    result = kameng("chat", stdin=CARD_SCRIPT, db=db)
    assert result.returncode == 0, result.stderr
    assert "报价已保存" in result.stdout  # the quote is saved; the card is not kept there
    assert list(elsewhere.iterdir()) == []


# --- item 5: separators in names, and a card that cannot be drawn ------------------------

@pytest.mark.parametrize("separator", list(SEPARATORS))
def test_a_name_with_a_separator_draws_a_card(separator: str, rates: Rates) -> None:
    name = f"星辰{separator}卡盟"
    image = png(render_card(quote(Inquiry(daily_orders=300), rates), "zh_CN",
                            issued=ISSUED, prospect=name))
    assert card_text(quote(Inquiry(daily_orders=300), rates), translator("zh_CN"),
                     company="", issued=ISSUED, prospect=name).footer.startswith(
        "客户：星辰 卡盟")  # folded to one space
    assert sum(image.convert("L").histogram()[:128]) > 10_000  # the real card, with text


@pytest.fixture
def separator_page(tmp_path: Path, rates: Rates) -> Iterator[tuple[Page, str]]:
    token = shared(tmp_path / "kameng.db", rates, "星辰\u2029卡盟\x85客户")
    for page in serve(tmp_path / "kameng.db", {}):
        yield page, token


@pytest.mark.e2e
def test_the_page_serves_the_card_of_a_name_with_separators(
        separator_page: tuple[Page, str]) -> None:
    page, token = separator_page
    status, headers, body = get_bytes(page, f"/q/{token}/card.png")
    assert status == 200 and headers["Content-Type"] == "image/png"
    png(body)


@pytest.mark.e2e
def test_telegram_sends_the_card_of_a_name_with_separators(tmp_path: Path,
                                                           rates: Rates) -> None:
    db = tmp_path / "kameng.db"
    token = shared(db, rates, "星辰\u2029卡盟")
    api = FakeTelegram(TOKEN)
    api.start()
    bot = BotProcess("aiogram", api, db)
    try:
        bot.wait_polling(60)
        api.send_text(777, f"/start q_{token}")
        api.wait_until(lambda: len(api.photos(777)) == 1,
                       lambda: f"no card sent: {bot.output()[-2000:]}", timeout=60)
        png(api.photos(777)[0])
    finally:
        bot.stop()
        api.stop()
    assert "Traceback" not in bot.output()


def test_a_card_that_cannot_be_drawn_is_the_plain_card(monkeypatch: pytest.MonkeyPatch,
                                                       rates: Rates) -> None:
    import bot.card

    def broken(*_: object, **__: object) -> Image.Image:
        raise RuntimeError("raqm_layout() failed.")

    monkeypatch.setattr(bot.card, "draw_card", broken)
    image = png(render_card(quote(Inquiry(daily_orders=300), rates), "zh_CN",
                            issued=ISSUED))
    assert image.getpixel((10, 10)) != image.getpixel((10, 200))  # the band, at least


# --- item 13: emoji, Arabic, Hebrew ------------------------------------------------------

@pytest.mark.parametrize("name", ["😀", "👍", "محمد", "שלום"])
def test_emoji_arabic_and_hebrew_are_drawn_not_boxed(name: str, rates: Rates) -> None:
    from bot.card import draw_text  # the fallback fonts' drawing

    def drawn(text: str, *, fallback: bool) -> Image.Image:
        image = Image.new("L", (400, 60), 255)
        draw = ImageDraw.Draw(image)
        if fallback:
            draw_text(draw, (10, 10), text, 26, "#000000")
        else:
            draw.text((10, 10), text, font=font(26), fill=0)  # the CJK font alone
        return image

    tofu = drawn("\ue000" * len(name), fallback=False)  # the CJK font's missing glyph
    boxed = drawn(name, fallback=False)
    assert ImageChops.difference(boxed, tofu).getbbox() is None  # the CJK font: boxes
    assert ImageChops.difference(drawn(name, fallback=True), tofu).getbbox() is not None
    # … and on a whole card, the name changes the footer
    card = png(render_card(quote(Inquiry(daily_orders=300), rates), "zh_CN", issued=ISSUED,
                           prospect=name))
    assert card.size == (WIDTH, HEIGHT)


# --- item 14: long names and the validity date --------------------------------------------

@pytest.mark.parametrize("name", ["星" * 55, "星" * 200, "W" * 120, "星" * 10_000])
def test_a_long_name_never_pushes_the_validity_date_off(name: str, rates: Rates) -> None:
    result = quote(Inquiry(daily_orders=300), rates)
    card = png(render_card(result, "zh_CN", issued=ISSUED, prospect=name))
    validity = translator("zh_CN")("page.valid_until", date="2026-12-27")
    # The date alone, drawn where the card puts it: the right end of the footer band.
    alone = Image.new("RGB", (WIDTH, HEIGHT), BAND)
    ImageDraw.Draw(alone).text((WIDTH - MARGIN, HEIGHT - 28), validity, font=font(22),
                               fill=MUTED, anchor="rm")
    width = int(font(22).getlength(validity))
    box = (WIDTH - MARGIN - width - 2, HEIGHT - 50, WIDTH - MARGIN + 2, HEIGHT - 6)
    difference = ImageChops.difference(card.crop(box), alone.crop(box)).convert("L")
    assert sum(difference.histogram()[40:]) < 20, "the validity date is not whole"


# --- item 15: drawn once, served from the file, a per-client allowance -----------------------

@pytest.fixture
def card_page(tmp_path: Path, rates: Rates) -> Iterator[tuple[Page, str, Path]]:
    db = tmp_path / "kameng.db"
    token = shared(db, rates, "星辰卡盟")
    for page in serve(db, {}):
        yield page, token, db


@pytest.mark.e2e
def test_card_png_is_drawn_once_and_then_served_from_its_file(
        card_page: tuple[Page, str, Path]) -> None:
    page, token, db = card_page
    first = get_bytes(page, f"/q/{token}/card.png")
    kept = db.parent / "kameng-cards" / db.name / "quote-1-v1.png"
    assert first[0] == 200 and kept.read_bytes() == first[2]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    written = kept.stat().st_mtime_ns
    for _ in range(5):
        status, _, body = get_bytes(page, f"/q/{token}/card.png")
        assert status == 200 and body == first[2]
    assert kept.stat().st_mtime_ns == written  # not drawn again


@pytest.mark.e2e
def test_one_client_gets_a_card_allowance_and_others_are_still_served(
        card_page: tuple[Page, str, Path]) -> None:
    page, token, _ = card_page
    statuses = [get_bytes(page, f"/q/{token}/card.png")[0] for _ in range(40)]
    assert statuses[0] == 200 and 429 in statuses
    status, headers, _ = get_bytes(page, f"/q/{token}/card.png")
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert get_bytes(page, f"/q/{token}")[0] == 200  # the page itself is still served


@pytest.mark.e2e
def test_the_allowance_is_per_client(tmp_path: Path, rates: Rates) -> None:
    db = tmp_path / "kameng.db"
    token = shared(db, rates, "星辰卡盟")
    for page in serve(db, {"TRUSTED_PROXIES": "127.0.0.1, ::1"}):
        hog = {"X-Forwarded-For": "203.0.113.9"}
        statuses = [get_bytes(page, f"/q/{token}/card.png", hog)[0] for _ in range(40)]
        assert 429 in statuses
        other = {"X-Forwarded-For": "198.51.100.7"}
        assert get_bytes(page, f"/q/{token}/card.png", other)[0] == 200


@pytest.mark.e2e
def test_cards_dir_modes_survive_a_umask_of_zero(tmp_path: Path) -> None:
    db = tmp_path / "kameng.db"
    command = [str(Path(sys.executable).with_name("kameng")), "chat"]
    script = ("import os, subprocess, sys; os.umask(0); "
              f"sys.exit(subprocess.run({command!r}).returncode)")
    result = subprocess.run([sys.executable, "-c", script], input=CARD_SCRIPT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "KAMENG_DB": str(db)}, check=False)
    assert result.returncode == 0, result.stderr
    card = card_path(result.stdout)
    assert stat.S_IMODE(card.stat().st_mode) == 0o600
    assert stat.S_IMODE(card.parent.stat().st_mode) == 0o700
