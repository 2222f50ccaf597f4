# The two README commands and what they build on. Every target is idempotent: run it again and it only redoes
# what changed (a new venv, new Python or npm dependencies, edited TypeScript).
#
#   make lab    set everything up, seed the demo workspace, start JupyterLab on 127.0.0.1
#   make test   set everything up, run pytest, the frontend checks and the browser tests (installs Chromium from
#               apt if missing)
#   make bench  every benchmark (tracking and serving against MLflow, in their own venv .venv-bench), results in
#               benchmarks/results/, then one table of every case (also written into README.md)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.mlext-installed
FRONTEND := jupyter_mlext/labextension/package.json
DEMO_WORKSPACE := $(CURDIR)/demo/workspace
PORT ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab demo test checks python-checks pytest frontend-checks ui-tests screenshots bench

setup: $(INSTALLED) $(FRONTEND)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Editable install: the Python package with its test and dev extras, the labextension linked into the venv,
# and the server extension enabled.
$(INSTALLED): $(BIN)/python pyproject.toml package.json yarn.lock
	$(BIN)/pip install --quiet -e '.[test,dev]'
	$(BIN)/jupyter-builder develop --overwrite .
	$(BIN)/jupyter server extension enable --sys-prefix jupyter_mlext
	touch $@

# The prebuilt labextension, rebuilt when the TypeScript or styles change.
$(FRONTEND): $(INSTALLED) $(shell find src style -type f) tsconfig.json
	PATH="$(BIN):$$PATH" jlpm install --immutable
	PATH="$(BIN):$$PATH" jlpm build
	touch $@

demo: setup
	MLEXT_WORKSPACE=$(DEMO_WORKSPACE) $(BIN)/python examples/seed_demo.py

lab: demo
	MLEXT_WORKSPACE=$(DEMO_WORKSPACE) $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/examples/quickstart.ipynb $(ROOT_FLAG)

test: checks pytest ui-tests

# Lint, format, types and the import contracts of the Python package; then the same for the frontend.
checks: python-checks frontend-checks

python-checks: setup
	$(BIN)/ruff check jupyter_mlext tests benchmarks examples ui-tests/seed_perf.py
	$(BIN)/ruff format --check jupyter_mlext tests benchmarks examples ui-tests/seed_perf.py
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest

# src/api/schema.d.ts up to date with api/openapi.yaml, eslint and prettier clean, the jest unit tests.
frontend-checks: setup
	PATH="$(BIN):$$PATH" jlpm check:api
	PATH="$(BIN):$$PATH" jlpm lint
	PATH="$(BIN):$$PATH" jlpm test

ui-tests: setup
	PATH="$(BIN):$$PATH" bash scripts/ui-tests.sh

# The UI tests, writing the README's screenshots into docs/screenshots.
screenshots: setup
	PATH="$(BIN):$$PATH" bash scripts/ui-tests.sh --screenshots

bench: $(FRONTEND)
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet -e '.[bench,test,dask]'
	for name in tracking metric_blocks compute notebook serving pipelines; do \
		.venv-bench/bin/python benchmarks/bench_$$name.py; done
	PATH="$(BIN):$$PATH" bash scripts/ui-tests.sh --perf
	.venv-bench/bin/python benchmarks/summary.py --readme README.md
