# parkgeo: the two commands a fresh machine needs.
#   make demo   set up everything, build the demo park and every output into maps/
#   make test   set up everything, then ruff and the whole test suite
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint bench clean

setup:
	@VENV=$(VENV) ./scripts/setup.sh

demo: setup
	$(BIN)/parkgeo demo --out .
	@echo "outputs are in $(CURDIR)/maps/ (store: $(CURDIR)/park.gpkg)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) park.gpkg maps/*.html maps/*.png maps/*.docx .pytest_cache
