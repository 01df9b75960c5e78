# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
SAMPLE := src/ficnlp/data/sample/the-night-shift.txt

.PHONY: demo test install eval bench train lint lexicon clean

$(BIN)/ficnlp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,train,dev]'
	touch $(BIN)/ficnlp

install: $(BIN)/ficnlp

demo: install
	$(BIN)/ficnlp analyze $(SAMPLE) --json demo-output.json --html demo-report.html --force
	@echo "Full analysis: demo-output.json; report (open in a browser): demo-report.html"

test: install
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/ficnlp eval all --shared $(SHARED) --update-docs docs/benchmarks.md

bench: install
	$(BIN)/python scripts/bench.py --shared $(SHARED) --update-docs docs/benchmarks.md

train: install
	$(BIN)/ficnlp train --shared $(SHARED)

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy src/ficnlp

lexicon: install
	$(BIN)/python -m pip install --quiet '.[build]'
	$(BIN)/python scripts/build_lexicon.py
	$(BIN)/python scripts/build_given_names.py

clean:
	rm -rf $(VENV) build dist .pytest_cache demo-output.json demo-report.html
