"""Nothing in the repository that should not be there: keys, tokens or credentials."""

import re
import subprocess

from checkout import ROOT

PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "service account key": re.compile(r'"private_key(_id)?"\s*:'),
    "Google API key": re.compile(r"AIza[0-9A-Za-z_\-]{35}"),
    "Google OAuth token": re.compile(r"ya29\.[0-9A-Za-z_\-]{20,}"),
    "AWS access key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "password in a URL": re.compile(r"[a-z]+://[^/\s:@]+:[^/\s:@]+@"),
}


def test_no_tracked_file_holds_a_secret():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, files.decode().split("\0")):
        path = ROOT / name
        if path.suffix in {".h5", ".png"} or not path.is_file():
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {what}" for what, pattern in PATTERNS.items() if pattern.search(text)]
    assert found == []
