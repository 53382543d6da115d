# Everyday commands. Each target creates .venv and installs what it needs on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help demo test matrix chromium pgbouncer screenshots bench lint clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,psycopg,embedded]"
	touch $@

demo: $(VENV)/.installed  ## embedded PostgreSQL, migrate, demo data, backfill, admin and live counters on 127.0.0.1:8000 (uvicorn)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py backfill_counters --no-progress
	$(PY) manage.py demo_admin
	$(PY) -m uvicorn project.asgi:application --host 127.0.0.1 --port 8000

test: $(VENV)/.installed chromium pgbouncer lint  ## lint, the suite on real PostgreSQL (embedded unless DATABASE_URL is set) with a coverage floor, the engine alone, the Django/driver matrix
	$(PY) -m coverage erase
	$(PY) -m coverage run -m pytest --durations=15
	@$(PY) -m coverage combine -q
	@echo "== branch coverage of counters/ (the floor is fail_under in pyproject.toml)"
	$(PY) -m coverage report
	@echo "== the engine alone: counters without counters.social, as a team installs it"
	$(PY) -m pytest -q -p no:cacheprovider --ds=tests.settings_engine tests/test_adopters.py tests/test_installation.py tests/test_sql.py
	@echo "== the matrix: Python 3.12 + Django 6.0 + psycopg2, Python 3.13 + Django 6.1 + psycopg 3 (noxfile.py)"
	$(VENV)/bin/nox --no-error-on-missing-interpreters

matrix: $(VENV)/.installed  ## every cell of the Python / Django / driver matrix (nox -l lists them)
	$(VENV)/bin/nox --no-error-on-missing-interpreters -s $$($(VENV)/bin/nox -l --json | $(PY) -c "import json,sys; print(' '.join(s['session'] for s in json.load(sys.stdin)))")

chromium:  ## Debian's Chromium for the browser tests (installed when missing; set CHROMIUM to use another)
	@[ -n "$$CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

screenshots: $(VENV)/.installed chromium  ## the docs' pictures (docs/img/*.png), taken by the browser tests as they check each page
	COUNTERS_DOCS_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider --ds=project.settings tests/test_browser.py

pgbouncer:  ## Debian's PgBouncer for the connection-pooler tests (installed when missing; set PGBOUNCER to use another)
	@[ -n "$$PGBOUNCER" ] || command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || { \
		echo "Installing Debian's pgbouncer for the connection-pooler tests..."; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq pgbouncer >/dev/null; }

bench: $(VENV)/.installed  ## write-overhead and recount benchmarks; figures go to docs/
	$(PY) -m bench.run

lint: $(VENV)/.installed  ## ruff (lint and format) and the type checker (mypy, on counters/)
	$(PY) -m ruff check counters project tests bench noxfile.py
	$(PY) -m ruff format --check counters project tests bench noxfile.py
	$(PY) -m mypy

clean:  ## remove the virtualenv (the embedded database in .pgdata/ stays)
	rm -rf $(VENV)
