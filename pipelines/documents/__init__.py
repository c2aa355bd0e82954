"""Bytes of a fetched document → text (and HTML where possible) for cleaning and table parsing.

Pure functions, no Scrapy. `load_document` never raises: unreadable input comes back with `error` set.

- HTML/TXT: `decode_html` (GBK-aware, distrusts lying headers).
- PDF: pdfplumber `extract_text(x_tolerance=1)` per page (keeps narrow numeric columns apart);
  `needs_ocr` when a page is a large image with (almost) no text, or the whole file has no text layer.
  The time limit is checked between pages (pdfminer cannot be interrupted inside one page).
- DOCX: mammoth → HTML (tables stay `<table>` with rowspan/colspan; images dropped); its XML parts
  parsed by lxml (`pipelines.documents.ooxml`: the tree mammoth's minidom reader builds, less CPU).
- DOC/WPS: see `pipelines.documents.office` (LibreOffice, antiword as fallback and table rescue).
- XLS/XLSX (and WPS 表格 .et): python-calamine → one `<table>` per sheet, merged cells as spans.
"""

from __future__ import annotations

import codecs
import html as htmllib
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

from pipelines.bounds import DEFAULT, BoundExceeded, Limits, bound_html, note, safe_zip


class _NoFontBBox(logging.Filter):
    """Chromium's PDFs (Skia) embed CJK text as Type 3 fonts without a FontBBox: pdfminer warns once per font
    per page (about a hundred lines per report in a crawl's log) and reads the text right all the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Could not get FontBBox")


logging.getLogger("pdfminer.pdffont").addFilter(_NoFontBBox())


MAX_CELLS = 1_000_000  # a report workbook has a few hundred; this bounds the HTML we build
KINDS = ("html", "pdf", "docx", "doc", "wps", "xls", "xlsx", "txt", "image")
# page scans: JPEG, PNG, TIFF (both byte orders), BMP, GIF, WebP; read by OCR (pipelines/ocr)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")


@dataclass
class Document:
    kind: str                 # one of KINDS, or "unknown" (archives, video, ... → error)
    text: str                 # plain text; table cells separated by tabs, rows by newlines
    html: str | None          # HTML for html/docx/doc/wps/xls/xlsx: tables are real <table>
    encoding: str | None      # for html/txt: the codec that decoded the bytes
    needs_ocr: bool = False   # image-only PDF pages / scans: no text layer
    pages: int | None = None
    error: str | None = None  # why the bytes could not be read (load_document never raises)
    bounds: list[str] = field(default_factory=list)  # bounds hit (pipelines/bounds.py): what was cut
    # PDF with load_document(tables=True): the table rows' segments (pipelines.tables.pdf.rows_segments of
    # every page's page_table_rows), read in the same pass as the text: no second pdfminer parse
    table_segments: list | None = None
    # ... and the page text as the tables' fallback reads it (pipelines.tables.pdf.page_text: values printed a
    # little above or below their label share its line)
    table_text: str | None = None


# --- kind sniffing ---------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXT = {"pdf": "pdf", "docx": "docx", "doc": "doc", "wps": "wps", "xls": "xls", "xlsx": "xlsx",
        "et": "xls", "txt": "txt", "htm": "html", "html": "html", "shtml": "html", "xhtml": "html",
        "jsp": "html", "php": "html", "asp": "html", "aspx": "html", "do": "html"}
_CONTENT_TYPES = (  # substring of the lowercased media type → kind, first match wins
    ("pdf", "pdf"), ("wordprocessingml", "docx"), ("spreadsheetml", "xlsx"), ("ms-excel", "xls"),
    ("kswps", "wps"), ("ms-works", "wps"), ("wps-office.wps", "wps"), ("wps-office.et", "xls"),
    ("msword", "doc"), ("rtf", "doc"), ("html", "html"), ("text/plain", "txt"),
)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|table|div|p|script)\b",
                         re.I | re.S)

_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # control bytes text files do not contain


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ext(url: str | None) -> str:
    if not url:
        return ""
    path = unquote(urlsplit(url).path)
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff_kind(data: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """Magic bytes first, then the Content-Type, then the URL's extension. "unknown" if none fits."""
    ext = _EXT.get(_ext(url), "")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = []
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return ext if ext in ("docx", "xlsx") else "unknown"
    if data.startswith(_OLE):
        # Directory entries hold stream names in UTF-16LE; a substring test is enough to tell them apart.
        if _utf16("WordDocument") in data:
            return "wps" if ext == "wps" else "doc"
        if _utf16("Workbook") in data or _utf16("Book\x00") in data:
            return "xls"
        return ext if ext in ("doc", "wps", "xls") else "doc"
    if (data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
            or (data[:2] == b"BM" and data[6:10] == b"\0\0\0\0" and len(data) > 54)):
        return "image"
    if data.startswith(b"{\\rtf"):
        return "wps" if ext == "wps" else "doc"  # RTF saved as .doc: LibreOffice reads it
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    if _HTML_START.match(body[:4096]):
        return "html"
    media = (content_type or "").split(";")[0].strip().lower()
    for needle, kind in _CONTENT_TYPES:
        if needle in media:
            return kind
    if ext:
        return ext
    if media.startswith("text/") or (head and not _BINARY.search(head) and not media.startswith(("image/", "video/"))):
        return "html" if b"<" in head and b">" in head else "txt"
    return "unknown"


