# Shortcuts for developers; the README's two commands need none of this.
PY ?= .venv/bin/python

.PHONY: install test lint format serve bench ci

install:
	python3 -m venv .venv && .venv/bin/pip install -e ".[test]"

test:
	$(PY) -m pytest

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format:
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

serve:
	.venv/bin/wikicoop run --debug

bench:
	$(PY) bench/bench_core.py

ci:
	bash .ci/run
