"""Crawl progress: a log line every PROGRESS_INTERVAL seconds, and an end-of-crawl stats file.

    progress: portals 3/12 done, 450 pages (120/min), 17 reports, 2 errors, 85 queued, ETA ~1m

Errors exclude robots.txt refusals (counted as `refused`). A portal is done when it has been started and none of its requests is queued, in flight or in the scraper. The
ETA is queued requests / current page rate: a lower bound, since pages still reveal new links.
Settings: PROGRESS_INTERVAL (seconds, default 10; 0 = no progress lines), NIANBAO_STATS_FILE
(optional path: JSON with the finish reason, the counts and per-portal pages/reports/errors,
read by `nianbao crawl` to choose its exit code).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.items import FetchErrorItem

logger = logging.getLogger("nianbao.progress")


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 90:
        return f"~{int(seconds)}s"
    if seconds < 5400:
        return f"~{round(seconds / 60)}m"
    return f"~{seconds / 3600:.1f}h"


class Progress:
    def __init__(self, crawler, interval: float, stats_file: str | None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stats_file = Path(stats_file) if stats_file else None
        self.pending: dict[str, Counter[str]] = defaultdict(Counter)
        self.started: set[str] = set()
        self.pages: Counter[str] = Counter()
        self.reports: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()  # robots.txt refusals: polite skips, not failures
        self.task = None
        self.last = (time.monotonic(), 0)
        self.t0 = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 10.0)
        stats_file = crawler.settings.get("NIANBAO_STATS_FILE")
        if not interval and not stats_file:
            raise NotConfigured
        ext = cls(crawler, interval, stats_file)
        for handler, signal in ((ext.spider_opened, signals.spider_opened),
                                (ext.spider_closed, signals.spider_closed),
                                (ext.request_scheduled, signals.request_scheduled),
                                (ext.request_done, signals.request_dropped),
                                (ext.request_done, signals.request_left_downloader),
                                (ext.response_received, signals.response_received),
                                (ext.item_scraped, signals.item_scraped),
                                (ext.item_dropped, signals.item_dropped)):
            crawler.signals.connect(handler, signal=signal)
        return ext

    # -- bookkeeping ---------------------------------------------------------------------
    def request_scheduled(self, request, spider=None) -> None:
        portal = request.meta.get("portal")
        if portal:
            self.started.add(portal)
            self.pending[portal][request.url] += 1

    def request_done(self, request, spider=None) -> None:
        self._release(request.meta.get("portal"), request.url)

    def _release(self, portal: str | None, url: str) -> None:
        pending = self.pending.get(portal or "")
        if pending and pending[url] > 0:
            pending[url] -= 1
            if not pending[url]:
                del pending[url]

    def response_received(self, response, request, spider=None) -> None:
        portal = request.meta.get("portal")
        if portal and response.status < 400:
            self.pages[portal] += 1

    def item_scraped(self, item, response=None, spider=None) -> None:
        if isinstance(item, dict) and "report_id" in item:
            self.reports[item.get("portal") or ""] += 1

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        if isinstance(item, FetchErrorItem):
            if "robots.txt" in (item.error or ""):
                self.refused[item.portal] += 1
            else:
                self.errors[item.portal] += 1
            self._release(item.portal, item.url)  # refused before the downloader (robots.txt)

    # -- reporting -----------------------------------------------------------------------
    def portals_total(self) -> int:
        return len(getattr(self.crawler.spider, "portals", []) or []) or len(self.started)

    def snapshot(self) -> dict[str, Any]:
        # a response still in the scraper (callback, item pipelines) may queue more of its portal's requests
        busy = {r.meta.get("portal") for r in self._in_scraper()}
        done = sum(1 for p in self.started if not self.pending.get(p) and p not in busy)
        pages = int(self.crawler.stats.get_value("response_received_count", 0))
        reports, errors = sum(self.reports.values()), sum(self.errors.values())
        queued = sum(sum(c.values()) for c in self.pending.values())
        return {"portals_done": done, "portals_total": self.portals_total(), "pages": pages, "reports": reports,
                "errors": errors, "refused": sum(self.refused.values()), "queued": queued}

    def _in_scraper(self) -> set:
        engine = self.crawler.engine
        slot = getattr(getattr(engine, "scraper", None), "slot", None)
        return set(getattr(slot, "active", ()) or ())

    def line(self) -> str:
        s = self.snapshot()
        now = time.monotonic()
        then, pages_then = self.last
        rate = (s["pages"] - pages_then) / max(now - then, 1e-6)
        self.last = (now, s["pages"])
        eta = s["queued"] / rate if rate > 0 else None
        return (f"progress: portals {s['portals_done']}/{s['portals_total']} done, {s['pages']} pages "
                f"({rate * 60:.0f}/min), {s['reports']} reports, {s['errors']} errors, {s['queued']} queued, "
                f"ETA {_eta(eta) if s['queued'] else '0s'}")

    def log(self) -> None:
        logger.info(self.line())

    def spider_opened(self, spider) -> None:
        self.t0 = time.monotonic()
        self.last = (self.t0, 0)
        if self.interval:
            self.task = create_looping_call(self.log)
            self.task.start(self.interval, now=False)

    def spider_closed(self, spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.stats_file is None:
            return
        names = [p.name for p in getattr(spider, "portals", [])] or sorted(self.started)
        data = {
            "finish_reason": reason,
            "run_id": getattr(self.crawler, "archive_run_id", None),
            "elapsed_seconds": round(time.monotonic() - self.t0, 1),
            **self.snapshot(),
            "portals": {n: {"pages": self.pages[n], "reports": self.reports[n], "errors": self.errors[n],
                            "refused": self.refused[n]} for n in names},
            "stats": {k: v for k, v in self.crawler.stats.get_stats().items() if isinstance(v, int | float | str)},
        }
        self.stats_file.parent.mkdir(parents=True, exist_ok=True)
        self.stats_file.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
