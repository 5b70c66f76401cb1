"""deploy.sh --corrections against the fake gcloud: a private corrections bucket that deletes what it holds after
90 days, the function's account allowed to create objects there and nothing else, and CORRECTIONS_BUCKET set;
without the flag, none of it."""

import re

from tests.deploy.conftest import DEMO
from tests.deploy.test_deploy import FIRST_DEPLOY

ACCOUNT = "serviceAccount:digit-function@demo-project.iam.gserviceaccount.com"
SITE_BUCKET = "demo-project-digit-site"
LIFECYCLE = {"rule": [{"action": {"type": "Delete"}, "condition": {"age": 90}}]}


def corrections_calls(bucket: str, create: bool = True) -> list[str]:
    """What --corrections adds to a deploy, the lifecycle file's temporary path left as TMP."""
    calls = [f"storage buckets describe gs://{bucket} --project=demo-project --format=value(name)"]
    if create:
        calls.append(
            f"storage buckets create gs://{bucket} --project=demo-project --location=europe-west1 "
            "--uniform-bucket-level-access"
        )
    return calls + [
        f"storage buckets update gs://{bucket} --project=demo-project --lifecycle-file=TMP --public-access-prevention",
        f"storage buckets add-iam-policy-binding gs://{bucket} --project=demo-project --member={ACCOUNT} "
        "--role=roles/storage.objectCreator",
    ]


def expected_deploy(bucket: str, create: bool = True) -> list[str]:
    """A first deploy's calls with --corrections: its steps before the page's bucket and the function, which is
    told the bucket."""
    calls = [
        call + f",CORRECTIONS_BUCKET={bucket}" if call.startswith("functions deploy") else call for call in FIRST_DEPLOY
    ]
    at = calls.index(f"storage buckets describe gs://{SITE_BUCKET} --project=demo-project --format=value(name)")
    return calls[:at] + corrections_calls(bucket, create) + calls[at:]


def without_temporary_path(calls: list[str]) -> list[str]:
    return [re.sub(r"--lifecycle-file=\S+", "--lifecycle-file=TMP", call) for call in calls]


def test_corrections_get_a_private_bucket_that_forgets_and_that_the_function_may_only_write(cloud):
    result = cloud.deploy(*DEMO, "--corrections")

    assert result.returncode == 0, result.stderr
    assert without_temporary_path(cloud.calls()) == expected_deploy("demo-project-digit-corrections")
    assert cloud.state()["lifecycles"] == {"demo-project-digit-corrections": LIFECYCLE}


def test_a_bucket_named_for_corrections_turns_them_on_and_a_rerun_keeps_it(cloud):
    assert cloud.deploy(*DEMO, "--corrections-bucket", "fixes").returncode == 0
    assert without_temporary_path(cloud.calls()) == expected_deploy("fixes")

    assert cloud.deploy(*DEMO, "--corrections-bucket", "fixes").returncode == 0
    calls = without_temporary_path(cloud.calls())
    assert [call for call in calls if "gs://fixes" in call] == corrections_calls("fixes", create=False)
    assert cloud.state()["lifecycles"] == {"fixes": LIFECYCLE}  # applied again, as it was


def test_without_the_flag_nothing_of_corrections_is_done(cloud):
    assert cloud.deploy(*DEMO).returncode == 0
    assert not [call for call in cloud.calls() if "corrections" in call.lower()]


def test_a_dry_run_shows_the_lifecycle_rule_and_changes_nothing(cloud):
    result = cloud.deploy(*DEMO, "--corrections", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "lifecycles" not in cloud.state()
    assert (
        'the lifecycle file says: {"rule": [{"action": {"type": "Delete"}, "condition": {"age": 90}}]}'
        in result.stdout.splitlines()
    )
    printed = [line.removeprefix("+ gcloud ") for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert any(line.endswith("--role=roles/storage.objectCreator") for line in printed)
