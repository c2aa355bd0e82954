"""The same crawl with and without dead hosts: time, requests and reports found.

    .venv/bin/python -m bench.deadhosts [--cities 2] [--counties 3] [--rounds 1]

Serves the loopback "real web" (tests/realweb) twice: `bad=False` (every linked host healthy) and
`bad=True` (the same names, a third of them dead, refusing, blackholed, slow, soft-404, redirecting or
WAF), and runs `scrapy crawl portals` as a real subprocess on each, alternating, with the project's
settings except the loopback resolver (NIANBAO_HOSTS_ONLY: nothing leaves the machine) and no
politeness delay. Goal: the bad crawl takes ≤ 1.2× the good crawl's time and finds the same reports.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.realweb import serve_world
from tests.realweb.world import World

ROOT = Path(__file__).resolve().parents[1]


def run(world: World, tmp: Path) -> dict:
    with serve_world(world) as web:
        portals = web.write_portals(tmp / "portals.csv")
        db = tmp / "archive.db"
        settings = {**web.settings(tmp), "ARCHIVE_DB": db, "LOG_LEVEL": "WARNING", "PROGRESS_INTERVAL": 0,
                    "SUMMARY_TO_STDERR": True}
        cmd = [sys.executable, "-m", "scrapy", "crawl", "portals", "-a", f"portals={portals}"]
        for k, v in settings.items():
            cmd += ["-s", f"{k}={v}"]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        elapsed = time.monotonic() - t0
        if proc.returncode != 0:
            raise SystemExit(f"crawl failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        conn = sqlite3.connect(db)
        urls = {u for (u,) in conn.execute("select url from report_urls")}
        errors = conn.execute("select count(*) from fetch_log where error is not null").fetchone()[0]
        conn.close()
        expected = {web.report_url(r) for r in world.reports}
        by_host = Counter(h for h, _, _ in web.log)
        bad = world.bad_hosts()
        # shortest gap the server saw between two requests to a host whose robots.txt asks for a Crawl-delay
        gaps = [b - a for h in world.hosts.values() if h.crawl_delay
                for a, b in itertools.pairwise(sorted(t for n, _, t in web.log if n == h.name))]
        return {"seconds": elapsed, "requests": len(web.log), "found": len(expected & urls), "expected": len(expected),
                "errors": errors, "bad_requests": sum(n for h, n in by_host.items() if h in bad),
                "min_gap": min(gaps, default=float("nan"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cities", type=int, default=2)
    ap.add_argument("--counties", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=1, help="good/bad pairs, alternating")
    args = ap.parse_args(argv)
    good_w = World(cities=args.cities, counties=args.counties, bad=False)
    bad_w = World(cities=args.cities, counties=args.counties, bad=True)
    linked, bad = bad_w.linked_hosts(), bad_w.bad_hosts()
    kinds = Counter(h.behaviour for h in bad_w.hosts.values() if h.behaviour != "ok")
    kinds["dead"] += len(bad_w.dead_footer)
    print(f"world: {len(bad_w.portals)} portals, {len(bad_w.reports)} reports, {len(linked)} linked hosts, "
          f"{len(bad)} bad ({len(bad) / len(linked):.0%}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) +
          ")")
    results: dict[str, list[dict]] = {"good": [], "bad": []}
    with tempfile.TemporaryDirectory(prefix="bench-deadhosts-") as tmp:
        for i in range(args.rounds):
            for name, world in (("good", good_w), ("bad", bad_w)):
                d = Path(tmp) / f"{name}{i}"
                d.mkdir()
                r = run(world, d)
                results[name].append(r)
                print(f"  {name:4}  {r['seconds']:6.1f} s  {r['requests']:5} requests  reports {r['found']}/"
                      f"{r['expected']}  fetch errors {r['errors']}  requests to bad hosts {r['bad_requests']}  "
                      f"shortest gap at Crawl-delay {world.crawl_delay:g} s hosts {r['min_gap']:.3f} s",
                      flush=True)
    g = sum(r["seconds"] for r in results["good"]) / args.rounds
    b = sum(r["seconds"] for r in results["bad"]) / args.rounds
    same = all(r["found"] == r["expected"] for r in results["good"] + results["bad"])
    print(f"time bad/good: {b / g:.2f}× (goal ≤ 1.2×); same reports: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
