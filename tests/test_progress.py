"""The progress extension in a real Scrapy crawl against a server on 127.0.0.1.

The server holds one portal's page until the test has read a progress line from the crawl's log,
so the test waits for events, not for time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tests.serving import http_server

ROOT = Path(__file__).resolve().parent.parent

SPIDER = textwrap.dedent('''
    import scrapy
    from scrapy.exceptions import DropItem
    from crawler.items import FetchErrorItem

    BASE = "{base}"

    class P:
        def __init__(self, name):
            self.name = name

    class DropErrors:  # stands in for ArchivePipeline: fetch errors are dropped items
        def process_item(self, item):
            if isinstance(item, FetchErrorItem):
                raise DropItem(item.error)
            return item

    class S(scrapy.Spider):
        name = "progress_test"
        portals = [P("甲县"), P("乙县"), P("丙县")]
        custom_settings = {{"ITEM_PIPELINES": {{__name__ + ".DropErrors": 100}}}}

        async def start(self):
            yield scrapy.Request(BASE + "/a/1", meta={{"portal": "甲县"}})
            yield scrapy.Request(BASE + "/b/slow", meta={{"portal": "乙县"}})
            yield scrapy.Request(BASE + "/c/missing", meta={{"portal": "丙县"}}, errback=self.failed)

        def parse(self, response):
            if response.url.endswith("/a/1"):
                yield response.follow("/a/2", meta={{"portal": "甲县"}})
            yield {{"report_id": 1, "portal": response.meta["portal"]}}

        def failed(self, failure):
            r = failure.request
            yield FetchErrorItem(url=r.url, portal=r.meta["portal"], kind="page", error="HTTP 404", status=404)
''')


@pytest.fixture
def site():
    release = threading.Event()

    def answer(path: str) -> tuple[int, str, bytes]:
        if path == "/b/slow":
            release.wait(120)
        status = 404 if "missing" in path or path == "/robots.txt" else 200
        return status, "text/html", b"<html><body>ok</body></html>"

    with http_server(answer) as url:
        yield url, release
        release.set()


def test_progress_lines_and_stats_file(site, tmp_path):
    base, release = site
    spider = tmp_path / "spider.py"
    spider.write_text(SPIDER.format(base=base), encoding="utf-8")
    stats = tmp_path / "stats.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "runspider", str(spider), "-s", "PROGRESS_INTERVAL=0.2",
         "-s", f"NIANBAO_STATS_FILE={stats}", "-s", "EXTENSIONS={\"crawler.extensions.progress.Progress\": 500}",
         "-s", "TWISTED_REACTOR=twisted.internet.asyncioreactor.AsyncioSelectorReactor", "-s", "LOG_LEVEL=INFO",
         "-s", "HTTPERROR_ALLOW_ALL=False"],
        cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines = []
    try:
        for line in proc.stderr:  # until 甲县 and 丙县 are done while 乙县's page is held
            lines.append(line)
            if "progress: portals 2/3 done" in line:
                break
        release.set()
        lines += proc.stderr.readlines()
        assert proc.wait(timeout=120) == 0, "".join(lines)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    progress = [x for x in lines if "progress:" in x]
    held = next(x for x in progress if "portals 2/3 done" in x)
    assert "3 pages" in held and "2 reports" in held and "1 errors" in held and "1 queued" in held
    assert "ETA" in held
    data = json.loads(stats.read_text(encoding="utf-8"))
    assert data["finish_reason"] == "finished"
    assert (data["portals_done"], data["portals_total"], data["queued"]) == (3, 3, 0)
    assert data["portals"] == {"甲县": {"pages": 2, "reports": 2, "errors": 0, "refused": 0},
                               "乙县": {"pages": 1, "reports": 1, "errors": 0, "refused": 0},
                               "丙县": {"pages": 0, "reports": 0, "errors": 1, "refused": 0}}


def test_eta_formatting():
    from crawler.extensions.progress import _eta

    assert (_eta(None), _eta(30), _eta(600), _eta(7200)) == ("?", "~30s", "~10m", "~2.0h")
