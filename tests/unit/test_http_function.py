"""The HTTP function through Flask's test client (no network): routing, answers, CORS and every refusal.

The model comes from the committed weights on disk; the real server with Cloud Storage is tested in
tests/integration."""

import base64
import io
import json

import flask
import numpy as np
import pytest
from flask.testing import FlaskClient
from functions_framework import create_app
from PIL import Image

from checkout import FUNCTION_SOURCE, WEIGHTS
from digit.payload import MAX_DIGITS
from digit.pixels import to_mnist
from digit.served import ServedModel
from digit.service import Function
from digit.settings import Settings, SettingsError
from tests.helpers import EMPTY, NOT_JSON, ONE, csv
from tests.versions import METADATA, FolderBucket

ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND"]


def client_of(function: Function) -> FlaskClient:
    """A test client of an app that hands every request, whatever its path and method, to `function`."""
    app = flask.Flask("digit")
    app.add_url_rule("/", "root", lambda: function.answer(flask.request), methods=ALL_METHODS)
    app.add_url_rule("/<path:path>", "path", lambda path: function.answer(flask.request), methods=ALL_METHODS)
    return app.test_client()


@pytest.fixture(scope="module")
def committed() -> ServedModel:
    """The committed weights, loaded once for the module (the pointer is never refreshed here)."""
    return ServedModel(FolderBucket({METADATA["version"]: WEIGHTS}, METADATA["version"]), 3600, 10)


@pytest.fixture(scope="module")
def client(committed) -> FlaskClient:
    """The function with the default settings, serving the committed weights."""
    return client_of(Function(Settings(), committed, None))


def post(client, value, **kwargs):
    return client.post("/", data=json.dumps(value), **kwargs)


def test_a_digit_is_read_with_probabilities_and_the_model_version(client):
    response = post(client, {"image": csv(ONE)})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["prediction"] == 1
    assert len(body["probabilities"]) == 10 and abs(sum(body["probabilities"]) - 1) < 1e-4
    assert body["probabilities"][1] == max(body["probabilities"])
    assert body["model"] == json.loads((WEIGHTS / "model.json").read_text())["version"]


