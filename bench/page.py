"""The page: how long the JS pixel contract takes per drawing, and what the page weighs."""

import base64
import json
import re
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from checkout import SITE
from local.page import NOT_THE_PAGE


def pad_constant(name: str) -> float:
    """A number site/pad.js defines (`const NAME = 0.18;`), read from the file: the page is its one source."""
    return float(re.search(rf"^const {name} = ([\d.]+);", (SITE / "pad.js").read_text(), re.MULTILINE)[1])


# The side of pad.js's rendering for the model of a digit as tall as it is wide: its span and, on each side, a
# margin of one line width (Pad.render).
RENDERING = round(pad_constant("MODEL_SPAN") * (1 + 2 * pad_constant("MODEL_LINE_WIDTH")))


# The most the page may weigh, every file it is published with together (50 KiB), so that a phone on a slow
# connection shows it quickly; tests/unit/test_site_weight.py holds it there.
MOST_BYTES = 50 * 1024


def measure(digit: np.ndarray, runs: int) -> dict[str, str]:
    """The page's pixel contract's median time on `digit` drawn as the page renders it, and the page's
    weight."""
    weight = site_weight()
    return {"pixels": f"{pixel_contract_ms(digit, runs):.2f} ms", "weight": f"{weight:,} bytes"}


def pixel_contract_ms(digit: np.ndarray, runs: int) -> float:
    """site/pixels.js run in Node on a 28x28 digit enlarged to the page's rendering: black ink on a
    transparent canvas, as pad.js draws it."""
    ink = np.asarray(Image.fromarray(digit.astype(np.uint8)).resize((RENDERING, RENDERING), Image.BILINEAR))
    rgba = np.zeros((RENDERING, RENDERING, 4), np.uint8)
    rgba[..., 3] = ink
    picture = {"width": RENDERING, "height": RENDERING, "rgba": base64.b64encode(rgba.tobytes()).decode(), "runs": runs}
    script = Path(__file__).with_name("pixels.mjs")
    done = subprocess.run(["node", str(script)], input=json.dumps(picture), capture_output=True, text=True, check=True)
    return float(done.stdout)


def site_weight(directory: Path = SITE) -> int:
    """The page's bytes: every file that stage_site takes from `directory`. config.js is never one of them: the
    one line that deploy.sh and the demo generate, its size depends on where the function is."""
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file() and path.name not in NOT_THE_PAGE)
