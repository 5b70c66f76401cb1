"""What deploy.sh, which is bash, shares with the function, asked of Python rather than copied: the names of a
bucket's model versions (digit/artefact.py), the check the function makes of a version before it serves it,
live.json's content, the request threads an instance runs, and how long it waits to load a model again.
Standard library only, and Python 3.8's, as deploy.sh runs it with whatever python3 the deployer has:

    PYTHONPATH=function python3 -B -m digit.deployment COMMAND [ARGUMENT...]

  shared                      the names, as NAME=value lines
  name TEXT                   exits 0 when TEXT is a version's name, 1 otherwise
  check FOLDER [VERSION]      prints the version whose two files FOLDER holds, once its weights are those its
                              metadata describes (and it is VERSION, if given); otherwise says why, exit 1
  pointer VERSION [EARLIER...]
                              prints live.json naming VERSION, EARLIER the versions live before it (latest last)
  live                        reads live.json on standard input and prints the version it names (an empty line
                              when none), then those live before it, one a line; exit 1 when it is not JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

from digit.artefact import (
    DEFAULT_PREFIX,
    METADATA_FILE,
    POINTER_FILE,
    VERSION_NAME,
    WEIGHTS_FILE,
    WeightsError,
    check,
    parse_history,
    parse_metadata,
    parse_pointer,
    pointer,
)

# functions-framework's request threads in the function's one process (its THREADS variable): deploy.sh sets it
# to an instance's concurrency, by default this, and the local stack and the benchmark serve the function alike.
THREADS = 8
# After a failed load, how many seconds the function waits before trying again (its RETRY_SECONDS setting), and
# deploy.sh's check before asking again when a 503 does not say.
RETRY_SECONDS = 10


def shared() -> dict[str, str]:
    """What deploy.sh names as the function does."""
    return {
        "MODELS_PREFIX": DEFAULT_PREFIX,
        "POINTER_FILE": POINTER_FILE,
        "WEIGHTS_FILE": WEIGHTS_FILE,
        "METADATA_FILE": METADATA_FILE,
        "THREADS": str(THREADS),
        "RETRY_SECONDS": str(RETRY_SECONDS),
    }


def checked_version(folder: Path, version: str | None = None) -> str:
    """The version whose files `folder` holds, once the function would load them (their checksum) and it is
    `version`, if given; WeightsError saying why not."""
    metadata = parse_metadata((folder / METADATA_FILE).read_bytes())
    if version is not None and metadata["version"] != version:
        raise WeightsError(f"{METADATA_FILE} is not that of {version}")
    if not VERSION_NAME.fullmatch(metadata["version"]):
        raise WeightsError(f"{METADATA_FILE} names {metadata['version'][:40]!r}, which is not a version's name")
    check((folder / WEIGHTS_FILE).read_bytes(), metadata)
    return metadata["version"]


def live(data: bytes) -> list[str]:
    """The version live.json names ("" when it names none), then those live before it."""
    history = parse_history(data)  # WeightsError when it is not a JSON object
    try:
        version = parse_pointer(data)
    except WeightsError:
        version = ""
    return [version, *history]


def main(arguments: list[str]) -> int:
    command, rest = arguments[0], arguments[1:]
    try:
        if command == "shared":
            print("\n".join(f"{name}={value}" for name, value in shared().items()))
        elif command == "name":
            return 0 if VERSION_NAME.fullmatch(rest[0]) else 1
        elif command == "check":
            print(checked_version(Path(rest[0]), *rest[1:2]))
        elif command == "pointer":
            print(pointer(rest[0], rest[1:]).decode())
        elif command == "live":
            print("\n".join(live(sys.stdin.buffer.read())))
        else:
            print(f"digit.deployment: unknown command {command!r}", file=sys.stderr)
            return 2
    except WeightsError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:  # a file of the version missing
        print(f"{Path(error.filename).name}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
