"""The typed records of the data path. Pure: no Scrapy, no database.

    Fetched  one fetched document (a page or an attachment, or a local file), built once by the
             spider or the importer;
    Report   what `pipelines.process.process` makes of it: every field the archive writes;
    Rejected the reason it is not a report.

All three are plain dataclasses that round-trip through `to_dict`/`from_dict` (bytes kept) and
`to_json`/`from_json` (bytes base64-encoded), so they can cross process boundaries (the parse pool,
a Redis stream) unchanged.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Self

_BYTES = "__b64__"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class _Record:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_json(self) -> str:
        return json.dumps(_encode(self.to_dict()), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        return cls.from_dict(_decode(json.loads(text)))


@dataclass
class Fetched(_Record):
    """A fetched candidate report: an HTML detail page, an attachment (PDF, DOCX, …) or a local file."""

    url: str
    portal: str = ""
    kind: str = "page"  # "page" | "attachment" | "file"
    body: bytes = b""  # raw bytes (attachments; empty for pages, whose decoded text is in `html`)
    html: str | None = None  # decoded HTML of a page (the spider's decoding, encoding-fixed)
    encoding: str | None = None
    content_type: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # validators: ETag, Last-Modified
    sha256: str | None = None  # of the response body as fetched
    fetched_at: str = ""
    # page context
    title: str = ""  # the page's title (attachments: the linking page's title or the link text)
    link_text: str = ""
    page_url: str | None = None  # attachments: the detail page that linked them
    page_meta: dict[str, Any] = field(default_factory=dict)  # the page's 发布时间/信息来源
    region_code: str = ""
    pages: list[bytes] = field(default_factory=list)  # page images of one scanned report, in order (OCR)

    @property
    def text(self) -> str | None:  # the item field's old name
        return self.html


@dataclass
class Rejected(_Record):
    """Not an annual report (or unreadable), with the reason (audit table `rejected_pages`)."""

    reason: str
    timings: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage, see Report.timings


@dataclass(kw_only=True)
class ReportMetadata:
    """The metadata fields of a report, defined once: `pipelines.metadata.Metadata` extracts them
    (plus its flags), `Report` stores them (keyword-only, so they follow any field without a default)."""

    agency: str | None = None
    year: int | None = None
    published_at: str | None = None
    signature_date: str | None = None
    contact_phone: str | None = None  # the first of contact_phones
    # every number to call / fax printed in the contact passage, JSON arrays in printed order ("[]": none
    # printed; NULL: read by a parser older than these columns, `nianbao reprocess` fills them)
    contact_phones: str | None = None
    contact_faxes: str | None = None
    contact_address: str | None = None
    contact_postcode: str | None = None
    contact_email: str | None = None
    index_no: str | None = None  # 索引号
    doc_no: str | None = None  # 文号
    agency_source: str | None = None  # where the agency came from (pipelines.metadata.AGENCY_SOURCES)
    published_source: str | None = None  # where published_at came from ("meta pubdate", "page 发布时间", …)


@dataclass
class Report(_Record, ReportMetadata):
    """One processed report: the `reports` row (its metadata fields: ReportMetadata), its cells,
    checks, URLs and dedup keys."""

    url: str
    canonical_url: str
    url_kind: str
    urls: list[tuple[str, str, str, str | None]]  # (url, canonical_url, kind, page_url); the page first
    body_text: str
    content_hash: str
    minhash: bytes
    reason: str = ""  # why it was classified a report
    title: str | None = None
    template: str | None = None
    source_kind: str | None = None
    portal: str | None = None
    region_code: str | None = None
    needs_ocr: int = 0
    ocr_engine: str | None = None  # engine + version that read a scan (re-read when a better one comes)
    ocr_model: str | None = None
    ocr_confidence: float | None = None  # mean engine confidence over the numbers read
    cells_count: int = 0
    nulls_count: int = 0
    checks_failed: int = 0
    table_flags: str | None = None
    table_errors: str | None = None
    bounds_hit: str | None = None  # bounds this document hit (pipelines/bounds.py)
    cells: list[dict[str, Any]] = field(default_factory=list)  # table_name, row_label, col_label, value, raw, unit, flag
    ambiguous: list[dict[str, Any]] = field(default_factory=list)  # table_name, row_label, col_label, why
    checks: list[dict[str, Any]] = field(default_factory=list)  # rule, scope, expected, actual, ok
    fetch: dict[str, Any] | None = None  # headers, fetched_at, sha256, status of the fetch (None: local import)
    timings: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage (decode, classify, …)
    metadata_flags: str | None = None  # metadata ambiguities, "; "-joined (two 发布时间, a disagreeing 来源)
    parser_version: str | None = None  # pipelines.process.PARSER_VERSION
    # title, agency, body_text segmented into words (pipelines.search.segment_fields), made by the parse
    # worker so that the archive writer only inserts them into the word index
    search_words: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["urls"] = [tuple(u) for u in self.urls]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        report = super().from_dict(data)
        report.urls = [tuple(u) for u in report.urls]  # type: ignore[misc]
        return report
