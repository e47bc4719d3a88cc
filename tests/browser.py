"""Debian's chromium for the browser tests (Playwright drives it; never a browser download):
tests/test_page_browser.py and tests/test_miniapp_browser.py."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a sandboxed, offline machine (root, no GPU, no background connections).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def need_chromium() -> None:
    """Skip the calling test module without chromium; in CI, fail (`make test` installs it)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("CI must have Debian's chromium: `make test` installs it")
        pytest.skip("needs Debian's chromium (sudo apt-get install chromium)",
                    allow_module_level=True)
