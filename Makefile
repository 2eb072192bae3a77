# ABC-Extranet: `make run` serves the app with demo data, `make test` runs every test.
# Each step is idempotent; stamp files keep repeated runs fast.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app forum
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run run-debug test install assets translations db seed serve serve-debug extract-messages bench bench-search \
	bench-throughput clean

# gunicorn as in production. The embedded default keeps rate-limit counters in memory (memory://), which only one
# process shares: so one worker with threads. With FORUM_RATELIMIT_STORAGE_URI=redis://… more workers are fine
# (WORKERS=2); gunicorn.conf.py refuses several workers without it.
WORKERS ?= 1
THREADS ?= 4

run: install assets translations db seed serve

# The same with Flask's debug server (reloads on code changes, shows tracebacks in the browser).
run-debug: install assets translations db seed serve-debug

# In parallel on TEST_WORKERS pytest-xdist workers (each with its own databases and folders; see tests/conftest.py).
# Serially: TEST_WORKERS=0, or PYTEST_ARGS="-p no:xdist" (then no -n is passed).
TEST_WORKERS ?= 2

test: install assets translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(if $(findstring no:xdist,$(PYTEST_ARGS)),,-n $(TEST_WORKERS)) $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# KERN UX (CSS, fonts, icons) and axe-core are copied into static/vendor/ (git-ignored).
assets: node_modules/.installed
	rm -rf static/vendor
	mkdir -p static/vendor/kern static/vendor/axe-core
	cp -R node_modules/@kern-ux/native/dist/. static/vendor/kern/
	cp node_modules/@kern-ux/native/LICENSE.md static/vendor/kern/
	cp node_modules/axe-core/axe.min.js static/vendor/axe-core/

translations: install
	$(BIN)/pybabel compile --statistics -d forum/translations 2>&1 | grep -v '^compiling' || true

# Re-extract the strings after changing templates or code; then translate forum/translations/en.
extract-messages: install
	$(BIN)/python tools/sync_catalogues.py

db: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) reindex --if-empty

seed: db
	$(FLASK) seed-demo --if-empty

serve:
	@echo "ABC-Extranet läuft auf http://$(HOST):$(PORT)/ (gunicorn; mit Debug-Server: make run-debug)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) --access-logfile - wsgi:app

serve-debug:
	@echo "ABC-Extranet läuft auf http://$(HOST):$(PORT)/ (Debug-Server, nur für die Entwicklung)"
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) node_modules static/vendor instance .pytest_cache

# Seeds 5,000 users into a throw-away database, serves under gunicorn, prints p50/p95 per page against budgets.
bench: install assets translations
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Each page's requests/s as a ratio to a bare Flask page serving the thread's HTML from one query (bench/bare.py),
# with wrk (apt-get install wrk), 4 connections, 2 gunicorn workers; p99 and memory per worker. PostgreSQL with
# FORUM_BENCH_DATABASE_URL (an empty database, or THROUGHPUT_ARGS="--no-seed" for a seeded one); --posts 1000000.
bench-throughput: install assets translations
	$(BIN)/python bench/throughput.py $(THROUGHPUT_ARGS)

# The search with 1,000,000 posts (SEARCH_BENCH_ARGS="--posts 100000" for a quick run; PostgreSQL with
# FORUM_BENCH_DATABASE_URL pointing to an empty database).
bench-search: install assets translations
	$(BIN)/python bench/search.py $(SEARCH_BENCH_ARGS)
