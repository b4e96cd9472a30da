# The two commands of the README: `make demo` (check the bundled district) and `make test`.
# Each sets up what it needs first: a virtualenv with the project and its dev tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
AS_OF ?=

.PHONY: demo test lint bench load examples golden clean system charts reliability

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# graphviz and the CJK font the charts need, Info-ZIP's `zip` (tests/input/readers/test_csv_tables_zip.py
# zips CSV tables with it, as Linux and macOS users do) and Chromium the browser tests of the pages drive (Debian packages),
# installed only when missing. Runs apt-get as the current user: root on these machines (use sudo elsewhere).
# The print tests (tests/report/test_*_print.py) print the xlsx report with LibreOffice and read PDFs back with poppler.
system:
	@if ! command -v dot >/dev/null || ! command -v fc-list >/dev/null || ! fc-list 'Noto Sans CJK SC' | grep -q . \
		|| ! command -v zip >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq graphviz fonts-noto-cjk zip; fi
	@if [ ! -x /usr/bin/chromium ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi
	@if ! command -v soffice >/dev/null || ! command -v pdfinfo >/dev/null || ! command -v pdftoppm >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui poppler-utils; fi

# Exit code 1 means "findings"; that is the expected outcome of the demo, not a failure.
demo: system $(BIN)/.installed
	$(BIN)/orgmodel check examples/chongchuan/ $(if $(AS_OF),--as-of $(AS_OF)) --format table; test $$? -le 1

lint: $(BIN)/.installed
	$(BIN)/ruff check orgmodel api tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test: system lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python -m orgmodel.dev.bench --communities 10000 100000 --repeat 9

# The service under load: Debian's wrk against `orgmodel serve` on loopback (wrk installed when missing).
load: $(BIN)/.installed
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python scripts/load_test.py

# docs/reliability.md, every section (hostile files, concurrent writers, job kills, cross-region leaks,
# schemathesis) by scripts/reliability.py; needs PostgreSQL for its rows (skipped with the reason otherwise).
# `make reliability K=2 EXAMPLES=5` for a quick run, `ONLY=hostile,jobs` for a subset.
K ?= 5
EXAMPLES ?= 25
ONLY ?=
reliability: $(BIN)/.installed
	$(BIN)/python scripts/reliability.py --k $(K) --examples $(EXAMPLES) $(if $(ONLY),--only $(ONLY))

# Regenerate the bundled examples (the district as CSV and as JSON).
examples: $(BIN)/.installed
	$(BIN)/python -m orgmodel.dev.synth district examples/chongchuan
	$(BIN)/python -m orgmodel.convert examples/chongchuan examples/chongchuan.json

# Regenerate the committed charts: the district's overview and two community charts.
charts: system $(BIN)/.installed
	$(BIN)/orgmodel render examples/chongchuan --region 320602 --as-of 2026-11-25 -o examples/charts/chongchuan-320602.svg
	$(BIN)/orgmodel render examples/chongchuan --community 320602006006 --as-of 2026-11-25 -o examples/charts/chongchuan-320602006006.svg
	$(BIN)/orgmodel render examples/hongqiao.json --community 320602001001 --as-of 2026-11-25 -o examples/charts/hongqiao-320602001001.svg

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The golden report of the example district (tests/test_golden.py compares against it).
golden: $(BIN)/.installed
	$(BIN)/orgmodel check examples/chongchuan --as-of 2026-11-25 --format json -o tests/golden/chongchuan-report.json; test $$? -le 1
