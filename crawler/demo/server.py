"""A small threaded static server for the demo portals and loopback tests (stdlib only).

    with SiteServer(Path("crawler/demo/site/county")) as srv:
        srv.override("/index.html", status=500, times=1)     # 500 once, then the file
        srv.override("/old.html", status=301, headers={"Location": "/index.html"})
        urlopen(srv.url + "/index.html"); srv.requests       # [(method, path, headers), ...]

    .venv/bin/python -m crawler.demo.server              # serve the three demo portals until Ctrl-C

Content-Type comes from the extension; the charset parameter from the nearest `_headers.json`
({"charset": "gbk" | "utf-8" | null, "headers": {...}}), which may deliberately disagree with the
bytes (a portal whose header lies). Files answer with ETag/Last-Modified and 304 on a matching
If-None-Match or If-Modified-Since. Logging is silent unless `log_path` is given.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

SITE = Path(__file__).with_name("site")
MANIFEST = Path(__file__).with_name("manifest.json")

TYPES = {
    ".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".do": "text/html", ".jsp": "text/html",
    ".css": "text/css", ".js": "application/javascript", ".txt": "text/plain", ".json": "application/json",
    ".xml": "text/xml", ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".ico": "image/x-icon",
}


@dataclass
class Override:
    """A canned answer for one path: `times` uses (None = always), then the file is served again."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    times: int | None = None


# A hook sees (method, path, request headers) and returns an Override to answer with, or None.
Hook = Callable[[str, str, dict[str, str]], Override | None]


