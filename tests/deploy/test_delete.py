"""./deploy.sh delete against the fake gcloud: after a deploy with --corrections it leaves only the corrections
bucket (and that too with --with-corrections), in the order that keeps nothing dangling; a second run finds
nothing; without --yes it asks on the terminal, and refuses without one; --dry-run removes nothing; buckets and
a function named at deploy are named again."""

import os
import pty

import pytest

from tests.deploy.conftest import DEMO, PROJECT_AND_REGION, VERSION, changes

DELETE = ["delete", *PROJECT_AND_REGION]
FUNCTION_ACCOUNT = "digit-function@demo-project.iam.gserviceaccount.com"
BUILD_ACCOUNT = "digit-build@demo-project.iam.gserviceaccount.com"
REMOVALS = f"""
functions delete digit --gen2 --project=demo-project --region=europe-west1 --quiet
storage rm --recursive --all-versions gs://demo-project-digit-site --project=demo-project
storage rm --recursive --all-versions gs://demo-project-digit-weights --project=demo-project
storage buckets remove-iam-policy-binding gs://demo-project-digit-corrections --project=demo-project --member=serviceAccount:{FUNCTION_ACCOUNT} --role=roles/storage.objectCreator
iam service-accounts delete {FUNCTION_ACCOUNT} --project=demo-project --quiet
projects remove-iam-policy-binding demo-project --member=serviceAccount:{BUILD_ACCOUNT} --role=roles/artifactregistry.writer --condition=None --format=none
projects remove-iam-policy-binding demo-project --member=serviceAccount:{BUILD_ACCOUNT} --role=roles/logging.logWriter --condition=None --format=none
projects remove-iam-policy-binding demo-project --member=serviceAccount:{BUILD_ACCOUNT} --role=roles/storage.objectViewer --condition=None --format=none
iam service-accounts delete {BUILD_ACCOUNT} --project=demo-project --quiet
""".strip().splitlines()  # noqa: E501


@pytest.fixture
def deployed(cloud):
    """The fake cloud after a deploy with corrections, and a correction stored."""
    assert cloud.deploy(*DEMO, "--corrections").returncode == 0, "the deploy failed"
    objects = {**cloud.state()["objects"], "demo-project-digit-corrections/7/a.json": "e30="}
    cloud.change(objects=objects)
    cloud.calls()
    return cloud


def members(cloud) -> set[str]:
    """Every member of every IAM policy in the fake cloud."""
    return {member for policy in cloud.state().get("iam", {}).values() for group in policy.values() for member in group}


def test_delete_leaves_only_the_corrections_bucket_and_its_corrections(deployed):
    result = deployed.deploy(*DELETE, "--yes")

    assert result.returncode == 0, result.stderr
    assert changes(deployed.calls()) == REMOVALS
    state = deployed.state()
    assert (state["buckets"], state["functions"], state["service_accounts"]) == (
        ["demo-project-digit-corrections"],
        [],
        [],
    )
    assert list(state["objects"]) == ["demo-project-digit-corrections/7/a.json"]
    assert members(deployed) == set()
    assert result.stdout.endswith("\nRemoved from demo-project what deploy.sh made.\n")


def test_delete_lists_what_it_removes_and_what_it_keeps(deployed):
    result = deployed.deploy(*DELETE, "--yes")

    listed = result.stdout.split("\nTo remove:\n")[1].split("\n\n")[0].splitlines()
    assert listed == [
        "  the function digit in europe-west1, and everyone's right to call it",
        "  gs://demo-project-digit-site, the page's bucket, and the page in it",
        "  gs://demo-project-digit-weights, the weights' bucket, and every model version in it: " + VERSION,
        f"  roles/storage.objectCreator on gs://demo-project-digit-corrections, held by {FUNCTION_ACCOUNT}",
        f"  {FUNCTION_ACCOUNT}, the function's service account",
        f"  roles/artifactregistry.writer on the project, held by {BUILD_ACCOUNT}",
        f"  roles/logging.logWriter on the project, held by {BUILD_ACCOUNT}",
        f"  roles/storage.objectViewer on the project, held by {BUILD_ACCOUNT}",
        f"  {BUILD_ACCOUNT}, the build's service account",
        "Kept:",
        "  gs://demo-project-digit-corrections, the corrections bucket, and the corrections in it "
        "(--with-corrections removes it)",
    ]


