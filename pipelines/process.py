"""One fetched document → one archive record (or a rejection). Pure: no Scrapy, no database.

    Fetched → documents (decode) → classify → clean / metadata / tables → checks → dedup keys → search
    words → Report

`process(fetched)` serves the crawl (in the parse pool, crawler/item_pipelines.py) and the local
import alike. Each stage's CPU time goes into `timings` (bench/realistic.py prints them).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from lxml import html as lxml_html

from pipelines.bounds import DEFAULT, Limits, bound_html, bound_tables
from pipelines.checks import run_checks
from pipelines.classify import classify_document, classify_title
from pipelines.clean import clean_text, extract_body
from pipelines.dedup import canonical_url, content_hash, minhash_signature
from pipelines.documents import Document, load_document
from pipelines.metadata import extract_metadata, implausible_date, page_text
from pipelines.normalize import normalize_text
from pipelines.ocr import OcrLimits, OcrResult, read_document
from pipelines.records import Fetched, Rejected, Report, ReportMetadata
from pipelines.tables import EXPLICIT_CELL_KINDS, TableResult, extract_tables
from pipelines.words import segment_fields

# The version of the parsers (classify, clean, metadata, tables, checks) that produced a report; stored
# per report (`reports.parser_version`). Bump it with every change that can change a stored value, so
# `nianbao reprocess` and a reader can tell which parser produced a number.
PARSER_VERSION = "2026.11.29-11"  # -2: tables read column order from the header, blank rows, 元, other shapes;
# -3: multi-line text headers in any order (wrapped labels), tab fields keep their columns
# -4: titles in one canonical form (二〇二三年, ２０２３, 《》, appended dates), 政务公开年度报告, implausible
# 发布时间 never chosen, contact passages bounded by chrome, body edges free of footer chrome
# -5: PDF columns by x-position, blank table 3 stored NULL, table-1 cross-template shapes, PDF text fixes
# -6: glued digit runs cut only when they cannot be fewer numbers (a blank cell): 0000000, never 17 → 1 | 7
# -7: a blank 总计 after six filled cells read as printed when the sixth is below the sum of the five before it
# -8: every phone and fax of the contact passage (contact_phones, contact_faxes)
# -9: a blank 总计 after six filled cells always read as printed in a web page or text file (rows list their
# own cells); a ragged row keeps the cells every one-cell shift agrees on (`ragged_row`); merged-cell duplicates
# collapsed only when no other dropped cell fits the sums; fixed-width rows with blanks before the first full
# row placed once that row shows the alignment
# -10: a PDF table continued on a new page without a top rule keeps its first row; a text reading that
# assumed the template's column order never beats a grid that read the printed order
# -11: PDF text lines from word positions (values a little above/below their label share its line); values on
# the first line of a wrapped label name the row its next lines complete (label_continued)


class _Clock:
    """Adds the CPU time since the last mark to a stage (this thread only: threads and workers do not mix in)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._t = time.thread_time()

    def mark(self, stage: str) -> None:
        now = time.thread_time()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._t
        self._t = now


