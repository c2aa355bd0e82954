"""OCR of scanned reports: images in, positioned text and table grids out. Pure: no Scrapy, no database.

`read_document(data, kind)` reads an image-only (or partly image) PDF, or image files (JPEG/PNG/TIFF;
several images in page order form one report), within `OcrLimits`, and returns an `OcrResult`
whose `html` (paragraphs and ruled tables as <table>) goes to the same table grammar as HTML pages,
and whose `text` is the searchable body. Optional: without the `ocr` extra, `missing()` says why.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields

from pipelines.ocr.engine import NOT_INSTALLED, missing, versions
from pipelines.ocr.pages import Page, image_pages, page_count, pdf_pages
from pipelines.tables.tokens import OCR_UNREADABLE as UNREADABLE

ENV = "NIANBAO_OCR_LIMITS"  # JSON of OcrLimits fields: the crawl's OCR_* settings, inherited by parse workers


@dataclass(frozen=True)
class OcrLimits:
    enabled: bool = True
    max_pages: int = 40              # pages read per document; the rest are counted, flagged, skipped
    max_pixels: int = 12_000_000     # per page after rendering (A4 at 300 dpi is 8.7 M)
    timeout: float = 70.0            # seconds per document (under the parse pool's 120); later pages flagged
    dpi: int = 200                   # rendering / normalisation target
    min_confidence: float = 0.85     # a number with a glyph below this is NULL + `ocr_unreadable`
    threads: int = 1                 # ONNX Runtime threads (one per worker process)


    @classmethod
    def from_env(cls) -> OcrLimits:
        """The limits the crawl configured (`ENV`), else the defaults."""
        raw = os.environ.get(ENV)
        if not raw:
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in json.loads(raw).items() if k in known})

    def to_env(self) -> None:
        os.environ[ENV] = json.dumps(asdict(self))


@dataclass
class OcrResult:
    text: str = ""
    html: str = ""
    pages: int = 0               # pages in the document
    pages_read: int = 0          # pages OCR'd (text-layer pages are not counted)
    engine: str | None = None    # "rapidocr 3.10.0"
    model: str | None = None     # "PP-OCRv6_det_small+PP-OCRv6_rec_small"
    confidence: float | None = None  # mean engine confidence over the numbers read
    unreadable: int = 0          # numbers left NULL for low confidence
    seconds: float = 0.0
    flags: list[str] = field(default_factory=list)  # ocr_page_limit:N/M, ocr_timeout:N/M, ...
    error: str | None = None


def _pages(data: bytes | Iterable[bytes], kind: str, limits: OcrLimits) -> tuple[int, Iterator[Page]]:
    bound = {"dpi": limits.dpi, "max_pages": limits.max_pages, "max_pixels": limits.max_pixels}
    if kind == "pdf" and isinstance(data, bytes):
        return page_count(data, "pdf"), pdf_pages(data, **bound)
    images = [data] if isinstance(data, bytes) else list(data)
    counts = [page_count(d, "image") for d in images]

    def each() -> Iterator[Page]:
        n = 0
        for d in images:
            for page in image_pages(d, **{**bound, "max_pages": limits.max_pages - n}):
                page.index = n
                n += 1
                yield page
            if n >= limits.max_pages:
                return

    return sum(counts), each()


def read_document(data: bytes | Iterable[bytes], kind: str, limits: OcrLimits | None = None) -> OcrResult:
    """OCR a scan (kind "pdf" or "image"; several image files = pages of one report). Never raises."""
    limits = limits or OcrLimits.from_env()
    why = missing()
    if why:
        return OcrResult(error=why)
    from pipelines.ocr.read import read_page  # OpenCV: part of the extra
    engine, model = versions()
    result = OcrResult(engine=engine, model=model)
    start = time.monotonic()
    html: list[str] = []
    text: list[str] = []
    confs: list[float] = []
    try:
        result.pages, pages = _pages(data, kind, limits)
        done = 0
        for page in pages:
            if time.monotonic() - start > limits.timeout:
                result.flags.append(f"ocr_timeout:{done}/{result.pages}")
                break
            done += 1
            if page.image is None:  # a good text layer
                html += [f"<p>{line}</p>" for line in _escape_lines(page.text)]
                text.append(page.text)
                continue
            read = read_page(page.image, min_confidence=limits.min_confidence, threads=limits.threads)
            result.pages_read += 1
            result.unreadable += read.unreadable
            confs += read.confidences
            html.append(read.html)
            text.append(read.text)
        if result.pages > limits.max_pages:
            result.flags.append(f"ocr_page_limit:{limits.max_pages}/{result.pages}")
    except Exception as exc:  # a broken image, a decompression bomb, an engine failure: keep what was read
        result.error = f"OCR failed: {type(exc).__name__}: {exc}"[:300]
    result.html = "\n".join(html)
    result.text = "\n".join(t for t in text if t)
    result.confidence = round(sum(confs) / len(confs), 4) if confs else None
    if result.unreadable:
        result.flags.append(f"ocr_unreadable:{result.unreadable}")
    result.seconds = round(time.monotonic() - start, 2)
    return result


def _escape_lines(text: str) -> list[str]:
    import html as htmllib

    return [htmllib.escape(ln) for ln in text.splitlines() if ln.strip()]


__all__ = ["NOT_INSTALLED", "UNREADABLE", "OcrLimits", "OcrResult", "missing", "read_document", "versions"]
