"""The Scrapy item pipelines: thin wrappers around the pure stages (pipelines/), parse off the reactor,
then the one archive writer.

ProcessPipeline   Fetched (DocumentItem) → Report | RejectedItem (pipelines.process.process, in a worker thread)
ArchivePipeline   records, rejections and fetch errors → SQLite (one writer thread), crawl_runs,
                  fetch_log, and the closing summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.fetchlog import error_row, response_row
from crawler.items import FetchErrorItem, NotModifiedItem, PageMemoItem, RejectedItem
from pipelines import store
from pipelines.bounds import Limits
from pipelines.coverage import run_table
from pipelines.pool import ParsePool
from pipelines.records import Fetched, Rejected, Report

logger = logging.getLogger(__name__)
WORDS_WAIT_S = 10.0  # the writer waits this long for a parse worker's words, then segments them itself


def _configure_ocr(s) -> None:
    """OCR_* settings → the parse workers (pipelines.ocr.OcrLimits.from_env); one line if OCR cannot run."""
    from pipelines.ocr import OcrLimits, missing

    timeout = s.getfloat("OCR_TIMEOUT_S", 70)
    if s.getfloat("DOCUMENT_TIMEOUT_S", 120) > 0:
        timeout = min(timeout, 0.6 * s.getfloat("DOCUMENT_TIMEOUT_S", 120))
    limits = OcrLimits(enabled=s.getbool("OCR_ENABLED", True), max_pages=s.getint("OCR_MAX_PAGES", 40),
                       max_pixels=s.getint("OCR_MAX_PIXELS", 12_000_000), timeout=timeout,
                       dpi=s.getint("OCR_DPI", 200), min_confidence=s.getfloat("OCR_MIN_CONFIDENCE", 0.85))
    limits.to_env()
    if limits.enabled and (why := missing()):
        logger.warning(why)


class ProcessPipeline:
    """Heavy parsing (trafilatura, tables, PDFs) in the parse pool (pipelines/pool.py), so the crawl keeps
    fetching and both cores work. PARSE_WORKERS processes (0: a thread of the crawl), DOCUMENT_TIMEOUT_S
    per document (its worker is killed and replaced; the document is recorded as "timeout after N s"),
    PARSE_WORKER_MAX_TASKS documents per worker before it is replaced."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        s = crawler.settings
        _configure_ocr(s)  # before the workers start: they inherit the environment
        self.pool = ParsePool(workers=s.getint("PARSE_WORKERS", 2), timeout=s.getfloat("DOCUMENT_TIMEOUT_S", 120),
                              max_tasks=s.getint("PARSE_WORKER_MAX_TASKS", 500),
                              kwargs={"limits": Limits.from_settings(s.get)},  # pipelines/bounds.py
                              start=s.get("PARSE_WORKER_START") or "forkserver")
        crawler.parse_pool = self.pool  # the archive writer has words segmented there (ArchivePipeline)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def close_spider(self, spider=None) -> None:
        rss = self.pool.peak_rss_mb()
        if rss:
            self.crawler.stats.set_value("nianbao/parse_worker_peak_rss_mb", round(max(rss), 1))
            self.crawler.stats.set_value("nianbao/parse_workers_peak_rss_sum_mb", round(sum(rss), 1))
        self.pool.close()
        self.crawler.stats.set_value("nianbao/parse_timeouts", self.pool.timeouts)
        self.crawler.stats.set_value("nianbao/parse_worker_deaths", self.pool.deaths)
        self.crawler.stats.set_value("nianbao/parse_worker_starts", self.pool.starts)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Fetched):
            return item
        result = await self.pool.submit(item)
        stats = self.crawler.stats
        stats.inc_value("nianbao/parsed")
        for stage, seconds in result.timings.items():  # CPU per stage, summed (bench/realistic.py)
            stats.inc_value(f"nianbao/cpu_s/{stage}", seconds)
        if isinstance(result, Rejected):
            self.crawler.stats.inc_value("nianbao/rejected")
            return RejectedItem(item.url, item.portal, item.title, result.reason)
        return result


