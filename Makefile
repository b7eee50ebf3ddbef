# Two commands do all the set-up: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
STATIC_BUILD := build/static
HOST ?= 127.0.0.1
PORT ?= 8000
# A local-only key for `make run`; production must set its own (settings refuse to start without).
DEV_ENV := CASELOAD_DEBUG=true CASELOAD_SECRET_KEY=dev-only-insecure-key-do-not-use-in-production
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint typecheck test-sqlite test-postgres coverage assets install lock demo bench clean

# Serves with a background worker beside it (`caseload serve`); Ctrl+C stops both.
run: install assets
	$(DEV_ENV) $(BIN)/caseload manage migrate --noinput
	$(DEV_ENV) $(BIN)/caseload demo --size small --if-empty
	$(DEV_ENV) $(BIN)/caseload serve $(HOST):$(PORT)

test: install assets $(STAMPS)/chromium lint typecheck test-sqlite test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# bench/web_locustfile.py is checked against locust's own types.
typecheck: install $(STAMPS)/bench
	$(BIN)/mypy .

# The suite runs on every core (pytest-xdist). Its budget: under 10 minutes for both databases on
# 2 cores. Coverage is not measured in it: on Python 3.11 tracing doubled the SQLite run's time.
# worksteal: an idle worker takes tests from a busy one, so one long file never runs alone at the end.
PYTEST := $(BIN)/pytest -q -n auto --dist worksteal

# Each test runs on both databases, except where the other database adds nothing:
# - migration tests run on PostgreSQL only: migrations are applied to production's database, and
#   every test database on SQLite is itself built by running them all;
test-sqlite: install assets $(STAMPS)/chromium
	$(PYTEST) -m "not migration" --durations=10

# The SQLite run with coverage, which may not fall below the floor in pyproject.toml.
coverage: install assets $(STAMPS)/chromium
	$(PYTEST) -m "not migration" --cov --cov-report=term:skip-covered

# - tests/engine runs on SQLite only: the engine imports no Django (tests/engine/test_no_django.py),
#   so those tests cannot behave differently on another database;
# - browser tests run on SQLite only: they drive pages whose every view also runs on PostgreSQL in
#   the permission matrix, the URL probe and each app's own tests.
test-postgres: install assets $(STAMPS)/chromium
	DATABASE_URL=$(POSTGRES_URL) $(PYTEST) --ignore=tests/engine -m "not browser"

install: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: requirements/base.txt requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	mkdir -p $(STAMPS) && touch $@

# requirements/*.in name the direct dependencies; the .txt lock files pin everything they bring.
# After editing a .in file: `make lock`, then commit both.
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock: install
	$(PIP_COMPILE) -o requirements/base.txt requirements/base.in
	$(PIP_COMPILE) -o requirements/dev.txt requirements/dev.in
	$(PIP_COMPILE) -o requirements/bench.txt requirements/bench.in

$(STAMPS)/node: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(STAMPS) && touch $@

# GOV.UK Frontend compiled without GDS Transport (GOV.UK's own typeface) and served locally.
assets: $(STATIC_BUILD)/caseload.css $(STATIC_BUILD)/govuk-frontend.min.js $(STATIC_BUILD)/htmx.min.js \
	$(STATIC_BUILD)/chart.umd.min.js

$(STATIC_BUILD)/caseload.css: caseload/static_src/caseload.scss $(STAMPS)/node
	mkdir -p $(STATIC_BUILD)
	node_modules/.bin/sass --quiet --no-source-map --load-path=node_modules --style=compressed $< $@

$(STATIC_BUILD)/govuk-frontend.min.js: $(STAMPS)/node
	mkdir -p $(STATIC_BUILD)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

$(STATIC_BUILD)/htmx.min.js: $(STAMPS)/node
	mkdir -p $(STATIC_BUILD)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# With its source map, which the minified file names (collectstatic checks every reference).
$(STATIC_BUILD)/chart.umd.min.js: $(STAMPS)/node
	mkdir -p $(STATIC_BUILD)
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map $(STATIC_BUILD)/

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
$(STAMPS)/chromium:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	mkdir -p $(STAMPS) && touch $@

demo: install
	$(DEV_ENV) $(BIN)/caseload manage migrate --noinput
	$(DEV_ENV) $(BIN)/caseload demo --size $(or $(SIZE),small)

# The web load benchmark needs PostgreSQL (POSTGRES_URL's server) and locust, which only it uses.
bench: install assets $(STAMPS)/bench
	$(BIN)/python bench/demo_load.py
	$(BIN)/python bench/allocation.py
	$(BIN)/python bench/planning.py
	$(BIN)/python bench/web_load.py --server $(POSTGRES_URL)

$(STAMPS)/bench: requirements/bench.txt $(STAMPS)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/bench.txt
	mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(VENV) node_modules build $(STAMPS)
