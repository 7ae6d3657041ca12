# Two commands: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RAW ?= raw
OUT ?= output
JOBS ?=

.PHONY: run test bench lint setup clean fixtures

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run $(RAW) --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/run_bench.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

fixtures: $(STAMP)
	$(PY) tests/fixtures/make_pdf_fixtures.py

clean:
	rm -rf $(VENV) $(OUT)/.cache
