"""deploy.sh on a new project, against the fake gcloud answering as one does (conftest.py): an IAM API just
enabled, accounts just created and unknown to their first bindings, waited for with each wait printed; a build
account of the function's own granted the build's roles before the build; a rerun that creates nothing; waits
that run out; and a dry run that waits for nothing."""

from tests.deploy.conftest import DEMO, changes
from tests.deploy.test_deploy import CREATIONS, FIRST_DEPLOY

NEW_PROJECT = {"iam_api_not_ready": 2, "new_account_lag": {"bindings": 2, "describes": 1}}
BUILD_ACCOUNT = "digit-build@demo-project.iam.gserviceaccount.com"
BUILD_ROLES = ["roles/artifactregistry.writer", "roles/logging.logWriter", "roles/storage.objectViewer"]
API = "an API enabled a moment ago is not ready yet"
ACCOUNT = "a service account created a moment ago is not known everywhere yet"


def waits(*reasons_and_counts: tuple[str, int]) -> list[str]:
    """The lines of waits that grow from the tests' first wait of 0.01 s, one series per (reason, count)."""
    seconds = ["0.01", "0.02", "0.04", "0.06", "0.09", "0.12"]
    return [
        f"waiting {seconds[i]} s before trying again: {reason}"
        for reason, count in reasons_and_counts
        for i in range(count)
    ]


def test_a_new_project_is_waited_for_and_the_build_gets_an_account_of_its_own(cloud):
    cloud.change(**NEW_PROJECT)

    result = cloud.deploy(*DEMO)

    assert result.returncode == 0, result.stderr
    printed = [line for line in result.stdout.splitlines() if line.startswith("waiting")]
    # The IAM API twice; each account's describe once after its creation; the weights' binding, which names
    # the function's account, twice; the build's first project role twice.
    assert printed == waits((API, 2), (ACCOUNT, 1), (ACCOUNT, 1), (ACCOUNT, 2), (ACCOUNT, 2))
    calls = cloud.calls()
    assert [call for i, call in enumerate(calls) if i == 0 or call != calls[i - 1]] == FIRST_DEPLOY  # tried again
    state = cloud.state()
    assert state["service_accounts"] == ["digit-function@demo-project.iam.gserviceaccount.com", BUILD_ACCOUNT]
    member = f"serviceAccount:{BUILD_ACCOUNT}"
    assert sorted(role for role, members in state["iam"]["demo-project"].items() if member in members) == BUILD_ROLES
    granted = max(i for i, call in enumerate(calls) if call.startswith("projects add-iam-policy-binding"))
    built = next(i for i, call in enumerate(calls) if call.startswith("functions deploy"))
    assert granted < built
    assert (
        state["deployed_with"]["digit"]["build-service-account"]
        == f"projects/demo-project/serviceAccounts/{BUILD_ACCOUNT}"
    )


def test_a_rerun_on_the_new_project_creates_nothing_and_waits_for_nothing(cloud):
    cloud.change(**NEW_PROJECT)
    assert cloud.deploy(*DEMO).returncode == 0
    cloud.calls()

    result = cloud.deploy(*DEMO)

    assert result.returncode == 0, result.stderr
    assert not [call for call in cloud.calls() if call.startswith(CREATIONS)]
    assert "waiting" not in result.stdout


def test_waits_that_run_out_stop_the_step_saying_what_is_still_propagating(cloud):
    cloud.change(iam_api_not_ready=100)

    result = cloud.deploy(*DEMO)

    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("waiting")] == waits((API, 6))
    assert result.stderr.endswith(
        "\ndeploy.sh: this step failed: Giving the function a service account of its own, "
        "digit-function@demo-project.iam.gserviceaccount.com.\n"
        f"Google Cloud still answers that {API}, after 0.34 s of waiting: wait a few minutes, then run deploy.sh "
        "again.\n"
    )
    assert "If you enabled this API recently" in result.stderr  # gcloud's own words, shown once
    calls = cloud.calls()
    assert calls[-1].startswith("iam service-accounts describe") and calls.count(calls[-1]) == 7
    assert not [call for call in changes(calls) if call.startswith(("iam", "functions"))]


def test_a_failure_that_is_not_a_new_project_s_is_not_waited_for(cloud):
    cloud.change(**NEW_PROJECT)

    result = cloud.deploy(*DEMO, fail_on="iam service-accounts create")

    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("waiting")] == waits((API, 2))
    assert [call for call in cloud.calls() if call.startswith("iam service-accounts create")] == [
        "iam service-accounts create digit-function --project=demo-project "
        "--display-name=Digit function: reads gs://demo-project-digit-weights"
    ]
    assert "You need the Service Account Admin role in demo-project to create it.\n" in result.stderr


def test_an_account_that_exists_after_all_is_taken_as_it_is(cloud):
    # Its describe does not know it yet (as just after the IAM API was enabled); create says it exists.
    cloud.change(
        service_accounts=["digit-function@demo-project.iam.gserviceaccount.com"],
        unknown_to={"digit-function@demo-project.iam.gserviceaccount.com": {"describes": 1}},
    )

    result = cloud.deploy(*DEMO)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "digit-function@demo-project.iam.gserviceaccount.com exists after all: it was created a moment ago." in lines
    assert "Service account digit-function already exists within project projects/demo-project." in result.stderr


def test_a_dry_run_on_a_new_project_waits_for_nothing_and_changes_nothing(cloud):
    cloud.change(iam_api_not_ready=100)

    result = cloud.deploy(*DEMO, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "waiting" not in result.stdout
    printed = [line.removeprefix("+ gcloud ") for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert [line for line in printed if line.startswith("iam service-accounts create")] == [
        "iam service-accounts create digit-function --project=demo-project "
        "--display-name=Digit function: reads gs://demo-project-digit-weights",
        "iam service-accounts create digit-build --project=demo-project "
        "--display-name=Digit build: builds the function digit",
    ]
    assert changes(cloud.calls()) == []


def test_the_first_wait_is_read_from_the_environment_and_refused_when_it_is_no_number(cloud):
    result = cloud.deploy(*DEMO, wait="soon")

    assert result.returncode == 2
    assert result.stderr.startswith(
        "deploy.sh: DIGIT_DEPLOY_WAIT_SECONDS must be a number of seconds such as 5 or 0.5, not 'soon'\n"
    )
    assert cloud.calls() == []
