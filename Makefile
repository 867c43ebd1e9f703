# Two commands on a fresh machine: `make run` (the whole project) and `make test` (lint and tests).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The first Python >= 3.12 on PATH (pyenv reads .python-version here).
PYTHON := $(shell for p in python3.12 python3.13 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)

# Label Studio for the round-trip test (tests/test_labelstudio_server.py): its own venv, since it pins its
# own Django stack (about 1 GB, 95 s to install); the project talks to it over HTTP only.
LS_VENV := .venv-labelstudio
LS_VERSION := 1.23.2
LS_STAMP := $(LS_VENV)/.installed-$(LS_VERSION)

.PHONY: install test lint run clean labelstudio

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: Python >= 3.12 not found (hazm 0.12.1 needs it); install it or run 'pyenv install 3.12'" >&2; exit 1; fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench,distributed]"
	@touch $(STAMP)

install: $(STAMP)

$(LS_STAMP):
	@if [ -z "$(PYTHON)" ]; then echo "error: Python >= 3.12 not found" >&2; exit 1; fi
	@[ -x $(LS_VENV)/bin/python ] || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet "label-studio==$(LS_VERSION)"
	$(LS_VENV)/bin/label-studio version >/dev/null
	@touch $(LS_STAMP)

# a data dir where the server has started once: the test's server starts from a copy in seconds
LS_TEMPLATE := $(LS_VENV)/data-template/.ready
$(LS_TEMPLATE): $(LS_STAMP) | install
	$(BIN)/python -m tests.labelstudio_helpers

labelstudio: $(LS_STAMP) $(LS_TEMPLATE)

# ruff, and deptry: every import is declared in pyproject.toml (the one home of the dependency list)
lint: install
	$(BIN)/ruff check persian_ie scripts tests
	$(BIN)/deptry .

# pytest exits 5 when it collects no tests: that is a failure, not a pass.
test: lint
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$status

# the `all` workflow, step by step, with each step's duration in training/benchmarks/steps.json
run: install
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python scripts/run_workflow.py all

clean:
	rm -rf training packages
