"""Incremental re-crawls: conditional GETs for documents already in the archive.

Every URL the archive knows (`http_validators`: an archived report page or attachment, or a
parsed page with its memo) is requested with `If-None-Match` / `If-Modified-Since` from the
stored ETag / Last-Modified, and 304 is let through HttpErrorMiddleware (`handle_httpstatus_list`).
A 304, or a 200 whose body has the stored sha256 (servers without validators), sets
`meta["not_modified"]`: the spider then yields a `NotModifiedItem` (the archive marks the report
seen and counts it unchanged) and, without parsing, follows again the links the page had last
time (its memo: same page, same links), so new reports deeper down are still found. List pages
are revisited on every crawl, conditionally (CONDITIONAL_LISTS=False: always in full). A page
that was a report candidate but is not archived (killed before the save, or rejected) is always
fetched in full.

The archive is read through its own read-only connection (WAL lets it read while the one writer
writes); the middleware never writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import weakref
import zlib
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.http import Request, Response

from crawler.discovery.listings import Link
from crawler.items import PageMemoItem

logger = logging.getLogger(__name__)

LISTS = ("column", "next", "listing")  # list pages and list endpoints


_DIGESTS: weakref.WeakKeyDictionary[Response, str] = weakref.WeakKeyDictionary()


def body_sha256(response: Response) -> str:
    """sha256 of a response's body, hashed once per response object (not in meta: a request's meta
    is copied into follow-up requests, and a replaced response is another object)."""
    digest = _DIGESTS.get(response)
    if digest is None:
        digest = _DIGESTS[response] = hashlib.sha256(response.body).hexdigest()
    return digest


def encode_memo(links: list[Link], title: str, meta_info: dict[str, Any]) -> bytes:
    data = {"title": title, "meta": meta_info,
            "links": [[lk.url, lk.text, lk.kind, lk.method, lk.body, lk.headers or None, lk.render] for lk in links]}
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def decode_memo(blob: bytes) -> tuple[list[Link], str, dict[str, Any]]:
    """Inverse of encode_memo; raises ValueError on a damaged memo."""
    try:
        data = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        raise ValueError(f"damaged page memo: {exc}") from exc
    links = [Link(u, t, k, m, b, h or {}, r) for u, t, k, m, b, h, r in data["links"]]
    return links, data.get("title") or "", data.get("meta") or {}


def page_memo(response: Response, links: list[Link], *, title: str, meta_info: dict[str, Any],
              is_report: bool) -> PageMemoItem:
    header = response.headers.get
    return PageMemoItem(
        url=response.url, kind=response.meta.get("kind", "page"),
        etag=header("ETag", b"").decode("latin-1") or None,
        last_modified=header("Last-Modified", b"").decode("latin-1") or None,
        sha256=body_sha256(response), is_report=is_report,
        memo=encode_memo(links, title, meta_info))


class ConditionalRequestsMiddleware:
    def __init__(self, crawler) -> None:
        self.path = Path(crawler.settings.get("ARCHIVE_DB"))
        self.enabled = crawler.settings.getbool("CONDITIONAL_REQUESTS", True)
        self.lists = crawler.settings.getbool("CONDITIONAL_LISTS", True)
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
        """Stored validators of a known URL, its report (if any), its memo and its report's attachments."""
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("select v.etag, v.last_modified, v.sha256, r.id, r.title, v.memo, v.is_report, v.kind "
                             "from http_validators v left join reports r on r.id = v.report_id where v.url = ?",
                             [url]).fetchone()
        except sqlite3.Error as exc:  # an archive from an older version, not migrated yet: fetch in full
            logger.warning("conditional requests off for %s: %s", url, exc)
            return None
        if row is None or (row[3] is None and (row[5] is None or row[6])):
            return None  # not archived: a report candidate not saved yet must be parsed again
        if row[5] is None and row[7] != "attachment":
            return None  # a page without its memo (lost in a kill): fetch and parse it once more
        children = [u for (u,) in db.execute(
            "select distinct url from report_urls where kind = 'attachment' and page_url = ? order by url", [url])]
        return {"etag": row[0], "last_modified": row[1], "sha256": row[2], "report_id": row[3], "title": row[4],
                "memo": row[5], "children": children, "kind": row[7]}

    def process_request(self, request: Request) -> None:
        meta = request.meta
        kind = meta.get("kind")
        if (not self.enabled or request.method != "GET" or kind == "robots" or (kind in LISTS and not self.lists)
                or meta.get("playwright") or meta.get("no_conditional") or request.url.endswith("/robots.txt")):
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
                body_sha256(response) == known["sha256"]:
            request.meta["not_modified"] = True  # no validators on this server, but the same bytes
            self.stats.inc_value("nianbao/conditional/same_body")
        return response

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
