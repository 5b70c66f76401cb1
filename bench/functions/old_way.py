"""The earlier system's serving path, kept only to be measured against: the same model and the same parsing
as function/main.py, but `model.predict` on every request."""

import functools
import json
import os
from pathlib import Path

import flask
import functions_framework
import numpy as np

from digit import payload
from digit.artefact import METADATA_FILE, WEIGHTS_FILE


@functools.cache
def model():
    """Loaded on the first request, in the worker: a model built before gunicorn forks hangs the worker's
    first call (seen here)."""
    from digit import architectures

    weights = Path(os.environ["WEIGHTS_DIR"])
    loaded = architectures.build(json.loads((weights / METADATA_FILE).read_text())["arch"])
    loaded.load_weights(weights / WEIGHTS_FILE)
    return loaded


@functions_framework.http
def predict(request: flask.Request) -> flask.Response:
    query = payload.parse_body(request.get_data())
    probabilities = model().predict(query.images, verbose=0)
    answer = {"prediction": int(np.argmax(probabilities[0])), "probabilities": probabilities[0].tolist()}
    return flask.Response(json.dumps(answer), mimetype="application/json")
