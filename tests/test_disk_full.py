"""A full disk under the real bot, both front-ends: the process is given a file-size limit
(RLIMIT_FSIZE, as `ulimit -f` does) just above its database's write-ahead log, so the next
commits fail the way they fail on a full disk; then the limit is lifted. No privileges and
no special file system needed."""

from __future__ import annotations

import re
import resource
import sqlite3
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.procs import TOKEN, BotProcess

pytestmark = pytest.mark.e2e

USER = 6001
ANSWERS = ["日均300单", "游戏点卡", "快速", "12", "都没有", "技术", "不需要系统", "纯人工",
           "外包", "平稳", "比较"]


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_a_full_disk_says_try_later_loses_nothing_stored_and_recovers(
    tmp_path: Path, framework: str
) -> None:
    api = FakeTelegram(TOKEN)
    api.start()
    db = tmp_path / "kameng.db"
    # INFO, not DEBUG: the log file is bound by the same limit and must stay below it.
    bot = BotProcess(framework, api, db, extra_env={"LOG_LEVEL": "INFO",
                                                    "KAMENG_FLOOD_LIMIT": "1000"})
    pid = bot.process.pid
    try:
        bot.wait_polling()
        api.send_text(USER, "/start")
        api.send_text(USER, ANSWERS[0])
        wal = db.with_name(db.name + "-wal")
        limit = max(wal.stat().st_size, bot.log_path.stat().st_size) + 4096
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))  # disk full
        refused, failed_answer, shown_for_it = "", "", ""
        for text in ANSWERS[1:]:
            said_before = len(api.transcript(USER))
            update_id = api.send_text(USER, text, wait=False)
            # A longer quiet than usual: the refusal follows the screen it refers to.
            api.wait_quiet(USER, update_id, said_before=said_before, quiet=0.5)
            said = api.texts(USER)
            if "稍后再试" in said[-1]:
                refused, failed_answer, shown_for_it = said[-1], text, said[-2]
                break
        assert "刚才的回答没有保存" in refused, api.texts(USER)[-3:]
        reference = re.search(r"参考编号 ([0-9a-f]{8})", refused)
        assert reference, refused
        next_step = re.search(r"第 \d+/12 步", shown_for_it)
        assert next_step, shown_for_it  # the step the failed answer had led to

        resource.prlimit(pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))  # space again
        api.send_text(USER, failed_answer)  # the same answer, once more, now counts
        assert next_step.group(0) in api.texts(USER)[-1]
        assert reference.group(1) in bot.output()  # logged with the same reference
        assert bot.stop() == 0
        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert check.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    finally:
        bot.kill()
        api.stop()
