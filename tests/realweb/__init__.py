"""The loopback "real web": a generated World (tests/realweb/world.py) served on 127.0.0.0/8.

    with serve_world(World(cities=2, counties=3, bad=True)) as web:
        web.write_portals(tmp / "portals.csv")       # name,start_url,render,region_code,entry_urls
        web.write_hosts(tmp / "hosts.json")          # for -s NIANBAO_HOSTS=… (crawler.resolver.HostsResolver)
        web.settings(tmp)                            # the -s settings that keep a crawl on this machine
        web.log                                      # [(host, path, monotonic time)] of every request

Every host gets its own address 127.0.<3+k//250>.<k%250+1>; all listen on one shared free port.
Refusing hosts get an address but no listener; dead names get no address (NXDOMAIN from the resolver);
blackholed hosts accept and never answer; slow hosts answer after `world.slow_seconds`.
"""

from __future__ import annotations

import asyncio
import csv
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.realweb.world import World

__all__ = ["World", "WorldServer", "serve_world"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WorldServer:
    def __init__(self, world: World) -> None:
        self.world = world
        self.port = 0
        self.addresses: dict[str, str] = {}
        for k, name in enumerate(world.resolvable()):
            self.addresses[name] = f"127.0.{3 + k // 250}.{k % 250 + 1}"
        self.log: list[tuple[str, str, float]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="realweb")
        self.servers: list[asyncio.AbstractServer] = []
        self.held: list[asyncio.StreamWriter] = []

    @property
    def base(self) -> str:
        return "http://{host}:" + str(self.port)

    def url(self, host: str, path: str = "/") -> str:
        return self.base.format(host=host) + path

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> WorldServer:
        self.thread.start()
        for _attempt in range(5):
            self.port = _free_port()
            try:
                asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(30)
                return self
            except OSError:
                asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(30)
        raise OSError("no shared free port for the loopback world")

    async def _listen(self) -> None:
        for name, addr in self.addresses.items():
            if self.world.hosts[name].behaviour == "refused":
                continue  # an address without a listener: connection refused
            handler = self._handler(name)
            self.servers.append(await asyncio.start_server(handler, addr, self.port, reuse_address=True))

    async def _close(self) -> None:
        for w in self.held:
            w.close()
        for srv in self.servers:
            srv.close()
        self.servers, self.held = [], []

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def __enter__(self) -> WorldServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP -------------------------------------------------------------------------------
    def _handler(self, name: str):
        host = self.world.hosts[name]

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
                writer.close()
                return
            line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            method, path = (line[0], line[1]) if len(line) >= 2 else ("GET", "/")
            self.log.append((name, path, time.monotonic()))
            if host.behaviour == "blackhole":
                self.held.append(writer)  # accepted, never answered
                return
            if host.behaviour == "slow":
                await asyncio.sleep(self.world.slow_seconds)
            answer = self.world.page(name, path, self.base)
            status, headers, body = answer if answer is not None else (404, {"Content-Type": "text/html"}, b"")
            reason = {200: "OK", 302: "Found", 403: "Forbidden", 404: "Not Found"}.get(status, "Status")
            lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items()),
                     f"Content-Length: {len(body)}", "Connection: close", "", ""]
            try:
                writer.write("\r\n".join(lines).encode("latin-1") + (body if method != "HEAD" else b""))
                await writer.drain()
            except ConnectionError:
                pass
            finally:
                writer.close()

        return handle

    # -- files a crawl needs ----------------------------------------------------------------
    def hosts_table(self) -> dict[str, str]:
        return dict(self.addresses)

    def write_hosts(self, path: Path) -> Path:
        path.write_text(json.dumps(self.hosts_table(), indent=0), encoding="utf-8")
        return path

    def write_portals(self, path: Path, *, order: list[int] | None = None, entry_urls: bool = True) -> Path:
        rows = self.world.portals if order is None else [self.world.portals[i] for i in order]
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "start_url", "render", "region_code", "entry_urls"])
            for p in rows:
                entries = " ".join(self.url(urlsplit(u).hostname or "", urlsplit(u).path)
                                   for u in p.entry_urls) if entry_urls else ""
                w.writerow([p.name, self.url(p.host, "/"), "false", p.region_code, entries])
        return path

    def settings(self, tmp: Path) -> dict[str, Any]:
        """Settings that keep a crawl on loopback and fast (tests do not wait for politeness delays)."""
        return {
            "TWISTED_DNS_RESOLVER": "crawler.resolver.HostsResolver",
            "NIANBAO_HOSTS": str(self.write_hosts(tmp / "hosts.json")),
            "NIANBAO_HOSTS_ONLY": True,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
            "CONCURRENT_REQUESTS": 32,
            "WARC_ENABLED": False,
        }

    def report_url(self, report: Any) -> str:
        return self.url(report.host, report.path)


def serve_world(world: World) -> WorldServer:
    return WorldServer(world)
