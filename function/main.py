"""The Cloud Function: `predict`, an HTTP function for the Python functions-framework (gen2).

POST a JSON object with `image` (784 pixels), `images` (a batch) or `png` (a picture file) and get the
digit back; GET reports health and the model's metadata; OPTIONS answers CORS preflights. Every answer is
JSON and carries CORS headers. Configuration comes from the environment:

- WEIGHTS_BUCKET (required): the Cloud Storage bucket holding the weights artefact;
- WEIGHTS_PREFIX (default "model/"): the objects are <prefix>model.weights.h5 and <prefix>model.json;
- ALLOWED_ORIGINS (default "*"): comma-separated origins allowed to call from a browser;
- MAX_BODY_BYTES (default 1 MiB): larger bodies are refused with 413;
- RETRY_SECONDS (default 10): after a failed model load, how long until a request tries again.

The model is loaded once per process, in the background, as soon as the worker starts (or on the first
request); requests that come before it is ready wait for it, and get 503 with Retry-After if it fails.
"""

import json
import os

import flask
import functions_framework
from digit import payload, store
from digit.artefact import WeightsError, parse_metadata
from digit.loader import Loader, Unavailable
from digit.logs import log

BUCKET = os.environ.get("WEIGHTS_BUCKET", "")
PREFIX = os.environ.get("WEIGHTS_PREFIX", "model/")
ALLOWED_ORIGINS = [origin.strip() for origin in os.environ.get("ALLOWED_ORIGINS", "*").split(",")]
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", 1024 * 1024))
RETRY_SECONDS = float(os.environ.get("RETRY_SECONDS", 10))
LOAD_WAIT_SECONDS = 30  # how long a request waits for a load in progress before answering 503
METHODS = "GET, POST, OPTIONS"


class ClientError(Exception):
    """A request the function refuses; becomes a JSON answer with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def load_classifier():
    """Downloads and checks the weights, then builds the model (TensorFlow is imported here, in the worker,
    never before the server forks it)."""
    if not BUCKET:
        raise WeightsError("WEIGHTS_BUCKET is not set")
    weights, metadata = store.fetch(BUCKET, PREFIX)
    from digit.model import Classifier

    return Classifier(weights, parse_metadata(metadata))


def describe_failure(error: Exception) -> str:
    """Logs a failed load and returns what clients may be told: our own messages, never internals."""
    message = str(error) if isinstance(error, WeightsError) else f"internal error ({type(error).__name__})"
    cause = error.__cause__ or error
    log("ERROR", f"model load failed: {message}", error_type=type(cause).__name__, detail=str(cause)[:500])
    return message


CLASSIFIER = Loader(load_classifier, RETRY_SECONDS, describe_failure)
os.register_at_fork(after_in_child=CLASSIFIER.start)  # gunicorn imports this file, then forks the worker


@functions_framework.http
def predict(request: flask.Request) -> flask.Response:
    """Routes by method; turns every refusal into a JSON answer with a message."""
    cors = cors_headers(request.headers.get("Origin"))
    try:
        if request.method == "OPTIONS":
            return flask.Response(status=204, headers={**cors, **preflight_headers()})
        if request.method == "GET":
            return answer(200, health(), cors)
        if request.method != "POST":
            raise ClientError(405, f"method {request.method} is not allowed; use POST", {"Allow": METHODS})
        query = read_query(request)
        try:
            classifier = CLASSIFIER.get(wait=LOAD_WAIT_SECONDS)
        except Unavailable as error:
            raise ClientError(503, str(error), {"Retry-After": str(error.retry_after)}) from error
        return answer(200, prediction(classifier, query), cors)
    except ClientError as error:
        return answer(error.status, {"error": str(error)}, {**cors, **error.headers})
    except Exception as error:  # a bug of ours: log it, and still answer in JSON without internals
        log("ERROR", "unhandled error", error_type=type(error).__name__, detail=str(error)[:500])
        return answer(500, {"error": "internal error"}, cors)


def read_query(request: flask.Request) -> payload.Query:
    """The body, read whatever its Content-Type (so a plain `curl -d` works), up to MAX_BODY_BYTES."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ClientError(413, f"the body is {request.content_length} bytes; the limit is {MAX_BODY_BYTES}")
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise ClientError(413, f"the body is over the limit of {MAX_BODY_BYTES} bytes")
    try:
        return payload.parse_body(body)
    except payload.BadRequest as error:
        raise ClientError(400, str(error)) from error


def prediction(classifier, query: payload.Query) -> dict:
    """The answer to a query: digit(s), probabilities, model version (and the pixels a picture became)."""
    probabilities = classifier.probabilities(query.images)
    digits = probabilities.argmax(axis=1).tolist()
    rounded = probabilities.astype(float).round(6).tolist()  # float32 values would print as 0.7042999863624573
    if query.batch:
        return {"predictions": digits, "probabilities": rounded, "model": classifier.version}
    result = {"prediction": digits[0], "probabilities": rounded[0], "model": classifier.version}
    if query.from_picture:
        result["pixels"] = query.images[0].astype(int).ravel().tolist()
    return result


def health() -> dict:
    """Whether the model is loaded, and what it is; asking also starts loading it."""
    CLASSIFIER.start()
    classifier = CLASSIFIER.value
    if classifier is None:
        return {"loaded": False, "error": CLASSIFIER.error}
    metadata = classifier.metadata
    return {"loaded": True, "model": classifier.version, "arch": metadata["arch"], "accuracy": metadata.get("accuracy")}


def cors_headers(origin: str | None) -> dict[str, str]:
    if "*" in ALLOWED_ORIGINS:
        return {"Access-Control-Allow-Origin": "*"}
    if origin in ALLOWED_ORIGINS:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {"Vary": "Origin"}


def preflight_headers() -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "3600",
    }


def answer(status: int, body: dict, headers: dict[str, str]) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")
