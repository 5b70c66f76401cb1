"""Bodies at the edges of HTTP: too large, broken, or shorter than announced (the last two sent over a raw
connection, since a client library would refuse to). The answer is still a 4xx with a JSON message, and
the server goes on serving."""

import http.client
import json
import socket

import pytest


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def send_raw(url: str, request: bytes, end_of_sending: bool = False) -> tuple[int, dict]:
    """The answer to `request` sent as is; with `end_of_sending`, the client then says it will send no more
    (the answer can still be read)."""
    with socket.create_connection(address(url), timeout=20) as connection:
        connection.sendall(request)
        if end_of_sending:
            connection.shutdown(socket.SHUT_WR)
        answer = http.client.HTTPResponse(connection)
        answer.begin()
        return answer.status, json.loads(answer.read())


CHUNKED = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize(
    "body",
    [CHUNKED + b"zz\r\n{}\r\n0\r\n\r\n", CHUNKED + b"2\r\n{}XX0\r\n\r\n", CHUNKED + b"2;\x00\r\n{}\r\n0\r\n\r\n"],
    ids=["chunk size not a number", "chunk without its terminator", "chunk extension with a NUL"],
)
def test_a_broken_chunked_body_gets_400(function_url, http, body):
    status, answer = send_raw(function_url, body)
    assert (status, answer) == (
        400,
        {"error": "the body could not be read: its chunked encoding is broken, or it ended early"},
    )
    assert http.get(function_url).json()["loaded"] is True  # still serving


def test_a_body_shorter_than_announced_gets_400(function_url):
    status, answer = send_raw(
        function_url, b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"image": ', end_of_sending=True
    )
    assert (status, answer) == (400, {"error": "the body ended after 10 of the 1000 bytes announced"})


MAX_BODY_BYTES = 1024 * 1024  # the function's default
DISCARD_LIMIT_BYTES = 16 * MAX_BODY_BYTES


def test_an_oversized_body_is_read_and_dropped_so_the_connection_serves_on(function_url):
    connection = http.client.HTTPConnection(*address(function_url), timeout=20)
    try:
        connection.request("POST", "/", b" " * (2 * MAX_BODY_BYTES))
        first = connection.getresponse()
        assert (first.status, json.loads(first.read())) == (
            413,
            {"error": f"the body is {2 * MAX_BODY_BYTES} bytes; the limit is {MAX_BODY_BYTES}"},
        )
        assert not first.will_close  # the server keeps the connection: the body was read to its end
        sock = connection.sock
        connection.request("POST", "/", b"{}")
        second = connection.getresponse()
        assert json.loads(second.read()) == {
            "error": "expected exactly one of the fields image, images or png; got none"
        }
        assert connection.sock is sock  # answered on the same connection
    finally:
        connection.close()


def test_a_body_announced_beyond_the_discard_limit_is_refused_before_it_is_sent(function_url):
    status, answer = send_raw(
        function_url, f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {DISCARD_LIMIT_BYTES + 1}\r\n\r\n".encode()
    )
    assert (status, answer) == (413, {"error": f"the body is {DISCARD_LIMIT_BYTES + 1} bytes; the limit is 1048576"})
