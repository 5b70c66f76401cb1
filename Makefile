# Two commands matter: `make test` and `make demo`. Everything else is here for convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: test lint fuzz bench train clean

# The virtual environment, rebuilt whenever a requirements file changes.
$(INSTALLED): requirements.txt function/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

test: $(INSTALLED) lint
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The full fuzzing run: 10,000 generated hostile requests through the real server (`make test` sends 400).
fuzz: $(INSTALLED)
	FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/integration/test_fuzz.py -s

# The benchmark: cold start, warm latency, batch, concurrency and the page, against references measured in
# the same run; it rewrites the table in README.md (about 2 minutes).
bench: $(INSTALLED)
	$(BIN)/python -m bench

# Retrain the default model into weights/ (ARGS="--arch mlp", ARGS="--data ~/mnist.npz", ...).
train: $(INSTALLED)
	$(BIN)/python -m train $(ARGS)

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
