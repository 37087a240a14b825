# venturesim — the commands a fresh machine needs: `make demo`, `make test` and `make lint`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast test-profile lint format bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

## Run the default scenario: print the summary and write out/demo/report.html
demo: $(STAMP)
	$(BIN)/venturesim run scenarios/seed_stage_api.yaml --paths 20000 --out out/demo --force

# JAX's compiled programs are kept between test runs here (XLA's own keys: a changed program compiles again);
# `make test VENTURESIM_TEST_COMPILE_CACHE=off` compiles everything, as a fresh CI machine does.
VENTURESIM_TEST_COMPILE_CACHE ?= $(CURDIR)/.pytest_cache/venturesim-jax
export VENTURESIM_TEST_COMPILE_CACHE

## Run the whole test suite (slow statistical tests included), one worker per core, a file per worker
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

## Tests without the slow ones
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"

## The whole suite with per-file wall, CPU and compile times (table: benchmarks/test_times.py; docs/performance.md);
## refreshes tests/xdist_costs.json, the costs by which the workers get the costliest files first (tests/conftest.py)
test-profile: $(STAMP)
	rm -f out/test-times.*.json && mkdir -p out
	VENTURESIM_TEST_PROFILE=out/test-times $(BIN)/python -m pytest -q -n 2 --dist loadfile
	$(BIN)/python benchmarks/test_times.py out/test-times --costs tests/xdist_costs.json

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
