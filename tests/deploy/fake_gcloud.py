"""A stand-in for the Google Cloud CLI, run as `gcloud` by tests/deploy.

It appends each call's arguments (one JSON list a line) to $FAKE_GCLOUD_LOG, and answers the calls deploy.sh
makes the way gcloud does, from a small cloud kept in the JSON file $FAKE_GCLOUD_STATE:
{"account": ..., "projects": [...], "buckets": [...], "functions": [...], "service_accounts": [...],
"objects": {"BUCKET/NAME": base64 of the content}}, "lifecycles": {BUCKET: the lifecycle file's rules},
"function_urls": {NAME: the URL to report for that function, instead of a made-up one}, and "iam": {RESOURCE
(a project id, or gs://BUCKET): {ROLE: [MEMBER, ...]}}.
A new project's manners, each off unless the state says otherwise, with the real CLI's texts:
- "iam_api_not_ready": N, the first N calls to the IAM API answer that it was enabled a moment ago;
- "new_account_lag": {"bindings": B, "describes": D}, each account created is unknown to its first B bindings
  and D describes;
- "public_access_prevention": true, no bucket may be public; "domain_restricted": true, allUsers may hold no
  role; "org_policies_unreadable": true, the caller may not read the organisation policies;
- "invoker_refused": true, `functions deploy --allow-unauthenticated` deploys, then the invoker binding is
  refused as domain-restricted sharing refuses it.
$FAKE_GCLOUD_FAIL_ON names a command (e.g. "functions deploy") that fails, as a failed build does. Anything
else it does not know fails loudly.
"""

import json
import os
import sys

from fake_identity import IDENTITY, delete_listed, error
from fake_storage import STORAGE

DRS_INVOKER = (
    "(gcloud.functions.deploy) FAILED_PRECONDITION: One or more users named in the policy do not belong to a "
    "permitted customer, perhaps due to an organization policy."
)


def deploy_function(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["functions"]:
        cloud["functions"].append(target)
    cloud.setdefault("deployed_with", {})[target] = flags
    print(f"Preparing function...done.\nDeploying function...done.\nname: {target}")
    if cloud.get("invoker_refused") and "allow-unauthenticated" in flags:
        return error(DRS_INVOKER)
    return 0


def describe_function(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["functions"]:
        return error(f"(gcloud.functions.describe) NOT_FOUND: Resource '{target}' was not found")
    if flags.get("format") == "value(name)":
        print(f"projects/{flags['project']}/locations/{flags['region']}/functions/{target}")
    elif flags.get("format") == "value(serviceConfig.uri)":
        print(cloud.get("function_urls", {}).get(target, f"https://{target}-h4x2k9q1ta-ew.a.run.app"))
    else:
        return error(f"the fake gcloud reports a function's name or URL only, not {flags.get('format')}", code=2)
    return 0


def delete_function(target: str, flags: dict[str, str], cloud: dict) -> int:
    return delete_listed(cloud, "functions", target, flags, "functions.delete", "no function named")


FUNCTIONS = {
    "functions deploy": deploy_function,
    "functions describe": describe_function,
    "functions delete": delete_function,
}
HANDLERS = {**IDENTITY, **STORAGE, **FUNCTIONS}
COMMANDS = sorted(HANDLERS, key=len, reverse=True)  # the longest first: "storage buckets create" before others


def main(args: list[str]) -> int:
    with open(os.environ["FAKE_GCLOUD_LOG"], "a") as log:
        log.write(json.dumps(args) + "\n")
    words = " ".join(arg for arg in args if not arg.startswith("-"))
    command = next((known for known in COMMANDS if words.startswith(known + " ") or words == known), None)
    if command is None:
        return error(f"the fake gcloud does not know: gcloud {' '.join(args)}", code=2)
    if command == os.environ.get("FAKE_GCLOUD_FAIL_ON"):
        return error(f"({command}) the fake gcloud was told to fail here")
    target = words[len(command) :].strip().removeprefix("gs://")
    if command in ("storage cp", "storage rsync"):  # sources and destination; cp's may include "-", standard input
        target = " ".join(arg for arg in args[2:] if arg == "-" or not arg.startswith("-"))
    flags = dict(arg[2:].split("=", 1) for arg in args if arg.startswith("--") and "=" in arg)
    flags |= {arg[2:]: "" for arg in args if arg.startswith("--") and "=" not in arg}  # switches, such as --recursive

    with open(os.environ["FAKE_GCLOUD_STATE"]) as file:
        cloud = json.load(file)
    status = HANDLERS[command](target, flags, cloud)
    with open(os.environ["FAKE_GCLOUD_STATE"], "w") as file:
        json.dump(cloud, file)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
