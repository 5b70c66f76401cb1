"""The page as it is served and published, staged in a folder of its own: a copy of site/'s files but Node's
package.json (for the tests of the page's modules), with config.js, the one line that tells the page where the
function is. The local stack serves such a copy, and deploy.sh publishes one, staged by running this module:

    python3 -B -m local.page TARGET FUNCTION_URL

Standard library only, and Python 3.8's, for deploy.sh's python3. Nothing is ever written into site/.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from checkout import SITE

SITE_CONFIG = "config.js"  # written into each staged copy of the page, for the function that copy asks
# What is never staged from site/: Node's package.json, and a config.js, which only a staged copy may have.
NOT_THE_PAGE = ("package.json", SITE_CONFIG)


def site_config(function_url: str) -> str:
    """config.js: the one line that tells the page where the function is."""
    return f"export const API_URL = {json.dumps(function_url)};\n"


def write_site_config(function_url: str, directory: Path) -> Path:
    """site_config in `directory`'s config.js. No default folder: a caller that meant a staged copy must not
    write into the checkout's site/ by leaving it out."""
    config = directory / SITE_CONFIG
    config.write_text(site_config(function_url))
    return config


def stage_site(target: Path, function_url: str | None = None, source: Path = SITE) -> Path:
    """A copy of `source`'s files but NOT_THE_PAGE in `target`, with a config.js asking `function_url` (with
    None, none: a page that asks no function)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*NOT_THE_PAGE))
    if function_url is not None:
        write_site_config(function_url, target)
    return target


if __name__ == "__main__":
    target, function_url = sys.argv[1:]
    stage_site(Path(target), function_url)
