"""Which portal a URL belongs to, and when a portal may leave its scope. Pure (docs/portals.md "Scope").

A portal's scope, most specific claim first:
  4  a path under one of its entry_urls           (a county's column on its city's platform)
  3  its start URL's host (longer: a path under its start URL's folder, for portals sharing a host)
  2  a subdomain of its site domain               (*.yichuan.gov.cn for www.yichuan.gov.cn)
  1  its allowed_domains (and their subdomains)
  0  the host of an entry URL, anywhere on it
A URL claimed by several portals of a crawl belongs to the highest claim (then the longest match, then
the portal that linked it), so a host shared by several portals is crawled once and each page is
attributed to the right one.

Off-scope hosts: other `*.gov.cn` hosts are followed only from a portal's 信息公开/年报 column pages,
only from their content (not from footers, 友情链接, mega-menus or service blocks: `Link.block`), and
within a per-portal budget of off-scope hosts and pages (`OffScopeBudget`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_WWW = re.compile(r"^www\d*\.")
# The bundled Public Suffix List snapshot only: never fetched at run time.
_PSL = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def host_key(url: str) -> str:
    """The host with a non-default port (`127.0.0.1:8001`): sites on one address but different ports differ."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port and port not in (80, 443) else host


def _is_ip(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host or host == "localhost"


@lru_cache(maxsize=65536)
def site_domain(host: str) -> str:
    """The domain whose subdomains belong to a site: `www.yichuan.gov.cn` → `yichuan.gov.cn`;
    never a public suffix (`www.gov.cn` stays `www.gov.cn`); IP addresses stay as they are."""
    host = host.lower().rstrip(".")
    bare = _WWW.sub("", host)
    parts = _PSL(bare)
    if not parts.suffix or not parts.domain:  # an IP address, localhost, or a public suffix itself
        return host
    return bare


def is_gov_cn(host: str) -> bool:
    return host.endswith(".gov.cn")


@dataclass(frozen=True)
class PortalScope:
    name: str
    start_host: str  # host_key of the start URL
    domain: str  # "" for IP addresses: no subdomains
    allowed: tuple[str, ...] = ()
    entry_prefixes: tuple[str, ...] = ()  # scheme-less "host/path/" prefixes
    entry_hosts: tuple[str, ...] = ()
    start_prefix: str = ""  # "host/folder/" of the start URL

    @classmethod
    def of(cls, name: str, start_url: str, entry_urls: Iterable[str] = (),
           allowed_domains: Iterable[str] = ()) -> PortalScope:
        bare = hostname(start_url)
        entries = [u for u in entry_urls if hostname(u)]
        return cls(
            name=name, start_host=host_key(start_url), domain="" if _is_ip(bare) else site_domain(bare),
            allowed=tuple(d.lower().lstrip(".") for d in allowed_domains if d),
            entry_prefixes=tuple(_prefix(u) for u in entries),
            entry_hosts=tuple(host_key(u) for u in entries),
            start_prefix=_prefix(start_url).rsplit("/", 1)[0] + "/",
        )

    def claim(self, url: str) -> tuple[int, int]:
        """(rank, length of the match); (-1, 0) when the URL is not in this portal's scope."""
        host, key = hostname(url), host_key(url)
        best = (-1, 0)
        prefix = _prefix(url)
        for p in self.entry_prefixes:
            if prefix.startswith(p):
                best = max(best, (4, len(p)))
        if key == self.start_host:
            best = max(best, (3, len(self.start_prefix) if prefix.startswith(self.start_prefix) else len(key)))
        if self.domain and (host == self.domain or host.endswith("." + self.domain)):
            best = max(best, (2, len(self.domain)))
        for d in self.allowed:
            if key == d or (":" not in d and not _is_ip(d) and (host == d or host.endswith("." + d))):
                best = max(best, (1, len(d)))
        if key in self.entry_hosts:
            best = max(best, (0, len(key)))
        return best

    def holds(self, url: str) -> bool:
        return self.claim(url)[0] >= 0


def _prefix(url: str) -> str:
    return f"{host_key(url)}{urlsplit(url).path or '/'}"


class ScopeMap:
    """The scopes of every portal in a crawl: who owns a URL."""

    def __init__(self, scopes: Iterable[PortalScope]) -> None:
        self.scopes = {s.name: s for s in scopes}
        self._by_host: dict[str, list[PortalScope]] = defaultdict(list)  # candidate scopes per host suffix
        for s in self.scopes.values():
            for key in {s.start_host, s.domain, *s.allowed, *s.entry_hosts} - {""}:
                self._by_host[key].append(s)

    def _candidates(self, url: str) -> list[PortalScope]:
        key, host = host_key(url), hostname(url)
        out: list[PortalScope] = list(self._by_host.get(key, ())) if key != host else []
        labels = host.split(".")
        for i in range(len(labels)):
            out.extend(self._by_host.get(".".join(labels[i:]), ()))
        return out

    def owner(self, url: str, prefer: str | None = None) -> str | None:
        """The portal whose scope holds the URL most specifically (None: no portal's); on a tie, `prefer`
        (the portal that linked it), else the first listed."""
        best: tuple[tuple[int, int, bool], str] | None = None
        for s in self._candidates(url):
            c = s.claim(url)
            key = (*c, s.name == prefer)
            if c[0] >= 0 and (best is None or key > best[0]):
                best = (key, s.name)
        return best[1] if best else None


# Link blocks that never lead off scope (crawler.discovery.blocks names them).
CHROME_BLOCKS = frozenset({"nav", "header", "footer", "friends", "offsite", "service"})


def may_leave(host: str, *, block: str, from_column: bool, follow_gov_cn: bool) -> str | None:
    """None if a link to an off-scope host may be followed, else the reason it is not."""
    if not follow_gov_cn:
        return "off scope (FOLLOW_GOV_CN off)"
    if not is_gov_cn(host):
        return "off scope (not *.gov.cn)"
    if block in CHROME_BLOCKS:
        return f"off scope (link in a {block} block)"
    if not from_column:
        return "off scope (not linked from a 信息公开/年报 column)"
    return None


@dataclass
class OffScopeBudget:
    """Per portal: at most `max_hosts` off-scope hosts and `max_pages` off-scope requests."""

    max_hosts: int = 10
    max_pages: int = 100
    hosts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pages: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def take(self, portal: str, host: str) -> bool:
        known = self.hosts[portal]
        if (self.max_pages and self.pages[portal] >= self.max_pages) or (
                host not in known and self.max_hosts and len(known) >= self.max_hosts):
            self.refused[portal] += 1
            return False
        known.add(host)
        self.pages[portal] += 1
        return True
