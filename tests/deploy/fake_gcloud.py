"""A stand-in for the Google Cloud CLI, run as `gcloud` by tests/deploy/test_deploy.py.

It appends each call's arguments (one JSON list a line) to $FAKE_GCLOUD_LOG, and answers the calls deploy.sh
makes the way gcloud does, from a small cloud kept in the JSON file $FAKE_GCLOUD_STATE:
{"account": ..., "projects": [...], "buckets": [...], "functions": [...], "service_accounts": [...],
"objects": {"BUCKET/NAME": base64 of the content}}, "lifecycles": {BUCKET: the lifecycle file's rules}, and
"function_urls": {NAME: the URL to report for that function, instead of a made-up one}.
`storage rsync` copies a folder's files into the objects, deleting the bucket's others when told to.
$FAKE_GCLOUD_FAIL_ON names a command (e.g. "functions deploy") that fails, as a failed build does. Anything
else it does not know fails loudly.
"""

import base64
import json
import os
import sys
from pathlib import Path

COMMANDS = [
    "auth list",
    "projects describe",
    "services enable",
    "storage buckets describe",
    "storage buckets create",
    "storage buckets update",
    "storage buckets add-iam-policy-binding",
    "storage objects describe",
    "storage cp",
    "storage cat",
    "storage ls",
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
    if command in ("storage cp", "storage rsync"):  # sources and destination; cp's may include "-", standard input
        target = " ".join(arg for arg in args[2:] if arg == "-" or not arg.startswith("-"))

    with open(os.environ["FAKE_GCLOUD_STATE"]) as file:
        cloud = json.load(file)
    flags |= {arg[2:]: "" for arg in args if arg.startswith("--") and "=" not in arg}  # switches, such as --recursive
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
    elif command == "storage buckets update" and "lifecycle-file" in flags:
        cloud.setdefault("lifecycles", {})[target] = json.loads(Path(flags["lifecycle-file"]).read_text())
        print("Updating gs://{target}/...", file=sys.stderr)
    elif command == "storage objects describe":
        if target not in cloud["objects"]:
            return error(f"(gcloud.storage.objects.describe) gs://{target} not found: 404.")
        print(target.split("/", 1)[1])
    elif command == "storage cp":
        return copy(target.split(), cloud)
    elif command == "storage rsync":
        return rsync(*target.split(), flags, cloud)
    elif command == "storage cat":
        if target not in cloud["objects"]:
            return error(f"(gcloud.storage.cat) The following URLs matched no objects or files:\n-gs://{target}")
        sys.stdout.buffer.write(base64.b64decode(cloud["objects"][target]))
    elif command == "storage ls":
        listed = sorted({under(name, target) for name in cloud["objects"] if name.startswith(target)})
        if not listed:
            return error(f"(gcloud.storage.ls) One or more URLs matched no objects: gs://{target}")
        print("\n".join(f"gs://{target}{entry}" for entry in listed))
    elif command == "functions deploy":
        cloud["functions"].append(target)
        print(f"Preparing function...done.\nDeploying function...done.\nname: {target}")
    elif command == "functions describe":
        if target not in cloud["functions"]:
            return error(f"(gcloud.functions.describe) NOT_FOUND: Resource '{target}' was not found")
        if flags.get("format") != "value(serviceConfig.uri)":
            return error(f"the fake gcloud reports a function's URL only, not {flags.get('format')}", code=2)
        print(cloud.get("function_urls", {}).get(target, f"https://{target}-h4x2k9q1ta-ew.a.run.app"))
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


def copy(arguments: list[str], cloud: dict) -> int:
    """`storage cp SOURCE... DESTINATION`: local files (or "-", standard input) into the cloud's objects."""
    *sources, destination = arguments
    bucket, _, folder = destination.removeprefix("gs://").partition("/")
    if bucket not in cloud["buckets"]:
        return error(f"(gcloud.storage.cp) gs://{bucket} not found: 404.")
    for source in sources:
        content = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        name = folder + Path(source).name if folder.endswith("/") or not folder else folder
        cloud["objects"][f"{bucket}/{name}"] = base64.b64encode(content).decode()
        print(f"Copying {source} to gs://{bucket}/{name}", file=sys.stderr)
    return 0


def rsync(source: str, destination: str, flags: dict[str, str], cloud: dict) -> int:
    """`storage rsync FOLDER gs://BUCKET`: the folder's files (its subfolders' too with --recursive) copied into
    the bucket, and with --delete-unmatched-destination-objects, the bucket's other objects deleted."""
    bucket = destination.removeprefix("gs://").rstrip("/")
    if bucket not in cloud["buckets"]:
        return error(f"(gcloud.storage.rsync) gs://{bucket} not found: 404.")
    folder = Path(source)
    files = folder.rglob("*") if "recursive" in flags else folder.iterdir()
    names = {path.relative_to(folder).as_posix(): path for path in files if path.is_file()}
    for name, path in names.items():
        cloud["objects"][f"{bucket}/{name}"] = base64.b64encode(path.read_bytes()).decode()
        print(f"Copying file://{path} to gs://{bucket}/{name}", file=sys.stderr)
    if "delete-unmatched-destination-objects" in flags:
        for key in [key for key in cloud["objects"] if key.startswith(f"{bucket}/")]:
            if key.split("/", 1)[1] not in names:
                del cloud["objects"][key]
                print(f"Removing gs://{key}", file=sys.stderr)
    return 0


def under(name: str, prefix: str) -> str:
    """What `ls PREFIX` shows of an object: its name, or the folder below PREFIX that holds it."""
    rest = name[len(prefix) :]
    return rest.split("/", 1)[0] + "/" if "/" in rest else rest


def error(message: str, code: int = 1) -> int:
    print(f"ERROR: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
