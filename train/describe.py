"""A saved Keras model's layers as model.json lists them (digit.layers), for the function to rebuild the network
from: each layer's kind and sizes from the Keras layer's own config, and the group of the weights file its
weights are filed under found in that file, by their values, rather than by Keras's private naming rule.

`python -m train.describe <folder> <arch>` adds the list to a version saved before model.json carried it, from
its own weights: the weights file and every other field are left as they are.
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np

from digit.artefact import METADATA_FILE, WEIGHTS_FILE
from digit.forward import read_weights
from digit.layers import FIELD
from train import network


def describe(model: keras.Model, weights_file: Path) -> list[dict]:
    """The list for `model`, whose weights were saved as `weights_file`. Raises ValueError for a layer the
    function's kinds cannot express, or whose weights are not found in the file exactly once."""
    groups = read_weights(weights_file.read_bytes())
    return [_entry(layer, groups) for layer in model.layers]


def _entry(layer: keras.layers.Layer, groups: dict[str, list[np.ndarray]]) -> dict:
    config = layer.get_config()
    match layer:
        case keras.layers.Rescaling() if config["offset"] == 0:
            return {"kind": "Rescaling", "scale": config["scale"]}
        case keras.layers.Reshape():
            return {"kind": "Reshape", "shape": list(config["target_shape"])}
        case keras.layers.Conv2D() if _plain_conv(config):
            kernel = config["kernel_size"][0]
            described = {"filters": config["filters"], "kernel": kernel, "activation": config["activation"]}
            return {"kind": "Conv2D", **described, "weights": _group(layer, groups)}
        case keras.layers.MaxPooling2D() if _plain_pool(config):
            return {"kind": "MaxPooling2D", "size": config["pool_size"][0]}
        case keras.layers.Flatten():
            return {"kind": "Flatten"}
        case keras.layers.Dropout():
            return {"kind": "Dropout", "rate": config["rate"]}
        case keras.layers.Dense() if config["use_bias"]:
            described = {"units": config["units"], "activation": config["activation"]}
            return {"kind": "Dense", **described, "weights": _group(layer, groups)}
    raise ValueError(f"the function computes no layer like {layer.name!r}: {type(layer).__name__} {config}")


def _plain_conv(config: dict) -> bool:
    """Square kernel, stride 1, no padding, no dilation, one group, a bias: the convolution digit.forward computes."""
    size = config["kernel_size"]
    plain = config["strides"] == (1, 1) and config["padding"] == "valid" and config["dilation_rate"] == (1, 1)
    return size[0] == size[1] and plain and config["groups"] == 1 and config["use_bias"]


def _plain_pool(config: dict) -> bool:
    """Square blocks side by side, the last partial row or column dropped: the pooling digit.forward computes."""
    size = config["pool_size"]
    return size[0] == size[1] and config["strides"] == size and config["padding"] == "valid"


def _group(layer: keras.layers.Layer, groups: dict[str, list[np.ndarray]]) -> str:
    """The one group of the weights file holding exactly this layer's weights."""
    values = layer.get_weights()
    found = [
        name
        for name, stored in groups.items()
        if len(stored) == len(values) and all(np.array_equal(a, b) for a, b in zip(stored, values, strict=True))
    ]
    if len(found) != 1:
        raise ValueError(f"the weights of layer {layer.name!r} are in {len(found)} groups of {WEIGHTS_FILE}, not one")
    return found[0]


def add_to(folder: Path, arch: str) -> None:
    """Adds the list to the model.json in `folder`, read from the weights beside it, after its `arch`."""
    model = network.build(arch)
    model.load_weights(folder / WEIGHTS_FILE)
    metadata = json.loads((folder / METADATA_FILE).read_text())
    layers = describe(model, folder / WEIGHTS_FILE)
    rebuilt = {}
    for key, value in metadata.items():
        if key != FIELD:
            rebuilt[key] = value
        if key == "arch":
            rebuilt[FIELD] = layers
    (folder / METADATA_FILE).write_text(json.dumps(rebuilt, indent=2) + "\n")


if __name__ == "__main__":
    add_to(Path(sys.argv[1]), sys.argv[2])
