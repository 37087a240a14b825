# venturesim — the commands a fresh machine needs: `make demo`, `make test` and `make lint`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast test-profile lint format bench docs docs-check clean browser

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

## Headless Chromium for tests/report/test_browser.py: installed with apt where this runs as root with apt-get,
## otherwise a line saying how (the test then skips); never fails the build
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (apt-get) for the report's browser test"; \
	  (apt-get install -y -q chromium >/dev/null 2>&1 \
	    || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	  || echo "could not install chromium; tests/report/test_browser.py will skip"; \
	else echo "no chromium: tests/report/test_browser.py will skip (install it: sudo apt-get install chromium)"; fi

## Run the whole test suite (slow statistical tests included), one worker per core, a file per worker
test: $(STAMP) browser
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

## Regenerate the YAML reference from the schema, and the tutorials' printed outputs from a fresh run of their
## code blocks (tests/docs_runner.py; tests/test_docs.py fails while a tutorial's output is stale)
TUTORIALS := $(wildcard docs/tutorial-*.md)
docs: $(STAMP)
	$(BIN)/python -m venturesim.scenario.reference > docs/yaml-reference.md
	$(BIN)/python tests/docs_runner.py update $(TUTORIALS)

## Check that the tutorials' printed outputs are those of a fresh run (about 6 CPU minutes)
docs-check: $(STAMP)
	VENTURESIM_DOCS_CHECK=1 $(BIN)/python -m pytest -q -p no:xdist tests/test_docs.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .mypy_cache .ruff_cache
