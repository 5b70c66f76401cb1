"""Loading once per process, under concurrency, and again after a failure."""

import threading

import pytest

from digit.loader import Loader, Unavailable


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_concurrent_first_callers_share_one_load():
    calls = []
    release = threading.Event()

    def load():
        calls.append(1)
        release.wait(5)
        return "model"

    loader = Loader(load, retry_interval=10, on_error=str)
    together = threading.Barrier(16)  # every caller asks at the same moment, the load not yet begun
    all_asked = threading.Barrier(17)  # and the load is released only once all of them have asked
    first_answers, results = [], []

    def caller() -> None:
        together.wait(5)
        try:
            loader.get(wait=0)
        except Unavailable as still_loading:
            first_answers.append(str(still_loading))
        all_asked.wait(5)
        results.append(loader.get(wait=5))

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for thread in threads:
        thread.start()
    all_asked.wait(5)
    release.set()
    for thread in threads:
        thread.join(5)
    assert first_answers == ["the model is still loading"] * 16
    assert results == ["model"] * 16
    assert len(calls) == 1
    assert loader.get(wait=0) == "model" and len(calls) == 1


def test_a_failure_is_reported_then_retried_after_the_interval():
    clock = Clock()
    outcomes = [RuntimeError("bucket gone"), "model"]
    heard = []

    def load():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    loader = Loader(load, retry_interval=10, on_error=lambda e: heard.append(e) or f"said: {e}", clock=clock)
    with pytest.raises(Unavailable) as first:
        loader.get(wait=5)
    assert str(first.value) == "the model could not be loaded: said: bucket gone"
    assert first.value.retry_after == 10
    assert [str(e) for e in heard] == ["bucket gone"]

    clock.now += 4
    with pytest.raises(Unavailable) as early:
        loader.get(wait=5)  # too soon: no new attempt, the same message
    assert early.value.retry_after == 6 and len(outcomes) == 1
    assert loader.error == "said: bucket gone"

    clock.now += 6
    assert loader.get(wait=5) == "model"
    assert loader.error is None and loader.value == "model"


def test_a_slow_load_answers_still_loading_and_keeps_going():
    release = threading.Event()
    loader = Loader(lambda: release.wait(5) and "model", retry_interval=10, on_error=str)
    with pytest.raises(Unavailable) as caught:
        loader.get(wait=0.05)
    assert str(caught.value) == "the model is still loading" and caught.value.retry_after == 1
    release.set()
    assert loader.get(wait=5) == "model"


def test_start_loads_in_the_background_without_waiting():
    loaded = threading.Event()
    loader = Loader(lambda: loaded.set() or "model", retry_interval=10, on_error=str)
    assert loader.value is None
    attempt = loader.start()
    assert attempt is not None and attempt.wait(5)
    assert loaded.is_set() and loader.value == "model"
    assert loader.start() is None  # loaded: nothing more to do
