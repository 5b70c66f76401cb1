"""POST /corrections through the real server and the storage emulator: what is stored (and nothing about the
sender), every bad input refused with nothing stored, the limit per minute, 404 where corrections are not
collected, and 503 when they cannot be stored, with predictions unaffected."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from local import services
from tests.helpers import ONE, csv
from tests.versions import METADATA

VERSION = METADATA["version"]
CORRECTION = {"image": csv(ONE), "label": 7, "read_as": 1, "model": VERSION}
NOT_A_VERSION = "model: expected the version that read the image, such as cnn-a497cee2f488"


@pytest.fixture(scope="module")
def corrections_bucket(gcs):
    return gcs.create_bucket("corrections")


@pytest.fixture(scope="module")
def collecting(weights_bucket, corrections_bucket, start_function) -> str:
    """A function that stores corrections in `corrections_bucket` (at most 30 a minute, the default: more than
    the tests that use it store)."""
    server = start_function(weights_bucket, CORRECTIONS_BUCKET=corrections_bucket.name)
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


@pytest.fixture
def stored(corrections_bucket):
    """The objects the bucket holds, by name, as a function: {name: content}."""

    def objects() -> dict[str, dict]:
        return {blob.name: json.loads(blob.download_as_bytes()) for blob in corrections_bucket.list_blobs()}

    return objects


@pytest.fixture(autouse=True)
def empty(request):
    """Each test finds the bucket empty: what one stores is deleted after it."""
    yield
    if "corrections_bucket" in request.fixturenames:
        for blob in request.getfixturevalue("corrections_bucket").list_blobs():
            blob.delete()


def send(url: str, body: object, **headers: str) -> requests.Response:
    return requests.post(f"{url}/corrections", data=json.dumps(body), headers=headers, timeout=30)


def test_a_correction_is_stored_as_one_object_with_nothing_about_the_sender(collecting, stored):
    before = datetime.now(UTC).replace(microsecond=0)
    response = send(collecting, CORRECTION, Origin="https://page.example", **{"User-Agent": "Secret-Browser/9",
                    "X-Forwarded-For": "203.0.113.77"})  # fmt: skip

    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(rf"corrections/{before:%Y-%m-%d}/[0-9a-f-]{{36}}\.json", body.pop("object"))
    assert body == {"stored": True, "label": 7}
    (name, record), *others = stored().items()
    assert others == []
    assert set(record) == {"label", "pixels", "read_as", "model", "time"}
    assert (record["label"], record["read_as"], record["model"]) == (7, 1, VERSION)
    assert record["pixels"] == ONE.ravel().tolist()
    moment = datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= moment <= datetime.now(UTC) + timedelta(seconds=1)
    assert not re.search(r"203\.0\.113|Secret-Browser|page\.example|127\.0\.0\.1", json.dumps(record))


@pytest.mark.parametrize("image", [ONE.ravel().tolist(), ONE.tolist(), csv(ONE, " , ")], ids=["list", "grid", "spaced"])
def test_every_single_image_form_is_stored_as_the_same_pixels(collecting, stored, image):
    response = send(collecting, {"image": image, "label": 1})
    assert response.status_code == 201, response.text
    (record,) = stored().values()
    assert record["pixels"] == ONE.ravel().tolist()
    assert (record["read_as"], record["model"]) == (None, None)  # optional, and not sent


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"label": 7}, "a correction needs 'image', such as {EXAMPLE}"),
        ({"image": csv(ONE)}, "a correction needs 'label', such as {EXAMPLE}"),
        ({**CORRECTION, "label": "7"}, "label: expected a digit, a whole number from 0 to 9, got a string"),
        ({**CORRECTION, "label": 7.5}, "label: expected a digit, a whole number from 0 to 9, got 7.5"),
        ({**CORRECTION, "label": 10}, "label: expected a digit, a whole number from 0 to 9, got 10"),
        ({**CORRECTION, "label": -1}, "label: expected a digit, a whole number from 0 to 9, got -1"),
        ({**CORRECTION, "label": True}, "label: expected a digit, a whole number from 0 to 9, got a boolean"),
        ({**CORRECTION, "label": None}, "label: expected a digit, a whole number from 0 to 9, got null"),
        ({**CORRECTION, "read_as": 12}, "read_as: expected a digit, a whole number from 0 to 9, got 12"),
        ({**CORRECTION, "model": 5}, NOT_A_VERSION),
        ({**CORRECTION, "model": "../up"}, NOT_A_VERSION),
        ({**CORRECTION, "model": "c" * 65}, NOT_A_VERSION),
        ({**CORRECTION, "image": "1,2,3"}, "image: expected 784 values, got 3"),
        ({**CORRECTION, "image": [0] * 784}, "image: every value is 0, so there is no digit to read"),
        ({**CORRECTION, "image": [0.5] + [255] * 783},
         "image: value 0.5 at index 0 is not a whole number, as read pixels are"),
        ({**CORRECTION, "ip": "203.0.113.77"},
         "unexpected field 'ip': a correction holds image, label, and optionally read_as and model"),
        ({**CORRECTION, "png": "AAAA"},
         "unexpected field 'png': a correction holds image, label, and optionally read_as and model"),
        ([7], "expected a JSON object such as {EXAMPLE}, got a list"),
    ],
)  # fmt: skip
def test_bad_input_gets_400_with_a_message_and_stores_nothing(collecting, stored, body, message):
    from digit.corrections import EXAMPLE

    response = send(collecting, body)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": message.format(EXAMPLE=EXAMPLE)}
    assert stored() == {}


def test_a_body_that_is_not_json_gets_400_and_stores_nothing(collecting, stored):
    response = requests.post(f"{collecting}/corrections", data=b"{label: 7", timeout=30)
    assert response.status_code == 400
    assert response.json()["error"].startswith("the request body is not valid JSON")
    assert stored() == {}


def test_beyond_the_limit_a_minute_the_answer_is_429_with_retry_after(weights_bucket, corrections_bucket,
                                                                     start_function, stored):  # fmt: skip
    server = start_function(weights_bucket, CORRECTIONS_BUCKET=corrections_bucket.name, CORRECTIONS_PER_MINUTE="3")
    statuses = [send(server.url, CORRECTION).status_code for _ in range(3)]
    refused = send(server.url, CORRECTION)

    assert statuses == [201] * 3
    assert refused.status_code == 429
    assert refused.json() == {"error": "too many corrections: this instance stores 3 a minute"}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Access-Control-Expose-Headers"] == "Retry-After"  # the page may read it
    assert len(stored()) == 3


def test_where_corrections_are_not_collected_the_answer_is_404_and_health_says_so(function_url, http):
    response = send(function_url, CORRECTION)
    assert response.status_code == 404
    assert response.json() == {"error": "corrections are not collected here"}
    assert http.get(function_url).json()["corrections"] is False


def test_health_says_where_corrections_are_collected(collecting, http):
    assert http.get(collecting).json()["corrections"] is True


def test_a_storage_failure_is_a_503_not_counted_against_the_limit_and_predictions_go_on(
    weights_bucket, start_function, http
):
    # A limit of 1 a minute: were a failed store counted, the second correction would get 429. RETRY_SECONDS as
    # the environment gives it, a float with a fraction: HTTP's Retry-After takes whole seconds, rounded up.
    server = start_function(
        weights_bucket, CORRECTIONS_BUCKET="no-such-bucket", CORRECTIONS_PER_MINUTE="1", RETRY_SECONDS="2.5"
    )
    responses = [send(server.url, CORRECTION) for _ in range(2)]
    for response in responses:
        assert response.status_code == 503, response.text
        assert response.json() == {
            "error": "the correction could not be stored: bucket gs://no-such-bucket does not exist"
        }
        assert response.headers["Retry-After"] == "3"
    prediction = http.post(server.url, json={"image": csv(ONE)})
    assert prediction.status_code == 200 and prediction.json()["prediction"] == 1
    logged = [json.loads(line) for line in server.log.read_text().splitlines() if '"correction not stored' in line]
    assert [entry["severity"] for entry in logged] == ["ERROR", "ERROR"]


@pytest.mark.parametrize("path", ["/predict", "/correction", "/corrections/extra"])
def test_a_post_to_any_other_path_is_neither_a_prediction_nor_a_correction(collecting, stored, path):
    response = requests.post(collecting + path, json={"image": csv(ONE)}, timeout=30)
    assert response.status_code == 404
    assert response.json() == {"error": "nothing is posted here: post a digit to / and a correction to /corrections"}
    assert stored() == {}
