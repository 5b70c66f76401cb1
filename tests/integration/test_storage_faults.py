"""Storage faults at cold start, injected into the real storage emulator: each must give 503 with a message
naming the cause (and nothing of the host), keep the process up, and heal on the next request after the
retry interval once fixed, without a restart."""

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from digit import architectures
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, sha256
from local import services
from local.services import WEIGHTS

METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
GOOD_WEIGHTS = (WEIGHTS / WEIGHTS_FILE).read_bytes()
MARKER = "request-body-marker-5f1c"  # sent in every body here; must never reach a log
PREFIX = "model/"


@pytest.fixture(scope="module")
def mlp_weights(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("mlp") / WEIGHTS_FILE
    architectures.build("mlp").save_weights(path)
    return path.read_bytes()


def metadata_for(weights: bytes, **changes) -> bytes:
    return json.dumps({**METADATA, "sha256": sha256(weights), **changes}).encode()


def test_each_fault_gives_503_naming_its_cause_and_heals_without_a_restart(start_function, logs, mlp_weights, http):
    port = services.free_port()  # no emulator there yet: storage is unreachable
    # RETRY_SECONDS=0: every request makes a new attempt (the interval itself is tested in test_loader.py).
    server = start_function("faulty", STORAGE_EMULATOR_HOST=f"http://127.0.0.1:{port}", RETRY_SECONDS="0",
                            STORAGE_DEADLINE_SECONDS="1")  # fmt: skip
    body = {"note": MARKER, "image": ",".join(["0"] * 783 + ["255"])}

    def answer() -> requests.Response:
        return http.post(server.url, json=body, timeout=30)

    def expect_503(cause: str) -> None:
        response = answer()
        assert response.status_code == 503, response.text
        message = response.json()["error"]
        assert re.fullmatch(f"the model could not be loaded: {cause}", message), message
        assert response.headers["Retry-After"] == "1"
        assert not re.search(r"/tmp|/work|/home|/root|127\.0\.0\.1|token|credential", message, re.I)

    expect_503(r"cannot reach Cloud Storage to read gs://faulty/model/model\.weights\.h5 \(ConnectionError\)")

    emulator = services.start_storage(port, logs)
    try:
        gcs = services.storage_client(emulator.url)
        expect_503(r"bucket gs://faulty does not exist")

        bucket = gcs.create_bucket("faulty")
        expect_503(r"gs://faulty/model/model\.weights\.h5 does not exist")

        def put(weights: bytes, metadata: bytes) -> None:
            bucket.blob(PREFIX + WEIGHTS_FILE).upload_from_string(weights)
            bucket.blob(PREFIX + METADATA_FILE).upload_from_string(metadata)

        put(GOOD_WEIGHTS, b'{"arch": "cnn", "version":')
        expect_503(r"model\.json is not valid JSON")

        put(GOOD_WEIGHTS, json.dumps({"arch": "cnn", "sha256": sha256(GOOD_WEIGHTS)}).encode())
        expect_503(r"model\.json has no 'version' string")

        corrupted = bytearray(GOOD_WEIGHTS)
        corrupted[len(corrupted) // 2] ^= 0xFF
        put(bytes(corrupted), metadata_for(GOOD_WEIGHTS))
        expect_503(r"model\.weights\.h5 does not match model\.json: sha256 [0-9a-f]{12}…, expected [0-9a-f]{12}…")

        truncated = GOOD_WEIGHTS[: len(GOOD_WEIGHTS) // 2]
        put(truncated, metadata_for(truncated))  # a consistent checksum, but half a file
        expect_503(r"model\.weights\.h5 cannot be loaded into the 'cnn' architecture \(\w+\)")

        put(mlp_weights, metadata_for(mlp_weights))  # weights of another architecture
        expect_503(r"model\.weights\.h5 cannot be loaded into the 'cnn' architecture \(\w+\)")

        put(GOOD_WEIGHTS, metadata_for(GOOD_WEIGHTS, arch="resnet"))
        expect_503(r"model\.json: unknown architecture 'resnet'; known: cnn, mlp")

        put(GOOD_WEIGHTS, (WEIGHTS / METADATA_FILE).read_bytes())
        response = answer()
        assert response.status_code == 200, response.text
        assert response.json()["model"] == METADATA["version"]
        assert server.process.poll() is None  # the same process all along
    finally:
        emulator.stop()

    logged = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    assert logged[-1]["severity"] == "INFO" and logged[-1]["message"] == "model loaded"
    assert {entry["severity"] for entry in logged[:-1]} == {"ERROR"}
    causes = [entry["message"].removeprefix("model load failed: ") for entry in logged[:-1]]
    distinct = [cause for index, cause in enumerate(causes) if index == 0 or cause != causes[index - 1]]
    assert [cause.split(" ")[0] for cause in distinct] == [
        "cannot", "bucket", "gs://faulty/model/model.weights.h5", "model.json", "model.json",
        "model.weights.h5", "model.weights.h5", "model.weights.h5", "model.json:",
    ]  # fmt: skip
    assert MARKER not in server.log.read_text()


def test_concurrent_first_requests_trigger_exactly_one_download(gcs, start_function, storage):
    services.upload_weights(gcs, "once", WEIGHTS)

    def downloads() -> int:
        return storage.log.read_text().count("GET /download/storage/v1/b/once/o/model%2Fmodel.weights.h5")

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
