# Bình Yên — the two commands are `make run` and `make test`; the rest are their parts.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export DJANGO_SETTINGS_MODULE := config.settings
# The Makefile is the development entry point; production sets DEBUG=0 and SECRET_KEY itself.
export DEBUG ?= 1

.PHONY: help run worker scheduler test checks-then-pytest-pg setup install assets db fmt lint typecheck imports pytest pytest-pg browser-deps office-deps bench bench-pages loadtest messages clean cluster cluster-stop cluster-check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

binhyen/static/vendor/.copied: node_modules/.installed tools/copy_assets.sh
	bash tools/copy_assets.sh
	@touch $@

install: $(VENV)/.installed ## Create .venv and install pinned Python dependencies

assets: binhyen/static/vendor/.copied ## Install front-end assets from the npm lockfile into static

messages: $(VENV)/.installed ## Compile translations (installs Debian's gettext when msgfmt is missing)
	@command -v msgfmt >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gettext >/dev/null; }
	@$(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules

office-deps: ## Install Debian's LibreOffice Writer (PDFs), Times New Roman-metric fonts and pdftotext when missing
	@command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian's LibreOffice Writer, fonts-liberation and poppler-utils"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends libreoffice-writer-nogui fonts-liberation poppler-utils >/dev/null; }

setup: install assets messages office-deps ## Everything both commands need

db: setup ## Migrate SQLite, import the real administrative units, load the demo
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py orgunits_import
	$(PY) manage.py demo_load
	$(PY) manage.py indicators_rollups --if-stale

run: db ## Set everything up and serve on http://127.0.0.1:$(PORT), with a task worker and the scheduler
	@echo ""
	@echo "Bình Yên: http://127.0.0.1:$(PORT)/   (API docs: http://127.0.0.1:$(PORT)/api/v1/docs)"
	DEBUG=1 PY=$(PY) bash tools/devserver.sh $(PORT)

worker: install ## Run a task worker (manage.py db_worker) in the foreground
	$(PY) manage.py db_worker --no-reload

scheduler: install ## Run the scheduler (enqueues the scheduled jobs; one active at a time)
	$(PY) manage.py scheduler

fmt: install ## Format the code and apply ruff's safe fixes (ruff format + ruff check --fix)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install ## mypy with django-stubs
	$(VENV)/bin/mypy binhyen config

imports: install ## import-linter: dependencies point down
	$(VENV)/bin/lint-imports

browser-deps: ## Install Debian's chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

pytest: setup browser-deps ## pytest on SQLite, browser tests included
	@mkdir -p var
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run -v 0
	@mkdir -p var/test/sqlite
	env -u DATABASE_URL MEDIA_ROOT=var/test/sqlite/media BACKUP_DIR=var/test/sqlite/backups SQLITE_TEST_NAME=var/test/sqlite/test.sqlite3 $(VENV)/bin/pytest -q

pytest-pg: setup ## the tests whose result can depend on the engine, on PostgreSQL (DATABASE_URL or a server on 127.0.0.1:5432)
	@if [ -n "$$DATABASE_URL" ] || $(PY) -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then \
	  echo "PostgreSQL run: $${DATABASE_URL:-$(PG_URL)}"; \
	  DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} MEDIA_ROOT=var/test/pg/media BACKUP_DIR=var/test/pg/backups SECOND_ENGINE_RUN=1 $(VENV)/bin/pytest -q -m "not browser"; \
	else echo "PostgreSQL not reachable: skipping the PostgreSQL run"; fi

test: setup ## Set everything up, lint, type-check and run every test (SQLite, browser, PostgreSQL)
	@# The two engines' runs share nothing: run them side by side, each printing when it ends.
	@# The SQLite run (browser tests included) is the longer one, so the checks go before the
	@# PostgreSQL run.
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest checks-then-pytest-pg

checks-then-pytest-pg: setup
	$(MAKE) --no-print-directory lint typecheck imports pytest-pg

bench: setup ## Benchmarks: our code vs a plain-SQL baseline, JSON lines
	$(PY) tools/bench.py

bench-pages: setup ## Server time and SQL queries of every page type per role on national data, JSON lines
	$(PY) tools/bench_pages.py

clean: ## Remove the virtualenv, node_modules, copied assets and the local database
	rm -rf $(VENV) node_modules binhyen/static/vendor var

loadtest: install ## Load test of the tip intake: gunicorn + PostgreSQL on loopback (LOADTEST_SECONDS, LOADTEST_RESTART=0 to skip the restart)
	DEBUG=0 $(PY) tools/loadtest.py

cluster: setup ## The production topology on this machine (PostgreSQL primary + replica, Redis, S3, 2 app servers, nginx, workers, scheduler) under var/cluster
	DEBUG=0 $(PY) tools/cluster.py start

cluster-stop: ## Stop everything `make cluster` started
	$(PY) tools/cluster.py stop

cluster-check: install ## Drive the cluster (failover, tasks, replica, S3, backup, SLA) and print JSON lines; starts and stops it when it is not running
	DEBUG=0 $(PY) tools/cluster_check.py
