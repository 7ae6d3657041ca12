# Two commands: `make run` and `make test`. Both set up .venv on first use (Python 3.11 or newer).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RAW ?= raw
OUT ?= output
JOBS ?=

# A make variable as one shell word: spaces, quotes and $ in paths survive.
quote = '$(subst ','\'',$(1))'

# What a working .venv answers: its Python's version, once every package is installed. The
# set-up writes the answer into the stamp when it finishes; a set-up that failed halfway, a
# .venv built for another Python or one whose Python is gone answers otherwise (or not at
# all), and the .venv is rebuilt.
VENV_STATE_CMD := import sys, importlib.util as u; \
  print(sys.version.split()[0] if all(u.find_spec(m) for m in ("pyarrow", "sudachipy", "sudachidict_core", \
  "pdfplumber", "xlsxwriter", "ahocorasick_rs", "openpyxl", "lxml", "pytest")) else "incomplete")
ifneq ($(strip $(shell $(PY) -c '$(VENV_STATE_CMD)' 2>/dev/null)),$(strip $(file < $(STAMP))))
$(STAMP): FORCE
endif

.PHONY: run test fuzz bench lint setup clean distclean fixtures FORCE

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: this project needs Python 3.11 or newer, and '$(PYTHON)' is" \
	    "$$($(PYTHON) --version 2>&1 || echo 'not found')."; \
	  echo "Install Python 3.11 or newer, then run make again with PYTHON=python3.11 (or its full path)."; \
	  exit 1; }
	@echo "setting up $(VENV) (about 670 MB: the Japanese dictionary and pyarrow are most of it)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -c '$(VENV_STATE_CMD)' > $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run --out $(call quote,$(OUT)) $(if $(JOBS),--jobs $(call quote,$(JOBS))) -- $(call quote,$(RAW))

test: $(STAMP)
	$(PY) -m pytest

# The generated-announcement oracle (tests/test_generated.py) for many more seeds than `make test`
# runs, with the module's xfail mark ignored so that every failure shows, one line each:
# `make fuzz`, `make fuzz FUZZ_SEEDS=2000`. A failing seed: `$(PY) tests/announcements.py SEED`.
FUZZ_SEEDS ?= 500
fuzz: $(STAMP)
	FUZZ_SEEDS=$(call quote,$(FUZZ_SEEDS)) $(PY) -m pytest tests/test_generated.py --tb=line

bench: $(STAMP)
	$(PY) bench/run_bench.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

fixtures: $(STAMP)
	$(PY) tests/fixtures/make_pdf_fixtures.py

clean:
	@echo "removing $(OUT)/.cache (the cache of per-document results; the tables in $(OUT) stay)"
	@echo "removing Python, pytest and ruff caches (__pycache__, .pytest_cache, .ruff_cache)"
	rm -rf $(call quote,$(OUT)/.cache) .pytest_cache .ruff_cache
	find pipeline tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
	@echo "kept $(VENV) (make distclean removes it too)"

distclean: clean
	@echo "removing $(VENV) (the next make run or make test sets it up again)"
	rm -rf $(VENV)
