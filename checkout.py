"""Where the parts of Digit are in a checkout: the one place that the tools, the benchmark and the tests find
them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
FUNCTION_SOURCE = ROOT / "function" / "main.py"
# The function's own environment, built from function/requirements.txt alone as Cloud Functions builds it
# (`make function-env`, the Makefile's FUNCTION_VENV: tests/unit/test_shared_values.py checks that they agree).
FUNCTION_ENV = ROOT / ".venv-function"
# make demo's environment (the Makefile's DEMO_VENV): function/requirements.txt and local/requirements.txt.
DEMO_ENV = ROOT / ".venv-demo"
WEIGHTS = ROOT / "weights"  # the committed model version
SITE = ROOT / "site"  # the page; the demo and deploy.sh stage a copy of it with a config.js, never writing here
README = ROOT / "README.md"
PERFORMANCE = ROOT / "docs" / "performance.md"  # `make bench` writes its table here
