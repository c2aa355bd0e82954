"""Crawl throughput of `portals` against a bare Scrapy spider fetching the same synthetic portal.

    .venv/bin/python -m bench.crawl_rate [--articles 120]

Both run as real `scrapy` subprocesses against one loopback server, with the same concurrency and
no politeness delays (AutoThrottle and DOWNLOAD_DELAY off), and the rate is responses per second
of crawl time from each crawl's own stats. Prints pages, seconds and the ratio (goal ≥ 0.8).
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.sitegen import build, build_topics

ROOT = Path(__file__).resolve().parents[1]
COMMON = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=16",
          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=False"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _run(cmd: list[str], stats_file: Path, cwd: Path) -> dict:
    ext = json.dumps({"bench.statsfile.StatsFile": 900})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    subprocess.run([*cmd, *COMMON, "-s", f"EXTENSIONS={ext}", "-s", f"STATS_FILE={stats_file}"],
                   cwd=cwd, env=env, check=True)
    stats = json.loads(stats_file.read_text())
    pages = int(stats.get("response_received_count", 0))
    seconds = float(stats["elapsed_time_seconds"])
    return {"pages": pages, "seconds": seconds, "rate": pages / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=120, help="articles per column (12 columns)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        counts = build(site, articles_per_column=args.articles)
        build_topics(site)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/index.html"
        portals = Path(tmp) / "portals.csv"
        with portals.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([["name", "start_url", "render"], ["某某县人民政府", url, "false"]])
        scrapy = str(Path(sys.executable).with_name("scrapy"))
        bare = _run([scrapy, "runspider", str(ROOT / "bench" / "bare_spider.py"), "-a", f"start_url={url}",
                     "-s", "ROBOTSTXT_OBEY=True"], Path(tmp) / "bare.json", Path(tmp))  # outside the project
        ours = _run([scrapy, "crawl", "portals", "-a", f"portals={portals}", "-s", f"ARCHIVE_DB={tmp}/a.db",
                     "-s", "PORTAL_MAX_PAGES=0"], Path(tmp) / "ours.json", ROOT)
        server.shutdown()
    print(f"site: {counts['list']} list pages, {counts['article']} articles, {counts['report']} report pages, "
          "300 topic pages")
    for name, r in (("bare scrapy", bare), ("portals", ours)):
        print(f"{name:12s} {r['pages']:5d} pages in {r['seconds']:6.1f} s = {r['rate']:6.1f} pages/s")
    print(f"ratio portals/bare: {ours['rate'] / bare['rate']:.2f} (goal >= 0.80)")


if __name__ == "__main__":
    main()
