"""`python -m client` against the real function server, with picture files the tests write (and against a
stand-in that answers oddly)."""

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

import checkout
import client.__main__
from client.__main__ import main
from digit.payload import MAX_DIGITS, MAX_IMAGES
from local import services

ANSWER = re.compile(r"(.+): (\d) \((\d+\.\d) %\)")  # FILE: DIGIT (PROBABILITY %)
NUMBER = re.compile(r"(.+): (\d+) \((.+)\)")  # FILE: NUMBER (DIGIT: PROBABILITY %, ...)
DIGIT = re.compile(r"(\d): (\d+) %")


def run_client(*arguments: str) -> subprocess.CompletedProcess:
    """`python -m client` as a person runs it, from the checkout."""
    return subprocess.run(
        [sys.executable, "-m", "client", *arguments], cwd=checkout.ROOT, capture_output=True, text=True, timeout=120
    )


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

    result = run_client(*files, "--url", function_url)

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


def test_more_files_than_a_request_may_hold_are_sent_in_several(digit_pictures, function_url, tmp_path, capsys):
    digit_pictures[2].save(tmp_path / "two.png")
    code = main([str(tmp_path / "two.png")] * (MAX_IMAGES + 1) + ["--url", function_url])  # one too many for one

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert [ANSWER.fullmatch(line).group(1, 2) for line in out.splitlines()] == [(f"{tmp_path}/two.png", "2")] * (
        MAX_IMAGES + 1
    )


