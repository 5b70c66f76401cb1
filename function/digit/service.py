"""The Cloud Function's work, request by request: predictions (POST), corrections (POST /corrections),
health (GET), CORS preflights (OPTIONS). Every answer is JSON with CORS headers, every refusal a 4xx or 503
with a message, and a bug of ours a logged 500. The model served, and its switches between versions, are
digit/served.py's.
"""

import os
import traceback
from datetime import UTC, datetime

import flask
import numpy as np

from digit import corrections, payload, reading
from digit.logs import log, log_failure
from digit.model import Classifier
from digit.rate_limit import RateLimit
from digit.served import ServedModel, Unavailable
from digit.settings import Settings
from digit.slow_bodies import BodyClock
from digit.store import CorrectionBucket, ModelBucket, StorageError
from digit.wire import METHODS, ClientError, answer, cors_headers, preflight_headers, read_body, retry_after

PREDICTIONS_PATH = "/"
CORRECTIONS_PATH = "/corrections"


class Function:
    """The function, as its settings make it: where its models come from, and whether and where it stores
    corrections."""

    def __init__(
        self,
        settings: Settings,
        model: ServedModel,
        corrections_bucket: CorrectionBucket | None,
    ):
        self.settings = settings
        self.model = model
        self.corrections = corrections_bucket
        self.corrections_limit = RateLimit(settings.corrections_per_minute)
        self.body_clock = BodyClock(settings.body_deadline_seconds, settings.slow_body_seconds, settings.slow_bodies)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Function":
        """The function that serves the versions of settings' bucket."""
        versions = ModelBucket(settings.weights_bucket, settings.weights_prefix, settings.storage_deadline_seconds)
        served = ServedModel(versions, settings.model_refresh_seconds, settings.retry_seconds)
        bucket = settings.corrections_bucket
        collected = CorrectionBucket(bucket, settings.storage_deadline_seconds) if bucket else None
        return cls(settings, served, collected)

    def answer(self, request: flask.Request) -> flask.Response:
        """Routes by method and path; turns every refusal into a JSON answer with a message."""
        cors = cors_headers(request.headers.get("Origin"), self.settings.allowed_origins)
        try:
            if request.method == "OPTIONS":
                return flask.Response(status=204, headers={**cors, **preflight_headers()})
            if request.method in ("GET", "HEAD"):  # Flask leaves the body out of a HEAD answer
                return answer(200, self.health(), cors)
            if request.method != "POST":
                raise ClientError(405, f"method {request.method} is not allowed; use POST", {"Allow": METHODS})
            path = route(request.path)
            if path == CORRECTIONS_PATH:
                return answer(201, self.store_correction(request), cors)
            if path == PREDICTIONS_PATH:
                return answer(200, self.predict(request), cors)
            raise ClientError(404, f"nothing is posted here: post a digit to / and a correction to {CORRECTIONS_PATH}")
        except ClientError as error:
            return answer(error.status, {"error": str(error)}, {**cors, **error.headers})
        except Exception as error:  # a bug of ours: log where (never what: it may quote the body), answer JSON
            frame = traceback.extract_tb(error.__traceback__)[-1]
            where = f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"
            log("ERROR", "unhandled error", error_type=type(error).__name__, where=where)
            return answer(500, {"error": "internal error"}, cors)

    def predict(self, request: flask.Request) -> dict:
        """The digit(s) in the body's query, parsed as JSON whatever its Content-Type (so that a plain
        `curl -d` works), from the version served when the request began."""
        try:
            query = payload.parse_body(read_body(request, self.settings, self.body_clock))
        except payload.BadRequest as error:
            raise ClientError(400, str(error)) from error
        try:
            classifier = self.model.classifier(wait=self.settings.load_wait_seconds)
        except Unavailable as error:
            raise ClientError(503, str(error), retry_after(error.retry_after)) from error
        return prediction(classifier, query)

    def store_correction(self, request: flask.Request) -> dict:
        """Stores the correction a request sends, if corrections are collected here and the limit allows."""
        if self.corrections is None:
            raise ClientError(404, "corrections are not collected here")
        try:
            correction = corrections.parse_correction(read_body(request, self.settings, self.body_clock))
        except payload.BadRequest as error:
            raise ClientError(400, str(error)) from error
        wait = self.corrections_limit.take()
        if wait:
            message = f"too many corrections: this instance stores {self.settings.corrections_per_minute} a minute"
            raise ClientError(429, message, retry_after(wait))
        try:
            stored = self.corrections.store(correction, datetime.now(UTC))
        except StorageError as error:
            self.corrections_limit.give_back()  # nothing was stored
            log_failure(f"correction not stored: {error}", error)
            retry = retry_after(self.settings.retry_seconds)
            raise ClientError(503, f"the correction could not be stored: {error}", retry) from error
        return {"stored": True, "label": correction.label, "object": stored}

    def health(self) -> dict:
        """The served model's health (digit/served.py), whether corrections are collected, and the limits the page
        learns here rather than copying: the most digits read in a number, and how soon to ask again after a 503
        whose Retry-After it cannot read."""
        return {
            **self.model.health(),
            "corrections": self.corrections is not None,
            "max_digits": payload.MAX_DIGITS,
            "retry_seconds": self.settings.retry_seconds,
        }


def route(path: str) -> str:
    """The path a request names, however its slashes are spelt: /corrections/ and //corrections are
    /corrections, and // is /."""
    return "/" + "/".join(part for part in path.split("/") if part)


def prediction(classifier: Classifier, query: payload.Query) -> dict:
    """The answer to a query: digit(s), probabilities, model version (and the pixels a picture became)."""
    if query.cuts is not None:
        return number(classifier, query)
    probabilities = classifier.probabilities(query.images)
    digits = probabilities.argmax(axis=1).tolist()
    if query.batch:
        return {"predictions": digits, "probabilities": rounded(probabilities), "model": classifier.version}
    result = {"prediction": digits[0], "probabilities": rounded(probabilities)[0], "model": classifier.version}
    if query.from_picture:
        result["pixels"] = query.images[0].astype(int).ravel().tolist()
    return result


def number(classifier: Classifier, query: payload.Query) -> dict:
    """The answer to a picture of a number: its digits as text, and each digit's reading with its pixels. A model
    taught what a wrong cut looks like reads every candidate, and the reading chooses the cuts (digit/reading.py);
    any other reads the split's digits alone."""
    if classifier.reads_cuts:
        everything = classifier.probabilities(query.images)
        chosen = reading.choose(query.cuts, everything)
        indices, digits = [index for index, _ in chosen], [digit for _, digit in chosen]
        probabilities = everything[indices]
    else:
        indices = reading.uncut(query.cuts)
        probabilities = classifier.probabilities(query.images[indices])
        digits = probabilities.argmax(axis=1).tolist()
    pixels = query.images[indices].astype(int).reshape(len(indices), -1).tolist()
    readings = [
        {"prediction": digit, "probabilities": p, "pixels": image}
        for digit, p, image in zip(digits, rounded(probabilities), pixels, strict=True)
    ]
    return {"number": "".join(map(str, digits)), "digits": readings, "model": classifier.version}


def rounded(probabilities: np.ndarray) -> list:
    """Probabilities as JSON numbers: float32 values would print as 0.7042999863624573."""
    return probabilities.astype(float).round(6).tolist()
