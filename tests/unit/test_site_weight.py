"""The page must load fast on a phone: the files it is published with weigh at most bench.page.MOST_BYTES
together (50 KiB)."""

from bench.page import MOST_BYTES, site_weight
from checkout import SITE
from local.page import stage_site, write_site_config


def test_the_page_with_all_its_files_weighs_at_most_50_kib():
    assert (SITE / "index.html").stat().st_size < site_weight() <= MOST_BYTES


def test_neither_the_generated_config_js_nor_what_is_not_published_is_counted(tmp_path):
    page = stage_site(tmp_path / "page")
    unconfigured = site_weight(page)
    write_site_config("https://digit-h4x2k9q1ta-ew.a.run.app", page)
    assert site_weight(page) == unconfigured == site_weight(SITE)
