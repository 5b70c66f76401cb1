"""The evaluation report a person looks at: the confusion matrix and the misread test digits, as PNGs."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mlxtend.plotting import plot_confusion_matrix  # noqa: E402

from train.fit import Evaluation  # noqa: E402

MAX_MISREAD_SHOWN = 60


def write(evaluation: Evaluation, images: np.ndarray, labels: np.ndarray, out: Path, title: str) -> list[Path]:
    """Writes confusion.png and misread.png into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    return [
        confusion(evaluation, out / "confusion.png", title),
        misread(evaluation, images, labels, out / "misread.png"),
    ]


def confusion(evaluation: Evaluation, path: Path, title: str) -> Path:
    figure, axes = plot_confusion_matrix(conf_mat=evaluation.confusion, figsize=(7, 7), class_names=list(range(10)))
    axes.set_title(f"{title}: {evaluation.accuracy:.2%} correct")
    axes.set_xlabel("predicted digit")
    axes.set_ylabel("true digit")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path


def misread(evaluation: Evaluation, images: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """A grid of the test digits the model got wrong, each titled `true → predicted`."""
    wrong = np.flatnonzero(evaluation.predicted != labels)
    shown = wrong[:MAX_MISREAD_SHOWN]
    columns = 10
    rows = max(1, int(np.ceil(len(shown) / columns)))
    figure, grid = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3), squeeze=False)
    for axes in grid.ravel():
        axes.axis("off")
    for axes, index in zip(grid.ravel(), shown, strict=False):  # fewer misread digits than cells
        axes.imshow(images[index], cmap="gray_r", vmin=0, vmax=255)
        axes.set_title(f"{labels[index]} → {evaluation.predicted[index]}", fontsize=9, color="firebrick")
    figure.suptitle(f"{len(wrong)} misread test digits (true → read)")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
