"""deploy.sh's model-version commands against the fake gcloud: publish, promote, rollback and versions, what
each changes in the bucket and what it refuses, with the names, the checks and the pointer of the function's
own Python (digit/deployment.py)."""

import hashlib
import json
import re

import pytest

from checkout import WEIGHTS
from digit.artefact import METADATA_FILE, POINTER_FILE
from tests.deploy.conftest import DEMO, VERSION, changes

PROJECT = ["--project", "demo-project"]
ZEROS = hashlib.sha256(bytes(3)).hexdigest()[:12]
MODELS = "demo-project-digit-weights/models/"


@pytest.fixture
def deployed(cloud):
    """The fake cloud after a first deploy: VERSION published and live."""
    assert cloud.deploy(*DEMO).returncode == 0, "the first deploy failed"
    cloud.calls()
    return cloud


def retrain(cloud, seed: int, accuracy: float = 0.981) -> str:
    """Gives the checkout's weights/ another version, as training would; returns that version."""
    weights = hashlib.sha512(str(seed).encode()).digest() * 100
    checksum = hashlib.sha256(weights).hexdigest()
    version = f"cnn-{checksum[:12]}"
    (cloud.checkout / "weights" / "model.weights.h5").write_bytes(weights)
    metadata = {"version": version, "arch": "cnn", "sha256": checksum, "accuracy": accuracy,
                "trained_at": "2026-12-01T09:30:00Z"}  # fmt: skip
    (cloud.checkout / "weights" / "model.json").write_text(json.dumps(metadata))
    return version


def pointer(cloud) -> dict:
    live = json.loads(cloud.object(MODELS + POINTER_FILE))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", live.pop("set_at"))
    return live


def test_publish_uploads_a_new_version_and_leaves_live_as_it_is(deployed):
    new = retrain(deployed, 1)

    result = deployed.deploy("publish", *PROJECT)

    assert result.returncode == 0, result.stderr
    assert changes(deployed.calls()) == [
        f"storage cp weights/model.weights.h5 weights/model.json gs://{MODELS}{new}/ --project=demo-project"
    ]
    assert deployed.object(f"{MODELS}{new}/model.json") == (deployed.checkout / "weights" / "model.json").read_bytes()
    assert pointer(deployed) == {"version": VERSION, "history": []}
    assert result.stdout.endswith(
        f"\n{new} is published; ./deploy.sh promote {new} --project demo-project makes it live.\n"
    )


def test_promote_checks_the_version_then_points_live_at_it_keeping_the_one_before(deployed):
    new = retrain(deployed, 1)
    assert deployed.deploy("publish", *PROJECT).returncode == 0
    deployed.calls()

    result = deployed.deploy("promote", new, *PROJECT)

    assert result.returncode == 0, result.stderr
    calls = deployed.calls()
    for read in (f"storage objects describe gs://{MODELS}{new}/model.weights.h5", f"storage cat gs://{MODELS}{new}/model.json",
                 f"storage cat gs://{MODELS}{new}/model.weights.h5"):  # fmt: skip
        assert any(call.startswith(read) for call in calls), read
    assert changes(calls) == [f"storage cp - gs://{MODELS}{POINTER_FILE} --project=demo-project"]
    assert pointer(deployed) == {"version": new, "history": [VERSION]}
    assert f"gs://{MODELS}{new}/ holds {new}, its weights matching their sha256." in result.stdout
    assert result.stdout.endswith(f"\n{new} is live: every instance of the function switches to it within a minute.\n")


def test_promoting_the_live_version_changes_nothing(deployed):
    result = deployed.deploy("promote", VERSION, *PROJECT)

    assert result.returncode == 0, result.stderr
    assert changes(deployed.calls()) == []
    assert f"{VERSION} is live already." in result.stdout.splitlines()


def test_rollback_walks_back_through_the_versions_live_before(deployed):
    versions = [VERSION]
    for seed in (1, 2):
        versions.append(retrain(deployed, seed))
        assert deployed.deploy("publish", *PROJECT).returncode == 0
        assert deployed.deploy("promote", versions[-1], *PROJECT).returncode == 0
    assert pointer(deployed) == {"version": versions[2], "history": versions[:2]}
    deployed.calls()

    first = deployed.deploy("rollback", *PROJECT)
    assert first.returncode == 0, first.stderr
    assert changes(deployed.calls()) == [f"storage cp - gs://{MODELS}{POINTER_FILE} --project=demo-project"]
    assert f"{versions[2]} is live; {versions[1]} was live before it." in first.stdout.splitlines()
    assert pointer(deployed) == {"version": versions[1], "history": versions[:1]}

    assert deployed.deploy("rollback", *PROJECT).returncode == 0
    assert pointer(deployed) == {"version": VERSION, "history": []}

    last = deployed.deploy("rollback", *PROJECT)
    assert last.returncode == 1
    assert f"deploy.sh: gs://{MODELS}{POINTER_FILE} holds no earlier version to roll back to.\n" in last.stderr
    assert pointer(deployed) == {"version": VERSION, "history": []}


