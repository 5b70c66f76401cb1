"""deploy.sh's full deploy, against the fake gcloud (conftest.py): what a first deploy runs, what a second one
leaves alone, that --dry-run changes nothing, how a failing step, a missing gcloud, login or project end it;
and shellcheck. (Its flags: test_deploy_flags.py; a new project: test_deploy_new_project.py; organisation
policies: test_deploy_public.py; its model-version commands: test_deploy_versions.py; delete: test_delete.py.)"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import SITE, WEIGHTS
from digit.deployment import THREADS
from local import page
from tests.deploy.conftest import DEMO, ROOT, VERSION, FakeCloud, changes
from tests.helpers import files_of

# Every gcloud call of a first deploy of the project demo-project, in order, its arguments joined by spaces.
CALLS = """
auth list --filter=status:ACTIVE --format=value(account)
projects describe demo-project --format=value(projectId)
org-policies describe storage.publicAccessPrevention --effective --project=demo-project --format=json
org-policies describe iam.allowedPolicyMemberDomains --effective --project=demo-project --format=json
services enable cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com artifactregistry.googleapis.com logging.googleapis.com storage.googleapis.com iam.googleapis.com --project=demo-project
storage buckets describe gs://demo-project-digit-weights --project=demo-project --format=value(name)
storage buckets create gs://demo-project-digit-weights --project=demo-project --location=europe-west1 --uniform-bucket-level-access
storage cp weights/model.weights.h5 weights/model.json gs://demo-project-digit-weights/models/{VERSION}/ --project=demo-project
storage objects describe gs://demo-project-digit-weights/models/live.json --project=demo-project --format=value(name)
storage cp - gs://demo-project-digit-weights/models/live.json --project=demo-project
iam service-accounts describe digit-function@demo-project.iam.gserviceaccount.com --project=demo-project --format=none
iam service-accounts create digit-function --project=demo-project --display-name=Digit function: reads gs://demo-project-digit-weights
iam service-accounts describe digit-function@demo-project.iam.gserviceaccount.com --project=demo-project --format=none
iam service-accounts describe digit-build@demo-project.iam.gserviceaccount.com --project=demo-project --format=none
iam service-accounts create digit-build --project=demo-project --display-name=Digit build: builds the function digit
iam service-accounts describe digit-build@demo-project.iam.gserviceaccount.com --project=demo-project --format=none
storage buckets add-iam-policy-binding gs://demo-project-digit-weights --project=demo-project --member=serviceAccount:digit-function@demo-project.iam.gserviceaccount.com --role=roles/storage.objectViewer
projects add-iam-policy-binding demo-project --member=serviceAccount:digit-build@demo-project.iam.gserviceaccount.com --role=roles/logging.logWriter --condition=None --format=none
projects add-iam-policy-binding demo-project --member=serviceAccount:digit-build@demo-project.iam.gserviceaccount.com --role=roles/artifactregistry.writer --condition=None --format=none
projects add-iam-policy-binding demo-project --member=serviceAccount:digit-build@demo-project.iam.gserviceaccount.com --role=roles/storage.objectViewer --condition=None --format=none
storage buckets describe gs://demo-project-digit-site --project=demo-project --format=value(name)
storage buckets create gs://demo-project-digit-site --project=demo-project --location=europe-west1 --uniform-bucket-level-access
storage buckets update gs://demo-project-digit-site --project=demo-project --web-main-page-suffix=index.html
storage buckets add-iam-policy-binding gs://demo-project-digit-site --project=demo-project --member=allUsers --role=roles/storage.objectViewer
functions deploy digit --gen2 --project=demo-project --region=europe-west1 --runtime=python312 --source=function --entry-point=predict --trigger-http --allow-unauthenticated --service-account=digit-function@demo-project.iam.gserviceaccount.com --build-service-account=projects/demo-project/serviceAccounts/digit-build@demo-project.iam.gserviceaccount.com --memory=512Mi --cpu=1 --concurrency=8 --min-instances=0 --max-instances=3 --set-env-vars=WEIGHTS_BUCKET=demo-project-digit-weights,WEIGHTS_PREFIX=models/,ALLOWED_ORIGINS=https://storage.googleapis.com,THREADS=8
functions describe digit --gen2 --project=demo-project --region=europe-west1 --format=value(serviceConfig.uri)
storage rsync TMP/site gs://demo-project-digit-site --recursive --delete-unmatched-destination-objects --cache-control=no-cache --project=demo-project
"""  # noqa: E501
FIRST_DEPLOY = CALLS.format(VERSION=VERSION).strip().splitlines()
CREATIONS = ("storage buckets create", "iam service-accounts create", "storage cp - ")
FUNCTION_URL = "https://digit-h4x2k9q1ta-ew.a.run.app"  # what the fake reports for a function named digit
POINTER = "demo-project-digit-weights/models/live.json"


def test_a_first_deploy_runs_every_step_in_order(cloud):
    result = cloud.deploy(*DEMO)

    assert result.returncode == 0, result.stderr
    assert cloud.calls() == FIRST_DEPLOY
    for name in ("model.weights.h5", "model.json"):
        assert cloud.object(f"demo-project-digit-weights/models/{VERSION}/{name}") == (WEIGHTS / name).read_bytes()
    pointer = json.loads(cloud.object(POINTER))
    assert pointer.pop("set_at") > "2026"
    assert pointer == {"version": VERSION, "history": []}
    assert result.stdout.endswith(
        "\nDigit is deployed.\n"
        "  page      https://storage.googleapis.com/demo-project-digit-site/index.html\n"
        f"  function  {FUNCTION_URL}\n"
    )


def site_bucket(cloud: FakeCloud) -> dict[str, bytes]:
    """The site bucket's objects, by name."""
    names = [name for name in cloud.state()["objects"] if name.startswith("demo-project-digit-site/")]
    return {name.split("/", 1)[1]: cloud.object(name) for name in names}


