"""`nianbao reprocess` without a crawl (quick tier): a small archive built from WARC captures of demo
report pages written here with warcio, then re-parsed with unchanged and with changed parsers."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import crawler.commands.reprocess as reprocess_cmd
import pipelines.process as process_mod
from crawler.commands.reprocess import _decode_page, _page_meta, reprocess
from pipelines.process import process
from pipelines.records import Fetched
from pipelines.store import open_archive, save_report

DEMO = Path(__file__).resolve().parents[1] / "crawler" / "demo"
MANIFEST = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
PORTALS = {p["key"]: p for p in MANIFEST["portals"]}
PAGES = [r for r in MANIFEST["reports"] if r["path"].endswith(".html") and not r.get("duplicate_of")][:3]


def _build(tmp_path: Path) -> Path:
    """WARC captures of the demo report pages (as served: the portal's header charset) and an archive of them."""
    warc_dir = tmp_path / "warc"
    warc_dir.mkdir()
    name = "test-00001.warc.gz"
    rows = []
    with (warc_dir / name).open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for rep in PAGES:
            portal = PORTALS[rep["portal"]]
            body = (DEMO / "site" / portal["directory"] / rep["path"].lstrip("/")).read_bytes()
            url = f"http://{rep['portal']}.demo.test{rep['path']}"
            headers = StatusAndHeaders("200 OK", [("Content-Type", f"text/html; charset={portal['header_charset']}")],
                                       protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                               http_headers=headers)
            offset = fh.tell()
            writer.write_record(record)
            rows.append({"url": url, "warc_file": name, "offset": offset, "length": fh.tell() - offset,
                         "record_type": "response", "status": 200, "kind": "page", "rep": rep})
    db_path = tmp_path / "archive.db"
    db = open_archive(db_path)
    for row in rows:
        rep = row.pop("rep")
        html = _decode_page(row["url"], [("Content-Type", f"text/html; charset={PORTALS[rep['portal']]['header_charset']}")],
                            (DEMO / "site" / PORTALS[rep["portal"]]["directory"] / rep["path"].lstrip("/")).read_bytes())
        report = process(Fetched(url=row["url"], kind="page", html=html, title=rep["title"], portal=rep["portal"],
                                 page_meta=_page_meta(html or "")))
        db.table("warc_records").insert(row)
        save_report(db, report, None)
    db.close()
    return db_path


def test_reprocess_from_warc_only(tmp_path, monkeypatch):
    db_path = _build(tmp_path)
    lines: list[str] = []
    summary = reprocess(db_path, out=lines.append)
    assert summary.reports == summary.captures == len(PAGES) and summary.changed == []

    real = process_mod.extract_metadata

    def metadata(title, body, **kw):  # a deliberate change affecting one report: its year
        meta = real(title, body, **kw)
        if meta.agency == PAGES[0]["agency"]:
            meta.year = (meta.year or 0) + 1
        return meta

    monkeypatch.setattr(process_mod, "extract_metadata", metadata)
    monkeypatch.setattr(process_mod, "PARSER_VERSION", "quick-2")
    monkeypatch.setattr(reprocess_cmd, "PARSER_VERSION", "quick-2")
    dry = reprocess(db_path, dry_run=True, out=lambda _: None)
    assert len(dry.changed) == 1 and dry.year == 1
    db = open_archive(db_path)
    assert db.execute("select count(*) from reports where parser_version = 'quick-2'").fetchone()[0] == 0
    db.close()
    summary = reprocess(db_path, out=lines.append)
    assert len(summary.changed) == 1 and summary.year == 1 and summary.agency == 0
    db = open_archive(db_path)
    rows = {r["agency"]: r for r in db.query("select agency, year, parser_version from reports")}
    db.close()
    assert rows[PAGES[0]["agency"]]["year"] == PAGES[0]["year"] + 1
    assert all(r["year"] == p["year"] for p in PAGES[1:] for r in [rows[p["agency"]]])
    assert {r["parser_version"] for r in rows.values()} == {"quick-2"}
    assert f"year {PAGES[0]['year']} → {PAGES[0]['year'] + 1}" in lines[-2]


def test_reports_without_a_capture_are_counted_and_kept(tmp_path):
    db_path = _build(tmp_path)
    db = open_archive(db_path)
    db.execute("delete from warc_records")
    before = list(db.query("select * from reports order by id"))
    db.close()
    summary = reprocess(db_path, out=lambda _: None)
    assert len(summary.no_capture) == len(PAGES) and summary.changed == []
    db = open_archive(db_path)
    assert list(db.query("select * from reports order by id")) == before
    db.close()
