"""The body clock's decisions, checked at chosen moments (no waiting): a body within its first moment is left
alone, a slow one takes a slot or is cut off, and every body is cut off at the deadline. A cut shuts the
connection for reading, so that a read under way ends at once."""

import socket
from contextlib import ExitStack

import pytest

from digit.settings import Settings, SettingsError
from digit.slow_bodies import BodyClock


@pytest.fixture
def connections():
    """Socket pairs: the server's end of each, whose reads a cut must end."""
    with ExitStack() as stack:

        def pair() -> socket.socket:
            server, client = socket.socketpair()
            stack.enter_context(server)
            stack.enter_context(client)
            return server

        yield pair


def test_slow_bodies_take_the_slots_and_the_next_is_cut_off(connections):
    clock = BodyClock(deadline_seconds=30, slow_after_seconds=1, slow_slots=2)
    with ExitStack() as reading:
        bodies = [reading.enter_context(clock.watching(connections())) for _ in range(3)]
        began = max(body.began for body in bodies)
        clock.check(began + 0.5)
        assert [(body.slow, body.cut) for body in bodies] == [(False, "")] * 3  # quick bodies need no slot
        clock.check(began + 1.5)
        assert [body.slow for body in bodies] == [True, True, False]
        assert bodies[2].cut.startswith("the body is arriving slowly, and 2 slow bodies are being read already")
        assert bodies[2].connection.recv(1) == b""  # shut for reading: a read ends at once
        assert bodies[0].connection.gettimeout() is None and not bodies[0].cut
    # Leaving gives the slots back: two more slow bodies may take them.
    with clock.watching(connections()) as first, clock.watching(connections()) as second:
        clock.check(max(first.began, second.began) + 1.5)
        assert (first.slow, second.slow, first.cut, second.cut) == (True, True, "", "")


def test_every_body_is_cut_off_at_the_deadline(connections):
    clock = BodyClock(deadline_seconds=5, slow_after_seconds=1, slow_slots=4)
    with clock.watching(connections()) as body:
        clock.check(body.began + 4.9)
        assert body.slow and not body.cut
        clock.check(body.began + 5)
        assert body.cut == "the body did not arrive within 5 s"
        assert body.connection.recv(1) == b""


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"SLOW_BODY_SECONDS": "30"}, "SLOW_BODY_SECONDS must be below BODY_DEADLINE_SECONDS"),
        ({"BODY_DEADLINE_SECONDS": "0"}, "BODY_DEADLINE_SECONDS must be a number above 0, not 0.0"),
        ({"SLOW_BODIES": "0"}, "SLOW_BODIES must be 1 or more, not 0"),
        ({"MAX_REQUEST_LINE_BYTES": "9000"}, "MAX_REQUEST_LINE_BYTES must be from 64 to 8190, not 9000"),
        ({"MAX_HEADER_BYTES": "10"}, "MAX_HEADER_BYTES must be from 64 to 8190, not 10"),
    ],
)
def test_the_limits_on_slow_clients_are_checked_at_start(environ, message):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value) == message