def test_the_page_is_published_as_the_demo_serves_it_and_the_checkout_is_left_alone(cloud, tmp_path):
    site = files_of(cloud.checkout / "site")

    assert cloud.deploy(*DEMO).returncode == 0

    # site/'s files but package.json, and the function's URL in config.js, staged by local/page.py.
    assert site_bucket(cloud) == files_of(page.stage_site(tmp_path / "staged", FUNCTION_URL, SITE))
    assert "package.json" in site and "package.json" not in site_bucket(cloud)
    assert site_bucket(cloud)["config.js"].decode() == page.site_config(FUNCTION_URL)
    assert files_of(cloud.checkout / "site") == site  # nothing written into the checkout
    assert list(cloud.tmp.iterdir()) == []  # the staged copy is removed


def test_what_the_page_no_longer_has_is_removed_from_the_bucket(cloud):
    (cloud.checkout / "site" / "old.js").write_text("export const gone = true;\n")
    assert cloud.deploy(*DEMO).returncode == 0
    assert "old.js" in site_bucket(cloud)

    (cloud.checkout / "site" / "old.js").unlink()
    assert cloud.deploy(*DEMO).returncode == 0

    assert "old.js" not in site_bucket(cloud) and "index.html" in site_bucket(cloud)


def rerun(calls: list[str]) -> list[str]:
    """A first deploy's `calls` as a second deploy makes them: without the creations, nor the describe that
    waits for a service account just created."""
    after_creation = {i + 1 for i, call in enumerate(calls) if call.startswith("iam service-accounts create")}
    return [call for i, call in enumerate(calls) if not call.startswith(CREATIONS) and i not in after_creation]


def test_a_second_deploy_keeps_the_buckets_and_the_service_accounts_and_updates_the_rest(cloud):
    assert cloud.deploy(*DEMO).returncode == 0
    cloud.calls()

    result = cloud.deploy(*DEMO)

    assert result.returncode == 0
    expected = rerun(FIRST_DEPLOY)
    read_pointer = f"storage cat gs://{POINTER} --project=demo-project"
    expected.insert(
        expected.index(f"storage objects describe gs://{POINTER} --project=demo-project --format=value(name)") + 1,
        read_pointer,
    )
    assert cloud.calls() == expected
    assert f"{VERSION} is live already." in result.stdout.splitlines()
    assert "gs://demo-project-digit-weights exists." in result.stdout.splitlines()
    assert "digit-function@demo-project.iam.gserviceaccount.com exists." in result.stdout.splitlines()
    assert "digit-build@demo-project.iam.gserviceaccount.com exists." in result.stdout.splitlines()
    assert "waiting" not in result.stdout


