"""The function's settings, read from the environment once, when the server starts.

Each field is read from the variable of its name in capitals (WEIGHTS_BUCKET for weights_bucket, and so
on); a variable that is not set leaves the default. A value out of its setting's range stops the function at
start, with a message that names the variable: better than an instance that starts and then fails at every
request, or whose refreshes stop while its health says all is well.
"""

import dataclasses
import math
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field

from digit.artefact import DEFAULT_PREFIX
from digit.deployment import RETRY_SECONDS


class SettingsError(ValueError):
    """A variable holds what its setting cannot take; the message names it."""


def _above_zero(default: float) -> float:
    """A setting that must be a finite number above 0."""
    return field(default=default, metadata={"above": 0})


def _at_least(default: float, least: float) -> float:
    """A setting that must be a finite number of at least `least`."""
    return field(default=default, metadata={"at_least": least})


def _between(default: int, least: int, most: int) -> int:
    """A setting that must be a number from `least` to `most`."""
    return field(default=default, metadata={"at_least": least, "at_most": most})


@dataclass(frozen=True)
class Settings:
    weights_bucket: str = ""  # the Cloud Storage bucket of the model versions: required to serve
    weights_prefix: str = DEFAULT_PREFIX  # <prefix>live.json names the version, <prefix><version>/ holds it
    model_refresh_seconds: float = _above_zero(60)  # how often live.json is read, to switch to the version it names
    allowed_origins: tuple[str, ...] = ("*",)  # the pages allowed to read answers (comma-separated)
    max_body_bytes: int = _at_least(1024 * 1024, 1)  # larger bodies are refused with 413
    body_timeout_seconds: float = _above_zero(10)  # a client silent this long in the middle of a body gets 408
    body_deadline_seconds: float = _above_zero(30)  # a body not all there this long after it began gets 408
    slow_body_seconds: float = _above_zero(1)  # a body still arriving after this long takes a slow slot, or gets 408
    slow_bodies: int = _at_least(4, 1)  # slow slots: keep it below THREADS, so that quick requests find a thread
    # The server's own limits, which it answers with 414 and 431 before the function is asked (gunicorn's, whose
    # largest is 8190 bytes).
    max_request_line_bytes: int = _between(4094, 64, 8190)
    max_header_bytes: int = _between(8190, 64, 8190)
    load_wait_seconds: float = _at_least(30, 0)  # how long a request waits for a model load under way before 503
    retry_seconds: float = _at_least(RETRY_SECONDS, 0)  # after a failed load, how soon a request tries again
    storage_deadline_seconds: float = _above_zero(8)  # after how long a load stops retrying transient storage errors
    corrections_bucket: str = ""  # where corrections are stored; none: they are not collected
    corrections_per_minute: int = _at_least(30, 1)  # how many corrections one instance stores a minute, at most

    def __post_init__(self) -> None:
        for setting in dataclasses.fields(self):
            value, name, bounds = getattr(self, setting.name), setting.name.upper(), setting.metadata
            if "above" in bounds and not (math.isfinite(value) and value > bounds["above"]):
                raise SettingsError(f"{name} must be a number above {bounds['above']}, not {value!r}")
            if "at_most" in bounds and not bounds["at_least"] <= value <= bounds["at_most"]:
                raise SettingsError(f"{name} must be from {bounds['at_least']} to {bounds['at_most']}, not {value!r}")
            if "at_least" in bounds and not (math.isfinite(value) and value >= bounds["at_least"]):
                raise SettingsError(f"{name} must be {bounds['at_least']} or more, not {value!r}")
        if self.slow_body_seconds >= self.body_deadline_seconds:
            raise SettingsError("SLOW_BODY_SECONDS must be below BODY_DEADLINE_SECONDS")
        if not all(self.allowed_origins):
            raise SettingsError("ALLOWED_ORIGINS has an empty origin in its list")

    @property
    def discard_limit_bytes(self) -> int:
        """An oversized body is read and dropped up to this size, so that its client hears the 413."""
        return 16 * self.max_body_bytes

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """The settings the environment gives, the defaults for the rest."""
        given = {}
        for setting in dataclasses.fields(cls):
            name = setting.name.upper()
            if name in environ:
                given[setting.name] = _parsed(name, environ[name], setting.type)
        return cls(**given)


def _parsed(name: str, text: str, kind: type) -> object:
    if typing.get_origin(kind) is tuple:
        return tuple(part.strip() for part in text.split(","))
    try:
        return kind(text)
    except ValueError:
        raise SettingsError(f"{name} must be a {'whole ' if kind is int else ''}number, not {text!r}") from None
