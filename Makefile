# Two commands set everything up on a fresh machine:
#   make demo   install into .venv and screen the example patients against the example trials
#   make test   install into .venv (with test extras) and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

demo: install
	$(BIN)/msmatch demo

test: install-test
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_compile.py

clean:
	rm -rf $(VENV) build *.egg-info
