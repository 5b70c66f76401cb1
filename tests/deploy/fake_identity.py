"""The fake gcloud's accounts, projects, APIs and policies (fake_gcloud.py): login, the project and its IAM
policy, service accounts, and organisation policies, with a new project's manners."""

import json
import sys

PROJECT_NUMBER = "123456789012"
API_NOT_READY = (
    "PERMISSION_DENIED: Identity and Access Management (IAM) API has not been used in project {number} before "
    "or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/iam.googleapis.com/"
    "overview?project={number} then retry. If you enabled this API recently, wait a few minutes for the action "
    "to propagate to our systems and retry."
)
DOMAIN_RESTRICTION = "iam.allowedPolicyMemberDomains"
PUBLIC_ACCESS_PREVENTION = "storage.publicAccessPrevention"


def error(message: str, code: int = 1) -> int:
    print(f"ERROR: {message}", file=sys.stderr)
    return code


def email_of(member: str) -> str:
    return member.removeprefix("serviceAccount:")


def binding_refused(cloud: dict, member: str) -> bool:
    """Whether a binding naming `member` is one of the first that a new account is unknown to (which it counts)."""
    lag = cloud.get("unknown_to", {}).get(email_of(member), {})
    if lag.get("bindings", 0) > 0:
        lag["bindings"] -= 1
        return True
    return False


def add_binding(cloud: dict, resource: str, member: str, role: str) -> None:
    members = cloud.setdefault("iam", {}).setdefault(resource, {}).setdefault(role, [])
    if member not in members:
        members.append(member)


def remove_binding(cloud: dict, resource: str, member: str, role: str) -> bool:
    """Removes the binding; False when there was none."""
    members = cloud.get("iam", {}).get(resource, {}).get(role, [])
    if member not in members:
        return False
    members.remove(member)
    return True


def print_policy(cloud: dict, resource: str) -> None:
    """The IAM policy as get-iam-policy --format=json prints it."""
    roles = cloud.get("iam", {}).get(resource, {})
    bindings = [{"members": sorted(members), "role": role} for role, members in sorted(roles.items()) if members]
    print(json.dumps({"bindings": bindings, "etag": "BwYfake=", "version": 1}, indent=2))


def delete_listed(cloud: dict, listed: str, target: str, flags: dict[str, str], command: str, unknown: str) -> int:
    """A deletion that gcloud would ask about first: refused without --quiet, since the fake answers no prompt;
    NOT_FOUND (saying `unknown`) when `target` is not in the cloud's `listed`."""
    if "quiet" not in flags:
        return error(f"the fake gcloud cannot answer the prompt of {command}: pass --quiet", code=2)
    if target not in cloud[listed]:
        return error(f"(gcloud.{command}) NOT_FOUND: {unknown} {target}")
    cloud[listed].remove(target)
    print(f"Deleted [{target}].", file=sys.stderr)
    return 0


def auth_list(target: str, flags: dict[str, str], cloud: dict) -> int:
    if cloud["account"]:
        print(cloud["account"])
    return 0


