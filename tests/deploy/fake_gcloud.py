"""A stand-in for the Google Cloud CLI, run as `gcloud` by tests/deploy/test_deploy.py.

It appends each call's arguments (one JSON list a line) to $FAKE_GCLOUD_LOG, and answers the calls deploy.sh
makes the way gcloud does, from a small cloud kept in the JSON file $FAKE_GCLOUD_STATE:
{"account": ..., "projects": [...], "buckets": [...], "functions": [...], "service_accounts": [...]}.
$FAKE_GCLOUD_FAIL_ON names a command (e.g. "functions deploy") that fails, as a failed build does. Anything
else it does not know fails loudly.
"""

import json
import os
import sys

COMMANDS = [
    "auth list",
    "projects describe",
    "services enable",
    "storage buckets describe",
    "storage buckets create",
    "storage buckets update",
    "storage buckets add-iam-policy-binding",
    "storage cp",
    "storage rsync",
    "functions deploy",
    "functions describe",
    "iam service-accounts describe",
    "iam service-accounts create",
]


def main(args: list[str]) -> int:
    with open(os.environ["FAKE_GCLOUD_LOG"], "a") as log:
        log.write(json.dumps(args) + "\n")
    words = " ".join(arg for arg in args if not arg.startswith("-"))
    command = next((known for known in COMMANDS if words.startswith(known)), None)
    if command is None:
        return error(f"the fake gcloud does not know: gcloud {' '.join(args)}", code=2)
    if command == os.environ.get("FAKE_GCLOUD_FAIL_ON"):
        return error(f"({command}) the fake gcloud was told to fail here")
    target = words[len(command) :].strip().removeprefix("gs://")
    flags = dict(arg[2:].split("=", 1) for arg in args if arg.startswith("--") and "=" in arg)

    with open(os.environ["FAKE_GCLOUD_STATE"]) as file:
        cloud = json.load(file)
    status = answer(command, target, flags, cloud)
    with open(os.environ["FAKE_GCLOUD_STATE"], "w") as file:
        json.dump(cloud, file)
    return status


def answer(command: str, target: str, flags: dict[str, str], cloud: dict) -> int:
    """Prints what gcloud prints for `command` and changes `cloud` as it would; returns the exit code."""
    if command == "auth list":
        if cloud["account"]:
            print(cloud["account"])
    elif command == "projects describe":
        if target not in cloud["projects"]:
            return error(
                f"(gcloud.projects.describe) [{cloud['account']}] does not have permission to access projects "
                f"instance [{target}] (or it may not exist)"
            )
        print(target)
    elif command == "storage buckets describe":
        if target not in cloud["buckets"]:
            return error(f"(gcloud.storage.buckets.describe) gs://{target} not found: 404.")
        print(target)
    elif command == "storage buckets create":
        if target in cloud["buckets"]:
            return error("(gcloud.storage.buckets.create) HTTPError 409: The requested bucket name is not available.")
        cloud["buckets"].append(target)
        print(f"Creating gs://{target}/...", file=sys.stderr)
    elif command == "functions deploy":
        cloud["functions"].append(target)
        print(f"Preparing function...done.\nDeploying function...done.\nname: {target}")
    elif command == "functions describe":
        if target not in cloud["functions"]:
            return error(f"(gcloud.functions.describe) NOT_FOUND: Resource '{target}' was not found")
        if flags.get("format") != "value(serviceConfig.uri)":
            return error(f"the fake gcloud reports a function's URL only, not {flags.get('format')}", code=2)
        print(f"https://{target}-h4x2k9q1ta-ew.a.run.app")
    elif command == "iam service-accounts describe":
        if target not in cloud["service_accounts"]:
            return error(f"(gcloud.iam.service-accounts.describe) NOT_FOUND: Unknown service account {target}")
        print(target)
    elif command == "iam service-accounts create":
        cloud["service_accounts"].append(f"{target}@{flags['project']}.iam.gserviceaccount.com")
        print(f"Created service account [{target}].", file=sys.stderr)
    else:  # the commands that only change things gcloud does not report on
        print("Done.", file=sys.stderr)
    return 0


def error(message: str, code: int = 1) -> int:
    print(f"ERROR: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
