"""The Cloud Function: `predict`, an HTTP function for the Python functions-framework (gen2).

POST a JSON object with `image` (784 pixels), `images` (a batch) or `png` (a picture file) and get the
digit back; POST to /corrections a digit misread, to store it for training (digit/corrections.py); GET
reports health and the model's metadata; OPTIONS answers CORS preflights. Every answer is JSON and carries
CORS headers. Configuration comes from the environment:

- WEIGHTS_BUCKET (required): the Cloud Storage bucket holding the model versions;
- WEIGHTS_PREFIX (default "models/"): <prefix>live.json names the version to serve, whose files are in
  <prefix><version>/ (digit/artefact.py);
- MODEL_REFRESH_SECONDS (default 60): how often the pointer is read again, to switch to the version it names;
- ALLOWED_ORIGINS (default "*"): comma-separated origins allowed to call from a browser;
- MAX_BODY_BYTES (default 1 MiB): larger bodies are refused with 413;
- BODY_TIMEOUT_SECONDS (default 10): a client that sends nothing for this long mid-body gets 408;
- LOAD_WAIT_SECONDS (default 30): how long a request waits for a model load in progress before 503;
- RETRY_SECONDS (default 10): after a failed model load, how long until a request tries again;
- STORAGE_DEADLINE_SECONDS (default 8): after how long a load stops retrying transient storage errors;
- CORRECTIONS_BUCKET (default none: corrections are not collected): where corrections are stored;
- CORRECTIONS_PER_MINUTE (default 30): how many corrections one instance stores a minute, at most.

The version live.json names is loaded once per process, in the background, as soon as the worker starts (or on
the first request); requests that come before it is ready wait for it, and get 503 with Retry-After if it
fails. From then on the pointer is read every MODEL_REFRESH_SECONDS, and a new version is switched to once it
has loaded and passed every check (digit/live.py).
"""

import contextlib
import io
import json
import os
import socket
import time
import traceback
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import flask
import functions_framework

from digit import corrections, payload
from digit.artefact import DEFAULT_PREFIX, WeightsError, reason
from digit.loader import Loader, Unavailable
from digit.logs import log

if TYPE_CHECKING:  # JAX and Keras are imported in the worker only, once the server has forked
    from digit.live import LiveModel
    from digit.model import Classifier

BUCKET = os.environ.get("WEIGHTS_BUCKET", "")
PREFIX = os.environ.get("WEIGHTS_PREFIX", DEFAULT_PREFIX)
ALLOWED_ORIGINS = [origin.strip() for origin in os.environ.get("ALLOWED_ORIGINS", "*").split(",")]
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", 1024 * 1024))
DISCARD_LIMIT_BYTES = 16 * MAX_BODY_BYTES  # an oversized body is read and dropped up to this size
BODY_TIMEOUT_SECONDS = float(os.environ.get("BODY_TIMEOUT_SECONDS", 10))
RETRY_SECONDS = float(os.environ.get("RETRY_SECONDS", 10))
STORAGE_DEADLINE_SECONDS = float(os.environ.get("STORAGE_DEADLINE_SECONDS", 8))
LOAD_WAIT_SECONDS = float(os.environ.get("LOAD_WAIT_SECONDS", 30))
MODEL_REFRESH_SECONDS = float(os.environ.get("MODEL_REFRESH_SECONDS", 60))
CORRECTIONS_BUCKET = os.environ.get("CORRECTIONS_BUCKET", "")
CORRECTIONS_PER_MINUTE = int(os.environ.get("CORRECTIONS_PER_MINUTE", 30))
CORRECTIONS_PATH = "/corrections"
METHODS = "GET, HEAD, POST, OPTIONS"


