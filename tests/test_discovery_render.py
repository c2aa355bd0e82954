"""A portal whose list is built by JavaScript from data the source does not reveal as an endpoint:
render=true crawls it through scrapy-playwright with the system chromium (/usr/bin/chromium)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.sites.server import report_urls, start_sites
from tests.test_discovery_crawl import run_crawl

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not shutil.which("chromium"),
                                reason="needs Debian's chromium (apt-get install -y chromium)")


def test_js_list_found_only_with_a_browser(tmp_path):
    with start_sites() as sites:
        expected = report_urls(sites, render=True)
        assert len(expected) == 2
        csv_path = sites.write_csv(tmp_path / "portals.csv", render=True)
        proc = run_crawl(csv_path, tmp_path / "rendered.db")
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Browser chromium launched" in proc.stderr
        found = {u for (u,) in sqlite3.connect(tmp_path / "rendered.db").execute("select url from report_urls")}
        assert expected <= found
        # the same portal without a browser: the list is empty in the page source, nothing is found
        csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(",true,", ",false,"), encoding="utf-8")
        proc = run_crawl(csv_path, tmp_path / "plain.db")
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert not {u for (u,) in sqlite3.connect(tmp_path / "plain.db").execute("select url from report_urls")}
