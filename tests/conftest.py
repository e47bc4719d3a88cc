from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from dialogs.engine import Engine
from pricing import Rates, load_rates

# Tests run in empty working directories (below): keep Hypothesis's example database,
# which replays past failures, in the project's .hypothesis/ as before.
set_hypothesis_home_dir(str(Path(__file__).parents[1] / ".hypothesis"))


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """Make the suite safe and quick under pytest-xdist (`make test` runs `-n auto
    --dist loadgroup`):
    - tests that share a module-scoped fixture of their module (a running bot, say) go to
      one worker, so the fixture starts once — one worker per parameter of it (aiogram and
      ptb side by side). Marked before xdist reads the marks.
    - end-to-end tests, the slow ones, are handed out first (a stable sort after pytest's
      own ordering: the order within a module is kept), so no worker is left with a long
      one at the end."""
    for item in items:
        group = shared_fixture_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    yield
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


def shared_fixture_group(item: pytest.Item) -> str | None:
    """The module (and the parameters) of the module-scoped fixtures of the item's own
    module it uses, or None when it uses none."""
    info = getattr(item, "_fixtureinfo", None)
    module = item.getparent(pytest.Module)
    if info is None or module is None:
        return None
    shared = [name for name, definitions in info.name2fixturedefs.items()
              if definitions[-1].baseid == module.nodeid and definitions[-1].scope != "function"]
    if not shared:
        return None
    callspec = getattr(item, "callspec", None)
    params = [str(callspec.params[name]) for name in shared
              if callspec is not None and name in callspec.params]
    # No brackets in a group name: xdist takes what follows the last "@" after the last "]".
    return "-".join([module.nodeid, *params])


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
