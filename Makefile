# Two commands matter: `make test` and `make demo`. Everything else is here for convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The function's own environment: function/requirements.txt alone, as Cloud Functions installs it. The tests,
# the benchmark and make screenshot serve the function from it (local/services.py, FUNCTION_ENV).
FUNCTION_VENV := .venv-function
FUNCTION_INSTALLED := $(FUNCTION_VENV)/.installed
# The demo's: function/requirements.txt and the local storage server (local/requirements.txt), nothing of
# training, so that trying Digit does not install TensorFlow. The demo serves the function from it too: one
# environment to build, not two.
DEMO_VENV := .venv-demo
DEMO_INSTALLED := $(DEMO_VENV)/.installed

.PHONY: test lint tools function-env demo-env demo fuzz bench screenshot train clean

# The virtual environments, each rebuilt whenever its requirements change.
$(INSTALLED): requirements.txt local/requirements.txt function/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(FUNCTION_INSTALLED): function/requirements.txt
	test -x $(FUNCTION_VENV)/bin/python || $(PYTHON) -m venv $(FUNCTION_VENV)
	$(FUNCTION_VENV)/bin/pip install --quiet -r function/requirements.txt
	touch $@

function-env: $(FUNCTION_INSTALLED)

$(DEMO_INSTALLED): local/requirements.txt function/requirements.txt pyproject.toml
	test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/pip install --quiet -r local/requirements.txt -e .
	touch $@

demo-env: $(DEMO_INSTALLED)

# The tests run the demo as make demo does, from its own environment.
test: $(INSTALLED) $(FUNCTION_INSTALLED) $(DEMO_INSTALLED) lint tools
	$(BIN)/python -m pytest

# Commands the tests run besides Python, as command:package: Chromium for the browser tests (Playwright is
# pointed at /usr/bin/chromium and never downloads a browser), Node for the page's modules, shellcheck for
# deploy.sh, and curl for the demo's example and deploy.sh check; and Debian's handwriting fonts, whose digits
# training draws (train/synthetic.py). A fresh machine gets them from its package manager.
TOOLS := chromium:chromium node:nodejs shellcheck:shellcheck curl:curl
FONTS := fonts-dkg-handwriting fonts-breip fonts-bwht fonts-femkeklaver fonts-humor-sans fonts-comic-neue \
	fonts-dancingscript
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
tools:
	@missing="$$(for tool in $(TOOLS); do command -v $${tool%%:*} >/dev/null || echo $${tool#*:}; done; \
		for font in $(FONTS); do dpkg -s $$font >/dev/null 2>&1 || echo $$font; done)"; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null || { echo "make needs:" $$missing; exit 1; }; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The full fuzzing run: 10,000 generated hostile requests through the real server (`make test` sends 400).
fuzz: $(INSTALLED) $(FUNCTION_INSTALLED)
	FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/integration/test_fuzz.py -s

# The benchmark: cold start, warm latency, batch, concurrency and the page, against references measured in
# the same run; it rewrites the table in docs/performance.md (about seven minutes: four of them drawing on the page).
bench: $(INSTALLED) $(FUNCTION_INSTALLED)
	$(BIN)/python -m bench

# Digit on this machine until Ctrl-C (local/__main__.py). Ports that are taken can be moved, e.g.
# make demo SITE_PORT=8001 FUNCTION_PORT=8081 STORAGE_PORT=9024; only those given are passed on, the
# defaults are the module's own.
DEMO_PORTS = $(strip $(addprefix --storage-port=,$(STORAGE_PORT)) $(addprefix --function-port=,$(FUNCTION_PORT)) \
	$(addprefix --site-port=,$(SITE_PORT)))

demo: $(DEMO_INSTALLED)
	$(DEMO_VENV)/bin/python -m local $(DEMO_PORTS)

# The README's screenshot, taken from the real page with a number drawn (the tests never rewrite it).
screenshot: $(INSTALLED) $(FUNCTION_INSTALLED) tools
	$(BIN)/python -m local.screenshot docs/screenshot.png

# Retrain the default model into weights/ (ARGS="--arch mlp", ARGS="--data ~/mnist.npz", ...): about 12 minutes on 2 cores.
train: $(INSTALLED) tools
	$(BIN)/python -m train $(ARGS)

clean:
	rm -rf $(VENV) $(FUNCTION_VENV) $(DEMO_VENV) reports .pytest_cache .ruff_cache
