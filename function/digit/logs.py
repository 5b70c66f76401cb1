"""Structured logs: one JSON object per line on stderr, which Cloud Logging reads as an entry with its
severity. Request bodies are never logged."""

import json
import sys


def log(severity: str, message: str, **fields: object) -> None:
    # One write per entry: the request threads share stderr, and an entry split by another is unreadable.
    sys.stderr.write(json.dumps({"severity": severity, "message": message, **fields}, default=str) + "\n")
    sys.stderr.flush()


def log_failure(message: str, error: BaseException, **fields: object) -> None:
    """An ERROR entry for a failure, with the type and the text of its cause (the error it wraps, if any)."""
    cause = error.__cause__ or error
    log("ERROR", message, **fields, error_type=type(cause).__name__, detail=str(cause)[:500])
