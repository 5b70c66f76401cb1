"""Every limit, through the real server, at its boundary: limit − 1 and limit pass, limit + 1 is refused
with its status and message."""

import base64
import http.client
import io
import json
import socket
import time

import pytest
from PIL import Image

from digit.payload import MAX_IMAGES
from digit.picture_files import MAX_PIXELS
from local import services
from tests.helpers import ONE, csv

MAX_BODY_BYTES = 1024 * 1024  # the function's default


def padded_body(size: int) -> bytes:
    """A valid request of exactly `size` bytes (JSON allows any amount of whitespace)."""
    body = json.dumps({"image": csv(ONE)}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


@pytest.mark.parametrize("size,status", [(MAX_BODY_BYTES - 1, 200), (MAX_BODY_BYTES, 200), (MAX_BODY_BYTES + 1, 413)])
def test_body_size(function_url, http, size, status):
    response = http.post(function_url, data=padded_body(size))
    assert response.status_code == status, response.text
    if status == 413:
        assert response.json() == {"error": f"the body is {size} bytes; the limit is {MAX_BODY_BYTES}"}
    else:
        assert response.json()["prediction"] == 1


@pytest.mark.parametrize("count,status", [(MAX_IMAGES - 1, 200), (MAX_IMAGES, 200), (MAX_IMAGES + 1, 400)])
def test_images_per_batch(function_url, http, count, status):
    response = http.post(function_url, json={"images": [csv(ONE)] * count})
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json() == {"error": f"images: {count} images sent, at most {MAX_IMAGES} per request"}
    else:
        assert response.json()["predictions"] == [1] * count


def png_of(width: int, height: int) -> str:
    picture = Image.new("L", (width, height), 255)
    picture.paste(0, (width // 2 - 2, height // 4, width // 2 + 2, 3 * height // 4))  # a dark upright stroke
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    "width,height,beyond,status", [(1025, 1023, -1, 200), (1024, 1024, 0, 200), (17, 61681, 1, 400)]
)
def test_decoded_picture_size(function_url, http, width, height, beyond, status):
    assert width * height == MAX_PIXELS + beyond
    response = http.post(function_url, json={"png": png_of(width, height)})
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json() == {
            "error": f"png: the image is {width}x{height} pixels, more than the {MAX_PIXELS:,} pixels allowed"
        }
    else:
        assert response.json()["prediction"] == 1


PATIENCE_SECONDS = 2  # the silence the impatient server allows in the middle of a body


@pytest.fixture(scope="module")
def impatient_url(weights_bucket, start_function) -> str:
    """A server of its own on the committed weights, allowing PATIENCE_SECONDS of silence in a body."""
    server = start_function(weights_bucket, BODY_TIMEOUT_SECONDS=str(PATIENCE_SECONDS))
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


def post_raw(url: str, length: int, pieces: list[bytes], pause: float) -> tuple[int, bytes]:
    """POSTs over a raw connection, declaring `length` bytes of body and sending `pieces` with `pause`
    seconds between them; returns the answer's status and body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n\r\n".encode())
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(pause)
            connection.sendall(piece)
        answer = http.client.HTTPResponse(connection)
        answer.begin()
        return answer.status, answer.read()


BODY = json.dumps({"image": csv(ONE)}).encode()


def test_a_body_that_keeps_coming_is_read_however_slowly(impatient_url):
    size = -(-len(BODY) // 8)
    pieces = [BODY[start : start + size] for start in range(0, len(BODY), size)]
    pause = 0.4
    # Longer than the patience in all, never silent for as long: the limit is on silence, not on the whole body.
    assert pause < PATIENCE_SECONDS < pause * (len(pieces) - 1)
    status, answer = post_raw(impatient_url, len(BODY), pieces, pause)
    assert status == 200 and json.loads(answer)["prediction"] == 1  # the whole body was read


def test_a_body_that_stalls_longer_than_the_timeout_gets_408(impatient_url, http):
    started = time.monotonic()
    status, answer = post_raw(impatient_url, len(BODY), [BODY[:100]], pause=0)  # and then silence
    assert status == 408
    assert json.loads(answer) == {"error": f"the body stalled: nothing arrived for {PATIENCE_SECONDS} s"}
    assert PATIENCE_SECONDS <= time.monotonic() - started < 10  # it did not hang; how much over depends on the load
    assert http.post(impatient_url, json={"image": csv(ONE)}).json()["prediction"] == 1  # still serving
