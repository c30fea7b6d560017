# Jalon — quick start: `make demo` (demo server) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-fast lint bench install install-dev chromium haproxy clean

$(BIN)/python:
	@scripts/ensure-python.sh "$(PYTHON)" "$(VENV)"

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, migrate the SQLite file under var/, load the demo, serve on 127.0.0.1:8000 with the job consumer.
demo: export DEBUG = 1
demo: $(VENV)/.installed
	$(BIN)/jalon migrate --noinput
	$(BIN)/jalon demo-data
	$(BIN)/jalon serve-demo

chromium:
	@scripts/ensure-chromium.sh

# The multi-node test (tests/ops/test_cluster.py, PostgreSQL) puts HAProxy in front of two nodes.
haproxy:
	@scripts/ensure-haproxy.sh

# pytest-xdist: one worker per core, each with its own test database; the tests of a module
# that loads the demo once stay together (see tests/conftest.py).
XDIST ?= -n auto --dist loadgroup

## make test: install, then the whole suite (unit, integration, browser). DATABASE_URL picks PostgreSQL.
test: $(VENV)/.installed-dev chromium haproxy
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

## make test-fast: everything but the browser tests (no Chromium needed).
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest $(XDIST) -m "not browser" $(PYTEST_ARGS)

## make lint: ruff, and the import layers of ARCHITECTURE.md (import-linter, [tool.importlinter]).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make bench: dataset (default 100k people) + gunicorn on loopback + ratios to bench/RESULTS.md.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/ $(VENV)

messages:  ## recompile the public page's translations (needs GNU gettext: apt-get install gettext)
	for lang in en es pt it; do msgfmt --check-format -o jalon/locale/$$lang/LC_MESSAGES/django.mo jalon/locale/$$lang/LC_MESSAGES/django.po; done
