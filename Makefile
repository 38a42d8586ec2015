# Gongzhi — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongzhi
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/gongzhi_bench
export DJANGO_SETTINGS_MODULE := gongzhi.settings
# a development machine: the published development keys and plain HTTP on 127.0.0.1 (gongzhi/settings.py);
# a production environment sets SECRET_KEY and FIELD_ENCRYPTION_KEY and leaves this unset (docs/security.md)
export GONGZHI_DEV ?= 1

.PHONY: load fuzz tick run test test-sqlite test-postgres lint bench assets venv browser-deps serve migrate seed clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

gongzhi/static/vendor/.copied: node_modules/.installed scripts/vendor_assets.py
	$(PY) scripts/vendor_assets.py
	touch $@

assets: venv gongzhi/static/vendor/.copied
	@mkdir -p var/static

browser-deps:
	@bash scripts/ensure_browser.sh

migrate: venv
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo

run: assets seed
	$(PY) manage.py demo_accounts
	@echo "Serving http://127.0.0.1:8000  (Ctrl-C to stop); the tick (deadlines, Excel imports) runs beside it"
	@$(PY) manage.py tick & tick=$$!; trap 'kill $$tick 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn gongzhi.wsgi -b 127.0.0.1:8000 --workers 2 --threads 4 --access-logfile - --timeout 300

# the two databases' runs go side by side, one per core (scripts/test_both.sh prints both logs)
test: assets browser-deps lint
	@bash scripts/ensure_postgres.sh
	PY=$(PY) PG_URL=$(PG_URL) bash scripts/test_both.sh

test-sqlite: assets
	$(PY) -m pytest -q

test-postgres: assets
	@bash scripts/ensure_postgres.sh
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q

# schemathesis over the whole API as street staff, a grid worker and a resident, with more examples than the
# suite's 5 per operation (FUZZ_EXAMPLES=… to choose); SQLite by default, DATABASE_URL=… for PostgreSQL
FUZZ_EXAMPLES ?= 100
fuzz: assets
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/test_api_fuzz.py

# the bounded loopback load test (scripts/load.py): 100 filers + 10 dispatchers for LOAD_SECONDS (default 120)
# against gunicorn, on a fresh SQLite database and then on a fresh PostgreSQL one (LOAD_PG_URL is dropped and
# made again); every accepted request must exist exactly once, no 5xx. Not part of `make test`.
LOAD_PG_URL ?= postgres://postgres@127.0.0.1:5432/gongzhi_load
load: assets
	@bash scripts/ensure_postgres.sh
	$(PY) scripts/load.py
	LOAD_URL=$(LOAD_PG_URL) $(PY) scripts/load.py

tick: migrate
	$(PY) manage.py tick

lint: venv
	$(VENV)/bin/ruff check gongzhi tests bench scripts
	$(VENV)/bin/mypy gongzhi
	$(VENV)/bin/lint-imports --no-logo

# every benchmark runs, each prints its goals; make fails if any goal was missed
BENCHES ?= run requests_bench assembly_bench

bench: assets
	@bash scripts/ensure_postgres.sh
	@status=0; for b in $(BENCHES); do echo "== bench/$$b.py"; \
	  DATABASE_URL=$(BENCH_URL) $(PY) bench/$$b.py || status=1; done; exit $$status

clean:
	rm -rf var gongzhi/static/vendor
