# portalroi — two commands: `make demo` and `make test`. Both set up .venv/ themselves.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test lint typecheck unit docs clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || { echo "error: $(PY) not found; install Python 3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev,spark,postgres]'
	$(BIN)/python -m compileall -q -j 0 src
	touch $(STAMP)

setup: $(STAMP)

## Debian packages the reports, Excel recalculation and browser tests need (idempotent).
system-deps:
	bash scripts/system-deps.sh

demo: setup
	$(BIN)/portalroi demo

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: setup
	$(BIN)/mypy

unit: setup system-deps
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck unit

docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache portalroi.duckdb portalroi-demo
