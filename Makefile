# bilateral-kg: every target does its own set-up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= data/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run build test test-fast check clean bench bench-reconcile

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/pip || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: cannot create a virtual environment with $(PYTHON);" \
	       "on Debian: apt-get install python3-venv" >&2; exit 1; }; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@if [ -f package.json ]; then command -v npm >/dev/null || { \
	  echo "error: npm is needed for the pages' JavaScript; on Debian: apt-get install npm" >&2; \
	  exit 1; }; echo "npm ci --no-audit --no-fund"; npm ci --no-audit --no-fund; fi
	touch $@

# The JavaScript of the pages (YASGUI, and playwright-core for the browser test), from npm.
$(STAMP): $(wildcard package.json package-lock.json)

build: $(STAMP)
	$(BIN)/bilateral build --store $(STORE)

run: build
	$(BIN)/bilateral serve --store $(STORE) --host $(HOST) --port $(PORT)

# Python's bytecode and pytest's rewritten test modules are kept in __pycache__ (ignored by git)
# even where the environment says not to write them: compiling every module and rewriting every
# test module again took 3 s of CPU of each run of the fast loop.
test test-fast: export PYTHONDONTWRITEBYTECODE :=

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The loop to run while working: no servers, subprocesses, browsers, engines, fuzzers or whole
# builds beyond the seed graph (the markers in pyproject.toml); README "Development".
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Benchmarks with the peers (bench/README.md); never part of `make test`.
BENCH_TRIPLES ?= 1000000
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/run.py --triples $(BENCH_TRIPLES)
	$(BIN)/python bench/reconcile.py --reps 20
	$(BIN)/python bench/draft.py --reps 5

# Reconciliation beside datasette-reconcile alone (a minute).
bench-reconcile: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/reconcile.py --reps 20

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
