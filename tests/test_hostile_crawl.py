"""The hostile portal (tests/hostile/server.py) crawled by `scrapy crawl portals` on 127.0.0.1: every case
ends where it should (a report with the bound it hit, a rejection with its reason, a fetch_log error
with its reason), the crawl finishes, and nothing is written outside the archive and its WARC folder."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.server import CASES, HostileServer

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    with HostileServer() as srv:
        scrapy = Path(sys.executable).with_name("scrapy")
        proc = subprocess.run(
            [str(scrapy), "crawl", "portals", "-a", f"portals={srv.write_csv(out / 'portals.csv')}",
             "-s", f"ARCHIVE_DB={out / 'archive.db'}", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOWNLOAD_DELAY=0",
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "DOWNLOAD_TIMEOUT=5", "-s", "RETRY_TIMES=1",
             "-s", "LOG_LEVEL=INFO"],
            cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
        conn = sqlite3.connect(out / "archive.db")
        conn.row_factory = sqlite3.Row
        yield {"db": conn, "url": srv.url, "out": out, "log": proc.stderr, "requests": list(srv.requests)}


def _report(crawl, path: str):
    return crawl["db"].execute("select r.* from reports r join report_urls u on u.report_id = r.id where u.url = ?",
                               [crawl["url"] + path]).fetchone()


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "report"], ids=lambda c: c.path)
def test_reports_are_kept_with_the_bound_they_hit(crawl, case):
    path = "/chain/report.html" if case.path == "/chain/1.html" else case.path
    row = _report(crawl, path)
    assert row is not None, (path, [dict(r) for r in crawl["db"].execute(
        "select url, reason from rejected_pages union all select url, error from fetch_log where error is not null")])
    assert case.expect in (row["bounds_hit"] or ""), row["bounds_hit"]
    if case.expect == "":
        assert row["cells_count"] > 0 or row["source_kind"] == "pdf"


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "rejected"], ids=lambda c: c.path)
def test_rejections_say_why(crawl, case):
    reasons = [r for (r,) in crawl["db"].execute("select reason from rejected_pages where url = ?",
                                                 [crawl["url"] + case.path])]
    assert reasons and case.expect in reasons[0], reasons


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "error"], ids=lambda c: c.path)
def test_fetch_failures_are_in_fetch_log_with_their_reason(crawl, case):
    paths = [case.path, "/loop/b.html"] if case.path.startswith("/loop/") else [case.path]  # the loop ends at b
    errors = [e for (e,) in crawl["db"].execute(
        f"select error from fetch_log where url in ({','.join('?' * len(paths))}) and error is not null",
        [crawl["url"] + p for p in paths])]
    assert errors and case.expect in errors[0].lower(), errors


def test_redirect_loop_is_recorded_with_its_chain(crawl):
    (error,) = crawl["db"].execute("select error from fetch_log where url like '%/loop/%' and error is not null"
                                   ).fetchone()
    assert error.startswith("redirect loop:") and error.count("/loop/") == 3


def test_redirect_chain_ends_at_the_report(crawl):
    assert [p for p in crawl["requests"] if p.startswith("/chain/")] == [
        "/chain/1.html", "/chain/2.html", "/chain/3.html", "/chain/report.html"]


def test_hanweb_bomb_list_still_yields_its_report(crawl):
    assert _report(crawl, "/hanweb-report.html") is not None


def test_content_disposition_names_write_nothing_outside(crawl):
    assert not Path("/tmp/nianbao-evil.pdf").exists() and not Path("/etc/nianbao-evil.pdf").exists()
    assert not list(ROOT.rglob("nianbao-evil.pdf"))
    out = crawl["out"]
    written = {p.relative_to(out).parts[0] for p in out.rglob("*")}
    assert written <= {"archive.db", "archive.db-wal", "archive.db-shm", "portals.csv", "warc"}, written


def test_the_run_is_closed_and_counts_the_errors(crawl):
    run = crawl["db"].execute("select * from crawl_runs order by id desc limit 1").fetchone()
    assert run["finished_at"] and run["finish_reason"] == "finished"
    assert run["errors"] >= len([c for c in CASES if c.outcome == "error"])
