"""Cloud Storage for the function (or the storage emulator when STORAGE_EMULATOR_HOST is set, which the
google-cloud-storage client honours by itself): a bucket reached from the worker, the messages for its
failures; the model versions in one (the pointer, and each version's two files), and the corrections in
another (one new object each, never read back)."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from google.api_core import exceptions as gcs_errors
from google.api_core.exceptions import RetryError
from google.api_core.retry import Retry
from google.cloud import storage

from digit.artefact import METADATA_FILE, POINTER_FILE, WEIGHTS_FILE, WeightsError, parse_pointer
from digit.corrections import Correction, object_name

TIMEOUT = (3.0, 10.0)  # seconds to connect, seconds between bytes
T = TypeVar("T")


def failure(error: Exception, action: str) -> str:
    """What went wrong when Cloud Storage was asked to do `action` ("read gs://b/x"), for a client: the
    cause, without the client's internals."""
    if isinstance(error, gcs_errors.Forbidden):
        return f"no permission to {action}"
    if isinstance(error, gcs_errors.GoogleAPICallError):
        return f"Cloud Storage answered {error.code} to the request to {action}"
    # Connection refused, DNS, timeouts: requests and google-auth raise many types.
    cause = error.cause if isinstance(error, RetryError) and error.cause else error
    return f"cannot reach Cloud Storage to {action} ({type(cause).__name__})"


def retry_until(deadline: float) -> Retry:
    """Transient errors retried until `deadline` seconds have passed (an attempt under way may add its own
    timeout): a caller that answers 503 and tries again later must not hang for the client's default two
    minutes when storage is unreachable."""
    return Retry(initial=0.25, maximum=2.0, multiplier=2.0, timeout=deadline)


@dataclass(frozen=True)
class Pointer:
    version: str
    generation: int  # Cloud Storage's number for this content of the pointer object


class Bucket:
    """A bucket by name, asked with transient errors retried for up to `deadline` seconds."""

    def __init__(self, name: str, deadline: float):
        self.name = name
        self._retry = retry_until(deadline)

    @functools.cached_property
    def bucket(self) -> storage.Bucket:
        """Made on first use: in the worker, once the server has forked, as a client's connections would not
        survive the fork. A client that cannot be made is tried again at the next use."""
        return storage.Client().bucket(self.name)


class ModelBucket(Bucket):
    """`<prefix>live.json` and the folders `<prefix><version>/` in a bucket. Every failure is a WeightsError
    that names the object and the cause."""

    def __init__(self, name: str, prefix: str, deadline: float):
        super().__init__(name, deadline)
        self.prefix = prefix

    def pointer_object(self) -> storage.Blob:
        """The pointer's metadata, its generation among them: the cheap way to tell whether it changed."""
        return self._blob(self.prefix + POINTER_FILE)

    def read_pointer(self, blob: storage.Blob | None = None) -> Pointer:
        """The version the pointer names, and the generation of the content read: that of `blob`, the pointer's
        metadata, where it has been read already."""
        blob = blob or self.pointer_object()
        return Pointer(parse_pointer(self._download(blob.name, blob)), blob.generation)

    def read_version(self, version: str) -> tuple[bytes, bytes]:
        """A version's (weights, metadata) bytes."""
        folder = f"{self.prefix}{version}/"
        return self._download(folder + WEIGHTS_FILE), self._download(folder + METADATA_FILE)

    def _client_bucket(self) -> storage.Bucket:
        try:
            return self.bucket
        except Exception as error:  # no credentials or no project: google-auth raises several types
            raise WeightsError(f"cannot create a Cloud Storage client ({type(error).__name__})") from error

    def _blob(self, name: str) -> storage.Blob:
        """The object's metadata."""
        blob = self._call(name, lambda bucket: bucket.get_blob(name, retry=self._retry, timeout=TIMEOUT))
        if blob is None:
            raise self._missing(name)
        return blob

    def _download(self, name: str, blob: storage.Blob | None = None) -> bytes:
        def download(bucket: storage.Bucket) -> bytes:
            return (blob or bucket.blob(name)).download_as_bytes(retry=self._retry, timeout=TIMEOUT)

        return self._call(name, download)

    def _call(self, name: str, request: Callable[[storage.Bucket], T]) -> T:
        where = f"gs://{self.name}/{name}"
        try:
            return request(self._client_bucket())
        except gcs_errors.NotFound as error:
            raise self._missing(name) from error
        except WeightsError:
            raise
        except Exception as error:
            raise WeightsError(failure(error, f"read {where}")) from error

    def _missing(self, name: str) -> WeightsError:
        """The error for an object that is not there, or for its bucket."""
        try:
            bucket_exists = self._client_bucket().exists(retry=self._retry, timeout=TIMEOUT)
        except Exception:  # the answer only refines an error message
            bucket_exists = True
        if not bucket_exists:
            return WeightsError(f"bucket gs://{self.name} does not exist")
        return WeightsError(f"gs://{self.name}/{name} does not exist")


class StorageError(Exception):
    """A correction could not be stored; the message says why, for the client."""


class CorrectionBucket(Bucket):
    """Corrections written into a bucket, one object each, never read back: the function's account may
    create objects there and do nothing else."""

    def store(self, correction: Correction, now: datetime) -> str:
        """Stores the correction; returns the object's name, or raises StorageError."""
        name = object_name(now)
        try:
            self.bucket.blob(name).upload_from_string(
                correction.record(now),
                content_type="application/json",
                if_generation_match=0,  # a new object, never one overwritten: which also makes retrying safe
                retry=self._retry,
                timeout=TIMEOUT,
            )
        except gcs_errors.NotFound as error:
            raise StorageError(f"bucket gs://{self.name} does not exist") from error
        except Exception as error:
            raise StorageError(failure(error, f"store in gs://{self.name}")) from error
        return name