def test_a_second_delete_finds_nothing_and_succeeds(deployed):
    assert deployed.deploy(*DELETE, "--yes").returncode == 0
    deployed.calls()

    second = deployed.deploy(*DELETE, "--yes")

    assert second.returncode == 0, second.stderr
    assert changes(deployed.calls()) == []
    assert second.stdout.endswith(
        "\nNothing that deploy.sh makes is left to remove in demo-project.\n"
        "Kept: gs://demo-project-digit-corrections, the corrections bucket, and the corrections in it "
        "(--with-corrections removes it)\n"
    )


def test_with_corrections_the_corrections_bucket_goes_too(deployed):
    result = deployed.deploy(*DELETE, "--yes", "--with-corrections")

    assert result.returncode == 0, result.stderr
    assert changes(deployed.calls())[3] == (
        "storage rm --recursive --all-versions gs://demo-project-digit-corrections --project=demo-project"
    )
    state = deployed.state()
    assert (state["buckets"], state["objects"], state["service_accounts"]) == ([], {}, [])


def test_without_yes_and_without_a_terminal_it_refuses_and_removes_nothing(deployed):
    before = deployed.state()

    deployed.assert_refused(
        DELETE,
        "delete asks before it removes anything, and there is no terminal to ask on: pass --yes (--dry-run lists "
        "what it would remove). Nothing was removed.",
    )
    assert deployed.state() == before


def test_a_dry_run_removes_nothing_and_prints_every_removal(deployed):
    before = deployed.state()

    result = deployed.deploy(*DELETE, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert changes(deployed.calls()) == []
    assert deployed.state() == before
    printed = [line.removeprefix("+ gcloud ") for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert printed == REMOVALS
    assert result.stdout.endswith("\nDry run: nothing was changed.\n")


def on_a_terminal(cloud, answer: str):
    """./deploy.sh delete with a terminal as its input, on which `answer` is typed."""
    primary, secondary = pty.openpty()
    try:
        os.write(primary, f"{answer}\n".encode())
        return cloud.deploy(*DELETE, stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)


def test_on_a_terminal_it_asks_and_yes_removes(deployed):
    result = on_a_terminal(deployed, "yes")

    assert result.returncode == 0, result.stderr
    assert "Remove all of this from demo-project? Type yes to go on: " in result.stderr
    assert changes(deployed.calls()) == REMOVALS


def test_on_a_terminal_anything_but_yes_removes_nothing(deployed):
    before = deployed.state()

    result = on_a_terminal(deployed, "y")

    assert result.returncode == 1
    assert result.stderr.endswith("deploy.sh: you did not type yes: nothing was removed.\n")
    assert changes(deployed.calls()) == []
    assert deployed.state() == before


def test_names_given_at_deploy_are_given_to_delete(cloud):
    names = ["--bucket", "w8", "--site-bucket", "page", "--function", "reader", "--corrections-bucket", "fixes"]
    assert cloud.deploy(*DEMO, *names).returncode == 0

    result = cloud.deploy(*DELETE, *names, "--yes", "--with-corrections")

    assert result.returncode == 0, result.stderr
    state = cloud.state()
    assert (state["buckets"], state["functions"], state["service_accounts"], state["objects"]) == ([], [], [], {})
    assert members(cloud) == set()


def test_on_a_project_without_a_deploy_there_is_nothing_to_remove(cloud):
    result = cloud.deploy(*DELETE, "--yes")

    assert result.returncode == 0, result.stderr
    assert changes(cloud.calls()) == []
    assert result.stdout.endswith("\nNothing that deploy.sh makes is left to remove in demo-project.\n")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            [*DELETE, "--memory", "1Gi"],
            "delete takes --project, --region, --function, the buckets' names, --yes, --with-corrections and "
            "--dry-run only",
        ),
        (["delete", "--project", "demo-project", "--yes"], "--region is required"),
        ([*DEMO, "--yes"], "--yes and --with-corrections are delete's only"),
        ([*DEMO, "--with-corrections"], "--yes and --with-corrections are delete's only"),
    ],
)
def test_delete_s_flags_and_deploy_s_are_kept_apart(cloud, flags, message):
    cloud.assert_refused(flags, message)
