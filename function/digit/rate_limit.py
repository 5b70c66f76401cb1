"""A limit on how often something is done, per minute, shared by the threads of a process: the function's
on corrections stored (CORRECTIONS_PER_MINUTE)."""

import collections
import math
import threading
import time
from collections.abc import Callable


class RateLimit:
    """At most `per_minute` grants in any 60 seconds, across the threads of a process."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self._per_minute = per_minute
        self._clock = clock
        self._granted: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def take(self) -> int:
        """0 once a grant is taken; otherwise the whole seconds until one can be."""
        with self._lock:
            now = self._clock()
            while self._granted and self._granted[0] <= now - 60:
                self._granted.popleft()
            if len(self._granted) >= self._per_minute:
                return max(1, math.ceil(self._granted[0] + 60 - now))
            self._granted.append(now)
            return 0

    def give_back(self) -> None:
        """Returns the latest grant, for something that was not done after all."""
        with self._lock:
            if self._granted:
                self._granted.pop()
