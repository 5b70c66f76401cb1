"""site/pixels.js, the page's port of the pixel contract, run in Node, against function/digit/pixels.py: the same
pictures give the same 784 values, and the same pictures of numbers the same split and the same digits."""

import base64
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from digit.pixels import EmptyImageError, clean_ink, ink_map, to_mnist
from digit.split import label_digits, to_mnist_digits
from train import numbers

RUNNER = Path(__file__).with_name("pixels.mjs")


def opaque(grey: np.ndarray) -> np.ndarray:
    """A grey picture as RGBA without transparency, as a photo or a scan would be."""
    grey = np.clip(grey, 0, 255).astype(np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def ink_on_transparent(level: np.ndarray, colour=(0, 0, 0)) -> np.ndarray:
    """Ink of one colour whose opacity is `level`, on a transparent canvas, as a browser canvas gives it."""
    rgba = np.zeros((*level.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = np.clip(level, 0, 255)
    return rgba


def on_paper(digit: np.ndarray, height: int, width: int, top: int, left: int) -> np.ndarray:
    """A white-on-black digit as dark ink on a larger sheet of white paper, at (top, left)."""
    paper = np.full((height, width), 255.0)
    paper[top : top + digit.shape[0], left : left + digit.shape[1]] -= digit
    return paper


def enlarge(digit: np.ndarray, factor: int) -> np.ndarray:
    return np.kron(digit, np.ones((factor, factor)))


def spread(image: np.ndarray, radius: int, reduce: Callable = np.maximum) -> np.ndarray:
    """Dilation (np.maximum) or erosion (np.minimum) with a square of side 2 * radius + 1."""
    padded = np.pad(image, radius, mode="edge")
    height, width = image.shape
    shifts = [padded[dy : dy + height, dx : dx + width] for dy in range(2 * radius + 1) for dx in range(2 * radius + 1)]
    return reduce.reduce(shifts)


def shrink(digit: np.ndarray, factor: int) -> np.ndarray:
    height, width = digit.shape
    return digit.reshape(height // factor, factor, width // factor, factor).mean(axis=(1, 3))


def random_pictures(count: int) -> list[np.ndarray]:
    """Noise of every kind, to reach the rarely taken branches (alpha mattes, inversion, odd sizes)."""
    rng = np.random.default_rng(5)
    pictures = []
    for _ in range(count):
        shape = (rng.integers(1, 90), rng.integers(1, 90), 4)
        picture = rng.integers(0, 256, shape)
        picture[..., 3] = np.where(rng.random(shape[:2]) < 0.5, 255, picture[..., 3])
        pictures.append(picture.astype(np.uint8))
    return pictures


# Each case turns the sample of MNIST digits into a list of RGBA pictures.
CASES: dict[str, Callable[[np.ndarray], list[np.ndarray]]] = {
    "mnist": lambda digits: [opaque(digit) for digit in digits],
    "huge": lambda digits: [opaque(255 - enlarge(digit, 20)) for digit in digits[:3]],
    "off-centre": lambda digits: [opaque(on_paper(enlarge(d, 4), 400, 300, 250, 7)) for d in digits[:5]],
    "tiny": lambda digits: [opaque(on_paper(shrink(d, 4), 120, 200, 3, 150)) for d in digits[:5]],
    "thin": lambda digits: [opaque(spread(enlarge(d, 8), 3, np.minimum)) for d in digits[:5]],
    "thick": lambda digits: [opaque(on_paper(spread(enlarge(d, 8), 12), 300, 300, 20, 40)) for d in digits[:5]],
    "canvas": lambda digits: [ink_on_transparent(enlarge(digit, 6)) for digit in digits[:10]],
    "coloured": lambda digits: [ink_on_transparent(enlarge(d, 3), (200, 40, 30)) for d in digits[:5]],
    "random": lambda digits: random_pictures(30),
    "empty": lambda digits: [opaque(np.full((50, 80), 255)), opaque(np.full((9, 9), 128)), np.zeros((20, 20, 4))],
    "faint": lambda digits: [opaque(on_paper(np.full((4, 4), 20), 30, 30, 5, 5))],
}


def side_by_side(digits: list[np.ndarray], gaps: list[int]) -> np.ndarray:
    """White-on-black digits in a row on black, `gaps[i]` columns before digit i (negative: they overlap)."""
    width = sum(digit.shape[1] for digit in digits) + sum(gaps) + 20
    row = np.zeros((max(digit.shape[0] for digit in digits) + 20, width))
    left = 10
    for digit, gap in zip(digits, gaps, strict=True):
        left += gap
        region = row[10 : 10 + digit.shape[0], left : left + digit.shape[1]]
        np.maximum(region, digit, out=region)
        left += digit.shape[1]
    return row


def joined(digits: list[np.ndarray]) -> np.ndarray:
    """Digits in a row, each crossing into the next by a few columns, with a stroke along the middle joining them."""
    row = side_by_side([numbers.ink_box(digit) for digit in digits], [0] + [-3] * (len(digits) - 1))
    row[row.shape[0] // 2, 10:-10] = 255
    return row


def proxy_numbers(digits: np.ndarray) -> list[np.ndarray]:
    """Numbers as the measure of numbers makes them (varied heights, gaps and slants), as dark ink on paper."""
    rng = np.random.default_rng(3)
    return [numbers.compose(list(digits[i : i + 4]), [0] * 4, rng).picture for i in range(0, 7, 2)]


def specks(image: np.ndarray) -> np.ndarray:
    """The picture with a dot, a dash and dust scattered between and around its digits."""
    speckled = image.copy()
    speckled[::37, ::23] = 255
    speckled[2:4, 2:30] = 255
    return speckled


# Pictures of numbers: each turns the ten MNIST digits into a list of RGBA pictures.
NUMBER_CASES: dict[str, Callable[[np.ndarray], list[np.ndarray]]] = {
    "gaps": lambda digits: [opaque(255 - side_by_side(list(digits[i : i + 5]), [0, 3, 1, 6, 2])) for i in (0, 5)],
    "one digit": lambda digits: [opaque(255 - enlarge(digit, 3)) for digit in digits[:4]],
    "heights": lambda digits: [opaque(255 - side_by_side([enlarge(digits[1], 2), enlarge(digits[0], 4)], [0, 5]))],
    "touching": lambda digits: [opaque(255 - joined(list(digits[2:6])))],
    "proxy": lambda digits: [opaque(number) for number in proxy_numbers(digits)],
    "canvas": lambda digits: [ink_on_transparent(enlarge(side_by_side(list(digits[3:9]), [0, 2, 4, 2, 4, 2]), 4))],
    "specks": lambda digits: [opaque(255 - specks(enlarge(side_by_side(list(digits[:4]), [0, 9, 9, 9]), 2)))],
    "random": lambda digits: random_pictures(30),
    "empty": lambda digits: [opaque(np.full((50, 80), 255)), np.zeros((20, 20, 4))],
}


def python_result(picture: np.ndarray, number: bool = False) -> list[int] | dict:
    try:
        if not number:
            return to_mnist(picture).ravel().tolist()
        _, boxes = label_digits(clean_ink(ink_map(picture)))
        return {"digits": to_mnist_digits(picture).reshape(-1, 784).tolist(), "boxes": boxes}
    except EmptyImageError as error:
        return {"empty": str(error)}


def node_results(pictures: list[np.ndarray], number: bool = False) -> list[list[int] | dict]:
    """Runs every picture through site/pixels.js in one Node process, as a digit or as a number."""
    request = [
        {
            "width": p.shape[1],
            "height": p.shape[0],
            "rgba": base64.b64encode(p.astype(np.uint8).tobytes()).decode(),
            "number": number,
        }
        for p in pictures
    ]
    done = subprocess.run(["node", RUNNER], input=json.dumps(request), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def one_of_each(mnist_sample) -> np.ndarray:
    images, labels = mnist_sample
    return np.stack([images[np.flatnonzero(labels == digit)[0]] for digit in range(10)])


@pytest.fixture(scope="module")
def pictures(one_of_each) -> dict[str, list[np.ndarray]]:
    return {name: make(one_of_each) for name, make in CASES.items()}


@pytest.fixture(scope="module")
def number_pictures(one_of_each) -> dict[str, list[np.ndarray]]:
    return {name: make(one_of_each) for name, make in NUMBER_CASES.items()}


def by_case(pictures: dict[str, list[np.ndarray]], number: bool) -> dict[str, list]:
    """Node's result for every picture, by case, from one Node process."""
    names = [name for name, group in pictures.items() for _ in group]
    results = node_results([picture for group in pictures.values() for picture in group], number)
    return {name: [result for n, result in zip(names, results, strict=True) if n == name] for name in pictures}


@pytest.fixture(scope="module")
def from_node(pictures) -> dict[str, list]:
    return by_case(pictures, number=False)


@pytest.fixture(scope="module")
def numbers_from_node(number_pictures) -> dict[str, list]:
    return by_case(number_pictures, number=True)


@pytest.mark.parametrize("case", CASES)
def test_the_page_and_the_function_turn_a_picture_into_the_same_pixels(case, pictures, from_node):
    for picture, js in zip(pictures[case], from_node[case], strict=True):
        python = python_result(picture)
        if isinstance(python, dict) or isinstance(js, dict):
            assert js == python  # both found no digit, for the same reason
        else:
            assert np.abs(np.array(js) - np.array(python)).max() <= 1  # float sums may differ in the last bit


def test_the_cases_cover_digits_and_empty_pictures(pictures, from_node):
    """Guards the test above against passing vacuously: most pictures are digits, and the empties are empty."""
    digits = ("mnist", "huge", "off-centre", "tiny", "thin", "thick", "canvas", "coloured")
    assert all(isinstance(result, list) for name in digits for result in from_node[name])
    assert [result["empty"] for result in from_node["empty"] + from_node["faint"]] == [
        "the image has no ink: draw or write a digit",
        "the image has no ink: draw or write a digit",
        "the image is fully transparent",
        "the image has no ink: draw or write a digit",
    ]


@pytest.mark.parametrize("case", NUMBER_CASES)
def test_the_page_and_the_function_split_a_number_into_the_same_digits(case, number_pictures, numbers_from_node):
    for picture, js in zip(number_pictures[case], numbers_from_node[case], strict=True):
        python = python_result(picture, number=True)
        if "empty" in python or "empty" in js:
            assert js == python
        else:
            assert js["boxes"] == python["boxes"]  # the same split, pixel for pixel
            assert np.abs(np.array(js["digits"]) - np.array(python["digits"])).max() <= 1


def test_the_number_cases_cover_splits_of_every_kind(number_pictures, numbers_from_node):
    """Guards the test above against passing vacuously: the numbers split into as many digits as drawn (touching
    digits into one), the specks are dropped, and the random pictures split into many marks and into few."""
    counts = {name: [len(result.get("boxes", [])) for result in results] for name, results in numbers_from_node.items()}
    assert counts["gaps"] == [5, 5]
    assert counts["one digit"] == [1, 1, 1, 1]
    assert counts["heights"] == [2]
    assert counts["touching"] == [1]
    assert counts["proxy"] == [4, 4, 4, 4]
    assert counts["canvas"] == [6]
    assert counts["specks"] == [4]
    assert max(counts["random"]) > 5 and min(counts["random"]) == 1
    assert [result["empty"] for result in numbers_from_node["empty"]] == [
        "the image has no ink: draw or write a digit",
        "the image is fully transparent",
    ]
