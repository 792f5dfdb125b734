# topics: every step from a fresh clone. `make` alone lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install figures test test-browser lint format lab bench lock clean

## Show this list of targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$1,t,":"); printf "  make %-9s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test,dev]"
	@touch $(STAMP)

## Create .venv and install the package with the pinned versions in requirements.lock
install: $(STAMP)

## Regenerate every figure in figures/ from data/raw (creates .venv if needed)
figures: $(STAMP)
	$(BIN)/topics figures

## Run the whole test suite, notebooks included (creates .venv if needed)
test: $(STAMP)
	$(BIN)/python -m pytest --nbmake --nbmake-timeout=300 --doctest-modules topics tests notebooks

## Test figures/ldavis.html in a real Chromium, offline (apt-get install chromium first; .ci/run does)
test-browser: $(VENV)/.browser-stamp
	$(BIN)/python -m pytest -v -rs tests/test_browser.py

$(VENV)/.browser-stamp: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[browser]"
	@touch $@

## Check the code with ruff
lint: $(STAMP)
	$(BIN)/ruff check topics tests benchmarks
	$(BIN)/ruff format --check topics tests benchmarks

## Format the code with ruff
format: $(STAMP)
	$(BIN)/ruff format topics tests benchmarks

## Start JupyterLab in the project's environment with the notebooks open
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## Run the benchmark scripts and print their figures
bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## Re-pin requirements.lock from the current .venv, browser extra included (after changing dependencies)
lock: $(VENV)/.browser-stamp
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^topics' > requirements.lock

## Remove derived data, caches and figures (data/raw is never touched)
clean:
	rm -rf data/processed data/interim data/runs .pytest_cache
