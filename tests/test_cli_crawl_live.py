"""`nianbao crawl` on portals served from 127.0.0.1: ok, partial, failed and interrupted runs, read back
from the archive. The interrupted run holds a page on the server until SIGINT has been sent."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.serving import http_server
from tests.test_import import seed_html

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site():
    hold = threading.Event()
    held = threading.Event()
    report = seed_html("002_b58532c6c9d423bb").replace("2020年", "2021年").encode("utf-8")

    def answer(path: str) -> tuple[int, str, bytes]:
        if path.startswith("/held/"):
            held.set()
            hold.wait(120)
        if path.startswith(("/ok/", "/held/")) and path != "/ok/robots.txt":
            return 200, "text/html; charset=utf-8", report
        return 404, "text/html; charset=utf-8", b"not found"

    with http_server(answer) as url:
        yield url, hold, held
        hold.set()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal_csv(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "portals.csv"
    path.write_text("name,start_url,render,region_code\n" + "".join(f"{n},{u},false,220382\n" for n, u in rows),
                    encoding="utf-8")
    return path


def crawl(tmp_path: Path, csv: Path, **popen):
    db = tmp_path / "archive.db"
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "-a", f"portals={csv}", "-s", f"ARCHIVE_DB={db}",
           "-s", "ROBOTSTXT_OBEY=False", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "RETRY_ENABLED=False", "-s", "FOLLOW_GOV_CN=False"]
    return db, subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finish(proc) -> tuple[int, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out + err


def last_run(db: Path) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return dict(conn.execute("select * from crawl_runs order by id desc limit 1").fetchone())


def test_ok(site, tmp_path):
    base, _, _ = site
    db, proc = crawl(tmp_path, portal_csv(tmp_path, [("双辽市人民政府", f"{base}/ok/nb.html")]))
    code, log = finish(proc)
    assert code == 0, log[-3000:]
    assert "nianbao crawl: exit 0" in log
    assert last_run(db)["reports_new"] == 1
    assert sqlite3.connect(db).execute("select county, kind from report_index").fetchall() == [("双辽市", "政府")]


def test_partial_when_a_portal_fails(site, tmp_path):
    base, _, _ = site
    db, proc = crawl(tmp_path, portal_csv(tmp_path, [("双辽市人民政府", f"{base}/ok/nb.html"),
                                                    ("坏县人民政府", f"{base}/missing/index.html")]))
    code, log = finish(proc)
    assert code == 1, log[-3000:]
    assert "portals without a report: 坏县人民政府" in log
    assert last_run(db)["errors"] == 1


def test_failed_when_nothing_is_fetched(tmp_path):
    db, proc = crawl(tmp_path, portal_csv(tmp_path, [("无人县", f"http://127.0.0.1:{closed_port()}/")]))
    code, log = finish(proc)
    assert code == 2, log[-3000:]
    assert "no page was fetched" in log and last_run(db)["pages"] == 0


def test_interrupted_by_sigint(site, tmp_path):
    base, hold, held = site
    db, proc = crawl(tmp_path, portal_csv(tmp_path, [("双辽市人民政府", f"{base}/held/nb.html")]))
    try:
        assert held.wait(120), "the crawl never requested the held page"
        proc.send_signal(signal.SIGINT)  # forwarded once to Scrapy, which stops after in-flight requests
    finally:
        hold.set()
    code, log = finish(proc)
    assert code == 3, log[-3000:]
    assert last_run(db)["finish_reason"] == "shutdown"
