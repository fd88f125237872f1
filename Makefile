# Two commands are the contract (README): `make run` and `make test`.
# Both create .venv on first use: torch from the local CPU wheel first (so no
# CUDA packages are pulled), pyradiomics built from source, then the package.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all
PYTHON ?= python3

.PHONY: setup run report reference docs test lint bench mutation coverage clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q numpy==2.4.6 setuptools wheel versioneer
	$(BIN)/pip install -q --no-build-isolation pyradiomics==3.0.1
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/snakemake --cores $(CORES)
	$(MAKE) report

report: setup
	$(BIN)/snakemake --report results/report.html

lint: setup
	$(BIN)/ruff check src tests workflow/scripts benchmarks
	$(BIN)/ruff format --check src tests workflow/scripts benchmarks
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

# The configuration reference and table of measures of the documentation, written from the registrations.
REFERENCE := docs/configuration.md docs/measures.md
reference: setup
	$(BIN)/python -m difficulty.pipeline.reference $(REFERENCE)

# The documentation site (mkdocs-material), built offline into site/; --strict: a broken link fails.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The tests on every core, one file per worker, the longest file first (tests/conftest.py).
PYTEST_WORKERS := -n auto --dist loadfile --no-loadscope-reorder
test: setup
	$(BIN)/pytest $(PYTEST_WORKERS)
	$(MAKE) lint

bench: setup
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_deep.py

# Not part of `make test` (hours): mutation testing of the core modules, each with its own tests
# (benchmarks/mutation.sh --list; MODULES=analysis/statistics.py for one), and line coverage of src/.
MODULES ?= --all
mutation: setup
	PYTHON=$(BIN)/python nice -n 10 benchmarks/mutation.sh $(MODULES)

coverage: setup
	$(BIN)/pytest $(PYTEST_WORKERS) --cov --cov-report=term-missing

clean:
	rm -rf results/* .snakemake site
