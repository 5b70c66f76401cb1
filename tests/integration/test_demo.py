"""`python -m local` from make demo's environment, as `make demo` runs it, used as a person would: started,
asked, stopped with Ctrl-C; and `make demo` itself, stopped by a signal to its process group."""

import json
import os
import re
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

import checkout
from local import services
from local.__main__ import CURL_EXAMPLE, STOPPING_SIGNALS, stop_once
from local.page import stage_site
from local.stack import free_ports
from tests.helpers import files_of

READY = "Ctrl-C stops everything."


@pytest.fixture
def start_demo(tmp_path) -> Iterator[Callable[[dict[str, int]], subprocess.Popen]]:
    """Starts the demo on the given ports, serving site/, its logs and staged page under tmp_path; one a test
    leaves running is stopped as the demo itself allows."""
    started: list[subprocess.Popen] = []

    def start(ports: dict[str, int]) -> subprocess.Popen:
        demo = subprocess.Popen(
            demo_command(ports),
            cwd=checkout.ROOT,
            env={**os.environ, "TMPDIR": str(tmp_path)},  # where it makes its log folder
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, as a command typed in a terminal has
        )
        started.append(demo)
        return demo

    yield start
    for demo in started:
        if demo.poll() is None:
            demo.terminate()
            demo.wait(timeout=60)


def demo_command(ports: dict[str, int], *options: str) -> list[str]:
    """The demo's command, from make demo's environment (`make demo-env` builds it; `make test` does)."""
    python = checkout.DEMO_ENV / "bin" / "python"
    assert python.exists(), f"{python} does not exist: make demo-env builds it"
    ports_given = (f"--{name}-port={port}" for name, port in ports.items())
    return [str(python), "-m", "local", *ports_given, *options]


def read_until(demo: subprocess.Popen, marker: str) -> str:
    """The demo's output up to the line holding `marker`. There is no timeout here: the demo gives up by itself
    (a server that does not listen within 60 s, a model not loaded within 120 s) and exits, ending its output."""
    seen = []
    for line in demo.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"the demo exited with code {demo.wait()}:\n{''.join(seen)}")


def servers_started(demo: subprocess.Popen) -> dict[int, str]:
    """The processes below the demo, by PID, once its three servers are known to be among them."""
    processes = services.descendants(demo.pid)
    for server in ("gcp_storage_emulator", "functions_framework", "http.server"):
        assert any(server in command for command in processes.values()), processes
    return processes


def assert_all_gone(processes: dict[int, str], ports: dict[str, int]) -> None:
    alive = {pid: command for pid, command in processes.items() if services.is_running(pid)}
    assert alive == {}
    assert [name for name, port in ports.items() if not services.port_is_free(port)] == []


def test_the_demo_serves_page_and_function_and_ctrl_c_stops_everything(start_demo, tmp_path):
    site = files_of(checkout.SITE)
    ports = free_ports()
    demo = start_demo(ports)
    output = read_until(demo, READY)
    page = re.search(r"^  page +(\S+)", output, re.MULTILINE)[1]
    function = re.search(r"^  function +(\S+)", output, re.MULTILINE)[1]
    assert (page, function) == (f"http://127.0.0.1:{ports['site']}/", f"http://127.0.0.1:{ports['function']}")

    # The page is served as deploy.sh publishes it: staged with its config.js, site/ itself left as it was.
    staged = Path(re.search(r"^serving (\S+) on port ", output, re.MULTILINE)[1])
    assert staged.is_relative_to(tmp_path)
    assert files_of(staged) == files_of(stage_site(tmp_path / "expected", function))
    assert requests.get(page + "config.js").text == f'export const API_URL = "{function}";\n'
    assert requests.get(page).content == site["index.html"]
    assert requests.get(page + "package.json").status_code == 404
    assert files_of(checkout.SITE) == site

    # Cross-origin, as in production: a browser's preflight from the page is allowed, from elsewhere not.
    def preflight(origin: str) -> requests.Response:
        return requests.options(function, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})

    page_origin = page.rstrip("/")
    assert preflight(page_origin).headers["Access-Control-Allow-Origin"] == page_origin
    assert "Access-Control-Allow-Origin" not in preflight("https://example.com").headers

    assert requests.get(function).json()["corrections"] is True  # the page's row can be tried here

    curl = next(line.strip() for line in output.splitlines() if line.strip().startswith("curl "))
    pasted = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60)
    assert json.loads(pasted.stdout)["prediction"] == 1, pasted.stderr

    servers = servers_started(demo)
    os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    rest = demo.stdout.read()
    assert (demo.wait(timeout=60), rest.strip()) == (0, "stopping")
    assert_all_gone(servers, ports)