class ArchivePipeline:
    """The only writer of the archive. Every write is one transaction on one dedicated thread."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings.get("ARCHIVE_DB"))
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")
        self.db = None
        self.run_id: int | None = None
        self.counts = {"reports_new": 0, "reports_updated": 0, "reports_unchanged": 0, "rejected": 0, "errors": 0}
        self.refused = 0  # robots.txt refusals among the fetch errors: polite skips, reported apart
        self.fetch_rows: list[dict[str, Any]] = []
        self.memo_rows: list[dict[str, Any]] = []  # parsed pages' validators and links (batched)
        # fetch_log rows and the run's counts reach the archive at least this often, so a killed crawl keeps them
        self.flush_interval = crawler.settings.getfloat("FETCH_LOG_FLUSH_S", 2.0)
        self._flusher: asyncio.Task | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def _write(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    # -- lifecycle --------------------------------------------------------------------------
    async def open_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        self.loop = asyncio.get_running_loop()
        self.db = await self._write(store.open_archive, self.path)
        args = json.dumps({k: v for k, v in (("portals", getattr(spider, "portals_arg", None)),
                                             ("region", getattr(spider, "region", None)),
                                             ("sample", getattr(spider, "sample", None)),
                                             ("resumed", self._resumed())) if v is not None},
                          ensure_ascii=False)
        self.run_id = await self._write(store.start_run, self.db, spider.name, args)
        portals = [{"name": p.name, "start_url": p.start_url, "render": int(p.render), "region_code": p.region_code,
                    "last_run_id": self.run_id} for p in getattr(spider, "portals", [])]
        await self._write(store.upsert_portals, self.db, portals)
        self.crawler.archive_run_id = self.run_id
        logger.info("archive %s, crawl run %s, %d portals", self.path, self.run_id, len(portals))
        if self.flush_interval > 0:
            self._flusher = asyncio.ensure_future(self._flush_loop())

    def _resumed(self) -> str | None:
        """How this crawl continues an earlier one (JOBDIR, crawler/extensions/resume.py), for crawl_runs.args."""
        stats = self.crawler.stats
        if stats.get_value("nianbao/resume/discarded_unclean_jobdir"):
            return "after a killed run: its queue was discarded, start URLs revisited"
        if stats.get_value("nianbao/resume/jobdir_state"):
            return "JOBDIR queue of a stopped run"
        return None

    async def _flush_loop(self) -> None:
        """Small transactions on a clock: fetch_log rows and the run's counts so far (finished_at stays NULL)."""
        while True:
            await asyncio.sleep(self.flush_interval)
            await self._flush_fetches()
            if self.db is not None:
                await self._write(store.progress_run, self.db, self.run_id, self._counts_so_far())

    def _counts_so_far(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        return {"pages": int(stats.get("response_received_count", 0)),
                "bytes": int(stats.get("downloader/response_bytes", 0)),
                "not_modified": int(stats.get("downloader/response_status_count/304", 0)), **self.counts}

    async def close_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._flush_fetches()
        await self._flush_captures()
        stats = self.crawler.stats.get_stats()
        summary = {
            "portals": len(getattr(spider, "portals", [])),
            "pages": int(stats.get("response_received_count", 0)),
            "bytes": int(stats.get("downloader/response_bytes", 0)),
            "not_modified": int(stats.get("downloader/response_status_count/304", 0)),
            **self.counts,
            # the finish_reason stat is set only after pipelines close; a stopped engine means SIGINT/SIGTERM
            "finish_reason": stats.get("finish_reason") or ("finished" if self.crawler.engine.running else "shutdown"),
        }
        await self._write(store.finish_run, self.db, self.run_id, summary)
        self.portal_table = await self._write(run_table, self.db, self.run_id)
        # fold the WAL into the file: readers that ignore it (datasette -i, copies of the file) see the crawl
        await self._write(self.db.execute, "PRAGMA wal_checkpoint(TRUNCATE)")
        await self._write(self.db.close)
        self.executor.shutdown(wait=True)
        self._print_summary(summary)

    def _print_summary(self, s: dict[str, Any]) -> None:
        found = s["reports_new"] + s["reports_updated"] + s["reports_unchanged"]
        lines = [
            f"nianbao crawl run {self.run_id}: {s['portals']} portals, {s['pages']} pages, "
            f"{found} reports found ({s['reports_new']} new, {s['reports_updated']} updated, "
            f"{s['reports_unchanged']} unchanged), {s['rejected']} look-alikes rejected, "
            f"{s['errors'] - self.refused} errors, {self.refused} refused by robots.txt (not errors)",
            f"archive: {self.path.resolve()}",
        ]
        if getattr(self, "portal_table", ""):
            lines[1:1] = [self.portal_table]
        if s["errors"] - self.refused:
            lines.append(f"errors are listed in: sqlite3 {self.path} \"select url, error from fetch_log "
                         f"where run_id = {self.run_id} and error is not null\"")
        print("\n".join(lines), file=sys.stderr if self.crawler.settings.getbool("SUMMARY_TO_STDERR") else sys.stdout)

    # -- items ------------------------------------------------------------------------------
    async def process_item(self, item: Any) -> Any:
        if isinstance(item, RejectedItem):
            self.counts["rejected"] += 1
            await self._write(store.record_rejected, self.db, {"run_id": self.run_id, **asdict(item)})
            raise DropItem(f"not a report: {item.reason}", log_level="DEBUG")
        if isinstance(item, FetchErrorItem):
            self.counts["errors"] += 1  # crawl_runs.errors keeps counting refusals (compatible); the summary not
            self.refused += "robots.txt" in (item.error or "")
            self.crawler.stats.inc_value("nianbao/fetch_errors")
            self.fetch_rows.append({"run_id": self.run_id, **error_row(item)})
            raise DropItem(f"fetch error: {item.error}", log_level="DEBUG")
        if isinstance(item, PageMemoItem):
            self.memo_rows.append(asdict(item))
            if len(self.memo_rows) >= 200:
                await self._flush_fetches()
            raise DropItem(f"page memo: {item.url}", log_level="DEBUG")
        if isinstance(item, NotModifiedItem):  # a known report, unchanged: marked seen, not re-parsed
            await self._flush_captures()
            if await self._write(store.mark_seen, self.db, item.url, self.run_id, item.status) is not None:
                self.counts["reports_unchanged"] += 1
                self.crawler.stats.inc_value("nianbao/reports_unchanged")
            raise DropItem(f"not modified: {item.url}", log_level="DEBUG")
        if not isinstance(item, Report):
            return item
        await self._flush_captures()  # its WARC capture lands first, so save_report can link it
        outcome, report_id, seconds = await self._write(_timed_save, self.db, item, self.run_id, self._segment)
        self.crawler.stats.inc_value("nianbao/cpu_s/store", seconds)
        self.counts[f"reports_{outcome}"] += 1
        self.crawler.stats.inc_value(f"nianbao/reports_{outcome}")
        if len(self.fetch_rows) >= 200:
            await self._flush_fetches()
        return {
            "report_id": report_id,
            "outcome": outcome,
            **{k: getattr(item, k) for k in ("url", "title", "agency", "year", "published_at", "template", "portal",
                                             "contact_phone", "contact_phones", "contact_address", "cells_count", "checks_failed")},
        }

    def _segment(self, title: str | None, agency: str | None, body_text: str | None) -> list[str] | None:
        """The words of a report's replaced text, segmented by a parse worker (called on the writer thread,
        inside save_report): the crawl process need not load jieba's dictionary (0.4 s CPU, ~70 MB) for the
        reports a crawl finds revised. None (save_report then segments here): no pool, or no answer in time."""
        pool = getattr(self.crawler, "parse_pool", None)
        if pool is None or self.loop is None or self.loop.is_closed():
            return None
        try:
            asyncio.get_running_loop()
            return None  # on the loop's own thread: waiting here would block the answer
        except RuntimeError:
            pass
        future = asyncio.run_coroutine_threadsafe(pool.call("pipelines.words:segment_fields", title, agency, body_text),
                                                  self.loop)
        try:
            words = future.result(timeout=WORDS_WAIT_S)
        except Exception:  # a timeout (workers busy with long documents), the loop stopping
            return None
        if words is not None:
            self.crawler.stats.inc_value("nianbao/words_segmented_in_pool")
        return words

    # -- fetch log --------------------------------------------------------------------------
    def response_received(self, response, request, spider=None) -> None:
        row = response_row(response, request)
        if row is not None:
            self.fetch_rows.append({"run_id": self.run_id, **row})

    async def _flush_captures(self) -> None:
        """warc_records rows queued by crawler.extensions.warc, written by this one writer."""
        queue = getattr(self.crawler, "warc_rows", None)
        if queue and self.db is not None:
            rows = queue[:]
            del queue[:len(rows)]
            for row in rows:
                row.setdefault("run_id", self.run_id)
            await self._write(store.log_captures, self.db, rows)

    async def _flush_fetches(self) -> None:
        rows, self.fetch_rows = self.fetch_rows, []
        if rows and self.db is not None:
            await self._write(store.log_fetches, self.db, rows)
        memos, self.memo_rows = self.memo_rows, []
        if memos and self.db is not None:
            await self._write(store.remember_pages, self.db, memos, self.run_id)


def _timed_save(db, report: Report, run_id: int | None,
                segment: Callable[..., list[str] | None] | None = None) -> tuple[str, int, float]:
    """save_report, with the writer thread's CPU time."""
    start = time.thread_time()
    outcome, report_id = store.save_report(db, report, run_id, segment)
    return outcome, report_id, time.thread_time() - start
