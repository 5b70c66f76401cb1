"""`./deploy.sh check` against a real function (functions-framework serving function/main.py, its models in the
storage emulator), the fake gcloud reporting that function's URL: it passes, naming the model, when the function
works; it fails, saying why, when the function is down, reads the digit wrong or refuses the page's origin; it
waits for a function not ready yet. A full deploy ends by running it, unless told not to; a dry run never does."""

import json
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import h5py
import numpy as np
import pytest

from checkout import ROOT, WEIGHTS
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, sha256
from digit.deployment import RETRY_SECONDS
from local import services
from tests.deploy.conftest import BASH, PROJECT_AND_REGION, FakeCloud
from tests.helpers import ONE, csv

CHECK = ["check", *PROJECT_AND_REGION]
SITE_ORIGIN = "https://storage.googleapis.com"  # deploy.sh's: the page's origin once published
METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
SERVED = METADATA["version"]
NOT_JSON = "not JSON"  # the body the check sends as a malformed one


def refusal(url: str) -> str:
    """The function's own message for NOT_JSON, as the check prints it."""
    try:
        urllib.request.urlopen(url, data=NOT_JSON.encode(), timeout=30)
    except urllib.error.HTTPError as refused:
        return json.load(refused)["error"]
    raise AssertionError(f"{url} took {NOT_JSON!r}")


def checked(url: str, model: str = SERVED) -> list[str]:
    """The lines of the checks that a function at `url` serving `model` passes, where it collects no corrections."""
    return [
        f"ok      GET answers its health with a model loaded (the model {model})",
        f"ok      a POST of the README's 1 reads a 1 (by {model})",
        f'ok      a malformed POST gets a 400 with a JSON message ("{refusal(url)}")',
        f"ok      a CORS preflight from {SITE_ORIGIN} may POST (Access-Control-Allow-Origin: {SITE_ORIGIN})",
        "-       corrections are not collected here, so there is no correction to check",
    ]


@pytest.fixture(scope="module")
def corrections_bucket(gcs) -> str:
    return gcs.create_bucket("checked-corrections").name


@pytest.fixture(scope="module")
def working_url(weights_bucket, corrections_bucket, start_function) -> str:
    """A function as deploy.sh configures it: the page's origin allowed, corrections collected."""
    server = start_function(weights_bucket, ALLOWED_ORIGINS=SITE_ORIGIN, CORRECTIONS_BUCKET=corrections_bucket)
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


def answered_by(cloud: FakeCloud, url: str) -> FakeCloud:
    """The fake cloud, its function `digit` deployed at `url`."""
    cloud.change(functions=["digit"], function_urls={"digit": url})
    return cloud


def test_a_working_function_passes_every_check_and_the_last_line_names_its_model(
    cloud, working_url, gcs, corrections_bucket
):
    result = answered_by(cloud, working_url).deploy(*CHECK)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    step = f"==> Checking the function at {working_url} as the page and its users ask it"
    assert lines[lines.index(step) :] == [
        step,
        *checked(working_url)[:-1],
        f'ok      a malformed correction gets a 400, not a 404 ("{refusal(working_url + "/corrections")}")',
        "",
        f"The function at {working_url} works, serving the model {SERVED}.",
    ]
    assert result.stderr == ""
    assert cloud.calls() == [
        "auth list --filter=status:ACTIVE --format=value(account)",
        "projects describe demo-project --format=value(projectId)",
        "functions describe digit --gen2 --project=demo-project --region=europe-west1 "
        "--format=value(serviceConfig.uri)",
    ]
    assert list(gcs.list_blobs(corrections_bucket)) == []  # the check stores nothing


def test_where_corrections_are_not_collected_there_is_none_to_check(cloud, weights_bucket, start_function):
    server = start_function(weights_bucket, ALLOWED_ORIGINS=SITE_ORIGIN)

    result = answered_by(cloud, server.url).deploy(*CHECK)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-7:-2] == checked(server.url)


