"""The kinds of layer the function computes (digit.forward), and the reading of a version's list of layers,
as training writes it into model.json (train/export.py), into them. This module imports no framework.

Each kind is named after the Keras layer it stands for. A kind with weights also names the group of the
`.weights.h5` they are filed under, as the list says: the function never guesses where Keras put them.
"""

import dataclasses
from dataclasses import dataclass

from digit.artefact import METADATA_FILE, WeightsError

FIELD = "layers"  # model.json's list of layers, in order, from raw 0..255 pixels to the ten probabilities


@dataclass(frozen=True)
class Rescaling:
    """Every value times `scale`."""

    scale: float


@dataclass(frozen=True)
class Reshape:
    """Each image laid out in `shape` (the batch axis aside)."""

    shape: tuple[int, ...]


@dataclass(frozen=True)
class Conv2D:
    """`filters` convolutions of `kernel` x `kernel` pixels: stride 1, no padding ("valid"), then `activation`;
    kernel and bias filed under the group `weights`."""

    filters: int
    kernel: int
    activation: str
    weights: str


@dataclass(frozen=True)
class MaxPooling2D:
    """The largest value of each `size` x `size` block, blocks side by side; a last row or column that fills no
    block is dropped."""

    size: int


@dataclass(frozen=True)
class Flatten:
    """Each image as one vector, in channels-last order (row, column, channel)."""


@dataclass(frozen=True)
class Dropout:
    """Zeroes a `rate` share of values while training; reading, it passes everything through."""

    rate: float


@dataclass(frozen=True)
class Dense:
    """A fully connected layer of `units`, then `activation`; kernel and bias filed under the group `weights`."""

    units: int
    activation: str
    weights: str


Layer = Rescaling | Reshape | Conv2D | MaxPooling2D | Flatten | Dropout | Dense
KINDS: dict[str, type] = {
    kind.__name__: kind for kind in (Rescaling, Reshape, Conv2D, MaxPooling2D, Flatten, Dropout, Dense)
}


def parse(entries: object) -> tuple[Layer, ...]:
    """The layers a model.json list describes. Raises WeightsError naming the file, the layer and the problem."""
    if not isinstance(entries, list) or not entries:
        raise WeightsError(f"{METADATA_FILE}: {FIELD!r} is not a list of layers")
    return tuple(_layer(index, entry) for index, entry in enumerate(entries))


def _layer(index: int, entry: object) -> Layer:
    where = f"{METADATA_FILE}: layer {index} of {FIELD!r}"
    if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
        kind = entry.get("kind") if isinstance(entry, dict) else entry
        raise WeightsError(f"{where} is of no kind the function computes ({kind!r}; it computes {', '.join(KINDS)})")
    kind = KINDS[entry["kind"]]
    fields = {field.name: field.type for field in dataclasses.fields(kind)}
    given = {key: value for key, value in entry.items() if key != "kind"}
    if set(given) != set(fields):
        raise WeightsError(f"{where}: a {entry['kind']} has fields {sorted(fields)}, not {sorted(given)}")
    for name, value in given.items():
        if not _fits(value, fields[name]):
            raise WeightsError(f"{where}: {entry['kind']} {name} {value!r} is not a {_WORDS[fields[name]]}")
    return kind(**{name: tuple(value) if isinstance(value, list) else value for name, value in given.items()})


def _fits(value: object, kind: object) -> bool:
    if kind == tuple[int, ...]:
        return isinstance(value, list) and bool(value) and all(_fits(size, int) for size in value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < float("inf")
    return isinstance(value, str) and bool(value)


_WORDS = {int: "positive integer", float: "finite number of 0 or more", str: "name", tuple[int, ...]: "list of sizes"}