def describe_project(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["projects"]:
        return error(
            f"(gcloud.projects.describe) [{cloud['account']}] does not have permission to access projects "
            f"instance [{target}] (or it may not exist)"
        )
    print(target)
    return 0


def enable_services(target: str, flags: dict[str, str], cloud: dict) -> int:
    print("Operation finished successfully.", file=sys.stderr)
    return 0


def project_policy(target: str, flags: dict[str, str], cloud: dict) -> int:
    if flags.get("format") != "json":
        return error("the fake gcloud prints IAM policies as JSON only", code=2)
    print_policy(cloud, target)
    return 0


def bind_project(target: str, flags: dict[str, str], cloud: dict) -> int:
    if binding_refused(cloud, flags["member"]):
        email = email_of(flags["member"])
        return error(
            f"(gcloud.projects.add-iam-policy-binding) INVALID_ARGUMENT: Service account {email} does not exist."
        )
    add_binding(cloud, target, flags["member"], flags["role"])
    print(f"Updated IAM policy for project [{target}].", file=sys.stderr)
    return 0


def unbind_project(target: str, flags: dict[str, str], cloud: dict) -> int:
    if not remove_binding(cloud, target, flags["member"], flags["role"]):
        return error("Policy binding with the specified principal, role, and condition not found!")
    print(f"Updated IAM policy for project [{target}].", file=sys.stderr)
    return 0


def iam_api_ready(cloud: dict, command: str) -> bool:
    """False for the first calls after the IAM API was enabled, as many as the state says (which it counts)."""
    if cloud.get("iam_api_not_ready", 0) > 0:
        cloud["iam_api_not_ready"] -= 1
        error(f"(gcloud.iam.service-accounts.{command}) " + API_NOT_READY.format(number=PROJECT_NUMBER))
        return False
    return True


def describe_account(target: str, flags: dict[str, str], cloud: dict) -> int:
    if not iam_api_ready(cloud, "describe"):
        return 1
    lag = cloud.get("unknown_to", {}).get(target, {})
    if target not in cloud["service_accounts"] or lag.get("describes", 0) > 0:
        lag["describes"] = max(lag.get("describes", 0) - 1, 0)
        return error(f"(gcloud.iam.service-accounts.describe) NOT_FOUND: Unknown service account {target}")
    if flags.get("format") != "none":
        print(target)
    return 0


def create_account(target: str, flags: dict[str, str], cloud: dict) -> int:
    if not iam_api_ready(cloud, "create"):
        return 1
    email = f"{target}@{flags['project']}.iam.gserviceaccount.com"
    if email in cloud["service_accounts"]:
        return error(
            f"(gcloud.iam.service-accounts.create) Resource in projects [{flags['project']}] is the subject of a "
            f"conflict: Service account {target} already exists within project projects/{flags['project']}."
        )
    cloud["service_accounts"].append(email)
    cloud.setdefault("unknown_to", {})[email] = dict(cloud.get("new_account_lag", {}))
    print(f"Created service account [{target}].", file=sys.stderr)
    return 0


def delete_account(target: str, flags: dict[str, str], cloud: dict) -> int:
    if not iam_api_ready(cloud, "delete"):
        return 1
    return delete_listed(
        cloud, "service_accounts", target, flags, "iam.service-accounts.delete", "Unknown service account"
    )


def describe_org_policy(target: str, flags: dict[str, str], cloud: dict) -> int:
    """The effective policy, as the v2 API gives it: a boolean constraint enforced or not, a list constraint
    allowing all values or listed customers only."""
    name = f"projects/{PROJECT_NUMBER}/policies/{target}"
    if "effective" not in flags or flags.get("format") != "json":
        return error("the fake gcloud describes effective policies as JSON only", code=2)
    if cloud.get("org_policies_unreadable"):
        return error(
            f"(gcloud.org-policies.describe) PERMISSION_DENIED: Permission 'orgpolicy.policy.get' denied on "
            f"resource '//cloudresourcemanager.googleapis.com/{name}' (or it may not exist)."
        )
    if target == PUBLIC_ACCESS_PREVENTION:
        rule = {"enforce": bool(cloud.get("public_access_prevention"))}
    elif target == DOMAIN_RESTRICTION:
        rule = {"values": {"allowedValues": ["is:C03xyz123"]}} if cloud.get("domain_restricted") else {"allowAll": True}
    else:
        return error(f"the fake gcloud knows no constraint {target}", code=2)
    print(json.dumps({"name": name, "spec": {"rules": [rule]}}, indent=2))
    return 0


IDENTITY = {
    "auth list": auth_list,
    "projects describe": describe_project,
    "projects get-iam-policy": project_policy,
    "projects add-iam-policy-binding": bind_project,
    "projects remove-iam-policy-binding": unbind_project,
    "services enable": enable_services,
    "iam service-accounts describe": describe_account,
    "iam service-accounts create": create_account,
    "iam service-accounts delete": delete_account,
    "org-policies describe": describe_org_policy,
}
