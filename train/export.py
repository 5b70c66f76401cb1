"""Writing the weights artefact (digit.artefact) with everything a reader needs to trust it."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import keras
import tensorflow as tf

from digit import pixels, selfcheck
from digit.artefact import BY_CUTS, BY_SPLIT, METADATA_FILE, NUMBERS, WEIGHTS_FILE, sha256
from digit.layers import FIELD
from train import network
from train.data import Dataset
from train.describe import describe
from train.fit import Evaluation
from train.machine import machine
from train.recipes import Recipe

INPUT_CONTRACT = {
    "shape": [pixels.SIZE, pixels.SIZE],
    "order": "row-major",
    "values": "0..255, 0 = background, 255 = ink; scaled to [0, 1] inside the model",
    "fit": f"ink bounding box fitted, aspect kept, to {pixels.FIT}x{pixels.FIT} by area averaging",
    "centre_of_mass": [pixels.CENTRE, pixels.CENTRE],
}


def write(
    model: keras.Model,
    out: Path,
    *,
    arch: str,
    recipe: Recipe,
    seed: int,
    data: Dataset,
    evaluation: Evaluation,
    seconds: float,
    temperature: float,
    corrections: dict | None = None,
    proxies: dict | None = None,
    uci: dict | None = None,
) -> dict:
    """Saves WEIGHTS_FILE and METADATA_FILE into `out` and returns the metadata."""
    out.mkdir(parents=True, exist_ok=True)
    # A fresh copy holds the layers' weights only: the optimizer's state would triple the file for nothing.
    serving = network.build(arch)
    serving.set_weights(model.get_weights())
    serving.save_weights(out / WEIGHTS_FILE)
    weights = (out / WEIGHTS_FILE).read_bytes()
    checksum = sha256(weights)
    metadata = {
        "version": f"{arch}-{checksum[:12]}",
        "arch": arch,
        FIELD: describe(serving, out / WEIGHTS_FILE),  # what the function builds its forward pass from
        "sha256": checksum,
        "weights_bytes": len(weights),
        "parameters": serving.count_params(),
        "input": INPUT_CONTRACT,
        NUMBERS: BY_CUTS if recipe.cut_numbers else BY_SPLIT,
        "data": data.description,
        "accuracy": round(evaluation.accuracy, 4),
        "per_class_accuracy": evaluation.per_class_accuracy,
        "confusion_matrix": evaluation.confusion.tolist(),
        selfcheck.FIELD: selfcheck.record(lambda images: serving(images, training=False)),
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training": {
            "epochs": recipe.epochs,
            "batch_size": recipe.batch_size,
            "augmentation": recipe.augment,
            "synthetic": recipe.synthetic,
            "label_smoothing": recipe.label_smoothing,
            "cut_numbers": recipe.cut_numbers,
            "seed": seed,
            "temperature": temperature,  # folded into the readout (train/calibrate.py)
            "seconds": round(seconds, 1),
            "machine": machine(),
        },
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "python": sys.version.split()[0]},
    }
    if proxies is not None:
        metadata["proxies"] = proxies
    if uci is not None:
        metadata["uci_digits"] = uci  # evaluation only: never trained on
    if corrections is not None:
        metadata["corrections"] = corrections
    (out / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return metadata