def test_a_function_that_is_down_fails_at_once_saying_so(cloud):
    nowhere = f"http://127.0.0.1:{services.free_port()}"

    result = answered_by(cloud, nowhere).deploy(*CHECK)

    assert result.returncode == 1
    failed = result.stdout.splitlines()[-1]
    assert failed.startswith("FAILED  GET answers its health with a model loaded: no answer: curl: (7) ")
    assert result.stderr.splitlines() == [
        "",
        f"deploy.sh: the function at {nowhere} failed 1 check(s): GET answers its health with a model loaded.",
        "The function's logs say more: gcloud functions logs read digit --gen2 --region=europe-west1 "
        "--project=demo-project",
    ]


def swapped(folder: Path, digit: int, other: int) -> Path:
    """A valid version made from the committed one, its output units for `digit` and `other` swapped: it reads
    every `digit` as `other`. Its self-check is the committed one with the same two columns swapped."""
    folder.mkdir()
    shutil.copy(WEIGHTS / WEIGHTS_FILE, folder / WEIGHTS_FILE)
    with h5py.File(folder / WEIGHTS_FILE, "r+") as weights:
        (output,) = [layer for layer in weights["layers"].values() if layer.get("vars/1", np.zeros(0)).shape == (10,)]
        for variable in output["vars"].values():  # the kernel's columns, the bias's values
            values = variable[...]
            values[..., [digit, other]] = values[..., [other, digit]]
            variable[...] = values
    checksum = sha256((folder / WEIGHTS_FILE).read_bytes())
    self_check = np.array(METADATA["self_check"]["probabilities"])
    self_check[:, [digit, other]] = self_check[:, [other, digit]]
    metadata = {
        **METADATA,
        "sha256": checksum,
        "version": f"{METADATA['arch']}-{checksum[:12]}",
        "self_check": {**METADATA["self_check"], "probabilities": self_check.tolist()},
    }
    (folder / METADATA_FILE).write_text(json.dumps(metadata))
    return folder


def test_a_function_that_reads_the_digit_wrong_fails_that_check(cloud, gcs, start_function, tmp_path):
    version = services.publish_version(gcs, "misreading", swapped(tmp_path / "swapped", 1, 7))
    server = start_function("misreading", ALLOWED_ORIGINS=SITE_ORIGIN)
    services.wait_until_loaded(server.url, timeout=60)
    answer = json.loads(
        urllib.request.urlopen(server.url, data=json.dumps({"image": csv(ONE)}).encode(), timeout=30).read()
    )
    assert (answer["prediction"], answer["model"]) == (7, version)  # as made: it serves, and reads the 1 as a 7

    result = answered_by(cloud, server.url).deploy(*CHECK)

    assert result.returncode == 1
    expected = checked(server.url, version)
    expected[1] = f"FAILED  a POST of the README's 1 reads a 1: it reads a 7, with the model {version}"
    assert result.stdout.splitlines()[-5:] == expected
    assert "failed 1 check(s): a POST of the README's 1 reads a 1.\n" in result.stderr


def test_a_function_that_refuses_the_page_s_origin_fails_that_check(cloud, weights_bucket, start_function):
    server = start_function(weights_bucket, ALLOWED_ORIGINS="https://example.com")

    result = answered_by(cloud, server.url).deploy(*CHECK)

    assert result.returncode == 1
    assert (
        f"FAILED  a CORS preflight from {SITE_ORIGIN} may POST: its Access-Control-Allow-Origin is 'absent': "
        "browsers would refuse the page's requests"
    ) in result.stdout.splitlines()
    assert f"failed 1 check(s): a CORS preflight from {SITE_ORIGIN} may POST.\n" in result.stderr


