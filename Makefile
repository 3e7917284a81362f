# Two commands do all the set-up on a fresh machine with only Python 3.11:
#   make demo   install into .venv (if needed) and run the main job on the simulated market
#   make test   install into .venv (if needed) and run the test suite (slow benchmarks skipped)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.groupbuy-installed

.PHONY: install demo test test-all lint clean mlflow-ui

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: its CPU wheel lies on disk, a looser pin pulls the CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/groupbuy demo

test: install
	$(BIN)/python -m pytest -m "not slow" --nbmake tests notebooks $(PYTEST_ARGS)

test-all: install
	$(BIN)/python -m pytest --nbmake tests notebooks $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests experiments

mlflow-ui: install
	$(BIN)/mlflow ui --backend-store-uri sqlite:///mlflow/mlflow.db --host 127.0.0.1 --port 5000

clean:
	rm -rf outputs multirun mlflow .pytest_cache
