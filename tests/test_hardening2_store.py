"""Issue 24, item 27: concurrent re-shares of a dead link, each through its own database
connection (as `kameng link` processes and the bot are), hand out one link."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import pytest

from bot.storage.store import Store
from tests.cli_helpers import make_quotes


def test_eight_concurrent_reshares_of_a_revoked_link_hand_out_one_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "k.db"
    make_quotes(db, 1)
    first = Store(db)
    first.share(1, days=30)
    first.revoke(1)
    first.close()
    make_token = secrets.token_urlsafe

    def slow_token(size: int) -> str:  # widen the window between reading and writing
        time.sleep(0.05)
        return make_token(size)

    monkeypatch.setattr("bot.storage.store.secrets.token_urlsafe", slow_token)
    start = threading.Barrier(8)
    handed: list[str] = []

    def reshare() -> None:
        store = Store(db)  # one connection per thread, as one per process
        try:
            start.wait()
            handed.append(store.share(1, days=30))
        finally:
            store.close()

    threads = [threading.Thread(target=reshare) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(handed) == 8
    final = Store(db)
    try:
        record = final.record(1)
        assert record is not None and record.revoked_at is None
        assert set(handed) == {record.token}  # every one handed out is the live one
    finally:
        final.close()


def test_a_revoked_link_stops_a_prospects_version_not_the_authors_own(tmp_path: Path) -> None:
    """Item 10's re-check: through a link (the default for parent_id) a revoked parent
    refuses the version; the author revising their own quote (the Mini App) is not a link."""
    from bot.storage.store import ClosedQuote
    from pricing import Inquiry, load_rates, quote

    store = Store(tmp_path / "k.db")
    try:
        priced = quote(Inquiry(daily_orders=300), load_rates())
        first = store.save_quote(channel="telegram", user_id="7", dialog_id="a",
                                 confirmation=1, quote=priced, locale="zh_CN")
        store.share(first, days=30)
        store.revoke(first)
        with pytest.raises(ClosedQuote):
            store.save_quote(channel="telegram", user_id="8", dialog_id="b", confirmation=1,
                             quote=priced, locale="zh_CN", parent_id=first)
        own = store.save_quote(channel="telegram", user_id="7", dialog_id="c", confirmation=1,
                               quote=priced, locale="zh_CN", parent_id=first, check_link=False)
        record = store.record(own)
        assert record is not None and record.version == 2
    finally:
        store.close()
