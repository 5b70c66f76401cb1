"""Loading something slow exactly once per process, safely under concurrent requests, and again later if
it failed: the Cloud Function's model must never be loaded twice at once, and a storage fault at cold start
must not kill the instance."""

import math
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Unavailable(Exception):
    """Not loaded (yet); `retry_after` says in how many seconds asking again is worth it."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Loader(Generic[T]):
    """Runs `load` in a background thread on first demand. Every caller waits on that one attempt; after a
    failure, callers get its message until `retry_interval` seconds have passed, then the next demand starts a
    new attempt. `on_error` hears of each failure (for logging)."""

    def __init__(
        self,
        load: Callable[[], T],
        retry_interval: float,
        on_error: Callable[[BaseException], str],
        clock: Callable[[], float] = time.monotonic,
    ):
        self._load = load
        self._retry_interval = retry_interval
        self._on_error = on_error
        self._clock = clock
        self._lock = threading.Lock()
        self._value: T | None = None
        self._attempt: threading.Event | None = None  # set when the attempt in progress ends
        self._error: str | None = None
        self._failed_at: float | None = None

    @property
    def value(self) -> T | None:
        """The loaded value, or None; never waits."""
        return self._value

    @property
    def error(self) -> str | None:
        """Why the last attempt failed, or None."""
        return self._error

    def start(self) -> threading.Event | None:
        """Begins an attempt unless one is running, the value is loaded, or the last failure is too recent;
        returns the event of the attempt in progress, if any."""
        with self._lock:
            if self._value is None and self._attempt is None and self._retry_in() == 0:
                self._attempt = threading.Event()
                threading.Thread(target=self._run, args=(self._attempt,), name="loader", daemon=True).start()
            return self._attempt

    def get(self, wait: float) -> T:
        """The value, waiting up to `wait` seconds for an attempt to finish; Unavailable otherwise."""
        value = self._value
        if value is not None:
            return value
        attempt = self.start()
        if attempt is not None:
            attempt.wait(wait)
        with self._lock:
            if self._value is not None:
                return self._value
            if self._attempt is not None:
                raise Unavailable("the model is still loading", retry_after=1)
            raise Unavailable(f"the model could not be loaded: {self._error}", retry_after=max(1, self._retry_in()))

    def _retry_in(self) -> int:
        """Whole seconds until a new attempt may start (0: now)."""
        if self._failed_at is None:
            return 0
        return max(0, math.ceil(self._failed_at + self._retry_interval - self._clock()))

    def _run(self, attempt: threading.Event) -> None:
        value, error = None, "the loader stopped unexpectedly"
        try:
            value, error = self._load(), None
        except Exception as failure:  # whatever went wrong, the process stays up and answers 503
            error = self._on_error(failure)
        finally:
            with self._lock:
                self._value, self._error, self._attempt = value, error, None
                if error is not None:
                    self._failed_at = self._clock()
            attempt.set()
