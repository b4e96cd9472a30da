# The two commands of the README: `make demo` (check the bundled district) and `make test`.
# Each sets up what it needs first: a virtualenv with the project and its dev tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
AS_OF ?=

.PHONY: demo test lint bench examples golden clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Exit code 1 means "findings"; that is the expected outcome of the demo, not a failure.
demo: $(BIN)/.installed
	$(BIN)/orgmodel check examples/chongchuan/ $(if $(AS_OF),--as-of $(AS_OF)) --format table; test $$? -le 1

lint: $(BIN)/.installed
	$(BIN)/ruff check orgmodel api tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python -m orgmodel.bench --communities 10000 100000

# Regenerate the bundled examples (the district as CSV and as JSON).
examples: $(BIN)/.installed
	$(BIN)/python -m orgmodel.synth district examples/chongchuan
	$(BIN)/python -m orgmodel.convert examples/chongchuan examples/chongchuan.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The golden report of the example district (tests/test_golden.py compares against it).
golden: $(BIN)/.installed
	$(BIN)/orgmodel check examples/chongchuan --as-of 2026-11-25 --format json -o tests/golden/chongchuan-report.json; test $$? -le 1
