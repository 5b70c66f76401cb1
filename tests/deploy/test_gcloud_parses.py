"""Every command line deploy.sh writes, parsed by the real Google Cloud CLI: deploy.sh's runs (deploy on a new
project, rerun, corrections, dry run, the sizes Cloud Run takes, the version commands, check, delete, and the
organisation policies that stop a deploy) go through the fake gcloud, which records them; then each distinct
command line goes through the real `gcloud`, with a throwaway configuration and no credentials. gcloud parses
the line, then stops at authentication (exit 1, asking for a login); an unknown flag or a value it refuses is
a parse error (exit 2), and fails the test, as does anything that stops it before it asks for a login.

Without credentials it never reaches Google: prompts are off, the configuration says this machine is not on
Google Compute Engine (else gcloud asks the metadata server), and usage reports and update checks are off."""

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from checkout import SITE
from tests.deploy.conftest import DEMO, PROJECT_AND_REGION, FakeCloud
from tests.deploy.test_deploy_new_project import NEW_PROJECT
from tests.deploy.test_deploy_versions import retrain

REAL_GCLOUD = shutil.which("gcloud")
pytestmark = pytest.mark.skipif(
    REAL_GCLOUD is None, reason="the Google Cloud CLI (gcloud) is not installed: deploy.sh's lines are not parsed"
)
LOGIN_ASKED = "You do not currently have an active account selected."
PROJECT = ["--project", "demo-project"]
DELETE = ["delete", *PROJECT_AND_REGION]
# Every gcloud command deploy.sh runs: the runs below write each of them.
COMMANDS = {
    *("auth list", "projects describe", "services enable", "org-policies describe"),
    *("projects get-iam-policy", "projects add-iam-policy-binding", "projects remove-iam-policy-binding"),
    *("iam service-accounts describe", "iam service-accounts create", "iam service-accounts delete"),
    *("storage buckets describe", "storage buckets create", "storage buckets update", "storage buckets get-iam-policy"),
    *("storage buckets add-iam-policy-binding", "storage buckets remove-iam-policy-binding", "storage rm"),
    *("storage objects describe", "storage cp", "storage cat", "storage ls", "storage rsync"),
    *("functions deploy", "functions describe", "functions delete"),
}


def run_everything(cloud: FakeCloud) -> None:
    """deploy.sh's runs, on a new project: each command, each way a deploy goes."""
    cloud.change(**NEW_PROJECT)
    for flags in ([*DEMO, "--corrections"], [*DEMO, "--corrections"], [*DEMO, "--dry-run"]):
        assert cloud.deploy(*flags).returncode == 0, flags
    for sizes in (["--cpu", "2", "--memory", "1Gi"], ["--cpu", "0.5", "--memory", "512Mi", "--concurrency", "1"],
                  ["--cpu", "4", "--memory", "2Gi"], ["--memory", "512MB", "--runtime", "python313"]):  # fmt: skip
        assert cloud.deploy(*DEMO, *sizes).returncode == 0, sizes
    new = retrain(cloud, 1)
    for command in (["publish"], ["promote", new], ["rollback"], ["versions"]):  # their dry runs write a subset
        assert cloud.deploy(*command, *PROJECT).returncode == 0, command
    assert cloud.deploy("check", *PROJECT_AND_REGION).returncode == 1  # no function runs behind the fake
    for flags in ([*DELETE, "--dry-run"], [*DELETE, "--yes"], [*DELETE, "--yes", "--with-corrections"]):
        assert cloud.deploy(*flags).returncode == 0, flags
    for refusal in ({"public_access_prevention": True}, {"org_policies_unreadable": True}, {"invoker_refused": True}):
        cloud.change(**refusal)
        assert cloud.deploy(*DEMO).returncode == 1, refusal
    cloud.calls()


