"""Every researcher-facing command on the demo archive: `nianbao crawl -a portals=demo` once, then
coverage, search, export and datasette (report view and canned queries over HTTP)."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.serving import CHROMIUM, NO_CHROMIUM, serving

ROOT = Path(__file__).resolve().parent.parent


def nianbao(*args, **kw):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, **kw)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    proc = nianbao("crawl", "-a", "portals=demo", "-s", f"ARCHIVE_DB={db}")
    return db, proc


def test_demo_crawl_exits_1_for_its_broken_portal_with_a_per_portal_summary(demo):
    """The demo carries a deliberately broken portal (crawler/demo/broken.py): the crawl is partial, and says
    so in the same words as `nianbao health`; the real demo portals have no errors."""
    from crawler.demo.broken import NAME

    db, proc = demo
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "nianbao crawl: exit 1 — partial" in proc.stderr and "1 no-report (nianbao health)" in proc.stderr
    assert f"portals without a report: {NAME}" in proc.stderr
    table = proc.stdout.split("portal ", 1)[1].splitlines()
    assert table[0].split() == ["pages", "reports", "errors", "robots.txt", "refused"]
    end = next(i for i, line in enumerate(table) if line.startswith("total"))
    rows = {line.split()[0]: line.split()[1:] for line in table[1:end + 1]}
    for name, cells in rows.items():
        if name not in (NAME, "total"):
            assert cells[2] == "0", (name, cells)  # robots.txt refusals are not errors
    reports = sqlite3.connect(db).execute("select count(*) from reports").fetchone()[0]
    assert int(rows["total"][1]) == reports and rows[NAME][1] == "0"
    assert "refused by robots.txt (not errors)" in proc.stdout
    health = nianbao("health", db)
    assert health.returncode == 1 and NAME in health.stdout and "no-report" in health.stdout


def test_every_demo_report_has_a_region_and_a_deadline(demo):
    db, _ = demo
    conn = sqlite3.connect(db)
    rows = conn.execute("select agency, province, county, level, kind, deadline from report_index").fetchall()
    assert rows and all(r[1] and r[3] and r[4] and r[5] for r in rows), rows
    places = {r[0]: (r[1], r[2]) for r in rows}
    assert places["常熟市城市管理局"] == ("江苏省", "常熟市")
    assert places["双辽市政府办公室"] == ("吉林省", "双辽市")


def test_coverage_on_the_demo(demo):
    db, _ = demo
    data = json.loads(nianbao("coverage", db, "--format", "json").stdout)
    reports = sqlite3.connect(db).execute("select count(*) from reports where year is not null").fetchone()[0]
    assert data["summary"]["reports"] == reports
    failing = {a["agency"] for a in data["agencies"] if a["failing"]}
    assert "双辽市政府办公室" in failing  # seed 002's R1


def test_search_on_the_demo(demo):
    db, _ = demo
    out = nianbao("search", db, "依申请公开", "--json")
    assert out.returncode == 0
    assert len(json.loads(out.stdout)) >= 3
    assert nianbao("search", db, "复议").returncode == 0


def test_export_of_the_demo(demo, tmp_path):
    db, _ = demo
    out = nianbao("export", db, "--out", tmp_path, "--version", "demo")
    assert out.returncode == 0, out.stderr
    snap = Path(out.stdout.strip())
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=snap, capture_output=True).returncode == 0
    assert (snap / "panel.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # the snapshot's CSVs open in Excel
    with (snap / "panel.csv").open(encoding="utf-8-sig") as fh:
        panel = list(csv.DictReader(fh))
    pairs = sqlite3.connect(db).execute(
        "select count(*) from (select distinct agency, year from reports where year is not null)").fetchone()[0]
    assert len(panel) == pairs
    row = next(r for r in panel if r["agency"] == "双辽市政府办公室")
    assert float(row["收到和处理政府信息公开申请情况|一、本年新收政府信息公开申请数量|总计"]) == 27


def test_datasette_on_the_demo(demo, tmp_path):
    db, _ = demo
    with serving(db, log=tmp_path / "serve.log") as base:
        ids = [i for (i,) in sqlite3.connect(db).execute("select id from reports where cells_count > 0")]
        for report_id in ids:
            html = urllib.request.urlopen(f"{base}/-/report/{report_id}").read().decode("utf-8")
            assert html.count('class="report-table"') >= 3, report_id
            assert "一、本年新收政府信息公开申请数量" in html
        for query in ("requests_by_year", "correction_rates", "failing_r1", "late_reports", "coverage",
                      "coverage_by_region", "search"):
            rows = json.load(urllib.request.urlopen(f"{base}/{db.stem}/{query}.json?_shape=array"))
            assert isinstance(rows, list), query
        hits = json.load(urllib.request.urlopen(
            f"{base}/{db.stem}/report_index.json?_shape=array&" + urllib.parse.urlencode({"_search": "依申请公开"})))
        assert len(hits) >= 3
        health = json.load(urllib.request.urlopen(f"{base}/{db.stem}/portal_health.json?_shape=array"))
        statuses = {r["portal"]: r["status"] for r in health}  # the canned query, same rows as nianbao health
        assert "no-report" in statuses.values() and list(statuses.values()).count("ok") == len(statuses) - 1
        for query in ("removed_reports", "changed_reports"):
            assert isinstance(json.load(urllib.request.urlopen(f"{base}/{db.stem}/{query}.json?_shape=array")), list)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM)
def test_demo_in_chromium(demo, page, tmp_path):
    """The same path a researcher takes, on the demo archive: index, a facet, a search, a report."""
    db, _ = demo
    with serving(db) as base:
        page.goto(base + "/")
        page.get_by_role("link", name=db.stem, exact=True).first.click()
        page.get_by_role("link", name="report_index").first.click()
        facet = page.locator("#facet-province li").first
        expected = int(facet.inner_text().split()[-1])
        facet.locator("a").first.click()
        page.wait_for_load_state()
        assert page.locator("table.rows-and-columns tbody tr").count() == expected
        page.goto(base + f"/{db.stem}/report_index")
        page.fill("input[name=_search]", "依申请公开")
        page.press("input[name=_search]", "Enter")
        page.wait_for_load_state()
        assert page.locator("table.rows-and-columns tbody tr").count() >= 3
        page.locator("a.report-link").first.click()
        page.wait_for_load_state()
        assert page.locator("table.report-table[data-table]").count() == 3
        assert page.locator("table.report-table[data-table] td.num").count() >= 150
        page.screenshot(path=str(tmp_path / "demo-report.png"), full_page=True)


def test_demo_list_removed_before_a_second_crawl_is_site_changed(tmp_path):
    """Demo URLs are the same in every crawl (fixed names and port, crawler/demo/server.py): a second crawl of the
    demo after the county's 年报 list was removed says `site-changed` for that portal in `nianbao health` (text,
    --json, exit code); the other demo portals stay ok, the broken one keeps every failure class."""
    import shutil

    from crawler.demo.broken import NAME

    shutil.copytree(ROOT / "crawler" / "demo" / "site", tmp_path / "site")
    shutil.copy(ROOT / "crawler" / "demo" / "manifest.json", tmp_path / "manifest.json")
    db = tmp_path / "demo.db"
    args = ("crawl", "-a", "portals=demo", "-s", f"ARCHIVE_DB={db}", "-s", f"DEMO_SITE={tmp_path / 'site'}")
    first = nianbao(*args)
    assert first.returncode == 1, first.stderr[-3000:]
    conn = sqlite3.connect(db)
    county = "伊川县人民政府"
    lists = [u for (u,) in conn.execute("select url from portal_lists where portal = ?", [county])]
    listed = next(u for u in lists if u.endswith("/zwgk/zfxxgk/xxgknb/index.html"))
    assert urllib.parse.urlsplit(listed).hostname == "www.county.demo.test"  # a name, not a per-crawl port
    (tmp_path / "site" / "county" / "zwgk" / "zfxxgk" / "xxgknb" / "index.html").unlink()
    second = nianbao(*args)
    assert second.returncode == 1, second.stderr[-3000:]
    report = json.loads(nianbao("health", db, "--json").stdout)
    status = {p["portal"]: p["status"] for p in report["portals"]}
    assert status.pop(county) == "site-changed" and status.pop(NAME) == "no-report", status
    assert set(status.values()) == {"ok"}, status
    text = nianbao("health", db)
    assert text.returncode == report["exit_code"] == 1
    assert "site-changed" in next(line for line in text.stdout.splitlines() if county in line)
    gone = conn.execute("select url, gone_status, gone_run_id from portal_lists where gone_at is not null").fetchall()
    assert gone == [(listed, "404", 2)]
    failures = json.loads(conn.execute("select failures from portal_health where run_id = 2 and portal = ?",
                                       [NAME]).fetchone()[0])
    for cls in ("dns", "refused", "timeout", "tls", "http4xx", "http5xx", "waf", "robots", "soft404",
                "offsite-redirect"):
        assert failures.get(cls) == 1, (cls, failures)
