# One entry point for the checks, locally and in CI.
PY ?= .venv/bin/python

.PHONY: setup run test lint check bench

setup:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'

run:
	.venv/bin/counter

test:
	$(PY) -m pytest

lint:
	.venv/bin/ruff check counter_app printing sync tests bench
	.venv/bin/ruff format --check counter_app printing sync
	.venv/bin/lint-imports
	.venv/bin/mypy

check: lint test

bench:
	$(PY) bench/bench_core.py
	$(PY) bench/bench_printing.py
	$(PY) bench/bench_tui.py
	$(PY) bench/bench_sync.py
