"""What the server and browser tests share: a free loopback port, a small HTTP server answering from a
function, `nianbao serve` started and stopped around a block, and Debian's Chromium launched through
Playwright (fixtures `browser`/`page` in conftest)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
NO_CHROMIUM = "needs Debian's chromium (bin/test installs it)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def http_server(answer: Callable[[str], tuple[int, str, bytes]]) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 for the block, `GET path` → `answer(path)` = (status,
    Content-Type, body) (called in the request's thread: it may wait); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(db: Path, *extra: str, log: Path | None = None) -> Iterator[str]:
    """`nianbao serve DB [extra…]` on a free loopback port for the block; yields its base URL once
    datasette answers. Its output goes to `log` (quoted when it exits early)."""
    port = free_port()
    out = log.open("w") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", str(db), "--port", str(port), *extra],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # wait until datasette answers (startup, not a timed assertion)
            if proc.poll() is not None:
                raise AssertionError("nianbao serve exited: " + (log.read_text() if log is not None else ""))
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("nianbao serve did not answer")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        if log is not None:
            out.close()  # type: ignore[union-attr]


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium (a Playwright Browser) for the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