def test_a_plain_curl_post_without_json_content_type_works(client):
    response = client.post("/", data=json.dumps({"image": csv(ONE)}), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.get_json()["prediction"] == 1


def png_of(picture: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(picture.astype(np.uint8)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_png_answer_shows_the_pixels_it_read(client):
    drawing = np.full((280, 280), 255, dtype=np.uint8)
    drawing[40:240, 120:150] = 0  # a thick black "1" on white paper
    body = post(client, {"png": png_of(drawing)}).get_json()
    assert body["prediction"] == 1
    pixels = np.array(body["pixels"]).reshape(28, 28)
    assert pixels.max() == 255 and pixels[0].sum() == 0
    assert np.nonzero(pixels.sum(axis=1))[0].tolist() == list(range(5, 25))


@pytest.fixture(scope="module")
def nineteen_eighty_four(mnist_sample) -> list[np.ndarray]:
    """A real MNIST 1, 9, 8 and 4, white on black with their margins."""
    images, labels = mnist_sample
    return [images[labels == digit][0] for digit in (1, 9, 8, 4)]


def test_a_png_read_as_a_number_answers_each_digit_in_order_as_it_would_be_read_alone(client, nineteen_eighty_four):
    number = 255 - np.hstack(nineteen_eighty_four)  # dark on light; MNIST's margins leave gaps between the digits
    body = post(client, {"png": png_of(number), "number": True}).get_json()
    assert list(body) == ["number", "digits", "model"]
    assert body["number"] == "1984"
    assert body["model"] == METADATA["version"]
    assert len(body["digits"]) == 4
    for digit, reading in zip(nineteen_eighty_four, body["digits"], strict=True):
        assert list(reading) == ["prediction", "probabilities", "pixels"]
        alone = to_mnist(255 - digit)
        assert reading["pixels"] == alone.ravel().tolist()
        read_alone = post(client, {"image": csv(alone)}).get_json()
        assert reading["prediction"] == read_alone["prediction"]
        np.testing.assert_allclose(reading["probabilities"], read_alone["probabilities"], atol=2e-6)


def test_a_png_without_number_or_with_number_false_is_read_as_one_digit_as_before(client, nineteen_eighty_four):
    one = png_of(255 - np.pad(nineteen_eighty_four[0], 20))
    without = post(client, {"png": one}).get_json()
    assert list(without) == ["prediction", "probabilities", "model", "pixels"]
    assert without["prediction"] == 1
    assert post(client, {"png": one, "number": False}).get_json() == without


def test_get_reports_health_and_model_metadata(client):
    post(client, {"image": csv(ONE)})  # loaded by now
    body = client.get("/").get_json()
    metadata = json.loads((WEIGHTS / "model.json").read_text())
    load_seconds = body.pop("load_seconds")
    assert body == {
        "loaded": True,
        "corrections": False,
        "max_digits": MAX_DIGITS,  # the limits the page learns here
        "retry_seconds": Settings.retry_seconds,
        "model": metadata["version"],
        "live": metadata["version"],
        "arch": metadata["arch"],
        "accuracy": metadata["accuracy"],
    }
    assert list(load_seconds) == ["download", "load", "check"]
    assert all(0 <= seconds < 60 for seconds in load_seconds.values())


def test_head_is_a_health_check_without_a_body(client):
    response = client.head("/")
    assert response.status_code == 200 and response.data == b""


def test_preflight_is_answered_with_cors_headers(client):
    response = client.options("/", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "Retry-After"  # the page reads it on a 503
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"


def test_only_listed_origins_are_allowed_when_a_list_is_configured(committed):
    client = client_of(Function(Settings(allowed_origins=("https://site.example",)), committed, None))
    allowed = post(client, {"image": csv(ONE)}, headers={"Origin": "https://site.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://site.example"
    assert allowed.headers["Vary"] == "Origin"
    other = post(client, {"image": csv(ONE)}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND"])
def test_other_methods_are_refused_with_405(client, method):
    response = client.open("/", method=method)
    assert response.status_code == 405
    assert response.get_json() == {"error": f"method {method} is not allowed; use POST"}
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", EMPTY),
        (b"{oops", NOT_JSON + " (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        (json.dumps({"image": "1,2,3"}).encode(), "image: expected 784 values, got 3"),
        (json.dumps({"images": []}).encode(), "images: the list is empty"),
        (json.dumps({"png": "@@"}).encode(), "png: not valid base64"),
        (json.dumps({"png": "@@", "number": "yes"}).encode(), "number: expected true or false, got a string"),
    ],
)
def test_bad_input_gets_400_with_a_message(client, data, message):
    response = client.post("/", data=data)
    assert response.status_code == 400
    assert response.get_json() == {"error": message}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("over", [-1, 0, 1], ids=["limit-1", "limit", "limit+1"])
def test_the_body_limit_is_exact(committed, over):
    data = json.dumps({"image": csv(ONE)})
    client = client_of(Function(Settings(max_body_bytes=len(data) - over), committed, None))
    response = client.post("/", data=data)
    if over <= 0:
        assert response.status_code == 200 and response.get_json()["prediction"] == 1
    else:
        assert response.status_code == 413
        assert response.get_json() == {"error": f"the body is {len(data)} bytes; the limit is {len(data) - 1}"}


class Broken:
    """A served model whose forward pass has a bug."""

    version = "broken"

    def classifier(self, wait: float) -> "Broken":
        return self

    def probabilities(self, images):
        raise RuntimeError("a bug")


def test_a_bug_of_ours_answers_a_json_500_and_logs_one_structured_line_without_the_body(capsys):
    broken = client_of(Function(Settings(), Broken(), None))
    response = broken.post("/", data=json.dumps({"note": "secret-7c1", "image": csv(ONE)}))
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error"}
    logged = capsys.readouterr().err.strip().splitlines()
    assert len(logged) == 1
    entry = json.loads(logged[0])
    assert entry.pop("where").startswith("test_http_function.py:")  # the file and line that raised, not a host path
    assert entry == {"severity": "ERROR", "message": "unhandled error", "error_type": "RuntimeError"}
    assert "secret-7c1" not in "".join(logged)


def test_the_entry_point_reads_its_settings_from_the_environment_once_at_start(monkeypatch):
    """main.py as functions-framework loads it: the environment at that moment is its configuration."""
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("MAX_BODY_BYTES", "100")
    client = create_app(target="predict", source=str(FUNCTION_SOURCE)).test_client()
    monkeypatch.setenv("MAX_BODY_BYTES", "100000")  # read once: a change now changes nothing
    data = json.dumps({"image": csv(ONE)})
    response = client.post("/", data=data, headers={"Origin": "https://b.example"})
    assert response.status_code == 413
    assert response.get_json() == {"error": f"the body is {len(data)} bytes; the limit is 100"}
    assert response.headers["Access-Control-Allow-Origin"] == "https://b.example"
    health = client.get("/").get_json()
    assert (health["loaded"], health["corrections"]) == (False, False)  # no bucket named: nothing to load


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MAX_BODY_BYTES", "1MB", "MAX_BODY_BYTES must be a whole number, not '1MB'"),
        ("RETRY_SECONDS", "soon", "RETRY_SECONDS must be a number, not 'soon'"),
        ("MODEL_REFRESH_SECONDS", "nan", "MODEL_REFRESH_SECONDS must be a number above 0, not nan"),
        ("MODEL_REFRESH_SECONDS", "-5", "MODEL_REFRESH_SECONDS must be a number above 0, not -5.0"),
        ("BODY_TIMEOUT_SECONDS", "inf", "BODY_TIMEOUT_SECONDS must be a number above 0, not inf"),
        ("CORRECTIONS_PER_MINUTE", "0", "CORRECTIONS_PER_MINUTE must be 1 or more, not 0"),
        ("MAX_BODY_BYTES", "-1", "MAX_BODY_BYTES must be 1 or more, not -1"),
        ("LOAD_WAIT_SECONDS", "-0.5", "LOAD_WAIT_SECONDS must be 0 or more, not -0.5"),
        ("ALLOWED_ORIGINS", "https://a.example,,", "ALLOWED_ORIGINS has an empty origin in its list"),
    ],
)
def test_a_setting_out_of_its_range_is_named(variable, value, message):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert str(refused.value) == message


def test_settings_take_the_environment_and_leave_the_rest_to_their_defaults():
    settings = Settings.from_env({"WEIGHTS_BUCKET": "b", "ALLOWED_ORIGINS": "https://x.example,https://y.example",
                                  "LOAD_WAIT_SECONDS": "2.5", "CORRECTIONS_PER_MINUTE": "3"})  # fmt: skip
    assert settings == Settings(weights_bucket="b", allowed_origins=("https://x.example", "https://y.example"),
                                load_wait_seconds=2.5, corrections_per_minute=3)  # fmt: skip
    assert settings.weights_prefix == "models/" and settings.discard_limit_bytes == 16 * 1024 * 1024
