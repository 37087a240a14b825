# venturesim — the commands a fresh machine needs: `make demo`, `make test` and `make lint`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint format bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

## Run the default scenario: print the summary and write out/demo/report.html
demo: $(STAMP)
	$(BIN)/venturesim run scenarios/seed_stage_api.yaml --paths 20000 --out out/demo --force

## Run the whole test suite (slow statistical tests included), one worker per core, a file per worker
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

## Tests without the slow ones
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"

## Lint (ruff), formatting check (ruff format) and types (mypy); configured in pyproject.toml
LINTED := venturesim tests benchmarks
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy venturesim

## Apply the formatter and ruff's safe fixes
format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

## Speed and memory benchmarks (figures go to docs/performance.md by hand)
bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

## Regenerate the YAML reference from the schema
docs: $(STAMP)
	$(BIN)/python -m venturesim.scenario.reference > docs/yaml-reference.md

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .mypy_cache .ruff_cache
