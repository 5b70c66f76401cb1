"""deploy.sh against a fake gcloud (fake_gcloud.py, first on PATH as `gcloud`) that records every call and
answers like the real one: what a first deploy runs, what a second one leaves alone, that --dry-run changes
nothing, how a failing step, a missing gcloud, login or project, and bad flags end it; and shellcheck."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE_GCLOUD = Path(__file__).with_name("fake_gcloud.py")
BASH = shutil.which("bash")

# Every gcloud call of a first deploy of the project demo-project, in order, its arguments joined by spaces.
FIRST_DEPLOY = """
auth list --filter=status:ACTIVE --format=value(account)
projects describe demo-project --format=value(projectId)
services enable cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com artifactregistry.googleapis.com logging.googleapis.com storage.googleapis.com iam.googleapis.com --project=demo-project
storage buckets describe gs://demo-project-digit-weights --project=demo-project --format=value(name)
storage buckets create gs://demo-project-digit-weights --project=demo-project --location=europe-west1 --uniform-bucket-level-access
storage cp weights/model.weights.h5 weights/model.json gs://demo-project-digit-weights/model/ --project=demo-project
iam service-accounts describe digit-function@demo-project.iam.gserviceaccount.com --project=demo-project --format=value(email)
iam service-accounts create digit-function --project=demo-project --display-name=Digit function: reads gs://demo-project-digit-weights
storage buckets add-iam-policy-binding gs://demo-project-digit-weights --project=demo-project --member=serviceAccount:digit-function@demo-project.iam.gserviceaccount.com --role=roles/storage.objectViewer
functions deploy digit --gen2 --project=demo-project --region=europe-west1 --runtime=python312 --source=function --entry-point=predict --trigger-http --allow-unauthenticated --service-account=digit-function@demo-project.iam.gserviceaccount.com --memory=1Gi --cpu=1 --concurrency=8 --min-instances=0 --max-instances=3 --set-env-vars=WEIGHTS_BUCKET=demo-project-digit-weights,WEIGHTS_PREFIX=model/,ALLOWED_ORIGINS=https://storage.googleapis.com,THREADS=8
functions describe digit --gen2 --project=demo-project --region=europe-west1 --format=value(serviceConfig.uri)
storage buckets describe gs://demo-project-digit-site --project=demo-project --format=value(name)
storage buckets create gs://demo-project-digit-site --project=demo-project --location=europe-west1 --uniform-bucket-level-access
storage buckets update gs://demo-project-digit-site --project=demo-project --web-main-page-suffix=index.html
storage buckets add-iam-policy-binding gs://demo-project-digit-site --project=demo-project --member=allUsers --role=roles/storage.objectViewer
storage rsync site gs://demo-project-digit-site --recursive --cache-control=no-cache --project=demo-project
""".strip().splitlines()  # noqa: E501
READS = (
    "auth list",
    "projects describe",
    "storage buckets describe",
    "iam service-accounts describe",
    "functions describe",
)
FUNCTION_URL = "https://digit-h4x2k9q1ta-ew.a.run.app"  # what the fake reports for a function named digit
DEMO = ["--project", "demo-project", "--region", "europe-west1"]


class FakeCloud:
    """A copy of what deploy.sh reads (so that the site/config.js it writes lands there), and the fake
    gcloud's state and log."""

    def __init__(self, folder: Path):
        self.checkout = folder / "checkout"
        shutil.copytree(ROOT / "function", self.checkout / "function", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "weights", self.checkout / "weights")
        shutil.copy(ROOT / "deploy.sh", self.checkout)
        (self.checkout / "site").mkdir()
        (self.checkout / "site" / "index.html").write_text("<!doctype html><title>Digit</title>\n")
        self.bin = folder / "bin"
        self.bin.mkdir()
        gcloud = self.bin / "gcloud"
        gcloud.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_GCLOUD}" "$@"\n')
        gcloud.chmod(0o755)
        self.log = folder / "gcloud-calls.jsonl"
        self.state = folder / "cloud.json"
        self.state.write_text(
            json.dumps(
                {
                    "account": "ada@example.com",
                    "projects": ["demo-project"],
                    "buckets": [],
                    "functions": [],
                    "service_accounts": [],
                }
            )
        )

    def deploy(self, *flags: str, fail_on: str = "", path: str = "") -> subprocess.CompletedProcess:
        """Runs ./deploy.sh with the fake gcloud first on PATH (or with `path` as PATH)."""
        env = {
            **os.environ,
            "PATH": path or f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "FAKE_GCLOUD_LOG": str(self.log),
            "FAKE_GCLOUD_STATE": str(self.state),
            "FAKE_GCLOUD_FAIL_ON": fail_on,
        }
        return subprocess.run(
            [BASH, "./deploy.sh", *flags], cwd=self.checkout, env=env, capture_output=True, text=True, timeout=60
        )

    def calls(self) -> list[str]:
        """Every gcloud call so far, as `subcommand arguments...` lines; the log is emptied."""
        if not self.log.exists():
            return []
        calls = [" ".join(json.loads(line)) for line in self.log.read_text().splitlines()]
        self.log.unlink()
        return calls


