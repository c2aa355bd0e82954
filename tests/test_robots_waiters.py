"""robots.txt holds for every request that waits for it (crawler/middlewares/robots.py).

A real crawl (Scrapy in a subprocess, settings.base's downloader middlewares) of a loopback host whose
robots.txt answers after a pause: the start requests all reach the robots middleware while robots.txt is
still downloading. Scrapy 2.19's own middleware hands the parser to the first of them only, the others
read "no robots.txt" and fetch Disallowed pages; the control run with Scrapy's middleware shows that.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
ALLOWED = ["/index.html", "/a.html", "/b.html"]
DISALLOWED = ["/private/x.html", "/private/y.html", "/private/z.html", "/search/q.html"]

CRAWL = """
import json, sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from settings import base

class Starts(Spider):
    name = "starts"
    start_urls = json.loads(sys.argv[1])
    def parse(self, response):
        pass

middlewares = dict(base.DOWNLOADER_MIDDLEWARES)
if sys.argv[2] == "stock":  # settings.base with Scrapy's own robots.txt middleware back in its place
    del middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"]
    del middlewares["crawler.middlewares.robots.RobotsTxtMiddleware"]
process = CrawlerProcess({
    "DOWNLOADER_MIDDLEWARES": middlewares, "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False, "SOFT404_PROBE": False, "USER_AGENT": base.USER_AGENT, "ARCHIVE_DB": sys.argv[3],
})
crawler = process.create_crawler(Starts)
process.crawl(crawler)
process.start()
if crawler.stats.get_value("finish_reason") != "finished":
    sys.exit(f"crawl did not finish: {crawler.stats.get_value('finish_reason')}")
print(json.dumps({k: v for k, v in crawler.stats.get_stats().items() if k.startswith("robotstxt/")}))
"""


def _site(root: Path) -> None:
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\nDisallow: /search/\n")
    for path in ALLOWED + DISALLOWED:
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(f"<html><body><p>{path}</p></body></html>")


def _crawl(tmp_path: Path, middleware: str) -> tuple[list[str], dict]:
    _site(tmp_path)

    def slow_robots(method: str, path: str, headers: dict[str, str]):
        if path == "/robots.txt":
            time.sleep(0.8)  # every start request is waiting for it by now
        return None

    with SiteServer(tmp_path, hook=slow_robots) as srv:
        urls = [srv.url + p for p in ALLOWED + DISALLOWED]
        proc = subprocess.run([sys.executable, "-c", CRAWL, json.dumps(urls), middleware,
                               str(tmp_path / "archive.db")], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return srv.paths(), json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("middleware", ["ours", pytest.param("stock", marks=pytest.mark.xfail(
    strict=True, reason="control: Scrapy 2.19's own middleware lets requests that waited for robots.txt through"))])
def test_every_request_waiting_for_robots_txt_is_checked(tmp_path, middleware):
    requested, stats = _crawl(tmp_path, middleware)
    assert requested.count("/robots.txt") == 1
    assert not [p for p in requested if p in DISALLOWED], requested
    assert sorted(p for p in requested if p in ALLOWED) == sorted(ALLOWED)
    assert stats.get("robotstxt/forbidden") == len(DISALLOWED), stats
