"""A salesperson's script through the real bot: a quote made with /newquote and shared.
Used by the link tests (tests/test_links.py) and the hardening tests
(tests/test_hardening_bot.py)."""

from __future__ import annotations

import re

from tests.procs import SALES_ID, BotEnv

SALES_SCRIPT = ["日均300单，5类商品，要10分钟响应", "游戏点卡", "都没有", "技术", "不需要系统",
                "纯人工", "外包", "平稳", "比较", "跳过"]


def make_sales_quote(env: BotEnv, prospect: str, discount: str, *,
                     share: bool = True) -> str:
    """A salesperson's quote through /newquote, shared unless `share` is False; returns
    the last message the salesperson got (the links, when shared)."""
    api = env.api
    api.send_text(SALES_ID, "/newquote")
    api.send_text(SALES_ID, prospect)
    for text in SALES_SCRIPT:
        api.send_text(SALES_ID, text)
    api.send_text(SALES_ID, discount)
    api.tap(SALES_ID, "ok")
    if share:
        api.tap(SALES_ID, "share")
    return env.last_text(SALES_ID)


def token_of(links: str) -> str:
    match = re.search(r"start=q_([A-Za-z0-9_-]+)", links)
    assert match, links
    return match.group(1)
