"""The function served by functions-framework, with its weights fetched from the storage emulator."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from checkout import WEIGHTS
from digit.artefact import METADATA_FILE
from digit.model import from_folder
from local import services
from tests.helpers import csv

METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
LOAD_STEPS = ["download", "load", "check"]


def test_accuracy_through_http_equals_the_offline_accuracy_of_the_same_weights(function_url, http, held_out):
    images, labels = held_out
    offline = from_folder(WEIGHTS).probabilities(images.astype(np.float32)).argmax(axis=1)
    served = []
    for start in range(0, len(images), 256):
        response = http.post(function_url, json={"images": [csv(x) for x in images[start : start + 256]]})
        assert response.status_code == 200, response.text
        served += response.json()["predictions"]
    np.testing.assert_array_equal(served, offline)
    assert round(float(np.mean(np.array(served) == labels)), 4) == METADATA["accuracy"]
    assert METADATA["accuracy"] >= 0.97


def test_single_answers_equal_batch_answers(function_url, http, held_out):
    images = held_out[0][:64]
    batch = http.post(function_url, json={"images": [image.tolist() for image in images]}).json()
    for index, image in enumerate(images):
        single = http.post(function_url, data=json.dumps({"image": csv(image)})).json()
        assert single["prediction"] == batch["predictions"][index]
        # The same numbers up to float32 rounding: the kernels may differ with the batch size.
        np.testing.assert_allclose(single["probabilities"], batch["probabilities"][index], atol=2e-6)
        assert single["model"] == batch["model"] == METADATA["version"]


def test_a_picture_of_a_number_is_read_digit_by_digit_as_the_digits_alone_are(function_url, http, held_out):
    images, labels = held_out
    digits = [images[np.flatnonzero(labels == digit)[0]] for digit in (2, 0, 2, 6, 0, 5, 0, 1)]
    buffer = io.BytesIO()
    Image.fromarray(255 - np.hstack(digits)).resize((28 * 8 * 3, 28 * 3)).save(buffer, "PNG")  # dark on light
    picture = base64.b64encode(buffer.getvalue()).decode()

    answer = http.post(function_url, json={"png": picture, "number": True}).json()

    alone = http.post(function_url, json={"images": [reading["pixels"] for reading in answer["digits"]]}).json()
    assert answer["number"] == "".join(map(str, alone["predictions"])) == "20260501"
    for reading, probabilities in zip(answer["digits"], alone["probabilities"], strict=True):
        np.testing.assert_allclose(reading["probabilities"], probabilities, atol=2e-6)
    assert answer["model"] == METADATA["version"]
    single = http.post(function_url, json={"png": picture}).json()
    assert list(single) == ["prediction", "probabilities", "model", "pixels"]


def test_health_reports_the_loaded_model_and_where_its_load_spent_its_time(function_url, http):
    health = http.get(function_url).json()
    load_seconds = health.pop("load_seconds")
    assert health == {
        "loaded": True, "corrections": False, "model": METADATA["version"], "live": METADATA["version"],
        "arch": METADATA["arch"], "accuracy": METADATA["accuracy"], "max_digits": 20, "retry_seconds": 10,
    }  # fmt: skip
    assert list(load_seconds) == LOAD_STEPS
    assert all(0 <= seconds < 60 for seconds in load_seconds.values())


def test_a_browser_preflight_is_answered(function_url, http):
    response = http.options(
        function_url, headers={"Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_chunked_body_over_the_limit_is_refused_with_413(function_url, http):
    def chunks():
        for _ in range(17):
            yield b" " * 65536  # 17 x 64 KiB, no Content-Length: the limit must hold while reading

    response = http.post(function_url, data=chunks())
    assert response.status_code == 413
    assert response.json() == {"error": "the body is over the limit of 1048576 bytes"}


def test_a_cold_start_logs_one_structured_entry_and_nothing_else(start_function, weights_bucket):
    """Cloud Logging makes an entry of every line on stderr; one that is not a JSON object has no severity."""
    server = start_function(weights_bucket)
    services.wait_until_loaded(server.url, timeout=120)
    lines = server.log.read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert [line for line in lines if not line.startswith("{")] == []
    assert [(entry["severity"], entry["message"], entry["model"]) for entry in entries] == [
        ("INFO", "model loaded", METADATA["version"])
    ]
    assert list(entries[0]["seconds"]) == LOAD_STEPS


def test_a_setting_out_of_its_range_stops_the_server_at_start_naming_it(start_function):
    with pytest.raises(services.ServiceError) as stopped:
        start_function("unused", MODEL_REFRESH_SECONDS="-1", CORRECTIONS_PER_MINUTE="0")
    message, log = str(stopped.value).split("\n", 1)
    assert message.endswith(" exited with code 1:")  # the first setting out of range is named, alone
    assert [json.loads(line) for line in log.splitlines()] == [
        {
            "severity": "CRITICAL",
            "message": "the function cannot start: MODEL_REFRESH_SECONDS must be a number above 0, not -1.0",
        }
    ]
