"""Distributed crawls with a real redis-server (started here on 127.0.0.1, random port) and real workers.

Workers are `scrapy crawl portals` processes with SCRAPY_SETTINGS_MODULE=settings.distributed over the
fixture portals (tests/sites); `nianbao writer` drains their stream into SQLite. The archive must equal
the one a single-process crawl of the same sites writes: the same reports, URLs, cells, checks and
rejections — also when a worker and the writer are killed mid-crawl and restarted, and the requests
the killed worker held are fetched by someone else.
"""

from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.distributed.local_redis import LocalRedis
from tests.sites.server import start_sites
from tests.test_discovery_crawl import run_crawl

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


class Cluster:
    def __init__(self, redis_url: str, csv: Path, out: Path) -> None:
        self.redis_url, self.csv, self.out = redis_url, csv, out
        self.procs: list[subprocess.Popen[str]] = []

    def worker(self, name: str, pass_id: str, *extra: str) -> subprocess.Popen[str]:
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.distributed", "NIANBAO_REDIS_URL": self.redis_url,
               "NIANBAO_PASS": pass_id}
        log = (self.out / f"{pass_id}-{name}.log").open("w")
        proc = subprocess.Popen(
            [SCRAPY, "crawl", "portals", "-a", f"portals={self.csv}", "-s", f"ARCHIVE_DB={self.out}/{name}-none.db",
             "-s", f"WARC_DIR={self.out}/warc-{pass_id}-{name}", "-s", f"DISTRIBUTED_WORKER_ID={name}",
             "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DISTRIBUTED_LEASE_TTL=3",
             "-s", "LOG_LEVEL=INFO", *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        return proc

    def writer(self, db: Path, *extra: str) -> subprocess.Popen[str]:
        log = (self.out / f"writer-{db.stem}.log").open("a")
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "writer", "--db", str(db), "--redis",
                                 self.redis_url, "--batch", "20", *extra],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    out = tmp_path_factory.mktemp("distributed")
    with LocalRedis() as redis_server, start_sites() as sites:
        csv = sites.write_csv(out / "portals.csv", render=False)
        before = {k: len(s.requests) for k, s in sites.servers.items()}
        proc = run_crawl(csv, out / "single.db")
        assert proc.returncode == 0, proc.stderr[-3000:]
        single_requests = _requests(sites, before)
        cluster = Cluster(redis_server.url, csv, out)
        try:
            yield {"out": out, "sites": sites, "redis": redis_server, "cluster": cluster,
                   "single": snapshot(out / "single.db"), "single_requests": single_requests}
        finally:
            cluster.stop()


def _requests(sites, before: dict[str, int]) -> list[tuple[str, str, str]]:
    """(portal, method, path) of the pages requested since `before`, robots.txt excluded, sorted."""
    return sorted((k, m, p) for k, s in sites.servers.items() for m, p, _ in s.requests[before[k]:]
                  if p != "/robots.txt")


def snapshot(db_path: Path) -> dict[str, set[tuple[Any, ...]]]:
    """The archive's content, independent of row ids and times: reports keyed by their content hash."""
    db = sqlite3.connect(db_path)
    try:
        reports = {r[0]: r[1:] for r in db.execute(
            "select id, content_hash, url, title, agency, year, published_at, template, source_kind, cells_count, "
            "nulls_count, checks_failed, needs_ocr, version, body_text from reports")}
        key = {rid: r[0] for rid, r in reports.items()}
        return {
            "reports": set(reports.values()),
            "urls": {(key[r], u, k, p) for r, u, k, p in db.execute("select report_id, url, kind, page_url from report_urls")},
            "cells": {(key[r], *c) for r, *c in db.execute(
                "select report_id, table_name, row_label, col_label, value, raw, unit, flag from report_cells")},
            "checks": {(key[r], *c) for r, *c in db.execute(
                "select report_id, rule, scope, expected, actual, ok from report_checks")},
            "rejected": {tuple(r) for r in db.execute("select url, portal, title, reason from rejected_pages")},
            "validators": {tuple(r) for r in db.execute("select url, kind, sha256, report_id is not null "
                                                         "from http_validators")},
            "fetched": {tuple(r) for r in db.execute("select url, status from fetch_log where kind is not 'robots'")},
        }
    finally:
        db.close()


def assert_same_archive(single: dict[str, set[Any]], got: dict[str, set[Any]]) -> None:
    assert single["reports"], "the single-process crawl archived nothing"
    for table in single:
        assert got[table] == single[table], (table, sorted(single[table] - got[table])[:3],
                                             sorted(got[table] - single[table])[:3])


def _wait(procs: list[subprocess.Popen[str]], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    for proc in procs:
        proc.wait(max(1, deadline - time.monotonic()))


def test_three_workers_and_one_writer_equal_a_single_process_crawl(env):
    cluster, sites, out = env["cluster"], env["sites"], env["out"]
    before = {k: len(s.requests) for k, s in sites.servers.items()}
    writer = cluster.writer(out / "three.db")
    workers = [cluster.worker(f"w{i}", "three") for i in range(3)]
    _wait(workers)
    assert [w.returncode for w in workers] == [0, 0, 0]
    writer.send_signal(signal.SIGTERM)  # finishes the batch in hand, then exits
    assert writer.wait(60) == 0
    drain = cluster.writer(out / "three.db", "--idle-exit", "2")
    assert drain.wait(120) == 0
    assert_same_archive(env["single"], snapshot(out / "three.db"))
    # one shared frontier: the cluster requested the pages the single process did, none more often (the
    # single run also met the fixture's one-time 503 and its retry). The spider's soft-404 probe of each host
    # is per worker (its host health is per-process state), so it may come once per worker.
    got, single = Counter(_requests(sites, before)), Counter(env["single_requests"])
    assert set(got) == set(single)
    probe = "/nianbao-probe-"
    assert all(n <= single[k] for k, n in got.items() if not k[2].startswith(probe)), \
        [k for k, n in got.items() if n > single[k]]
    assert all(n <= 3 * single[k] for k, n in got.items() if k[2].startswith(probe))
    db = sqlite3.connect(out / "three.db")
    runs = db.execute("select worker, finish_reason, pages from crawl_runs order by worker").fetchall()
    assert [(w, r) for w, r, _ in runs] == [("w0", "finished"), ("w1", "finished"), ("w2", "finished")]
    assert all(pages > 0 for *_, pages in runs), runs  # the work was shared
    # portal health: the workers' shares, merged by the writer, give the single-process crawl's verdicts and
    # report counts, one row per portal under the pass's first worker run
    single_db = sqlite3.connect(out / "single.db")
    health_sql = "select portal, status, failure, reports_new, reports_seen from portal_health"
    single_health = {r[0]: r[1:] for r in single_db.execute(health_sql)}
    assert single_health and {r[0]: r[1:] for r in db.execute(health_sql)} == single_health
    first_run = db.execute("select min(id) from crawl_runs").fetchone()[0]
    assert {r[0] for r in db.execute("select run_id from portal_health")} == {first_run}
    assert db.execute("select count(*) from portal_health_parts").fetchone()[0] == 3
    lists_sql = "select portal, url from portal_lists"
    assert set(db.execute(lists_sql)) == set(single_db.execute(lists_sql))
    warc_rows = db.execute("select count(*) from warc_records").fetchone()[0]
    assert warc_rows >= len(env["single_requests"])
    assert not db.execute("select warc_file from warc_records where warc_file not like 'nianbao-%'").fetchall()


def _leased_urls(redis_url: str, pass_id: str, worker: str) -> list[str]:
    import redis

    server = redis.Redis.from_url(redis_url)
    return [pickle.loads(data)["url"] for data in server.hkeys(f"nianbao:{pass_id}:portals:lease:{worker}")]


def _applied(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("select count(*) from stream_applied").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_killed_worker_and_writer_lose_nothing(env):
    cluster, out = env["cluster"], env["out"]
    db = out / "killed.db"
    writer = cluster.writer(db)
    victim = cluster.worker("a", "killed")
    survivor = cluster.worker("b", "killed")
    held: list[str] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and victim.poll() is None:
        if _applied(db) >= 8 and _leased_urls(env["redis"].url, "killed", "a"):
            victim.send_signal(signal.SIGKILL)
            writer.send_signal(signal.SIGKILL)
            victim.wait()
            writer.wait()
            held = _leased_urls(env["redis"].url, "killed", "a")
            break
        time.sleep(0.05)
    assert held, "the victim finished before it could be killed holding requests"
    # the writer is down for a while: workers keep crawling, records wait in the stream
    time.sleep(2)
    restarted = cluster.worker("a2", "killed")
    writer2 = cluster.writer(db)
    _wait([survivor, restarted])
    assert (survivor.returncode, restarted.returncode) == (0, 0)
    writer2.send_signal(signal.SIGTERM)
    writer2.wait(60)
    assert cluster.writer(db, "--idle-exit", "2").wait(120) == 0
    got = snapshot(db)
    assert_same_archive(env["single"], got)
    fetched = {u for u, _ in got["fetched"]} | {u for u, *_ in got["rejected"]}
    assert set(held) <= fetched | {u for u, *_ in snapshot(db)["urls"]}  # every held request was done
    conn = sqlite3.connect(db)
    killed_run = conn.execute("select finished_at from crawl_runs where worker = 'a'").fetchone()
    assert killed_run == (None,)  # the killed worker's run stays unfinished: honest, not made up
    assert conn.execute("select count(*) from stream_applied").fetchone()[0] == \
        conn.execute("select count(distinct msg_id) from stream_applied").fetchone()[0]


def test_second_worker_seeding_is_idempotent(env):
    """A worker started after a pass has finished finds every start URL seen: it crawls nothing again."""
    cluster, sites, out = env["cluster"], env["sites"], env["out"]
    first = cluster.worker("s1", "seed")
    writer = cluster.writer(out / "seed.db")
    _wait([first])
    before = {k: len(s.requests) for k, s in sites.servers.items()}
    late = cluster.worker("s2", "seed")
    _wait([late])
    assert late.returncode == 0
    assert _requests(sites, before) == []
    writer.send_signal(signal.SIGTERM)
    writer.wait(60)


def test_two_workers_keep_one_hosts_rate(env, tmp_path):
    """DISTRIBUTED_HOST_INTERVAL=0.25 on one host: two workers together stay at ≤ 4 requests/s, in every
    2-second window too. The token is taken when a request enters the downloader; its send can lag by the
    worker's previous download to that host (per-domain concurrency 1 in the profile), so a window may hold
    one extra request per worker."""
    import csv
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    site = tmp_path / "site"
    site.mkdir()
    links = "".join(f'<li><a href="/p{i}.html">政务要闻{i}</a></li>' for i in range(60))
    for name in ["index", *(f"p{i}" for i in range(60))]:
        (site / f"{name}.html").write_text(f'<html><head><meta charset="utf-8"><title>{name}</title></head>'
                                           f"<body><ul>{links}</ul></body></html>", encoding="utf-8")
    times: list[float] = []
    paths: list = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            times.append(time.monotonic())
            paths.append((round(time.monotonic(), 3), self.path))
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        portals = tmp_path / "one.csv"
        with portals.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([["name", "start_url", "render"],
                                      ["某某县人民政府", f"http://127.0.0.1:{server.server_port}/index.html", "false"]])
        cluster = Cluster(env["redis"].url, portals, tmp_path)
        try:
            workers = [cluster.worker(f"p{i}", "polite", "-s", "DISTRIBUTED_HOST_INTERVAL=0.25",
                                      "-s", "CLOSESPIDER_PAGECOUNT=25")
                       for i in range(2)]
            _wait(workers)
        finally:
            cluster.stop()
    finally:
        server.shutdown()
    assert len(times) >= 40
    assert (len(times) - 1) / (times[-1] - times[0]) <= 4.0 * 1.05
    for start in times:
        window = [f"{t:.3f} {p}" for t, p in paths if start <= t < start + 2.0]
        assert len(window) <= 8 + 2, window
