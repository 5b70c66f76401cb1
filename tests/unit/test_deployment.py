"""What deploy.sh asks of the function's Python (digit/deployment.py): the pointer it writes, the pointer it reads
back, and the check of a version's folder, which refuses what the function would refuse to load."""

import ast
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from checkout import ROOT, WEIGHTS
from digit.artefact import HISTORY_KEPT, METADATA_FILE, WEIGHTS_FILE, WeightsError, pointer
from digit.deployment import checked_version, live

VERSION = json.loads((WEIGHTS / METADATA_FILE).read_text())["version"]


def test_the_pointer_names_the_version_the_ones_before_it_and_when_in_this_layout():
    written = pointer("cnn-b", ["cnn-a"], datetime(2026, 12, 1, 9, 30, 12, 500, tzinfo=UTC))
    assert written == b'{"version": "cnn-b", "history": ["cnn-a"], "set_at": "2026-12-01T09:30:12Z"}'


def test_the_pointer_keeps_the_latest_versions_before_it_and_no_more():
    earlier = [f"v{index}" for index in range(HISTORY_KEPT + 5)]
    assert json.loads(pointer("now", earlier))["history"] == earlier[-HISTORY_KEPT:]


def test_a_pointer_reads_back_as_its_version_then_the_versions_before_it_that_are_names():
    assert live(b'{"version": "cnn-b", "history": ["cnn-a", "../up", 7, "cnn-c"]}') == ["cnn-b", "cnn-a", "cnn-c"]
    assert live(b'{"history": ["cnn-a"]}') == ["", "cnn-a"]  # naming no version: one is written over it
    with pytest.raises(WeightsError):
        live(b"not json")


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "version"
    shutil.copytree(WEIGHTS, copy)
    return copy


def test_the_committed_version_passes_the_check_under_its_name(folder):
    assert checked_version(folder) == checked_version(folder, VERSION) == VERSION


def test_the_check_refuses_weights_that_are_not_those_of_the_metadata(folder):
    (folder / WEIGHTS_FILE).write_bytes(b"\0\0\0")
    with pytest.raises(WeightsError, match=rf"^{WEIGHTS_FILE} does not match {METADATA_FILE}: sha256 "):
        checked_version(folder)


def test_the_check_refuses_a_folder_of_another_version(folder):
    with pytest.raises(WeightsError) as refused:
        checked_version(folder, "cnn-000000000000")
    assert str(refused.value) == f"{METADATA_FILE} is not that of cnn-000000000000"


def test_the_check_refuses_a_version_whose_name_cannot_name_a_folder(folder):
    metadata = json.loads((folder / METADATA_FILE).read_text())
    (folder / METADATA_FILE).write_text(json.dumps({**metadata, "version": "../up"}))
    with pytest.raises(WeightsError) as refused:
        checked_version(folder)
    assert str(refused.value) == f"{METADATA_FILE} names '../up', which is not a version's name"


# Every module deploy.sh runs, and what they import of the checkout: deploy.sh needs python3 and nothing else.
RUN_BY_DEPLOY_SH = ["function/digit/deployment.py", "function/digit/artefact.py", "local/page.py", "checkout.py",
                    "examples/one.py"]  # fmt: skip


def test_deploy_sh_s_commands_answer_from_the_standard_library_alone(folder):
    """As deploy.sh runs it, the function's folder on the path, and no site-packages (-S) to import from."""
    command = [sys.executable, "-S", "-B", "-m", "digit.deployment", "check", str(folder)]
    checked = subprocess.run(command, cwd=ROOT, env={"PYTHONPATH": "function"}, capture_output=True, text=True)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, VERSION + "\n", "")
    imports = "import digit.deployment, local.page, examples.one"
    imported = subprocess.run([sys.executable, "-S", "-B", "-c", imports], cwd=ROOT, env={"PYTHONPATH": "function"})
    assert imported.returncode == 0


@pytest.mark.parametrize("module", RUN_BY_DEPLOY_SH)
def test_what_deploy_sh_runs_is_written_in_python_3_8_s_grammar(module):
    """The python3 a deployer has may be older than the function's (macOS ships 3.9). The grammar only: what
    3.8 lacks at run time, such as datetime.UTC, the modules avoid by hand."""
    ast.parse((ROOT / module).read_text(), feature_version=(3, 8))
