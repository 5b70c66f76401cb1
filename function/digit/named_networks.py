"""The layers of versions trained before model.json carried them (digit.layers.FIELD), by the architecture they
name: a frozen copy of the table the function once kept, for those versions only. A version that carries its
list is built from it alone; no network is ever added here.

The group names are those Keras gave each layer's weights when these versions were saved.
"""

from digit.artefact import METADATA_FILE, WeightsError
from digit.layers import FIELD, Layer, parse


def _conv(filters: int, weights: str) -> dict:
    return {"kind": "Conv2D", "filters": filters, "kernel": 3, "activation": "relu", "weights": weights}


_TWO_BLOCKS = [
    {"kind": "Rescaling", "scale": 1 / 255},
    {"kind": "Reshape", "shape": [28, 28, 1]},
    _conv(32, "conv2d"),
    {"kind": "MaxPooling2D", "size": 2},
    _conv(64, "conv2d_1"),
    {"kind": "MaxPooling2D", "size": 2},
]
_READOUT = [
    {"kind": "Flatten"},
    {"kind": "Dropout", "rate": 0.5},
    {"kind": "Dense", "units": 10, "activation": "softmax", "weights": "dense"},
]
NAMED: dict[str, list[dict]] = {
    "cnn3": [*_TWO_BLOCKS, _conv(128, "conv2d_2"), *_READOUT],
    "cnn": [*_TWO_BLOCKS, *_READOUT],
    "mlp": [
        {"kind": "Rescaling", "scale": 1 / 255},
        {"kind": "Flatten"},
        *(
            {"kind": "Dense", "units": 128, "activation": "relu", "weights": f"dense{suffix}"}
            for suffix in ("", "_1", "_2")
        ),
        {"kind": "Dense", "units": 10, "activation": "softmax", "weights": "dense_3"},
    ],
}


def layers(arch: object) -> tuple[Layer, ...]:
    """The layers of a version with no list of its own. Raises WeightsError for an architecture not named here."""
    if arch not in NAMED:
        raise WeightsError(
            f"{METADATA_FILE} has no {FIELD!r} list, and {arch!r} is none of the architectures named before versions "
            f"carried theirs ({', '.join(NAMED)})"
        )
    return parse(NAMED[arch])