def looks_binary(data: bytes) -> bool:
    """A PDF/Office/zip file or control bytes that no web page has, whatever the Content-Type says."""
    head = data[:1024]
    if b"%PDF-" in head or head.startswith((b"PK\x03\x04", _OLE, b"{\\rtf")):
        return True
    if read_bom(head)[0]:  # UTF-16/32 text has NUL bytes
        return False
    return not _HTML_START.match(head) and len(_BINARY.findall(head)) > 8


# --- encodings -------------------------------------------------------------------------------

WEAK_ENCODINGS = {"cp1252", "latin-1", "iso8859-1", "ascii"}  # server defaults (Tomcat, nginx) that mean "unknown"


def codec_name(name: str | None) -> str | None:
    """w3lib's browser-style mapping (gb2312/gbk → gb18030, latin-1 → cp1252), as a Python codec name."""
    if not name:
        return None
    enc = resolve_encoding(name)
    return codecs.lookup(enc).name if enc else None


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, header_encoding: str | None = None) -> tuple[str, str]:
    """Decode an HTML (or text) body; returns (text, encoding).

    Order: BOM; valid UTF-8 (GBK bytes practically never are); the header's encoding, then the
    <meta> charset, each only if it decodes strictly; GB18030 (covers GB2312/GBK). A latin-1/cp1252
    header is a server default here, not a statement, so it only counts when nothing Chinese fits.
    If nothing decodes strictly: the least-broken of those when the damage is a few bytes (a page cut
    short), else the latin-1 style header, else charset-normalizer's guess. Big5 pages need a
    declaration (undeclared Big5 bytes also decode as GB18030).
    """
    bom, bom_bytes = read_bom(data)
    if bom:
        enc = codec_name(bom) or "utf-8"
        return data[len(bom_bytes or b""):].decode(enc, "replace"), enc
    if data.isascii():
        return data.decode("ascii"), codec_name(header_encoding) or "utf-8"
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    header = codec_name(header_encoding)
    declared = [e for e in (header, codec_name(html_body_declared_encoding(data))) if e and e not in WEAK_ENCODINGS]
    candidates = list(dict.fromkeys([*declared, "gb18030"]))
    for enc in candidates:
        text = _strict(data, enc)
        if text is not None:
            return text, enc
    # Nothing decodes cleanly. A page cut short or with a stray byte: the candidate with fewest errors.
    errors = {e: data.decode(e, "replace").count("\ufffd") for e in [*candidates, "utf-8"]}
    best = min(errors, key=errors.__getitem__)
    if errors[best] > max(2, len(data) // 1000):  # not damaged Chinese text
        if header in WEAK_ENCODINGS:
            best = header
        elif guess := _detect(data):
            best = guess
    return data.decode(best, "replace"), best


def _detect(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency of requests/scrapy
        return None
    match = from_bytes(data[:65536]).best()
    return codec_name(match.encoding) if match else None


# --- HTML → text -----------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
          "header", "footer", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote", "hr", "title", "caption",
          "form", "nav", "aside", "main", "center"}
_WS = re.compile(r"\s+")  # source line breaks are spaces in HTML; lines come from block elements
_SKIP = {"script", "style", "noscript", "template", "head"}


def html_text(html: str) -> str:
    """Visible text of an HTML string: blocks on their own lines, table cells separated by tabs."""
    if not html.strip():
        return ""
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", htmllib.unescape(html))
    parts: list[str] = []

    def walk(el: etree._Element, in_cell: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            return
        brk = " " if in_cell else "\n"  # blocks inside a table cell stay on the cell's line
        in_cell = in_cell or tag in ("td", "th")
        if tag in _BLOCK:
            parts.append(brk)
        if el.text and tag:
            parts.append(_WS.sub(" ", el.text))
        for child in el:
            walk(child, in_cell)
            if child.tail:
                parts.append(_WS.sub(" ", child.tail))
        if tag in ("td", "th"):
            parts.append("\t")
        elif tag in _BLOCK:
            parts.append(brk)

    walk(root, False)
    lines = (re.sub(r"[ \u3000\xa0\r]+", " ", line).strip(" ") for line in "".join(parts).split("\n"))
    lines = (re.sub(r" *\t *", "\t", line).strip("\t") for line in lines)
    return "\n".join(line for line in lines if line.strip())


# --- loaders ---------------------------------------------------------------------------------

def _pdf(data: bytes, deadline: float, limits: Limits = DEFAULT, tables: bool = False) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    from pipelines.documents import pdfcontent
    from pipelines.tables.pdf import page_table_rows, page_text, page_words, rows_segments

    pdfcontent.install()  # pdfminer's interpreter with a faster content-stream reader: the same objects
    rows: list | None = [] if tables else None
    table_texts: list[str] = []
    texts: list[str] = []
    bounds: list[str] = []
    ocr_pages = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n = len(pdf.pages)
            for i, page in enumerate(pdf.pages):
                if i >= limits.pdf_max_pages:
                    bounds.append(note("PDF pages", n, "PDF_MAX_PAGES", limits.pdf_max_pages,
                                       f"the first {limits.pdf_max_pages:,} read"))
                    break
                if time.monotonic() > deadline:
                    return Document("pdf", "\n".join(texts), None, None, pages=n,
                                    error=f"timed out after {len(texts)} of {n} pages")
                text, words = page_words(page)  # extract_text(x_tolerance=1) and its words, grouped once
                text = text or ""
                texts.append(text)
                chars = len(re.sub(r"\s", "", text))
                area = float(page.width * page.height) or 1.0
                image_area = sum(float(i["width"] * i["height"]) for i in page.images)
                if chars < 20 and image_area > 0.3 * area:
                    ocr_pages += 1
                if rows is not None:  # the table rows from the objects just parsed; not counted in the deadline
                    started = time.monotonic()
                    rows.extend(page_table_rows(page))
                    table_texts.append(page_text(page, words))
                    deadline += time.monotonic() - started
                page.close()
    except Exception as e:  # pdfminer raises many types (PSEOF, PDFSyntaxError, KeyError, ...)
        inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e  # pdfplumber wraps them
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
            return Document("pdf", "", None, None, error=f"encrypted PDF (needs a password): {type(inner).__name__}")
        cut = b"%%EOF" not in data[-4096:] and b" obj" in data[:65536]  # real objects, then the end missing
        what = "truncated PDF (no %%EOF at the end)" if cut else "unreadable PDF"
        return Document("pdf", "", None, None, error=f"{what}: {type(inner).__name__}: {inner}"[:300])
    text = "\n".join(texts)
    chars = len(re.sub(r"\s", "", text))
    read = len(texts)
    needs_ocr = ocr_pages > 0 or (read > 0 and chars < 20 * read)
    error = None
    if n == 0:
        error = "PDF has no pages"
    elif b"%%EOF" not in data[-4096:]:
        error = "truncated PDF (no %%EOF at the end)"
    return Document("pdf", text, None, None, needs_ocr=needs_ocr, pages=n, error=error, bounds=bounds,
                    table_segments=rows_segments(rows) if rows is not None and read == n else None,
                    table_text="\n".join(table_texts) if rows is not None and read == n else None)


def _docx(data: bytes, limits: Limits = DEFAULT) -> Document:
    import mammoth

    from pipelines.documents import ooxml

    ooxml.install()  # mammoth's XML parts read by lxml: the same tree, ~5× less CPU

    try:
        data, bounds = safe_zip(data, limits)  # zip bombs and entity bombs (pipelines/bounds.py)
    except BoundExceeded as e:
        return Document("docx", "", None, None, error=str(e))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        return Document("docx", "", None, None, error=f"unreadable DOCX: {type(e).__name__}: {e}"[:300])
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=mammoth.images.img_element(lambda image: {"alt": "[图片]"}))
    except Exception as e:  # zip/xml errors from a broken file
        return Document("docx", "", None, None, error=f"unreadable DOCX: {type(e).__name__}: {e}"[:300])
    html = result.value
    text = html_text(html)
    needs_ocr = "<img" in html and len(re.sub(r"\s", "", text)) < 50
    return Document("docx", text, html, None, needs_ocr=needs_ocr, bounds=bounds)


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return htmllib.escape("" if value is None else str(value))


def _sheets(data: bytes, kind: str, limits: Limits = DEFAULT) -> Document:
    from python_calamine import CalamineWorkbook

    bounds: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        try:
            data, bounds = safe_zip(data, limits)
        except BoundExceeded as e:
            return Document(kind, "", None, None, error=str(e))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            return Document(kind, "", None, None, error=f"unreadable spreadsheet: {type(e).__name__}: {e}"[:300])
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        out: list[str] = []
        cells = 0
        for i, name in enumerate(wb.sheet_names):
            sheet = wb.get_sheet_by_index(i)
            rows = sheet.to_python()
            spans: dict[tuple[int, int], tuple[int, int]] = {}
            hidden: set[tuple[int, int]] = set()
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
                spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
                hidden |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
            cells += sum(len(row) for row in rows)
            if cells > MAX_CELLS:
                return Document(kind, "", None, None, error=f"spreadsheet too large: over {MAX_CELLS} cells")
            trs = []
            for r, row in enumerate(rows):
                tds = []
                for c, value in enumerate(row):
                    if (r, c) in hidden:
                        continue
                    rs, cs = spans.get((r, c), (1, 1))
                    attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                    tds.append(f"<td{attrs}>{_cell(value)}</td>")
                trs.append(f"<tr>{''.join(tds)}</tr>")
            out.append(f"<h2>{htmllib.escape(name)}</h2>\n<table>\n" + "\n".join(trs) + "\n</table>")
        wb.close()
    except Exception as e:  # CalamineError, PasswordError, zip errors
        return Document(kind, "", None, None, error=f"unreadable spreadsheet: {type(e).__name__}: {e}"[:300])
    html = "\n".join(out)
    return Document(kind, html_text(html), html, None, pages=len(out), bounds=bounds)


def load_document(data: bytes, *, content_type: str | None = None, url: str | None = None,
                  max_bytes: int = 50 * 2**20, timeout: float | None = None, limits: Limits = DEFAULT,
                  tables: bool = False) -> Document:
    """Read one fetched document. Never raises; `error` says why the bytes could not be read.

    tables: a PDF's table rows are read in the same pass as its text (`Document.table_segments`).
    """
    kind = sniff_kind(data, content_type, url)
    if not data:
        return Document(kind, "", None, None, error="empty document")
    if len(data) > max_bytes:
        return Document(kind, "", None, None, error=f"document too large: {len(data)} bytes > {max_bytes}")
    deadline = time.monotonic() + (limits.timeout if timeout is None else timeout)
    try:
        if kind in ("html", "txt"):
            header = (re.search(r"charset=[\"']?([\w.:-]+)", content_type or "", re.I) or [None, None])[1]
            text, enc = decode_html(data, header)
            if kind == "txt":
                return Document("txt", text.replace("\r\n", "\n"), None, enc)
            page, bounds = bound_html(text, limits)
            return Document("html", html_text(page), page, enc, bounds=bounds)
        if kind == "pdf":
            return _pdf(data, deadline, limits, tables)
        if kind == "docx":
            return _docx(data, limits)
        if kind in ("xls", "xlsx"):
            return _sheets(data, kind, limits)
        if kind == "image":  # a scan: text comes from OCR (pipelines/ocr), the caller decides whether to run it
            return Document("image", "", None, None, needs_ocr=True, pages=1)
        if kind in ("doc", "wps"):
            from pipelines.documents.office import convert_word

            html, error = convert_word(data, timeout=max(1.0, deadline - time.monotonic()))
            if html is None:
                return Document(kind, "", None, None, error=error)
            text = html_text(html)
            if not text.strip() and "<img" not in html:
                return Document(kind, "", html, None, error="no text in the converted document")
            return Document(kind, text, html, None, needs_ocr="<img" in html and len(text.strip()) < 50)
    except Exception as e:  # a bug or an unexpected library error must not stop the crawl
        return Document(kind, "", None, None, error=f"{kind}: {type(e).__name__}: {e}"[:300])
    return Document(kind, "", None, None, error=f"unsupported document type (content-type {content_type!r})")
