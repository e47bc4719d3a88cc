"""A quote history for the operators' tests (browse, follow-ups): quotes in every state of
the funnel, owned by two salespeople and nobody, and hand-offs, at moments the test sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage import followups as followup_storage
from bot.storage.store import Store
from pricing import Inquiry, Rates, quote

ALICE, BOB, ADMIN = 555, 556, 777  # two salespeople and an admin


@dataclass
class Clock:
    """A clock the test moves: `store.clock` reads it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> datetime:
        self.now = datetime.fromisoformat(text)
        return self.now


def answers_for(orders: int) -> dict[str, object]:
    return {"orders": orders, "kinds": ["game_cards"], "response": "standard"}


def add_quote(store: Store, rates: Rates, orders: int, *, owner: int | None,
              prospect: str, channel: str = "telegram", user: str = "42") -> int:
    dialog = f"seed-{prospect}-{orders}-{store.count_quotes()}"
    return store.save_quote(channel=channel, user_id=user, dialog_id=dialog, confirmation=1,
                            quote=quote(Inquiry(daily_orders=orders), rates), locale="zh_CN",
                            answers=answers_for(orders), prospect=prospect,
                            sales_owner=str(owner) if owner else None)


@dataclass
class History:
    path: Path
    clock: Clock
    accepted: int  # Alice's, accepted
    quiet: int  # Alice's, opened once, then silent
    unopened: int  # Bob's, shared, never opened
    unshared: int  # nobody's, from the terminal
    handoff: int  # a 转人工 waiting
    answered_handoff: int  # one marked ✅ 已联系


def seed(path: Path, rates: Rates, clock: Clock | None = None,
         at: Callable[[str], str] = lambda moment: moment) -> History:
    """The history (times in UTC; `at` may shift them, e.g. to days before now)."""
    clock = clock or Clock()
    store = Store(path, clock=clock)
    try:
        clock.at(at("2026-12-01T02:00:00+00:00"))
        accepted = add_quote(store, rates, 300, owner=ALICE, prospect="星辰卡盟")
        store.share(accepted, days=30)
        clock.at(at("2026-12-01T03:00:00+00:00"))
        store.record_view(accepted, channel="web", agent="phone")
        clock.at(at("2026-12-02T04:00:00+00:00"))
        store.accept(accepted)
        clock.at(at("2026-12-01T04:30:00+00:00"))
        quiet = add_quote(store, rates, 80, owner=ALICE, prospect="月光点卡")
        store.share(quiet, days=30)
        clock.at(at("2026-12-01T05:00:00+00:00"))
        store.record_view(quiet, channel="telegram", agent="telegram")
        clock.at(at("2026-12-02T06:00:00+00:00"))
        unopened = add_quote(store, rates, 1200, owner=BOB, prospect="极速充值")
        store.share(unopened, days=10)
        clock.at(at("2026-12-03T01:00:00+00:00"))
        unshared = add_quote(store, rates, 300, owner=None, prospect="", channel="terminal",
                             user="ops")
        handoff = store.record_handoff(channel="telegram", user_id="9001", handle="@buyer",
                                       answers={"orders": 50})
        answered = store.record_handoff(channel="telegram", user_id="9002", handle="@done",
                                        answers={})
        followup_storage.set_mark(store, f"h{answered}", "contacted", by_user=str(ALICE),
                                  now=clock())
    finally:
        store.close()
    return History(path, clock, accepted, quiet, unopened, unshared, handoff, answered)


def days_before(now: datetime, base: datetime) -> Callable[[str], str]:
    """Shift the seed's moments so that `base` falls on `now`."""
    def shift(moment: str) -> str:
        return (datetime.fromisoformat(moment) - base + now).isoformat()
    return shift


__all__ = ["ADMIN", "ALICE", "BOB", "Clock", "History", "days_before", "seed", "timedelta"]
