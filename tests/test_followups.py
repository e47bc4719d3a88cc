"""Follow-ups with a clock the test controls: each kind falls due at its moment, goes to the
right person only, waits for business hours, is sent once across restarts and crashes, and
`kameng followups --json --now …` lists exactly what the bot sends at that moment."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.followups import Followup, Followups, Rules, due, pending, to_chase_today
from bot.services.links import LinkSettings
from bot.services.quotes import QuoteDesk
from bot.services.replies import Keyboard, Reply
from bot.services.staff import Staff
from bot.storage import followups as storage
from bot.storage.store import Store
from dialogs.engine import Engine
from locales.i18n import translator
from pricing import Rates
from tests.operators_seed import ADMIN, ALICE, BOB, History, seed
from tests.procs import KAMENG

STAFF = Staff(sales_ids=(ALICE, BOB), admin_ids=(ADMIN,))
RULES = Rules()  # 3 silent days, 3 days before expiry, 2 hours; 9–18 Mon–Fri, Shanghai


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def history(tmp_path: Path, rates: Rates) -> History:
    return seed(tmp_path / "kameng.db", rates)


def kinds_due(history: History, now: datetime, staff: Staff = STAFF
              ) -> set[tuple[str, int | None]]:
    store = Store(history.path)
    try:
        return {(item.kind, item.quote_id if item.kind != "handoff_waiting"
                 else item.handoff_id) for item in pending(store, staff, RULES, now)}
    finally:
        store.close()


# --- the rules of time ------------------------------------------------------------------

def test_business_hours_are_the_business_s_own() -> None:
    assert RULES.open_at(utc("2026-12-07T01:00"))  # Monday 09:00 in Shanghai
    assert not RULES.open_at(utc("2026-12-07T00:59"))  # 08:59
    assert not RULES.open_at(utc("2026-12-07T10:00"))  # 18:00
    assert not RULES.open_at(utc("2026-12-05T03:00"))  # Saturday 11:00
    assert RULES.next_open(utc("2026-12-04T12:00")) == utc("2026-12-07T01:00")  # Fri 20:00
    assert RULES.next_open(utc("2026-12-07T02:00")) == utc("2026-12-07T02:00")
    every_day = Rules(quiet_days=(), hours=(0, 24 * 60))
    assert every_day.open_at(utc("2026-12-05T20:00"))


def test_a_working_day_after_an_acceptance_skips_nights_and_weekends() -> None:
    assert RULES.after_working_day(utc("2026-12-02T04:00")) == utc("2026-12-03T04:00")
    # Friday 15:00 → Monday 15:00; Saturday → Monday 18:00; Monday 20:00 → Tuesday 18:00.
    assert RULES.after_working_day(utc("2026-12-04T07:00")) == utc("2026-12-07T07:00")
    assert RULES.after_working_day(utc("2026-12-05T02:00")) == utc("2026-12-07T10:00")
    assert RULES.after_working_day(utc("2026-12-07T12:00")) == utc("2026-12-08T10:00")


# --- each kind at its moment ------------------------------------------------------------

def test_accepted_and_not_contacted_falls_due_a_working_day_later(history: History) -> None:
    moment = utc("2026-12-03T04:00")  # accepted Wednesday 12:00 local → Thursday 12:00
    assert ("accepted_uncontacted", history.accepted) not in kinds_due(
        history, moment - timedelta(seconds=1))
    assert ("accepted_uncontacted", history.accepted) in kinds_due(history, moment)


def test_a_waiting_handoff_falls_due_after_the_hours_set(history: History) -> None:
    moment = utc("2026-12-03T03:00")  # asked at 01:00 UTC, 2 hours
    assert ("handoff_waiting", history.handoff) not in kinds_due(
        history, moment - timedelta(seconds=1))
    found = kinds_due(history, moment)
    assert ("handoff_waiting", history.handoff) in found
    assert ("handoff_waiting", history.answered_handoff) not in found  # ✅ 已联系 already


def test_an_opened_quote_falls_due_after_its_silent_days(history: History) -> None:
    moment = utc("2026-12-04T05:00")  # last view 12-01 05:00, 3 days
    assert ("opened_quiet", history.quiet) not in kinds_due(history,
                                                            moment - timedelta(seconds=1))
    assert ("opened_quiet", history.quiet) in kinds_due(history, moment)
    assert ("opened_quiet", history.accepted) not in kinds_due(history, moment)


def test_a_new_view_restarts_the_silence(history: History) -> None:
    store = Store(history.path, clock=lambda: utc("2026-12-03T00:00"))
    store.record_view(history.quiet, channel="web", agent="again")
    store.close()
    assert ("opened_quiet", history.quiet) not in kinds_due(history, utc("2026-12-04T05:00"))
    assert ("opened_quiet", history.quiet) in kinds_due(history, utc("2026-12-06T00:00"))


def test_a_link_falls_due_days_before_it_expires_and_never_after(history: History) -> None:
    moment = utc("2026-12-09T06:00")  # shared 12-02 06:00 for 10 days, 3 days before
    assert ("expiring", history.unopened) not in kinds_due(history,
                                                           moment - timedelta(seconds=1))
    assert ("expiring", history.unopened) in kinds_due(history, moment)
    assert ("expiring", history.unopened) not in kinds_due(history, utc("2026-12-12T06:00"))


def test_a_revised_quote_is_followed_up_through_its_newest_version(history: History,
                                                                   rates: Rates) -> None:
    from bot.services.renewals import new_version

    store = Store(history.path, clock=lambda: utc("2026-12-03T00:00"))
    record = store.record(history.quiet)
    assert record is not None
    new_version(store, Engine(rates), record)
    store.close()
    assert ("opened_quiet", history.quiet) not in kinds_due(history, utc("2026-12-04T05:00"))


# --- to whom ----------------------------------------------------------------------------

def test_each_goes_to_the_owner_only_else_the_admins(history: History) -> None:
    store = Store(history.path)
    found = {item.key: item.to for item in pending(store, STAFF, RULES,
                                                    utc("2026-12-09T06:00"))}
    store.close()
    assert found[f"expiring:q{history.unopened}"] == (BOB,)
    assert found[f"opened_quiet:q{history.quiet}"] == (ALICE,)
    assert found[f"accepted_uncontacted:q{history.accepted}"] == (ALICE,)
    assert found[f"handoff_waiting:h{history.handoff}"] == (ADMIN,)  # nobody's prospect
    # Alice has left: her quotes' reminders go to the admins, never to her.
    without_alice = Staff(sales_ids=(BOB,), admin_ids=(ADMIN,))
    store = Store(history.path)
    again = {item.key: item.to for item in pending(store, without_alice, RULES,
                                                    utc("2026-12-09T06:00"))}
    store.close()
    assert again[f"opened_quiet:q{history.quiet}"] == (ADMIN,)
    assert again[f"expiring:q{history.unopened}"] == (BOB,)


# --- sending: business hours, once ------------------------------------------------------

class Outbox:
    def __init__(self, failing: set[int] | None = None) -> None:
        self.sent: list[tuple[int, str, Keyboard | None]] = []
        self.failing = failing or set()

    async def __call__(self, chat_id: int, text: str, keyboard: Keyboard | None) -> None:
        if chat_id in self.failing:
            raise ConnectionError("unreachable")
        self.sent.append((chat_id, text, keyboard))


def followups_over(path: Path, rates: Rates, staff: Staff = STAFF) -> tuple[Followups, Store]:
    store = Store(path)
    engine = Engine(rates)
    links = LinkSettings("kameng_test_bot", "https://quotes.example", 30)
    desk = QuoteDesk(store, engine, staff, links)
    return Followups(store, engine, staff, links, desk, RULES), store


async def test_nothing_is_sent_outside_business_hours(history: History, rates: Rates) -> None:
    followups, store = followups_over(history.path, rates)
    outbox = Outbox()
    saturday = utc("2026-12-05T03:00")
    assert pending(store, STAFF, RULES, saturday) and due(store, STAFF, RULES, saturday) == []
    assert await followups.send_due(saturday, outbox) == 0
    assert await followups.send_due(utc("2026-12-04T11:00"), outbox) == 0  # Friday 19:00
    assert outbox.sent == []
    monday = utc("2026-12-07T01:00")
    assert await followups.send_due(monday, outbox) == 3  # accepted, hand-off, silent
    store.close()


async def test_each_is_sent_once_with_its_buttons_even_across_a_restart(
        history: History, rates: Rates) -> None:
    thursday = utc("2026-12-03T04:00")
    followups, store = followups_over(history.path, rates)
    outbox = Outbox()
    assert await followups.send_due(thursday, outbox) == 2  # accepted (Alice), hand-off (admin)
    assert await followups.send_due(thursday + timedelta(minutes=1), outbox) == 0
    store.close()
    [(_, text, keyboard)] = [sent for sent in outbox.sent if sent[0] == ALICE]
    assert f"#{history.accepted}" in text and "星辰卡盟" in text and "接受了报价" in text
    assert keyboard == ((("🔁 新版本", f"fu:new:q{history.accepted}"),),
                        (("✅ 已联系", f"fu:done:q{history.accepted}"),
                         ("🔕 不再提醒", f"fu:mute:q{history.accepted}")))
    [(_, handoff_text, handoff_keyboard)] = [s for s in outbox.sent if s[0] == ADMIN]
    assert "@buyer" in handoff_text and handoff_keyboard is not None
    assert [label for label, _ in handoff_keyboard[0]] == ["✅ 已联系", "🔕 不再提醒"]
    # A restart: a new process, the same file, later the same day.
    followups, store = followups_over(history.path, rates)
    followups.release_unsent()
    again = Outbox()
    assert await followups.send_due(thursday + timedelta(hours=2), again) == 0
    store.close()
    assert again.sent == []


async def test_a_failed_send_is_tried_again_and_a_crash_never_loses_one(
        history: History, rates: Rates) -> None:
    thursday = utc("2026-12-03T04:00")
    followups, store = followups_over(history.path, rates)
    unreachable = Outbox(failing={ALICE})
    assert await followups.send_due(thursday, unreachable) == 1  # the admin's went out
    later = Outbox()
    assert await followups.send_due(thursday + timedelta(minutes=1), later) == 1
    assert [chat for chat, _, _ in later.sent] == [ALICE]
    # A crash between claiming and sending (the claim is all that is left): sent again at
    # the next start, once.
    opened = utc("2026-12-04T05:00")
    [quiet] = [item for item in due(store, STAFF, RULES, opened) if item.kind == "opened_quiet"]
    assert storage.claim(store, quiet.key, ALICE, kind=quiet.kind, quote_id=quiet.quote_id,
                         handoff_id=None, due_at=quiet.due_at, now=opened)
    store.close()
    followups, store = followups_over(history.path, rates)
    followups.release_unsent()
    after_crash = Outbox()
    assert await followups.send_due(opened, after_crash) == 1
    assert await followups.send_due(opened + timedelta(minutes=5), after_crash) == 0
    assert [(chat, f"#{history.quiet}" in text) for chat, text, _ in after_crash.sent] == [
        (ALICE, True)]
    store.close()


# --- the buttons under a reminder -------------------------------------------------------

async def test_contacted_and_muted_stop_the_reminders_and_only_the_owner_may_press(
        history: History, rates: Rates) -> None:
    followups, store = followups_over(history.path, rates)
    t = translator("zh_CN")
    now = utc("2026-12-03T02:00")
    refused = followups.button(BOB, f"fu:done:q{history.accepted}", t, now)
    assert refused[0].text == t("staff.refused")  # type: ignore[union-attr]
    assert followups.button(9999, f"fu:mute:q{history.quiet}", t, now)[0].text == t(
        "staff.refused")  # type: ignore[union-attr]
    done = followups.button(ALICE, f"fu:done:q{history.accepted}", t, now)
    assert isinstance(done[1], Reply) and f"#{history.accepted}" in done[1].text
    followups.button(ALICE, f"fu:mute:q{history.quiet}", t, now)
    followups.button(ADMIN, f"fu:done:h{history.handoff}", t, now)  # admins may, for anyone
    store.close()
    assert kinds_due(history, utc("2026-12-09T06:00")) == {("expiring", history.unopened)}
    assert followups.button(ALICE, "fu:zap:q1", t, now)[0].text == t("dlg.stale")  # type: ignore[union-attr]


async def test_new_version_prices_again_today_and_shares_it(history: History,
                                                            rates: Rates) -> None:
    followups, store = followups_over(history.path, rates)
    t = translator("zh_CN")
    actions = followups.button(ALICE, f"fu:new:q{history.quiet}", t, utc("2026-12-04T05:00"))
    reply = actions[1]
    assert isinstance(reply, Reply) and "第 2 版" in reply.text and "start=q_" in reply.text
    [(new_id, version, parent, owner, token)] = store.db.execute(
        "SELECT id, version, parent_id, sales_owner, token FROM quotes WHERE parent_id = ?",
        [history.quiet]).fetchall()
    assert (version, parent, owner) == (2, history.quiet, str(ALICE)) and token
    assert f"#{new_id}" in reply.text
    again = followups.button(ALICE, f"fu:new:q{history.quiet}", t, utc("2026-12-04T05:01"))
    assert isinstance(again[1], Reply) and f"已有更新的版本 #{new_id}" in again[1].text
    assert store.db.execute("SELECT count(*) FROM quotes WHERE parent_id = ?",
                            [history.quiet]).fetchone() == (1,)  # pressed twice: one copy
    store.close()


def test_pipeline_lists_what_to_chase_today_for_one_salesperson(history: History) -> None:
    store = Store(history.path)
    thursday = utc("2026-12-03T05:00")
    alice = to_chase_today(store, STAFF, RULES, ALICE, thursday)
    bob = to_chase_today(store, STAFF, RULES, BOB, thursday)
    store.close()
    assert [(item.kind, item.quote_id) for item in alice] == [
        ("accepted_uncontacted", history.accepted)]
    assert bob == []


# --- the command line lists what the bot sends ------------------------------------------

def cli(history: History, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KAMENG, "followups", "--db", str(history.path), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SALES_IDS": f"{ALICE},{BOB}",
                               "ADMIN_IDS": str(ADMIN)})


@pytest.mark.e2e
@pytest.mark.parametrize("moment", ["2026-12-03T04:00:00+00:00", "2026-12-09T14:00:00+08:00",
                                    "2026-12-05T11:00:00+08:00"])
async def test_the_command_lists_exactly_what_the_bot_sends_then(
        history: History, rates: Rates, moment: str) -> None:
    before = history.path.read_bytes()
    listed = json.loads(cli(history, "--json", "--now", moment).stdout)
    assert history.path.read_bytes() == before  # nothing written
    followups, store = followups_over(history.path, rates)
    outbox = Outbox()
    await followups.send_due(datetime.fromisoformat(moment), outbox)
    store.close()
    sent = sorted((chat, key) for chat, text, keyboard in outbox.sent
                  for key in [keyboard[-1][0][1] if keyboard else ""])
    expected = sorted((to, "fu:done:" + (f"h{item['handoff_id']}" if item["kind"] ==
                                         "handoff_waiting" else f"q{item['quote_id']}"))
                      for item in listed for to in item["to"])
    assert sent == expected
    for item in listed:
        assert {"quote_id", "kind", "due_at", "to"} <= set(item)
        assert item["kind"] in ("opened_quiet", "expiring", "accepted_uncontacted",
                                "handoff_waiting")
        assert datetime.fromisoformat(item["due_at"]) <= datetime.fromisoformat(moment)


@pytest.mark.e2e
def test_the_command_says_when_reminders_wait_for_business_hours(history: History) -> None:
    done = cli(history, "--now", "2026-12-05T11:00:00+08:00")
    assert done.returncode == 0
    assert "不在营业时间" in done.stdout and "2026-12-07 09:00" in done.stdout
    assert json.loads(cli(history, "--json", "--now", "2026-12-05T11:00:00+08:00").stdout) == []
    bad = cli(history, "--now", "tomorrow")
    assert bad.returncode == 2 and "--now" in bad.stderr


def test_followup_json_names_its_recipients() -> None:
    item = Followup("expiring", utc("2026-12-09T06:00"), (BOB,), quote_id=3)
    assert item.as_json()["to"] == [BOB] and item.key == "expiring:q3"


def test_the_settings_are_checked_and_read_as_rules() -> None:
    from bot.config import ConfigError, load_settings

    settings = load_settings(environ={"BUSINESS_HOURS": "8:30-20", "QUIET_DAYS": "Sunday",
                                      "FOLLOWUP_SILENT_DAYS": "5",
                                      "BUSINESS_TIMEZONE": "Asia/Taipei"})
    rules = Rules.from_settings(settings)
    assert (rules.hours, tuple(rules.quiet_days), rules.silent_days, rules.timezone) == (
        (510, 1200), (6,), 5, "Asia/Taipei")
    assert load_settings(environ={"QUIET_DAYS": "none"}).quiet_days == []
    for name, value in (("BUSINESS_HOURS", "18-9"), ("BUSINESS_HOURS", "9-25"),
                        ("QUIET_DAYS", "funday"), ("BUSINESS_TIMEZONE", "Mars/Base"),
                        ("FOLLOWUP_SILENT_DAYS", "0"), ("RENEWAL_APPROVAL", "maybe"),
                        ("FOLLOWUPS", "perhaps")):
        with pytest.raises(ConfigError) as caught:
            load_settings(environ={name: value})
        assert name in str(caught.value)


def test_contacted_before_the_acceptance_does_not_answer_it(history: History) -> None:
    store = Store(history.path)
    storage.set_mark(store, f"q{history.accepted}", "contacted", by_user=str(ALICE),
                     now=utc("2026-12-02T03:00"))  # an hour before the acceptance
    store.close()
    assert ("accepted_uncontacted", history.accepted) in kinds_due(history,
                                                                    utc("2026-12-03T04:00"))


@pytest.mark.e2e
def test_the_command_writes_nothing_even_to_a_database_from_before_follow_ups(
        tmp_path: Path) -> None:
    import sqlite_utils

    from bot.storage.store import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:4]:  # the schema before follow-ups
        migration.apply(db)
    db.execute("PRAGMA user_version = 4")
    db.close()
    before = path.read_bytes()
    done = subprocess.run([KAMENG, "followups", "--json", "--db", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stderr
    assert path.read_bytes() == before
