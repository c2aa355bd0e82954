"""`nianbao reprocess [DB]`: the current parsers over every archived capture, no network.

For each report, the latest 200 `response` capture of its URL (`warc_records`) is read back from
the WARC files, decoded as the crawl decodes it (Scrapy's response types and the encoding fix),
given the page context the crawl gave it (the report's title; for an attachment, the 发布时间/来源 of
the report page that linked it, from that page's capture) and run through `pipelines.process.process`.
`pipelines.store.reparse_report` writes the result in place with `PARSER_VERSION`.
Reports without a capture (local imports, archives crawled with WARC off) are left as they are and
counted; a report the current classifier rejects is kept (never dropped) and listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from crawler.extensions.warc import record_at
from crawler.middlewares.encoding import EncodingFixMiddleware
from pipelines.bounds import DEFAULT as DEFAULT_LIMITS
from pipelines.bounds import cut_page
from pipelines.documents import looks_binary
from pipelines.metadata import page_published_at, page_source, page_text
from pipelines.process import PARSER_VERSION, process
from pipelines.records import Fetched, Rejected
from pipelines.store import open_archive
from pipelines.store.reports import reparse_changes, reparse_report


@dataclass
class Summary:
    reports: int = 0
    captures: int = 0
    changed: list[int] = field(default_factory=list)
    agency: int = 0
    year: int = 0
    template: int = 0
    cells: int = 0
    checks_newly_failing: int = 0
    no_capture: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    collisions: list[tuple[int, int]] = field(default_factory=list)
    unreadable: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"nianbao reprocess: {self.reports} reports, {self.captures} captures read, parser {PARSER_VERSION}: "
                f"{len(self.changed)} changed (agency {self.agency}, year {self.year}, template {self.template}), "
                f"{self.cells} cells changed, {self.checks_newly_failing} checks newly failing; "
                f"{len(self.no_capture)} without a capture, {len(self.rejected)} now rejected (kept), "
                f"{len(self.collisions)} would duplicate another report (kept), {len(self.unreadable)} unreadable")


def _read_capture(warc_dir: Path, warc_file: str, offset: int) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, HTTP headers, payload with content-encoding undone) of one WARC response record."""
    path = warc_dir / warc_file
    if not path.exists() and (warc_dir / f"{warc_file}.open").exists():
        path = warc_dir / f"{warc_file}.open"
    with record_at(path, offset) as record:
        payload = record.content_stream().read()
        return int(record.http_headers.get_statuscode()), list(record.http_headers.headers), payload


def _latest_capture(db, url: str) -> dict[str, Any] | None:
    rows = list(db.query("select warc_file, offset from warc_records where url = ? and record_type = 'response' "
                         "and status = 200 order by id desc limit 1", [url]))
    return rows[0] if rows else None


def _decode_page(url: str, headers: list[tuple[str, str]], body: bytes) -> str | None:
    """The page's text as the spider saw it (response.text after EncodingFixMiddleware); None: not text."""
    h = Headers([(k, v) for k, v in headers if k.lower() != "content-encoding"])
    cls = responsetypes.from_args(headers=h, url=url, body=body)
    response = cls(url=url, body=body, headers=h, status=200)
    if not isinstance(response, TextResponse):
        return None
    response = EncodingFixMiddleware().process_response(None, response)  # type: ignore[arg-type]
    return response.text


def _page_meta(html: str) -> dict[str, Any]:
    """The page's 发布时间/来源 as the spider reads them (from the page cut to PAGE_MAX_CHARS)."""
    html, _ = cut_page(html, DEFAULT_LIMITS)
    text = page_text(html)
    return {"published_at": page_published_at(html, text), "source": page_source(html, text)}


