"""What travels over HTTP: a request's body read within its limits, and answers as JSON with CORS headers,
among them refusals with their status and message."""

import contextlib
import io
import json
import math
import socket

import flask

from digit.settings import Settings
from digit.slow_bodies import BodyClock

METHODS = "GET, HEAD, POST, OPTIONS"


class ClientError(Exception):
    """A request the function refuses; becomes a JSON answer with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def retry_after(seconds: float) -> dict[str, str]:
    """The Retry-After header for a wait of `seconds`: HTTP takes whole seconds only (10, never 10.0), rounded
    up so that a client never asks before it is worth it, and at least 1 so that it never asks again at once."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def answer(status: int, body: dict, headers: dict[str, str]) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def cors_headers(origin: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """CORS for the answer; a page on another origin may read Retry-After, to know when to ask again."""
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
    if origin in allowed:
        return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "Retry-After", "Vary": "Origin"}
    return {"Vary": "Origin"}


def preflight_headers() -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "3600",
    }


def read_body(request: flask.Request, settings: Settings, clock: BodyClock) -> bytes:
    """At most max_body_bytes of body (413 beyond), from a client that never goes silent for longer than
    body_timeout_seconds and that sends it fast enough for `clock` (408 otherwise), so that neither a stalled
    upload nor a trickle can hold a server thread."""
    connection = request.environ.get("gunicorn.socket")
    if connection is None:  # under other servers, such as Flask's tests
        return _read_body(request, None, settings)
    connection.settimeout(settings.body_timeout_seconds)
    try:
        with clock.watching(connection) as body:
            try:
                return _read_body(request, connection, settings)
            except ClientError as error:
                if not body.cut:
                    raise
                abandon_body(request, connection)
                raise ClientError(408, body.cut) from error
    finally:
        connection.settimeout(None)


def _read_body(request: flask.Request, connection: socket.socket | None, settings: Settings) -> bytes:
    limit = settings.max_body_bytes
    try:
        if (request.content_length or 0) > limit:
            discard_body(request, connection, settings.discard_limit_bytes)
            raise ClientError(413, f"the body is {request.content_length} bytes; the limit is {limit}")
        body = request.stream.read(limit + 1)
        if len(body) > limit:
            discard_body(request, connection, settings.discard_limit_bytes)
            raise ClientError(413, f"the body is over the limit of {limit} bytes")
        if len(body) < (request.content_length or 0):
            raise ClientError(400, f"the body ended after {len(body)} of the {request.content_length} bytes announced")
        return body
    except ClientError:
        raise
    except Exception as error:  # gunicorn and werkzeug report a body they cannot read through many types
        abandon_body(request, connection)
        if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
            stalled = f"the body stalled: nothing arrived for {settings.body_timeout_seconds:g} s"
            raise ClientError(408, stalled) from error
        raise ClientError(
            400, "the body could not be read: its chunked encoding is broken, or it ended early"
        ) from error


def discard_body(request: flask.Request, connection: socket.socket | None, limit: int) -> None:
    """Reads and drops the rest of an oversized body, so that the client hears the answer and may reuse the
    connection. Past `limit` bytes the body is abandoned instead."""
    if (request.content_length or 0) > limit:
        abandon_body(request, connection)
        return
    discarded = 0
    while chunk := request.stream.read(64 * 1024):
        discarded += len(chunk)
        if discarded > limit:
            abandon_body(request, connection)
            return


def abandon_body(request: flask.Request, connection: socket.socket | None) -> None:
    """Stops reading a body for good. functions-framework reads whatever is left once the function has
    answered, which for a stalled or endless upload would block a thread or fill the memory: it gets an empty
    body instead, and the connection stops reading, so that the server closes it after the answer."""
    request.stream = io.BytesIO()
    if connection is not None:
        with contextlib.suppress(OSError):  # the client may have closed it already
            connection.shutdown(socket.SHUT_RD)
