"""What an attacker on the internet would send, through the real server with THREADS=8 as deployed: small
pictures that a careless decoder turns into seconds of CPU or hundreds of megabytes, slow bodies that would hold
every thread, and overlong request lines and headers. Each is answered, with its status and message, and the
server stays up. What they cost in time and memory is the benchmark's (bench/attacks.py)."""

import base64
import io
import json
import select
import socket

import numpy as np
import pytest
from PIL import Image

from bench.hostile import jpeg_of_repeated_scans, long_line, sideways_digit_with_exif
from digit.picture_files import MAX_JPEG_SCANS
from digit.pixels import to_mnist
from local import services
from tests.helpers import ONE, csv

DIGIT = json.dumps({"image": csv(ONE)}).encode()


@pytest.fixture(scope="module")
def hostile_url(weights_bucket, start_function) -> str:
    server = start_function(weights_bucket)  # THREADS as deploy.sh sets it (local/services.py)
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


def as_png(data: bytes) -> dict:
    return {"png": base64.b64encode(data).decode()}


@pytest.mark.parametrize("width, height", [(2**20, 1), (1, 2**20)])
def test_a_picture_a_million_pixels_long_is_read_as_its_shape_says(hostile_url, http, width, height):
    data = long_line(width, height)
    response = http.post(hostile_url, json=as_png(data))
    assert response.status_code == 200, response.text
    expected = to_mnist(np.asarray(Image.open(io.BytesIO(data))))
    assert response.json()["pixels"] == expected.ravel().tolist()


def test_a_jpeg_of_thousands_of_scans_is_refused_before_it_is_decoded(hostile_url, http):
    data = jpeg_of_repeated_scans(12_000)
    assert len(data) < 1024 * 1024  # what the body limit lets through
    response = http.post(hostile_url, json=as_png(data))
    assert response.status_code == 400
    assert response.json() == {"error": f"png: the JPEG has more than {MAX_JPEG_SCANS} scans; a photo has about ten"}


def test_a_picture_s_exif_is_read_for_its_orientation_alone(hostile_url, http):
    data, upright = sideways_digit_with_exif(60_000)
    response = http.post(hostile_url, json=as_png(data))
    assert response.status_code == 200, response.text
    assert response.json()["pixels"] == to_mnist(upright).ravel().tolist()


def test_an_overlong_request_line_or_header_is_refused_by_the_server(hostile_url, http):
    assert http.post(hostile_url + "/?" + "a" * 4_000_000, data=DIGIT).status_code == 414
    assert http.post(hostile_url, data=DIGIT, headers={"X-Padding": "a" * 9000}).status_code == 431
    assert http.post(hostile_url + "/?" + "a" * 3000, data=DIGIT).json()["prediction"] == 1  # within the limits


@pytest.mark.parametrize("path", ["/corrections/", "//corrections", "/corrections//"])
def test_other_spellings_of_the_corrections_path_are_that_path(hostile_url, http, path):
    response = http.post(hostile_url + path, data=DIGIT)  # a prediction's body: never read as one
    assert response.status_code == 404
    assert response.json() == {"error": "corrections are not collected here"}


@pytest.mark.parametrize("path", ["/predict", "/corrections/x", "/index.html"])
def test_a_post_to_another_path_is_not_found(hostile_url, http, path):
    response = http.post(hostile_url + path, data=DIGIT)
    assert response.status_code == 404
    assert response.json() == {"error": "nothing is posted here: post a digit to / and a correction to /corrections"}


@pytest.mark.parametrize("path", ["//", "/?x=1"])
def test_spellings_of_the_root_are_the_root(hostile_url, http, path):
    assert http.post(hostile_url + path, data=DIGIT).json()["prediction"] == 1


def begin_slow_post(url: str) -> socket.socket:
    """A POST whose headers announce 1,000 bytes of body and whose first 10 arrive; the rest never comes."""
    host, port = url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)))
    headers = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    connection.sendall(headers + b'{"image": ')
    return connection


def answer_to(connection: socket.socket, timeout: float = 30) -> tuple[int, dict]:
    """The status and JSON body a raw connection was answered, read until the server closes it."""
    connection.settimeout(timeout)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def unanswered(connections: list[socket.socket], wait: float = 0) -> list[socket.socket]:
    """Those of `connections` the server has neither answered nor closed (after waiting up to `wait` seconds for
    one to be)."""
    answered, _, _ = select.select(connections, [], [], wait)
    return [connection for connection in connections if connection not in answered]


def test_slow_bodies_hold_a_few_threads_at_most_and_their_deadline_ends_them(weights_bucket, start_function, http):
    """Four threads, two slow slots: of four bodies that stop arriving, two take the slots and two are cut off
    after the first second; a digit is then read while the two hold their threads, and the deadline ends them.
    The silence limit is far beyond it, so that only the clock can end them."""
    server = start_function(
        weights_bucket, THREADS="4", SLOW_BODIES="2", SLOW_BODY_SECONDS="1", BODY_DEADLINE_SECONDS="6",
        BODY_TIMEOUT_SECONDS="60",
    )  # fmt: skip
    services.wait_until_loaded(server.url, timeout=60)
    slow = [begin_slow_post(server.url) for _ in range(4)]
    try:
        holding = slow
        while len(holding) > 2:
            holding = unanswered(holding, wait=30)
        cut = [answer_to(connection) for connection in slow if connection not in holding]
        busy = (
            "the body is arriving slowly, and 2 slow bodies are being read already: send it faster, or try again later"
        )
        assert cut == [(408, {"error": busy})] * 2
        assert http.post(server.url, data=DIGIT, timeout=30).json()["prediction"] == 1
        assert unanswered(holding) == holding  # the digit was read while they held their threads
        assert [answer_to(connection) for connection in holding] == [
            (408, {"error": "the body did not arrive within 6 s"})
        ] * 2
    finally:
        for connection in slow:
            connection.close()
