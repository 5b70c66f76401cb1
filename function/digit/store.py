"""Fetching the weights artefact from Cloud Storage (or from the storage emulator when
STORAGE_EMULATOR_HOST is set, which the google-cloud-storage client honours by itself)."""

from google.api_core import exceptions as gcs_errors
from google.api_core.exceptions import RetryError
from google.api_core.retry import Retry
from google.cloud import storage

from digit.artefact import METADATA_FILE, WEIGHTS_FILE, WeightsError

TIMEOUT = (3.0, 10.0)  # seconds to connect, seconds between bytes


def fetch(bucket_name: str, prefix: str, deadline: float) -> tuple[bytes, bytes]:
    """The (weights, metadata) bytes stored under `prefix` in the bucket. Transient errors are retried until
    `deadline` seconds have passed (an attempt under way may add its own timeout): a cold start must not hang
    for the client's default two minutes when storage is unreachable, since the caller answers 503 and tries
    again later anyway."""
    retry = Retry(initial=0.25, maximum=2.0, multiplier=2.0, timeout=deadline)
    try:
        bucket = storage.Client().bucket(bucket_name)
    except Exception as error:  # no credentials or no project: google-auth raises several types
        raise WeightsError(f"cannot create a Cloud Storage client ({type(error).__name__})") from error
    return (_download(bucket, prefix + WEIGHTS_FILE, retry), _download(bucket, prefix + METADATA_FILE, retry))


def _download(bucket: storage.Bucket, name: str, retry: Retry) -> bytes:
    """One object's bytes, or a WeightsError that names the cause without the client's internals."""
    where = f"gs://{bucket.name}/{name}"
    try:
        return bucket.blob(name).download_as_bytes(retry=retry, timeout=TIMEOUT)
    except gcs_errors.NotFound as error:
        if not _exists(bucket, retry):
            raise WeightsError(f"bucket gs://{bucket.name} does not exist") from error
        raise WeightsError(f"{where} does not exist") from error
    except gcs_errors.Forbidden as error:
        raise WeightsError(f"no permission to read {where}") from error
    except gcs_errors.GoogleAPICallError as error:
        raise WeightsError(f"Cloud Storage answered {error.code} for {where}") from error
    except Exception as error:  # connection refused, DNS, timeouts: requests and google-auth raise many types
        cause = error.cause if isinstance(error, RetryError) and error.cause else error
        raise WeightsError(f"cannot reach Cloud Storage to read {where} ({type(cause).__name__})") from error


def _exists(bucket: storage.Bucket, retry: Retry) -> bool:
    try:
        return bucket.exists(retry=retry, timeout=TIMEOUT)
    except Exception:  # the answer only refines an error message
        return True
