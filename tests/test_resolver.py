"""crawler.resolver.HostsResolver: table names resolve to loopback without a lookup; others fail at once."""

from __future__ import annotations

import json

import pytest
from twisted.internet.error import DNSLookupError

from crawler.resolver import HostsResolver, HostsTableError, load_hosts


class _Reactor:  # ThreadedResolver keeps a reference only; table answers never touch it
    pass


def _result(d):
    out = []
    d.addBoth(out.append)
    return out[0]


def test_table_names_resolve_and_unknown_names_fail_at_once():
    r = HostsResolver(_Reactor(), 100, 10.0, {"www.yichuan.gov.cn": "127.0.3.7"}, only=True)
    assert _result(r.getHostByName("WWW.YICHUAN.GOV.CN.")) == "127.0.3.7"
    assert _result(r.getHostByName("127.0.0.9")) == "127.0.0.9"
    failure = _result(r.getHostByName("www.dead-name.gov.cn"))
    assert failure.check(DNSLookupError)


def test_hosts_file(tmp_path):
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps({"A.gov.cn": "127.0.3.1"}), encoding="utf-8")
    assert load_hosts(str(path)) == {"a.gov.cn": "127.0.3.1"}
    assert load_hosts({"b.gov.cn": "127.0.0.2"}) == {"b.gov.cn": "127.0.0.2"}


@pytest.mark.parametrize(("content", "message"), [
    ("[1, 2]", "JSON object"),
    ("{", "cannot read"),
    ('{"a.gov.cn": "not-an-ip"}', "not an IP address"),
    ('{"a.gov.cn": "8.8.8.8"}', "outside 127.0.0.0/8"),
])
def test_bad_hosts_tables(tmp_path, content, message):
    path = tmp_path / "hosts.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HostsTableError, match=message) as exc:
        load_hosts(str(path), loopback_only=True)
    assert str(path) in str(exc.value)
