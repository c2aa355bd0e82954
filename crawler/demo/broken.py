"""A deliberately broken demo portal: every failure class of `nianbao health` on the demo archive.

Its 信息公开 column links (all inside its scope through allowed_domains) to: a 404, a 500, a 403 (WAF),
a page refused by robots.txt, a redirect to a parking page on another address (off-site redirect), a
name that does not resolve (answered NXDOMAIN by crawler.resolver without any lookup), an address that
refuses connections, one that accepts and never answers (timeout), a plain-HTTP server reached over
https (TLS), and a host that answers every path with a 200 "页面不存在" page (soft 404). Its 年报 list
is empty, so the portal has no report. Everything listens on 127.0.0.0/8, under fixed names and the
demo's fixed port (crawler/demo/server.py `bind_stable`), so its URLs are the same in every crawl.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from crawler.demo.server import DEMO_DOMAIN, DEMO_PORT, Override, SiteServer, bind_stable, loopback_addresses

NAME = "演示故障门户（故意损坏）"
REGION = "320500"
DEAD_NAME = "dead.broken-demo.invalid"

_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_演示故障门户</title></head><body>'
         '<div class="header"><a href="/index.html">首页</a> <a href="/xxgk/">政府信息公开</a></div>'
         '<div class="main"><h1>{title}</h1><ul class="list">{items}</ul></div>'
         '<div class="footer">演示故障门户 版权所有</div></body></html>')
_NOT_FOUND = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head><body>'
              '<div class="main"><h1>页面不存在</h1><p>您访问的页面不存在或已被删除。</p></div></body></html>')


def _page(title: str, links: list[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return _PAGE.format(title=title, items=items).encode()


class _Blackhole:
    """Accepts connections and never answers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._run, daemon=True, name="demo-blackhole").start()

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                continue

    def stop(self) -> None:
        self.stopped.set()
        for c in self.held:
            c.close()
        self.sock.close()


@dataclass
class BrokenPortal:
    row: dict[str, str]
    servers: list[SiteServer] = field(default_factory=list)
    blackhole: _Blackhole | None = None
    tmp: tempfile.TemporaryDirectory | None = None

    def stop(self) -> None:
        for srv in self.servers:
            srv.stop()
        if self.blackhole is not None:
            self.blackhole.stop()
        if self.tmp is not None:
            self.tmp.cleanup()


def _bind(addresses, make):
    """make(address) on the first loopback address free on DEMO_PORT."""
    for address in addresses:
        try:
            return address, make(address)
        except OSError:
            continue
    raise OSError(f"no free loopback address for the demo on port {DEMO_PORT}")


def _unused(address: str) -> socket.socket:
    """Proves nothing listens on address:DEMO_PORT (connections there are refused)."""
    with socket.socket() as s:
        s.bind((address, DEMO_PORT))
    return s


def host(name: str) -> str:
    return f"{name}.broken.{DEMO_DOMAIN}"


PORTAL_HOST, SOFT_HOST, TLS_HOST = f"www.broken.{DEMO_DOMAIN}", host("lyj"), host("sfj")
BLACKHOLE_HOST, REFUSED_HOST, PARKING_HOST = host("mzj"), host("czj"), f"www.parked-domain-sale.{DEMO_DOMAIN}"


def start_broken() -> BrokenPortal:
    from crawler.resolver import HostsResolver

    tmp = tempfile.TemporaryDirectory(prefix="nianbao-broken-demo-")
    root = Path(tmp.name)
    addresses = loopback_addresses()
    portal = bind_stable(root, PORTAL_HOST, addresses)
    parking = bind_stable(root, PARKING_HOST, addresses)
    soft = bind_stable(root, SOFT_HOST, addresses)
    plain = bind_stable(root, TLS_HOST, addresses)  # spoken to over https: the TLS handshake fails
    address, blackhole = _bind(addresses, lambda a: _Blackhole(a, DEMO_PORT))
    HostsResolver.runtime[BLACKHOLE_HOST] = address
    # nothing listens there: connection refused (127.78.x.y: no demo server binds in that block)
    address, _ = _bind((a.replace("127.77.", "127.78.", 1) for a in loopback_addresses()), _unused)
    HostsResolver.runtime[REFUSED_HOST] = address
    HostsResolver.runtime[DEAD_NAME] = None  # NXDOMAIN at once, whatever resolver settings
    port = DEMO_PORT

    p = portal.public_url
    column = [
        ("/xxgk/nb/", "政府信息公开年报"),
        ("/xxgk/gone.html", "政策解读（已删除的页面）"),
        ("/xxgk/error.html", "统计数据（服务器错误）"),
        ("/xxgk/waf.html", "办事指南（防火墙拦截）"),
        ("/private/xxgk.html", "内部信息公开（robots.txt 禁止）"),
        ("/xxgk/moved.html", "规划计划（跳转到停放域名）"),
        (f"http://{DEAD_NAME}/xxgk/", "教育局信息公开（域名失效）"),
        (f"http://{REFUSED_HOST}:{port}/xxgk/", "财政局信息公开（拒绝连接）"),
        (f"http://{BLACKHOLE_HOST}:{port}/xxgk/", "民政局信息公开（无响应）"),
        (f"https://{TLS_HOST}:{port}/xxgk/", "司法局信息公开（证书错误）"),
        (f"{soft.public_url}/xxgk/nb/2023.html", "林业局信息公开年报（软 404）"),
    ]
    pages = {
        "/index.html": _page("演示故障门户", [("/xxgk/", "政府信息公开")]),
        "/xxgk/": _page("政府信息公开", column),
        "/xxgk/nb/": _page("政府信息公开年报", []),
        "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
    }

    def portal_hook(method: str, path: str, headers: dict[str, str]) -> Override | None:
        path = path.split("?", 1)[0]
        if path in pages:
            ctype = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
            return Override(200, {"Content-Type": ctype}, pages[path])
        if path == "/xxgk/error.html":
            return Override(500, {"Content-Type": "text/html"}, b"<h1>500 Internal Server Error</h1>")
        if path == "/xxgk/waf.html":
            return Override(403, {"Content-Type": "text/html"}, "<h1>403 访问被拦截</h1>".encode())
        if path == "/xxgk/moved.html":
            return Override(302, {"Location": parking.public_url + "/parked.html"}, b"")
        return Override(404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>")

    def soft_hook(method: str, path: str, headers: dict[str, str]) -> Override | None:
        if path.startswith("/robots.txt"):
            return Override(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")
        return Override(200, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND.encode())

    def parking_hook(method: str, path: str, headers: dict[str, str]) -> Override | None:
        return Override(200, {"Content-Type": "text/html; charset=utf-8"}, "<h1>该域名正在出售</h1>".encode())

    portal.hook, soft.hook, parking.hook = portal_hook, soft_hook, parking_hook
    plain.hook = parking_hook
    allowed = [DEAD_NAME, f"{REFUSED_HOST}:{port}", f"{BLACKHOLE_HOST}:{port}", f"{TLS_HOST}:{port}",
               f"{SOFT_HOST}:{port}"]
    row = {"name": NAME, "start_url": p + "/index.html", "render": "false", "region_code": REGION,
           "allowed_domains": " ".join(allowed)}
    return BrokenPortal(row, [portal, parking, soft, plain], blackhole, tmp)
