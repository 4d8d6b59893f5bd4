PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format bench migrate check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

# With a .env or any SLACK_* setting: the bot. With neither: the local playground, the real
# bot against a fake Slack in the browser (`make run PLAYGROUND_ARGS=` starts it empty).
PLAYGROUND_ARGS ?= --demo
run: $(STAMP)
	@if [ -f .env ] || env | grep -q '^SLACK_'; then \
		$(BIN)/python -m bot migrate && $(BIN)/python -m bot; \
	else \
		echo "No .env and no SLACK_* settings: starting the playground (README: Try it)."; \
		$(BIN)/python -m bot playground $(PLAYGROUND_ARGS); \
	fi

# The second pytest reruns the tests whose SQL can differ by dialect (marked both_databases)
# on a throwaway PostgreSQL cluster; without PostgreSQL's server binaries it skips them,
# saying how to enable them.
# Both run on pytest-xdist workers, one more than the cores: a worker waiting on a bot
# process, a browser or a server lends its core to the others (on 2 cores: 3 workers, 3 min 6 s
# for the SQLite pass against 3 min 35 s with 2). `make test PYTEST_WORKERS=0`: one process.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# Bytecode caches on for the tests, whatever the shell sets: with PYTHONDONTWRITEBYTECODE
# each worker of each pass rewrites and compiles every test module again (about 8 s of CPU
# a worker), and so does every process the tests start that inherits the setting.
test: export PYTHONDONTWRITEBYTECODE :=
test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --db=postgresql

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole benchmark takes a few minutes; `make bench BENCH_ARGS=--quick` well under one.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

check: $(STAMP)
	$(BIN)/python -m bot check

clean:
	rm -rf $(VENV) build *.egg-info
