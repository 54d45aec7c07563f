# Two commands on a fresh clone: `make run` and `make test`. Only python3, pip and make are assumed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/smarter-export serve --demo

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Minutes, not part of `make test`: every figure of the README's Benchmarks section, side by side.
bench: $(STAMP)
	$(BIN)/python benchmarks/export_bench.py --only csv,excel,pdf,parquet,jsonl
	$(BIN)/python benchmarks/export_bench.py --rows 5000000 --only csv --repeat 1
	$(BIN)/python benchmarks/pg_bench.py
	$(BIN)/python benchmarks/service_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
