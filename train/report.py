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
    titles = [f"{labels[index]} → {evaluation.predicted[index]}" for index in shown]
    return grid(images[shown], titles, f"{len(wrong)} misread test digits (true → read)", path, colour="firebrick")


def corrections(images: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """A grid of the corrections trained on, each titled with the digit it is said to be, for a person to check
    before the model goes live."""
    titles = [str(label) for label in labels]
    return grid(images, titles, f"{len(images)} corrections trained on, each titled with its label", path)


def grid(images: np.ndarray, titles: list[str], heading: str, path: Path, colour: str = "black") -> Path:
    """The images in rows of ten, each under its title, as a PNG."""
    columns = 10
    rows = max(1, int(np.ceil(len(images) / columns)))
    figure, cells = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3), squeeze=False)
    for axes in cells.ravel():
        axes.axis("off")
    for axes, image, title in zip(cells.ravel(), images, titles, strict=False):  # fewer images than cells
        axes.imshow(image, cmap="gray_r", vmin=0, vmax=255)
        axes.set_title(title, fontsize=9, color=colour)
    figure.suptitle(heading)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path


def proxies(results: dict[str, dict], path: Path, title: str) -> Path:
    """The proxy sets' accuracy, overall and per digit, as a table of shaded cells (blank for a digit a set
    lacks)."""
    names = list(results)
    cells = np.array([[np.nan if a is None else a for a in r["per_class_accuracy"]] + [r["accuracy"]]
                      for r in results.values()], dtype=float)  # fmt: skip
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(names) + 1.2))
    axes.imshow(cells, cmap="RdYlGn", vmin=0.5, vmax=1.0, aspect="auto")
    for (row, column), value in np.ndenumerate(cells):
        if not np.isnan(value):
            axes.text(column, row, f"{value:.0%}", ha="center", va="center", fontsize=8)
    axes.set_xticks(range(11), [*map(str, range(10)), "all"])
    axes.set_yticks(range(len(names)), [f"{name} ({results[name]['images']})" for name in names])
    axes.set_title(f"{title}: proxy sets, read right per digit")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
