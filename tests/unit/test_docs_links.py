"""Every relative link in README.md and docs/*.md names a file (or folder) of the checkout, and its #anchor, if it
has one, a heading of the Markdown file it names, as GitHub names headings. Links in code are not links."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from checkout import README, ROOT

DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]
FENCED = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
TARGETS = [
    re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)"),  # [text](target "title") and images
    re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?", re.MULTILINE),  # [label]: target
    re.compile(r"\b(?:href|src)=\"([^\"]+)\""),  # HTML
]
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)(?:\s+#+)?\s*$", re.MULTILINE)
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)  # https:, mailto:, //host


def prose(document: Path) -> str:
    """The document without its code, fenced or inline."""
    return INLINE_CODE.sub("", FENCED.sub("", document.read_text()))


def anchors(document: Path) -> set[str]:
    """The anchors GitHub gives the document's headings: lower case, punctuation dropped, spaces made hyphens,
    and -1, -2, ... after a repeated one."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCED.sub("", document.read_text())):  # code in a heading counts by its text
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading counts by its text
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        anchor, repeat = slug, 0
        while anchor in found:
            repeat += 1
            anchor = f"{slug}-{repeat}"
        found.add(anchor)
    return found


def broken_links(document: Path) -> list[str]:
    """Each relative link of `document` that names no file, or no heading of the file it names, and why."""
    broken = []
    for target in (target for pattern in TARGETS for target in pattern.findall(prose(document))):
        if ABSOLUTE.match(target):
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / unquote(path)) if path else document
        if not linked.exists():
            broken.append(f"{target}: there is no {linked.relative_to(document.parent)}")
        elif anchor and linked.suffix == ".md" and unquote(anchor) not in anchors(linked):
            broken.append(f"{target}: {linked.name} has no heading #{anchor}")
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: document.relative_to(ROOT).as_posix())
def test_every_relative_link_names_a_file_and_a_heading_that_exist(document):
    assert broken_links(document) == []


def test_the_check_finds_a_missing_file_and_a_missing_heading_and_ignores_code(tmp_path):
    (tmp_path / "there.md").write_text(
        "# Deploy to Google Cloud\n\n## With `--corrections`\n\n## Limits & failures\n\n## Limits & failures\n"
    )
    document = tmp_path / "README.md"
    document.write_text(
        "# Digit\n\n"
        "[ok](there.md#deploy-to-google-cloud), [repeat](there.md#limits--failures-1), [self](#digit),\n"
        "[code](there.md#with---corrections),\n"
        "[gone](docs/gone.md), [no heading](there.md#deploying), ![picture](missing.png),\n"
        '[web](https://example.com/nowhere.md), <img src="also-missing.png">\n\n'
        "[label]: elsewhere.md\n\n"
        "```\n[in code](code.md)\n```\n\n`[inline](inline.md)`\n"
    )
    assert broken_links(document) == [
        "docs/gone.md: there is no docs/gone.md",
        "there.md#deploying: there.md has no heading #deploying",
        "missing.png: there is no missing.png",
        "elsewhere.md: there is no elsewhere.md",
        "also-missing.png: there is no also-missing.png",
    ]
