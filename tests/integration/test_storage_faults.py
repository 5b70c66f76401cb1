"""Faults at cold start, injected into the real storage emulator, one test each, all against one function server
that has never loaded a model: each must give 503 with a message naming the cause (and nothing of the host),
and keep the process up; once fixed, the function heals on the next request after the retry interval,
without a restart. (A server already serving keeps its version through the same faults: test_versions.py.)

The tests run in this file's order: the first finds no storage at all, the last heals."""

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from checkout import WEIGHTS
from digit.artefact import DEFAULT_PREFIX, METADATA_FILE, POINTER_FILE, WEIGHTS_FILE
from local import services
from tests.versions import (
    GOOD_WEIGHTS,
    METADATA,
    NOT_A_WEIGHTS_FILE,
    NOT_ITS_ARCH,
    UNKNOWN_ARCH,
    metadata_for,
    put_version,
)
from train import network

MARKER = "request-body-marker-5f1c"  # sent in every body here; must never reach a log
BODY = {"note": MARKER, "image": ",".join(["0"] * 783 + ["255"])}
VERSION = METADATA["version"]
FILES = f"gs://faulty/{DEFAULT_PREFIX}{VERSION}/"


@pytest.fixture(scope="module")
def storage_port() -> int:
    return services.free_port()  # nothing listens there until `emulator` starts


@pytest.fixture(scope="module")
def server(start_function, storage_port) -> services.Service:
    # RETRY_SECONDS=0: every request makes a new attempt (the interval itself is tested in tests/unit/test_served.py).
    return start_function("faulty", STORAGE_EMULATOR_HOST=f"http://127.0.0.1:{storage_port}", RETRY_SECONDS="0",
                          STORAGE_DEADLINE_SECONDS="1")  # fmt: skip


@pytest.fixture(scope="module")
def emulator(storage_port, logs):
    with services.start_storage(storage_port, logs) as running:
        yield services.storage_client(running.url)


@pytest.fixture(scope="module")
def bucket(emulator):
    return emulator.create_bucket("faulty")


@pytest.fixture(scope="module")
def mlp_weights(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("mlp") / WEIGHTS_FILE
    network.build("mlp").save_weights(path)
    return path.read_bytes()


def expect_503(server: services.Service, cause: str) -> None:
    response = requests.post(server.url, json=BODY, timeout=30)
    assert response.status_code == 503, response.text
    message = response.json()["error"]
    assert re.fullmatch(f"the model could not be loaded: {cause}", message), message
    assert response.headers["Retry-After"] == "1"
    assert not re.search(r"/tmp|/work|/home|/root|127\.0\.0\.1|token|credential", message, re.I)
    assert server.process.poll() is None


def point(bucket, content: str) -> None:
    bucket.blob(DEFAULT_PREFIX + POINTER_FILE).upload_from_string(content)


def test_storage_unreachable(server):
    expect_503(server, r"cannot reach Cloud Storage to read gs://faulty/models/live\.json \(ConnectionError\)")


def test_bucket_missing(server, emulator):
    expect_503(server, r"bucket gs://faulty does not exist")


def test_pointer_missing(server, bucket):
    expect_503(server, r"gs://faulty/models/live\.json does not exist")


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ('{"version": ', r"live\.json is not valid JSON"),
        ('["cnn"]', r"live\.json must hold a JSON object"),
        ('{"version": 7}', r"live\.json has no 'version' string"),
        ('{"version": "../weights"}', r"live\.json names '\.\./weights', which is not a version's name"),
    ],
)
def test_pointer_malformed(server, bucket, content, cause):
    point(bucket, content)
    expect_503(server, cause)


def test_version_folder_missing(server, bucket):
    point(bucket, json.dumps({"version": VERSION}))
    expect_503(server, re.escape(FILES) + r"model\.weights\.h5 does not exist")