def test_a_function_without_its_model_yet_is_asked_again_until_it_has_one(cloud, gcs, start_function):
    gcs.create_bucket("late")  # its read permission still spreading, say: no version to read yet
    server = start_function("late", ALLOWED_ORIGINS=SITE_ORIGIN, RETRY_SECONDS="1")
    check = answered_by(cloud, server.url).start(*CHECK)

    waiting = next(line for line in check.stdout if line.startswith("waiting: "))
    services.publish_version(gcs, "late", WEIGHTS)
    rest = check.stdout.read()

    assert check.wait(timeout=120) == 0, check.stderr.read()
    assert re.fullmatch(
        rf"waiting: it could not load its model: .*live\.json.*; asking again in {RETRY_SECONDS} s\n", waiting
    )
    assert rest.splitlines()[-1] == f"The function at {server.url} works, serving the model {SERVED}."


HOP_BY_HOP = ("host", "connection", "expect", "content-length", "transfer-encoding", "date", "server")


class FirstAnswer503(BaseHTTPRequestHandler):
    """In front of a function, as Cloud Run's front end is during a cold start: the first request gets a 503
    with Retry-After: 1, the others go through to the function."""

    function_url = ""
    answered = 0

    def do_GET(self) -> None:
        self.forward()

    def do_POST(self) -> None:
        self.forward()

    def do_OPTIONS(self) -> None:
        self.forward()

    def forward(self) -> None:
        type(self).answered += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if type(self).answered == 1:
            self.send_answer(503, {"Retry-After": "1"}, b'{"error": "the instance is starting"}')
            return
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        request = urllib.request.Request(self.function_url + self.path, body or None, headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                self.send_answer(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as refusal:
            self.send_answer(refusal.code, dict(refusal.headers), refusal.read())

    def send_answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cold_front(working_url) -> Iterator[str]:
    FirstAnswer503.function_url, FirstAnswer503.answered = working_url, 0
    server = ThreadingHTTPServer((services.HOST, 0), FirstAnswer503)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{services.HOST}:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_503_is_asked_again_after_its_retry_after_saying_so(cloud, cold_front):
    result = answered_by(cloud, cold_front).deploy(*CHECK)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "waiting: it answers 503: the instance is starting; asking again in 1 s" in lines
    assert lines[-1] == f"The function at {cold_front} works, serving the model {SERVED}."


def test_a_full_deploy_ends_by_checking_the_function(cloud, working_url):
    result = answered_by(cloud, working_url).deploy(*PROJECT_AND_REGION)

    assert result.returncode == 0, result.stdout + result.stderr
    deployed = result.stdout.index("\nDigit is deployed.\n")
    assert result.stdout.index("==> Checking the function at ") > deployed
    assert result.stdout.endswith(f"\nThe function at {working_url} works, serving the model {SERVED}.\n")


def test_a_full_deploy_fails_when_the_check_does_and_no_check_skips_it(cloud):
    answered_by(cloud, f"http://127.0.0.1:{services.free_port()}")

    checked = cloud.deploy(*PROJECT_AND_REGION)
    unchecked = cloud.deploy(*PROJECT_AND_REGION, "--no-check")

    assert checked.returncode == 1 and "FAILED  GET answers its health" in checked.stdout
    assert unchecked.returncode == 0 and "==> Checking the function" not in unchecked.stdout


def test_a_dry_run_never_asks_the_function(cloud, working_url):
    result = answered_by(cloud, working_url).deploy(*PROJECT_AND_REGION, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "==> Checking the function" not in result.stdout
    assert not [call for call in cloud.calls() if call.startswith("functions describe")]  # nor looks it up


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["check", "--project", "demo-project"], "--region is required"),
        ([*CHECK, "--dry-run"], "check takes --project, --region and --function only"),
        ([*CHECK, "--no-check"], "check takes --project, --region and --function only"),
        ([*CHECK, "--bucket", "w8"], "check takes --project, --region and --function only"),
        (["publish", "--project", "x", "--no-check"], "publish takes --project, --bucket and --dry-run only"),
    ],
)
def test_check_takes_the_flags_that_find_the_function_only(cloud, flags, message):
    cloud.assert_refused(flags, message)


def test_the_check_sends_the_readme_s_1():
    sourced = subprocess.run(
        [BASH, "-c", "source deploy/check.sh && known_pixels"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert sourced.stdout == csv(ONE) + "\n"
