"""Distributed crawl throughput: pages/s for 1, 2 and 3 worker processes on one shared frontier.

    .venv/bin/python -m bench.distributed [--portals 6] [--pages 40] [--rounds 1] [--host-interval 0.25]

A throwaway redis-server on 127.0.0.1 and the realistic generated portals (bench/realgen.py: pages of
60–120 KB with ~300 links, a quarter of them reports; one loopback address 127.0.1.k per portal,
served by bench/realserve.py in its own process). Each configuration is a fresh pass (its own
frontier) and a fresh archive, with `nianbao writer` draining the stream while the workers crawl.
Workers are real `scrapy crawl portals` processes with SCRAPY_SETTINGS_MODULE=settings.distributed,
no politeness delay and the per-host token off, so the figure is what the workers and the writer
can do.
pages/s = pages fetched by all workers / (last worker's finish − first worker's start, from their
own stats); the writer's drain time after the last worker is printed apart. Rounds alternate the
order (1,2,3 then 3,2,1) because the machine is shared.

--host-interval S adds a second table: one portal (one host) with DISTRIBUTED_HOST_INTERVAL=S, which
caps the whole cluster at 1/S pages/s however many workers run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.realgen import build, host
from crawler.distributed.local_redis import LocalRedis, free_port

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def _when(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def run(n: int, tag: str, tmp: Path, portals: Path, redis_url: str, extra: list[str]) -> dict[str, float]:
    db = tmp / f"archive-{tag}.db"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "settings.distributed", "NIANBAO_REDIS_URL": redis_url,
           "NIANBAO_PASS": f"bench-{tag}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    writer = subprocess.Popen([sys.executable, "-m", "crawler.cli", "writer", "--db", str(db), "--redis", redis_url],
                              cwd=ROOT, stderr=subprocess.DEVNULL)
    ext = json.dumps({"bench.statsfile.StatsFile": 900})
    workers = []
    for i in range(n):
        stats = tmp / f"stats-{tag}-{i}.json"
        cmd = [SCRAPY, "crawl", "portals", "-a", f"portals={portals}", "-s", f"ARCHIVE_DB={tmp}/none.db",
               "-s", f"WARC_DIR={tmp}/warc-{tag}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
               "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "PORTAL_MAX_PAGES=0",
               "-s", "LOG_LEVEL=WARNING", "-s", f"EXTENSIONS={ext}", "-s", f"STATS_FILE={stats}", *extra]
        workers.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL), stats))
    for proc, _ in workers:
        if proc.wait() != 0:
            raise SystemExit(f"a worker failed (exit {proc.returncode})")
    done = time.monotonic()
    while True:  # the writer has caught up when every run is finished and the stream is empty
        time.sleep(0.2)
        with sqlite3.connect(db) as conn:
            open_runs = conn.execute("select count(*) from crawl_runs where finished_at is null").fetchone()[0]
            runs = conn.execute("select count(*) from crawl_runs").fetchone()[0]
        if runs == n and not open_runs:
            break
    drain = time.monotonic() - done
    writer.terminate()
    writer.wait()
    stats = [json.loads(path.read_text()) for _, path in workers]
    start = min(_when(s["start_time"]) for s in stats)
    finish = max(_when(s["finish_time"]) for s in stats)
    pages = sum(int(s.get("response_received_count", 0)) for s in stats)
    with sqlite3.connect(db) as conn:
        reports = conn.execute("select count(*) from reports").fetchone()[0]
        messages = conn.execute("select count(*) from stream_applied").fetchone()[0]
    return {"workers": n, "pages": pages, "seconds": finish - start, "rate": pages / (finish - start),
            "drain": drain, "reports": reports, "messages": messages,
            "share": min(int(s.get("response_received_count", 0)) for s in stats) / max(1, pages / n)}


def table(title: str, results: list[dict[str, float]]) -> None:
    print(title)
    base = {}
    for r in results:
        base.setdefault(r["workers"], []).append(r["rate"])
    one = sum(base.get(1, [0])) / max(1, len(base.get(1, [])))
    for r in results:
        speedup = r["rate"] / one if one else 0
        print(f"  {int(r['workers'])} worker(s): {int(r['pages']):5d} pages in {r['seconds']:6.1f} s = "
              f"{r['rate']:6.1f} pages/s (x{speedup:.2f}); smallest worker share {r['share']:.2f}; "
              f"writer: {int(r['messages'])} messages, {int(r['reports'])} reports, drained {r['drain']:.1f} s "
              "after the last worker")


def serve(tmp: Path, name: str, portals: int, pages: int, seed: int) -> tuple[subprocess.Popen[str], Path, int]:
    sites = build(tmp / name, portals, pages, seed=seed)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.realserve", str(tmp / name), str(portals), str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout and server.stdout.readline().strip() == "ready"
    csv_path = tmp / f"{name}.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "start_url", "render"])
        w.writerows([s.name, f"http://{host(s.k)}:{port}/index.html", "false"] for s in sites)
    return server, csv_path, sum(s.pages for s in sites)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=6, help="portals, one loopback address each")
    parser.add_argument("--pages", type=int, default=40, help="about this many pages per portal")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; even rounds run 3,2,1")
    parser.add_argument("--host-interval", type=float, default=0.0, help="also measure the per-host token cap")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, LocalRedis() as redis_server:
        tmp = Path(tmp_name)
        server, portals, n_pages = serve(tmp, "site", args.portals, args.pages, 1)
        try:
            print(f"site: {args.portals} portals (one loopback host each), {n_pages} HTML pages; {os.cpu_count()} "
                  "CPUs shared by the workers, the writer, Redis and the server")
            results = []
            for rnd in range(args.rounds):
                for n in ((1, 2, 3) if rnd % 2 == 0 else (3, 2, 1)):
                    results.append(run(n, f"r{rnd}n{n}", tmp, portals, redis_server.url,
                                       ["-s", "DISTRIBUTED_HOST_INTERVAL=0"]))
            table("shared frontier, no politeness delay:", results)
        finally:
            server.terminate()
            server.wait()
        if args.host_interval > 0:
            server, one, _ = serve(tmp, "one", 1, args.pages, 2)
            try:
                capped = [run(n, f"cap{n}", tmp, one, redis_server.url,
                              ["-s", f"DISTRIBUTED_HOST_INTERVAL={args.host_interval}", "-s", "CLOSESPIDER_PAGECOUNT=30",
                               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"])
                          for n in (1, 2, 3)]
            finally:
                server.terminate()
                server.wait()
            table(f"one host, DISTRIBUTED_HOST_INTERVAL={args.host_interval} (cap {1 / args.host_interval:.1f} "
                  "pages/s for the cluster):", capped)


if __name__ == "__main__":
    main()
