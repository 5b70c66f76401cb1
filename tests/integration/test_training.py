"""`python -m train` end to end on a tiny subset: it must write weights the function can serve, metadata
that tells the truth about them, and a report; and fail clearly on bad data."""

import json
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from checkout import ROOT
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, sha256
from digit.layers import FIELD
from digit.model import from_folder
from tests.versions import METADATA
from train import habits, synthetic
from train.calibrate import TEMPERATURES
from train.data import Dataset, split_of
from train.fit import fit
from train.recipes import RECIPES


def train(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "train", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("weights")
    report = tmp_path_factory.mktemp("report")
    # No numbers cut, so that a quick run stays quick: test_the_mlp_baseline_trains_too_with_wrong_cuts_to_learn
    # teaches wrong cuts.
    result = train("--limit", "1000", "--epochs", "3", "--cut-numbers", "0", "--out", str(out), "--report", str(report))
    assert result.returncode == 0, result.stderr
    return out, report, result.stdout


def test_training_writes_weights_that_match_their_metadata(trained):
    out, _, _ = trained
    metadata = json.loads((out / METADATA_FILE).read_text())
    weights = (out / WEIGHTS_FILE).read_bytes()
    assert metadata["sha256"] == sha256(weights)
    assert metadata["weights_bytes"] == len(weights) < 1_000_000
    assert metadata["arch"] == "cnn3h" and metadata["version"] == f"cnn3h-{sha256(weights)[:12]}"
    assert metadata[FIELD] == METADATA[FIELD]  # the layers the committed cnn3h's own weights gave it
    made = metadata["data"]["synthetic"]
    assert made["kind"] == "all" and made["fonts"] and made["font_digits"] > 0 and made["styled_digits"] > 0
    assert made["habit_digits"] == 10 * habits.HABIT_COPIES
    assert made["low_resolution_copies"] == 1000 + made["font_digits"] + made["styled_digits"] + made["habit_digits"]
    assert metadata["data"]["train_images"] == 2 * made["low_resolution_copies"]
    assert metadata["data"]["test_images"] == 1000
    assert metadata["training"]["epochs"] == 3 and metadata["training"]["augmentation"] is True
    assert metadata["training"]["label_smoothing"] == RECIPES["cnn3h"].label_smoothing > 0
    assert metadata["training"]["synthetic"] == "all"
    assert metadata["training"]["temperature"] in TEMPERATURES  # folded into the weights (train/calibrate.py)
    assert metadata["numbers"] == "split"  # never taught a wrong cut
    assert metadata["input"]["shape"] == [28, 28] and metadata["input"]["centre_of_mass"] == [14.0, 14.0]
    assert set(metadata["versions"]) == {"keras", "tensorflow", "python"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["trained_at"])
    assert np.array(metadata["confusion_matrix"]).sum() == 1000
    assert len(metadata["per_class_accuracy"]) == 10


def test_the_reported_accuracy_is_what_the_served_model_scores(trained):
    out, _, stdout = trained
    metadata = json.loads((out / METADATA_FILE).read_text())
    held_out = split_of(metadata)
    images, labels = held_out.x_test, held_out.y_test
    predicted = from_folder(out).probabilities(images.astype(np.float32)).argmax(axis=1)
    assert round(float((predicted == labels).mean()), 4) == metadata["accuracy"]
    assert metadata["accuracy"] > 0.5  # three epochs on 1,000 digits already beat chance by far
    assert f"test accuracy {metadata['accuracy']:.2%}" in stdout


def test_the_report_is_written_as_pictures(trained):
    _, report, stdout = trained
    for name in ("confusion.png", "misread.png", "proxies.png"):
        assert (report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(report / name) in stdout


def test_the_proxy_sets_are_reported_per_digit(trained):
    out, _, stdout = trained
    measured = json.loads((out / METADATA_FILE).read_text())["proxies"]
    assert list(measured) == [
        "test digits at 8x8", "test digits at 8x8, stretched", "test digits at 12x12",
        "held-out fonts", "held-out fonts at 8x8", "held-out fonts at 8x8, stretched",
        "continental styles", "continental styles at 8x8", "continental styles at 8x8, stretched",
        "hooks and curls", "hooks and curls at 8x8", "hooks and curls at 8x8, stretched",
        *(f"held-out font {path.stem}" for path in synthetic.handwriting_fonts(held_out=True)),
    ]  # fmt: skip
    for name, result in measured.items():
        assert result["images"] > 0 and 0 <= result["accuracy"] <= 1
        assert len(result["per_class_accuracy"]) == 10
        assert f"  {name:<38} {result['accuracy']:6.1%}" in stdout
    assert measured["test digits at 8x8"]["images"] == 1000
    styles = measured["continental styles"]["per_class_accuracy"]
    assert [digit for digit, accuracy in enumerate(styles) if accuracy is not None] == [1, 4, 6, 7, 9]
    assert None not in measured["hooks and curls"]["per_class_accuracy"]  # every digit is drawn with its habits


def test_the_uci_digits_are_measured_for_evaluation_and_their_confidence_with_them(trained):
    out, _, stdout = trained
    measured = json.loads((out / METADATA_FILE).read_text())["uci_digits"]
    assert measured["images"] == 1797 and len(measured["per_class_accuracy"]) == 10
    assert 0 <= measured["confidently_wrong"] <= measured["wrong"] == round(1797 * (1 - measured["accuracy"]))
    assert 0 <= measured["calibration_error"] <= 1
    assert f"UCI digits (evaluation only): {measured['accuracy']:.1%}" in stdout


def test_the_mlp_baseline_trains_too_with_wrong_cuts_to_learn(tmp_path):
    result = train(
        "--arch", "mlp", "--limit", "200", "--epochs", "1", "--cut-numbers", "20", "--out", str(tmp_path),
        "--report", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    metadata = json.loads((tmp_path / METADATA_FILE).read_text())
    assert metadata["arch"] == "mlp" and metadata["training"]["augmentation"] is False
    cuts = metadata["data"]["cut_examples"]
    assert cuts["numbers"] == metadata["training"]["cut_numbers"] == 20 and 0 < cuts["wrong_cuts"] <= cuts["digits"]
    assert metadata["training"]["synthetic"] == "none"
    assert metadata["data"]["train_images"] == 200 + cuts["digits"] + cuts["wrong_cuts"]
    assert metadata["numbers"] == "cuts"  # taught the wrong cuts: the function may read numbers by them
    served = from_folder(tmp_path)
    assert served.reads_cuts and served.probabilities(np.zeros((2, 28, 28), np.float32)).shape == (2, 10)


def test_two_fits_with_one_seed_give_the_same_weights(mnist_sample):
    """Augmentation and all: a run can be repeated, and a recipe's figures told from another's by their seeds."""
    images, labels = mnist_sample
    data = Dataset(images.astype(np.uint8), labels.astype(np.int64), images[:0], labels[:0])
    recipe = replace(RECIPES["cnn3"], epochs=1)
    assert recipe.augment
    first, second = (fit("cnn3", data, recipe, seed=7).get_weights() for _ in range(2))
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_a_missing_data_file_stops_with_a_message(tmp_path):
    result = train("--data", str(tmp_path / "mnist.npz"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "mnist.npz: no such file or folder (give a Keras mnist.npz or a folder of IDX files)"
    )
    assert not (tmp_path / WEIGHTS_FILE).exists()


def test_bad_flags_are_refused(tmp_path):
    result = train("--epochs", "0")
    assert result.returncode == 2 and "--epochs must be at least 1" in result.stderr
    result = train("--cut-numbers", "-1")
    assert result.returncode == 2 and "--cut-numbers must be 0 or more" in result.stderr
    result = train("--synthetic", "photos")
    assert result.returncode == 2 and "argument --synthetic: invalid choice: 'photos'" in result.stderr
