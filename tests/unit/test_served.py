"""The served model's life (digit/served.py): one first load however many ask at once, 503 and healing after a
failure, and refreshes that switch versions without a request ever lacking a model. The bucket is a stand-in
over the published version folders; tests/integration does the same through the storage emulator."""

import json
import threading

import pytest

from digit.served import ServedModel, Unavailable
from tests.versions import PUBLISHED, FolderBucket

CNN3, CNN = "cnn3-a5d9596a84c3", "cnn-a497cee2f488"
FOLDERS = {CNN3: PUBLISHED / CNN3, CNN: PUBLISHED / CNN}


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def served_from(bucket: FolderBucket, clock: Clock | None = None) -> ServedModel:
    """Refreshed by the tests alone: the refresh thread's interval is longer than any test."""
    return ServedModel(bucket, refresh_seconds=3600, retry_seconds=10, **({"clock": clock} if clock else {}))


def test_concurrent_first_callers_share_one_download():
    bucket = FolderBucket(FOLDERS, live=CNN3)
    bucket.gate = threading.Event()
    served = served_from(bucket)
    together = threading.Barrier(16)
    first_answers, versions = [], []

    def caller() -> None:
        together.wait(5)
        try:
            served.classifier(wait=0)
        except Unavailable as still_loading:
            first_answers.append((str(still_loading), still_loading.retry_after))
        versions.append(served.classifier(wait=10).version)

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for thread in threads:
        thread.start()
    while len(first_answers) < 16 and any(thread.is_alive() for thread in threads):
        threading.Event().wait(0.01)
    bucket.gate.set()
    for thread in threads:
        thread.join(10)
    assert first_answers == [("the model is still loading", 1)] * 16
    assert versions == [CNN3] * 16
    assert bucket.downloads == [CNN3]


def test_a_failed_first_load_answers_its_cause_then_heals_after_the_interval(capsys):
    clock = Clock()
    bucket = FolderBucket(FOLDERS, live="gone")
    served = served_from(bucket, clock)
    with pytest.raises(Unavailable) as first:
        served.classifier(wait=5)
    cause = "gs://folders/models/gone/model.weights.h5 does not exist"
    assert (str(first.value), first.value.retry_after) == (f"the model could not be loaded: {cause}", 10)
    assert served.health() == {"loaded": False, "error": cause}
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(entry["severity"], entry["message"]) for entry in logged] == [("ERROR", f"model load failed: {cause}")]

    bucket.point(CNN3)
    clock.now += 4
    with pytest.raises(Unavailable) as early:
        served.classifier(wait=5)  # too soon: no new attempt
    assert early.value.retry_after == 6 and bucket.downloads == ["gone"]

    clock.now += 6
    assert served.classifier(wait=5).version == CNN3
    assert bucket.downloads == ["gone", CNN3]


def test_health_names_the_version_and_where_its_load_spent_its_time():
    served = served_from(FolderBucket(FOLDERS, live=CNN))
    served.classifier(wait=10)
    health = served.health()
    seconds = health.pop("load_seconds")
    metadata = json.loads((PUBLISHED / CNN / "model.json").read_text())
    assert health == {"loaded": True, "model": CNN, "arch": "cnn", "accuracy": metadata["accuracy"], "live": CNN}
    assert list(seconds) == ["download", "load", "check"] and all(0 <= value < 10 for value in seconds.values())


def test_a_refresh_switches_to_the_version_the_pointer_names_and_only_then():
    bucket = FolderBucket(FOLDERS, live=CNN3)
    served = served_from(bucket)
    before = served.classifier(wait=10)
    served.refresh()
    assert bucket.downloads == [CNN3]  # the pointer has not changed: nothing downloaded
    bucket.point(CNN)
    assert served.classifier(wait=0) is before  # until the refresh, the version served stays
    served.refresh()
    assert served.classifier(wait=0).version == CNN and served.health()["live"] == CNN
    assert before.version == CNN3  # a request holding the old one still has it whole
    assert bucket.downloads == [CNN3, CNN]


def test_a_version_that_cannot_be_served_is_pending_and_logged_once_per_cause(capsys):
    bucket = FolderBucket(FOLDERS, live=CNN3)
    served = served_from(bucket)
    served.classifier(wait=10)
    bucket.point("broken")
    for _ in range(3):
        served.refresh()
    cause = "gs://folders/models/broken/model.weights.h5 does not exist"
    health = served.health()
    assert (health["model"], health["live"], health["pending"]) == (
        CNN3,
        "broken",
        {"version": "broken", "error": cause},
    )
    assert bucket.downloads == [CNN3, "broken", "broken", "broken"]  # tried again at every refresh
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    failures = [entry for entry in logged if entry["severity"] == "ERROR"]
    assert [(entry["message"], entry["version"], entry["serving"]) for entry in failures] == [
        (f"model version not served: {cause}", "broken", CNN3)
    ]
    bucket.point(CNN)
    served.refresh()
    assert "pending" not in served.health() and served.classifier(wait=0).version == CNN