@pytest.fixture
def cloud(tmp_path) -> FakeCloud:
    return FakeCloud(tmp_path)


def changes(calls: list[str]) -> list[str]:
    return [call for call in calls if not call.startswith(READS)]


def test_a_first_deploy_runs_every_step_in_order(cloud):
    result = cloud.deploy(*DEMO)

    assert result.returncode == 0, result.stderr
    assert cloud.calls() == FIRST_DEPLOY
    assert (cloud.checkout / "site" / "config.js").read_text() == f'export const API_URL = "{FUNCTION_URL}";\n'
    assert result.stdout.endswith(
        "\nDigit is deployed.\n"
        "  page      https://storage.googleapis.com/demo-project-digit-site/index.html\n"
        f"  function  {FUNCTION_URL}\n"
    )


def test_a_second_deploy_keeps_the_buckets_and_the_service_account_and_updates_the_rest(cloud):
    assert cloud.deploy(*DEMO).returncode == 0
    cloud.calls()

    result = cloud.deploy(*DEMO)

    assert result.returncode == 0
    creations = ("storage buckets create", "iam service-accounts create")
    assert cloud.calls() == [call for call in FIRST_DEPLOY if not call.startswith(creations)]
    assert "gs://demo-project-digit-weights exists." in result.stdout.splitlines()
    assert "digit-function@demo-project.iam.gserviceaccount.com exists." in result.stdout.splitlines()


def test_a_dry_run_changes_nothing_and_prints_every_change_a_deploy_makes(cloud):
    dry_run = cloud.deploy(*DEMO, "--dry-run")

    assert dry_run.returncode == 0
    assert changes(cloud.calls()) == []
    assert not (cloud.checkout / "site" / "config.js").exists()
    printed = [line.removeprefix("+ gcloud ") for line in dry_run.stdout.splitlines() if line.startswith("+ ")]
    assert printed == changes(FIRST_DEPLOY)
    assert dry_run.stdout.endswith("\nDry run: nothing was changed.\n")


def test_every_flag_reaches_the_commands(cloud):
    flags = ["--bucket", "w8", "--site-bucket", "page", "--function", "reader", "--runtime", "python313"]
    flags += ["--memory", "2Gi", "--cpu", "2", "--concurrency", "4", "--min-instances", "1", "--max-instances", "5"]
    what_changes = {
        "demo-project-digit-weights": "w8",
        "demo-project-digit-site": "page",
        "digit --gen2": "reader --gen2",
        "digit-function": "reader-function",
        "python312": "python313",
        "memory=1Gi": "memory=2Gi",
        "cpu=1": "cpu=2",
        "concurrency=8": "concurrency=4",
        "THREADS=8": "THREADS=4",
        "min-instances=0": "min-instances=1",
        "max-instances=3": "max-instances=5",
    }
    expected = FIRST_DEPLOY
    for default, chosen in what_changes.items():
        expected = [call.replace(default, chosen) for call in expected]

    assert cloud.deploy(*DEMO, *flags).returncode == 0
    assert cloud.calls() == expected


@pytest.mark.parametrize(
    ("failing", "step", "remedy"),
    [
        ("services enable", "Enabling the APIs that Cloud Functions needs", "Billing must be enabled for demo-project"),
        (
            "storage buckets create",
            "Uploading the weights to gs://demo-project-digit-weights/model/",
            "Bucket names are global",
        ),
        (
            "functions deploy",
            "Deploying function/ as the function digit, which takes a few minutes",
            "The messages above say why",
        ),
        (
            "iam service-accounts create",
            "Giving the function a service account of its own, digit-function@demo-project.iam.gserviceaccount.com",
            "You need the Service Account Admin role in demo-project",
        ),
        (
            "storage buckets add-iam-policy-binding",
            "Letting the function's service account read gs://demo-project-digit-weights",
            "You need permission to change the bucket's IAM policy",
        ),
        ("functions describe", "Reading the function's URL", "Check that the function exists"),
    ],
)
def test_a_failing_step_stops_the_script_and_says_what_to_do(cloud, failing, step, remedy):
    result = cloud.deploy(*DEMO, fail_on=failing)

    assert result.returncode == 1
    assert f"ERROR: ({failing}) the fake gcloud was told to fail here\n" in result.stderr
    assert f"\ndeploy.sh: this step failed: {step}.\n{remedy}" in result.stderr
    assert result.stderr.count("this step failed") == 1  # also when it failed inside $(...)
    calls = cloud.calls()
    assert calls[-1].startswith(failing)  # nothing ran after it
    assert calls == FIRST_DEPLOY[: len(calls)]


