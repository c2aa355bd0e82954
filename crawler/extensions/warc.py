"""Raw archive: every HTTP response of the crawl as WARC 1.1 (warcio), with its request.

Layout: `WARC_DIR` (default `<archive dir>/warc`) holds `nianbao-<UTC start>-<pid>[-<WARC_NAME_TAG>]-<seq>.warc.gz`,
gzip per record (zlib level `WARC_GZIP_LEVEL`, default 6: warcio's 9 took 1.5x the CPU for 1 % fewer
bytes), a `warcinfo` record first in each file, rotated past `WARC_MAX_SIZE` bytes. A file
being written is named `….warc.gz.open`; at the next start, a leftover `.open` file (the crawl was
killed) is cut back to its last complete record and renamed, so every file passes `warcio check`.

Records (response_downloaded: the body as received, before decompression; Scrapy has already
removed chunked transfer-encoding, so headers are "reconstructed HTTP" like most crawlers'):
  response  a 200 (or other non-304) answer, followed by its `request` record;
  revisit   profile identical-payload-digest for a 200 whose payload digest equals the URL's last
            capture, or server-not-modified for a 304 (refers to the last capture).
Pages of render=true portals are recorded as the HTML the browser produced, marked with a
`WARC-Nianbao-Rendered` header. Every response/revisit record gets a `warc_records` row: the extension queues the row on
`crawler.warc_rows` and the ArchivePipeline's writer thread inserts it (the archive keeps one
writer); the row's report_id is filled when the URL is saved as a report (or marked seen).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import warcio
from scrapy import signals
from scrapy.http import Request, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_DROP_HEADERS = {"transfer-encoding"}  # Scrapy has de-chunked the body


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest as warcio writes it: sha1, base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@contextmanager
def record_at(path: Path, offset: int) -> Iterator[ArcWarcRecord]:
    """The WARC record that starts at byte `offset` of `path` (a `warc_records` row's place), to be read
    inside the block. No record there (or not a record's start): ValueError."""
    with path.open("rb") as fh:
        fh.seek(offset)
        try:
            record = next(iter(ArchiveIterator(fh)), None)
        except ArchiveLoadFailed as exc:
            raise ValueError(f"{path}: no WARC record at offset {offset} ({exc.msg[:80]})") from None
        if record is None:
            raise ValueError(f"{path}: no WARC record at offset {offset}")
        yield record


def repair(path: Path) -> Path:
    """Cut a `.warc.gz.open` file back to its last complete gzip member (= record) and rename it."""
    data = path.read_bytes()
    good = pos = 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        try:
            d.decompress(data[pos:])
        except zlib.error:
            break
        if not d.eof:
            break
        pos = len(data) - len(d.unused_data)
        good = pos
    with path.open("r+b") as fh:
        fh.truncate(good)
    final = path.with_name(path.name.removesuffix(".open"))
    if good == 0:
        path.unlink()
        return final
    path.rename(final)
    logger.warning("WARC %s was left open by a killed crawl: cut to %d complete bytes", final.name, good)
    return final


class _GzipMember:
    """warcio's GzippingWrapper (one gzip member per record) at a chosen zlib level; warcio fixes 9."""

    def __init__(self, out: Any, level: int) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, buff: bytes) -> None:
        self.out.write(self.compressor.compress(buff))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class LeveledWARCWriter(WARCWriter):
    """A gzipping WARCWriter whose zlib level is a parameter (the records are otherwise warcio's own)."""

    def __init__(self, filebuf: Any, level: int = 6, **kwargs: Any) -> None:
        super().__init__(filebuf, gzip=False, **kwargs)
        self.level = level

    def write_record(self, record: ArcWarcRecord, params: Any = None) -> None:
        self._write_warc_record(_GzipMember(self.out, self.level), record)


class WarcExtension:
    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        archive = Path(settings.get("ARCHIVE_DB"))
        self.dir = Path(settings.get("WARC_DIR") or archive.parent / "warc")
        self.archive = archive
        self.max_size = settings.getint("WARC_MAX_SIZE", 1024**3)
        self.level = settings.getint("WARC_GZIP_LEVEL", 6)
        if not 0 <= self.level <= 9:
            raise ValueError(f"WARC_GZIP_LEVEL must be 0-9, not {self.level}")
        self.user_agent = settings.get("USER_AGENT")
        self.robots = settings.getbool("ROBOTSTXT_OBEY")
        self.prefix = f"nianbao-{datetime.now(UTC):%Y%m%d%H%M%S}-{os.getpid()}"
        if settings.get("WARC_NAME_TAG"):  # distributed workers: their host, so names stay unique when merged
            self.prefix += "-" + "".join(c for c in settings.get("WARC_NAME_TAG") if c.isalnum())
        self.seq = 0
        self.fh: Any = None
        self.writer: WARCWriter | None = None
        self.name = ""
        self.last: dict[str, tuple[str, str]] = {}  # url -> (payload digest, WARC-Date) of this run's capture
        self.ro: sqlite3.Connection | None = None
        crawler.warc_rows = []  # drained by crawler.item_pipelines.ArchivePipeline
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("WARC_ENABLED", True):
            from scrapy.exceptions import NotConfigured

            raise NotConfigured("WARC_ENABLED is off")
        return cls(crawler)

    # -- files ------------------------------------------------------------------------------
    def opened(self, spider=None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for left in sorted(self.dir.glob("*.warc.gz.open")):
            if not _writer_alive(left):  # another crawl may be writing into the same WARC_DIR
                repair(left)

    def _open(self) -> None:
        self.seq += 1
        self.name = f"{self.prefix}-{self.seq:05d}.warc.gz"
        self.fh = (self.dir / f"{self.name}.open").open("wb")
        self.writer = LeveledWARCWriter(self.fh, self.level, warc_version="1.1")
        info = {
            "software": f"nianbao-archiver (Scrapy, warcio {warcio.__version__ if hasattr(warcio, '__version__') else ''})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "http-header-user-agent": self.user_agent,
            "robots": "obey" if self.robots else "ignore",
            "isPartOf": f"crawl run {getattr(self.crawler, 'archive_run_id', '')} of {self.archive.name}",
            "hostname": os.uname().nodename,
            "description": "HTTP headers are reconstructed from Scrapy (transfer-encoding removed)",
        }
        self.writer.write_record(self.writer.create_warcinfo_record(self.name, {k: v for k, v in info.items() if v}))
        self.fh.flush()

    def _close_file(self) -> None:
        if self.fh is None:
            return
        self.fh.close()
        (self.dir / f"{self.name}.open").rename(self.dir / self.name)
        self.fh = self.writer = None

    def closed(self, spider=None, reason: str = "") -> None:
        self._close_file()
        if self.ro is not None:
            self.ro.close()

    # -- records ----------------------------------------------------------------------------
    def _previous(self, url: str) -> tuple[str, str] | None:
        """(digest, WARC date) of the URL's last full capture: this run's, else the archive's."""
        if url in self.last:
            return self.last[url]
        if self.ro is None and self.archive.exists():
            try:
                self.ro = sqlite3.connect(f"file:{self.archive.resolve()}?mode=ro", uri=True, timeout=30,
                                          check_same_thread=False)
                self.ro.execute("select 1 from warc_records limit 1")
            except sqlite3.Error:
                self.ro = None
        if self.ro is None:
            return None
        row = self.ro.execute("select digest, fetched_at from warc_records where url = ? and record_type = 'response' "
                              "order by id desc limit 1", [url]).fetchone()
        return (row[0], row[1]) if row else None

    def response_downloaded(self, response: Response, request: Request, spider=None) -> None:
        if self.writer is None:
            self._open()
        assert self.writer is not None
        w = self.writer
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body = response.body or b""
        digest = payload_digest(body)
        previous = self._previous(response.url)
        resp_headers = StatusAndHeaders(
            f"{response.status} {_reason(response.status)}",
            [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs
             if k.decode("latin-1").lower() not in _DROP_HEADERS],
            protocol="HTTP/1.1")
        base = {"WARC-Date": date, "WARC-IP-Address": str(response.ip_address) if response.ip_address else None}
        if request.meta.get("playwright"):  # the DOM the browser rendered, not the bytes on the wire
            base["WARC-Nianbao-Rendered"] = "chromium (scrapy-playwright)"
        base = {k: v for k, v in base.items() if v}
        if response.status == 304 and previous:
            record = w.create_revisit_record(response.url, previous[0], response.url, previous[1],
                                             http_headers=resp_headers, warc_headers_dict=base)
            record.rec_headers.replace_header("WARC-Profile", NOT_MODIFIED_PROFILE)
            rtype, digest = "revisit", previous[0]
        elif response.status == 200 and previous and previous[0] == digest:
            record = w.create_revisit_record(response.url, digest, response.url, previous[1],
                                             http_headers=resp_headers, warc_headers_dict=base)
            rtype = "revisit"
        else:
            record = w.create_warc_record(response.url, "response", payload=BytesIO(body), length=len(body),
                                          http_headers=resp_headers, warc_headers_dict=base)
            rtype = "response"
            if response.status == 200:
                self.last[response.url] = (digest, date)
        offset = self.fh.tell()
        w.write_record(record)
        end = self.fh.tell()
        w.write_record(self._request_record(request, response.url, date, record.rec_headers.get_header("WARC-Record-ID")))
        self.fh.flush()
        self.crawler.warc_rows.append({
            "url": response.url, "warc_file": self.name, "offset": offset, "length": end - offset,
            "record_type": rtype, "record_id": record.rec_headers.get_header("WARC-Record-ID"), "digest": digest,
            "status": response.status, "kind": request.meta.get("kind"), "fetched_at": date,
        })
        self.crawler.stats.inc_value(f"nianbao/warc/{rtype}")
        if self.fh.tell() >= self.max_size:
            self._close_file()

    def _request_record(self, request: Request, url: str, date: str, concurrent_to: str):
        assert self.writer is not None
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
        body = request.body or b""
        return self.writer.create_warc_record(url, "request", payload=BytesIO(body), length=len(body),
                                              http_headers=http,
                                              warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to})


def _writer_alive(path: Path) -> bool:
    """Whether the process named in `nianbao-<time>-<pid>-<seq>.warc.gz.open` still runs."""
    try:
        pid = int(path.name.split("-")[2])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