def process(doc: Fetched, ocr: OcrLimits | bool | None = None, limits: Limits = DEFAULT) -> Report | Rejected:
    """Parse one document. `doc.html` is the decoded page for HTML pages; else `doc.body` holds the bytes.

    Scans (image-only PDF pages, image files, or `doc.pages`: the page images of one report in order)
    are read by OCR within `ocr` limits (None: defaults; False: never). Every stage works within
    `limits` (pipelines/bounds.py); the bounds hit go to `bounds_hit`.
    """
    clock = _Clock()
    url, html = doc.url, doc.html
    page_meta = doc.page_meta or {}
    pdf: bytes | None = None
    pdf_read: tuple[list, str] | None = None  # the PDF's table rows and text, read with its pages
    tree: Any = None  # an HTML page parsed once (lxml), shared read-only by the stages
    needs_ocr = False
    read: OcrResult | None = None
    bounds: list[str] = []
    body = b"".join(doc.pages) if doc.pages else doc.body
    if html is None:
        if doc.pages:  # a report printed as page images (a page whose body is images, a folder of scans)
            loaded = Document("image", "", None, None, needs_ocr=True, pages=len(doc.pages))
        else:
            loaded = load_document(doc.body, content_type=doc.content_type, url=url, limits=limits, tables=True)
        clock.mark("pdf" if loaded.kind == "pdf" else "decode")
        if loaded.error:
            return Rejected(f"unreadable {loaded.kind}: {loaded.error}", clock.timings)
        html, source_kind, needs_ocr = loaded.html, loaded.kind, loaded.needs_ocr
        bounds += loaded.bounds
        if html and loaded.kind != "html":  # converted DOCX/XLS/DOC HTML (pages are bounded by load_document)
            html, notes = bound_html(html, limits)
            bounds += notes
        raw_text = loaded.text
        # the PDF table reader opens every page: over PDF_MAX_PAGES the tables come from the pages read
        pdf = doc.body if loaded.kind == "pdf" and (loaded.pages or 0) <= limits.pdf_max_pages else None
        pdf_read = ((loaded.table_segments, loaded.table_text or loaded.text)
                    if pdf and loaded.table_segments is not None else None)
        ocr_limits = ocr if isinstance(ocr, OcrLimits) else OcrLimits.from_env()
        if needs_ocr and ocr is not False and ocr_limits.enabled and loaded.kind in ("pdf", "image"):
            read = read_document(doc.pages or doc.body, loaded.kind, ocr_limits)
            clock.mark("ocr")
            if read.text.strip():  # the tables below come from the OCR'd page HTML
                html, raw_text, pdf, pdf_read = read.html, read.text, None, None
        body_text = extract_body(html, url) if html and source_kind == "html" else clean_text(raw_text)
        clock.mark("clean")
        page = normalize_text(raw_text)
        clock.mark("decode")
    else:
        source_kind = "html"
        html, notes = bound_html(html, limits)
        bounds += notes
        tree = _parse(html)  # the one parse of the page: clean (a copy), page text, <meta> tags, tables
        clock.mark("decode")
        body_text = extract_body(html, url, copy.deepcopy(tree)) if tree is not None else extract_body(html, url)
        clock.mark("clean")
        page = normalize_text(page_text(html, tree))
        clock.mark("decode")

    title = doc.title
    if read is not None and read.text.strip() and not classify_title(title).is_report:
        from pipelines.ingest import printed_title  # a scan's file name says nothing: its printed title

        title = printed_title(body_text) or title
    verdict = classify_document(title, body_text)
    clock.mark("classify")
    if not verdict.is_report and not (needs_ocr and verdict.reason.startswith("report title")):
        return Rejected(verdict.reason, clock.timings)

    fetch_day = _day(doc.fetched_at)  # a 发布时间 after the fetch cannot be real (also on reprocess)
    meta = extract_metadata(title, body_text, html=html if source_kind == "html" else None, page=page,
                            today=fetch_day, tree=tree)
    clock.mark("metadata")
    if html:
        cut, notes = bound_tables(html, limits)
        if cut is not html:  # over TABLES_MAX_PER_PAGE: the table parser reads the cut page, parsed anew
            html, tree = cut, None
        bounds += notes
    tables = _tables(html, body_text, pdf, pdf_read, tree, explicit_cells=source_kind in EXPLICIT_CELL_KINDS)
    checks = run_checks(tables)
    cells = [dict(vars(c)) for c in tables.cells]  # flat dataclasses: vars() is asdict() without deep copies
    ocr_flags: list[str] = []
    ocr_read = read is not None and bool(read.text.strip())
    if read is not None:
        ocr_flags = list(read.flags)
        if read.error:
            tables.errors.insert(0, read.error)  # e.g. "OCR not installed: …": the scan is kept, unread
        if ocr_read:
            for c in cells:  # provenance: every number of this report was read by OCR
                if c["flag"] != "ocr_unreadable":
                    c["flag"] = ",".join(filter(None, ["ocr", c["flag"]]))
            if any(not c.ok for c in checks):
                ocr_flags.append("ocr_checks_failed")
    clock.mark("tables")
    published_at, published_source = meta.published_at, meta.published_source
    linked = page_meta.get("published_at")  # the 发布时间 of the page the document was fetched from/linked on
    if linked and (why := implausible_date(linked, meta.year, fetch_day)):
        meta.flags.append(f"published_at: {linked} (linking page) is {why}; not used")
        linked = None
    if linked and linked[:10] != (published_at or "")[:10]:
        if published_at:
            meta.flags.append(f"published_at: dates disagree: {linked} (linking page); {published_at} "
                              f"({published_source}); chose {linked} (linking page)")
        published_at, published_source = linked, "linking page"
    if (not published_at and meta.signature_date
            and not implausible_date(meta.signature_date, meta.year, fetch_day)):
        published_at, published_source = meta.signature_date, "signature date"
    agency, agency_source = meta.agency, meta.agency_source
    if not agency and page_meta.get("source"):
        agency, agency_source = page_meta["source"], "page field"
    primary = canonical_url(url)
    urls: list[tuple[str, str, str, str | None]] = [(url, primary, doc.kind, doc.page_url)]
    if doc.page_url:
        urls.insert(0, (doc.page_url, canonical_url(doc.page_url), "page", None))
    fingerprint = content_hash(body_text, cells, body)  # the bytes identify a scan without text
    signature = minhash_signature(body_text, cells)  # near-duplicate key (pipelines/dedup.py)
    clock.mark("dedup")
    metadata = {f.name: getattr(meta, f.name) for f in fields(ReportMetadata)}  # the fields, defined once
    metadata.update(agency=agency, agency_source=agency_source, year=meta.year or verdict.year,
                    published_at=published_at, published_source=published_source)
    search_words = segment_fields(title or None, agency, body_text)  # jieba here, in the parse worker
    clock.mark("words")
    fetch = None
    if doc.kind != "file":  # a local import has nothing to revalidate
        fetch = {"headers": doc.headers, "fetched_at": doc.fetched_at, "sha256": doc.sha256, "status": doc.status}
    return Report(
        url=url,
        canonical_url=primary,
        url_kind=doc.kind,
        urls=urls,
        body_text=body_text,
        content_hash=fingerprint,
        minhash=signature,
        reason=verdict.reason,
        title=title or None,
        **metadata,
        metadata_flags="; ".join(meta.flags) or None,
        parser_version=PARSER_VERSION,
        template=tables.template,
        source_kind=source_kind,
        portal=doc.portal or None,
        region_code=doc.region_code or None,
        needs_ocr=int(needs_ocr and not ocr_read),  # 1: a scan nobody has read yet
        ocr_engine=read.engine if read and ocr_read else None,
        ocr_model=read.model if read and ocr_read else None,
        ocr_confidence=read.confidence if read else None,
        cells_count=len(cells),
        nulls_count=tables.nulls,
        checks_failed=sum(1 for c in checks if not c.ok),
        table_flags="; ".join([*tables.flags, *ocr_flags]) or None,
        table_errors="; ".join(tables.errors) or None,
        bounds_hit="; ".join(bounds) or None,
        cells=cells,
        ambiguous=[dict(vars(a)) for a in tables.ambiguous],
        checks=[dict(vars(c)) for c in checks],
        fetch=fetch,
        timings=clock.timings,
        search_words=search_words,
    )


