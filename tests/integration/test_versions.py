"""Model versions side by side in the bucket, and the function switching between them as live.json says, through
the real server and the storage emulator: under load with no failed request and every answer from the version
that it names, twice in a row, never to a version that cannot be served (and healing once the pointer is
fixed), and without memory growing over many switches."""

import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import requests

from checkout import WEIGHTS
from digit.artefact import DEFAULT_PREFIX, METADATA_FILE, POINTER_FILE, WEIGHTS_FILE
from digit.model import from_folder
from local import services
from tests.helpers import ONE, csv
from tests.versions import (
    GOOD_WEIGHTS,
    METADATA,
    NOT_A_WEIGHTS_FILE,
    NOT_ITS_ARCH,
    UNKNOWN_ARCH,
    metadata_for,
    put_version,
    unnamed_model,
    variant,
    write_version,
)

REFRESH_SECONDS = 0.3
ORIGINAL = METADATA["version"]
BODY = {"image": csv(ONE)}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The committed version, a version of a network the function's code never names (the first switched to),
    and a variant of the committed one, each in a folder of its own, by version."""
    unnamed, other = tmp_path_factory.mktemp("unnamed"), tmp_path_factory.mktemp("variant")
    return {ORIGINAL: WEIGHTS, write_version(unnamed, unnamed_model(1), "unnamed"): unnamed, variant(other, 2): other}


@pytest.fixture(scope="module")
def expected(folders) -> dict[str, np.ndarray]:
    """What each version answers for BODY's image, computed here."""
    return {version: answer_of(folder) for version, folder in folders.items()}


def answer_of(folder: Path) -> np.ndarray:
    return from_folder(folder).probabilities(ONE[np.newaxis].astype(np.float32))[0]


@pytest.fixture(scope="module")
def bucket(gcs, folders):
    bucket = gcs.create_bucket("versions")
    for version, folder in folders.items():
        put_version(bucket, version, (folder / WEIGHTS_FILE).read_bytes(), (folder / METADATA_FILE).read_bytes())
    point(bucket, ORIGINAL)
    return bucket


@pytest.fixture(scope="module")
def server(bucket, start_function) -> services.Service:
    server = start_function("versions", MODEL_REFRESH_SECONDS=str(REFRESH_SECONDS))
    services.wait_until_loaded(server.url, timeout=60)
    return server


@pytest.fixture(autouse=True)
def back_to_the_original(request):
    """Each test starts from the committed version, served and pointed at, nothing pending."""
    if "server" in request.fixturenames:
        bucket, server = request.getfixturevalue("bucket"), request.getfixturevalue("server")
        point(bucket, ORIGINAL)
        wait_for(server, lambda health: health["model"] == ORIGINAL and "pending" not in health)
    yield


def point(bucket, version: str, **fields) -> None:
    bucket.blob(DEFAULT_PREFIX + POINTER_FILE).upload_from_string(json.dumps({"version": version, **fields}))


def wait_for(server: services.Service, condition, timeout: float = 60) -> dict:
    """The function's health, once `condition(health)` holds."""
    health = {}

    def holds() -> bool:
        nonlocal health
        health = requests.get(server.url, timeout=10).json()
        return condition(health)

    until(holds, lambda: f"still {health}", timeout)
    return health


