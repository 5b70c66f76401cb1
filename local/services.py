"""Starting, waiting for and stopping the local stack's servers, each a child process with its own log."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from checkout import FUNCTION_ENV, FUNCTION_SOURCE, ROOT
from digit.artefact import DEFAULT_PREFIX, METADATA_FILE, POINTER_FILE, WEIGHTS_FILE, pointer
from digit.deployment import THREADS

HOST = "127.0.0.1"
FUNCTION_PYTHON = FUNCTION_ENV / "bin" / "python"


class ServiceError(RuntimeError):
    """A server did not start, stopped, or (the function) did not load its model; the message says which,
    and ends with the last lines of its log or the function's own report."""


@dataclass
class Service:
    """A running child process: its name, the URL it serves, and the file its output goes to."""

    name: str
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self, timeout: float = 10) -> int:
        """Stops the process and everything it started (it leads its own process group); returns its code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        else:
            self._stop_orphans(timeout)
        return self.process.returncode

    def _stop_orphans(self, timeout: float) -> None:
        """What a process that died on its own started, still in its group (a server's workers, holding its
        port), killed, and exited when this returns. Exited, not reaped: orphans are init's to reap, which some
        inits do only now and then, and a zombie holds no port."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return  # none left
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(stat[2] == self.process.pid for stat in running_processes().values()):
            time.sleep(0.01)

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exception) -> None:
        self.stop()

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def wait_listening(self, timeout: float) -> "Service":
        """Returns once the port accepts connections. If the process dies, time runs out or the wait is
        interrupted (Ctrl-C while starting), the process is stopped before the error goes on: nobody else
        holds it yet, so nobody else could."""
        try:
            self._wait_for_port(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_port(self, timeout: float) -> None:
        port = int(self.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(f"{self.name} exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.01)
        raise ServiceError(f"{self.name} did not listen on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")


def running_processes() -> dict[int, tuple[str, int, int]]:
    """Each process that has not exited (Linux's /proc; a zombie has), by PID: its state, parent and group."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent, group = stat.read_text().rsplit(")", 1)[1].split()[:3]  # after "pid (name)"
        except (OSError, ValueError):
            continue  # it exited meanwhile
        if state != "Z":
            found[int(stat.parent.name)] = (state, int(parent), int(group))
    return found


def is_running(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie, exited but not yet reaped, has)."""
    return pid in running_processes()


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid` that has not exited (from Linux's /proc), with its command line: a server's
    workers and what they started."""
    children = defaultdict(set)
    for child, (_, parent, _) in running_processes().items():
        children[parent].add(child)
    found: dict[int, str] = {}
    waiting = [pid]
    while waiting:
        for child in children[waiting.pop()]:
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue  # it exited meanwhile
            waiting.append(child)
    return found


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on `port` now. SO_REUSEADDR, as the servers themselves set it: the
    connections a stopped server leaves in TIME_WAIT do not make its port busy."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def spawn(name: str, command: list[str], port: int, log_dir: Path, env: dict[str, str] | None = None) -> Service:
    """Starts `command` in its own process group, its output going to <log_dir>/<name>.log."""
    if not port_is_free(port):
        raise ServiceError(f"{name}: port {port} is already in use; choose another")
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
            start_new_session=True,
        )
    return Service(name, process, f"http://{HOST}:{port}", log)


def start_storage(port: int, log_dir: Path) -> Service:
    """The gcp-storage-emulator, in memory, answering the real Cloud Storage JSON API."""
    command = [sys.executable, "-m", "gcp_storage_emulator", "start", f"--host={HOST}", f"--port={port}", "--in-memory"]
    return spawn("storage", command, port, log_dir).wait_listening(timeout=30)


def start_function(
    port: int,
    log_dir: Path,
    env: dict[str, str],
    name: str = "function",
    source: Path = FUNCTION_SOURCE,
    target: str = "predict",
    python: Path = FUNCTION_PYTHON,
) -> Service:
    """`functions-framework --source function/main.py --target predict` (by default), as Cloud Functions
    runs it, from `python`'s environment: by default the function's own, where a package missing from
    function/requirements.txt fails here as it would there, and the dev environment's packages cannot slow its
    start."""
    if not python.exists():
        raise ServiceError(f"{name}: {python} does not exist (make function-env builds the function's environment)")
    command = [
        str(python), "-m", "functions_framework",
        "--source", str(source), "--target", target, "--host", HOST, "--port", str(port),
    ]  # fmt: skip
    env = {"PYTHONUNBUFFERED": "1", **env}
    return spawn(name, command, port, log_dir, env).wait_listening(timeout=60)


def start_site(port: int, log_dir: Path, directory: Path) -> Service:
    """`directory`, staged pages (local/page.py), served by Python's own http.server on a port of its own, so that
    the page calls the function cross-origin, as it does once deployed."""
    command = [sys.executable, "-m", "http.server", str(port), "--bind", HOST, "--directory", str(directory)]
    return spawn("site", command, port, log_dir).wait_listening(timeout=30)


def function_env(storage_url: str, bucket: str, prefix: str = DEFAULT_PREFIX, **extra: str) -> dict[str, str]:
    """The environment that points the function at a bucket in the emulator, its request threads as deploy.sh
    sets them (THREADS) unless `extra` says otherwise."""
    return {
        "STORAGE_EMULATOR_HOST": storage_url,
        "WEIGHTS_BUCKET": bucket,
        "WEIGHTS_PREFIX": prefix,
        "THREADS": str(THREADS),
        **extra,
    }


def storage_client(storage_url: str) -> storage.Client:
    """A real google-cloud-storage client talking to the emulator."""
    return storage.Client(
        project="local", credentials=AnonymousCredentials(), client_options={"api_endpoint": storage_url}
    )


def publish_version(client: storage.Client, bucket: str, folder: Path, prefix: str = DEFAULT_PREFIX) -> str:
    """Creates the bucket if needed, uploads the model version in `folder` (the two artefact files) to
    <prefix><version>/ and points live.json at it, as deploy.sh does; returns the version."""
    target = client.bucket(bucket)
    if not target.exists():
        target = client.create_bucket(bucket)
    version = json.loads((folder / METADATA_FILE).read_text())["version"]
    for name in (WEIGHTS_FILE, METADATA_FILE):
        target.blob(f"{prefix}{version}/{name}").upload_from_filename(str(folder / name))
    point_live(client, bucket, version, prefix)
    return version


def point_live(client: storage.Client, bucket: str, version: str, prefix: str = DEFAULT_PREFIX) -> None:
    """Points live.json at `version`, as deploy.sh does on a first deploy."""
    client.bucket(bucket).blob(prefix + POINTER_FILE).upload_from_string(pointer(version))


def wait_until_loaded(function_url: str, timeout: float) -> dict:
    """Polls GET until the function reports its model loaded; returns that report."""
    deadline = time.monotonic() + timeout
    report: dict = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(function_url, timeout=5) as response:
                report = json.load(response)
            if report.get("loaded"):
                return report
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.05)  # a GET is cheap, and every test that starts a function waits here
    raise ServiceError(f"the function at {function_url} did not load its model within {timeout:.0f} s: {report}")