def _day(stamp: str | None) -> date | None:
    """The day of an ISO timestamp (`2024-03-01T08:00:00Z`), None when it is not one."""
    try:
        return date.fromisoformat((stamp or "")[:10])
    except ValueError:
        return None


def _parse(html: str) -> Any:
    """lxml.html.fromstring(html), or None when lxml cannot (each stage then parses, or fails, as before)."""
    try:
        return lxml_html.fromstring(html)
    except Exception:
        return None


def _tables(html: str | None, body_text: str, pdf: bytes | None,
            pdf_read: tuple[list, str] | None = None, tree: Any = None, explicit_cells: bool = False) -> TableResult:
    """The statistical tables from the richest source available; errors are recorded, never raised.
    explicit_cells: the document's rows list their own cells (a web page, a text file; not a converted grid)."""
    segments, text = pdf_read or (None, None)
    try:
        return extract_tables(html=html, text=body_text, pdf=pdf, pdf_segments=segments, pdf_text=text,
                              html_tree=tree, explicit_cells=explicit_cells)
    except Exception as exc:  # a parser bug must not lose the report
        return TableResult(template=None, cells=[], ambiguous=[], nulls=0, flags=[],
                           errors=[f"table parser failed: {type(exc).__name__}: {exc}"])


# -- the keyword interface of before the records (kept for callers outside the crawl) --------------

@dataclass
class Outcome:
    accepted: bool
    reason: str
    record: dict[str, Any] = field(default_factory=dict)


def process_document(*, url: str, body: bytes = b"", html: str | None = None, content_type: str | None = None,
                     kind: str = "page", title: str = "", portal: str = "", region_code: str = "",
                     page_url: str | None = None, page_meta: dict[str, Any] | None = None,
                     pages: list[bytes] | None = None, ocr: OcrLimits | bool | None = None,
                     limits: Limits = DEFAULT) -> Outcome:
    """`process` with keyword arguments, returning the record as a dict (no `fetch`: nothing to revalidate)."""
    result = process(Fetched(url=url, body=body, html=html, content_type=content_type, kind=kind, title=title,
                             portal=portal, region_code=region_code, page_url=page_url, page_meta=page_meta or {},
                             pages=pages or []), ocr, limits)
    if isinstance(result, Rejected):
        return Outcome(False, result.reason)
    record = result.to_dict()
    record.pop("fetch")
    return Outcome(True, result.reason, record)
