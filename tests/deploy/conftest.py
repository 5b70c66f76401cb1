"""deploy.sh's tests run it against a fake gcloud (fake_gcloud.py, first on PATH as `gcloud`) that records every
call and answers like the real one, from a small cloud kept in a JSON file."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import ROOT, SITE, WEIGHTS
from digit.artefact import METADATA_FILE

FAKE_GCLOUD = Path(__file__).with_name("fake_gcloud.py")
BASH = shutil.which("bash")
PROJECT_AND_REGION = ["--project", "demo-project", "--region", "europe-west1"]
DEMO = [*PROJECT_AND_REGION, "--no-check"]  # a deploy to the fake cloud, whose function nobody runs: not checked
VERSION = json.loads((WEIGHTS / METADATA_FILE).read_text())["version"]  # what weights/ holds
WAIT = "0.01"  # deploy.sh's first wait for what a new project propagates, in seconds: the tests' is short
READS = (
    "auth list",
    "projects describe",
    "projects get-iam-policy",
    "org-policies describe",
    "storage buckets describe",
    "storage buckets get-iam-policy",
    "storage objects describe",
    "storage cat",
    "storage ls",
    "iam service-accounts describe",
    "functions describe",
)


class FakeCloud:
    """A copy of what deploy.sh reads (so that a test may change it), the temporary folder deploy.sh writes in,
    and the fake gcloud's state and log."""

    def __init__(self, folder: Path):
        self.checkout = folder / "checkout"
        shutil.copytree(ROOT / "function", self.checkout / "function", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(WEIGHTS, self.checkout / WEIGHTS.name)
        shutil.copy(ROOT / "deploy.sh", self.checkout)
        # The Python deploy.sh runs besides the function's: the page's staging and the README's digit.
        for module in ("checkout.py", "local/__init__.py", "local/page.py", "examples/__init__.py", "examples/one.py"):
            (self.checkout / module).parent.mkdir(exist_ok=True)
            shutil.copy(ROOT / module, self.checkout / module)
        shutil.copytree(ROOT / "deploy", self.checkout / "deploy")
        shutil.copytree(SITE, self.checkout / SITE.name)
        self.tmp = folder / "tmp"  # deploy.sh's TMPDIR
        self.tmp.mkdir()
        self.bin = folder / "bin"
        self.bin.mkdir()
        gcloud = self.bin / "gcloud"
        gcloud.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_GCLOUD}" "$@"\n')
        gcloud.chmod(0o755)
        # deploy.sh's python3, found before a version manager's shim, whose own start would cost more than the
        # Python deploy.sh runs (standard library only: tests/unit/test_deployment.py runs it without packages).
        (self.bin / "python3").symlink_to(sys.executable)
        self.log = folder / "gcloud-calls.jsonl"
        self.history: list[list[str]] = []  # the arguments of every call read from the log so far
        self.state_file = folder / "cloud.json"
        self.state_file.write_text(
            json.dumps(
                {
                    "account": "ada@example.com",
                    "projects": ["demo-project"],
                    "buckets": [],
                    "functions": [],
                    "service_accounts": [],
                    "objects": {},
                }
            )
        )

    def deploy(
        self, *flags: str, fail_on: str = "", path: str = "", stdin=subprocess.DEVNULL, wait: str = WAIT
    ) -> subprocess.CompletedProcess:
        """Runs ./deploy.sh with the fake gcloud first on PATH (or with `path` as PATH), without a terminal
        (or with `stdin`), its first wait for what a new project propagates `wait` seconds."""
        return subprocess.run(
            [BASH, "./deploy.sh", *flags],
            cwd=self.checkout,
            env=self.environment(fail_on, path, wait),
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=180,  # a check may wait two minutes for the function
        )

    def assert_refused(self, flags: list[str], message: str) -> None:
        """./deploy.sh with `flags` exits 2 with `message` and the pointer to --help, before calling gcloud."""
        result = self.deploy(*flags)
        assert result.returncode == 2
        assert result.stderr == f"deploy.sh: {message}\nRun ./deploy.sh --help for the options.\n"
        assert self.calls() == []

    def start(self, *flags: str) -> subprocess.Popen:
        """Starts ./deploy.sh as deploy does, its output to be read as it comes."""
        return subprocess.Popen(
            [BASH, "./deploy.sh", *flags],
            cwd=self.checkout,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def environment(self, fail_on: str = "", path: str = "", wait: str = WAIT) -> dict[str, str]:
        return {
            **os.environ,
            "PATH": path or f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "FAKE_GCLOUD_LOG": str(self.log),
            "FAKE_GCLOUD_STATE": str(self.state_file),
            "FAKE_GCLOUD_FAIL_ON": fail_on,
            "TMPDIR": str(self.tmp),
            "DIGIT_DEPLOY_WAIT_SECONDS": wait,
        }

    def state(self) -> dict:
        return json.loads(self.state_file.read_text())

    def change(self, **changes) -> None:
        """Changes the fake cloud's state."""
        self.state_file.write_text(json.dumps({**self.state(), **changes}))

    def object(self, name: str) -> bytes:
        """An object's content, named BUCKET/NAME."""
        return base64.b64decode(self.state()["objects"][name])

    def calls(self) -> list[str]:
        """Every gcloud call so far, as `subcommand arguments...` lines, deploy.sh's temporary folder named
        TMP; the log is emptied."""
        if not self.log.exists():
            return []
        arguments = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.history += arguments
        self.log.unlink()
        return [self.without_temporary_folder(" ".join(call)) for call in arguments]

    def without_temporary_folder(self, text: str) -> str:
        """`text` with the temporary folder of deploy.sh's run, whose name is random, written TMP."""
        return re.sub(rf"{re.escape(str(self.tmp))}/[^/\s]+", "TMP", text)


@pytest.fixture
def cloud(tmp_path) -> FakeCloud:
    return FakeCloud(tmp_path)


def changes(calls: list[str]) -> list[str]:
    """The calls that change something."""
    return [call for call in calls if not call.startswith(READS)]
