# Every target installs what it needs first: `make chat` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser chat test check lint bench clean

install: $(STAMP)

# Re-install only when the project's dependencies change: a second `make install` does nothing.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The quote-page test drives Debian's chromium through Playwright (never a browser download);
# fonts-wqy-microhei is the CJK font the quote card is drawn in (bot/card.py, its golden
# images) and the page is screenshotted with. CI runs as root and installs both here;
# elsewhere the test says how to install them.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; \
	  else echo "make: the page test needs: sudo apt-get install chromium fonts-wqy-microhei" >&2; fi; \
	fi

chat: install
	$(BIN)/kameng chat

# The suite runs on every core (pytest-xdist). Tests sharing a running bot stay on one
# worker (tests/conftest.py groups them; --dist loadgroup honours the groups).
WORKERS ?= auto
PYTEST  := $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup

# Everything: lint, types, every test (the end-to-end ones too).
test: install browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	@# pytest exits 5 when it collected nothing: say so, and fail.
	$(PYTEST); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; fi; \
	exit $$status

# The loop for every edit: lint and the in-process tests (no `kameng` process, no bot,
# no browser: those are marked e2e), in well under a minute.
check: install
	$(BIN)/ruff check .
	$(PYTEST) -m "not e2e"; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make check: no tests were collected" >&2; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every benchmark prints its figures (docs/benchmarks.md, docs/reliability.md records them).
bench: install browser
	@for script in benchmarks/bench_*.py benchmarks/fuzz_engine.py; do \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
