"""Run by the function's own Python, in a fresh process, with function/ on its path, as a cold start runs:
how long the function's imports take, and the forward pass of one image alone (median seconds), with the BLAS
threads main.py sets. Prints one JSON object. bench/__main__.py runs it as
`.venv-function/bin/python bench/in_function_env.py WEIGHTS_FOLDER CALLS`."""

import time

started = time.perf_counter()
import functions_framework  # noqa: E402, F401

framework = time.perf_counter()
import main  # noqa: E402, F401  (everything the function imports, and its BLAS setting)

imported = time.perf_counter()

import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from digit import model  # noqa: E402
from digit.selfcheck import reference_inputs  # noqa: E402

folder, count = Path(sys.argv[1]), int(sys.argv[2])
classifier = model.from_folder(folder)
image = reference_inputs(0, 1)
calls = []
for _ in range(count):
    began = time.perf_counter()
    classifier.probabilities(image)
    calls.append(time.perf_counter() - began)
print(
    json.dumps(
        {"framework": framework - started, "function": imported - framework, "forward pass": statistics.median(calls)}
    )
)
