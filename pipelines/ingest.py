"""Local import: report files a researcher already has → the same pure pipeline → the archive.

Files (HTML, PDF, DOCX, DOC, XLS(X), TXT), folders (searched recursively) and list files (one path per
line) go through `pipelines.process.process` and `pipelines.store.save_report`, exactly like
crawled documents. The file's `file://` URL is its provenance in `report_urls`. A file that cannot be
read, or is not a report, is reported with the reason and recorded in `rejected_pages`; the import
goes on with the next file.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from pipelines import store
from pipelines.bounds import DEFAULT, Limits
from pipelines.records import Fetched, Rejected, Report

Parse = Callable[[Fetched], Report | Rejected]
# rejections that say the file could not be read, not that it is no report (pipelines/pool.py's among them)
_UNREADABLE = ("unreadable", "timeout after", "parser died", "parser failed")

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".xhtml": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword", ".wps": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel", ".et": "application/vnd.ms-excel",
    ".txt": "text/plain",
}
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff",
               ".tiff": "image/tiff", ".bmp": "image/bmp", ".gif": "image/gif", ".webp": "image/webp"}
CONTENT_TYPES.update(IMAGE_TYPES)  # scans, read by OCR (pipelines/ocr)


def natural_key(path: Path) -> list[object]:
    """page2.jpg before page10.jpg."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def scan_folder(path: Path) -> list[Path] | None:
    """A folder holding only page images is one scanned report: its pages in natural order."""
    if not path.is_dir():
        return None
    files = [f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")]
    if files and all(f.suffix.lower() in IMAGE_TYPES for f in files):
        return sorted(files, key=natural_key)
    return None
PORTAL = "local-import"
_ENCODINGS = ("utf-8-sig", "gb18030", "big5")


@dataclass
class FileResult:
    path: Path
    status: str          # new, updated, unchanged, rejected, unreadable
    reason: str = ""
    report_id: int | None = None


@dataclass
class ImportResult:
    run_id: int
    files: list[FileResult] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for f in self.files if f.status in statuses)