def command_of(line: tuple[str, ...]) -> str:
    """The gcloud command a line runs: its first two words, three for a group's (such as storage buckets)."""
    words = [word for word in line if not word.startswith("-")]
    grouped = words[:2] in (["storage", "buckets"], ["storage", "objects"], ["iam", "service-accounts"])
    return " ".join(words[:3] if grouped else words[:2])


def without_temporary_files(cloud: FakeCloud, stand_in: Path, arguments: list[str]) -> tuple[str, ...]:
    """A call's arguments with deploy.sh's temporary folder, gone since, replaced by a stand-in with the same
    files: gcloud reads some of them (rsync's source folder) before it asks for a login."""
    folder = re.compile(rf"{re.escape(str(cloud.tmp))}/[^/]+")
    return tuple(folder.sub(str(stand_in), argument) for argument in arguments)


def stand_in_for_temporary_files(folder: Path) -> Path:
    folder.mkdir()
    shutil.copytree(SITE, folder / "site")
    (folder / "lifecycle.json").write_text('{"rule": [{"action": {"type": "Delete"}, "condition": {"age": 90}}]}')
    return folder


def environment(configuration: Path) -> dict[str, str]:
    """The real gcloud's environment: this machine's, without any gcloud setting or credential of its own."""
    configuration.mkdir()
    (configuration / "gce").write_text("False")  # not on Google Compute Engine: gcloud asks no metadata server
    kept = {name: value for name, value in os.environ.items() if not name.startswith(("CLOUDSDK_", "GOOGLE_"))}
    return {
        **kept,
        "CLOUDSDK_CONFIG": str(configuration),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
    }


def parse(arguments: tuple[str, ...], configuration: Path, cwd: Path) -> tuple[str, int, str]:
    """The line, gcloud's exit code, and the start of what it said unless it stopped at the login."""
    line = " ".join(arguments)
    try:
        result = subprocess.run(
            [REAL_GCLOUD, *arguments],
            cwd=cwd,
            env=environment(configuration),
            stdin=subprocess.DEVNULL,  # storage cp - would read the pointer from it
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return line, -1, "no answer within 60 s"
    said = "" if LOGIN_ASKED in result.stderr else result.stderr[:600]
    return line, result.returncode, said


def parse_all(lines: set[tuple[str, ...]], folder: Path, cwd: Path) -> list[tuple[str, int, str]]:
    """Each line through the real gcloud, two at a time (each costs about a second of CPU)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = pool.map(lambda numbered: parse(numbered[1], folder / f"config-{numbered[0]}", cwd), enumerate(lines))
        return sorted(answers)


def failures(answers: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """The lines gcloud did not take: a parse error, or anything but a login asked for (`auth list` needs none)."""
    return [answer for answer in answers if answer[1] != 0 and (answer[1], answer[2]) != (1, "")]


def test_every_command_line_deploy_sh_writes_parses_with_the_real_gcloud(cloud, tmp_path):
    run_everything(cloud)
    stand_in = stand_in_for_temporary_files(tmp_path / "stand-in")
    lines = {without_temporary_files(cloud, stand_in, arguments) for arguments in cloud.history}
    assert {command_of(line) for line in lines} == COMMANDS

    answers = parse_all(lines, tmp_path, cloud.checkout)

    assert failures(answers) == []
    assert len(answers) == len(lines) > 50


def test_the_check_fails_on_a_line_the_real_gcloud_refuses(tmp_path, cloud):
    refused = ("functions", "deploy", "digit", "--gen2", "--region=europe-west1", "--concurrency=5000")
    missing_folder = ("storage", "rsync", str(tmp_path / "gone"), "gs://page", "--recursive")
    asked = ("functions", "describe", "digit", "--gen2", "--region=europe-west1", "--format=value(name)")

    answers = parse_all({refused, missing_folder, asked}, tmp_path, cloud.checkout)

    assert [(line, code) for line, code, _ in failures(answers)] == [
        (" ".join(refused), 2),
        (" ".join(missing_folder), 1),
    ]
    assert "argument --concurrency: Value must be less than or equal to 1000; received: 5000" in failures(answers)[0][2]
