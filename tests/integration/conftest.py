"""The integration tests talk to the real servers (started by the fixtures in tests/conftest.py) over HTTP."""

from collections.abc import Iterator

import pytest
import requests


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:  # keep-alive, as a browser or a client library would
        yield session
