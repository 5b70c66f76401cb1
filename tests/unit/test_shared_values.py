"""Values that Python, the shell, make and the page must share, held in one place each and read by the others,
or, where a language cannot read another's, checked here to agree."""

import re

import pytest

from checkout import DEMO_ENV, FUNCTION_ENV, ROOT, SITE
from digit import pixels, split


@pytest.mark.parametrize(("variable", "folder"), [("FUNCTION_VENV", FUNCTION_ENV), ("DEMO_VENV", DEMO_ENV)])
def test_the_environments_are_where_the_makefile_builds_them(variable, folder):
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{variable} := (\S+)$", makefile, re.MULTILINE)[1] == folder.name


@pytest.mark.parametrize(
    "port, module, names",
    [
        ("pixels.js", pixels, {"SIZE", "FIT", "CENTRE", "NOISE_FLOOR", "MIN_CONTRAST"}),
        ("split.js", split, {"SPECK", "LOW", "OVERLAP"}),
    ],
)
def test_the_page_s_pixel_contract_has_the_function_s_constants(port, module, names):
    page = (SITE / port).read_text()
    constants = dict(re.findall(r"^export const ([A-Z_]+) = ([\d.]+);", page, re.MULTILINE))
    assert set(constants) == names
    assert {name: float(value) for name, value in constants.items()} == {
        name: float(getattr(module, name)) for name in constants
    }
