"""Resume: a crawl with JOBDIR killed by SIGKILL mid-way and restarted ends with the same archive
as an uninterrupted crawl (real subprocesses, real kill -9, fixture portals on 127.0.0.1)."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

from scrapy import Request
from scrapy.utils.request import fingerprint
from scrapy.utils.test import get_crawler

from bench.incremental import crawl
from crawler.extensions.resume import MARKER, JobdirGuard
from tests.kills import fixture_portals, reports_in, snapshot, start_slow_crawl, wait_for, warc_check


def test_kill_9_mid_crawl_then_resume_equals_an_uninterrupted_crawl(tmp_path):
    with fixture_portals(tmp_path) as web:
        db, jobdir = tmp_path / "killed" / "archive.db", tmp_path / "job"
        db.parent.mkdir()
        proc = start_slow_crawl(web.csv, db, jobdir, 0.4)
        wait_for(proc, lambda: reports_in(db) >= 2)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at = reports_in(db)
        assert 2 <= killed_at < reports_in(web.reference) or snapshot(db) != snapshot(web.reference)
        assert (jobdir / MARKER).exists()  # the killed crawl never closed
        # A longer crawl would have flushed its seen-requests buffer by now: fingerprints of pages
        # fetched and of pages only queued. Write them as such a crawl leaves them (every URL of the site).
        with (jobdir / "requests.seen").open("a") as fh:
            for file in sorted(web.site.rglob("*")):
                if file.suffix in (".html", ".docx"):
                    fh.write(fingerprint(Request(f"{web.server.url}/{file.relative_to(web.site).as_posix()}")).hex()
                             + "\n")

        resumed = crawl(web.csv, db, "-s", f"JOBDIR={jobdir}")
        assert "belongs to a crawl that was killed" in resumed.stderr

    assert not (jobdir / MARKER).exists()
    assert snapshot(db) == snapshot(web.reference)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = conn.execute("select finished_at is not null from crawl_runs order by id").fetchall()
        assert runs == [(0,), (1,)]  # the killed run stays recorded as unfinished
    assert not list((db.parent / "warc").glob("*.open"))  # the killed crawl's file was repaired
    assert warc_check(db.parent / "warc")


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
