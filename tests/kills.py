"""What the kill and resume tests share: the fixture portals on 127.0.0.1 with an uninterrupted
reference crawl, a slow JOBDIR crawl started as a subprocess (to be killed), and the checks of what
a kill leaves: committed rows, the archive's content snapshot, `warcio check` of the WARC files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from bench.incremental import ROOT, crawl, crawl_cmd
from crawler.demo.server import SiteServer
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


def count(db: Path, table: str) -> int:
    """Rows in `table` of a live archive, read-only; 0 before the archive or table exists."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def reports_in(db: Path) -> int:
    return count(db, "reports")


def warc_check(folder: Path) -> list[Path]:
    """`warcio check` passes on every closed WARC file in `folder`; returns them."""
    files = sorted(folder.glob("*.warc.gz"))
    if files:
        check = subprocess.run([WARCIO, "check", *map(str, files)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    return files


class Portals(NamedTuple):
    site: Path  # the fixture portals' files
    server: SiteServer
    csv: Path  # the portal registry CSV pointing at `server`
    reference: Path  # the archive of one uninterrupted crawl


@contextmanager
def fixture_portals(tmp_path: Path) -> Iterator[Portals]:
    """The fixture portals served on 127.0.0.1 for the block, and an uninterrupted crawl of them."""
    site = tmp_path / "site"
    build(site)
    server = SiteServer(site).start()
    try:
        portals = portal_csv(site, server.url)
        reference = tmp_path / "reference.db"
        crawl(portals, reference)
        yield Portals(site, server, portals, reference)
    finally:
        server.stop()


def start_slow_crawl(portals: Path, db: Path, jobdir: Path, delay: float, *settings: str) -> subprocess.Popen:
    """A JOBDIR crawl fetching one request at a time with a fixed delay, so that a kill lands mid-crawl."""
    cmd = crawl_cmd(portals, db, "-s", f"JOBDIR={jobdir}", "-s", f"DOWNLOAD_DELAY={delay}",
                    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", *settings)
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 120) -> None:
    """Poll until `ready()` holds, the process ends, or `timeout` seconds pass (a wait, not an assertion)."""
    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
