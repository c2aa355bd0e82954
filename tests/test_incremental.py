"""Re-crawls end to end: real `scrapy crawl` subprocesses against fixture portals on 127.0.0.1
(crawler.demo.server.SiteServer: ETag, Last-Modified, 304).

The same portals crawled twice: the second run revisits every page, adds no rows, gets 304s for
every page and document, downloads ≤ 10% of the bytes and writes WARC revisits; reposts and the
繁體 mirror are one report; a corrected report becomes a new version; report bytes read back from
the WARC.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.incremental import crawl
from crawler.demo.server import SiteServer
from crawler.extensions.warc import record_at
from tests.sites_incremental import ATTACHMENT, MIRROR, REPORTS, REPOST, REVISED, build, portal_csv, revise

WARCIO = str(Path(sys.executable).with_name("warcio"))
ROW_TABLES = ("reports", "report_urls", "report_cells", "report_checks", "report_versions", "http_validators")


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ROW_TABLES}


def query(db: Path, sql: str, args=()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, list(args)).fetchall()


def run_row(db: Path, run_id: int) -> dict:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("select * from crawl_runs where id = ?", [run_id]).fetchone())


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """Crawl the fixture portals twice into one archive; the server's request log per crawl."""
    tmp = tmp_path_factory.mktemp("incremental")
    site, db = tmp / "site", tmp / "archive.db"
    build(site)
    server = SiteServer(site).start()
    try:
        portals = portal_csv(site, server.url)
        crawl(portals, db)
        first = server.paths()
        after_first = counts(db)
        crawl(portals, db)
        second = server.paths()[len(first):]
    finally:
        server.stop()
    return {"db": db, "site": site, "first": first, "second": second, "after_first": after_first, "tmp": tmp}


def test_first_crawl_archives_three_reports(twice):
    db = twice["db"]
    run = run_row(db, 1)
    assert (run["reports_new"], run["reports_updated"], run["errors"]) == (3, 0, 0)
    assert run["reports_unchanged"] == 4  # the docx, the county page and its docx, the 繁體 mirror
    assert run["not_modified"] == 0 and run["pages"] == len(twice["first"])


def test_repost_and_traditional_mirror_are_one_report_seen_at_every_url(twice):
    db = twice["db"]
    rows = query(db, """select u.url, u.kind, u.portal from report_urls u join reports r on r.id = u.report_id
                        where r.title like '%麒麟区%' or r.title like '%麒麟區%' order by u.url""")
    paths = {url.split("/", 3)[3] for url, _, _ in rows}
    assert paths == {next(iter(REPORTS)), ATTACHMENT, REPOST, "county/zwgk/ndbg/P0_88.docx", MIRROR}
    assert {portal for _, _, portal in rows} == {"曲靖市", "麒麟区", "曲靖市繁體"}
    assert len({r for (r,) in query(db, "select report_id from report_urls")}) == 3


def test_second_crawl_adds_no_rows_and_answers_304(twice):
    db = twice["db"]
    assert counts(db) == twice["after_first"]
    run = run_row(db, 2)
    assert (run["reports_new"], run["reports_updated"]) == (0, 0)
    documents = query(db, "select count(*) from http_validators where report_id is not null")[0][0]
    assert documents == 7  # every archived page and attachment
    assert run["reports_unchanged"] == documents
    assert run["not_modified"] == run["pages"] - 1  # everything but robots.txt (404)
    # every page is revisited: discovery is intact (the first crawl also probed the host once for soft 404s:
    # crawler/middlewares/hosts.py; the second gets only 304s, so it has no 200 to compare)
    assert sorted(twice["second"]) == sorted(p for p in twice["first"] if "nianbao-probe-" not in p)
    status = dict(query(db, "select substr(url, instr(substr(url, 8), '/') + 8), status from fetch_log "
                            "where run_id = 2"))
    for path in [*REPORTS, ATTACHMENT, REPOST, MIRROR, "city/xxgk/nb/index.html", "city/xxgk/nb/index_1.html"]:
        assert status[path] == 304, path


