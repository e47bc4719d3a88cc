"""`kameng chat` scripted through stdin, and `kameng history`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.storage.store import Store
from tests.bad_input import TEXTS as BAD_TEXTS
from tests.procs import run_kameng

pytestmark = pytest.mark.e2e


R_MEDIUM_SCRIPT = "\n".join([
    "日均300单，5类商品，要10分钟响应", "话费充值", "完成", "都没有", "完成", "技术客服",
    "不需要系统", "纯人工", "外包", "平稳", "帮我比较", "跳过", "确认报价",
]) + "\n"


def kameng(*args: str, stdin: str = "", db: Path) -> subprocess.CompletedProcess[str]:
    return run_kameng(*args, stdin=stdin, env={"KAMENG_DB": str(db)})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "kameng.db"


def test_a_scripted_dialogue_prints_and_saves_the_quote(db: Path) -> None:
    # The short quote, then 🖼 卡片 (the card on request) and 📄 明细 (the breakdown).
    result = kameng("chat", stdin=R_MEDIUM_SCRIPT + "卡片\n明细\n", db=db)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "第 1/12 步" in result.stdout
    assert "[1] 约50单" in result.stdout or "[#1] 约50单" in result.stdout
    short, detail = result.stdout.split("报价已保存（编号 1", 1)[1].split("月费合计", 1)
    assert "💰 按月固定：3,000–5,010 元/月" in short
    assert "3,000–5,010 元" in detail  # 月费合计 in the breakdown under 明细
    card = db.with_name("kameng-cards") / "quote-1-v1.png"
    assert f"报价卡片已保存：{card}" in short  # the path, not a picture
    assert card.read_bytes().startswith(b"\x89PNG")
    history = kameng("history", "--json", db=db)
    [saved] = json.loads(history.stdout)
    assert saved["daily_orders"] == 300 and saved["monthly_low"] == "3000"
    assert saved["channel"] == "terminal"


def test_the_end_of_input_keeps_the_state_and_the_next_run_offers_to_resume(db: Path) -> None:
    first = kameng("chat", stdin="300\n游戏点卡、话费充值\n", db=db)
    assert first.returncode == 0 and "下次运行 kameng chat 可继续" in first.stdout
    second = kameng("chat", stdin="继续上次\n", db=db)
    assert second.returncode == 0
    assert "继续上次" in second.stdout
    assert "第 3/12 步" in second.stdout  # back at the response-time question
    third = kameng("chat", stdin="2\n", db=db)  # [2] 重新开始
    assert "第 1/12 步" in third.stdout.split("重新开始", 1)[1]


def test_buttons_can_be_picked_by_number_and_numbers_typed_at_number_steps(db: Path) -> None:
    # "#3" picks button 3 (约300单); at the kinds step "1" is button 1, and at the response
    # step too (30 分钟); at the categories step a bare "3" is the answer 3, not button 3.
    result = kameng("chat", "--user", "tester", stdin="#3\n1\n完成\n1\n3\n", db=db)
    assert result.returncode == 0 and "第 5/12 步" in result.stdout
    stored = Store(db).load_session("terminal", "tester")
    assert stored is not None
    assert stored["answers"] == {"orders": 300, "kinds": ["game_cards"],
                                 "response": "standard", "categories": 3}


def test_bad_input_in_the_chat_is_explained_without_a_traceback(db: Path) -> None:
    lines = [text.replace("\n", " ") for text in BAD_TEXTS]
    result = kameng("chat", "--user", "bad", stdin="\n".join(["abc", *lines]) + "\n", db=db)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    # Said once, then (two misses in a row) the question alone with its buttons and 转人工.
    assert result.stdout.count("没看懂") >= 5 and "数字须在" in result.stdout
    assert "还是没看懂" in result.stdout
    assert "<script>" not in result.stdout
    stored = Store(db).load_session("terminal", "bad")
    assert stored is not None and stored["answers"] == {"orders": 300}


def test_history_is_empty_at_first_and_then_lists_quotes(db: Path) -> None:
    Store(db).close()  # a database without quotes yet
    empty = kameng("history", db=db)
    assert empty.returncode == 0 and "还没有保存的报价" in empty.stdout
    kameng("chat", stdin=R_MEDIUM_SCRIPT, db=db)
    listed = kameng("history", db=db)
    assert "#1" in listed.stdout and "3,000–5,010" in listed.stdout


def test_chat_speaks_english_when_asked(db: Path) -> None:
    result = kameng("chat", "--lang", "en", stdin="300\n", db=db)
    assert "Step 1/12" in result.stdout and "Step 2/12" in result.stdout


def test_quote_now_and_what_if_print_each_version_with_its_cards_path(db: Path) -> None:
    script = "\n".join(["日均300单，卖点卡和话费，要10分钟响应", "先看报价", "明细", "返回报价",
                        "试试别的方案", "AI+人工", "对比", "返回", "卡片"]) + "\n"
    result = kameng("chat", "--user", "quick", stdin=script, db=db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[#5] ⚡ 先看报价" in out  # offered on the categories step, after the three facts
    assert "商品类目数：2 类（估算）" in out and "✏️ 客服系统" in out  # under 明细
    assert "试算：AI辅助改为 AI+人工" in out
    assert "💰 按月固定：1,950–3,250 元/月，比刚才 减 1,050–1,750 元/月" in out
    cards = db.with_name("kameng-cards")  # the card on request only: the version shown
    assert f"报价卡片已保存：{cards / 'quote-2-v2.png'}" in out  # the path, not a picture
    assert "quote-1-v1.png" not in out
    assert "📊 对比最近 2 个版本" in out and "✅ 满足您的要求" in out
    history = json.loads(kameng("history", "--json", db=db).stdout)
    assert [(row["monthly_low"], row["monthly_high"]) for row in history] == [
        ("1950", "3250"), ("3000", "5010")]  # newest first; v2 named by its card above


def test_a_buying_signal_in_the_chat_ends_with_a_recorded_contact(db: Path) -> None:
    script = "\n".join(["日均300单，卖点卡和话费，要10分钟响应", "先看报价",
                        "行，就这个方案吧，怎么下单？", "我要这个方案", "12345", "13812345678",
                        "谢谢", "留下联系方式", "kameng_boss"]) + "\n"
    result = kameng("chat", "--user", "buyer", stdin=script, db=db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "① 销售同事和您确认方案与上线日期" in out  # the next step, from the company file
    assert "不像手机号或微信号" in out  # 12345 refused
    assert "已记录联系方式 #1" in out and "没有通知任何销售同事" in out  # nobody told
    assert "分钟内联系您" not in out and "最晚" not in out  # no promise of a call back
    assert "不客气" in out
    leads = kameng("leads", db=db)
    assert "13812345678" not in leads.stdout and "kameng_boss" in leads.stdout  # updated
    assert "第 1 版：💰 按月固定：3,000–5,010 元/月" in leads.stdout
    assert "原话：「行，就这个方案吧，怎么下单？」" in leads.stdout
    [row] = json.loads(kameng("leads", "--json", db=db).stdout)
    assert row["contact_kind"] == "wechat" and row["channel"] == "terminal"
