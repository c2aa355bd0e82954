"""Portal lists: the CSV a user passes with `-a portals=PATH.csv` and the bundled registry.

CSV header: `name,start_url,render` (required) plus optional columns such as `region_code`,
`allowed_domains` (space/semicolon separated hosts) and `entry_urls` (extra start URLs, e.g. the
政府信息公开/年报 column). Errors name the file, the line and what to fix.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REGISTRY_PATH = Path(__file__).parent / "portals" / "registry.csv"
REQUIRED = ("name", "start_url", "render")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}


class PortalListError(ValueError):
    """The portal list cannot be used; the message says what to fix."""


@dataclass
class Portal:
    name: str
    start_url: str
    render: bool = False
    region_code: str = ""
    allowed_domains: list[str] = field(default_factory=list)
    entry_urls: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.start_url).netloc.lower()

    def hosts(self) -> set[str]:
        hosts = {self.host} | {d.lower() for d in self.allowed_domains}
        hosts |= {urlsplit(u).netloc.lower() for u in self.entry_urls}
        return {h for h in hosts if h}


def _split(value: str | None) -> list[str]:
    return [v for v in re.split(r"[\s;|]+", value or "") if v]


def load_portals(path: str | Path) -> list[Portal]:
    path = Path(path)
    if not path.exists():
        raise PortalListError(f"portal list {path} does not exist (give a CSV with header {','.join(REQUIRED)})")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise PortalListError(
                f"{path}: header {header} lacks {missing}; the first line must be e.g. 'name,start_url,render'"
            )
        portals = []
        for line, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            if not any(row.values()):
                continue
            portals.append(_portal(row, f"{path}:{line}"))
    if not portals:
        raise PortalListError(f"{path} lists no portals")
    return portals


def _portal(row: dict[str, str], where: str) -> Portal:
    name, url, render = row["name"], row["start_url"], row["render"].lower()
    if not name:
        raise PortalListError(f"{where}: empty name")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise PortalListError(f"{where}: start_url {url!r} is not an http(s) URL")
    if render not in _TRUE | _FALSE:
        raise PortalListError(f"{where}: render must be true or false, not {row['render']!r}")
    known = {"name", "start_url", "render", "region_code", "allowed_domains", "entry_urls"}
    return Portal(
        name=name,
        start_url=url,
        render=render in _TRUE,
        region_code=row.get("region_code", ""),
        allowed_domains=_split(row.get("allowed_domains")),
        entry_urls=_split(row.get("entry_urls")),
        extra={k: v for k, v in row.items() if k not in known and v},
    )


def select(portals: list[Portal], region: str | None = None, sample: int | None = None) -> list[Portal]:
    """`-a region=3205` keeps region codes starting with it; `-a sample=N` the first N."""
    if region:
        portals = [p for p in portals if p.region_code.startswith(region)]
    if sample is not None:
        portals = portals[:sample]
    return portals
