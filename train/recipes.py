"""How each architecture is trained by default: plain data, which `python -m train` reads to check its flags
before it imports TensorFlow, so that a mistyped flag is answered at once."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """How an architecture is trained by default."""

    epochs: int
    augment: bool  # random distortions of every batch (train/augment.py)
    synthetic: str = "none"  # which digits made here are added to MNIST: a key of train/synthetic.py's KINDS
    batch_size: int = 64
    learning_rate: float = 1e-3
    # The share of each label spread evenly over the ten digits (Keras's label smoothing): a little keeps the model
    # from giving 100 % to what it has never seen, so that its wrong readings of other hands come less sure.
    label_smoothing: float = 0.0
    # Numbers drawn to cut with the contract's candidates, whose wrong cuts the model learns to be unsure of
    # (train/cut_examples.py); 0 for none.
    cut_numbers: int = 0


RECIPES = {
    "cnn3": Recipe(epochs=40, augment=True, synthetic="all", label_smoothing=0.005),
    # cnn3's, and the wrong cuts of 3,000 numbers: a version that reads numbers by their cuts (docs/training.md).
    "cnn3h": Recipe(epochs=40, augment=True, synthetic="all", label_smoothing=0.005, cut_numbers=3000),  # the default
    "cnn": Recipe(epochs=60, augment=True),
    "mlp": Recipe(epochs=10, augment=False),  # a baseline: plain MNIST, a few epochs
}
