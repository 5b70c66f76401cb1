"""The process's memory kept near what its requests need, through glibc's malloc (elsewhere these do nothing).

glibc gives each thread that allocates at once an arena of its own and keeps what a thread freed there for that
thread: eight request threads ratchet the instance's memory up towards eight times a request's peak. One shared
arena reuses what any thread freed; with one vCPU, the threads gain nothing from arenas of their own
(docs/performance.md). And what a large read freed stays in the arena, sized for the next such read, unless it
is given back to the system: after the largest requests the instance would keep their peak for good.
"""

import ctypes

M_ARENA_MAX = -8
try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:
    _LIBC = None


def use_one_arena() -> None:
    """One malloc arena for every thread; to be called before the threads start."""
    if _LIBC is not None:
        _LIBC.mallopt(M_ARENA_MAX, 1)


def give_back_free_memory() -> None:
    """Returns the memory malloc holds free to the system (malloc_trim)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
