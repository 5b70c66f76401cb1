"""Structured logs: one JSON object per line on stderr, which Cloud Logging reads as an entry with its
severity. Request bodies are never logged."""

import json
import sys


def log(severity: str, message: str, **fields: object) -> None:
    print(json.dumps({"severity": severity, "message": message, **fields}, default=str), file=sys.stderr, flush=True)
