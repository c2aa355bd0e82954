"""End to end on the loopback "real web" (tests/realweb): scope, dead hosts, politeness, health, attribution.

Real `scrapy crawl portals` processes, real servers on 127.0.0.0/8 under real-looking hostnames
resolved by crawler.resolver.HostsResolver (names outside the table fail at once: nothing leaves the machine).
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.realweb import WorldServer, serve_world
from tests.realweb.world import NATIONAL, PROVINCE, World

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]


def crawl(web: WorldServer, tmp: Path, *, order: list[int] | None = None, db: Path | None = None,
          extra: dict[str, object] | None = None, nianbao: bool = False) -> subprocess.CompletedProcess:
    portals = web.write_portals(tmp / "portals.csv", order=order)
    db = db or tmp / "archive.db"
    settings = {**web.settings(tmp), "ARCHIVE_DB": db, "HOST_FIRST_TIMEOUT": 8, "LOG_LEVEL": "INFO",  # generous on a loaded machine
                **(extra or {})}
    args = ["-a", f"portals={portals}"]
    for k, v in settings.items():
        args += ["-s", f"{k}={v}"]
    cmd = ([sys.executable, "-m", "crawler.cli", "crawl", *args] if nianbao
           else [sys.executable, "-m", "scrapy", "crawl", "portals", *args])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("realweb")
    world = World(cities=2, counties=3, bad=True, slow_seconds=1.0, crawl_delay=1.0)
    with serve_world(world) as web:
        proc = crawl(web, tmp, nianbao=True)
        log = list(web.log)
        yield {"world": world, "web": web, "proc": proc, "log": log, "db": tmp / "archive.db", "tmp": tmp}


def _rows(db: Path, sql: str, *args):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_every_report_found_and_attributed(bad):
    world, web = bad["world"], bad["web"]
    assert bad["proc"].returncode in (0, 1), bad["proc"].stderr[-3000:]
    got = {r["url"]: r["portal"] for r in _rows(bad["db"], "select url, portal from report_urls")}
    expected = {web.report_url(r): r.portal for r in world.reports}
    assert set(expected) <= set(got), sorted(set(expected) - set(got))[:5]
    wrong = {u: (got[u], p) for u, p in expected.items() if got[u] != p}
    assert not wrong, list(wrong.items())[:5]


def test_never_leaves_scope_through_chrome(bad):
    hosts = Counter(h for h, _, _ in bad["log"])
    for host in [*NATIONAL, *PROVINCE, *bad["world"].dead_footer]:
        assert hosts[host] == 0, host  # footers, mega-menus and 办事服务 blocks are not followed
    assert hosts["www.domain-parking-sale.com"] == 0  # off-site redirects are recorded, not followed


def test_a_dead_host_costs_one_attempt(bad):
    world = bad["world"]
    hosts = Counter(h for h, _, _ in bad["log"])
    for h in world.hosts.values():
        if h.behaviour == "blackhole":
            assert hosts[h.name] == 1, h.name  # robots.txt timed out once; the circuit opened
    rows = _rows(bad["db"], "select url, error from fetch_log where error is not null")
    per_host = Counter(r["url"].split("/")[2].split(":")[0] for r in rows)
    linked = [h for h in world.hosts.values() if h.kind == "dept" and h.behaviour in ("dead", "refused", "blackhole")]
    assert linked
    for h in linked:  # department sites linked from a 信息公开 column: contacted, and recorded once
        assert per_host[h.name] == 1, (h.name, per_host[h.name])
    errors = {r["url"].split("/")[2].split(":")[0]: r["error"] for r in rows}
    assert any("soft 404" in e for e in errors.values())
    assert any("off-site redirect" in e for e in errors.values())


def test_crawl_delay_honoured(bad):
    world = bad["world"]
    delayed = [h.name for h in world.hosts.values() if h.crawl_delay]
    assert delayed
    for name in delayed:
        times = sorted(t for h, _path, t in bad["log"] if h == name)  # robots.txt, the soft-404 probe, pages
        assert len(times) >= 4
        gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
        # crawler/pacing.py: each request leaves at least the delay after the previous one was answered, so
        # every single gap the server sees is at least the delay, whatever the crawler's load (the server
        # stamps a request before answering it; 2 ms for the clock). Without the delay the host's parallel
        # slots give gaps near 0 s (tests/test_realweb_recrawl.py's control).
        assert min(gaps) >= world.crawl_delay - 0.002, gaps


def test_portal_health_classes(bad):
    rows = _rows(bad["db"], "select * from portal_health")
    assert len(rows) == len(bad["world"].portals)
    classes = Counter()
    for r in rows:
        classes.update(json.loads(r["failures"]))
        # reports found, but linked department sites failed: degraded, with its main failure class
        failed = sum(v for k, v in json.loads(r["failures"]).items() if k != "robots")
        assert r["status"] == ("degraded" if failed else "ok") and r["pages"] > 0 and r["reports_new"] > 0
        assert r["consecutive_empty"] == 0 and (r["failure"] or not failed)
    for cls in ("dns", "refused", "timeout", "waf", "soft404", "offsite-redirect"):
        assert classes[cls] >= 1, (cls, classes)


def test_nianbao_health_command(bad):
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "health", str(bad["db"]), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    data = json.loads(proc.stdout)
    assert len(data["portals"]) == len(bad["world"].portals)
    degraded = any(p["status"] != "ok" for p in data["portals"])
    assert proc.returncode == data["exit_code"] == (1 if degraded else 0), proc.stderr
    assert bad["proc"].returncode == proc.returncode  # nianbao crawl said the same
    text = subprocess.run([sys.executable, "-m", "crawler.cli", "health", str(bad["db"])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert "洛阳市人民政府" in text.stdout and "degraded" in text.stdout and "refused by robots.txt" in text.stdout


@pytest.mark.parametrize("order", ["reversed", "counties-first"])
def test_link_order_does_not_matter(tmp_path, order):
    """Portals that link each other: whatever comes first, every portal's reports are found under it."""
    world = World(cities=1, counties=3, bad=False, crawl_delay=0.0)
    n = len(world.portals)
    perm = list(range(n))[::-1] if order == "reversed" else [*range(1, n), 0]
    with serve_world(world) as web:
        proc = crawl(web, tmp_path, order=perm, extra={"CONCURRENT_REQUESTS": 4})
        assert proc.returncode == 0, proc.stderr[-3000:]
        got = {r["url"]: r["portal"] for r in _rows(tmp_path / "archive.db", "select url, portal from report_urls")}
        expected = {web.report_url(r): r.portal for r in world.reports}
        assert expected == {u: got.get(u) for u in expected}
        starts = Counter((h, p) for h, p, _ in web.log if p == "/")
        assert all(c == 1 for c in starts.values())  # each start page fetched once