def test_second_crawl_downloads_at_most_a_tenth_of_the_bytes(twice):
    first, second = run_row(twice["db"], 1), run_row(twice["db"], 2)
    assert second["bytes"] <= 0.10 * first["bytes"], (first["bytes"], second["bytes"])


def test_a_304_marks_reports_and_urls_seen(twice):
    db = twice["db"]
    second_start = run_row(db, 2)["started_at"]
    assert query(db, "select count(*) from report_urls where last_seen < ?", [second_start]) == [(0,)]
    assert query(db, "select count(*) from reports where last_run_id != 2") == [(0,)]
    assert query(db, "select distinct last_status from http_validators") == [(304,)]


def test_warc_files_pass_warcio_check_with_revisits_on_the_second_crawl(twice):
    files = sorted((twice["db"].parent / "warc").glob("*.warc.gz"))
    assert len(files) == 2 and not list((twice["db"].parent / "warc").glob("*.open"))
    result = subprocess.run([WARCIO, "check", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    kinds = dict(query(twice["db"], "select record_type, count(*) from warc_records where run_id = 2 "
                                    "and status = 304 group by record_type"))
    assert kinds == {"revisit": 14}
    linked = query(twice["db"], "select count(*) from warc_records where run_id = 2 and report_id is not null")
    assert linked == [(7,)]  # the revisits of archived documents point to their reports
    for path in files:
        assert subprocess.run([WARCIO, "index", str(path)], capture_output=True).returncode == 0


def test_report_bytes_read_back_from_their_warc_records(twice):
    db, site = twice["db"], twice["site"]
    rows = query(db, """select w.url, w.warc_file, w.offset from warc_records w join reports r on r.id = w.report_id
                        where w.record_type = 'response' and w.run_id = 1""")
    assert len(rows) == 7  # every archived document links to its capture
    for url, warc_file, offset in rows:
        with record_at(db.parent / "warc" / warc_file, offset) as record:
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.content_stream().read() == (site / url.split("/", 3)[3]).read_bytes()


def test_a_corrected_report_becomes_a_new_version(twice):
    tmp = twice["tmp"]
    site, db = tmp / "site2", tmp / "revised.db"
    build(site)
    server = SiteServer(site).start()
    try:
        portals = portal_csv(site, server.url)
        crawl(portals, db)
        before = counts(db)
        revise(site)
        later = (site / REVISED).stat().st_mtime + 60  # the portal's edit is newer than the first fetch
        os.utime(site / REVISED, (later, later))
        crawl(portals, db)
    finally:
        server.stop()
    run = run_row(db, 2)
    assert (run["reports_new"], run["reports_updated"], run["reports_unchanged"]) == (0, 1, 6)
    after = counts(db)
    assert after["reports"] == before["reports"] and after["report_versions"] == 1
    (rid, version, similarity), = query(db, "select report_id, version, similarity from report_versions")
    assert version == 1
    assert query(db, "select version, title from reports where id = ?", [rid]) == [(2, REPORTS[REVISED][1])]
    assert similarity >= 0.8
    assert "更正说明" in query(db, "select body_text from reports where id = ?", [rid])[0][0]
    assert "更正说明" not in query(db, "select body_text from report_versions")[0][0]


def test_a_damaged_memo_costs_one_full_fetch_not_the_pages_behind_it(twice):
    tmp = twice["tmp"]
    site, db = tmp / "site3", tmp / "damaged.db"
    build(site)
    server = SiteServer(site).start()
    list_url = f"{server.url}/city/xxgk/nb/index.html"
    try:
        portals = portal_csv(site, server.url)
        crawl(portals, db)
        with sqlite3.connect(db) as conn:
            assert conn.execute("update http_validators set memo = x'00ff' where url = ?",
                                [list_url]).rowcount == 1
        second = crawl(portals, db)
    finally:
        server.stop()
    assert "damaged page memo" in second.stderr
    run = run_row(db, 2)
    assert (run["reports_new"], run["reports_updated"], run["reports_unchanged"], run["errors"]) == (0, 0, 7, 0)
    statuses = [s for (s,) in query(db, "select status from fetch_log where run_id = 2 and url = ? order by id",
                                    [list_url])]
    assert statuses == [304, 200]  # the 304 could not be used: fetched again in full