def test_sigterm_while_the_model_loads_stops_everything(start_demo):
    ports = free_ports()
    demo = start_demo(ports)
    read_until(demo, "loading the model")  # every server has been started by now
    servers = servers_started(demo)
    demo.terminate()
    demo.stdout.read()
    assert demo.wait(timeout=60) == 0
    assert_all_gone(servers, ports)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_make_demo_s_process_group_stops_everything(stop):
    """As a supervisor, an IDE or `timeout` stops it: the signal reaches make and the demo, and make sends it
    on, so the demo receives it twice."""
    ports = free_ports()
    command = ["make", "--no-print-directory", "demo", *(f"{name.upper()}_PORT={port}" for name, port in ports.items())]
    demo = subprocess.Popen(
        command, cwd=checkout.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        read_until(demo, READY)
        servers = servers_started(demo)
        os.killpg(demo.pid, stop)
        demo.stdout.read()  # until the last process writing it, the demo itself, has exited
        demo.wait(timeout=60)
        assert_all_gone(servers, ports)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)


def test_the_first_stopping_signal_makes_the_demo_deaf_to_the_next():
    """Ignored from the moment the demo starts to stop, not once its clean-up has begun: a signal in between
    would cut the clean-up short."""
    saved = {stop: signal.getsignal(stop) for stop in STOPPING_SIGNALS}
    try:
        with pytest.raises(KeyboardInterrupt):
            stop_once(signal.SIGTERM, None)
        assert {stop: signal.getsignal(stop) for stop in STOPPING_SIGNALS} == dict.fromkeys(
            STOPPING_SIGNALS, signal.SIG_IGN
        )
    finally:
        for stop, handler in saved.items():
            signal.signal(stop, handler)


def test_a_server_that_dies_ends_the_demo_with_the_end_of_its_log(start_demo):
    ports = free_ports()
    demo = start_demo(ports)
    read_until(demo, READY)
    servers = servers_started(demo)
    (function,) = [
        pid
        for pid, (_, parent, _) in services.running_processes().items()
        if parent == demo.pid and "functions_framework" in servers.get(pid, "")
    ]
    os.kill(function, signal.SIGKILL)  # as the kernel's out-of-memory killer would

    rest = demo.stdout.read()
    assert demo.wait(timeout=60) == 1
    assert re.match(
        r"the demo stopped: function stopped \(exit code -9\):\n(.+\n)+\(the servers' logs are in ", rest
    ), rest
    assert_all_gone(servers, ports)  # the storage server and the page's too, and the function's worker


def test_a_busy_port_is_reported_in_one_line_before_anything_starts():
    with socket.socket() as taken:
        taken.bind((services.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = demo_command({**free_ports(), "function": port})
        result = subprocess.run(command, cwd=checkout.ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (
        f"port {port} (function) is already in use: choose another with --function-port, "
        "or make demo FUNCTION_PORT=...\n"
    )
    assert result.stdout == ""  # nothing was started


def test_a_site_folder_without_a_page_is_refused_before_anything_starts(tmp_path):
    result = subprocess.run(
        demo_command(free_ports(), f"--site={tmp_path}"), cwd=checkout.ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"python -m local: error: --site {tmp_path}: no index.html there"
    assert list(tmp_path.iterdir()) == []  # nothing written there


def test_make_demo_passes_on_the_ports_it_is_given():
    dry_run = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "demo", "FUNCTION_PORT=8081", "SITE_PORT=8001"],
        cwd=checkout.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert dry_run.stdout.splitlines()[-1] == ".venv-demo/bin/python -m local --function-port=8081 --site-port=8001"


def test_the_readme_shows_the_curl_example_the_demo_prints():
    assert CURL_EXAMPLE in (checkout.ROOT / "README.md").read_text()
