"""Serve the discovery fixture portals on loopback, each on its own host:port (crawler.demo.server.SiteServer).

    with start_sites() as sites:
        sites.write_csv(tmp / "portals.csv")                 # name,start_url,render,region_code,allowed_domains
        sites.servers["plain"].paths()                       # request log of one portal

Portals listen on 127.0.0.1; the xxgk.* platform and the spam mirror on 127.0.0.3 / 127.0.0.2, so they are
different hosts to the crawler. `PATH@QUERY` files answer PATH?QUERY; `{{host:KEY}}` becomes a server URL.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.demo.server import Override, SiteServer

ROOT = Path(__file__).with_name("discovery")
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))


@dataclass
class Sites:
    servers: dict[str, SiteServer]
    rows: list[dict[str, str]]

    def write_csv(self, path: Path, *, render: bool | None = None, keys: list[str] | None = None) -> Path:
        """The portal list for `scrapy crawl portals -a portals=PATH`; render=False/True or keys keep only those."""
        rows = [r for r in self.rows if render is None or (r["render"] == "true") == render]
        if keys is not None:
            rows = [r for r in rows if r["key"] in keys]
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, ["name", "start_url", "render", "region_code", "allowed_domains"],
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    def requested(self, key: str) -> list[str]:
        return self.servers[key].paths()

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.stop()

    def __enter__(self) -> Sites:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _hook(srv: SiteServer, servers: dict[str, SiteServer]):
    def hook(method: str, path: str, headers: dict[str, str]) -> Override | None:
        parts = urlsplit(path)
        file = None
        if parts.query:
            candidate = srv.root / (unquote(parts.path).lstrip("/") + "@" + unquote(parts.query))
            file = candidate if candidate.is_file() else None
        file = file or srv.resolve(path)
        if file is None:
            return None
        data = file.read_bytes()
        if file.name.find("@") < 0 and b"{{host:" not in data:
            return None  # the static server answers (validators, 304s)
        for key, other in servers.items():
            data = data.replace(b"{{host:" + key.encode() + b"}}", other.url.encode())
        suffix = Path(parts.path).suffix.lower()
        ctype = {".json": "application/json; charset=utf-8", ".jsp": "text/xml; charset=utf-8"}.get(suffix)
        return Override(200, {"Content-Type": ctype or srv.content_type(file)}, data)
    return hook


def start_sites() -> Sites:
    servers: dict[str, SiteServer] = {}
    try:
        for entry in [*MANIFEST["portals"], *MANIFEST["hosts"]]:
            srv = SiteServer(ROOT / entry["key"], host=entry["host"])
            srv.hook = _hook(srv, servers)
            servers[entry["key"]] = srv.start()
        for ov in MANIFEST["overrides"]:
            servers[ov["portal"]].override(ov["path"], ov["status"], headers=ov.get("headers"), times=ov.get("times"))
    except Exception:
        for srv in servers.values():
            srv.stop()
        raise
    rows = []
    for p in MANIFEST["portals"]:
        allowed = " ".join(urlsplit(servers[k].url).netloc for k in p.get("allowed", []))
        rows.append({"key": p["key"], "name": p["name"], "start_url": servers[p["key"]].url + p["home"],
                     "render": "true" if p.get("render") else "false", "region_code": p["region_code"],
                     "allowed_domains": allowed})
    return Sites(servers, rows)


def report_urls(sites: Sites, *, render: bool | None = None) -> set[str]:
    """Absolute URLs of every expected report (pages and attachments)."""
    keep = {p["key"] for p in MANIFEST["portals"] if render is None or bool(p.get("render")) == render} | {"xxgk"}
    if render is True:
        keep.discard("xxgk")
    return {sites.servers[r["portal"]].url + "/" + r["path"].lstrip("/") for r in MANIFEST["reports"]
            if r["portal"] in keep}


def lookalike_urls(sites: Sites) -> set[str]:
    return {sites.servers[r["portal"]].url + "/" + r["path"].lstrip("/") for r in MANIFEST["lookalikes"]}
