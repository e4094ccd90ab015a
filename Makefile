# Flowport: `make serve` runs the server, `make test` runs the checks. Both set themselves up.
# The server is the `server` extra (the base distribution is only the Python SDK); `test` includes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: serve test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[server]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

serve: $(STAMP)
	$(BIN)/flowport serve --deploy-examples

# `test` runs every check; the others run one part of it (unit: the fast tests, no I/O).
test: lint typecheck unit
	bash .ci/system-packages
	$(BIN)/pytest -q --ignore=tests/unit

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	@# An import inside a function must say why on the line above (start-up cost), never dodge a cycle.
	@awk '/^[ \t]+(from|import) flowport/ && prev !~ /# lazy import:/ {print FILENAME ":" FNR ": import inside a function without a '"'"'# lazy import:'"'"' reason"; bad = 1} {prev = $$0} END {exit bad}' $$(find src -name '*.py')
	$(BIN)/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/pytest -q tests/unit

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
