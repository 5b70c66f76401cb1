"""A command-line client for the Digit function: `python -m client FILE... [--url URL]` (see __main__.py)."""