@pytest.mark.parametrize(
    ("metadata", "cause"),
    [
        (b'{"arch": "cnn", "version":', r"model\.json is not valid JSON"),
        (json.dumps({"arch": "cnn", "sha256": "0" * 64}).encode(), r"model\.json has no 'version' string"),
        (metadata_for(GOOD_WEIGHTS, version="cnn-000000000000"),
         rf"model\.json in the folder {VERSION}/ is that of 'cnn-000000000000'"),
        (metadata_for(GOOD_WEIGHTS, listed=False, arch="resnet"), UNKNOWN_ARCH),
        (metadata_for(GOOD_WEIGHTS, layers=[{"kind": "LSTM"}]),
         r"model\.json: layer 0 of 'layers' is of no kind the function computes \('LSTM'; .*\)"),
    ],
)  # fmt: skip
def test_metadata_wrong(server, bucket, metadata, cause):
    put_version(bucket, VERSION, GOOD_WEIGHTS, metadata)
    expect_503(server, cause)


def test_weights_corrupted(server, bucket):
    corrupted = bytearray(GOOD_WEIGHTS)
    corrupted[len(corrupted) // 2] ^= 0xFF
    put_version(bucket, VERSION, bytes(corrupted), metadata_for(GOOD_WEIGHTS))
    expect_503(server, r"model\.weights\.h5 does not match model\.json: sha256 [0-9a-f]{12}…, expected [0-9a-f]{12}…")


def test_weights_truncated(server, bucket):
    truncated = GOOD_WEIGHTS[: len(GOOD_WEIGHTS) // 2]
    put_version(bucket, VERSION, truncated, metadata_for(truncated))  # a consistent checksum, but half a file
    expect_503(server, NOT_A_WEIGHTS_FILE)


def test_weights_of_another_architecture(server, bucket, mlp_weights):
    put_version(bucket, VERSION, mlp_weights, metadata_for(mlp_weights))
    expect_503(server, NOT_ITS_ARCH)


def test_self_check_failing(server, bucket):
    stored = METADATA["self_check"]
    wrong = {**stored, "probabilities": [row[::-1] for row in stored["probabilities"]]}  # other digits
    put_version(bucket, VERSION, GOOD_WEIGHTS, metadata_for(GOOD_WEIGHTS, self_check=wrong))
    expect_503(server, r"the rebuilt model reads self_check input 0 as \d, the trained model read it as \d")


def test_fixed_storage_heals_the_same_process(server, bucket):
    put_version(bucket, VERSION, GOOD_WEIGHTS, (WEIGHTS / METADATA_FILE).read_bytes())
    response = requests.post(server.url, json=BODY, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["model"] == VERSION
    assert server.process.poll() is None  # the same process all along


def test_every_failure_was_logged_as_a_structured_error_without_the_body(server):
    logged = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    assert (logged[-1]["severity"], logged[-1]["message"]) == ("INFO", "model loaded")
    assert {entry["severity"] for entry in logged[:-1]} == {"ERROR"}
    assert all(entry["message"].startswith("model load failed: ") for entry in logged[:-1])
    assert len(logged) > 15  # one for each failed request above
    assert MARKER not in server.log.read_text()


def test_concurrent_first_requests_trigger_exactly_one_download(gcs, start_function, storage):
    services.publish_version(gcs, "once", WEIGHTS)

    def downloads() -> int:
        return storage.log.read_text().count(f"GET /download/storage/v1/b/once/o/models%2F{VERSION}%2F{WEIGHTS_FILE}")

    server = start_function("once")
    image = {"image": ",".join(["0"] * 783 + ["255"])}
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: requests.post(server.url, json=image, timeout=60).status_code, range(16)))
    assert statuses == [200] * 16
    assert downloads() == 1


def test_a_request_waits_for_a_slow_load_no_longer_than_the_limit(start_function, http):
    """Storage that accepts connections and never answers: the load hangs, and a request gets 503 'still
    loading' after LOAD_WAIT_SECONDS rather than hanging with it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the kernel's backlog; nothing is ever read or answered
        server = start_function(
            "slow", STORAGE_EMULATOR_HOST=f"http://127.0.0.1:{silent.getsockname()[1]}", LOAD_WAIT_SECONDS="1"
        )
        started = time.monotonic()
        response = http.post(server.url, json={"image": ",".join(["0"] * 783 + ["255"])}, timeout=30)
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"error": "the model is still loading"}
    assert response.headers["Retry-After"] == "1"
    assert 1 <= waited < 10
