# Two commands matter: `make test` and `make demo`. Everything else is here for convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: test lint tools screenshot train clean

# The virtual environment, rebuilt whenever a requirements file changes.
$(INSTALLED): requirements.txt function/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

test: $(INSTALLED) lint tools
	$(BIN)/python -m pytest

# Commands the tests run besides Python, as command:package: Chromium for the browser tests (Playwright is
# pointed at /usr/bin/chromium and never downloads a browser) and Node for the page's modules. A fresh
# machine gets them from its package manager.
TOOLS := chromium:chromium node:nodejs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
tools:
	@missing="$$(for tool in $(TOOLS); do command -v $${tool%%:*} >/dev/null || echo $${tool#*:}; done)"; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null || { echo "make test needs:" $$missing; exit 1; }; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The README's screenshot, taken from the real page with a digit drawn (the tests never rewrite it).
screenshot: $(INSTALLED) tools
	$(BIN)/python -m local.screenshot docs/screenshot.png

# Retrain the default model into weights/ (ARGS="--arch mlp", ARGS="--data ~/mnist.npz", ...).
train: $(INSTALLED)
	$(BIN)/python -m train $(ARGS)

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
