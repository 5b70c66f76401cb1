"""The fake gcloud's Cloud Storage (fake_gcloud.py): buckets, their settings and IAM policies, and objects.
`storage rsync` copies a folder's files into the objects, deleting the bucket's others when told to."""

import base64
import json
import sys
from pathlib import Path

from fake_identity import add_binding, binding_refused, email_of, error, print_policy, remove_binding

PUBLIC = ("allUsers", "allAuthenticatedUsers")


def describe_bucket(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["buckets"]:
        return error(f"(gcloud.storage.buckets.describe) gs://{target} not found: 404.")
    print(target)
    return 0


def create_bucket(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target in cloud["buckets"]:
        return error("(gcloud.storage.buckets.create) HTTPError 409: The requested bucket name is not available.")
    cloud["buckets"].append(target)
    print(f"Creating gs://{target}/...", file=sys.stderr)
    return 0


def update_bucket(target: str, flags: dict[str, str], cloud: dict) -> int:
    if "lifecycle-file" in flags:
        cloud.setdefault("lifecycles", {})[target] = json.loads(Path(flags["lifecycle-file"]).read_text())
    print(f"Updating gs://{target}/...", file=sys.stderr)
    return 0


def bind_bucket(target: str, flags: dict[str, str], cloud: dict) -> int:
    """A bucket's IAM binding, refused as a new project's policies and a new account refuse it."""
    command, member = "(gcloud.storage.buckets.add-iam-policy-binding)", flags["member"]
    if member in PUBLIC and cloud.get("public_access_prevention"):
        return error(
            f"{command} HTTPError 412: The member bindings allUsers and allAuthenticatedUsers are not allowed "
            "since public access prevention is enforced."
        )
    if member in PUBLIC and cloud.get("domain_restricted"):
        return error(
            f"{command} HTTPError 412: One or more users named in the policy do not belong to a permitted customer."
        )
    if binding_refused(cloud, member):
        return error(f"{command} HTTPError 400: Service account {email_of(member)} does not exist.")
    add_binding(cloud, f"gs://{target}", member, flags["role"])
    print(f"Updated IAM policy for gs://{target}.", file=sys.stderr)
    return 0


def unbind_bucket(target: str, flags: dict[str, str], cloud: dict) -> int:
    if not remove_binding(cloud, f"gs://{target}", flags["member"], flags["role"]):
        return error("Policy binding with the specified principal, role, and condition not found!")
    print(f"Updated IAM policy for gs://{target}.", file=sys.stderr)
    return 0


def bucket_policy(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["buckets"]:
        return error(f"(gcloud.storage.buckets.get-iam-policy) gs://{target} not found: 404.")
    if flags.get("format") != "json":
        return error("the fake gcloud prints IAM policies as JSON only", code=2)
    print_policy(cloud, f"gs://{target}")
    return 0


def remove(target: str, flags: dict[str, str], cloud: dict) -> int:
    """`storage rm --recursive gs://BUCKET`: the bucket, every object in it, and its IAM policy."""
    if "recursive" not in flags or "/" in target:
        return error("the fake gcloud removes whole buckets only, with --recursive", code=2)
    if target not in cloud["buckets"]:
        return error(f"(gcloud.storage.rm) gs://{target} not found: 404.")
    for key in [key for key in cloud["objects"] if key.startswith(f"{target}/")]:
        del cloud["objects"][key]
        print(f"Removing gs://{key}...", file=sys.stderr)
    cloud["buckets"].remove(target)
    cloud.get("iam", {}).pop(f"gs://{target}", None)
    cloud.get("lifecycles", {}).pop(target, None)
    print(f"Removing gs://{target}/...", file=sys.stderr)
    return 0


def describe_object(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["objects"]:
        return error(f"(gcloud.storage.objects.describe) gs://{target} not found: 404.")
    print(target.split("/", 1)[1])
    return 0


def cat(target: str, flags: dict[str, str], cloud: dict) -> int:
    if target not in cloud["objects"]:
        return error(f"(gcloud.storage.cat) The following URLs matched no objects or files:\n-gs://{target}")
    sys.stdout.buffer.write(base64.b64decode(cloud["objects"][target]))
    return 0


def ls(target: str, flags: dict[str, str], cloud: dict) -> int:
    listed = sorted({under(name, target) for name in cloud["objects"] if name.startswith(target)})
    if not listed:
        return error(f"(gcloud.storage.ls) One or more URLs matched no objects: gs://{target}")
    print("\n".join(f"gs://{target}{entry}" for entry in listed))
    return 0


def copy(target: str, flags: dict[str, str], cloud: dict) -> int:
    """`storage cp SOURCE... DESTINATION`: local files (or "-", standard input) into the cloud's objects."""
    *sources, destination = target.split()
    bucket, _, folder = destination.removeprefix("gs://").partition("/")
    if bucket not in cloud["buckets"]:
        return error(f"(gcloud.storage.cp) gs://{bucket} not found: 404.")
    for source in sources:
        content = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        name = folder + Path(source).name if folder.endswith("/") or not folder else folder
        cloud["objects"][f"{bucket}/{name}"] = base64.b64encode(content).decode()
        print(f"Copying {source} to gs://{bucket}/{name}", file=sys.stderr)
    return 0


def rsync(target: str, flags: dict[str, str], cloud: dict) -> int:
    """`storage rsync FOLDER gs://BUCKET`: the folder's files (its subfolders' too with --recursive) copied into
    the bucket, and with --delete-unmatched-destination-objects, the bucket's other objects deleted."""
    source, destination = target.split()
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


STORAGE = {
    "storage buckets describe": describe_bucket,
    "storage buckets create": create_bucket,
    "storage buckets update": update_bucket,
    "storage buckets add-iam-policy-binding": bind_bucket,
    "storage buckets remove-iam-policy-binding": unbind_bucket,
    "storage buckets get-iam-policy": bucket_policy,
    "storage objects describe": describe_object,
    "storage cp": copy,
    "storage cat": cat,
    "storage ls": ls,
    "storage rsync": rsync,
    "storage rm": remove,
}
