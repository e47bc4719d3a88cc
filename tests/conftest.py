from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from dialogs.engine import Engine
from pricing import Rates, load_rates

# Tests run in empty working directories (below): keep Hypothesis's example database,
# which replays past failures, in the project's .hypothesis/ as before.
set_hypothesis_home_dir(str(Path(__file__).parents[1] / ".hypothesis"))


@pytest.fixture(autouse=True)
def neutral_environment(monkeypatch: pytest.MonkeyPatch,
                        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests see the defaults, whatever the machine's locale, a developer's shell or their
    `.env` sets: no language preference (LANG=C.UTF-8 names none), no KAMENG_/bot
    settings, and an empty working directory (no `.env` to read). Subprocesses inherit
    this environment."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "KAMENG_LANG", "KAMENG_DB",
                 "KAMENG_RATES", "TELEGRAM_BOT_TOKEN", "METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def rates() -> Rates:
    """The packaged default rates (immutable, so one per session is safe)."""
    return load_rates()


@pytest.fixture(scope="module")
def engine(rates: Rates) -> Engine:
    """The dialogue engine over the default rates (pure: one per module is safe)."""
    return Engine(rates)
