"""How local/services.py treats a server that does not come up."""

import sys

import pytest

from local import services


def test_a_server_that_never_listens_is_stopped_and_reported(tmp_path):
    silent = [sys.executable, "-c", "import time; print('starting', flush=True); time.sleep(60)"]
    server = services.spawn("silent", silent, services.free_port(), tmp_path)

    with pytest.raises(services.ServiceError, match=r"(?s)silent did not listen on .* within 1 s:\nstarting"):
        server.wait_listening(timeout=1)
    assert server.process.poll() is not None  # stopped, not left behind