def test_the_function_s_refusal_is_shown_with_its_message(digit_pictures, function_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(client.__main__, "MAX_IMAGES", MAX_IMAGES + 1)  # a client that asks for more than allowed
    digit_pictures[2].save(tmp_path / "two.png")
    code = main([str(tmp_path / "two.png")] * (MAX_IMAGES + 1) + ["--url", function_url])

    assert code == 1
    assert capsys.readouterr() == (
        "",
        f"{function_url} answered 400: images: 257 images sent, at most 256 per request\n",
    )


@pytest.fixture(scope="module")
def number_pictures(mnist_sample) -> dict[str, Image.Image]:
    """MNIST digits side by side, as dark ink on light paper, three times their size."""
    images, labels = mnist_sample

    def number(digits: str) -> Image.Image:
        row = np.hstack([images[labels == int(digit)][0] for digit in digits]).astype(np.uint8)
        return Image.eval(Image.fromarray(row), lambda level: 255 - level).resize((84 * len(digits), 84))

    return {digits: number(digits) for digits in ("1984", "7", "2026")}


def test_pictures_of_numbers_are_read_with_each_digit_s_probability(number_pictures, function_url, tmp_path):
    number_pictures["1984"].save(tmp_path / "year.png")
    number_pictures["7"].save(tmp_path / "seven.png")
    photo = Image.new("L", (3000, 1000), 230)  # 3 Mpx, over the function's own 1 Mpx limit: sent shrunk
    photo.paste(number_pictures["2026"].resize((2000, 500)), (400, 250))
    photo.save(tmp_path / "photo.jpg", quality=90)
    files = [str(tmp_path / name) for name in ("year.png", "seven.png", "photo.jpg")]

    result = run_client("--number", *files, "--url", function_url)

    assert (result.returncode, result.stderr) == (0, "")
    lines = [NUMBER.fullmatch(line) for line in result.stdout.splitlines()]
    assert [(line[1], line[2]) for line in lines] == list(zip(files, ["1984", "7", "2026"], strict=True))
    for line in lines:
        digits = [DIGIT.fullmatch(part) for part in line[3].split(", ")]
        assert [digit[1] for digit in digits] == list(line[2])
        assert all(50 <= int(digit[2]) <= 100 for digit in digits)


def test_numbers_the_function_refuses_and_unreadable_files_are_named_and_the_others_still_read(
    number_pictures, function_url, tmp_path, capsys
):
    number_pictures["1984"].save(tmp_path / "year.png")
    Image.new("L", (200, 100), 255).save(tmp_path / "blank.png")
    bars = np.full((60, 12 * (MAX_DIGITS + 1)), 255, dtype=np.uint8)
    bars[10:50, 4::12] = bars[10:50, 5::12] = bars[10:50, 6::12] = 0
    Image.fromarray(bars).save(tmp_path / "bars.png")
    (tmp_path / "notes.png").write_text("not a picture")

    names = ("blank.png", "year.png", "bars.png", "notes.png", "missing.png")
    code = main(["--number", *(str(tmp_path / name) for name in names), "--url", function_url])

    out, err = capsys.readouterr()
    assert code == 1
    assert NUMBER.fullmatch(out.strip()).group(1, 2) == (f"{tmp_path}/year.png", "1984")
    assert err.splitlines() == [
        f"{tmp_path}/blank.png: the image has no ink: draw or write a digit",
        f"{tmp_path}/bars.png: {MAX_DIGITS + 1} digits found; a number is read up to {MAX_DIGITS} digits",
        f"{tmp_path}/notes.png: the data is not a readable PNG or JPEG image",
        f"{tmp_path}/missing.png: No such file or directory",
    ]


@contextmanager
def function_answering(answer: dict) -> Iterator[str]:
    """A stand-in for the function, at the URL given: every POST is answered 200 with `answer`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass  # not on the test's stderr

    with ThreadingHTTPServer((services.HOST, 0), Handler) as server:
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})  # a quick shutdown
        serving.start()
        try:
            yield f"http://{services.HOST}:{server.server_port}"
        finally:
            server.shutdown()
            serving.join()


ODD_NUMBERS = [
    {"number": "12", "digits": [{"prediction": 1, "probabilities": [0.1] * 10}]},
    {"number": "", "digits": []},
    {"prediction": 7, "probabilities": [0.1] * 10},
]


@pytest.mark.parametrize("answer", ODD_NUMBERS, ids=["number-not-its-digits", "no-digit", "a-digit"])
def test_an_answer_not_shaped_as_a_number_is_reported(number_pictures, tmp_path, capsys, answer):
    number_pictures["7"].save(tmp_path / "seven.png")
    with function_answering(answer) as url:
        code = main(["--number", str(tmp_path / "seven.png"), str(tmp_path / "seven.png"), "--url", url])

    assert code == 1
    assert capsys.readouterr() == ("", f"{url} did not answer as the Digit function does; is --url right?\n")


@pytest.mark.parametrize(
    "files,answer",
    [
        (1, {"prediction": 12, "probabilities": [0.1] * 10}),
        (2, {"predictions": [7], "probabilities": [[0.1] * 10]}),
        (1, {"prediction": 7, "probabilities": [0.5]}),
        (1, {"prediction": "7", "probabilities": [0.1] * 10}),
    ],
    ids=["digit-12", "fewer-predictions", "short-probabilities", "digit-as-text"],
)
def test_an_answer_not_shaped_as_the_function_s_is_reported(digit_pictures, tmp_path, capsys, files, answer):
    digit_pictures[2].save(tmp_path / "two.png")
    with function_answering(answer) as url:
        code = main([str(tmp_path / "two.png")] * files + ["--url", url])

    assert code == 1
    assert capsys.readouterr() == ("", f"{url} did not answer as the Digit function does; is --url right?\n")


@pytest.mark.parametrize("mode", [[], ["--number"]], ids=["digits", "numbers"])
def test_an_unreachable_url_is_reported_once(digit_pictures, tmp_path, capsys, mode):
    digit_pictures[2].save(tmp_path / "two.png")
    nowhere = f"http://127.0.0.1:{services.free_port()}"

    assert main([*mode, str(tmp_path / "two.png"), str(tmp_path / "two.png"), "--url", nowhere]) == 1
    assert capsys.readouterr() == (
        "",
        f"cannot reach {nowhere} ([Errno 111] Connection refused): start make demo, or give the function's URL "
        "with --url\n",
    )
