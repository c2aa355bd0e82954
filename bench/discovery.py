"""Recall and precision of discovery on the fixture portals (tests/sites/discovery), and link-extraction cost.

    .venv/bin/python -m bench.discovery            # the six static portals (no browser)
    .venv/bin/python -m bench.discovery --render   # also the JavaScript portal, through chromium

Runs a real `scrapy crawl portals` subprocess against the loopback fixture servers and compares the
archive's report_urls with the manifest: recall = expected URLs found / expected; precision = archived
URLs that are expected / archived. Then times extract_links on a list page with a 300-link nav menu.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from crawler.discovery.listings import Page, extract_links
from tests.sites.server import MANIFEST, lookalike_urls, report_urls, start_sites
from tests.test_discovery_crawl import run_crawl


def crawl_figures(render: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp, start_sites() as sites:
        csv_path = sites.write_csv(Path(tmp) / "portals.csv", render=None if render else False)
        started = time.perf_counter()
        proc = run_crawl(csv_path, Path(tmp) / "archive.db")
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-2000:])
        db = sqlite3.connect(Path(tmp) / "archive.db")
        found = {u for (u,) in db.execute("select url from report_urls")}
        expected = report_urls(sites, render=None if render else False)
        rejected = db.execute("select count(*) from rejected_pages").fetchone()[0]
        print(f"{'portal':10} {'expected':>8} {'found':>6} {'extra':>6} {'requests':>8}")
        hosts = {k: s.url for k, s in sites.servers.items()}
        for key, url in hosts.items():
            exp = {u for u in expected if u.startswith(url + "/")}
            got = {u for u in found if u.startswith(url + "/")}
            print(f"{key:10} {len(exp):>8} {len(exp & got):>6} {len(got - exp):>6} {len(sites.requested(key)):>8}")
        hit = expected & found
        print(f"recall    {len(hit) / len(expected):.3f} ({len(hit)}/{len(expected)} report URLs)")
        print(f"precision {len(hit) / max(len(found), 1):.3f} ({len(hit)}/{len(found)} archived URLs)")
        print(f"look-alikes archived: {len(found & lookalike_urls(sites))}; rejected_pages rows: {rejected}")
        print(f"crawl: {seconds:.1f} s wall (subprocess, incl. start-up), "
              f"{sum(len(s.requests) for s in sites.servers.values())} requests")
        disallowed = [p for _, p, _ in sites.servers["plain"].requests
                      if any(p.startswith(d["path"]) for d in MANIFEST["disallowed"])]
        print(f"robots-disallowed requests: {len(disallowed)}; mirror requests: {len(sites.requested('mirror'))}")


def extraction_cost(rounds: int = 200) -> None:
    nav = "".join(f'<li><a href="/lm/c{i}/index.html">栏目名称{i}</a></li>' for i in range(300))
    items = "".join(f'<li><a href="./2024{i:02d}/t2024_{i}.html">某县202{i % 4}年第{i}号通知公告</a></li>' for i in range(20))
    html = f"<html><body><div class='nav'><ul>{nav}</ul></div><div class='list'><ul>{items}</ul></div></body></html>"
    no_container = html.replace("class='list'", "class='x'")
    for label, source in (("list container", html), ("no container (home-page mode)", no_container)):
        started = time.perf_counter()
        for _ in range(rounds):
            links = extract_links(Page(source, "http://www.a.gov.cn/xxgk/nb/index.html"))
        ms = (time.perf_counter() - started) * 1000 / rounds
        print(f"extract_links, 320 anchors, {label}: {ms:.2f} ms/page, {len(links)} links kept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="include the JavaScript portal (needs chromium)")
    args = parser.parse_args()
    crawl_figures(args.render)
    extraction_cost()


if __name__ == "__main__":
    main()