class SiteServer:
    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, *, hook: Hook | None = None,
                 log_path: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.host, self.port = host, port
        self.hook = hook
        self.log_path = log_path
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._overrides: dict[str, Override] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._public_url: str | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    @property
    def public_url(self) -> str:
        """The URL crawlers are given: `url`, or the stable name the demo maps to this server (bind_stable)."""
        return self._public_url or self.url

    @public_url.setter
    def public_url(self, value: str) -> None:
        self._public_url = value

    def start(self) -> SiteServer:
        handler = type("Handler", (_Handler,), {"site": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"SiteServer:{self.root.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ----------------------------------------------------------------------------
    def override(self, path: str, status: int, *, headers: dict[str, str] | None = None, body: bytes = b"",
                 times: int | None = None) -> None:
        with self._lock:
            self._overrides[path] = Override(status, headers or {}, body, times)

    def paths(self) -> list[str]:
        """Paths requested so far, in order (query strings included)."""
        with self._lock:
            return [p for _, p, _ in self.requests]

    def _record(self, method: str, path: str, headers: dict[str, str]) -> Override | None:
        with self._lock:
            self.requests.append((method, path, headers))
            ov = self._overrides.get(urlsplit(path).path)
            if ov is not None and ov.times is not None:
                ov.times -= 1
                if ov.times <= 0:
                    del self._overrides[urlsplit(path).path]
        return ov or (self.hook(method, path, headers) if self.hook else None)

    def _log(self, line: str) -> None:
        if self.log_path is not None:
            with self._lock, self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    # -- files ------------------------------------------------------------------------------------
    def resolve(self, path: str) -> Path | None:
        """The file for a URL path: directories answer with index.html; nothing outside root; no _headers.json."""
        rel = unquote(urlsplit(path).path).lstrip("/")
        target = (self.root / rel).resolve()
        if target != self.root and self.root not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or target.name == "_headers.json":
            return None
        return target

    def settings_for(self, file: Path) -> dict[str, Any]:
        """The nearest _headers.json at or above the file's directory (within root)."""
        for folder in [file.parent, *file.parent.parents]:
            cfg = folder / "_headers.json"
            if cfg.is_file():
                return json.loads(cfg.read_text(encoding="utf-8"))
            if folder == self.root:
                break
        return {}

    def content_type(self, file: Path) -> str:
        ctype = TYPES.get(file.suffix.lower(), "application/octet-stream")
        cfg = self.settings_for(file)
        charset = cfg.get("charset", "utf-8")  # null: no charset parameter at all
        if charset and (ctype.startswith("text/") or ctype in ("application/javascript", "application/json")):
            ctype += f"; charset={charset}"
        return ctype


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        self.site._log(f"{self.log_date_time_string()} {self.address_string()} {format % args}")

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_POST(self) -> None:  # CMS list endpoints are POSTed to; a static answer is enough here
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve(body=True)

    def _send(self, status: int, headers: dict[str, str], payload: bytes, body: bool) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body and payload:
            self.wfile.write(payload)

    def _serve(self, *, body: bool) -> None:
        site = self.site
        ov = site._record(self.command, self.path, dict(self.headers.items()))
        if ov is not None:
            self._send(ov.status, ov.headers, ov.body, body)
            return
        file = site.resolve(self.path)
        if file is None:
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404 Not Found</h1>", body)
            return
        data = file.read_bytes()
        mtime = int(file.stat().st_mtime)
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        headers = {"Content-Type": site.content_type(file), "ETag": etag,
                   "Last-Modified": formatdate(mtime, usegmt=True), **site.settings_for(file).get("headers", {})}
        if self._not_modified(etag, mtime):
            self._send(304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"", False)
            return
        self._send(200, headers, data, body)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return mtime <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False


# -- the demo --------------------------------------------------------------------------------------
@dataclass
class DemoSite:
    """The running demo: one server per portal, and the rows of a portal CSV pointing at them."""

    servers: dict[str, SiteServer]
    rows: list[dict[str, str]]

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.stop()

    def __enter__(self) -> DemoSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Stable demo URLs: every demo host has a fixed name (a reserved .test name, mapped to its loopback address
# by crawler.resolver.HostsResolver.runtime while the crawl runs) and the fixed port DEMO_PORT, so the same
# page has the same URL in every crawl and an archive can tell what changed (`nianbao health`: site-changed).
# The address behind a name may change from crawl to crawl (another demo may hold one): URLs do not.
DEMO_PORT = 8470
DEMO_DOMAIN = "demo.test"


def demo_host(key: str) -> str:
    return f"www.{key}.{DEMO_DOMAIN}"


def loopback_addresses() -> Any:
    """Candidate addresses for demo hosts: 127.77.0.1, 127.77.0.2, … (any 127.0.0.0/8 address is loopback)."""
    for third in range(256):
        for fourth in range(1, 255):
            yield f"127.77.{third}.{fourth}"


def bind_stable(root: Path, name: str, addresses: Any, *, log_path: Path | None = None,
                hook: Hook | None = None) -> SiteServer:
    """A SiteServer answering as http://NAME:DEMO_PORT: the first free loopback address on DEMO_PORT, the name
    mapped to it for this process's crawler (HostsResolver.runtime)."""
    from crawler.resolver import HostsResolver

    for address in addresses:
        try:
            srv = SiteServer(root, host=address, port=DEMO_PORT, hook=hook, log_path=log_path).start()
        except OSError:  # taken (another demo crawl on this machine): the next address, same URL
            continue
        HostsResolver.runtime[name.lower()] = address
        srv.public_url = f"http://{name}:{DEMO_PORT}"
        return srv
    raise OSError(f"no free loopback address for the demo on port {DEMO_PORT}")


def start_demo(site_root: Path | None = None, *, log_path: Path | None = None, stable: bool = False) -> DemoSite:
    """Start every portal of the manifest on its own 127.0.0.1 port (its own host for the crawler); with
    `stable`, on its fixed name and port instead (`-a portals=demo`: URLs that stay the same across crawls)."""
    root = Path(site_root) if site_root else SITE
    found = [m for m in (root / "manifest.json", root.parent / "manifest.json") if site_root and m.is_file()]
    manifest = json.loads((found[0] if found else MANIFEST).read_text(encoding="utf-8"))
    servers: dict[str, SiteServer] = {}
    rows = []
    addresses = loopback_addresses()
    try:
        for portal in manifest["portals"]:
            if stable:
                srv = bind_stable(root / portal["directory"], demo_host(portal["key"]), addresses, log_path=log_path)
            else:
                srv = SiteServer(root / portal["directory"], log_path=log_path).start()
            servers[portal["key"]] = srv
            rows.append({"name": portal["name"], "start_url": srv.public_url + portal.get("home", "/index.html"),
                         "render": "false", "region_code": portal["region_code"]})
    except Exception:
        for srv in servers.values():
            srv.stop()
        raise
    return DemoSite(servers, rows)


def main() -> None:
    demo = start_demo(log_path=Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print("name,start_url,render,region_code")
    for row in demo.rows:
        print(",".join(row[k] for k in ("name", "start_url", "render", "region_code")), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        demo.stop()


if __name__ == "__main__":
    main()
