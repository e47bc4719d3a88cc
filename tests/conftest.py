from __future__ import annotations

import pytest

from pricing import Rates, load_rates


@pytest.fixture(autouse=True)
def neutral_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the defaults, whatever the machine's locale or a developer's shell sets:
    no language preference (LANG=C.UTF-8 names none), no KAMENG_/bot settings. Subprocesses
    inherit this environment."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "KAMENG_LANG", "KAMENG_DB",
                 "KAMENG_RATES", "TELEGRAM_BOT_TOKEN", "METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def rates() -> Rates:
    """The packaged default rates (immutable, so one per session is safe)."""
    return load_rates()
