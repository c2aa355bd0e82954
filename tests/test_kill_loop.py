"""Kill loop: crawls with JOBDIR killed at random points (SIGKILL and SIGTERM, several runs), then one that
finishes. After every kill the archive passes `PRAGMA integrity_check`, the killed run's fetch_log
rows are there (committed every FETCH_LOG_FLUSH_S), nothing committed earlier is lost, every closed
WARC file passes `warcio check`; the next run says it resumed; the final archive equals an
uninterrupted crawl's. Fixture portals on 127.0.0.1 (tests/sites_incremental)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bench.incremental import crawl
from tests.kills import count, fixture_portals, reports_in, snapshot, start_slow_crawl, wait_for, warc_check

pytestmark = pytest.mark.e2e
SEED = 20261129


def _committed(db: Path) -> dict[str, set]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {"reports": set(conn.execute("select content_hash from reports").fetchall())
                | set(conn.execute("select content_hash from report_versions").fetchall()),
                "urls": set(conn.execute("select url from report_urls").fetchall()),
                "fetches": set(conn.execute("select run_id, url, status from fetch_log").fetchall())}


def test_random_kills_lose_nothing_committed(tmp_path):
    rnd = random.Random(SEED)
    with fixture_portals(tmp_path) as web:
        total = reports_in(web.reference)
        db, jobdir = tmp_path / "killed" / "archive.db", tmp_path / "job"
        db.parent.mkdir()
        before = {"reports": set(), "urls": set(), "fetches": set()}
        kills = [signal.SIGKILL, signal.SIGTERM, signal.SIGKILL, signal.SIGKILL]
        for n, sig in enumerate(kills, start=1):
            proc = start_slow_crawl(web.csv, db, jobdir, 0.3, "-s", "FETCH_LOG_FLUSH_S=0.5")
            wait_for(proc, lambda runs=n: count(db, "crawl_runs") >= runs)  # this run's row exists: it is crawling
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
            warc_check(db.parent / "warc")
            before = now
        crawl(web.csv, db, "-s", f"JOBDIR={jobdir}")

    final = _committed(db)
    for key in ("reports", "urls", "fetches"):
        assert before[key] <= final[key]
    assert reports_in(db) == total
    assert snapshot(db) == snapshot(web.reference)
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select finished_at is not null, args from crawl_runs order by id").fetchall()
    assert runs[-1][0] == 1 and "resumed" in json.loads(runs[-1][1])
    assert not list((db.parent / "warc").glob("*.open"))
    warc_check(db.parent / "warc")
