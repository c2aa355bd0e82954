"""First crawl vs re-crawl of the same portals: requests, 304s, bytes and report outcomes per run.

    .venv/bin/python -m bench.incremental [--revise]
    .venv/bin/python -m bench.incremental --demo

Builds the fixture portals of tests/sites_incremental (a city portal, a county repost, a 繁體
mirror) in a temporary folder, or with `--demo` uses the three bundled demo portals, serves them
with crawler.demo.server.SiteServer on 127.0.0.1 (ETag/Last-Modified, 304 on a match), and runs
`scrapy crawl portals` twice into one archive as real subprocesses. The figures come from the
archive's crawl_runs rows and WARC records. `--revise` corrects one fixture report between the
crawls (it becomes a new version).
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from crawler.demo.server import SiteServer, start_demo

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
        "-s", "PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False"]


def crawl_cmd(portals: Path, archive: Path, *settings: str) -> list[str]:
    return [SCRAPY, "crawl", "portals", "-a", f"portals={portals}", "-s", f"ARCHIVE_DB={archive}", *FAST, *settings]


def crawl(portals: Path, archive: Path, *settings: str, log: Path | None = None) -> subprocess.CompletedProcess:
    """One real `scrapy crawl portals` run (from the repo, so scrapy.cfg is found)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(crawl_cmd(portals, archive, *settings), cwd=ROOT, env=env, capture_output=True, text=True)
    if log is not None:
        log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"crawl failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def runs(archive: Path) -> list[dict]:
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("select * from crawl_runs order by id")]
    for r in rows:
        r["warc_response"], r["warc_revisit"] = (conn.execute(
            "select count(*) filter (where record_type = 'response'), count(*) filter (where record_type = 'revisit') "
            "from warc_records where run_id = ?", [r["id"]]).fetchone())
    conn.close()
    return rows


def _demo_portals(tmp: Path) -> tuple[Path, list[SiteServer], Path | None]:
    demo = start_demo()
    portals = tmp / "demo.csv"
    with portals.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["name", "start_url", "render", "region_code"])
        writer.writeheader()
        writer.writerows(demo.rows)
    return portals, list(demo.servers.values()), None


def _fixture_portals(tmp: Path) -> tuple[Path, list[SiteServer], Path | None]:
    from tests.sites_incremental import build, portal_csv

    site = tmp / "site"
    build(site)
    server = SiteServer(site).start()
    return portal_csv(site, server.url), [server], site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="the three bundled demo portals instead of the fixture")
    parser.add_argument("--revise", action="store_true", help="correct one fixture report between the two crawls")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        archive = tmp / "archive.db"
        portals, servers, site = (_demo_portals if args.demo else _fixture_portals)(tmp)
        try:
            crawl(portals, archive)
            first_requests = sum(len(s.requests) for s in servers)
            if args.revise and site is not None:
                from tests.sites_incremental import REVISED, revise

                revise(site)
                later = (site / REVISED).stat().st_mtime + 60
                os.utime(site / REVISED, (later, later))
            crawl(portals, archive)
            second_requests = sum(len(s.requests) for s in servers) - first_requests
        finally:
            for server in servers:
                server.stop()
        r1, r2 = runs(archive)
        print(f"{'demo portals' if args.demo else 'fixture portals'}: archive {archive.name}")
        print(f"{'':28}{'first crawl':>14}{'second crawl':>14}")
        for label, key in (("responses (pages)", "pages"), ("HTTP 304", "not_modified"), ("bytes", "bytes"),
                           ("reports new", "reports_new"), ("reports updated", "reports_updated"),
                           ("reports unchanged", "reports_unchanged"), ("errors", "errors"),
                           ("WARC response records", "warc_response"), ("WARC revisit records", "warc_revisit")):
            print(f"{label:28}{r1[key] or 0:>14}{r2[key] or 0:>14}")
        print(f"{'requests served':28}{first_requests:>14}{second_requests:>14}")
        print(f"second crawl bytes / first crawl bytes: {r2['bytes'] / r1['bytes']:.1%}")


if __name__ == "__main__":
    main()
