# Two commands set everything up on a fresh machine with Python 3.11 and pip:
#   make demo   - build .venv if missing, install, compare imbalance strategies on a
#                 real data set (balancekit bench --quick) and write the report
#   make test   - build .venv if missing, install, run the test suite (slow tests too)
#   make test-fast - the same without the tests marked `slow` (for local iterations)
#   make lint   - the pre-commit hooks on every file: ruff, ruff format, mypy, numpydoc
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install demo test test-fast lint docs bench clean

$(STAMP): pyproject.toml requirements/dev.txt requirements/oracles.txt
	@echo "== creating $(VENV) with $(PYTHON) (if missing)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "== upgrading pip in $(VENV)"
	$(BIN)/python -m pip install --upgrade pip
	@echo "== installing balancekit and its dev requirements (requirements/dev.txt:" \
	      "numpy, scikit-learn, imbalanced-learn, torch, tensorflow, matplotlib, ...);" \
	      "a few minutes on a fresh machine"
	$(BIN)/python -m pip install -r requirements/dev.txt
	@echo "== installing the test oracles without their dependencies (requirements/oracles.txt)"
	$(BIN)/python -m pip install --no-deps -r requirements/oracles.txt
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@echo "== balancekit bench --quick: one real data set, about 20 s on 2 cores"
	$(BIN)/balancekit bench --quick --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -m "not slow"

# .pre-commit-config.yaml: local hooks that run the venv's tools (on PATH here).
lint: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pre-commit run --all-files --show-diff-on-failure

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/python benchmarks/run_suite.py $(ARGS)

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
