"""A name resolver with a hosts table: `-s TWISTED_DNS_RESOLVER=crawler.resolver.HostsResolver`.

    -s NIANBAO_HOSTS=hosts.json        # {"www.yichuan.gov.cn": "127.0.3.7", …} (a dict setting works too)
    -s NIANBAO_HOSTS_ONLY=True         # names not in the table fail at once (NXDOMAIN), nothing leaves the machine

Names in the table resolve to their address without a lookup; other names go to Scrapy's caching
threaded resolver with DNS_TIMEOUT, unless NIANBAO_HOSTS_ONLY. Tests and benchmarks use it to serve
real-looking hostnames (www.xxx.gov.cn) from 127.0.0.0/8. Addresses outside 127.0.0.0/8 are refused
when NIANBAO_HOSTS_ONLY is set, so a table cannot send a test off the machine.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


class HostsTableError(ValueError):
    """NIANBAO_HOSTS cannot be used; the message names the file and the fix."""


def load_hosts(value: Any, *, loopback_only: bool = False) -> dict[str, str]:
    """The hosts table from a dict or a JSON file path; names lower-cased."""
    if not value:
        return {}
    if isinstance(value, dict):
        table, where = value, "NIANBAO_HOSTS"
    else:
        path = Path(str(value))
        where = str(path)
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise HostsTableError(f"{path}: cannot read the hosts table ({exc}); give a JSON object "
                                  '{"name": "127.x.y.z"}') from None
        if not isinstance(table, dict):
            raise HostsTableError(f'{path}: the hosts table must be a JSON object {{"name": "127.x.y.z"}}')
    out = {}
    for name, addr in table.items():
        try:
            ip = ipaddress.ip_address(str(addr))
        except ValueError:
            raise HostsTableError(f"{where}: {name!r} maps to {addr!r}, not an IP address") from None
        if loopback_only and ip not in _LOOPBACK:
            raise HostsTableError(f"{where}: {name!r} maps to {addr}, outside 127.0.0.0/8 (NIANBAO_HOSTS_ONLY)")
        out[str(name).lower().rstrip(".")] = str(ip)
    return out


@implementer(IResolverSimple)
class HostsResolver(CachingThreadedResolver):
    # names registered while running (the demo's broken portal): an address, or None for NXDOMAIN
    runtime: dict[str, str | None] = {}  # noqa: RUF012 - shared on purpose

    def __init__(self, reactor: Any, cache_size: int, timeout: float, hosts: dict[str, str], only: bool) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.hosts = hosts
        self.only = only

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> HostsResolver:
        settings = crawler.settings
        only = settings.getbool("NIANBAO_HOSTS_ONLY")
        cache = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache, settings.getfloat("DNS_TIMEOUT"),
                   load_hosts(settings.get("NIANBAO_HOSTS"), loopback_only=only), only)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        key = name.lower().rstrip(".")
        if key in self.runtime:
            address = self.runtime[key]
            return defer.succeed(address) if address else defer.fail(DNSLookupError(f"{name}: NXDOMAIN"))
        if key in self.hosts:
            return defer.succeed(self.hosts[key])
        try:
            ipaddress.ip_address(key)
            return defer.succeed(key)
        except ValueError:
            pass
        if self.only:
            return defer.fail(DNSLookupError(f"{name}: not in the hosts table (NXDOMAIN)"))
        return super().getHostByName(name, timeout)
