"""The page must load fast on a phone: all of site/ together stays under 50 KB."""

from local.services import SITE


def test_the_page_with_all_its_files_weighs_at_most_50_kb():
    sizes = {path.name: path.stat().st_size for path in SITE.rglob("*") if path.is_file()}
    assert "index.html" in sizes
    assert sum(sizes.values()) <= 50 * 1024, sizes
