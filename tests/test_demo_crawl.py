"""End to end: a real `scrapy crawl portals -a portals=demo` into a real SQLite archive."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "crawler" / "demo" / "manifest.json").read_text(encoding="utf-8"))
CHROME = re.compile(r"ICP备|公网安备|网站标识码|技术支持|无障碍|长者专版|运维电话|主办单位|承办单位|版权所有|当前位置")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    db = out / "archive.db"
    scrapy = Path(sys.executable).with_name("scrapy")
    proc = subprocess.run(
        [str(scrapy), "crawl", "portals", "-a", "portals=demo", "-s", f"ARCHIVE_DB={db}", "-s", "LOG_LEVEL=INFO",
         "-O", str(out / "reports.jsonl")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {"db": conn, "stdout": proc.stdout, "stderr": proc.stderr, "feed": out / "reports.jsonl"}


def _reports(crawl) -> list[sqlite3.Row]:
    return crawl["db"].execute("select * from reports order by id").fetchall()


def test_every_demo_report_archived_exactly_once(crawl):
    expected = MANIFEST["reports"]
    rows = _reports(crawl)
    distinct = {(e["agency"], e["year"]) for e in expected}
    assert len(rows) == len(distinct)
    assert {(r["agency"], r["year"]) for r in rows} == distinct


@pytest.mark.parametrize("exp", MANIFEST["reports"], ids=lambda e: e["path"])
def test_report_metadata(crawl, exp):
    row = crawl["db"].execute(
        """select r.* from reports r join report_urls u on u.report_id = r.id where u.url like ?""",
        ["%" + exp["path"]],
    ).fetchone()
    assert row is not None, f"{exp['path']} not archived"
    assert row["title"] == exp["title"]
    assert row["agency"] == exp["agency"]
    assert row["year"] == exp["year"]
    assert row["published_at"] == exp["published_at"]
    assert row["contact_phone"] == exp.get("contact_phone")
    assert row["contact_address"] == exp.get("contact_address")
    if exp.get("template"):
        assert row["template"] == exp["template"]


def test_no_chrome_in_body_text(crawl):
    for row in _reports(crawl):
        assert len(row["body_text"]) > 1000
        assert CHROME.search(row["body_text"]) is None, (row["url"], CHROME.search(row["body_text"]).group())


def test_no_non_report_page_archived(crawl):
    urls = {u for (u,) in crawl["db"].execute("select url from report_urls")}
    for path in MANIFEST.get("non_reports", []):
        assert not any(u.endswith(path) for u in urls), path


def test_look_alikes_fetched_are_audited(crawl):
    rejected = crawl["db"].execute("select url, reason from rejected_pages").fetchall()
    assert rejected, "the demo's look-alike pages should be rejected with a reason"
    assert all(reason for _, reason in rejected)


def test_robots_disallowed_urls_never_fetched(crawl):
    fetched = [u for (u,) in crawl["db"].execute("select url from fetch_log where status is not null")]
    for path in MANIFEST.get("disallowed", []):
        assert not any(path in u for u in fetched), path


def test_crawl_run_and_summary(crawl):
    run = crawl["db"].execute("select * from crawl_runs").fetchone()
    assert run["finished_at"] and run["finish_reason"] == "finished"
    assert run["portals"] == len(MANIFEST["portals"]) + 1  # + the deliberately broken portal (crawler/demo/broken.py)
    assert run["reports_new"] == len(_reports(crawl))
    assert "reports found" in crawl["stdout"] and "archive:" in crawl["stdout"]


def test_feed_export_lists_the_reports(crawl):
    lines = [json.loads(line) for line in crawl["feed"].read_text(encoding="utf-8").splitlines()]
    assert {(x["agency"], x["year"]) for x in lines} == {(r["agency"], r["year"]) for r in _reports(crawl)}


def test_health_shows_every_failure_class_on_the_broken_portal(crawl):
    from crawler.demo.broken import NAME

    rows = {r["portal"]: r for r in crawl["db"].execute("select * from portal_health")}
    assert set(rows) == {p["name"] for p in MANIFEST["portals"]} | {NAME}
    broken = rows.pop(NAME)
    failures = json.loads(broken["failures"])
    for cls in ("dns", "refused", "timeout", "tls", "http4xx", "http5xx", "waf", "robots", "soft404",
                "offsite-redirect"):
        assert failures.get(cls) == 1, (cls, failures)  # one record each: a dead host is not retried link by link
    assert broken["status"] == "no-report" and broken["reports_new"] == 0 and broken["consecutive_empty"] == 1
    for name, row in rows.items():  # the real demo portals are healthy: robots.txt refusals are not errors
        assert row["status"] == "ok" and row["last_good_run"] == row["run_id"], (name, dict(row))