class ClientError(Exception):
    """A request the function refuses; becomes a JSON answer with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def open_live_model() -> "LiveModel":
    """Loads the version the pointer names, then keeps watching the pointer. This runs in the worker process,
    after gunicorn has forked it, as JAX's threads do not survive a fork; importing JAX and Keras here also
    lets the server open its port (and answer health checks) a second or two sooner."""
    if not BUCKET:
        raise WeightsError("WEIGHTS_BUCKET is not set")
    started = time.perf_counter()
    from digit.live import LiveModel
    from digit.store import ModelBucket

    imported = time.perf_counter() - started
    live = LiveModel.open(ModelBucket(BUCKET, PREFIX, STORAGE_DEADLINE_SECONDS))
    live.classifier.seconds = {"import": imported, **live.classifier.seconds}
    log("INFO", "model loaded", model=live.classifier.version, seconds=live.classifier.load_seconds())
    live.refresh_every(MODEL_REFRESH_SECONDS)
    return live


def describe_failure(error: Exception) -> str:
    """Logs a failed load and returns what clients may be told: our own messages, never internals."""
    message = reason(error)
    cause = error.__cause__ or error
    log("ERROR", f"model load failed: {message}", error_type=type(cause).__name__, detail=str(cause)[:500])
    return message


MODELS = Loader(open_live_model, RETRY_SECONDS, describe_failure)
os.register_at_fork(after_in_child=MODELS.start)  # gunicorn imports this file, then forks the worker
CORRECTIONS = corrections.CorrectionBucket(CORRECTIONS_BUCKET, STORAGE_DEADLINE_SECONDS) if CORRECTIONS_BUCKET else None
CORRECTIONS_LIMIT = corrections.RateLimit(CORRECTIONS_PER_MINUTE)


@functions_framework.http
def predict(request: flask.Request) -> flask.Response:
    """Routes by method; turns every refusal into a JSON answer with a message."""
    cors = cors_headers(request.headers.get("Origin"))
    try:
        if request.method == "OPTIONS":
            return flask.Response(status=204, headers={**cors, **preflight_headers()})
        if request.method in ("GET", "HEAD"):  # Flask leaves the body out of a HEAD answer
            return answer(200, health(), cors)
        if request.method != "POST":
            raise ClientError(405, f"method {request.method} is not allowed; use POST", {"Allow": METHODS})
        if request.path == CORRECTIONS_PATH:
            return answer(201, store_correction(request), cors)
        query = read_query(request)
        try:
            classifier = MODELS.get(wait=LOAD_WAIT_SECONDS).classifier  # this request's version throughout
        except Unavailable as error:
            raise ClientError(503, str(error), {"Retry-After": str(error.retry_after)}) from error
        return answer(200, prediction(classifier, query), cors)
    except ClientError as error:
        return answer(error.status, {"error": str(error)}, {**cors, **error.headers})
    except Exception as error:  # a bug of ours: log where (never what: it may quote the body), answer JSON
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"
        log("ERROR", "unhandled error", error_type=type(error).__name__, where=where)
        return answer(500, {"error": "internal error"}, cors)


def store_correction(request: flask.Request) -> dict:
    """Stores the correction a request sends, if corrections are collected here and the limit allows."""
    if CORRECTIONS is None:
        raise ClientError(404, "corrections are not collected here")
    try:
        correction = corrections.parse_correction(read_body(request))
    except payload.BadRequest as error:
        raise ClientError(400, str(error)) from error
    wait = CORRECTIONS_LIMIT.take()
    if wait:
        message = f"too many corrections: this instance stores {CORRECTIONS_PER_MINUTE} a minute"
        raise ClientError(429, message, {"Retry-After": str(wait)})
    try:
        stored = CORRECTIONS.store(correction, datetime.now(UTC))
    except corrections.StorageError as error:
        CORRECTIONS_LIMIT.give_back()  # nothing was stored
        log("ERROR", f"correction not stored: {error}", error_type=type(error.__cause__ or error).__name__)
        raise ClientError(503, f"the correction could not be stored: {error}", {"Retry-After": "10"}) from error
    return {"stored": True, "label": correction.label, "object": stored}


def read_query(request: flask.Request) -> payload.Query:
    """The query in the body, parsed as JSON whatever its Content-Type (so a plain `curl -d` works)."""
    try:
        return payload.parse_body(read_body(request))
    except payload.BadRequest as error:
        raise ClientError(400, str(error)) from error


def read_body(request: flask.Request) -> bytes:
    """At most MAX_BODY_BYTES of body (413 beyond), from a client that never goes silent for longer than
    BODY_TIMEOUT_SECONDS (408 otherwise), so that a stalled upload cannot hold a server thread for ever."""
    connection = request.environ.get("gunicorn.socket")  # absent under other servers, such as Flask's tests
    if connection is not None:
        connection.settimeout(BODY_TIMEOUT_SECONDS)
    try:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            discard_body(request, connection)
            raise ClientError(413, f"the body is {request.content_length} bytes; the limit is {MAX_BODY_BYTES}")
        body = request.stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            discard_body(request, connection)
            raise ClientError(413, f"the body is over the limit of {MAX_BODY_BYTES} bytes")
        if len(body) < (request.content_length or 0):
            raise ClientError(400, f"the body ended after {len(body)} of the {request.content_length} bytes announced")
        return body
    except ClientError:
        raise
    except Exception as error:  # gunicorn and werkzeug report a body they cannot read through many types
        abandon_body(request, connection)
        if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
            raise ClientError(408, f"the body stalled: nothing arrived for {BODY_TIMEOUT_SECONDS:g} s") from error
        raise ClientError(
            400, "the body could not be read: its chunked encoding is broken, or it ended early"
        ) from error
    finally:
        if connection is not None:
            connection.settimeout(None)


def discard_body(request: flask.Request, connection: socket.socket | None) -> None:
    """Reads and drops the rest of an oversized body, so that the client hears the answer and may reuse the
    connection. Past DISCARD_LIMIT_BYTES the body is abandoned instead."""
    if (request.content_length or 0) > DISCARD_LIMIT_BYTES:
        abandon_body(request, connection)
        return
    discarded = 0
    while chunk := request.stream.read(64 * 1024):
        discarded += len(chunk)
        if discarded > DISCARD_LIMIT_BYTES:
            abandon_body(request, connection)
            return


def abandon_body(request: flask.Request, connection: socket.socket | None) -> None:
    """Stops reading a body for good. functions-framework reads whatever is left once the function has
    answered, which for a stalled or endless upload would block a thread or fill the memory: it gets an empty
    body instead, and the connection stops reading, so that the server closes it after the answer."""
    request.stream = io.BytesIO()
    if connection is not None:
        with contextlib.suppress(OSError):  # the client may have closed it already
            connection.shutdown(socket.SHUT_RD)


def prediction(classifier: "Classifier", query: payload.Query) -> dict:
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
    """Whether a model is loaded, which version it is, and what the pointer names; asking also starts loading
    it."""
    MODELS.start()
    live = MODELS.value
    collected = CORRECTIONS is not None
    if live is None:
        return {"loaded": False, "error": MODELS.error, "corrections": collected}
    classifier = live.classifier
    return {
        "loaded": True,
        "corrections": collected,
        "model": classifier.version,
        "arch": classifier.metadata["arch"],
        "accuracy": classifier.metadata.get("accuracy"),
        "load_seconds": classifier.load_seconds(),
        **live.health(),
    }


def cors_headers(origin: str | None) -> dict[str, str]:
    """CORS for the answer; a page on another origin may read Retry-After, to know when to ask again."""
    if "*" in ALLOWED_ORIGINS:
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
    if origin in ALLOWED_ORIGINS:
        return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "Retry-After", "Vary": "Origin"}
    return {"Vary": "Origin"}


def preflight_headers() -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "3600",
    }


def answer(status: int, body: dict, headers: dict[str, str]) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")
