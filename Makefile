# CivicPlan. `make demo` serves the demo city; `make test` runs what CI runs. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_SYSTEM_PACKAGES := chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo setup test test-postgres check bench lint format messages assets system-deps test-system-deps serve clean

demo: setup ## set everything up, load the demo city and serve it on http://127.0.0.1:8000
	DEBUG=true $(MANAGE) migrate --noinput
	DEBUG=true $(MANAGE) load_demo --url http://$(HOST):$(PORT)
	@echo "Serving CivicPlan on http://$(HOST):$(PORT)/ with a background worker for PDF reports (Ctrl+C stops both)"
	@mkdir -p var; DEBUG=true $(MANAGE) db_worker --no-reload > var/worker.log 2>&1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

setup: system-deps $(VENV)/.installed assets messages

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

system-deps: ## the few Debian packages from docs (installed when root; named otherwise)
	@bash scripts/system-deps.sh $(SYSTEM_PACKAGES)

test-system-deps:
	@bash scripts/system-deps.sh $(TEST_SYSTEM_PACKAGES)

assets: node_modules/.package-lock.json ## copy the pinned front-end packages' built files to var/vendor (never committed)
	@bash scripts/copy-assets.sh

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

messages: $(VENV)/.installed
	cd src/civicplan && DEBUG=true ../../$(PY) ../../manage.py compilemessages --verbosity 0

test: setup test-system-deps ## the whole suite, browser tests included
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

test-postgres: setup test-system-deps ## the suite on PostgreSQL (DATABASE_URL, default the local server)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/civicplan} DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

check: setup ## lint, types, migrations, Spanish catalogue, deploy checks
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	DEBUG=true $(MANAGE) makemigrations --check --dry-run
	$(PY) scripts/check_catalogue.py
	SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-value-for-the-check-only ALLOWED_HOSTS=plan.example.org \
		SECURE_SSL_REDIRECT=true SECURE_HSTS_SECONDS=31536000 $(MANAGE) check --deploy --fail-level WARNING

bench: setup ## benchmarks: query counts, render times, throughput (figures printed, never pass/fail)
	$(PY) bench/run.py $(BENCH_ARGS)

lint:
	$(VENV)/bin/ruff check src tests bench

format:
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

serve: ## production-style server on the SQLite database (after make demo)
	$(MANAGE) collectstatic --noinput --ignore 'material-icons*' -v0
	$(VENV)/bin/gunicorn civicplan.wsgi -k gthread -w 2 --threads 4 -b $(HOST):$(PORT) --pythonpath src

clean:
	rm -rf var/static var/vendor .pytest_cache
