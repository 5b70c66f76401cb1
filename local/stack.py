"""The whole local stack started in one place, for `make demo` and `make screenshot` alike: the storage
emulator holding the committed weights, the function reading them, and the page asking the function."""

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import checkout
from local import page, services

BUCKET = "digit-weights"
CORRECTIONS_BUCKET = "digit-corrections"  # the page's corrections, kept by the emulator until it stops
DEFAULT_PORTS = {"storage": 9023, "function": 8080, "site": 8000}  # make demo's, unless told otherwise


@dataclass
class Stack:
    """The servers, each entered into the ExitStack that stops it."""

    storage: services.Service
    function: services.Service
    site: services.Service
    model: dict  # the function's report on its model, once loaded

    @property
    def servers(self) -> list[services.Service]:
        return [self.storage, self.function, self.site]


def free_ports() -> dict[str, int]:
    """A port for each server that nothing listens on now."""
    return {name: services.free_port() for name in DEFAULT_PORTS}


def start_stack(
    ports: dict[str, int],
    work: Path,
    running: ExitStack,
    site: Path = checkout.SITE,
    function_python: Path = services.FUNCTION_PYTHON,
) -> Stack:
    """Starts the three servers on `ports`, saying what it does step by step, their logs in `work`, the
    function served by `function_python`, and serves `site` staged in work/page/ with the config.js that names
    the function (`site` itself is never written to); returns once the model is loaded. Each server is entered
    into `running` as it starts, so that closing it stops every one, whichever step failed or was
    interrupted."""
    announce(f"starting the storage emulator on port {ports['storage']}")
    storage = running.enter_context(services.start_storage(ports["storage"], work))
    client = services.storage_client(storage.url)
    services.publish_version(client, BUCKET, checkout.WEIGHTS)
    client.create_bucket(CORRECTIONS_BUCKET)

    # The page's origin only, as once deployed; both spellings, since a reader may well type localhost.
    origins = f"http://{services.HOST}:{ports['site']},http://localhost:{ports['site']}"
    announce(f"starting the function on port {ports['function']}")
    env = services.function_env(storage.url, BUCKET, ALLOWED_ORIGINS=origins, CORRECTIONS_BUCKET=CORRECTIONS_BUCKET)
    function = running.enter_context(services.start_function(ports["function"], work, env, python=function_python))

    staged = page.stage_site(work / "page", function.url, site)
    announce(f"serving {staged} on port {ports['site']}")
    served = running.enter_context(services.start_site(ports["site"], work, staged))

    announce("loading the model")
    return Stack(storage, function, served, services.wait_until_loaded(function.url, timeout=120))


def announce(step: str) -> None:
    print(f"{step}...", flush=True)
