"""Portal health per run: the `portal_health` table, read by `nianbao health` and `nianbao crawl`'s exit code.

Per portal: pages fetched, reports new and seen, failures by class (crawler/health.py), hosts whose
circuit opened, known report URLs now gone (marked in report_urls.gone_*), consecutive empty runs and
the last good run. Written once at the end of the crawl, after the archive pipeline closed (so the
archive still has one writer at a time). Off when ARCHIVE_DB is unset or NIANBAO_HEALTH=False.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.health import PortalHealth, apply_health

logger = logging.getLogger(__name__)


class HealthExtension:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.health = PortalHealth()
        crawler.portal_health = self.health

    @classmethod
    def from_crawler(cls, crawler: Any) -> HealthExtension:
        if not crawler.settings.getbool("NIANBAO_HEALTH", True) or not crawler.settings.get("ARCHIVE_DB"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self, response: Any, request: Any, spider: Any = None) -> None:
        portal = request.meta.get("portal")
        if not portal or request.meta.get("soft404_probe") or response.status >= 400:
            return
        run = self.health.runs[portal]
        run.pages += 1
        if request.meta.get("start") and response.status < 300:
            run.start_ok = True

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, dict) and "report_id" in item:
            run = self.health.runs[item.get("portal") or ""]
            if item.get("outcome") == "new":
                run.reports_new += 1
            else:
                run.reports_seen += 1

    def item_dropped(self, item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        from crawler.items import NotModifiedItem

        if isinstance(item, NotModifiedItem) and item.is_report:  # an unchanged list is not a report seen
            self.health.runs[item.portal].reports_seen += 1

    def spider_closed(self, spider: Any, reason: str) -> None:
        portals = [p.name for p in getattr(spider, "portals", [])]
        run_id = getattr(self.crawler, "archive_run_id", None)
        if run_id is None or not portals:
            return
        try:
            write_health(self.crawler.settings.get("ARCHIVE_DB"), run_id, portals, self.health)
        except Exception as exc:
            logger.error("portal health not written: %s", exc)


def write_health(db_path: str, run_id: int, portals: list[str], health: PortalHealth) -> list[dict[str, Any]]:
    from pipelines import store

    db = store.open_archive(db_path)
    try:
        with store.transaction(db):
            return apply_health(db, run_id, portals, health)
    finally:
        db.close()
