"""deploy.sh against organisation policies that refuse public access, on the fake gcloud: read before anything
changes and stopping there, naming the policy and the ways out; where they cannot be read, the page's bucket
made public before the function is built, and its refusal explained; a refused invoker binding explained."""

import pytest

from tests.deploy.conftest import DEMO, changes

PAP = "storage.publicAccessPrevention"
DRS = "iam.allowedPolicyMemberDomains"
WAYS_OUT = (
    "Ways out: deploy to a project outside the policy, or ask an Organization Policy Administrator for an "
    'exception for demo-project (docs/deploying.md, "Organisation policies that stop it").'
)
WHY = {
    PAP: f"the organisation policy {PAP} refuses public access in demo-project: no bucket of demo-project may be "
    "public, so the page cannot be served from gs://demo-project-digit-site.",
    DRS: f"the organisation policy {DRS} refuses public access in demo-project: allUsers may hold no role in "
    "demo-project, so neither the page's bucket nor the function can be public.",
}
POLICIES = {PAP: {"public_access_prevention": True}, DRS: {"domain_restricted": True}}
PUBLIC_BINDING = (
    "storage buckets add-iam-policy-binding gs://demo-project-digit-site --project=demo-project --member=allUsers "
    "--role=roles/storage.objectViewer"
)


@pytest.mark.parametrize("policy", [PAP, DRS])
def test_a_policy_that_refuses_public_access_stops_the_deploy_before_any_change(cloud, policy):
    cloud.change(**POLICIES[policy])

    result = cloud.deploy(*DEMO)

    assert result.returncode == 1
    assert result.stderr == f"deploy.sh: {WHY[policy]} {WAYS_OUT} Nothing was changed.\n"
    assert changes(cloud.calls()) == []


@pytest.mark.parametrize("policy", [PAP, DRS])
def test_a_dry_run_reads_the_policies_too(cloud, policy):
    cloud.change(**POLICIES[policy])

    result = cloud.deploy(*DEMO, "--dry-run")

    assert result.returncode == 1
    assert f"deploy.sh: {WHY[policy]}" in result.stderr
    assert changes(cloud.calls()) == []


def test_policies_that_allow_public_access_are_said_to(cloud):
    assert cloud.deploy(*DEMO).returncode == 0
    reads = [call for call in cloud.calls() if call.startswith("org-policies")]
    assert reads == [
        f"org-policies describe {policy} --effective --project=demo-project --format=json" for policy in (PAP, DRS)
    ]


@pytest.mark.parametrize("policy", [PAP, DRS])
def test_where_the_policies_cannot_be_read_the_page_s_bucket_tells_before_the_build(cloud, policy):
    cloud.change(org_policies_unreadable=True, **POLICIES[policy])

    result = cloud.deploy(*DEMO)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        f"{PAP} could not be read (ERROR: (gcloud.org-policies.describe) PERMISSION_DENIED: Permission "
        f"'orgpolicy.policy.get' denied on resource '//cloudresourcemanager.googleapis.com/projects/123456789012/"
        f"policies/{PAP}' (or it may not exist).); the page's bucket is made public before the function is built, "
        "which tells."
    ) in lines
    calls = cloud.calls()
    assert calls[-1] == PUBLIC_BINDING  # the last call: nothing built
    assert not [call for call in calls if call.startswith("functions")]
    assert result.stderr.endswith(
        "\ndeploy.sh: this step failed: Creating the page's bucket gs://demo-project-digit-site, readable by "
        f"everyone.\n{WHY[policy]} {WAYS_OUT} The function has not been built.\n"
    )


def test_an_invoker_binding_refused_after_the_build_says_why_and_what_is_left(cloud):
    cloud.change(invoker_refused=True)

    result = cloud.deploy(*DEMO)

    assert result.returncode == 1
    assert "do not belong to a permitted customer, perhaps due to an organization policy.\n" in result.stderr
    assert result.stderr.endswith(
        "\ndeploy.sh: this step failed: Deploying function/ as the function digit, which takes a few minutes.\n"
        f"{WHY[DRS]} {WAYS_OUT} The function digit is deployed, but private until then: run deploy.sh again once "
        "it may be public.\n"
    )
    assert cloud.calls()[-1].startswith("functions deploy digit ")
    assert cloud.state()["functions"] == ["digit"]


def test_a_build_that_fails_keeps_the_step_s_own_remedy(cloud):
    result = cloud.deploy(*DEMO, fail_on="functions deploy")

    assert result.returncode == 1
    assert result.stderr.endswith(
        "\nThe messages above say why (the build log's link shows the rest); fix that and run deploy.sh again.\n"
    )
