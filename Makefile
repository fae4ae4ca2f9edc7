# The two commands: `make demo` and `make test`. Both install into .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/console1712 demo

test: $(STAMP) browser
	$(BIN)/ruff check console1712 tests
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto -q
	# The relay process runs on uvloop: its tests once more on that loop.
	TEST_EVENT_LOOP=uvloop $(BIN)/python -m pytest -n auto -q tests/net tests/mail tests/e2e

# The web page's tests drive Debian's chromium (playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; }

lint: $(STAMP)
	$(BIN)/ruff check console1712 tests
	$(BIN)/ruff format --check console1712 tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
