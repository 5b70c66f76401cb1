"""The pictures in examples/, which the README and the docs send to the function, are exactly what
`python -m examples` makes from the held-out digits (so they can be made again, and nothing in them comes from
elsewhere), and together stay small enough to keep in the repository; and the README's digit (examples/one.py)
is the stroke it says, on the pixel contract's grid."""

import hashlib
import subprocess
import sys

import numpy as np

from checkout import ROOT
from digit.pixels import SIZE
from examples import one
from examples.__main__ import FOLDER, pictures

SCRIPT = {"__init__.py", "__main__.py", "one.py"}


def test_the_examples_are_what_the_script_makes_from_the_held_out_digits(held_out):
    made = pictures(*held_out)
    kept = {path.name: path.read_bytes() for path in FOLDER.iterdir() if path.is_file() and path.name not in SCRIPT}
    assert set(kept) == set(made) == {"seven.png", "year.png", "photo.jpg"}
    digest = {name: hashlib.sha256(content).hexdigest() for name, content in made.items()}
    assert {name: hashlib.sha256(content).hexdigest() for name, content in kept.items()} == digest


def test_the_readme_s_digit_is_a_vertical_stroke_in_column_14_rows_4_to_23_of_the_contract_s_grid():
    assert one.SIZE == SIZE  # copied on purpose: the module runs where numpy, which digit/pixels.py needs, is not
    stroke = np.zeros((SIZE, SIZE), dtype=int)
    stroke[4:24, 14] = 255
    assert one.PIXELS == stroke.ravel().tolist()
    printed = subprocess.run([sys.executable, "-m", "examples.one"], cwd=ROOT, capture_output=True, text=True)
    assert printed.returncode == 0 and printed.stdout == ",".join(map(str, stroke.ravel())) + "\n"


def test_the_examples_weigh_under_100_kb_together():
    assert sum(path.stat().st_size for path in FOLDER.iterdir() if path.name not in SCRIPT) < 100_000