@pytest.mark.parametrize(
    ("cloud_state", "message"),
    [
        (
            {"account": None},
            "deploy.sh: no account is logged in to gcloud: run gcloud auth login, then deploy.sh again.",
        ),
        ({"projects": []}, "deploy.sh: this step failed: Checking gcloud, your account and project demo-project."),
    ],
)
def test_no_login_or_no_project_stops_it_before_any_change(cloud, cloud_state, message):
    cloud.state.write_text(json.dumps({**json.loads(cloud.state.read_text()), **cloud_state}))

    result = cloud.deploy(*DEMO)

    assert result.returncode == 1
    assert message in result.stderr.splitlines()
    assert changes(cloud.calls()) == []


def test_a_missing_file_stops_it_before_any_change(cloud):
    (cloud.checkout / "site" / "index.html").unlink()

    result = cloud.deploy(*DEMO)

    assert result.returncode == 1
    assert result.stderr == "deploy.sh: site/index.html is missing: run deploy.sh from a complete checkout of Digit.\n"
    assert changes(cloud.calls()) == []


def test_a_missing_gcloud_is_reported_before_anything_runs(cloud, tmp_path):
    without_gcloud = tmp_path / "bin-without-gcloud"  # holds the one other command deploy.sh needs first
    without_gcloud.mkdir()
    (without_gcloud / "dirname").symlink_to(shutil.which("dirname"))

    result = cloud.deploy(*DEMO, path=str(without_gcloud))

    assert result.returncode == 1
    assert result.stderr == (
        "deploy.sh: gcloud is not installed: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install).\n"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([], "--project is required"),
        (["--project", "demo-project"], "--region is required"),
        (["--project"], "--project needs a value"),
        (["--project", "--region", "europe-west1"], "--project needs a value"),
        ([*DEMO, "--colour"], "unknown option: --colour"),
        ([*DEMO, "--min-instances", "some"], "--min-instances must be a whole number, not 'some'"),
        ([*DEMO, "--max-instances", "0"], "--max-instances must be 1 or more, not '0'"),
        ([*DEMO, "--concurrency", "0"], "--concurrency must be 1 or more, not '0'"),
        ([*DEMO, "--cpu", "two"], "--cpu must be a number of vCPUs such as 1 or 0.5, not 'two'"),
        ([*DEMO, "--cpu", "0.5"], "--concurrency above 1 needs --cpu 1 or more"),
        (
            [*DEMO, "--function", "handwritten-digit-reader"],
            "--function handwritten-digit-reader would name its service account "
            "'handwritten-digit-reader-function': use at most 21 lowercase letters, digits and hyphens",
        ),
    ],
)
def test_bad_flags_are_refused_before_anything_runs(cloud, flags, message):
    result = cloud.deploy(*flags)

    assert result.returncode == 2
    assert result.stderr == f"deploy.sh: {message}\nRun ./deploy.sh --help for the options.\n"
    assert cloud.calls() == []


def test_a_fraction_of_a_vcpu_serves_one_request_at_a_time(cloud):
    assert cloud.deploy(*DEMO, "--cpu", "0.583", "--concurrency", "1", "--memory", "1Gi").returncode == 0
    deploy = next(call for call in cloud.calls() if call.startswith("functions deploy"))
    assert "--cpu=0.583 --concurrency=1 " in deploy and deploy.endswith(",THREADS=1")


def test_help_shows_the_usage(cloud):
    result = cloud.deploy("--help")

    assert result.returncode == 0
    assert result.stdout.startswith("Usage: ./deploy.sh --project PROJECT --region REGION [options]\n")
    assert cloud.calls() == []


def test_deploy_sh_is_clean_under_shellcheck():
    result = subprocess.run(["shellcheck", "deploy.sh"], cwd=ROOT, capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "")
