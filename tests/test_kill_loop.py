"""Kill loop: crawls with JOBDIR killed at random points (SIGKILL and SIGTERM, several runs), then one that
finishes. After every kill the archive passes `PRAGMA integrity_check`, the killed run's fetch_log
rows are there (committed every FETCH_LOG_FLUSH_S), nothing committed earlier is lost, every closed
WARC file passes `warcio check`; the next run says it resumed; the final archive equals an
uninterrupted crawl's. Fixture portals on 127.0.0.1 (tests/sites_incremental)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.incremental import ROOT, crawl, crawl_cmd
from crawler.demo.server import SiteServer
from tests.sites_incremental import build, portal_csv
from tests.test_resume import reports_in, snapshot

WARCIO = str(Path(sys.executable).with_name("warcio"))
pytestmark = pytest.mark.e2e
SEED = 20261129


def _committed(db: Path) -> dict[str, set]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {"reports": set(conn.execute("select content_hash from reports").fetchall())
                | set(conn.execute("select content_hash from report_versions").fetchall()),
                "urls": set(conn.execute("select url from report_urls").fetchall()),
                "fetches": set(conn.execute("select run_id, url, status from fetch_log").fetchall())}


def _runs(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select count(*) from crawl_runs").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def _warc_check(folder: Path) -> None:
    files = sorted(folder.glob("*.warc.gz"))
    if files:
        check = subprocess.run([WARCIO, "check", *map(str, files)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_random_kills_lose_nothing_committed(tmp_path):
    rnd = random.Random(SEED)
    site = tmp_path / "site"
    build(site)
    server = SiteServer(site).start()
    try:
        portals = portal_csv(site, server.url)
        reference = tmp_path / "reference.db"
        crawl(portals, reference)
        total = reports_in(reference)
        db, jobdir = tmp_path / "killed" / "archive.db", tmp_path / "job"
        db.parent.mkdir()
        before = {"reports": set(), "urls": set(), "fetches": set()}
        slow = crawl_cmd(portals, db, "-s", f"JOBDIR={jobdir}", "-s", "DOWNLOAD_DELAY=0.3",
                         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
                         "-s", "FETCH_LOG_FLUSH_S=0.5")
        kills = [signal.SIGKILL, signal.SIGTERM, signal.SIGKILL, signal.SIGKILL]
        for n, sig in enumerate(kills, start=1):
            proc = subprocess.Popen(slow, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while _runs(db) < n and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)  # this run's row exists: it is crawling
            time.sleep(rnd.uniform(2.0, 5.0))  # a random point past the first fetches: fetching, parsing or writing
            if proc.poll() is not None:
                break  # the crawl finished before its kill: the loop is over
            proc.send_signal(sig)
            proc.wait(timeout=120)
            now = _committed(db)
            for key in ("reports", "urls", "fetches"):
                assert before[key] <= now[key], (n, key, before[key] - now[key])  # nothing committed is lost
            with sqlite3.connect(db) as conn:
                run_id, args = conn.execute("select id, args from crawl_runs order by id desc limit 1").fetchone()
                logged = conn.execute("select count(*) from fetch_log where run_id = ?", [run_id]).fetchone()[0]
            assert logged > 0, f"run {run_id} killed by {sig.name}: its fetch_log was lost"
            if n > 1:
                assert "resumed" in json.loads(args), args
            _warc_check(db.parent / "warc")
            before = now
        crawl(portals, db, "-s", f"JOBDIR={jobdir}")
    finally:
        server.stop()

    final = _committed(db)
    for key in ("reports", "urls", "fetches"):
        assert before[key] <= final[key]
    assert reports_in(db) == total
    assert snapshot(db) == snapshot(reference)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select finished_at is not null, args from crawl_runs order by id").fetchall()
    assert runs[-1][0] == 1 and "resumed" in json.loads(runs[-1][1])
    assert not list((db.parent / "warc").glob("*.open"))
    _warc_check(db.parent / "warc")
