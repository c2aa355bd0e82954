"""Incremental re-crawls: conditional GETs for documents already in the archive.

For a detail page or attachment whose URL produced an archived report (`http_validators` row
with a report_id), the request carries `If-None-Match` / `If-Modified-Since` from the stored
ETag / Last-Modified, and 304 is let through HttpErrorMiddleware (`handle_httpstatus_list`).
A 304, or a 200 whose body has the stored sha256 (servers without validators), sets
`meta["not_modified"]`: the spider then yields a `NotModifiedItem` (the archive marks the report
seen and counts it unchanged) and revisits the report's known attachments, without parsing.
List pages (kind column/next) are always fetched in full.

The archive is read through its own read-only connection (WAL lets it read while the one writer
writes); the middleware never writes.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

ALWAYS_FETCH = ("column", "next", "robots")  # list pages: new reports show up there


@dataclass
class NotModifiedItem:
    """A known report fetched again with no change (304 or the same bytes): nothing to re-parse."""

    url: str
    portal: str
    kind: str
    status: int


class ConditionalRequestsMiddleware:
    def __init__(self, crawler) -> None:
        self.path = Path(crawler.settings.get("ARCHIVE_DB"))
        self.enabled = crawler.settings.getbool("CONDITIONAL_REQUESTS", True)
        self.stats = crawler.stats
        self.conn: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def _db(self) -> sqlite3.Connection | None:
        if self.conn is None and self.path.exists():
            conn = sqlite3.connect(f"file:{self.path.resolve()}?mode=ro", uri=True, timeout=30,
                                   check_same_thread=False)
            if conn.execute("select 1 from sqlite_master where name = 'http_validators'").fetchone():
                self.conn = conn
            else:  # an archive older than this feature: nothing stored yet
                conn.close()
        return self.conn

    def lookup(self, url: str) -> dict[str, Any] | None:
        """Stored validators of an archived document, its report title and its known attachments."""
        db = self._db()
        if db is None:
            return None
        row = db.execute("select v.etag, v.last_modified, v.sha256, v.report_id, r.title from http_validators v "
                         "join reports r on r.id = v.report_id where v.url = ?", [url]).fetchone()
        if row is None:
            return None
        children = [u for (u,) in db.execute(
            "select distinct url from report_urls where kind = 'attachment' and page_url = ? order by url", [url])]
        return {"etag": row[0], "last_modified": row[1], "sha256": row[2], "report_id": row[3], "title": row[4],
                "children": children}

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if (not self.enabled or request.method != "GET" or meta.get("kind") in ALWAYS_FETCH
                or meta.get("playwright") or meta.get("no_conditional")):
            return None
        known = self.lookup(request.url)
        if known is None:
            return None
        meta["conditional"] = known
        if known["etag"]:
            request.headers.setdefault(b"If-None-Match", known["etag"])
        if known["last_modified"]:
            request.headers.setdefault(b"If-Modified-Since", known["last_modified"])
        meta["handle_httpstatus_list"] = [*meta.get("handle_httpstatus_list", []), 304]
        self.stats.inc_value("nianbao/conditional/requests")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        known = request.meta.get("conditional")
        if not known:
            return response
        if response.status == 304:
            request.meta["not_modified"] = True
            self.stats.inc_value("nianbao/conditional/not_modified")
        elif response.status == 200 and known["sha256"] and \
                hashlib.sha256(response.body).hexdigest() == known["sha256"]:
            request.meta["not_modified"] = True  # no validators on this server, but the same bytes
            self.stats.inc_value("nianbao/conditional/same_body")
        return response

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