def expand(paths: Iterable[str | Path], lists: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Files named directly, found under folders (sorted, recursively), or listed one per line."""
    for lst in lists:
        for line in Path(lst).read_text(encoding="utf-8-sig").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                p = Path(line)
                yield from expand([p if p.is_absolute() else Path(lst).parent / p])
    for p in map(Path, paths):
        if scan_folder(p):
            yield p  # one report printed as page images
        elif p.is_dir():
            scans = {d for d in p.rglob("*") if scan_folder(d)}
            yield from sorted(scans)
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in CONTENT_TYPES
                              and f.parent not in scans)
        else:
            yield p


def decode(data: bytes) -> str:
    head = data[:2048].decode("ascii", "ignore")
    m = re.search(r"charset=[\"']?([\w-]+)", head, re.I)
    for enc in ([m.group(1)] if m else []) + list(_ENCODINGS):
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def html_title(html: str) -> str:
    for pattern in (r"<meta[^>]+name=[\"']?ArticleTitle[\"']?[^>]+content=[\"']([^\"']+)", r"<title[^>]*>(.*?)</title>",
                    r"<h1[^>]*>(.*?)</h1>"):
        m = re.search(pattern, html, re.I | re.S)
        if m:
            text = re.sub(r"<[^>]+>|\s+", "", m.group(1))
            if text:  # "<title>报告标题_某县人民政府</title>": keep the report's part
                return re.split(r"_|\||--", text)[0]
    return ""


_REPORT_TITLE = re.compile(r"政府信息公开.{0,8}(年度报告|年报|工作报告)")


def printed_title(text: str) -> str | None:
    """The report's title as printed near the top of its text (PDF/DOCX line breaks joined)."""
    lines = [re.sub(r"\s+", "", x) for x in text.splitlines()[:20] if x.strip()]
    for i, line in enumerate(lines):
        for candidate in (line, line + (lines[i + 1] if i + 1 < len(lines) else "")):
            m = _REPORT_TITLE.search(candidate)
            if m and len(candidate) <= 60 and candidate.endswith(m.group(0)):
                return candidate
    return None


@contextmanager
def parser(limits: Limits = DEFAULT, timeout: float = 0.0) -> Iterator[Parse]:
    """`pipelines.process.process` within `limits`, as the crawl runs it: with `timeout` > 0 in a parse
    worker process that is killed past `timeout` seconds (DOCUMENT_TIMEOUT_S, pipelines/pool.py), else
    in this process."""
    from pipelines.pool import ParsePool

    pool = ParsePool(workers=1 if timeout > 0 else 0, timeout=timeout, kwargs={"limits": limits})
    loop = asyncio.new_event_loop()
    try:
        yield lambda doc: loop.run_until_complete(pool.submit(doc))
    finally:
        pool.close()
        loop.close()


def import_file(db: sqlite_utils.Database, path: Path, run_id: int, region_code: str = "",
                parse: Parse | None = None) -> FileResult:
    """One file (or folder of page images) into the archive; `parse`: `process` by default (see `parser`)."""
    path = path.resolve()
    url = path.as_uri()
    pages = None
    try:
        if folder := scan_folder(path):
            pages = [f.read_bytes() for f in folder]
            data = b"".join(pages)
        else:
            data = path.read_bytes()
    except OSError as exc:
        return FileResult(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")
    if not data.strip():
        return FileResult(path, "unreadable", "empty file")
    if parse is None:
        from pipelines.process import process as parse  # heavy imports only for readable files
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    html = None
    title = path.name if pages else path.stem
    if content_type == "text/html":
        html = decode(data)
        title = html_title(html) or title
    try:
        result = parse(Fetched(url=url, body=data if html is None else b"", html=html, content_type=content_type,
                                 kind="file", title=title, portal=PORTAL, region_code=region_code, pages=pages or []))
    except Exception as exc:  # a parser bug on one file must not stop the import
        return FileResult(path, "unreadable", f"{type(exc).__name__}: {exc}")
    if isinstance(result, Rejected):
        status = "unreadable" if result.reason.startswith(_UNREADABLE) else "rejected"
        store.record_rejected(db, {"run_id": run_id, "url": url, "portal": PORTAL, "title": title,
                                   "reason": result.reason})
        return FileResult(path, status, result.reason)
    if not _REPORT_TITLE.search(title or ""):  # a file name like szfgs2024.pdf: take the printed title
        result.title = printed_title(result.body_text or "") or title
    outcome, report_id = store.save_report(db, result, run_id)
    return FileResult(path, outcome, result.reason, report_id)


def import_paths(db_path: str | Path, paths: Iterable[str | Path], lists: Iterable[str | Path] = (),
                 region_code: str = "", on_file=None, limits: Limits = DEFAULT, timeout: float = 0.0) -> ImportResult:
    """Import every file; `on_file(FileResult)` is called after each one (progress output). `limits` and
    `timeout` bound each document as in the crawl (see `parser`; `nianbao import -s NAME=VALUE`)."""
    db = store.open_archive(db_path)
    try:
        with parser(limits, timeout) as parse:
            bounds = {k: v for k, v in asdict(limits).items() if v != getattr(DEFAULT, k)}  # the ones -s changed
            args = json.dumps({"paths": [str(p) for p in paths], "lists": [str(x) for x in lists],
                               "region_code": region_code, **({"limits": bounds} if bounds else {})},
                              ensure_ascii=False)
            result = ImportResult(store.start_run(db, "import", args))
            for path in expand(paths, lists):
                if not path.exists():
                    fr = FileResult(path, "unreadable", "no such file")
                else:
                    fr = import_file(db, path, result.run_id, region_code, parse)
                result.files.append(fr)
                if on_file:
                    on_file(fr)
            store.finish_run(db, result.run_id, {
                "portals": 0, "pages": len(result.files), "reports_new": result.count("new"),
                "reports_updated": result.count("updated"), "reports_unchanged": result.count("unchanged"),
                "rejected": result.count("rejected"), "errors": result.count("unreadable"), "finish_reason": "finished"})
    finally:
        db.close()
    return result
