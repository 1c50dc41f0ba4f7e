# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,usid,dask,pack]"
	touch $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

## Run the GUI on the built-in demo dataset.
demo: system-deps $(STAMP)
	$(VENV)/bin/peakgui --demo

## Set up and run every test (Qt offscreen).
test: system-deps $(STAMP)
	$(PY) -m ruff check peakgui tests benchmarks
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check peakgui tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/bench_peaks.py
	$(PY) benchmarks/bench_run.py

clean:
	rm -rf build dist *.egg-info .pytest_cache
