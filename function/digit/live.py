"""Serving the model version that the bucket's pointer names, and switching to another when the pointer changes:
without a restart, without a request failing or waiting, and never to a version that fails its checks."""

import gc
import threading
import time
from dataclasses import asdict, dataclass

from digit import model
from digit.artefact import METADATA_FILE, WeightsError, parse_metadata, reason
from digit.logs import log, log_failure
from digit.model import Classifier
from digit.store import ModelBucket


@dataclass(frozen=True)
class Pending:
    """A version the pointer names that cannot be served, and why."""

    version: str | None  # None when the pointer itself could not be read
    error: str


def load_version(bucket: ModelBucket, version: str) -> Classifier:
    """A version's Classifier, once every check has passed; its `seconds` begin with the download."""
    started = time.perf_counter()
    weights, metadata = bucket.read_version(version)
    downloaded = time.perf_counter()
    metadata = parse_metadata(metadata)
    if metadata["version"] != version:
        raise WeightsError(f"{METADATA_FILE} in the folder {version}/ is that of {metadata['version'][:40]!r}")
    classifier = model.load(weights, metadata)
    classifier.seconds = {"download": downloaded - started, **classifier.seconds}
    return classifier


class LiveModel:
    """The Classifier of the version being served, and what became of the last look at the pointer.

    Requests read `classifier` once and use that one throughout, so a switch, which only replaces it, never
    changes the model under a request in flight. At most two versions are held: the one served, and the one
    loading beside it; the one replaced goes once the requests that hold it have finished."""

    def __init__(self, bucket: ModelBucket, classifier: Classifier, generation: int):
        self.classifier = classifier
        self.pending: Pending | None = None
        self._bucket = bucket
        self._generation = generation  # of the pointer content that named the version served
        self._reported: tuple | None = None  # the failure last logged, so that each is logged once

    @classmethod
    def open(cls, bucket: ModelBucket) -> "LiveModel":
        """The version the pointer names now, loaded; raises WeightsError when it cannot be served."""
        pointer = bucket.read_pointer()
        return cls(bucket, load_version(bucket, pointer.version), pointer.generation)

    def health(self) -> dict:
        """`live`, the version the pointer named when last read, and `pending` when it cannot be served."""
        if self.pending is None:
            return {"live": self.classifier.version}
        return {"live": self.pending.version, "pending": asdict(self.pending)}

    def refresh(self) -> None:
        """Looks at the pointer once. When it names another version, loads that one beside the one served and
        switches once every check has passed. A version that cannot be served leaves the served one in place;
        it is reported in `pending` and logged (once for each pointer content and cause), and tried again at
        the next refresh. Never raises: the served version must outlive any failure here."""
        generation = version = None
        try:
            blob = self._bucket.pointer_object()
            generation = blob.generation
            if generation == self._generation and self.pending is None:
                return  # the pointer has not changed: the cheap, usual case
            version = self._bucket.read_pointer(blob).version
            if version != self.classifier.version:
                self._switch(load_version(self._bucket, version))
            self._generation, self.pending, self._reported = generation, None, None
        except Exception as error:  # whatever went wrong, the served version stays
            self._report(generation, version, error)
        # A Keras model is a web of reference cycles, which only the garbage collector frees: collected now,
        # the version replaced (once no request holds it) and what a failed load left go at once.
        gc.collect()

    def refresh_every(self, seconds: float) -> None:
        """Refreshes every `seconds`, in the background, for as long as the process lives."""

        def refresh_for_ever() -> None:
            while True:
                time.sleep(seconds)
                # Each refresh in a thread of its own, ended before the next: Keras keeps per thread a list of
                # the variables a thread built, which then goes with it. (One thread at a time, so that the
                # memory allocator reuses the same arena.)
                refreshing = threading.Thread(target=self.refresh, name="model-refresh", daemon=True)
                refreshing.start()
                refreshing.join()

        threading.Thread(target=refresh_for_ever, name="model-refresh-timer", daemon=True).start()

    def _switch(self, candidate: Classifier) -> None:
        previous, self.classifier = self.classifier.version, candidate
        log("INFO", "model switched", model=candidate.version, previous=previous, seconds=candidate.load_seconds())

    def _report(self, generation: int | None, version: str | None, error: Exception) -> None:
        message = reason(error)
        self.pending = Pending(version, message)
        if (generation, message) != self._reported:
            self._reported = (generation, message)
            log_failure(f"model version not served: {message}", error, version=version, serving=self.classifier.version)
