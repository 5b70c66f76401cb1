"""The page: how long the JS pixel contract takes per drawing, and what the page weighs."""

import base64
import json
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from local import services

RENDERING = 272  # the side of pad.js's rendering for the model: 200 px of digit and its margins


def measure(digit: np.ndarray, runs: int) -> dict[str, str]:
    """The normaliser's median time on `digit` drawn as the page renders it, and the page's weight."""
    weight = services.site_weight()
    return {"normaliser": f"{normaliser_ms(digit, runs):.2f} ms", "weight": f"{weight / 1024:.1f} KB"}


def normaliser_ms(digit: np.ndarray, runs: int) -> float:
    """site/mnist.js run in Node on a 28x28 digit enlarged to the page's rendering: black ink on a
    transparent canvas, as pad.js draws it."""
    ink = np.asarray(Image.fromarray(digit.astype(np.uint8)).resize((RENDERING, RENDERING), Image.BILINEAR))
    rgba = np.zeros((RENDERING, RENDERING, 4), np.uint8)
    rgba[..., 3] = ink
    picture = {"width": RENDERING, "height": RENDERING, "rgba": base64.b64encode(rgba.tobytes()).decode(), "runs": runs}
    script = Path(__file__).with_name("normaliser.mjs")
    done = subprocess.run(["node", str(script)], input=json.dumps(picture), capture_output=True, text=True, check=True)
    return float(done.stdout)
