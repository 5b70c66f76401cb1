"""The real servers: gcp-storage-emulator holding the weights, and functions-framework serving
function/main.py, each a child process; tests talk to them over HTTP."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from local import services
from local.services import WEIGHTS


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
    for server in started:
        assert server.process.poll() is None, f"{server.name} died during the tests:\n{server.log_tail()}"
        server.stop()


@pytest.fixture(scope="session")
def function_url(gcs, start_function) -> str:
    """A function server with the committed weights uploaded and loaded."""
    services.upload_weights(gcs, "weights", WEIGHTS)
    server = start_function("weights")
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:  # keep-alive, as a browser or a client library would
        yield session
