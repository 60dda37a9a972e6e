# Two commands a new user needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint demo bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.run-installed

## run: install, migrate the embedded SQLite database and serve on http://127.0.0.1:8000
run: $(VENV)/.run-installed
	$(BIN)/mediamonitor db upgrade
	$(BIN)/mediamonitor serve

## test: lint, type-check and run the test suite
test: lint
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

## demo: serve a bundled fictional news site on 127.0.0.1, collect from it, print counts
demo: $(VENV)/.run-installed
	$(BIN)/python -m demo

## bench: benchmarks (not part of `make test`); installs the peers they compare with
bench: $(VENV)/.dev-installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/collect.py

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