def test_a_dry_run_changes_nothing_and_prints_every_change_a_deploy_makes(cloud):
    dry_run = cloud.deploy(*DEMO, "--dry-run")

    assert dry_run.returncode == 0
    assert changes(cloud.calls()) == []
    assert not (cloud.checkout / "site" / "config.js").exists()
    assert 'config.js says: export const API_URL = "<the function\'s URL>";' in dry_run.stdout.splitlines()
    printed = [
        cloud.without_temporary_folder(line.removeprefix("+ gcloud "))
        for line in dry_run.stdout.splitlines()
        if line.startswith("+ ")
    ]
    pointer = f'<<< {{"version": "{VERSION}", "history": [], "set_at": "'
    assert [line.split(" <<< ")[0] for line in printed] == changes(FIRST_DEPLOY)
    assert pointer in next(line for line in printed if line.startswith("storage cp - "))
    assert dry_run.stdout.endswith("\nDry run: nothing was changed.\n")


def test_every_flag_reaches_the_commands(cloud):
    flags = ["--bucket", "w8", "--site-bucket", "page", "--function", "reader", "--runtime", "python313"]
    flags += ["--memory", "2Gi", "--cpu", "2", "--concurrency", "4", "--min-instances", "1", "--max-instances", "5"]
    what_changes = {
        "demo-project-digit-weights": "w8",
        "demo-project-digit-site": "page",
        "digit --gen2": "reader --gen2",
        "digit-function": "reader-function",
        "digit-build": "reader-build",
        "the function digit": "the function reader",
        "python312": "python313",
        "memory=512Mi": "memory=2Gi",
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
            "Creating the weights bucket gs://demo-project-digit-weights",
            "Bucket names are global",
        ),
        (
            "storage cp",
            f"Publishing weights/ as the model version {VERSION}, in gs://demo-project-digit-weights/models/{VERSION}/",
            "Check that you may write to gs://demo-project-digit-weights",
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
        (
            "projects add-iam-policy-binding",
            "Letting the build's service account write the build's logs and image and read its source in demo-project",
            "You need permission to change the project's IAM policy (Project IAM Admin).",
        ),
        (
            "storage buckets update",
            "Creating the page's bucket gs://demo-project-digit-site, readable by everyone",
            "Bucket names are global",
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
    cloud.change(**cloud_state)

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


def only(folder: Path, *commands: str) -> str:
    """A PATH with `commands` alone (python3 the tests' own Python)."""
    folder.mkdir()
    for command in commands:
        (folder / command).symlink_to(sys.executable if command == "python3" else shutil.which(command))
    return str(folder)


def test_a_missing_gcloud_is_reported_before_anything_runs(cloud, tmp_path):
    result = cloud.deploy(*DEMO, path=only(tmp_path / "path", "dirname", "python3"))  # what deploy.sh needs first

    assert result.returncode == 1
    assert result.stderr == (
        "deploy.sh: gcloud is not installed: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install).\n"
    )


def test_a_missing_python3_is_reported_before_anything_runs(cloud, tmp_path):
    result = cloud.deploy(*DEMO, path=only(tmp_path / "path", "dirname"))

    assert result.returncode == 1
    assert result.stderr == (
        "deploy.sh: python3 is not installed: deploy.sh asks the function's Python what it shares with it, and reads "
        "JSON with it.\n"
    )


def test_help_shows_the_usage(cloud):
    result = cloud.deploy("--help")

    assert result.returncode == 0
    assert result.stdout.startswith("Usage: ./deploy.sh --project PROJECT --region REGION [options]\n")
    assert f"(default: {THREADS})" in result.stdout  # the concurrency, as the function's Python sets it
    assert cloud.calls() == []


def test_deploy_sh_and_each_of_its_parts_are_clean_under_shellcheck():
    parts = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "deploy").glob("*.sh"))
    assert len(parts) >= 9
    result = subprocess.run(
        ["shellcheck", "--external-sources", "deploy.sh", *parts], cwd=ROOT, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout) == (0, "")
