# The two commands: `make demo` and `make test`. Both install into .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := tests/web/node_modules/axe-core/axe.min.js

.PHONY: demo test lint install clean browser haproxy axe lock pg pg-stop

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/console1712 demo

# The tests that run on both databases get PostgreSQL from TEST_PG_URL: the server
# on 127.0.0.1:5432 when it answers, else a throwaway cluster in .pg/ (tests/pg_server.py).
PG_URL = $$($(BIN)/python tests/pg_server.py)

test: $(STAMP) browser haproxy $(AXE)
	$(BIN)/ruff check console1712 tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	TEST_PG_URL=$(PG_URL) && export TEST_PG_URL && \
	  $(BIN)/python -m pytest -n auto -q && \
	  echo "# The relay process runs on uvloop: its tests once more on that loop." && \
	  TEST_EVENT_LOOP=uvloop $(BIN)/python -m pytest -n auto -q tests/relay tests/mail tests/e2e

# PostgreSQL for the tests (see above); `make pg-stop` stops a throwaway cluster in .pg/.
pg: $(STAMP)
	@$(BIN)/python tests/pg_server.py

pg-stop:
	@test ! -f .pg/data/postmaster.pid || { \
	  if [ "$$(id -u)" = 0 ]; then runuser -u postgres -- $$(ls -d /usr/lib/postgresql/*/bin | tail -1)/pg_ctl -D .pg/data stop -m fast; \
	  else $$(ls -d /usr/lib/postgresql/*/bin | tail -1)/pg_ctl -D .pg/data stop -m fast; fi; }

# The web page's tests drive Debian's chromium (playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; }

# The deployment tests run Debian's HAProxy in front of real relays (deploy/haproxy.cfg).
haproxy:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y haproxy; \
	  else echo "haproxy missing: run 'sudo apt-get install -y haproxy'" >&2; exit 1; fi; }

# axe-core (accessibility rules) for the web page's tests, from the npm registry at the
# version locked in tests/web/package-lock.json; Debian's npm is installed when missing.
axe: $(AXE)

$(AXE): tests/web/package.json tests/web/package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y npm; \
	  else echo "npm missing: run 'sudo apt-get install -y npm'" >&2; exit 1; fi; }
	npm ci --prefix tests/web --no-audit --no-fund
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check console1712 tests
	$(BIN)/ruff format --check console1712 tests
	$(BIN)/mypy
	$(BIN)/lint-imports

# Pin what is installed now (after `make install` with changed dependencies, and tests).
lock: $(STAMP)
	{ sed -n '1,2p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable \
	  | grep -v '^console1712'; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/web/node_modules .pg
