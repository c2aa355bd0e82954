"""First crawl vs re-crawl of the same portals: requests, 304s, bytes and report outcomes per run.

    .venv/bin/python -m bench.incremental [--revise]

Builds the fixture portals of tests/sites_incremental (a city portal, a county repost, a 繁體
mirror) in a temporary folder, serves them from a loopback HTTP server that answers
If-Modified-Since / If-None-Match with 304, and runs `scrapy crawl portals` twice into one
archive as real subprocesses. The figures come from the archive's crawl_runs rows and WARC
records. `--revise` corrects one report between the crawls (it becomes a new version).
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
        "-s", "PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False"]


class ValidatingHandler(SimpleHTTPRequestHandler):
    """Static files with a strong ETag (sha256 of the bytes) and Last-Modified; 304 for either validator."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_file():
            data = path.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            modified = email.utils.formatdate(int(path.stat().st_mtime), usegmt=True)
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            fresh = (inm == etag) if inm else (ims is not None and _not_after(path.stat().st_mtime, ims))
            self.server.requests.append((self.path, 304 if fresh else 200))  # type: ignore[attr-defined]
            if fresh:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                self.end_headers()
                return None
            self._etag = etag
        else:
            self.server.requests.append((self.path, 404))  # type: ignore[attr-defined]
        return super().send_head()

    def end_headers(self) -> None:
        if getattr(self, "_etag", None):
            self.send_header("ETag", self._etag)
            self._etag = None
        super().end_headers()


def _not_after(mtime: float, ims: str) -> bool:
    try:
        return int(mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
    except (TypeError, ValueError):
        return False


class Server:
    """A loopback HTTP server for a folder; `requests` logs (path, status)."""

    def __init__(self, root: Path) -> None:
        handler = lambda *a, **k: ValidatingHandler(*a, directory=str(root), **k)  # noqa: E731
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def requests(self) -> list[tuple[str, int]]:
        return self.httpd.requests  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revise", action="store_true", help="correct one report between the two crawls")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.sites_incremental import build, portal_csv, revise

    with tempfile.TemporaryDirectory() as tmp:
        site, archive = Path(tmp) / "site", Path(tmp) / "archive.db"
        build(site)
        server = Server(site)
        try:
            portals = portal_csv(site, server.base)
            crawl(portals, archive)
            first_requests = len(server.requests)
            if args.revise:
                revise(site)
                later = os.stat(site / "city").st_mtime + 60
                for path in site.rglob("t20210220_2.html"):
                    os.utime(path, (later, later))
            crawl(portals, archive)
            second = server.requests[first_requests:]
        finally:
            server.stop()
        r1, r2 = runs(archive)
        print(f"{'':28}{'first crawl':>14}{'second crawl':>14}")
        for label, key in (("responses (pages)", "pages"), ("HTTP 304", "not_modified"), ("bytes", "bytes"),
                           ("reports new", "reports_new"), ("reports updated", "reports_updated"),
                           ("reports unchanged", "reports_unchanged"), ("errors", "errors"),
                           ("WARC response records", "warc_response"), ("WARC revisit records", "warc_revisit")):
            print(f"{label:28}{r1[key] or 0:>14}{r2[key] or 0:>14}")
        print(f"{'server: requests served':28}{first_requests:>14}{len(second):>14}")
        print(f"second crawl bytes / first crawl bytes: {r2['bytes'] / r1['bytes']:.1%}")


if __name__ == "__main__":
    main()
