"""The function's settings, read from the environment once, when the server starts.

Each field is read from the variable of its name in capitals (WEIGHTS_BUCKET for weights_bucket, and so
on); a variable that is not set leaves the default.
"""

import dataclasses
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass

from digit.artefact import DEFAULT_PREFIX


class SettingsError(ValueError):
    """A variable holds what its setting cannot take; the message names it."""


@dataclass(frozen=True)
class Settings:
    weights_bucket: str = ""  # the Cloud Storage bucket of the model versions: required to serve
    weights_prefix: str = DEFAULT_PREFIX  # <prefix>live.json names the version, <prefix><version>/ holds it
    model_refresh_seconds: float = 60  # how often live.json is read again, to switch to the version it names
    allowed_origins: tuple[str, ...] = ("*",)  # the pages allowed to read answers (comma-separated)
    max_body_bytes: int = 1024 * 1024  # larger bodies are refused with 413
    body_timeout_seconds: float = 10  # a client silent this long in the middle of a body gets 408
    load_wait_seconds: float = 30  # how long a request waits for a model load under way before 503
    retry_seconds: float = 10  # after a failed load, how soon a request tries again
    storage_deadline_seconds: float = 8  # after how long a load stops retrying transient storage errors
    corrections_bucket: str = ""  # where corrections are stored; none: they are not collected
    corrections_per_minute: int = 30  # how many corrections one instance stores a minute, at most

    @property
    def discard_limit_bytes(self) -> int:
        """An oversized body is read and dropped up to this size, so that its client hears the 413."""
        return 16 * self.max_body_bytes

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """The settings the environment gives, the defaults for the rest."""
        given = {}
        for field in dataclasses.fields(cls):
            name = field.name.upper()
            if name in environ:
                given[field.name] = _parsed(name, environ[name], field.type)
        return cls(**given)


def _parsed(name: str, text: str, kind: type) -> object:
    if typing.get_origin(kind) is tuple:
        return tuple(part.strip() for part in text.split(","))
    try:
        return kind(text)
    except ValueError:
        raise SettingsError(f"{name} must be a {'whole ' if kind is int else ''}number, not {text!r}") from None
