"""A bad portal list stops `scrapy crawl portals` before any request, saying what to fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("content", "message"), [
    ("name,url\nx,http://a.gov.cn/\n", "lacks ['start_url', 'render']"),
    ("name,start_url,render\nx,www.a.gov.cn,false\n", "is not an http(s) URL"),
    ("name,start_url,render\nx,http://a.gov.cn/,maybe\n", "render must be true or false"),
])
def test_bad_portal_csv_fails_with_a_clear_message(tmp_path, content, message):
    csv_path = tmp_path / "portals.csv"
    csv_path.write_text(content, encoding="utf-8")
    scrapy = Path(sys.executable).with_name("scrapy")
    proc = subprocess.run([str(scrapy), "crawl", "portals", "-a", f"portals={csv_path}",
                           "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", "-s", "LOG_LEVEL=WARNING"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert str(csv_path) in proc.stderr
    assert not (tmp_path / "a.db").exists()  # nothing was crawled or written
