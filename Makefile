# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pyUSID and BGlib, to prove they read PeakGUI's results, live in their own environment: they
# need numpy < 2 and pull in numba (sidpy -> dask-ml), which PeakGUI's environment must not have
INTEROP := .venv-interop
INTEROP_STAMP := $(INTEROP)/.installed

.PHONY: demo test lint bench system-deps clean dist deb test-frozen

# setup.py and the Cython sources too: an edited kernel is recompiled by the next make target
$(STAMP): pyproject.toml setup.py $(shell find peakgui -name '*.pyx')
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dask,pack]"
	touch $(STAMP)

$(INTEROP_STAMP): packaging/interop-requirements.txt
	$(PYTHON) -m venv $(INTEROP)
	$(INTEROP)/bin/python -m pip install --quiet --upgrade pip
	$(INTEROP)/bin/python -m pip install --quiet --no-deps -r packaging/interop-requirements.txt
	touch $(INTEROP_STAMP)

system-deps:
	bash scripts/install-system-deps.sh

## Run the GUI on the built-in demo dataset.
demo: system-deps $(STAMP)
	$(VENV)/bin/peakgui --demo

## Set up and run every test (Qt offscreen).
test: system-deps $(STAMP) $(INTEROP_STAMP)
	$(PY) -m ruff check peakgui tests benchmarks
	$(VENV)/bin/lint-imports
	$(PY) -m mypy peakgui
	QT_QPA_PLATFORM=offscreen PEAKGUI_INTEROP_PYTHON=$(INTEROP)/bin/python $(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check peakgui tests benchmarks
	$(PY) -m mypy peakgui

bench: $(STAMP)
	$(PY) benchmarks/bench_peaks.py
	$(PY) benchmarks/bench_run.py

## Frozen one-folder bundle dist/peakgui with both programs (PyInstaller; packaging/README.md).
dist: system-deps $(STAMP)
	bash packaging/install-build-deps.sh
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist \
	    --workpath build/pyinstaller packaging/peakgui.spec

## Debian package dist/peakgui_VERSION_ARCH.deb of the bundle.
deb: dist
	$(PY) packaging/build_deb.py

## Build the bundle and the .deb, then test them (as root also dpkg -i / -r); fails if a build fails.
test-frozen: deb
	$(PY) -m ruff check packaging
	PEAKGUI_FROZEN_TESTS=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/packaging

clean:
	rm -rf build dist *.egg-info .pytest_cache