def test_portal_budget_counts_pages_after_duplicates(tmp_path):
    world = World(cities=1, counties=2, bad=False, crawl_delay=0.0)
    with serve_world(world) as web:
        proc = crawl(web, tmp_path, extra={"PORTAL_MAX_PAGES": 40})
        assert proc.returncode in (0, 1), proc.stderr[-3000:]
        per_portal = Counter(r["portal"] for r in _rows(
            tmp_path / "archive.db", "select portal from fetch_log where kind is not 'robots' and kind is not 'probe'"))
        assert per_portal and max(per_portal.values()) <= 40
        paths = Counter((h, p) for h, p, _ in web.log)
        assert max(paths.values()) == 1  # no page requested twice


def test_removed_reports_are_marked_gone_and_kept(tmp_path):
    """A report taken down (404, or a soft 404) after the first crawl: the second crawl marks its URL gone
    (date, run) even though no list links it any more; the report stays; researchers can list it."""
    world = World(cities=1, counties=1, bad=False, crawl_delay=0.0)
    with serve_world(world) as web:
        db = tmp_path / "archive.db"
        first = crawl(web, tmp_path, db=db)
        assert first.returncode == 0, first.stderr[-3000:]
        taken = [(world.reports[0], "404"), (world.reports[4], "soft404")]
        for r, how in taken:
            world.removed[(r.host, r.path)] = how
        second = crawl(web, tmp_path, db=db)
        assert second.returncode in (0, 1), second.stderr[-3000:]
    gone = {r["url"]: r for r in _rows(db, "select * from report_urls where gone_at is not null")}
    assert set(gone) == {web.report_url(r) for r, _ in taken}
    for r, how in taken:
        row = gone[web.report_url(r)]
        assert row["gone_status"] == how and row["gone_run_id"] == 2
    assert _rows(db, "select count(*) from reports")[0][0] == len(world.reports)  # kept
    listed = subprocess.run([sys.executable, "-m", "crawler.cli", "health", str(db), "--removed", "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert {r["url"] for r in json.loads(listed.stdout)} == set(gone)
    health = {r["portal"]: r for r in _rows(db, "select * from portal_health where run_id = 2")}
    assert sum(r["gone"] for r in health.values()) == 2