def _fetched(db, warc_dir: Path, report: dict[str, Any], summary: Summary) -> Fetched | None:
    capture = _latest_capture(db, report["url"])
    if capture is None:
        summary.no_capture.append(report["id"])
        return None
    status, headers, body = _read_capture(warc_dir, capture["warc_file"], capture["offset"])
    summary.captures += 1
    kind_row = list(db.query("select kind, page_url from report_urls where report_id = ? and url = ? limit 1",
                             [report["id"], report["url"]]))
    kind, page_url = (kind_row[0]["kind"], kind_row[0]["page_url"]) if kind_row else ("page", None)
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    common = {"url": report["url"], "portal": report["portal"] or "", "title": report["title"] or "",
              "region_code": report["region_code"] or "", "content_type": content_type, "status": status}
    if kind == "page" and not looks_binary(body):
        html = _decode_page(report["url"], headers, body)
        if html is not None:
            return Fetched(kind="page", html=html, page_meta=_page_meta(html), **common)
    if kind == "page":  # a binary answer to a page link: the spider treats it as a document
        kind = "attachment"
    page_meta: dict[str, Any] = {}
    if page_url and (page_capture := _latest_capture(db, page_url)):
        _, page_headers, page_body = _read_capture(warc_dir, page_capture["warc_file"], page_capture["offset"])
        if (page_html := _decode_page(page_url, page_headers, page_body)) is not None:
            page_meta = _page_meta(page_html)
    return Fetched(kind=kind, body=body, page_url=page_url, page_meta=page_meta, **common)


def _describe(report: dict[str, Any], changes: dict[str, Any]) -> str:
    parts = []
    for name, (old, new) in changes["fields"].items():
        if name in ("agency", "year", "template", "published_at", "contact_phone"):
            parts.append(f"{name} {old} → {new}")
    others = [n for n in changes["fields"] if n not in ("agency", "year", "template", "published_at", "contact_phone")]
    if others:
        parts.append("also " + ", ".join(others))
    n_cells = len(changes["cells_added"]) + len(changes["cells_removed"]) + len(changes["cells_changed"])
    if n_cells:
        parts.append(f"cells {n_cells} changed (+{len(changes['cells_added'])} −{len(changes['cells_removed'])} "
                     f"~{len(changes['cells_changed'])})")
    if changes["checks_newly_failing"]:
        parts.append("checks newly failing: " + ", ".join(f"{r} {s}" for r, s in changes["checks_newly_failing"]))
    return f"report {report['id']} ({report['agency']} {report['year']}, {report['url']}): " + "; ".join(parts)


def reprocess(db_path: Path, warc_dir: Path | None = None, *, dry_run: bool = False,
              out: Callable[[str], None] = print) -> Summary:
    """Re-parse every report with a capture; print one line per changed report and a summary line."""
    db = open_archive(db_path)
    warc_dir = warc_dir or db_path.parent / "warc"
    summary = Summary()
    try:
        reports = list(db.query("select id, url, title, portal, region_code, agency, year from reports order by id"))
        summary.reports = len(reports)
        for report in reports:
            try:
                fetched = _fetched(db, warc_dir, report, summary)
            except (OSError, StopIteration, ValueError) as exc:
                summary.unreadable.append((report["id"], f"{type(exc).__name__}: {exc}"))
                out(f"report {report['id']}: capture unreadable ({type(exc).__name__}: {exc}); kept as it is")
                continue
            if fetched is None:
                continue
            result = process(fetched)
            if isinstance(result, Rejected):
                summary.rejected.append((report["id"], result.reason))
                out(f"report {report['id']} ({report['url']}): the current parser rejects it ({result.reason}); kept")
                continue
            if dry_run:
                changes = reparse_changes(db, report["id"], result)
                changes["collides_with"] = None
                changes["changed"] = bool(changes["fields"] or changes["cells_added"] or changes["cells_removed"]
                                          or changes["cells_changed"] or changes["checks_changed"])
            else:
                changes = reparse_report(db, report["id"], result)
            if changes["collides_with"] is not None:
                summary.collisions.append((report["id"], changes["collides_with"]))
                out(f"report {report['id']}: its new content equals report {changes['collides_with']}'s; kept as it is")
                continue
            if not changes["changed"]:
                continue
            summary.changed.append(report["id"])
            for name in ("agency", "year", "template"):
                summary.__dict__[name] += name in changes["fields"]
            summary.cells += (len(changes["cells_added"]) + len(changes["cells_removed"])
                              + len(changes["cells_changed"]))
            summary.checks_newly_failing += len(changes["checks_newly_failing"])
            out(_describe(report, changes))
    finally:
        db.close()
    out(summary.line() + (" (dry run: nothing written)" if dry_run else ""))
    return summary
