"""Portal health per run: the `portal_health` table, read by `nianbao health` and `nianbao crawl`'s exit code.

Per portal: pages fetched, reports new and seen, failures by class (crawler/health.py), hosts whose
circuit opened, known report URLs now gone (marked in report_urls.gone_*), consecutive empty runs and
the last good run. Written once at the end of the crawl, after the archive pipeline closed (so the
archive still has one writer at a time). Off when ARCHIVE_DB is unset or NIANBAO_HEALTH=False.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.health import PortalHealth, verdict

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


def apply_health(db: Any, run_id: int, portals: list[str], health: PortalHealth) -> list[dict[str, Any]]:
    """The run's portal_health rows, gone marks and known lists, written in the caller's transaction (the one
    place that builds them: the single-process crawl and `nianbao writer` for distributed workers)."""
    from pipelines import store

    rows = []
    now = store.now_iso()
    for url, status in health.gone:
        db.execute("update report_urls set gone_at = ?, gone_run_id = ?, gone_status = ? "
                   "where (url = ? or canonical_url = ?) and gone_at is null", [now, run_id, status, url, url])
    for name in portals:
        run = health.runs[name]
        for url in sorted(run.lists):
            db.execute("insert into portal_lists (portal, url, first_run_id, last_run_id, last_seen_at) "
                       "values (?, ?, ?, ?, ?) on conflict (portal, url) do update set last_run_id = excluded.last_run_id, "
                       "last_seen_at = excluded.last_seen_at, gone_at = null, gone_run_id = null, gone_status = null",
                       [name, url, run_id, run_id, now])
    for name, url, status in health.gone_lists:
        db.execute("update portal_lists set gone_at = ?, gone_run_id = ?, gone_status = ? "
                   "where portal = ? and url = ? and gone_at is null", [now, run_id, status, name, url])
    for name in portals:
        run = health.runs[name]
        status, failure = verdict(run)
        prev = db.execute("select consecutive_empty, last_good_run from portal_health where portal = ? "
                          "and run_id < ? order by run_id desc limit 1", [name, run_id]).fetchone()
        empty = 0 if (run.reports_new or run.reports_seen) else (prev[0] if prev else 0) + 1
        last_good = run_id if status == "ok" else (prev[1] if prev else None)
        row = {"run_id": run_id, "portal": name, "status": status, "failure": failure, "pages": run.pages,
               "reports_new": run.reports_new, "reports_seen": run.reports_seen,
               "failures": json.dumps(dict(run.failures), ensure_ascii=False),
               "examples": json.dumps(run.examples, ensure_ascii=False),
               "hosts_down": json.dumps(sorted(run.hosts_down)), "gone": run.gone_reports,
               "consecutive_empty": empty, "last_good_run": last_good, "checked_at": now}
        db.table("portal_health").upsert(row, pk=("run_id", "portal"))
        rows.append(row)
    return rows