def until(condition: Callable[[], bool], state: Callable[[], str], timeout: float = 60) -> None:
    """Returns once `condition()` holds; after `timeout` seconds, fails with `state()`, what it is instead."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, state()
        time.sleep(0.05)


def served_version(server: services.Service, expected: dict[str, np.ndarray]) -> str:
    """The version that answers a request, checked against what that version answers offline."""
    response = requests.post(server.url, json=BODY, timeout=30)
    assert response.status_code == 200, response.text
    answer = response.json()
    np.testing.assert_allclose(answer["probabilities"], expected[answer["model"]], atol=1e-5)
    return answer["model"]


def test_a_switch_under_load_fails_no_request_and_every_answer_is_from_the_version_it_names(server, bucket, expected):
    other = next(version for version in expected if version != ORIGINAL)
    assert other.startswith("unnamed-")  # a network the function learns from its model.json alone
    answers: dict[int, list[tuple[int, str | None, list]]] = {client: [] for client in range(4)}
    stop = threading.Event()

    def client(number: int) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                response = session.post(server.url, json=BODY, timeout=30)
                body = response.json()
                answers[number].append((response.status_code, body.get("model"), body.get("probabilities")))

    clients = [threading.Thread(target=client, args=(number,)) for number in answers]
    for thread in clients:
        thread.start()

    def models_seen() -> list[set[str | None]]:
        return [{model for _, model, _ in list(seen)} for seen in answers.values()]

    # Every client is answered by the original before the switch, and by the other after it, however busy the
    # machine is.
    until(lambda: all(models_seen()), lambda: f"models seen by each client: {models_seen()}")
    point(bucket, other)
    until(lambda: all(other in seen for seen in models_seen()), lambda: f"models seen by each client: {models_seen()}")
    stop.set()
    for thread in clients:
        thread.join(30)

    for seen in answers.values():
        assert {status for status, _, _ in seen} == {200}
        models = [model for _, model, _ in seen]
        assert models[0] == ORIGINAL and models[-1] == other, models  # each client saw the switch
        switched = models.index(other)
        assert models[:switched] == [ORIGINAL] * switched and models[switched:] == [other] * (len(models) - switched)
        for _, model, probabilities in seen:
            np.testing.assert_allclose(probabilities, expected[model], atol=1e-5)
    assert served_version(server, expected) == other


def test_two_switches_in_a_row(server, bucket, expected):
    first, second = [version for version in expected if version != ORIGINAL]
    for version in (first, second):
        point(bucket, version, history=[ORIGINAL])
        health = wait_for(server, lambda health, version=version: health["model"] == version)
        assert health["live"] == version and "pending" not in health
        assert served_version(server, expected) == version
    assert list(health["load_seconds"]) == ["download", "load", "check"]
    switches = [json.loads(line) for line in server.log.read_text().splitlines() if '"model switched"' in line]
    assert [(entry["previous"], entry["model"]) for entry in switches[-2:]] == [(ORIGINAL, first), (first, second)]


# What live.json says in each case, and the cause the function must give.
CASES = {
    "missing folder": ('{"version": "missing"}', r"gs://versions/models/missing/model\.weights\.h5 does not exist"),
    "malformed pointer": ('{"version": ', r"live\.json is not valid JSON"),
    "sha mismatch": ('{"version": "corrupted"}', r"model\.weights\.h5 does not match model\.json: sha256 .*"),
    "truncated": ('{"version": "truncated"}', NOT_A_WEIGHTS_FILE),
    "unknown architecture": ('{"version": "unknown-arch"}', UNKNOWN_ARCH),
    "wrong architecture": ('{"version": "mlp-weights"}', NOT_ITS_ARCH),
    "self-check": ('{"version": "self-check"}', r"the rebuilt model reads self_check input 0 as \d, .*"),
    "misnamed": ('{"version": "misnamed"}', rf"model\.json in the folder misnamed/ is that of '{ORIGINAL}'"),
}


@pytest.fixture(scope="module")
def broken_versions(bucket, tmp_path_factory) -> None:
    """The versions of CASES that the bucket holds, each in a folder of its own."""
    from train import network

    corrupted = bytearray(GOOD_WEIGHTS)
    corrupted[len(corrupted) // 2] ^= 0xFF
    truncated = GOOD_WEIGHTS[: len(GOOD_WEIGHTS) // 2]
    mlp_folder = tmp_path_factory.mktemp("mlp")
    network.build("mlp").save_weights(mlp_folder / WEIGHTS_FILE)
    mlp = (mlp_folder / WEIGHTS_FILE).read_bytes()
    stored = METADATA["self_check"]
    self_check = {**stored, "probabilities": [row[::-1] for row in stored["probabilities"]]}  # other digits
    for name, weights, metadata in [
        ("corrupted", bytes(corrupted), metadata_for(GOOD_WEIGHTS, version="corrupted")),
        ("truncated", truncated, metadata_for(truncated, version="truncated")),
        ("unknown-arch", GOOD_WEIGHTS, metadata_for(GOOD_WEIGHTS, listed=False, version="unknown-arch", arch="resnet")),
        ("mlp-weights", mlp, metadata_for(mlp, version="mlp-weights")),
        ("self-check", GOOD_WEIGHTS, metadata_for(GOOD_WEIGHTS, version="self-check", self_check=self_check)),
        ("misnamed", GOOD_WEIGHTS, metadata_for(GOOD_WEIGHTS)),
    ]:
        put_version(bucket, name, weights, metadata)


@pytest.mark.parametrize("case", CASES)
def test_a_version_that_cannot_be_served_leaves_the_served_one_and_says_why_once(
    server, bucket, storage, expected, broken_versions, case
):
    pointer, cause = CASES[case]
    errors_before = len(errors(server))
    bucket.blob(DEFAULT_PREFIX + POINTER_FILE).upload_from_string(pointer)
    health = wait_for(server, lambda health: "pending" in health)
    assert re.fullmatch(cause, health["pending"]["error"]), health
    pointed = json.loads(pointer)["version"] if pointer.endswith("}") else None
    assert health["pending"]["version"] == health["live"] == pointed
    assert health["model"] == ORIGINAL and served_version(server, expected) == ORIGINAL
    reads = pointer_reads(storage)
    until(lambda: pointer_reads(storage) >= reads + 3, lambda: f"{pointer_reads(storage) - reads} refreshes more")
    logged = errors(server)[errors_before:]
    assert len(logged) == 1, logged  # one ERROR for this pointer, not one per refresh
    assert logged[0]["message"] == f"model version not served: {health['pending']['error']}"
    assert (logged[0]["version"], logged[0]["serving"]) == (pointed, ORIGINAL)
    assert served_version(server, expected) == ORIGINAL


def test_a_missing_version_is_tried_again_until_it_arrives(server, bucket, expected, folders, tmp_path):
    late_folder = tmp_path / "late"
    late = variant(late_folder, seed=3)
    point(bucket, late)
    wait_for(server, lambda health: "pending" in health and "does not exist" in health["pending"]["error"])
    put_version(bucket, late, (late_folder / WEIGHTS_FILE).read_bytes(), (late_folder / METADATA_FILE).read_bytes())
    expected[late] = answer_of(late_folder)
    wait_for(server, lambda health: health["model"] == late and "pending" not in health)  # the pointer as it was
    assert served_version(server, expected) == late


def pointer_reads(storage: services.Service) -> int:
    """How often the bucket's live.json has been downloaded, by the storage emulator's log of requests: once at
    each refresh while a version is pending, each trying it again."""
    return storage.log.read_text().count(f"GET /download/storage/v1/b/versions/o/{DEFAULT_PREFIX}{POINTER_FILE}?")


def errors(server: services.Service) -> list[dict]:
    return [json.loads(line) for line in server.log.read_text().splitlines() if '"severity": "ERROR"' in line]


def worker_memory_mib(server: services.Service) -> float:
    (worker,) = services.descendants(server.process.pid)
    status = Path(f"/proc/{worker}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def test_memory_does_not_grow_over_twenty_switches(server, bucket, expected):
    first, second = [version for version in expected if version != ORIGINAL][:2]
    measured = []
    for switch in range(20):
        version = (first, second)[switch % 2]
        point(bucket, version)
        wait_for(server, lambda health, version=version: health["model"] == version)
        served_version(server, expected)
        measured.append(worker_memory_mib(server))
    print(f"worker memory over 20 switches, MiB: {[round(m) for m in measured]}")
    # The first switches settle the allocator's pools; after them, a version kept alive would cost a few
    # megabytes each time.
    assert measured[-1] - measured[9] < 10, measured
