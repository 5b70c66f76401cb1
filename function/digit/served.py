"""The served model's life, in one place: the first load, the refreshes, the switch and the health report,
all behind one lock.

- First load: the version the bucket's pointer (live.json) names is loaded once per process, in a thread of
  its own, as soon as the worker starts (main.py) or on the first request. Requests that come before it is
  ready wait for that one load; if it fails or takes too long they get Unavailable (a 503), and the first
  request after `retry_seconds` starts another attempt.
- Refreshes: once a version is served, a thread reads the pointer's metadata every `refresh_seconds`. When
  the pointer names another version, that version is loaded beside the one served, and switched to once
  every check has passed: no request fails or waits for it. A version that cannot be served leaves the
  served one in place; it is reported in the health's `pending`, logged once for each pointer content and
  cause, and tried again at the next refresh.
- Requests read the Classifier once and use it throughout: a switch replaces the reference, never the model
  under a request in flight. The lock guards the state (what is served, the load under way, the last
  failure); no download or load runs while holding it.
"""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from digit import model
from digit.artefact import METADATA_FILE, WeightsError, parse_metadata, reason
from digit.logs import log, log_failure
from digit.model import Classifier
from digit.store import ModelBucket


class Unavailable(Exception):
    """No model is served (yet); `retry_after` says in how many seconds asking again is worth it."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Loaded:
    """A version ready to serve, the pointer content that named it, and where its load's time went."""

    classifier: Classifier
    generation: int  # Cloud Storage's number for the pointer content that named this version
    seconds: dict[str, float]  # by step: download, load, check


@dataclass(frozen=True)
class Pending:
    """A version the pointer names that cannot be served, and why."""

    version: str | None  # None when the pointer itself could not be read
    error: str


def load_version(bucket: ModelBucket, version: str, generation: int) -> Loaded:
    """A version, downloaded and loaded, once every check has passed; raises WeightsError otherwise."""
    started = time.perf_counter()
    weights, metadata = bucket.read_version(version)
    downloaded = time.perf_counter() - started
    metadata = parse_metadata(metadata)
    if metadata["version"] != version:
        raise WeightsError(f"{METADATA_FILE} in the folder {version}/ is that of {metadata['version'][:40]!r}")
    classifier, seconds = model.load(weights, metadata)
    return Loaded(classifier, generation, {"download": downloaded, **seconds})


class ServedModel:
    """The model version the bucket's pointer names, from its first load to each switch."""

    def __init__(
        self,
        bucket: ModelBucket,
        refresh_seconds: float,
        retry_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._bucket = bucket
        self._refresh_seconds = refresh_seconds
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._served: Loaded | None = None
        self._first_load: threading.Event | None = None  # set when the first load under way ends
        self._error: str | None = None  # why the last first load failed
        self._failed_at: float | None = None
        self._pending: Pending | None = None
        self._reported: tuple | None = None  # the refresh failure last logged, so that each is logged once

    def start(self) -> threading.Event | None:
        """Begins the first load unless it is under way, done, or failed too recently; returns the event of the
        load under way, if any. Never waits."""
        with self._lock:
            if self._served is None and self._first_load is None and self._retry_in() == 0:
                self._first_load = threading.Event()
                loading = threading.Thread(target=self._load_first, args=(self._first_load,), daemon=True)
                loading.start()
            return self._first_load

    def classifier(self, wait: float) -> Classifier:
        """The Classifier served now, waiting up to `wait` seconds for a first load; Unavailable otherwise."""
        served = self._served
        if served is not None:
            return served.classifier
        attempt = self.start()
        if attempt is not None:
            attempt.wait(wait)
        with self._lock:
            if self._served is not None:
                return self._served.classifier
            if self._first_load is not None:
                raise Unavailable("the model is still loading", retry_after=1)
            raise Unavailable(f"the model could not be loaded: {self._error}", retry_after=max(1, self._retry_in()))

    def health(self) -> dict:
        """Whether a model is served, which version and what its load took, and what the pointer names
        (`live`, and `pending` when that version cannot be served). Asking also starts a first load."""
        self.start()
        with self._lock:
            served, pending, error = self._served, self._pending, self._error
        if served is None:
            return {"loaded": False, "error": error}
        classifier = served.classifier
        report = {
            "loaded": True,
            "model": classifier.version,
            "arch": classifier.metadata["arch"],
            "accuracy": classifier.metadata.get("accuracy"),
            "load_seconds": {step: round(seconds, 3) for step, seconds in served.seconds.items()},
            "live": classifier.version,
        }
        if pending is not None:
            report.update(live=pending.version, pending=asdict(pending))
        return report

    def refresh(self) -> None:
        """Looks at the pointer once, and switches to the version it names once that has passed every check.
        Never raises: the served version must outlive any failure here."""
        with self._lock:
            served, pending = self._served, self._pending
        if served is None:
            return
        generation = version = None
        try:
            blob = self._bucket.pointer_object()
            generation = blob.generation
            if generation == served.generation and pending is None:
                return  # the pointer has not changed: the cheap, usual case
            version = self._bucket.read_pointer(blob).version
            if version == served.classifier.version:
                candidate = Loaded(served.classifier, generation, served.seconds)
            else:
                candidate = load_version(self._bucket, version, generation)
            with self._lock:
                self._served, self._pending, self._reported = candidate, None, None
            if candidate.classifier is not served.classifier:
                previous = served.classifier.version
                log("INFO", "model switched", model=version, previous=previous, seconds=candidate.seconds)
        except Exception as error:  # whatever went wrong, the served version stays
            self._report(generation, version, error)

    def _load_first(self, attempt: threading.Event) -> None:
        served, error = None, "the loader stopped unexpectedly"
        try:
            if not self._bucket.name:
                raise WeightsError("WEIGHTS_BUCKET is not set")
            pointer = self._bucket.read_pointer()
            served, error = load_version(self._bucket, pointer.version, pointer.generation), None
        except Exception as failure:  # whatever went wrong, the process stays up and answers 503
            error = reason(failure)
            log_failure(f"model load failed: {error}", failure)
        finally:
            with self._lock:
                self._served, self._error, self._first_load = served, error, None
                if error is not None:
                    self._failed_at = self._clock()
            attempt.set()
        if served is not None:
            log("INFO", "model loaded", model=served.classifier.version, seconds=served.seconds)
            threading.Thread(target=self._refresh_for_ever, name="model-refresh", daemon=True).start()

    def _refresh_for_ever(self) -> None:
        while True:
            time.sleep(self._refresh_seconds)
            self.refresh()

    def _retry_in(self) -> int:
        """Whole seconds until a new first load may start (0: now)."""
        if self._failed_at is None:
            return 0
        return max(0, math.ceil(self._failed_at + self._retry_seconds - self._clock()))

    def _report(self, generation: int | None, version: str | None, error: Exception) -> None:
        message = reason(error)
        with self._lock:
            self._pending = Pending(version, message)
            first_time = (generation, message) != self._reported
            self._reported = (generation, message)
        if first_time:
            serving = self._served.classifier.version if self._served else None
            log_failure(f"model version not served: {message}", error, version=version, serving=serving)