def test_versions_lists_each_with_its_accuracy_and_date_and_which_is_live(deployed):
    new = retrain(deployed, 1, accuracy=0.9812)
    assert deployed.deploy("publish", *PROJECT).returncode == 0
    deployed.calls()

    result = deployed.deploy("versions", *PROJECT)

    assert result.returncode == 0, result.stderr
    committed = json.loads((WEIGHTS / METADATA_FILE).read_text())
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("VERSION", "cnn"))]
    expected = {
        VERSION: [f"{100 * committed['accuracy']:.1f}", "%", committed.get("trained_at", "-")[:10], "live"],
        new: ["98.1", "%", "2026-12-01"],
    }
    assert rows[0] == ["VERSION", "ACCURACY", "TRAINED", "LIVE"]
    assert {row[0]: row[1:] for row in rows[1:]} == expected
    assert changes(deployed.calls()) == []


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda objects, new: objects.pop(f"{MODELS}{new}/model.json"),
         "gs://{MODELS}{new}/model.json does not exist: publish that version first (./deploy.sh publish)."),
        (lambda objects, new: objects.update({f"{MODELS}{new}/model.weights.h5": "AAAA"}),  # 3 zero bytes
         "gs://{MODELS}{new}/: model.weights.h5 does not match model.json: sha256 " + ZEROS + "…, expected "
         "{checksum}…: publish the version again."),
        (lambda objects, new: objects.update({f"{MODELS}{new}/model.json": objects[f"{MODELS}{VERSION}/model.json"]}),
         "gs://{MODELS}{new}/: model.json is not that of {new}: publish the version again."),
    ],
    ids=["a file missing", "weights not matching", "another version's metadata"],
)  # fmt: skip
def test_promote_refuses_a_version_that_the_function_would_refuse(deployed, spoil, message):
    new = retrain(deployed, 1)
    assert deployed.deploy("publish", *PROJECT).returncode == 0
    objects = deployed.state()["objects"]
    spoil(objects, new)
    deployed.change(objects=objects)
    deployed.calls()

    result = deployed.deploy("promote", new, *PROJECT)

    assert result.returncode == 1
    assert f"deploy.sh: {message.format(MODELS=MODELS, new=new, checksum=new.removeprefix('cnn-'))}\n" in result.stderr
    assert changes(deployed.calls()) == []


def test_promote_refuses_a_version_never_published(deployed):
    result = deployed.deploy("promote", "cnn-000000000000", *PROJECT)

    assert result.returncode == 1
    assert (
        f"deploy.sh: gs://{MODELS}cnn-000000000000/model.weights.h5 does not exist: publish that version first "
        "(./deploy.sh publish).\n"
    ) in result.stderr


def test_promote_rewrites_a_pointer_that_is_not_json(deployed):
    deployed.change(objects={**deployed.state()["objects"], MODELS + POINTER_FILE: "bm90IGpzb24="})  # "not json"

    result = deployed.deploy("promote", VERSION, *PROJECT)

    assert result.returncode == 0, result.stderr
    assert f"gs://{MODELS}{POINTER_FILE} is not valid JSON: it names no version, and no earlier ones." in result.stdout
    assert pointer(deployed) == {"version": VERSION, "history": []}


@pytest.mark.parametrize("command", ["publish", "promote", "rollback"])
def test_a_dry_run_of_a_version_command_changes_nothing_and_shows_what_it_would(deployed, command):
    new = retrain(deployed, 1)
    if command != "publish":  # something to promote
        assert deployed.deploy("publish", *PROJECT).returncode == 0
    if command == "rollback":  # something to roll back to
        assert deployed.deploy("promote", new, *PROJECT).returncode == 0
    before = deployed.state()
    deployed.calls()

    result = deployed.deploy(*(["promote", new] if command == "promote" else [command]), *PROJECT, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert changes(deployed.calls()) == []
    assert deployed.state() == before
    assert [line for line in result.stdout.splitlines() if line.startswith("+ gcloud storage cp ")]
    assert result.stdout.endswith("\nDry run: nothing was changed.\n")


def test_version_commands_need_a_deployed_bucket(cloud):
    result = cloud.deploy("publish", *PROJECT)

    assert result.returncode == 1
    assert (
        "deploy.sh: gs://demo-project-digit-weights does not exist: deploy first (./deploy.sh --project demo-project "
        "--region REGION), or name it with --bucket.\n"
    ) in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["promote", *PROJECT], "promote needs the VERSION to point live at"),
        (["promote", "../up", *PROJECT], "'../up' is not a version's name"),
        (["promote", "c" * 65, *PROJECT], f"'{'c' * 65}' is not a version's name"),
        (["retire", *PROJECT], "unknown command: retire"),
        (["publish", *DEMO], "publish takes --project, --bucket and --dry-run only"),
        (["versions"], "--project is required"),
    ],
)
def test_bad_version_commands_are_refused_before_anything_runs(cloud, arguments, message):
    cloud.assert_refused(arguments, message)
