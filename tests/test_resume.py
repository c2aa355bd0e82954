"""Resume: a crawl with JOBDIR killed by SIGKILL mid-way and restarted ends with the same archive
as an uninterrupted crawl (real subprocesses, real kill -9, fixture portals on 127.0.0.1)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from scrapy import Request
from scrapy.utils.request import fingerprint
from scrapy.utils.test import get_crawler

from bench.incremental import ROOT, crawl, crawl_cmd
from crawler.demo.server import SiteServer
from crawler.extensions.resume import MARKER, JobdirGuard
from tests.sites_incremental import build, portal_csv

WARCIO = str(Path(sys.executable).with_name("warcio"))

# Rows compared between the archives, keyed by content. Ids, timestamps and run ids differ by
# design; so do first-sighting attributes that depend on which rendition arrived first in any
# crawl (a report's title as first published: 简体 page or 繁體 mirror; the page that first linked a
# shared attachment), so they are left out.
SNAPSHOT = {
    "reports": "select content_hash, agency, year, version, published_at, body_text, cells_count from reports",
    "report_urls": "select r.content_hash, u.url, u.canonical_url, u.kind "
                   "from report_urls u join reports r on r.id = u.report_id",
    "report_cells": "select r.content_hash, c.table_name, c.row_label, c.col_label, c.value, c.raw "
                    "from report_cells c join reports r on r.id = c.report_id",
    "report_checks": "select r.content_hash, c.rule, c.scope, c.expected, c.actual, c.ok "
                     "from report_checks c join reports r on r.id = c.report_id",
    "report_versions": "select r.content_hash, v.version, v.content_hash from report_versions v "
                       "join reports r on r.id = v.report_id",
    "http_validators": "select v.url, v.kind, v.etag, v.last_modified, v.sha256, r.content_hash "
                       "from http_validators v join reports r on r.id = v.report_id",
    "report_minhash": "select r.content_hash, m.signature from report_minhash m join reports r on r.id = m.report_id",
}


def snapshot(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in SNAPSHOT.items()}


def reports_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select count(*) from reports").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def test_kill_9_mid_crawl_then_resume_equals_an_uninterrupted_crawl(tmp_path):
    site = tmp_path / "site"
    build(site)
    server = SiteServer(site).start()
    try:
        portals = portal_csv(site, server.url)
        reference = tmp_path / "reference.db"
        crawl(portals, reference)

        db, jobdir = tmp_path / "killed" / "archive.db", tmp_path / "job"
        db.parent.mkdir()
        # one request at a time with a delay, so that the kill lands mid-crawl
        slow = crawl_cmd(portals, db, "-s", f"JOBDIR={jobdir}", "-s", "DOWNLOAD_DELAY=0.4",
                         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False")
        proc = subprocess.Popen(slow, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while reports_in(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at = reports_in(db)
        assert 2 <= killed_at < reports_in(reference) or snapshot(db) != snapshot(reference)
        assert (jobdir / MARKER).exists()  # the killed crawl never closed
        # A longer crawl would have flushed its seen-requests buffer by now: fingerprints of pages
        # fetched and of pages only queued. Write them as such a crawl leaves them (every URL of the site).
        with (jobdir / "requests.seen").open("a") as fh:
            for file in sorted(site.rglob("*")):
                if file.suffix in (".html", ".docx"):
                    fh.write(fingerprint(Request(f"{server.url}/{file.relative_to(site).as_posix()}")).hex() + "\n")

        resumed = crawl(portals, db, "-s", f"JOBDIR={jobdir}")
        assert "belongs to a crawl that was killed" in resumed.stderr
    finally:
        server.stop()

    assert not (jobdir / MARKER).exists()
    assert snapshot(db) == snapshot(reference)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = conn.execute("select finished_at is not null from crawl_runs order by id").fetchall()
        assert runs == [(0,), (1,)]  # the killed run stays recorded as unfinished
    files = sorted((db.parent / "warc").glob("*.warc.gz"))
    assert files and not list((db.parent / "warc").glob("*.open"))  # the killed crawl's file was repaired
    check = subprocess.run([WARCIO, "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def _jobdir_with_state(path: Path) -> None:
    (path / "requests.queue").mkdir(parents=True)
    (path / "requests.queue" / "active.json").write_text("[]")
    (path / "requests.seen").write_text("0123456789abcdef\n")
    (path / "spider.state").write_bytes(b"\x80\x04}\x94.")


def test_guard_discards_the_state_of_a_killed_crawl(tmp_path):
    _jobdir_with_state(tmp_path)
    (tmp_path / MARKER).write_text("12345")
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    guard = JobdirGuard.from_crawler(crawler)
    assert not any((tmp_path / n).exists() for n in ("requests.queue", "requests.seen", "spider.state"))
    assert (tmp_path / MARKER).read_text() == str(os.getpid())
    guard.closed()
    assert not (tmp_path / MARKER).exists()


def test_guard_keeps_the_state_of_a_cleanly_stopped_crawl(tmp_path):
    _jobdir_with_state(tmp_path)  # no marker: the last crawl closed (Ctrl-C, SIGTERM, CLOSESPIDER_*)
    JobdirGuard.from_crawler(get_crawler(settings_dict={"JOBDIR": str(tmp_path)}))
    assert (tmp_path / "requests.seen").read_text() == "0123456789abcdef\n"
    assert (tmp_path / "requests.queue" / "active.json").exists()
