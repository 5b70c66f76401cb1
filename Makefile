# Two commands matter: `make test` and `make demo`. Everything else is here for convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: test lint system-packages screenshot train clean

# The virtual environment, rebuilt whenever a requirements file changes.
$(INSTALLED): requirements.txt function/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

test: $(INSTALLED) lint system-packages
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The tests drive Debian's Chromium (Playwright is pointed at /usr/bin/chromium: never a browser download)
# and run the page's modules in Node; both come from apt when missing.
system-packages:
	@command -v chromium >/dev/null && command -v node >/dev/null || { \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium nodejs; }

# The README's screenshot, taken from the real page with a digit drawn (the tests never rewrite it).
screenshot: $(INSTALLED) system-packages
	$(BIN)/python -m local.screenshot docs/screenshot.png

# Retrain the default model into weights/ (ARGS="--arch mlp", ARGS="--data ~/mnist.npz", ...).
train: $(INSTALLED)
	$(BIN)/python -m train $(ARGS)

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
