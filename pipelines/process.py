"""One fetched document → one archive record (or a rejection). Pure: no Scrapy, no database.

documents → normalize → classify → clean / metadata / tables → checks → dedup keys.
The same function serves the crawl pipelines and the local-import command.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.discovery.classify import classify_document
from pipelines.checks import run_checks
from pipelines.clean import clean_text, extract_body
from pipelines.dedup import canonical_url, content_hash, minhash_signature
from pipelines.documents import Document, load_document
from pipelines.metadata import extract_metadata, page_text
from pipelines.normalize import normalize_text
from pipelines.ocr import OcrLimits, OcrResult, read_document
from pipelines.tables import TableResult, extract_tables


@dataclass
class Outcome:
    accepted: bool
    reason: str
    record: dict[str, Any] = field(default_factory=dict)


def process_document(
    *,
    url: str,
    body: bytes = b"",
    html: str | None = None,
    content_type: str | None = None,
    kind: str = "page",
    title: str = "",
    portal: str = "",
    region_code: str = "",
    page_url: str | None = None,
    page_meta: dict[str, Any] | None = None,
    ocr: OcrLimits | bool | None = None,
    pages: list[bytes] | None = None,
) -> Outcome:
    """Parse one document. `html` is the decoded page for HTML pages; else `body` holds the bytes.

    Scans (image-only PDF pages, image files, or `pages`: the page images of one report in order)
    are read by OCR within `ocr` limits (None: defaults; False: never, e.g. the OCR extra is off).
    """
    page_meta = page_meta or {}
    pdf: bytes | None = None
    needs_ocr = False
    read: OcrResult | None = None
    if pages:  # a report printed as page images (an HTML page whose body is images, a folder of scans)
        body = b"".join(pages)
        doc = Document("image", "", None, None, needs_ocr=True, pages=len(pages))
    elif html is None:
        doc = load_document(body, content_type=content_type, url=url)
    if html is None:
        if doc.error:
            return Outcome(False, f"unreadable {doc.kind}: {doc.error}")
        html, source_kind, needs_ocr = doc.html, doc.kind, doc.needs_ocr
        raw_text = doc.text
        pdf = body if doc.kind == "pdf" else None
        if needs_ocr and ocr is not False and doc.kind in ("pdf", "image"):
            read = read_document(pages or body, doc.kind, ocr if isinstance(ocr, OcrLimits) else None)
            if read.text.strip():
                html, raw_text, pdf = read.html, read.text, None
                source_kind = doc.kind  # the tables below come from the OCR'd page HTML
        body_text = extract_body(html, url) if html and source_kind == "html" else clean_text(raw_text)
        page = normalize_text(raw_text)
    else:
        source_kind = "html"
        body_text = extract_body(html, url)
        page = normalize_text(page_text(html))

    verdict = classify_document(title, body_text)
    if not verdict.is_report and not (needs_ocr and verdict.reason.startswith("report title")):
        return Outcome(False, verdict.reason)

    meta = extract_metadata(title, body_text, html=html if source_kind == "html" else None, page=page)
    tables = _tables(html, body_text, pdf)
    checks = run_checks(tables)
    cells = [asdict(c) for c in tables.cells]
    ocr_flags: list[str] = []
    if read is not None:
        ocr_flags = list(read.flags)
        if read.error:
            tables.errors.append(read.error)  # e.g. "OCR not installed: …" — the scan is kept, unread
        if read.text.strip():
            for c in cells:  # provenance: every number of this report was read by OCR
                c["flag"] = c["flag"] if c["flag"] == "ocr_unreadable" else ",".join(filter(None, ["ocr", c["flag"]]))
            if any(not c.ok for c in checks):
                ocr_flags.append("ocr_checks_failed")
    published_at = page_meta.get("published_at") or meta.published_at or meta.signature_date
    agency = meta.agency or page_meta.get("source")
    primary = canonical_url(url)
    urls = [(url, primary, kind, page_url)]
    if page_url:
        urls.insert(0, (page_url, canonical_url(page_url), "page", None))
    record = {
        "url": url,
        "canonical_url": primary,
        "url_kind": kind,
        "urls": urls,
        "title": title or None,
        "agency": agency,
        "year": meta.year or verdict.year,
        "published_at": published_at,
        "signature_date": meta.signature_date,
        "contact_phone": meta.contact_phone,
        "contact_address": meta.contact_address,
        "contact_postcode": meta.contact_postcode,
        "contact_email": meta.contact_email,
        "template": tables.template,
        "source_kind": source_kind,
        "portal": portal or None,
        "region_code": region_code or None,
        "index_no": meta.index_no,
        "doc_no": meta.doc_no,
        "body_text": body_text,
        "needs_ocr": int(needs_ocr and not (read and read.text.strip())),  # 1: a scan nobody has read yet
        "ocr_engine": read.engine if read and read.text.strip() else None,
        "ocr_model": read.model if read and read.text.strip() else None,
        "ocr_confidence": read.confidence if read else None,
        "cells_count": len(cells),
        "nulls_count": tables.nulls,
        "checks_failed": sum(1 for c in checks if not c.ok),
        "table_flags": "; ".join([*tables.flags, *ocr_flags]) or None,
        "table_errors": "; ".join(tables.errors) or None,
        "cells": cells,
        "ambiguous": [asdict(a) for a in tables.ambiguous],
        "checks": [asdict(c) for c in checks],
    }
    record["content_hash"] = content_hash(body_text, cells, body)  # bytes: identity of a scan without text
    record["minhash"] = minhash_signature(body_text, cells)  # near-duplicate key (pipelines/dedup.py)
    return Outcome(True, verdict.reason, record)


def _tables(html: str | None, body_text: str, pdf: bytes | None) -> TableResult:
    """The statistical tables from the richest source available; errors are recorded, never raised."""
    try:
        return extract_tables(html=html, text=body_text, pdf=pdf)
    except Exception as exc:  # a parser bug must not lose the report
        return TableResult(template=None, cells=[], ambiguous=[], nulls=0, flags=[],
                           errors=[f"table parser failed: {type(exc).__name__}: {exc}"])
