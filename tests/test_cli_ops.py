"""The command line as an operator meets it: one configuration (environment, then .env),
one language per message, refusals instead of surprises, Ctrl-C, hand-offs, backups."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from bot.cli import STATUSES
from bot.storage.store import Store
from tests.cli_helpers import make_quotes
from tests.procs import KAMENG, TOKEN, run_kameng

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[1]
SCRIPT = "日均300单，5类商品，要10分钟响应\n话费充值\n"


def kameng(*args: str, cwd: Path, env: dict[str, str] | None = None,
           stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_kameng(*args, cwd=cwd, env=env, stdin=stdin)


def _login() -> str:
    from bot.terminal import terminal_user

    return terminal_user()


# --- one configuration ---------------------------------------------------------------

def test_every_command_takes_kameng_db_from_dot_env(tmp_path: Path) -> None:
    make_quotes(tmp_path / "from-env-file.db", 2)
    (tmp_path / ".env").write_text("KAMENG_DB=from-env-file.db\nPUBLIC_URL=https://q.example\n",
                                   encoding="utf-8")
    assert "#2" in kameng("history", cwd=tmp_path).stdout
    assert kameng("export", "--format", "json", cwd=tmp_path).stdout.count('"id"') == 2
    link = kameng("link", "2", cwd=tmp_path)
    assert link.returncode == 0, link.stderr
    assert "https://q.example/q/" in link.stdout
    chat = kameng("chat", stdin="300\n", cwd=tmp_path)
    assert chat.returncode == 0
    assert Store(tmp_path / "from-env-file.db").load_session("terminal", _login()) is not None
    assert not (tmp_path / "kameng.db").exists()  # nothing silently opened ./kameng.db


def test_the_environment_beats_dot_env_and_config_says_where_each_value_came_from(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text(
        f"KAMENG_DB=file.db\nWEB_PORT=9000\nTELEGRAM_BOT_TOKEN={TOKEN}\n"
        "WEBHOOK_SECRET='s3cr3t-value-for-the-hook'\n", encoding="utf-8")
    result = kameng("config", "--json", cwd=tmp_path, env={"KAMENG_DB": "env.db",
                                                            "KAMENG_LANG": "en"})
    shown = json.loads(result.stdout)
    assert shown["KAMENG_DB"] == {"value": "env.db", "source": "environment"}
    assert shown["WEB_PORT"] == {"value": "9000", "source": ".env"}
    assert shown["LINK_VALIDITY_DAYS"] == {"value": "30", "source": "default"}
    assert TOKEN not in result.stdout and "s3cr3t-value-for-the-hook" not in result.stdout
    assert shown["TELEGRAM_BOT_TOKEN"]["value"] == "1234…mnop"
    text = kameng("config", cwd=tmp_path).stdout
    assert re.search(r"KAMENG_DB=file\.db\s+# \.env", text)
    assert re.search(r"LOG_LEVEL=INFO\s+# 默认值", text)
    assert TOKEN not in text


def test_a_bad_setting_is_one_line_in_one_language_naming_the_key_and_its_source(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("WEB_PORT=eighty\n", encoding="utf-8")
    result = kameng("config", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("kameng: 配置有误：WEB_PORT=eighty（来自.env）无效：应为 1 到 65535 "
                             "之间的整数\n")
    english = kameng("quote", "--orders", "300", "--lang", "en", cwd=tmp_path)
    assert english.returncode == 2
    assert english.stderr.startswith("kameng: configuration error: WEB_PORT=eighty")
    assert not re.search(r"[\u4e00-\u9fff]", english.stderr)


def test_config_check_says_what_would_stop_the_bot(tmp_path: Path) -> None:
    missing = kameng("config", "--check", cwd=tmp_path)
    assert missing.returncode == 1
    assert "⚠ TELEGRAM_BOT_TOKEN 未设置" in missing.stderr
    assert "ℹ 数据库文件 kameng.db 还不存在" in missing.stderr  # a note: the bot makes it
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nPUBLIC_URL=http://x\n",
                                   encoding="utf-8")
    fine = kameng("config", "--check", cwd=tmp_path)
    assert fine.returncode == 0 and "ℹ PUBLIC_URL=http://x 不是 https://" in fine.stderr
    webhook = kameng("config", "--check", cwd=tmp_path,
                     env={"WEBHOOK_URL": "https://bot.example/hook"})
    assert webhook.returncode == 1 and "⚠ --webhook 需要设置 WEBHOOK_SECRET" in webhook.stderr


def test_version_names_the_package_rates_and_schema(tmp_path: Path) -> None:
    result = kameng("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert re.fullmatch(r"kameng-quote \d+\.\d+\.\d+\S* \(rates \S+, database schema \d+, "
                        r"Python 3\.\d+\.\d+\)\n", result.stdout)


# --- one language --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({}, (), "用法："),
        ({"LANG": "en_US.UTF-8"}, (), "usage: "),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, (), "用法："),
        ({"LANG": "en_US.UTF-8", "KAMENG_LANG": "zh-TW"}, (), "顯示說明並結束"),
        ({"KAMENG_LANG": "zh-TW"}, ("--lang", "en"), "show this help message"),
        ({"LANG": "fr_FR.UTF-8"}, (), "显示帮助并退出"),
    ],
    ids=["default", "LANG", "LC_ALL-first", "KAMENG_LANG-beats-LANG", "flag-beats-all",
         "unsupported-LANG"],
)
def test_the_language_is_the_flag_then_kameng_lang_then_the_posix_locale_then_zh_cn(
    tmp_path: Path, env: dict[str, str], args: tuple[str, ...], expected: str
) -> None:
    result = kameng("history", "--help", *args, cwd=tmp_path, env=env)
    assert result.returncode == 0 and expected in result.stdout


def test_argparse_complaints_speak_the_chosen_language_only(tmp_path: Path) -> None:
    chinese = kameng("quote", cwd=tmp_path)
    assert chinese.stderr == ("kameng: 命令行参数有误：缺少必需的参数：--orders"
                              "（运行 kameng --help 查看用法）\n")
    english = kameng("quote", "--orders", "3", "--bogus", "1", cwd=tmp_path,
                     env={"LANG": "en_GB.UTF-8"})
    assert "unrecognized arguments: --bogus 1" in english.stderr
    assert not re.search(r"[\u4e00-\u9fff]", english.stderr)


def test_kameng_lang_in_dot_env_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KAMENG_LANG=en\n", encoding="utf-8")
    assert "the following arguments are required" in kameng("quote", cwd=tmp_path).stderr


# --- honest refusals -----------------------------------------------------------------

@pytest.mark.parametrize("command", [("history",), ("export",), ("link", "1"), ("handoffs",),
                                     ("backup", "copy.db"), ("serve", "--port", "1")])
def test_a_missing_database_is_refused_not_created(tmp_path: Path,
                                                   command: tuple[str, ...]) -> None:
    result = kameng(*command, "--db", "typo.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("kameng: 数据库文件不存在：typo.db")
    assert not (tmp_path / "typo.db").exists()


def test_chat_creates_its_database(tmp_path: Path) -> None:
    result = kameng("chat", "--db", "new.db", stdin="300\n", cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "new.db").is_file()


def test_statuses_are_listed_in_help_and_checked(tmp_path: Path) -> None:
    shown = "".join(kameng("export", "--help", cwd=tmp_path).stdout.split())
    assert "|".join(STATUSES) in shown
    make_quotes(tmp_path / "k.db", 1)
    bogus = kameng("export", "--status", "bogus", "--db", "k.db", cwd=tmp_path)
    assert bogus.returncode == 2 and "--status 的取值无效：bogus" in bogus.stderr
    assert bogus.stdout == ""
    ok = kameng("export", "--status", "new", "--format", "json", "--db", "k.db", cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.count('"id"') == 1


def test_the_status_list_names_every_status_the_code_writes() -> None:
    code = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "bot").rglob("*.py"))
    written = set(re.findall(r"set_status\([^,]+, \"(\w+)\"\)", code))
    written |= set(re.findall(r"(?:THEN|status =) '(\w+)'", code))
    written |= set(re.findall(r"defaults=\{\"status\": \"(\w+)\"\}", code))
    assert written and written <= set(STATUSES), written - set(STATUSES)


# --- Ctrl-C and hand-offs in the terminal --------------------------------------------

def test_ctrl_c_in_chat_exits_130_with_the_state_saved(tmp_path: Path) -> None:
    process = subprocess.Popen([KAMENG, "chat", "--db", "k.db"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("300\n")
    process.stdin.flush()
    seen = ""
    while "第 2/12 步" not in seen:  # the answer was handled: wait for the next question
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        seen += line
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "下次运行 kameng chat 可继续" in out
    resumed = kameng("chat", "--db", "k.db", stdin="继续上次\n", cwd=tmp_path)
    assert "第 2/12 步" in resumed.stdout.split("继续上次", 1)[-1]


def test_a_terminal_handoff_says_where_it_went_and_kameng_handoffs_lists_it(
    tmp_path: Path,
) -> None:
    chat = kameng("chat", "--db", "k.db", "--user", "wu", stdin=SCRIPT + "转人工\n",
                  cwd=tmp_path)
    assert "转人工请求已记录（编号 1，数据库 k.db）" in chat.stdout
    assert "销售同事会尽快联系您" not in chat.stdout  # nobody was notified
    listed = kameng("handoffs", "--db", "k.db", cwd=tmp_path)
    assert listed.returncode == 0
    assert re.search(r"#1 .* terminal +wu", listed.stdout), listed.stdout
    assert "日均单量：300 单/天" in listed.stdout and "orders=" not in listed.stdout  # words
    [row] = json.loads(kameng("handoffs", "--json", "--db", "k.db", cwd=tmp_path).stdout)
    assert row["answers"]["orders"] == 300 and row["channel"] == "terminal"


def test_a_handoff_after_a_quote_carries_its_price_and_the_question(tmp_path: Path) -> None:
    script = "日均300单，卖点卡和话费，要10分钟响应\n先看报价\n你们公司在哪个城市？\n转人工\n"
    chat = kameng("chat", "--db", "k.db", "--user", "li", stdin=script, cwd=tmp_path)
    assert "转人工请求已记录" in chat.stdout
    listed = kameng("handoffs", "--db", "k.db", cwd=tmp_path).stdout
    assert "第 1 版：💰 按月固定：3,000–5,010 元/月" in listed
    assert "客户的问题：「你们公司在哪个城市？」" in listed
    [row] = json.loads(kameng("handoffs", "--json", "--db", "k.db", cwd=tmp_path).stdout)
    assert row["question"] == "你们公司在哪个城市？" and row["quote_id"] == 1


# --- backups -------------------------------------------------------------------------

def test_backup_under_load_is_consistent_and_checked(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    make_quotes(db, 200)
    stop = threading.Event()
    written = [0]

    def writer() -> None:  # the bot, busy: a write every few milliseconds
        store = Store(db)
        while not stop.is_set():
            store.set_meta(f"busy{written[0] % 50}", "x" * 500)
            written[0] += 1
        store.close()

    (tmp_path / "copies").mkdir()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = kameng("backup", "copies", "--db", "k.db", cwd=tmp_path)
    finally:
        stop.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert written[0] > 0
    [copy] = (tmp_path / "copies").glob("kameng-*.db")
    assert "200 条报价" in result.stdout and "integrity_check" in result.stdout
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert check.execute("SELECT count(*) FROM quotes").fetchone()[0] == 200
    assert list((tmp_path / "copies").glob(".*partial")) == []
    again = kameng("backup", str(copy), "--db", "k.db", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr


def test_backup_to_a_new_folder_makes_it_and_an_unwritable_place_is_one_line(
    tmp_path: Path,
) -> None:
    make_quotes(tmp_path / "k.db", 1)
    made = kameng("backup", "nightly/", "--db", "k.db", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert len(list((tmp_path / "nightly").glob("kameng-*.db"))) == 1
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    refused = kameng("backup", "afile/sub/copy.db", "--db", "k.db", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.startswith("kameng: 备份/恢复失败")
    assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1


def test_restore_refuses_to_replace_without_force_and_keeps_the_old_database(
    tmp_path: Path,
) -> None:
    make_quotes(tmp_path / "k.db", 3)
    assert kameng("backup", "three.db", "--db", "k.db", cwd=tmp_path).returncode == 0
    make_quotes(tmp_path / "k.db", 2)  # five now
    refused = kameng("restore", "three.db", "--db", "k.db", cwd=tmp_path)
    assert refused.returncode == 2 and "--force" in refused.stderr
    done = kameng("restore", "three.db", "--db", "k.db", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert Store(tmp_path / "k.db").count_quotes() == 3
    [kept] = tmp_path.glob("k.db.before-restore-*")
    assert Store(kept).count_quotes() == 5
    history = kameng("history", "--json", "--db", "k.db", cwd=tmp_path)
    assert len(json.loads(history.stdout)) == 3


def test_restore_refuses_a_file_that_is_not_a_sound_kameng_database(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    result = kameng("restore", "junk.db", "--db", "new.db", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("kameng: 备份/恢复失败")
    assert not (tmp_path / "new.db").exists()


def test_a_restored_database_opens_and_migrates_like_any_other(tmp_path: Path) -> None:
    make_quotes(tmp_path / "k.db", 1)
    kameng("backup", "b.db", "--db", "k.db", cwd=tmp_path)
    assert kameng("restore", "b.db", "--db", "fresh.db", cwd=tmp_path).returncode == 0
    store = Store(tmp_path / "fresh.db")
    assert store.count_quotes() == 1 and store.schema_version >= 3


def test_lang_is_accepted_before_the_command_too(tmp_path: Path) -> None:
    result = kameng("--lang", "en", "quote", "--orders", "x", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("kameng: daily orders must be a whole number")
