"""Resume after SIGKILL: Scrapy's JOBDIR state is only consistent after a clean stop.

Scrapy saves the request queue's index and the spider state when the spider closes; the seen-
requests file is appended through a buffer. After `kill -9` the queue index is lost while some
fingerprints of queued-but-never-fetched requests are on disk: a resumed crawl would filter those
URLs (and maybe its start URLs) as duplicates and lose them. So this extension leaves a marker in
JOBDIR while a crawl runs; if the marker is still there at the next start, the previous crawl was
killed and its JOBDIR state is discarded: the crawl starts over from the portals' start URLs, and
the archive makes that cheap and exact (documents already archived answer 304 or are
"unchanged"; every write is an idempotent upsert). After a clean stop (Ctrl-C, SIGTERM,
CLOSESPIDER_*) the marker is gone and Scrapy resumes normally.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

MARKER = "nianbao.running"
SCRAPY_STATE = ("requests.seen", "requests.queue", "spider.state")


class JobdirGuard:
    def __init__(self, crawler, jobdir: Path) -> None:
        self.jobdir = jobdir
        self.marker = jobdir / MARKER
        if self.marker.exists():
            logger.warning("JOBDIR %s belongs to a crawl that was killed (pid %s): discarding its queue and "
                           "seen-requests; re-crawling from the start URLs (archived documents are revalidated)",
                           jobdir, self.marker.read_text().strip() or "?")
            for name in SCRAPY_STATE:
                path = jobdir / name
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
            crawler.stats.set_value("nianbao/resume/discarded_unclean_jobdir", 1)
        elif (jobdir / "requests.seen").exists():  # a cleanly stopped crawl: Scrapy resumes its queue
            crawler.stats.set_value("nianbao/resume/jobdir_state", 1)
        jobdir.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(str(os.getpid()))
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured("no JOBDIR")
        return cls(crawler, Path(jobdir))

    def closed(self, spider=None, reason: str = "") -> None:
        self.marker.unlink(missing_ok=True)
