"""Bodies that arrive too slowly are cut off, so that slow clients cannot hold the server's threads.

A thread reads a request's body as it arrives, and a client that sends a byte now and then, each before the
silence limit (the socket's timeout), would hold that thread as long as it likes. So a body must arrive within a
deadline in all; and one still arriving after a moment takes one of a few slow slots, or is cut off when they are
all taken, so that the other threads stay free for the requests whose bodies are already there.

A clock thread checks the bodies being read a few times a second, and cuts one off by shutting its connection
for reading: the read under way then ends at once, with what has arrived. The request path only enters and
leaves a table.
"""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

TICK_SECONDS = 0.25  # how often the clock looks: cuts come at most this late


@dataclass
class Watched:
    """A body being read: its connection, when its reading began, and what the clock decided."""

    connection: socket.socket
    began: float
    slow: bool = False  # it holds a slow slot
    cut: str = ""  # why it was cut off; empty while it may go on


class BodyClock:
    """Watches the bodies being read and cuts off those too slow (see above)."""

    def __init__(self, deadline_seconds: float, slow_after_seconds: float, slow_slots: int):
        self.deadline_seconds = deadline_seconds
        self.slow_after_seconds = slow_after_seconds
        self.slow_slots = slow_slots
        self._slots = threading.BoundedSemaphore(slow_slots)
        self._bodies: dict[int, Watched] = {}
        self._lock = threading.Lock()
        self._clock: threading.Thread | None = None

    @contextlib.contextmanager
    def watching(self, connection: socket.socket) -> Iterator[Watched]:
        """Watches the body read on `connection` while the block runs; `cut` then says whether it was cut off."""
        body = Watched(connection, time.monotonic())
        with self._lock:
            if self._clock is None:  # started in the process that serves: a thread does not survive a fork
                self._clock = threading.Thread(target=self._run, name="body clock", daemon=True)
                self._clock.start()
            self._bodies[id(body)] = body
        try:
            yield body
        finally:
            with self._lock:
                del self._bodies[id(body)]
                if body.slow:
                    self._slots.release()

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        """Cuts off each body that is past its deadline, or slow when every slow slot is taken."""
        with self._lock:
            for body in self._bodies.values():
                elapsed = now - body.began
                if body.cut or elapsed < self.slow_after_seconds:
                    continue
                if elapsed >= self.deadline_seconds:
                    self._cut(body, f"the body did not arrive within {self.deadline_seconds:g} s")
                elif not body.slow and not self._slots.acquire(blocking=False):
                    self._cut(
                        body,
                        f"the body is arriving slowly, and {self.slow_slots} slow bodies are being read already: "
                        "send it faster, or try again later",
                    )
                else:
                    body.slow = True

    @staticmethod
    def _cut(body: Watched, why: str) -> None:
        body.cut = why
        with contextlib.suppress(OSError):  # the client may have closed it already
            body.connection.shutdown(socket.SHUT_RD)
