from __future__ import annotations

import pytest

from pricing import Rates, load_rates


@pytest.fixture(scope="session")
def rates() -> Rates:
    """The packaged default rates (immutable, so one per session is safe)."""
    return load_rates()
