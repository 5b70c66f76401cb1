"""`python -m client` against the real function server, with picture files the tests write."""

import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from client.__main__ import main
from local import services

ANSWER = re.compile(r"(.+): (\d) \((\d+\.\d) %\)")  # FILE: DIGIT (PROBABILITY %)


@pytest.fixture(scope="module")
def digit_pictures(mnist_sample) -> dict[int, Image.Image]:
    """A real MNIST 7, 2 and 3, as light ink on a dark background, each 280x280."""
    images, labels = mnist_sample
    return {
        digit: Image.fromarray(images[np.flatnonzero(labels == digit)[0]].astype(np.uint8)).resize((280, 280))
        for digit in (7, 2, 3)
    }


def test_pngs_and_jpegs_of_any_size_and_either_polarity_are_read(digit_pictures, function_url, tmp_path):
    seven, two, three = (digit_pictures[digit] for digit in (7, 2, 3))
    Image.eval(seven, lambda level: 255 - level).save(tmp_path / "seven.png")  # dark on light
    two.convert("RGB").save(tmp_path / "two.jpg", quality=90)  # light on dark
    photo = Image.new("L", (2400, 1800), 235)  # 4.3 Mpx, over the function's own 1 Mpx limit
    photo.paste(Image.eval(three.resize((1200, 1200)), lambda level: 235 - level * 200 // 255), (600, 300))
    photo.save(tmp_path / "three-photo.jpg", quality=85)
    files = [str(tmp_path / name) for name in ("seven.png", "two.jpg", "three-photo.jpg")]

    result = subprocess.run(
        [sys.executable, "-m", "client", *files, "--url", function_url],
        cwd=services.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert (result.returncode, result.stderr) == (0, "")
    lines = [ANSWER.fullmatch(line) for line in result.stdout.splitlines()]
    assert [(line[1], int(line[2])) for line in lines] == list(zip(files, [7, 2, 3], strict=True))
    assert all(50 < float(line[3]) <= 100 for line in lines)


def test_unreadable_files_are_named_and_the_others_still_read(digit_pictures, function_url, tmp_path, capsys):
    digit_pictures[7].save(tmp_path / "seven.png")
    Image.new("L", (200, 200), 255).save(tmp_path / "blank.png")
    (tmp_path / "notes.png").write_text("not a picture")

    files = [str(tmp_path / name) for name in ("blank.png", "seven.png", "notes.png", "missing.png")]
    code = main([*files, "--url", function_url])

    out, err = capsys.readouterr()
    assert code == 1
    assert ANSWER.fullmatch(out.strip()).group(1, 2) == (f"{tmp_path}/seven.png", "7")
    assert err.splitlines() == [
        f"{tmp_path}/blank.png: the image has no ink: draw or write a digit",
        f"{tmp_path}/notes.png: the data is not a readable PNG or JPEG image",
        f"{tmp_path}/missing.png: No such file or directory",
    ]


def test_the_function_s_refusal_is_shown_with_its_message(digit_pictures, function_url, tmp_path, capsys):
    digit_pictures[2].save(tmp_path / "two.png")
    code = main([str(tmp_path / "two.png")] * 257 + ["--url", function_url])  # the function takes 256 at most

    assert code == 1
    assert capsys.readouterr() == (
        "",
        f"{function_url} answered 400: images: 257 images sent, at most 256 per request\n",
    )


def test_an_unreachable_url_is_reported(digit_pictures, tmp_path, capsys):
    digit_pictures[2].save(tmp_path / "two.png")
    nowhere = f"http://127.0.0.1:{services.free_port()}"

    assert main([str(tmp_path / "two.png"), "--url", nowhere]) == 1
    assert capsys.readouterr() == (
        "",
        f"cannot reach {nowhere} ([Errno 111] Connection refused): start make demo, or give the function's URL "
        "with --url\n",
    )
