"""Scrapy item pipeline for workers: what the ArchivePipeline writes to SQLite goes to a Redis Stream instead.

The same records (the process stage's typed Report record, rejections, fetch errors, page memos,
304s) plus the fetch log, the WARC capture rows and the run's start and summary are XADDed to
`NIANBAO_STREAM` (messages.py); `nianbao writer` is the one process that writes them into
SQLite. A capture row is sent before the report it belongs to, as the ArchivePipeline writes it
first. Bounded: past `NIANBAO_STREAM_MAX_LEN` unread entries (the writer is down or slow) the
pipeline waits, so the crawl slows down instead of filling Redis' memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed import messages
from crawler.distributed.frontier import frontier_base, worker_id
from crawler.fetchlog import error_row, response_row
from crawler.items import FetchErrorItem, NotModifiedItem, PageMemoItem, RejectedItem
from pipelines.records import Report
from pipelines.store import now_iso

logger = logging.getLogger(__name__)


class StreamPipeline:
    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.server = get_redis_from_settings(settings)
        self.stream = settings.get("NIANBAO_STREAM") or "nianbao:stream"
        self.max_len = settings.getint("NIANBAO_STREAM_MAX_LEN", 50_000)
        self.run = uuid.uuid4().hex
        self.counts = {"rejected": 0, "errors": 0, "sent": 0}
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is not set")
        return cls(crawler)

    # -- sending -------------------------------------------------------------------------
    def _send(self, kind: str, data: Any) -> None:
        self.server.xadd(self.stream, {messages.FIELD: messages.encode(messages.make(kind, self.run, data))})
        self.counts["sent"] += 1
        self.crawler.stats.inc_value(f"nianbao/stream/{kind}")

    async def _room(self) -> None:
        """Wait while the writer is behind by more than NIANBAO_STREAM_MAX_LEN entries."""
        if self.counts["sent"] % 50:
            return
        warned = False
        while self.max_len and self.server.xlen(self.stream) > self.max_len:
            if not warned:
                logger.warning("stream %s holds over %d entries: is `nianbao writer` running? waiting",
                               self.stream, self.max_len)
                self.crawler.stats.inc_value("nianbao/stream/waits")
                warned = True
            await asyncio.sleep(1.0)

    # -- lifecycle -----------------------------------------------------------------------
    def open_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        settings = self.crawler.settings
        args = {k: v for k, v in (("portals", getattr(spider, "portals_arg", None)),
                                  ("region", getattr(spider, "region", None)),
                                  ("sample", getattr(spider, "sample", None))) if v is not None}
        warc_dir = settings.get("WARC_DIR") or Path(settings.get("ARCHIVE_DB")).parent / "warc"
        self._send("run_start", {
            "spider": spider.name, "args": json.dumps(args, ensure_ascii=False), "started_at": now_iso(),
            "worker": worker_id(self.crawler),
            "warc_dir": f"{socket.gethostname()}:{Path(warc_dir).resolve()}",
            "portals": [{"name": p.name, "start_url": p.start_url, "render": int(p.render),
                         "region_code": p.region_code} for p in getattr(spider, "portals", [])],
        })
        logger.info("worker %s: records go to stream %s (run %s)", worker_id(self.crawler), self.stream, self.run)

    def close_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        self._flush_captures()
        stats = self.crawler.stats.get_stats()
        summary = {
            "portals": len(getattr(spider, "portals", [])),
            "pages": int(stats.get("response_received_count", 0)),
            "bytes": int(stats.get("downloader/response_bytes", 0)),
            "not_modified": int(stats.get("downloader/response_status_count/304", 0)),
            "rejected": self.counts["rejected"],
            "errors": self.counts["errors"],
            "finish_reason": stats.get("finish_reason") or ("finished" if self.crawler.engine.running else "shutdown"),
        }
        health = getattr(self.crawler, "portal_health", None)
        if health is not None:  # the writer merges the workers' shares of the pass (crawler/distributed/writer.py)
            self._send("health", {"pass": frontier_base(self.crawler.settings, spider.name),
                                  "portals": [p.name for p in getattr(spider, "portals", [])],
                                  "health": health.to_dict()})
        self._send("run_finish", summary)
        print(f"nianbao worker {worker_id(self.crawler)}: {summary['pages']} pages, {self.counts['sent']} messages "
              f"to {self.stream}, {summary['rejected']} look-alikes rejected, {summary['errors']} errors",
              file=sys.stderr)

    # -- items ---------------------------------------------------------------------------
    # Nothing is buffered: a request's lease (frontier.py) is dropped once its items have passed the
    # pipelines, so everything they carry must be on the stream by then, or a killed worker loses it.
    async def process_item(self, item: Any) -> Any:
        await self._room()
        if isinstance(item, RejectedItem):
            self.counts["rejected"] += 1
            self._send("rejected", asdict(item))
            raise DropItem(f"not a report: {item.reason}", log_level="DEBUG")
        if isinstance(item, FetchErrorItem):
            self.counts["errors"] += 1
            self.crawler.stats.inc_value("nianbao/fetch_errors")
            self._send("fetches", [error_row(item)])
            raise DropItem(f"fetch error: {item.error}", log_level="DEBUG")
        if isinstance(item, PageMemoItem):
            self._send("memos", [asdict(item)])
            raise DropItem(f"page memo: {item.url}", log_level="DEBUG")
        if isinstance(item, NotModifiedItem):
            self._flush_captures()
            self._send("not_modified", {"url": item.url, "status": item.status})
            raise DropItem(f"not modified: {item.url}", log_level="DEBUG")
        if not isinstance(item, Report):
            return item
        self._flush_captures()  # its WARC capture first, so the writer links it to the report
        self._send("report", item.to_dict())
        return {k: getattr(item, k) for k in ("url", "title", "agency", "year", "published_at", "template", "portal",
                                         "contact_phone", "contact_phones", "contact_address", "cells_count", "checks_failed")}

    # -- fetch log and captures ----------------------------------------------------------
    def response_received(self, response, request, spider=None) -> None:
        self._flush_captures()  # written by the WARC extension on response_downloaded, just before
        row = response_row(response, request)
        if row is not None:
            self._send("fetches", [row])

    def _flush_captures(self) -> None:
        queue = getattr(self.crawler, "warc_rows", None)
        if queue:
            rows = queue[:]
            del queue[:len(rows)]
            self._send("captures", rows)
