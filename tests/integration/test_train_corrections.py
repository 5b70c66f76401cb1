"""`python -m train --with-corrections SOURCE` on a handful of corrections, from a folder and from gs:// through the
storage emulator: the bad ones counted and skipped, duplicates dropped, a share held out and measured before
and after, what was used recorded in model.json, and the grid written for review."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checkout import ROOT, WEIGHTS
from digit.artefact import METADATA_FILE
from digit.model import from_folder
from tests.versions import unnamed_model, write_version
from train.corrections import load as load_corrections

GOOD = 12
BAD = {  # file name: content that is not a correction, and the reason it is skipped for
    "not-json.json": ("{label: 7", "not JSON"),
    "list.json": ("[7]", "not a JSON object"),
    "no-label.json": ('{"pixels": []}', "no label 0..9"),
    "short.json": ('{"label": 7, "pixels": [255, 0]}', "no list of 784 pixels"),
    "floats.json": (json.dumps({"label": 7, "pixels": [0.5] * 784}), "pixels that are not whole numbers 0..255"),
    "blank.json": (json.dumps({"label": 7, "pixels": [0] * 784}), "a blank image"),
}


@pytest.fixture(scope="module")
def corrections(mnist_sample) -> dict[str, bytes]:
    """GOOD corrections of real digits, one of them twice, and the BAD objects: name → content."""
    images, labels = mnist_sample
    objects = {}
    for index in range(GOOD):
        record = {"label": int(labels[index * 40]), "pixels": images[index * 40].astype(int).ravel().tolist(),
                  "read_as": 3, "model": "cnn-a497cee2f488", "time": "2026-12-01T09:30:00Z"}  # fmt: skip
        objects[f"2026-12-01/{index:02d}.json"] = json.dumps(record).encode()
    objects["2026-12-02/again.json"] = objects["2026-12-01/00.json"]
    objects.update({f"2026-12-02/{name}": content.encode() for name, (content, _) in BAD.items()})
    return objects


@pytest.fixture(scope="module")
def folder(corrections, tmp_path_factory) -> Path:
    """The corrections as files in a folder, as a download of the bucket would give them."""
    root = tmp_path_factory.mktemp("sent")
    for name, content in corrections.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def read_right(weights: Path, folder: Path) -> float:
    """The share of the corrections held out of training (training's split, seed 0) that the model in `weights`
    reads right, computed by the function's own forward pass rather than by training's."""
    held_out = load_corrections(str(folder), seed=0)
    readings = from_folder(weights).probabilities(held_out.x_test.astype(np.float32)).argmax(axis=1)
    return float(np.mean(readings == held_out.y_test))


def train(tmp_path, source: str, before: Path = WEIGHTS, **env: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "weights"
    shutil.copytree(before, out)  # the model the corrections were made against, measured before
    command = [sys.executable, "-m", "train", "--limit", "200", "--epochs", "1", "--synthetic", "none", "--cut-numbers",
               "0", "--with-corrections", source, "--out", str(out), "--report", str(tmp_path / "report")]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    metadata = json.loads((out / METADATA_FILE).read_text()) if done.returncode == 0 else {}
    return done, metadata


def check(done: subprocess.CompletedProcess, metadata: dict, source: str, tmp_path, folder: Path) -> None:
    assert done.returncode == 0, done.stderr
    report = metadata["corrections"]
    skipped = {reason: 1 for _, reason in BAD.values()} | {"a duplicate of another correction": 1}
    assert report["source"] == source and report["read"] == GOOD + 1 + len(BAD) and report["skipped"] == skipped
    assert (report["used"], report["held_out"]) == (GOOD - 2, 2)  # a fifth held out
    assert sum(report["per_digit"]) == report["used"] and len(report["per_digit"]) == 10
    # Measured on the held-out corrections, by the model before (the committed one) and by the one trained.
    assert report["accuracy_before"] == read_right(WEIGHTS, folder)
    assert report["accuracy_after"] == read_right(tmp_path / "weights", folder)
    assert metadata["data"]["train_images"] == 200 + 10 * report["used"]  # each correction ten times
    assert metadata["data"]["test_images"] == 1000  # MNIST's held-out digits, with no correction among them
    assert f"corrections from {source}: {GOOD + 1 + len(BAD)} read, skipped: " in done.stdout
    assert f"{GOOD - 2} to train on (per digit " in done.stdout and ", 2 held out" in done.stdout
    assert "held-out corrections read right: " in done.stdout
    assert (tmp_path / "report" / "corrections.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_with_corrections_from_a_folder(tmp_path, folder):
    done, metadata = train(tmp_path, str(folder))
    check(done, metadata, str(folder), tmp_path, folder)


def test_training_with_corrections_from_a_bucket(tmp_path, corrections, folder, gcs, storage_url):
    bucket = gcs.create_bucket("sent")
    for name, content in corrections.items():
        bucket.blob(f"corrections/{name}").upload_from_string(content)
    bucket.blob("elsewhere/ignored.json").upload_from_string(b"{}")  # outside the prefix: not read
    done, metadata = train(tmp_path, "gs://sent/corrections/", STORAGE_EMULATOR_HOST=storage_url)
    check(done, metadata, "gs://sent/corrections/", tmp_path, folder)


def test_the_model_before_is_measured_whatever_its_network(tmp_path, folder):
    """The version the corrections were made against may be of a network no code names, published with no
    redeploy: training reads it as the function does, from the layers its model.json lists."""
    before = tmp_path / "before"
    write_version(before, unnamed_model(3), "unnamed")
    done, metadata = train(tmp_path, str(folder), before=before)
    assert done.returncode == 0, done.stderr
    assert metadata["corrections"]["accuracy_before"] == read_right(before, folder)
    assert metadata["corrections"]["accuracy_before"] != read_right(WEIGHTS, folder)  # not the committed model's


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{tmp}/nowhere", "{tmp}/nowhere: no such folder (give a folder of corrections or gs://bucket/prefix/)"),
        ("gs://nothing/corrections/", "gs://nothing/corrections/: bucket gs://nothing does not exist"),
        ("{tmp}/empty", "{tmp}/empty: no correction to train on (0 read)"),
    ],
)
def test_a_source_without_corrections_stops_with_a_message(tmp_path, storage_url, source, message):
    (tmp_path / "empty").mkdir()
    done, _ = train(tmp_path, source.format(tmp=tmp_path), STORAGE_EMULATOR_HOST=storage_url)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"error: {message.format(tmp=tmp_path)}"
    assert not (tmp_path / "report").exists()
