"""The page's JavaScript tests (tests/js/*.test.mjs, node:test), run in Node as part of the suite."""

import subprocess
from pathlib import Path

JS_TESTS = sorted(Path(__file__).parent.glob("*.test.mjs"))


def test_the_page_modules_pass_their_node_tests():
    assert JS_TESTS, "no tests/js/*.test.mjs found"
    done = subprocess.run(["node", "--test", *JS_TESTS], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
