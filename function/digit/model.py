"""A trained model ready to serve: its weights checked, read from Keras's file, rebuilt as numpy computations
(digit.forward) from the layers its model.json lists (or, for a version from before the lists, its named
architecture's: digit.named_networks), and the result checked against what the trained model answered (digit.selfcheck).

A forward pass computes its batch a slice at a time, and at most FORWARD_PASSES_AT_ONCE run together: the
server's threads share one vCPU, which gains nothing from more at once, while each slice in flight holds its
own copies of the image patches, so both bound the memory eight concurrent batches can take.
"""

import threading
import time
from pathlib import Path

import numpy as np

from digit import forward, named_networks, selfcheck
from digit.artefact import BY_CUTS, METADATA_FILE, NUMBERS, WEIGHTS_FILE, check, parse_metadata
from digit.layers import FIELD, parse

SLICE = 16  # images a forward pass computes at once (docs/performance.md)
FORWARD_PASSES_AT_ONCE = threading.BoundedSemaphore(2)


class Classifier:
    """Probabilities for batches of contract-form images; safe to call from many threads at once (it holds
    nothing that a call changes)."""

    def __init__(self, metadata: dict, steps: list[forward.Step]):
        self.metadata = metadata
        self.version: str = metadata["version"]
        # A model never taught what a wrong cut looks like is as sure of half a digit as of a digit.
        self.reads_cuts = metadata.get(NUMBERS) == BY_CUTS
        self._steps = steps

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 0..255 → (N, 10) float32 probabilities."""
        answers = []
        for start in range(0, len(images), SLICE):
            values = images[start : start + SLICE]
            with FORWARD_PASSES_AT_ONCE:
                for step in self._steps:
                    values = step(values)
            answers.append(values)
        return np.concatenate(answers)


def load(weights: bytes, metadata: dict) -> tuple[Classifier, dict[str, float]]:
    """The Classifier for a weights artefact once every check has passed, and the seconds each step of its
    load took. Raises WeightsError, with a message for the client, when the artefact cannot be served."""
    started = time.perf_counter()
    check(weights, metadata)
    if FIELD in metadata:
        layers, source = parse(metadata[FIELD]), f"{METADATA_FILE}'s {FIELD!r}"
    else:
        layers, source = named_networks.layers(metadata.get("arch")), f"the {metadata.get('arch')!r} architecture"
    classifier = Classifier(metadata, forward.compile_network(source, layers, forward.read_weights(weights)))
    loaded = time.perf_counter()
    # One image at a time: the reference inputs go through the very computation that answers the page.
    selfcheck.verify(lambda inputs: np.concatenate([classifier.probabilities(x[np.newaxis]) for x in inputs]), metadata)
    checked = time.perf_counter()
    return classifier, {"load": loaded - started, "check": checked - loaded}


def from_folder(folder: Path) -> Classifier:
    """The Classifier of a version's two files in a local folder (weights/, or where training wrote them)."""
    return load((folder / WEIGHTS_FILE).read_bytes(), parse_metadata((folder / METADATA_FILE).read_bytes()))[0]
