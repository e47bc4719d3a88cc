"""Issue 24, the settings under a hostile probe: every setting is one line of bounded
length, checked when it is loaded, by every command (the real `kameng` process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KAMENG = str(Path(sys.executable).with_name("kameng"))
pytestmark = pytest.mark.e2e
SCRIPT = "日均300单，5类商品，要10分钟响应\n话费充值\n"


def kameng(*args: str, cwd: Path, env: dict[str, str] | None = None,
           stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith(("KAMENG_", "LC_", "LANG", "COMPANY_", "PUBLIC_",
                                       "TELEGRAM_", "WEBHOOK_"))}
    return subprocess.run([KAMENG, *args], input=stdin, capture_output=True, text=True,
                          env={**environ, **(env or {})}, cwd=cwd, timeout=60, check=False)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout[-500:] + result.stderr[-2000:]
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


# --- item 6: a control character or an endless value in a setting -----------------------

@pytest.mark.parametrize("command", [["chat", "--db", "k.db"], ["serve", "--port", "1"],
                                     ["config"], ["bot"]])
def test_a_line_break_in_company_name_stops_the_commands_that_read_it_at_load(
    tmp_path: Path, command: list[str],
) -> None:
    (tmp_path / ".env").write_text('COMPANY_NAME="星辰\\n卡盟"\n', encoding="utf-8")
    result = kameng(*command, cwd=tmp_path, stdin=SCRIPT)
    line = one_line(result)
    assert "COMPANY_NAME" in line and "U+000A" in line and "控制字符" in line
    assert not (tmp_path / "k.db").exists()  # nothing saved, nothing half-done


@pytest.mark.parametrize("value", ["星辰\u2029卡盟", "星辰\u2028卡盟", "A\tB", "A\x1b[31mB",
                                   "\u202e盟卡辰星", "A\x85B"])
def test_every_kind_of_line_or_control_character_is_refused(tmp_path: Path,
                                                            value: str) -> None:
    result = kameng("chat", "--db", "k.db", cwd=tmp_path, env={"COMPANY_NAME": value},
                    stdin=SCRIPT)
    assert "COMPANY_NAME" in one_line(result) and "环境变量" in result.stderr


def test_a_ten_thousand_character_company_name_is_refused(tmp_path: Path) -> None:
    result = kameng("chat", "--db", "k.db", cwd=tmp_path, env={"COMPANY_NAME": "卡" * 10_000},
                    stdin=SCRIPT)
    line = one_line(result)
    assert "10000 个字符" in line and "最多 60 个" in line
    english = kameng("config", "--lang", "en", cwd=tmp_path, env={"COMPANY_NAME": "卡" * 61})
    assert "61 characters, at most 60" in one_line(english)


def test_a_secret_with_a_control_character_is_refused_without_showing_it(
    tmp_path: Path,
) -> None:
    token = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
    result = kameng("config", cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": token + "\rX"})
    line = one_line(result)
    assert "TELEGRAM_BOT_TOKEN" in line and "U+000D" in line and token not in line


def test_a_plain_company_name_still_reaches_the_card(tmp_path: Path) -> None:
    result = kameng("chat", "--db", "k.db", cwd=tmp_path,
                    env={"COMPANY_NAME": "星辰 卡盟 Star Cards"}, stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


# --- item 26: a rates file is a regular file of bounded size ------------------------------

@pytest.mark.parametrize("rates", ["/dev/zero", "fifo", "huge.toml", "folder"])
def test_a_rates_file_that_never_ends_or_is_not_a_file_is_one_line(tmp_path: Path,
                                                                   rates: str) -> None:
    if rates == "fifo":
        os.mkfifo(tmp_path / "fifo")  # nobody writes: reading it would wait forever
    if rates == "huge.toml":
        (tmp_path / "huge.toml").write_text("# padding\n" * 300_000, encoding="utf-8")
    if rates == "folder":
        (tmp_path / "folder").mkdir()
    result = kameng("quote", "--orders", "300", "--rates", rates, cwd=tmp_path)
    line = one_line(result)
    assert line.startswith("kameng: 费率文件有误：") and rates in line
    assert "not a regular file" in line or "larger than 1024 KB" in line
    via_setting = kameng("quote", "--orders", "300", cwd=tmp_path, env={"KAMENG_RATES": rates})
    assert one_line(via_setting) == line


# --- item 24: kameng config masks tokens anywhere, --check validates what Telegram needs --

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"


@pytest.mark.parametrize("name, value", [
    ("TELEGRAM_API_BASE", f"https://api.telegram.org/bot{TOKEN}"),
    ("COMPANY_NAME", f"星辰 {TOKEN}"[:60]),
    ("KAMENG_DB", f"/tmp/{TOKEN}.db"),
])
def test_a_token_in_any_setting_is_masked(tmp_path: Path, name: str, value: str) -> None:
    for output in ("text", "json"):
        result = kameng("config", *(["--json"] if output == "json" else []), cwd=tmp_path,
                        env={name: value})
        assert result.returncode == 0, result.stderr
        assert TOKEN not in result.stdout + result.stderr
        assert "1234…mnop" in result.stdout


@pytest.mark.parametrize("secret", ["has space", "a/b", "x" * 257, "中文"])
def test_a_webhook_secret_telegram_would_refuse_is_one_line(tmp_path: Path,
                                                            secret: str) -> None:
    result = kameng("config", "--check", cwd=tmp_path, env={"WEBHOOK_SECRET": secret})
    line = one_line(result)
    assert "WEBHOOK_SECRET=********" in line and "A-Z a-z 0-9 _ -" in line
    assert secret not in line


def test_an_http_api_base_fails_the_check_unless_it_is_this_machine(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    remote = kameng("config", "--check", cwd=tmp_path,
                    env={**env, "TELEGRAM_API_BASE": "http://api.example.org"})
    assert remote.returncode == 1
    assert "⚠ TELEGRAM_API_BASE=http://api.example.org 不是 https://" in remote.stderr
    local = kameng("config", "--check", cwd=tmp_path,
                   env={**env, "TELEGRAM_API_BASE": "http://127.0.0.1:8081"})
    assert local.returncode == 0, local.stderr


@pytest.mark.parametrize("name, value, expected", [
    ("WEBHOOK_PATH", "telegram/webhook", "以 / 开头"),
    ("WEBHOOK_PATH", "/hook?x=1", "以 / 开头"),
    ("PUBLIC_URL", "q.example.com", "https://"),
    ("PUBLIC_URL", "https://q.example.com/a b", "https://"),
    ("PUBLIC_URL", "https://q.example.com\n/evil", "U+000A"),
])
def test_paths_and_addresses_are_checked_at_load(tmp_path: Path, name: str, value: str,
                                                 expected: str) -> None:
    result = kameng("config", "--check", cwd=tmp_path, env={name: value})
    line = one_line(result)
    assert name in line and expected in line
