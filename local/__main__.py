"""`python -m local`, what `make demo` runs: the whole of Digit on this machine until Ctrl-C.

It starts the Cloud Storage emulator and uploads the committed weights into it, starts the function with
functions-framework reading them, serves the page (site/, or the folder given with --site) staged as deploy.sh
publishes it, with a config.js naming the function, from a port of its own, waits until the model is loaded,
and prints where everything is. As in production, the page calls the function cross-origin and the function
allows the page's origin only. Ctrl-C (or SIGTERM) stops every server it started, and it exits 0.
"""

import argparse
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

import checkout
from local import services
from local.stack import BUCKET, CORRECTIONS_BUCKET, DEFAULT_PORTS, Stack, start_stack

# The README's example: a "1" as 784 comma-separated pixels (examples/one.py), which python3 prints inside the
# pasted command, from the checkout's root, so that the line stays short enough to read.
CURL_EXAMPLE = r'curl -s $URL -d "{\"image\": \"$(python3 -m examples.one)\"}"'


def parse_args(argv: list[str] | None) -> tuple[dict[str, int], Path]:
    """The ports, by server name, and the page's folder."""
    parser = argparse.ArgumentParser(
        prog="python -m local", description="Runs Digit on this machine (storage emulator, function, page)."
    )
    for name, port in DEFAULT_PORTS.items():
        parser.add_argument(f"--{name}-port", type=int, default=port, metavar="PORT", help=f"default {port}")
    parser.add_argument(
        "--site",
        type=Path,
        default=checkout.SITE,
        metavar="DIR",
        help="the page to serve, staged in a folder of the demo's own with a config.js naming the function "
        "(default site/)",
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"--site {args.site}: no index.html there")
    return {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}, args.site


def busy_ports(ports: dict[str, int]) -> list[str]:
    """One line for each port already in use, saying how to choose another."""
    return [
        f"port {port} ({name}) is already in use: choose another with --{name}-port, "
        f"or make demo {name.upper()}_PORT=..."
        for name, port in ports.items()
        if not services.port_is_free(port)
    ]


def ready_message(stack: Stack, logs: Path) -> str:
    function = stack.function
    return f"""
Digit is running (model {stack.model["model"]}).

  page      {stack.site.url}/
  function  {function.url}
  storage   {stack.storage.url} (buckets {BUCKET}, and {CORRECTIONS_BUCKET} for the page's corrections)
  logs      {logs}

Ask the function from a shell, in the checkout (this sends a vertical stroke, a 1):

  {CURL_EXAMPLE.replace("$URL", function.url)}

or about pictures (PNG or JPEG: examples/ has a few):

  {this_python()} -m client examples/seven.png examples/photo.jpg --url {function.url}

Ctrl-C stops everything."""


def this_python() -> str:
    """The Python the demo runs under (make demo's .venv-demo/bin/python), as typed from the checkout's root."""
    python = Path(sys.executable)
    return str(python.relative_to(checkout.ROOT)) if python.is_relative_to(checkout.ROOT) else str(python)


def watch(servers: list[services.Service]) -> NoReturn:
    """Waits for Ctrl-C; a server that stops before then ends the demo, with the end of its log."""
    while True:
        for server in servers:
            if server.process.poll() is not None:
                raise services.ServiceError(
                    f"{server.name} stopped (exit code {server.process.returncode}):\n{server.log_tail()}"
                )
        time.sleep(0.1)


STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_once(signal_number: int, frame: object) -> NoReturn:
    """Stops the demo at the first signal and ignores the ones after it: a signal to the demo's process group
    reaches make too, which sends it on, and Ctrl-C pressed twice sends two. A second one while the servers
    are stopped would cut the clean-up short and leave servers running, holding their ports."""
    ignore_stopping_signals()
    raise KeyboardInterrupt


def ignore_stopping_signals() -> None:
    for stop in STOPPING_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)


def main(argv: list[str] | None = None) -> int:
    ports, site = parse_args(argv)
    busy = busy_ports(ports)
    if busy:
        print("\n".join(busy), file=sys.stderr)
        return 1
    # SIGTERM stops the demo as Ctrl-C does; SIGINT is set too, because a shell starts background jobs with
    # it ignored, and Python then leaves it ignored.
    for stop in STOPPING_SIGNALS:
        signal.signal(stop, stop_once)
    logs = Path(tempfile.mkdtemp(prefix="digit-demo-"))
    running = ExitStack()
    try:
        # The function is served from the demo's own environment: make demo builds it from
        # function/requirements.txt and the local server's requirements, one environment rather than two.
        stack = start_stack(ports, logs, running, site, function_python=Path(sys.executable))
        print(ready_message(stack, logs), flush=True)
        watch(stack.servers)
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
        return 0
    except services.ServiceError as error:
        print(f"the demo stopped: {error}\n(the servers' logs are in {logs})", file=sys.stderr)
        return 1
    finally:
        ignore_stopping_signals()  # the demo stops on its own: a signal now would cut its clean-up short
        running.close()


if __name__ == "__main__":
    sys.exit(main())
